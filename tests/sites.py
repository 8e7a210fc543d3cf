"""Test helpers: whole site roots written inline, and valid briefing text.

A test states the files of the site it needs, as text, right where it uses
them, so a reader sees the input and the expected `path:line: message`
together:

    root = make_site({"briefings/a.md": briefing_text(body="Hello.\\n")})

`make_site` is the fixture in conftest.py; the plain helpers live here so
that test modules (and hypothesis tests, which cannot use function-scoped
fixtures per example) can import them.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
"""The repository, which is also the example site root (briefgen.yaml, sources.yaml, briefings/)."""

SOURCES_YAML = """\
isw:
  name: Institute for the Study of War
  url: https://www.understandingwar.org
wilson-center:
  name: Wilson Center
  url: https://www.wilsoncenter.org
"""

VALID_BRIEFING = """\
---
title: Russia weighs deploying North Korean troops in Ukraine
date: 2025-06-26
source: isw
---
A report.
"""
"""The smallest valid briefing: lines 1-5 are front matter, the body is line 6."""

SiteFiles = Mapping[str, str | bytes]
MakeSite = Callable[[SiteFiles], Path]


def briefing_text(
    front: str = "",
    body: str = "A report.\n",
    *,
    title: str = "A test briefing",
    date: str = "2025-06-26",
    source: str = "isw",
) -> str:
    """A valid briefing, plus `front` (whole YAML lines) after the required keys.

    Lines 1-4 are '---', title, date and source, so the first line of `front`
    is line 5 of the file; the closing '---' follows it, then `body`.
    """
    return f"---\ntitle: {title}\ndate: {date}\nsource: {source}\n{front}---\n{body}"


def write_site(root: Path, files: SiteFiles) -> Path:
    """Write a site root: `files` maps paths relative to `root` to their content.

    Text is written as UTF-8 exactly as given (no newline translation, so
    '\\r\\n' stays '\\r\\n'); bytes are written as they are. The briefings/
    folder is always created, so a site with no briefing is still a site.
    """
    (root / "briefings").mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            with path.open("w", encoding="utf-8", newline="") as handle:
                handle.write(content)
    return root


GIB = 2**30


def run_briefgen(*args: str, **options: Any) -> subprocess.CompletedProcess[str]:
    """`python -m briefgen ARGS` in a child process, output captured as text; the caller checks the status."""
    return subprocess.run(
        [sys.executable, "-m", "briefgen", *args], capture_output=True, text=True, check=False, **options
    )


def cpu_seconds() -> float:
    """CPU seconds spent so far by this process and the children it has waited for.

    The hostile-input tests bound these, not the clock: a bound on them fails on a slow algorithm (a
    quadratic walk takes minutes of CPU) but not on a busy machine, where the clock runs on while other
    processes have the cores (a clock bound of 30 s failed at 35 s with eight processes on two cores)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_limited(*args: str, memory: int = 3 * GIB, seconds: float = 120) -> subprocess.CompletedProcess[str]:
    """run_briefgen with at most `memory` bytes of memory and `seconds` of time: a crash is a result, not a hang."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return run_briefgen(*args, timeout=seconds, preexec_fn=limit)  # preexec_fn only sets a limit, before exec
