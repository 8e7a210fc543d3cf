"""The one switch for every fast path: BRIEFGEN_NO_FAST_PATHS=1 turns them all off.

A fast path is a shortcut that promises the output of the code it skips: the
Rust Markdown renderer for bodies, the plain-text shortcuts for takeaways,
notes and summaries, the plain-footnotes shortcut of the front matter, the
JSON exports' shortcut, the flat pages Pagefind is given
(fast/searchrun.py). With the switch set, a build takes the
reference path everywhere, so that anyone who suspects a shortcut can compare
the two builds byte for byte (tests/test_fast_path_switch.py does).

Read here and nowhere else. Read at each call, not at import: a test sets
it with monkeypatch, and forked build workers inherit the environment.
"""

from __future__ import annotations

import os

SWITCH = "BRIEFGEN_NO_FAST_PATHS"


def enabled() -> bool:
    """Whether fast paths may be taken: unless BRIEFGEN_NO_FAST_PATHS is set to anything but '' or '0'."""
    return os.environ.get(SWITCH, "") in {"", "0"}
