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
import dataclasses
import datetime as dt
import os
import pickle
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from briefgen import __version__
from briefgen.errors import Problem
from briefgen.model import Body, Briefing, StoredBody, pickled_by_fields, stored_bytes
from briefgen.write import MARKER, folder_identity

CACHE_DIR = ".briefgen-cache"
FORMAT_VERSION = "9"
"""Bumped whenever the pickled classes change shape, so an old cache is never read."""
_TEMPORARY_PREFIX = ".tmp-"


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class FileState:
    """What os.stat says of a briefing file, to skip hashing it when unchanged."""

    size: int
    mtime_ns: int
    inode: int


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class ParsedEntry:
    """A parsed briefing file: the briefing (None when it had errors) and its problems."""

    briefing: Briefing | None
    problems: tuple[Problem, ...]
    images: tuple[tuple[str, FileState | None], ...] = ()
    """Image files the briefing links, as they were: an image added or removed invalidates it."""
    parsed_on: dt.date = dt.date.min
    """The day it was parsed: whether a date is 'in the future' depends on it."""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class PageRecord:
    """A page written by an earlier build: the fingerprint it was made from, its content's digest.

    The fingerprint digests the page's template and context, briefings by their
    fields; the text of the briefings it showed is recorded apart, as it
    rendered (model.TextReads): their paths, and a digest of their fingerprints.
    """

    fingerprint: str
    content_digest: str
    size: int
    texts_read: tuple[str, ...] = ()
    texts: str = ""


@dataclass(slots=True)
class CacheState:
    files: dict[tuple[str, str], tuple[FileState, str]] = field(default_factory=dict)
    """(Briefing path, parse salt) -> its state when last read, and the entry key it had then."""
    entries: dict[str, bytes] = field(default_factory=dict)
    """Entry key -> the parsed briefing, pickled: a build pickles only the entries it parsed anew."""
    pages: dict[str, PageRecord] = field(default_factory=dict)
    """Output path -> what was written there."""
    output: str = ""
    """The output folder the pages were written to."""
    shape: str = ""
    """What the pages' fingerprints were made from, briefings' text left out (build.py: pages_shape)."""


def file_state(path: Path) -> FileState:
    stat = path.stat()
    return FileState(stat.st_size, stat.st_mtime_ns, stat.st_ino)


class BuildCache:
    """Reads the cache folder once, and writes it back whole at the end of a build."""

    def __init__(self, folder: Path) -> None:
        # Absolute, as bodies are recorded by their pack's path: a build run from
        # another folder (`--root DIR`, then `cd DIR` and no option) finds them all the same.
        self.folder = folder.absolute()
        self.bodies = self.folder / "bodies"
        self.state = self._read()
        self._packs = PackWriter(self.bodies)
        self.used_entries: set[str] = set()
        self._read_entries: dict[str, ParsedEntry] = {}
        """Entries unpickled from the cache, as they were read."""
        self._new_entries: dict[str, ParsedEntry] = {}
        """Entries this build parsed, to be pickled when it saves."""
        self._pickled: dict[str, tuple[ParsedEntry, bytes]] = {}
        """New entries pickled ahead of save (pickle_new_entries), with the entry each was made from."""
        self._changed = False
        self._pack_sizes: dict[str, int] = {}

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
        entry = self._read_entries.get(key)
        if entry is None and key in self.state.entries:
            entry = _unpickled_entry(self.state.entries[key])
            if entry is not None:
                self._read_entries[key] = entry
        if entry is None or not _images_unchanged(entry):
            return None
        briefing = entry.briefing
        if briefing is not None and isinstance(briefing.body, StoredBody) and not self._pack_holds(briefing.body):
            return None
        return entry

    def _pack_holds(self, stored: StoredBody) -> bool:
        size = self._pack_sizes.get(stored.path)
        if size is None:
            state = current_state(Path(stored.path))
            size = self._pack_sizes[stored.path] = state.size if state is not None else -1
        return stored.offset + stored.size + stored.notes_json_size <= size

    def remember(self, rel: str, salt: str, state: FileState, key: str, entry: ParsedEntry) -> None:
        self._changed |= self.state.files.get((rel, salt)) != (state, key) or key not in self.state.entries
        self.state.files[(rel, salt)] = (state, key)
        if self._read_entries.get(key) is not entry:
            self._new_entries[key] = entry
        self.used_entries.add(key)

    def store_body(self, body: Body) -> StoredBody:
        """Keep a briefing's body in the cache; large archives keep bodies out of memory."""
        pickled = pickle.dumps((body.html, body.footnotes), protocol=pickle.HIGHEST_PROTOCOL)
        return self._packs.append(pickled, body.notes_json.encode("utf-8"))

    def pages_in(self, output: Path) -> Mapping[str, PageRecord]:
        """What the last build wrote, when it wrote to `output` and that folder is still the one it wrote."""
        identity = output_identity(output)
        return self.state.pages if identity and self.state.output == identity else {}

    def templates_folder(self) -> Path:
        """Where Jinja keeps the templates it compiled (keyed by their source: never stale)."""
        folder = self.folder / "templates"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def pages_shape(self) -> str:
        """The shape the recorded pages were fingerprinted under."""
        return self.state.shape

    def pickle_new_entries(self) -> None:
        """Pickle the entries this build parsed, ahead of save(): a build calls this while its workers
        render, when the process would otherwise wait, rather than after them (0.1 s for 5,000)."""
        for key, entry in self._new_entries.items():
            self._pickled[key] = (entry, pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL))

    def _pickled_entry(self, key: str, entry: ParsedEntry) -> bytes:
        ahead = self._pickled.get(key)
        return (
            ahead[1]
            if ahead is not None and ahead[0] is entry
            else pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
        )

    def save(self, pages: Mapping[str, PageRecord], output: Path | None = None, shape: str | None = None) -> None:
        """Keep what this build used; drop the rest, bodies included."""
        output_name = output_identity(output) if output is not None else self.state.output
        shape = shape if shape is not None else self.state.shape
        unused = len(self.used_entries) != len(self.state.entries)
        if not (
            self._changed
            or unused
            or pages != self.state.pages
            or output_name != self.state.output
            or shape != self.state.shape
        ):
            return  # a build that changed nothing need not spend time writing the same cache
        self.folder.mkdir(parents=True, exist_ok=True)
        self._packs.close()
        used = {k: self._new_entries.get(k) or self._read_entries[k] for k in sorted(self.used_entries)}
        changed = {**self._new_entries, **self._packs.compact(used)}  # pickled anew; the rest as they were read
        used.update(changed)
        self.state.entries = {
            k: self._pickled_entry(k, changed[k]) if k in changed else self.state.entries[k] for k in used
        }
        self.state.files = {rel: v for rel, v in self.state.files.items() if v[1] in self.used_entries}
        self.state.pages = dict(pages)
        self.state.output = output_name
        self.state.shape = shape
        _atomic_write(self._index_file(), pickle.dumps(self.state, protocol=pickle.HIGHEST_PROTOCOL))
        for partial in self.folder.glob(f"{_TEMPORARY_PREFIX}*"):  # left by a build killed while saving
            partial.unlink(missing_ok=True)
        self._packs.remove_all_but(_pack_names(used.values()))


class PackWriter:
    """Briefing bodies, pickled one after another into pack files in the cache's bodies/.

    One file per process that parses (the build and each of its workers), so
    that a cold build writes a handful of files where it once wrote one per
    briefing: on a busy disk, creating 5,000 small files cost seconds. A pack
    is only ever appended to, by the one process that made it; a body is read
    back by its offset and size (model.StoredBody). Packs no body on record
    uses are removed, and small ones are merged (`compact`), so the folder
    stays a few files however many rebuilds there were.
    """

    MAX_SMALL_PACKS = 8
    SMALL_PACK_BYTES = 4 << 20

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._open: tuple[int, int, str] | None = None
        """(process id, descriptor, path) of the pack this process appends to."""
        self._written = 0

    def append(self, pickled: bytes, notes_json: bytes) -> StoredBody:
        if self._open is None or self._open[0] != os.getpid():  # first body, or a forked worker's first
            self.folder.mkdir(parents=True, exist_ok=True)
            pack = self.folder / f"{time.time_ns():x}-{os.getpid()}.pack"
            descriptor = os.open(pack, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC, 0o644)
            self._open, self._written = (os.getpid(), descriptor, str(pack)), 0
        _, descriptor, path = self._open
        offset = self._written
        view = memoryview(pickled + notes_json)
        while view:
            view = view[os.write(descriptor, view) :]
        self._written += len(pickled) + len(notes_json)
        return StoredBody(path, offset, len(pickled), len(notes_json))

    def close(self) -> None:
        """Stop appending to this process's pack; the next body starts a new one."""
        if self._open is not None and self._open[0] == os.getpid():
            os.close(self._open[1])
        self._open = None

    def __del__(self) -> None:  # a `serve` session builds again and again in one process
        self.close()

    def compact(self, entries: dict[str, ParsedEntry]) -> dict[str, ParsedEntry]:
        """The entries whose bodies were in small packs (when there are many), moved into one new pack."""
        sizes: dict[str, int] = {}
        for path in _pack_names(entries.values()):
            state = current_state(self.folder / path)
            sizes[path] = state.size if state is not None else 0
        small = {path for path, size in sizes.items() if size < self.SMALL_PACK_BYTES}
        if len(small) <= self.MAX_SMALL_PACKS:
            return {}
        self.close()  # a new pack, for the merged bodies only
        moved: dict[str, ParsedEntry] = {}
        for key, entry in entries.items():
            briefing = entry.briefing
            if briefing is None or not isinstance(briefing.body, StoredBody):
                continue
            if _pack_name(briefing.body) in small:
                stored = stored_bytes(briefing.body)
                body = self.append(stored[: briefing.body.size], stored[briefing.body.size :])
                moved[key] = dataclasses.replace(entry, briefing=dataclasses.replace(briefing, body=body))
        self.close()
        return moved

    def remove_all_but(self, keep: set[str]) -> None:
        if not self.folder.is_dir():
            return
        for stale in self.folder.iterdir():
            if stale.name not in keep:
                stale.unlink(missing_ok=True)


def _pack_names(entries: Iterable[ParsedEntry]) -> set[str]:
    return {
        _pack_name(entry.briefing.body)
        for entry in entries
        if entry.briefing is not None and isinstance(entry.briefing.body, StoredBody)
    }


def _pack_name(stored: StoredBody) -> str:
    return os.path.basename(stored.path)  # noqa: PTH119 - a Path for each of 100,000 bodies costs


def output_identity(output: Path) -> str:
    """The output folder's path, and the inodes of the folder and of its marker file.

    Every build that changes the site puts another folder at its path (a whole
    new site, or the rebuilt twin: write.py), so a build killed after its swap
    but before saving the cache leaves a folder whose identity is not on
    record, and the pages on record are no longer trusted to be the ones there.
    """
    folder, marker = folder_identity(output), current_state(output / MARKER)
    if not folder or marker is None:
        return ""
    return f"{output.resolve()}@{folder}:{marker.inode}"


def current_state(path: Path) -> FileState | None:
    try:
        return file_state(path)
    except OSError:
        return None


def _unpickled_entry(data: bytes) -> ParsedEntry | None:
    try:
        entry = pickle.loads(data)  # noqa: S301 - our own file, in the user's own site root
    except Exception:  # damaged bytes can raise almost anything: only a slower build
        return None
    return entry if isinstance(entry, ParsedEntry) else None


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
