"""monitor trace URL [URL ...] [--json] [--profile NAME --issue-date YYYY-MM-DD]

Why a URL is, or is not, in the data: which outlet owns it, whether that outlet's article patterns
accept it, which of its list sources can surface it, whether an article is stored under it and, for
one issue, whether the export takes it and at which rank.
"""
from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import urlsplit

from monitor.cli.common import CommandError, database, day, project_settings

NAME = "trace"
HELP = ("say why URLs are or are not in the data: owning outlet, article patterns, list sources, stored "
        "article and (with --profile and --issue-date) the issue's rank")

#: The stored article's fields trace reports (and what it needs to say why it is not in an issue).
TRACE_FIELDS = {"url": 1, "status": 1, "score": 1, "keywords": 1, "topic_reason": 1, "cluster_id": 1,
                "cluster_lead": 1, "reprint_count": 1, "published_at": 1, "outlet": 1}


def add_arguments(parser):
    parser.add_argument("urls", nargs="+", metavar="URL", help="an article's URL (http or https), as a list page "
                        "links it or as stored")
    parser.add_argument("--json", action="store_true",
                        help="one JSON object per URL and line instead of the readable blocks")
    # As add_issue_arguments (monitor/cli/report_args.py), but optional: both or neither.
    parser.add_argument("--profile", metavar="NAME",
                        help="report profile: a file name under spiders_config/profiles/ without .yaml "
                             "(weekly, monthly); with --issue-date, also say whether each URL is in that issue")
    parser.add_argument("--issue-date", type=day, metavar="YYYY-MM-DD",
                        help="the issue's date: a Friday for weekly, the month's last day for monthly "
                             "(with --profile)")


def run(args) -> int:
    from monitor.cli.report_args import issue_profile
    from monitor.urls import http_url_problem

    for url in args.urls:
        problem = http_url_problem(url)
        if problem:
            raise CommandError(f"{url!r} {problem}", 2)
    if (args.profile is None) != (args.issue_date is None):
        raise CommandError("--profile and --issue-date go together: give both (to trace an issue) or neither", 2)
    issue = issue_profile(args) if args.profile else None

    traces = [config_trace(url) for url in args.urls]
    with database(project_settings()) as handle:
        for trace in traces:
            trace.update(stored_trace(handle.db, trace))
        if issue:
            issue_trace(handle.db, *issue, args.issue_date, traces)

    for n, trace in enumerate(traces):
        if args.json:
            fields = {k: v for k, v in trace.items() if not k.startswith("_") and k != "reasons"}
            print(json.dumps({**fields, "reasons": trace["reasons"]}, ensure_ascii=False, default=_json_default))
        else:
            print(("\n" if n else "") + text_block(trace, issue))
    return 0


# -- what the configuration says -------------------------------------------------------------------

def config_trace(url: str) -> dict:
    """outlet, accepted and sources for `url`, and why it is not crawled where the configuration says so."""
    from monitor.outlets import outlet_for_url
    from monitor.spiders.listconfig import ListConfigError, parse_list_config

    trace = {"url": url, "outlet": None, "accepted": False, "sources": [], "reasons": []}
    outlet = outlet_for_url(url)
    if outlet is None:
        host = (urlsplit(url).hostname or "").lower()
        trace["reasons"].append(f"no outlet covers host {host}: add it to an outlet's `domains` in "
                                f"spiders_config/outlets/, or add an outlet (docs/adding-an-outlet.md)")
        return trace
    trace["outlet"] = outlet.key
    where = _config_file(outlet)
    try:
        config = parse_list_config(outlet.config, outlet.path)
    except ListConfigError as e:
        trace["reasons"].append(f"the outlet's `list:` section is not usable: {e}")
        return trace
    trace["accepted"] = config.is_article(url)
    if not trace["accepted"]:
        trace["reasons"].append(f"the outlet's article patterns reject it: add a pattern to list.articles in {where}")
    trace["sources"] = [{"index": i, "label": s.label, "format": s.format, "scope": [str(p) for p in s.scope]}
                        for i, s in config.sources_covering(url)]
    if not trace["sources"]:
        trace["reasons"].append(f"no list source's scope covers it: add a source, or a `scope:` to one, in "
                                f"list.sources of {where}")
    return trace


def _config_file(outlet) -> str:
    from monitor import PROJECT_ROOT
    if outlet.path is None:
        return f"spiders_config/outlets/{outlet.key}.yaml"
    try:
        return str(outlet.path.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(outlet.path)


# -- what the database holds -----------------------------------------------------------------------

def find_article(db, url: str) -> dict | None:
    """The article stored under `url` (its canonical URL, or one of the URLs it was seen under): the lookup
    `monitor pin`/`exclude` make (monitor.report.editorial.resolve_article)."""
    from monitor.report.editorial import UnknownArticle, resolve_article
    try:
        return resolve_article(db, url, TRACE_FIELDS)
    except UnknownArticle:
        return None


def stored_trace(db, trace: dict) -> dict:
    doc = find_article(db, trace["url"])
    if doc is None:
        if trace["accepted"] and trace["sources"]:
            trace["reasons"].append("not stored: not crawled in a window that holds it yet, or dropped by a "
                                    "pipeline (off topic, outside the window, missing field): `monitor runs "
                                    "--run ID` counts each outlet's drops")
        return {"stored": False, "_doc": None}
    published, keywords = doc.get("published_at"), doc.get("keywords")
    return {"stored": True, "status": doc.get("status"), "score": doc.get("score"),
            "topic_reason": doc.get("topic_reason"),
            "keywords": keywords if isinstance(keywords, dict) else {}, "cluster_id": doc.get("cluster_id"),
            "reprint_count": doc.get("reprint_count"), "stored_url": doc.get("url"),
            "published_at": _beijing(published).isoformat() if isinstance(published, datetime) else None,
            "_doc": doc}


def issue_trace(db, profile, window, issue_date, traces: list[dict]) -> None:
    """in_issue and rank for every trace: the candidates as `monitor export` selects and orders them."""
    from monitor.report.editorial import load_edits
    from monitor.report.selection import select

    selection = select(db, profile, window, load_edits(db, profile.name, issue_date))
    ranks = {c.id: rank for rank, c in enumerate(selection.ranked, 1)}
    ranked = {c.id: c for c in selection.ranked}
    chosen = {c.id for c in selection.chosen}
    for trace in traces:
        doc = trace["_doc"]
        article_id = doc["_id"] if doc else None
        trace["in_issue"] = article_id in chosen
        trace["rank"] = ranks.get(article_id)
        if doc is not None and not trace["in_issue"]:
            trace["reasons"].append(_not_in_issue(doc, profile, window, issue_date, ranked.get(article_id),
                                                  trace["rank"], len(selection.ranked)))


def _not_in_issue(doc, profile, window, issue_date, candidate, rank, count) -> str:
    from monitor.report.editorial import PINNABLE
    from monitor.storage.articles import STATUS_OFF_TOPIC

    issue = f"the {profile.name} issue of {issue_date}"
    published = doc.get("published_at")
    if doc.get("status") == STATUS_OFF_TOPIC and candidate is None:
        return (f"not in {issue}: a near miss of the topic ({doc.get('topic_reason') or 'below the threshold'}); "
                f"`monitor candidates --near-misses` lists it and `monitor pin` brings it in")
    if doc.get("status") not in PINNABLE or not isinstance(published, datetime):
        return (f"not in {issue}: it has no publish date (status {doc.get('status')}); undated articles are "
                "never reported")
    if not window.contains(published):
        return f"not in {issue}: published on {_beijing(published).date()}, outside the issue's window {window}"
    if candidate is not None:
        if candidate.excluded:
            return f"not in {issue}: excluded by an editor (monitor exclude --undo … brings it back)"
        return f"not in {issue}: ranked {rank} of {count} candidates, below the profile's size ({profile.size})"
    if doc.get("outlet") not in profile.outlets:
        return (f"not in {issue}: its outlet ({doc.get('outlet') or 'none'}) is not one of the profile's outlets "
                f"(spiders_config/profiles/{profile.name}.yaml)")
    if doc.get("cluster_lead") is False:
        return (f"not in {issue}: a reprint; its story cluster ({doc.get('cluster_id')}) is represented by "
                f"another article, its lead")
    return f"not in {issue}: another article stands for its story cluster ({doc.get('cluster_id')})"


# -- output ----------------------------------------------------------------------------------------

def _beijing(moment: datetime) -> datetime:
    from monitor.window import BEIJING
    return moment.astimezone(BEIJING)


def _json_default(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def text_block(trace: dict, issue) -> str:
    lines = [trace["url"], f"  outlet: {trace['outlet'] or 'none'}", f"  accepted: {_yes(trace['accepted'])}"]
    sources = [f"[{s['index']}] {s['label']} (scope {', '.join(s['scope'])})" for s in trace["sources"]]
    lines.append("  sources: " + ("\n           ".join(sources) if sources else "none"))
    lines.append(f"  stored: {_yes(trace['stored'])}")
    if trace["stored"]:
        hits = sorted(trace["keywords"].items(),  # most hits first
                      key=lambda kv: -kv[1] if isinstance(kv[1], (int, float)) else 0)
        keywords = ", ".join(f"{k} {v}" for k, v in hits)
        lines += [f"  stored_url: {trace['stored_url']}", f"  status: {trace['status']}",
                  f"  published_at: {trace['published_at'] or 'none'}",
                  f"  score: {trace['score'] if trace['score'] is not None else 'none'}"
                  + (f" (short of the topic: {trace['topic_reason']})" if trace.get("topic_reason") else ""),
                  f"  keywords: {keywords or 'none'}",
                  f"  cluster_id: {trace['cluster_id'] or 'none'}",
                  f"  reprint_count: {trace['reprint_count'] if trace['reprint_count'] is not None else 'none'}"]
    if issue is not None:
        lines += [f"  in_issue: {_yes(trace['in_issue'])}",
                  f"  rank: {trace['rank'] if trace['rank'] is not None else 'none'}"]
    lines += [f"  reason: {reason}" for reason in trace["reasons"]]
    return "\n".join(lines)
