"""monitor extract --url URL [--html FILE]"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from monitor.cli.common import CommandError

NAME = "extract"
HELP = "print the article fields extracted from one page (a saved file or a live URL) as JSON"

#: Sent when fetching a live page; some outlets refuse unknown clients.
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36 monitor-extract"
MAX_BYTES = 20 * 1024 * 1024


def add_arguments(parser):
    parser.add_argument("--url", required=True, help="the page's URL (selects the outlet's rules; fetched when "
                        "--html is not given)")
    parser.add_argument("--html", type=Path, metavar="FILE", help="a saved copy of the page (bytes as served); "
                        "nothing is fetched")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds to wait for a live page (default 20)")


def run(args) -> int:
    from monitor.extract.article import ExtractionError, extract_article
    from monitor.extract.fields import SelectorConfigError
    from monitor.outlets import outlet_for_url

    parts = urlsplit(args.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CommandError(f"--url {args.url!r} is not an http(s) URL (give the page's full address, "
                           "e.g. https://www.news.cn/health/…/c.html)", 2)
    if args.html is not None:
        if not args.html.is_file():
            raise CommandError(f"--html {args.html} does not exist or is not a file", 2)
        body, content_type = args.html.read_bytes(), None
    else:
        body, content_type = fetch(args.url, args.timeout)
    outlet = outlet_for_url(args.url)
    try:
        article = extract_article(body, args.url, outlet=outlet, content_type=content_type)
    except (ExtractionError, SelectorConfigError) as e:
        where = f" ({outlet.path})" if outlet is not None and isinstance(e, SelectorConfigError) else ""
        raise CommandError(f"{e}{where}") from None
    article = {"outlet": outlet.key if outlet is not None else None, **article}
    if article["published_at"] is not None:
        article["published_at"] = article["published_at"].isoformat()
    print(json.dumps(article, ensure_ascii=False, indent=2))
    return 0


def fetch(url: str, timeout: float) -> tuple[bytes, str | None]:
    """The page's bytes and Content-Type, or a CommandError saying why it could not be fetched."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html,*/*"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read(MAX_BYTES), response.headers.get("Content-Type")
    except urllib.error.HTTPError as e:
        raise CommandError(f"{url}: the server answered HTTP {e.code} {e.reason}; save the page from a browser "
                           "and pass it with --html") from None
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise CommandError(f"{url} is unreachable ({reason}); check the address and the network, or pass a saved "
                           "copy with --html") from None
