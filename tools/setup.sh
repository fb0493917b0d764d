#!/usr/bin/env bash
# Set up (or refresh) the project's virtual environment in .venv: pinned requirements,
# the project itself (so the `monitor` command exists), and Debian's Chromium for the
# outlets whose pages need a browser. Safe to run again: it does nothing that is done.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv with $PYTHON" >&2
    "$PYTHON" -m venv .venv
fi

stamp=.venv/.monitor-setup
want=$(cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "setup: installing requirements" >&2
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation --config-settings editable_mode=compat -e .
    echo "$want" > "$stamp"
fi

# Chromium renders the few pages that need JavaScript; `playwright install` cannot reach its
# download host here, so Debian's package is used. A failure is reported, not fatal: only the
# outlets that need a browser are affected, and their runs say so.
if [ -z "${MONITOR_SKIP_BROWSER:-}" ] && ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "setup: installing Debian's chromium" >&2
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
            || echo "setup: warning: could not install chromium; outlets that render JavaScript will fail" >&2
    else
        echo "setup: warning: chromium is not installed (sudo apt-get install chromium); outlets that render JavaScript will fail" >&2
    fi
fi
