"""Slugs: the path segments of addresses, safe on every file system.

Names come from many languages (Київ, Курск, 서울); python-slugify
transliterates them to stable, readable ASCII so that every address is a
plain path segment that can never climb out of the output folder.
"""

from __future__ import annotations

import functools
import hashlib
import re

from slugify import slugify

PLAIN_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{0,99})$")
# Windows refuses these names whatever follows the dot; a site built on Linux
# may still be checked out and opened on Windows.
WINDOWS_DEVICES = frozenset(
    ["con", "prn", "aux", "nul"] + [f"com{i}" for i in range(1, 10)] + [f"lpt{i}" for i in range(1, 10)]
)


def is_plain_slug(value: str) -> bool:
    """True for a name that is safe as one path segment: lowercase letters, digits, '-', '_'."""
    return bool(PLAIN_SLUG.match(value)) and value not in WINDOWS_DEVICES


@functools.lru_cache(maxsize=4096)  # tags, places and sources recur in every briefing: python-slugify is slow
def slug_of(name: str) -> str:
    """A readable, stable slug for any name; never empty and never a device name.

    A name with no letters or digits at all (say '???') gets a short hash, so
    that two such names still get distinct pages.
    """
    slug = slugify(name, max_length=80, word_boundary=True)
    if not slug:
        slug = "x-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]
    if slug in WINDOWS_DEVICES:
        slug += "-"
    return slug
