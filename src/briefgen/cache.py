"""The build cache: parsed briefings and rendered pages, reused only when provably current.

Lives in .briefgen-cache/ in the site root, never inside site/, and is safe to
delete at any time. Every entry is keyed by a fingerprint of what it was made
from: a briefing by its file's bytes, its path, the settings that change
parsing, sources.yaml and briefgen's version; a page by its template files,
the settings and every value its template is given. A stale entry therefore
cannot match; at worst the cache misses and the work is done again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import pickle
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from briefgen import __version__
from briefgen.errors import Problem
from briefgen.model import Body, Briefing, StoredBody
from briefgen.write import MARKER

CACHE_DIR = ".briefgen-cache"
FORMAT_VERSION = "2"
"""Bumped whenever the pickled classes change shape, so an old cache is never read."""
_TEMPORARY_PREFIX = ".tmp-"


@dataclass(frozen=True, slots=True)
class FileState:
    """What os.stat says of a briefing file, to skip hashing it when unchanged."""

    size: int
    mtime_ns: int
    inode: int


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    """A parsed briefing file: the briefing (None when it had errors) and its problems."""

    briefing: Briefing | None
    problems: tuple[Problem, ...]
    images: tuple[tuple[str, FileState | None], ...] = ()
    """Image files the briefing links, as they were: an image added or removed invalidates it."""
    parsed_on: dt.date = dt.date.min
    """The day it was parsed: whether a date is 'in the future' depends on it."""


@dataclass(frozen=True, slots=True)
class PageRecord:
    """A page written by an earlier build: the fingerprint it was made from, its content's digest."""

    fingerprint: str
    content_digest: str
    size: int


@dataclass(slots=True)
class CacheState:
    files: dict[tuple[str, str], tuple[FileState, str]] = field(default_factory=dict)
    """(Briefing path, parse salt) -> its state when last read, and the entry key it had then."""
    entries: dict[str, ParsedEntry] = field(default_factory=dict)
    """Entry key -> the parsed briefing."""
    pages: dict[str, PageRecord] = field(default_factory=dict)
    """Output path -> what was written there."""
    output: str = ""
    """The output folder the pages were written to."""


def file_state(path: Path) -> FileState:
    stat = path.stat()
    return FileState(stat.st_size, stat.st_mtime_ns, stat.st_ino)


class BuildCache:
    """Reads the cache folder once, and writes it back whole at the end of a build."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.bodies = folder / "bodies"
        self.state = self._read()
        self.used_entries: set[str] = set()
        self._changed = False

    def _index_file(self) -> Path:
        return self.folder / f"index-{FORMAT_VERSION}-{__version__}.pickle"

    def _read(self) -> CacheState:
        try:
            with self._index_file().open("rb") as stream:
                state = pickle.load(stream)  # noqa: S301 - our own file, in the user's own site root
        except Exception:  # unpickling damaged bytes can raise almost anything, MemoryError included
            return CacheState()  # a missing or damaged cache is only a slower build
        complete = isinstance(state, CacheState) and all(hasattr(state, f) for f in CacheState.__dataclass_fields__)
        return state if complete else CacheState()

    def known_key(self, rel: str, salt: str, state: FileState) -> str | None:
        """The entry key of a file whose state has not changed since it was last read with this salt."""
        known = self.state.files.get((rel, salt))
        return known[1] if known is not None and known[0] == state else None

    def entry(self, key: str) -> ParsedEntry | None:
        entry = self.state.entries.get(key)
        if entry is None or not _images_unchanged(entry):
            return None
        briefing = entry.briefing
        if briefing is not None and isinstance(briefing.body, StoredBody) and not Path(briefing.body.path).is_file():
            return None
        return entry

    def remember(self, rel: str, salt: str, state: FileState, key: str, entry: ParsedEntry) -> None:
        self._changed |= self.state.files.get((rel, salt)) != (state, key) or key not in self.state.entries
        self.state.files[(rel, salt)] = (state, key)
        self.state.entries[key] = entry
        self.used_entries.add(key)

    def store_body(self, key: str, body: Body) -> StoredBody:
        """Write a briefing's body to the cache; large archives keep bodies out of memory."""
        self.bodies.mkdir(parents=True, exist_ok=True)
        path = self.bodies / f"{key}.pickle"
        _atomic_write(path, pickle.dumps(body, protocol=pickle.HIGHEST_PROTOCOL))
        return StoredBody(str(path))

    def pages_in(self, output: Path) -> Mapping[str, PageRecord]:
        """What the last build wrote, when it wrote to `output` and that folder is still the one it wrote."""
        identity = output_identity(output)
        return self.state.pages if identity and self.state.output == identity else {}

    def save(self, pages: Mapping[str, PageRecord], output: Path | None = None) -> None:
        """Keep what this build used; drop the rest, bodies included."""
        output_name = output_identity(output) if output is not None else self.state.output
        unused = len(self.used_entries) != len(self.state.entries)
        if not (self._changed or unused or pages != self.state.pages or output_name != self.state.output):
            return  # a build that changed nothing need not spend time writing the same cache
        self.state.entries = {k: v for k, v in self.state.entries.items() if k in self.used_entries}
        self.state.files = {rel: v for rel, v in self.state.files.items() if v[1] in self.used_entries}
        self.state.pages = dict(pages)
        self.state.output = output_name
        self.folder.mkdir(parents=True, exist_ok=True)
        _atomic_write(self._index_file(), pickle.dumps(self.state, protocol=pickle.HIGHEST_PROTOCOL))
        for partial in self.folder.glob(f"{_TEMPORARY_PREFIX}*"):  # left by a build killed while saving
            partial.unlink(missing_ok=True)
        keep = {f"{key}.pickle" for key in self.used_entries}
        if self.bodies.is_dir():
            for stale in self.bodies.iterdir():
                if stale.name not in keep:
                    stale.unlink(missing_ok=True)


def output_identity(output: Path) -> str:
    """The output folder's path, and the inodes of the folder and of its marker file.

    A build that swaps a whole new folder in (a first build, `--no-cache`, or
    one killed right after its swap, before saving the cache) leaves another
    folder at the same path; one that updates the folder in place replaces
    the marker before it changes anything. Either way, the pages on record
    are no longer trusted to be the ones there.
    """
    try:
        folder, marker = output.stat(), (output / MARKER).stat()
    except OSError:
        return ""
    return f"{output.resolve()}@{folder.st_dev}:{folder.st_ino}:{marker.st_ino}"


def current_state(path: Path) -> FileState | None:
    try:
        return file_state(path)
    except OSError:
        return None


def _images_unchanged(entry: ParsedEntry) -> bool:
    return all(current_state(Path(path)) == state for path, state in entry.images)


def _atomic_write(path: Path, data: bytes) -> None:
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=_TEMPORARY_PREFIX)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        Path(temp).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(temp).unlink()
        raise
