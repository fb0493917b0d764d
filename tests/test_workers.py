"""Worker processes (monitor/workers.py): results and errors come back as from a call in this process, and a
worker that dies fails only its own call."""
import os

import pytest

from monitor import workers
from monitor.extract.article import ExtractionError, extract_article


def die(code):
    os._exit(code)


def test_a_call_in_a_worker_gives_what_a_call_here_gives():
    page = "<html><head><title>标题</title></head><body><h1>医院上线互联网诊疗</h1>" + "<p>正文内容。</p>" * 40 + "</body></html>"
    here = extract_article(page.encode(), "https://example.org/a.html")
    there = workers.run(extract_article, page.encode(), "https://example.org/a.html", processes=1).result(timeout=60)
    assert {k: v for k, v in there.items() if k != "published_at"} == {k: v for k, v in here.items() if k != "published_at"}
    with pytest.raises(ExtractionError):  # the extractor's own refusal crosses over as itself
        workers.run(extract_article, b"", "https://example.org/blank.html", processes=1).result(timeout=60)


def test_a_worker_that_dies_fails_its_call_and_the_next_call_gets_a_new_worker():
    with pytest.raises(workers.WorkerDied):
        workers.run(die, 3, processes=1).result(timeout=60)
    assert workers.run(os.getpid, processes=1).result(timeout=60) != os.getpid()
    workers.shutdown()


def test_no_worker_processes_runs_the_call_here():
    assert workers.run(os.getpid, processes=0).result() == os.getpid()
    with pytest.raises(ExtractionError):
        workers.run(extract_article, b"", "https://example.org/blank.html", processes=0).result()
