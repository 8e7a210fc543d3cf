"""What loading asks of a cache of parsed files, declared below the loader so that it imports no cache.

load.py reuses a file's parse when the cache has it and hands the cache each
file it parsed; it knows the cache only as a ParseCache. The incremental
engine's BuildCache (incremental/cache.py) is the one a build passes; a test
may pass any object with these methods.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from briefgen.errors import Problem
from briefgen.filestate import FileState
from briefgen.model import Bodies, Body, Briefing

KeptBody = object
"""A body the cache keeps out of memory in its stead (incremental/packs.py: PackedBody). The loader
never opens one: it hands the entries back to the cache, which makes their Bodies (packed_bodies)."""


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    """A parsed briefing file: the briefing (None when it had errors), its body and its problems."""

    briefing: Briefing | None
    problems: tuple[Problem, ...]
    body: Body | KeptBody | None = None
    """In memory as parsed; kept by the cache once stored (ParseCache.store_body)."""
    images: tuple[tuple[str, FileState | None], ...] = ()
    """Image files the briefing links (relative to the site root), as they were: an image added
    or removed invalidates it."""
    parsed_on: dt.date = dt.date.min
    """The day it was parsed: whether a date is 'in the future' depends on it."""


class ParseCache(Protocol):
    """Parsed files kept from one build to the next, by a key that digests everything the parse depends on.

    `rel` is a briefing's path relative to the site root; `salt` digests what
    parsing depends on besides the file (version, settings, sources); `key`
    digests the salt, the path and the file's bytes.
    """

    def known_key(self, rel: str, salt: str, state: FileState) -> str | None:
        """The key of a file whose state has not changed since it was last read with this salt:
        its entry may be reused without reading the file."""
        ...

    def entry(self, key: str) -> ParsedEntry | None:
        """The entry kept for `key`, when it is intact and its images are as they were."""
        ...

    def remember(self, rel: str, salt: str, state: FileState, key: str, entry: ParsedEntry) -> None:
        """Keep the entry this build used for the file, and the file's state and key."""
        ...

    def store_body(self, entry: ParsedEntry) -> ParsedEntry:
        """The entry with its body kept by the cache (out of memory); called where the file was parsed."""
        ...

    def packed_bodies(self, entries: Iterable[ParsedEntry]) -> Bodies:
        """The bodies of these entries, kept by store_body, as the pipeline reads them."""
        ...
