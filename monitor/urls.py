"""Canonical article URLs: one spelling per page, so the same page under two URLs is one document."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

#: Query parameters that track a visit or a share and never select content.
TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|spm|from|frm|share_?from|share_?token|share_?type|shareid|scene|wfr|isappinstalled|"
    r"fbclid|gclid|mc_cid|mc_eid|_hsenc|_hsmi|ref|refer|timestamp|tt_from|tt_group_id|ivk_sa|"
    r"clicktime|enterid|from_?source|source_?from|f_?share|app_?share|_t|t_?from)$",
    re.IGNORECASE,
)
#: Hosts whose mobile or bare twin serves the same article; mapped to the desktop host.
MOBILE_PREFIXES = ("m.", "wap.", "3g.", "mobile.")
#: Directory index pages: /a/index.html is /a/.
INDEX_SUFFIX = re.compile(r"/(index|default)\.(s?html?|php|aspx?|jsp)$", re.IGNORECASE)


def canonical_url(url: str) -> str:
    """https, no `www.`/mobile prefix, no default port, no tracking parameters (the others sorted),
    percent-encoding normalised, no fragment, no index-page suffix.

    >>> canonical_url("http://www.news.cn/health/index.html?utm_source=x#top")
    'https://news.cn/health/'
    """
    url = url.strip()
    original_scheme = urlsplit(url).scheme.lower()
    # w3lib: sorted query, normalised percent-encoding and IDNA host, fragment removed.
    parts = urlsplit(canonicalize_url(url, keep_blank_values=True))
    host = (parts.hostname or "").lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    for prefix in MOBILE_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix):]
            break
    scheme = "https" if original_scheme in ("http", "https", "") else original_scheme
    if parts.port and parts.port not in (80, 443):  # both are the default of some spelling of the page
        host = f"{host}:{parts.port}"
    path = INDEX_SUFFIX.sub("/", parts.path or "/")
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not TRACKING_PARAMS.match(k)])
    return urlunsplit((scheme, host, path, query, ""))


#: A host name (letters of any script, digits, `-`, `_`, dot-separated, no empty label) or an IPv6 address.
_HOST = re.compile(r"[\w-]+(\.[\w-]+)*\.?|[0-9a-f:.]*:[0-9a-f:.]*", re.IGNORECASE)
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")


def http_url_problem(value: str) -> str | None:
    """What keeps `value` from being a web page's URL (http or https, a valid host, no spaces, one
    canonical_url takes), or None. For URLs that come from outside: imported articles, outlet files."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 -- raises ValueError for a port out of range
    except ValueError as e:
        return f"is not a URL ({e})"
    if parts.scheme.lower() not in ("http", "https"):
        return "is not an http or https URL"
    if not parts.hostname or not _HOST.fullmatch(parts.hostname):
        return "has no valid host"
    if _SPACE_OR_CONTROL.search(value):
        return "contains a space or control character"
    try:
        canonical_url(value)
    except Exception as e:  # noqa: BLE001 -- whatever the normalize pipeline would fail on
        text = str(e) if len(str(e)) <= 80 else str(e)[:79] + "…"
        return f"cannot be canonicalised ({type(e).__name__}: {text})"
    return None
