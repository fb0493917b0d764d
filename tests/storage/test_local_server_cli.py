"""Zero set-up: with no MONGO_URI the command starts its own server, and stops it when done."""
import json

import pymongo

from helpers import run_monitor
from monitor.storage.server import LocalServer


def test_import_without_mongo_uri_uses_a_local_server_under_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("MONGO_URI", raising=False)
    data = tmp_path / "data"
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"url": "https://www.ce.cn/a.shtml", "source": "中国经济网", "title": "智慧医院",
                                "published_at": "2026-01-10T09:30:00+08:00", "body_markdown": "医院数据"},
                               ensure_ascii=False) + "\n", encoding="utf-8")
    result = run_monitor("import", path, env={"MONITOR_DATA_DIR": str(data), "MONGO_URI": ""})
    assert result.returncode == 0, result.stderr
    assert (data / "secantus").is_dir()
    assert not (data / "server.json").exists()  # stopped cleanly at the end
    with LocalServer(data) as uri:
        doc = pymongo.MongoClient(uri).monitor.articles.find_one()
        assert doc["title"] == "智慧医院" and doc["outlet"] == "ce"
