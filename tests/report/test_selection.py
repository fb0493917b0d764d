"""Selection on stored documents: one entry per story, best score first up to the size, printed by
publish time, pins and exclusions; and the window read through its index."""
from datetime import date

import pytest

from monitor.report.editorial import Edits
from monitor.report.export import export_issue
from monitor.report.profiles import load_profile
from monitor.report.selection import select, window_articles
from monitor.storage.mongo import ensure_indexes
from report_data import stored

ISSUE = date(2026, 1, 16)  # window 2026-01-10 .. 2026-01-16


def weekly():
    profile = load_profile("weekly")
    return profile, profile.window(ISSUE)


def test_one_entry_per_cluster_best_score_first_then_by_publish_time(db):
    ensure_indexes(db)
    profile, window = weekly()
    docs = [stored(n, f"2026-01-{10 + n % 7:02d}", score=float(n)) for n in range(1, 13)]  # scores 1..12
    lead = stored(20, "2026-01-11", score=50.0, cluster="story-a", lead=True, reprints=3)
    reprint = stored(21, "2026-01-12", score=60.0, cluster="story-a", lead=False)
    bare = stored(30, "2026-01-13")  # no score, no cluster: its own story, score 0
    outside = [stored(40, "2026-01-09", score=99.0), stored(41, "2026-01-17", score=99.0),
               stored(42, "2026-01-12", score=99.0, status="undated"),
               stored(43, "2026-01-12", score=99.0, outlet="cnhubei") | {"outlet": "unknown-outlet"}]
    db.articles.insert_many([*docs, lead, reprint, bare, *outside])

    selection = select(db, profile, window, Edits())
    ranked_ids = [c.id for c in selection.ranked]
    assert reprint["_id"] not in ranked_ids  # not its story's lead
    assert not {d["_id"] for d in outside} & set(ranked_ids)
    assert ranked_ids[0] == lead["_id"] and selection.ranked[0].reprint_count == 3
    assert ranked_ids[-1] == bare["_id"] and selection.ranked[-1].score == 0
    assert len(ranked_ids) == 14

    chosen = selection.chosen
    assert len(chosen) == profile.size == 10
    assert {c.id for c in chosen} == {lead["_id"], *(d["_id"] for d in docs[3:])}  # scores 4..12 and the lead
    assert [c.published_at for c in chosen] == sorted(c.published_at for c in chosen)


def test_pins_go_beyond_the_size_and_exclusions_are_replaced(db):
    ensure_indexes(db)
    profile, window = weekly()
    docs = [stored(n, "2026-01-12", score=float(n)) for n in range(1, 13)]
    lead = stored(20, "2026-01-11", score=50.0, cluster="story-a", lead=True)
    reprint = stored(21, "2026-01-14", score=1.0, cluster="story-a", lead=False)
    db.articles.insert_many([*docs, lead, reprint])

    edits = Edits(pinned=(docs[0]["_id"], docs[1]["_id"], reprint["_id"]), excluded=frozenset({docs[11]["_id"]}))
    chosen = {c.id for c in select(db, profile, window, edits).chosen}
    # three pinned (one standing in for its story's lead) + the best seven of the rest, without the excluded
    assert reprint["_id"] in chosen and lead["_id"] not in chosen
    assert {docs[0]["_id"], docs[1]["_id"]} <= chosen
    assert docs[11]["_id"] not in chosen
    assert chosen - {docs[0]["_id"], docs[1]["_id"], reprint["_id"]} == {d["_id"] for d in docs[4:11]}

    many = Edits(pinned=tuple(d["_id"] for d in docs))  # 12 pinned: all go in, beyond the size of 10
    assert len(select(db, profile, window, many).chosen) == 12


def test_export_prints_lead_link_and_entries_by_publish_time(db, monitor_env, tmp_path):
    ensure_indexes(db)
    late = stored(1, "2026-01-15", score=9.0)
    early = stored(2, "2026-01-10", score=1.0)
    db.articles.insert_many([late, early])
    result = export_issue(db, "weekly", ISSUE, number=657)
    assert result.count == 2 and result.number == 657
    assert result.path == tmp_path / "exports" / "weekly" / "2026-01-16-657.md"
    text = result.path.read_text(encoding="utf-8")
    assert text.index("智慧医疗第2号") < text.index("智慧医疗第1号")
    # the link is the URL first seen (with www.), not the canonical one
    assert f"链接：<{early['urls'][0]}>" in text


def test_the_window_is_read_through_the_published_at_index(db):
    ensure_indexes(db)
    profile, window = weekly()
    outside = [stored(n, f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}", score=1.0) for n in range(600)]
    inside = [stored(1000 + n, "2026-01-13", score=1.0) for n in range(5)]
    db.articles.insert_many([*outside, *inside])
    stats = window_articles(db, window).explain()["executionStats"]
    assert stats["nReturned"] == 5
    assert stats["totalDocsExamined"] == 5  # none of the 600 outside the window is read


def test_nothing_to_report_raises_empty_window_and_writes_nothing(db, monitor_env, tmp_path):
    from monitor.report.editorial import apply_edit
    from monitor.report.export import EmptyWindow

    ensure_indexes(db)
    with pytest.raises(EmptyWindow, match="none dated within 2026-01-10..2026-01-16"):
        export_issue(db, "weekly", "2026-01-16", number=1)
    only = stored(1, "2026-01-12")
    db.articles.insert_one(only)
    profile, window = weekly()
    apply_edit(db, "weekly", ISSUE, window, "excluded", [str(only["_id"])])
    with pytest.raises(EmptyWindow, match="all 1 candidate"):
        export_issue(db, "weekly", ISSUE, number=1)
    assert not (tmp_path / "exports").exists() and db.issues.count_documents({}) == 0
