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

# Debian's package of a system tool, installed where missing (as root with apt-get) or named for the user to
# install. A failure is reported, not fatal: only what needs the tool is affected.
install_debian() {  # install_debian COMMAND PACKAGE WHAT-FAILS-WITHOUT-IT
    command -v "$1" >/dev/null 2>&1 && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "setup: installing Debian's $2" >&2
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null) \
            || echo "setup: warning: could not install $2; $3" >&2
    else
        echo "setup: warning: $2 is not installed (sudo apt-get install $2); $3" >&2
    fi
}

# Chromium renders the few pages that need JavaScript; `playwright install` cannot reach its
# download host here, so Debian's package is used. A failure is reported, not fatal: only the
# outlets that need a browser are affected, and their runs say so.
if [ -z "${MONITOR_SKIP_BROWSER:-}" ]; then
    install_debian chromium chromium "outlets that render JavaScript will fail"
fi
# Redis carries distributed runs (docs/scaling.md); the test suite starts its own redis-server on 127.0.0.1.
if [ -z "${MONITOR_SKIP_REDIS:-}" ]; then
    install_debian redis-server redis-server "distributed runs cannot be tested or run on this machine"
fi
