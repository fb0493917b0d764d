"""Pages that need a browser: some outlet requests go through scrapy-playwright and Debian's Chromium.

An outlet's `render:` section (spiders_config/outlets/<key>.yaml, see docs/adding-an-outlet.md,
"Pages that need a browser") says which of its requests need the browser; the components here read
that section and the request's `meta["outlet"]` / `meta["page_kind"]`, so no spider knows about
rendering:

- `config`     — the `render:` section, validated (`RenderRule`).
- `middleware` — `RenderMiddleware`: marks the configured requests for the browser, reports failures.
- `challenge`  — `CookieChallengeMiddleware`: passes a script-set cookie challenge (HTTP 412) in the
                 browser once and retries the plain request with the cookies it set.
- `browser`    — the lazily started Chromium, what the browser does not load, request headers.

Every other request stays plain HTTP, and a run without a rendered request starts no browser.
"""
