"""Canonical article URLs: one spelling per page, so the same page under two URLs is one document."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: Query parameters that track a visit and never select content.
TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|spm|from|frm|share_?from|share_?token|scene|wfr|isappinstalled|fbclid|gclid|"
    r"mc_cid|mc_eid|_hsenc|_hsmi|ref|refer|timestamp|tt_from|tt_group_id)$",
    re.IGNORECASE,
)
#: Hosts whose mobile or bare twin serves the same article; mapped to the desktop host.
MOBILE_PREFIXES = ("m.", "wap.", "3g.", "mobile.")
#: Directory index pages: /a/index.html is /a/.
INDEX_SUFFIX = re.compile(r"/(index|default)\.(s?html?|php|aspx?)$", re.IGNORECASE)


def canonical_url(url: str) -> str:
    """https, no `www.`/mobile prefix, no tracking parameters, no fragment, no index-page suffix.

    >>> canonical_url("http://www.news.cn/health/index.html?utm_source=x#top")
    'https://news.cn/health/'
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    for prefix in MOBILE_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix):]
            break
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = INDEX_SUFFIX.sub("/", parts.path or "/")
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not TRACKING_PARAMS.match(k)])
    scheme = "https" if parts.scheme in ("http", "https", "") else parts.scheme
    return urlunsplit((scheme, host, path, query, ""))
