"""How many examples the property tests generate.

The test command runs enough to find what a change commonly breaks, in minutes;
before a release, or when a fast path changes, run more:
`BRIEFGEN_PROPERTY_SCALE=10 .venv/bin/python -m pytest -n auto --dist loadgroup`.
"""

from __future__ import annotations

import os

SCALE = float(os.environ.get("BRIEFGEN_PROPERTY_SCALE", "1"))


def examples(count: int) -> int:
    """`count` examples, times BRIEFGEN_PROPERTY_SCALE."""
    return max(1, round(count * SCALE))
