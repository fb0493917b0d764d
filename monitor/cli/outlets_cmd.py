"""monitor outlets list | monitor outlets check NAME [--articles N] [--origin URL]"""
from __future__ import annotations

from monitor.cli.common import CommandError, day, positive_int, project_settings

NAME = "outlets"
HELP = "list the configured outlets, or check one outlet's list page and articles live"

#: Fields an article should have; `check` reports the ones that came out empty.
CHECKED_FIELDS = ("title", "published_at", "source", "author", "editor", "origin", "body_markdown", "images")
#: Without these an article is of no use to a report.
REQUIRED_FIELDS = ("title", "published_at", "body_markdown")


def add_arguments(parser):
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    sub.add_parser("list", help="each outlet with its list sources and whether it renders JavaScript",
                   description="Each outlet (spider name), its display name, list sources and rendering.")
    check = sub.add_parser("check", help="fetch the first page of each of an outlet's list sources and two "
                           "articles from each; print what was found and which fields are missing",
                           description="Fetch the first page of every list source of the outlet (live, or from "
                                       "--origin): an e-paper's latest day, a site search's first term; then "
                                       "the first articles each links, whatever their dates. Nothing is stored. "
                                       "Exit code 1 when a source failed or found no article, or an article "
                                       "lacks a title, publish time or body.")
    check.add_argument("name", metavar="NAME", help="outlet key, e.g. xinhua")
    check.add_argument("--articles", type=positive_int, default=2, metavar="N",
                       help="articles to fetch from each source (default 2)")
    check.add_argument("--until", type=day, metavar="YYYY-MM-DD",
                       help="check as of this day (default today): an e-paper's latest issue up to it, a site "
                            "search over the 7 days up to it")
    check.add_argument("--origin", metavar="URL",
                       help="answer every request from this server as http://HOST:PORT/<original URL> "
                            "(a replay of saved pages) instead of the live sites")


def run(args) -> int:
    if args.action == "list":
        return list_outlets()
    return check_outlet(args.name, args.articles, args.origin, args.until)


def _outlets():
    from monitor.outlets import load_outlets
    return load_outlets()


def list_outlets() -> int:
    from monitor.spiders.listconfig import ListConfigError, parse_list_config

    for key, outlet in sorted(_outlets().items()):
        render = _rendering(outlet.config.get("render"))
        print(f"{key}  {outlet.name}  ({', '.join(outlet.domains)}; {render})")
        try:
            config = parse_list_config(outlet.config, outlet.path)
        except ListConfigError as e:
            print(f"    list: not usable: {e}")
            continue
        for index, source in enumerate(config.sources):
            how = [] if source.format == "html" else [source.format]
            if source.per_day:
                how.append("one per day")
            if source.datasource:
                how.append("+ datasource JSON")
            if source.page or source.next:
                how.append("paged")
            if source.prefilter:
                how.append("title pre-filter")
            how.append("scope " + " ".join(map(str, source.scope)))
            print(f"    list [{index}]: {source.name + ' ' if source.name else ''}{source.url}  [{', '.join(how)}]")
    return 0


def _rendering(section) -> str:
    """How the outlet's pages are loaded, from its `render:` section (monitor/rendering/config.py)."""
    if not isinstance(section, dict) or not section:
        return "no JavaScript rendering"
    parts = []
    pages = section.get("pages") or []
    if pages:
        parts.append(f"renders JavaScript for {' and '.join(map(str, pages))} pages")
    if section.get("challenge"):
        parts.append(f"passes a {section['challenge']} challenge in a browser")
    return ", ".join(parts) or "no JavaScript rendering"


def check_outlet(name: str, articles: int, origin: str | None, until=None) -> int:
    outlets = _outlets()
    if name not in outlets:
        raise CommandError(f"unknown outlet {name!r}; accepted names: {', '.join(sorted(outlets))}", 2)
    if articles < 1:
        raise CommandError(f"--articles must be at least 1, not {articles}", 2)
    if origin is not None and not origin.startswith(("http://", "https://")):
        raise CommandError(f"--origin {origin!r} must be a URL such as http://127.0.0.1:8000", 2)
    from monitor.spiders.listconfig import ListConfigError, parse_list_config
    try:
        parse_list_config(outlets[name].config, outlets[name].path)
    except ListConfigError as e:
        raise CommandError(str(e), 2) from None

    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from scrapy.spiderloader import SpiderLoader

    settings = project_settings()
    # A look at the site, not a crawl: nothing stored, nothing skipped as already stored.
    settings.set("ITEM_PIPELINES", {}, priority="cmdline")
    settings.set("MONITOR_REFRESH", True, priority="cmdline")
    settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    if origin:
        settings.set("MONITOR_ORIGIN_OVERRIDE", origin, priority="cmdline")
    spider_cls = SpiderLoader.from_settings(settings).load(name)
    items = []
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider_cls)

    def collect(item, response, spider):
        items.append(dict(item))

    # (signals hold weak references: `collect` lives as long as this frame)
    crawler.signals.connect(collect, signal=signals.item_scraped)
    window = {"until": until.isoformat()} if until else {}
    process.crawl(crawler, check=str(articles), **window)
    process.start()
    spider = crawler.spider
    return _report(name, spider, items)


def _report(name, spider, items) -> int:
    from monitor.ops.health import source_sections
    ok = True
    print(f"{name}: list pages read")
    for url, found, ignored in spider.lists_read:
        print(f"  {url}: {found} article link(s), {ignored} other link(s) ignored")
    for url, kind, reason in spider.failures:
        print(f"  FAILED {kind} {url}: {reason}")
        ok = False
    if not spider.lists_read:
        print("  no list page could be read")
    print(f"{name}: list sources")
    counted = {s["index"]: s for s in source_sections(spider.crawler.stats.get_stats())}
    for index, source in enumerate(spider.list_config.sources):
        counts = counted.get(index, {})
        state = "FAILED" if counts.get("failed") else "ok" if counts.get("requested") else "NO ARTICLE"
        print(f"  [{index}] {state:<10} {source.label}: {counts.get('pages', 0)} page(s), "
              f"{counts.get('links', 0)} article link(s), {counts.get('requested', 0)} fetched"
              + (f" — {counts['error']}" if counts.get("error") else ""))
        ok = ok and state == "ok"
    print(f"{name}: articles")
    if not items:
        print("  none found: check list.sources and list.articles in the outlet's file")
        ok = False
    for item in items:
        print(f"  {item.get('url')}  (extracted by {item.get('extracted_by')})")
        missing = []
        for field in CHECKED_FIELDS:
            value = item.get(field)
            if value in (None, "", []):
                missing.append(field)
                continue
            if field == "published_at":
                value = value.isoformat()
            elif field == "body_markdown":
                value = f"{len(value)} characters: {' '.join(value.split())[:60]}…"
            elif field == "images":
                value = f"{len(value)} image(s)"
            print(f"    {field}: {value}")
        if missing:
            print(f"    empty: {', '.join(missing)}")
        if any(field in missing for field in REQUIRED_FIELDS):
            ok = False
    return 0 if ok else 1
