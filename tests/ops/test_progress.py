"""On a terminal a crawl shows a progress line per outlet; in a log (no terminal) it stays quiet."""
from __future__ import annotations

import os
import pty
import re
import subprocess
import sys

from helpers import ROOT, run_monitor

WINDOW = ("--since", "2026-01-10", "--until", "2026-01-16")


def _run_on_a_terminal(args, env) -> tuple[int, str]:
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "monitor", *map(str, args)], stdin=slave, stdout=slave,
                            stderr=slave, cwd=ROOT, env={**os.environ, **env}, close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the process closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=240), b"".join(chunks).decode("utf-8", "replace")


def test_a_terminal_shows_each_outlets_pages_kept_and_dropped(monitor_env, make_archive):
    archive = make_archive(keep=lambda url, outlet: outlet in ("xinhua", "gmw"))
    code, screen = _run_on_a_terminal(["crawl", "xinhua", "gmw", *WINDOW, "--replay", archive], monitor_env)
    assert code == 0, screen
    lines = [line.strip() for line in re.split(r"[\r\n]+", screen)]
    for outlet in ("xinhua", "gmw"):
        [line] = [m for m in map(re.compile(rf"^{outlet}: (\d+) pages fetched, (\d+) articles kept").match, lines)
                  if m]
        assert int(line.group(1)) >= 2 and int(line.group(2)) >= 1, screen
    # INFO chatter gives way to the progress line on a terminal.
    assert "[scrapy.core.engine] INFO" not in screen


def test_without_a_terminal_there_is_no_progress_line(monitor_env, make_archive):
    archive = make_archive(keep=lambda url, outlet: outlet == "xinhua")
    result = run_monitor("crawl", "xinhua", *WINDOW, "--replay", archive)
    assert result.returncode == 0, result.stderr
    assert "pages fetched" not in result.stdout + result.stderr
    assert "[scrapy.core.engine] INFO" in result.stderr  # the full log, for a log file
