"""The build cache's index file: its name, its layout, and the state it records (CacheState).

One file, index-<version>.pickle in the cache folder: a head (the digest and
length of the pickled state), the state (which files were parsed into which
entries, the pages written, the packs' states), then the parsed entries, each
pickled apart with its own digest (cache.py reads them one by one). The
version in its name is FORMAT_VERSION, briefgen's version and SCHEMA, the
shape of every class the cache pickles: a cache written by any other briefgen,
or before a field was added to the model, is never read, only set aside.
"""

from __future__ import annotations

import dataclasses
import pickle
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from briefgen import __version__
from briefgen.filestate import FileState
from briefgen.incremental.packs import PackedBody
from briefgen.incremental.pickling import pickled_by_fields
from briefgen.incremental.sealed import DIGEST_SIZE, digest_of, unpickled, write_whole
from briefgen.model import Body, Briefing, Footnote, Image, Source, Term
from briefgen.parsecache import ParsedEntry

FORMAT_VERSION = "17"
"""Bumped whenever the files' layout changes shape, so an old cache is never read (the classes: SCHEMA).
14: PageRecord and CacheState moved here from cache.py, which their pickles name.
15: a Term carries its aliases, coordinates and the place it lies within (the gazetteer).
17: the search index's entries kept in search/ beside the index (incremental/searchentries.py)."""
INDEX_PREFIX = "index-"
"""How every index file's name begins, this briefgen's and any other's."""
_INDEX_HEAD = struct.Struct(f"<{DIGEST_SIZE}sQ")
"""The index file: this head (the digest and length of the pickled state), the state, then the entries."""


@dataclass(frozen=True, slots=True)
class PageRecord:
    """A page written by an earlier build: the fingerprint it was made from, its content's digest.

    The fingerprint digests the page's template and context, briefings by their
    fields; the text of the briefings it showed is recorded apart, as it
    rendered (reads.py): their paths, and a digest of their fingerprints.
    """

    fingerprint: str
    content_digest: str
    size: int
    texts_read: tuple[str, ...] = ()
    texts: str = ""


pickled_by_fields(PageRecord)

EntryPlace = tuple[int, int, bytes]
"""Where an entry is in the index file's entries: (offset, size, digest of its bytes)."""


@dataclass(slots=True)
class CacheState:
    files: dict[tuple[str, str], tuple[FileState, str]] = field(default_factory=dict)
    """(Briefing path, parse salt) -> its state when last read, and the entry key it had then."""
    entries: dict[str, EntryPlace] = field(default_factory=dict)
    """Entry key -> the parsed briefing, pickled apart (a build pickles only the entries it parsed anew),
    each with its own digest: damage to one costs that one only."""
    pages: dict[str, PageRecord] = field(default_factory=dict)
    """Output path -> what was written there."""
    output: str = ""
    """The output folder the pages were written to."""
    shape: str = ""
    """What the pages' fingerprints were made from, briefings' text left out (build.py: pages_shape)."""
    packs: dict[str, FileState] = field(default_factory=dict)
    """Pack name -> its state when the bodies on record in it were written or last checked.
    A pack in another state (edited, replaced) has each body checked before it is used."""


def schema_of(classes: Iterable[type]) -> str:
    """A digest of the pickled classes' shapes: each one's module and name, its fields' names and types, in order.

    The module too, as a pickle names it: a class moved to another module is not found where an older
    cache's pickles look for it."""
    shapes = []
    for cls in classes:
        fields = cls._fields if issubclass(cls, tuple) else [f.name for f in dataclasses.fields(cls)]  # type: ignore[attr-defined,arg-type]
        hints = getattr(cls, "__annotations__", {})
        where = f"{cls.__module__}.{cls.__qualname__}"
        shapes.append(f"{where}({', '.join(f'{name}: {hints.get(name)}' for name in fields)})")
    return digest_of("\n".join(shapes).encode())[:6].hex()


PICKLED_CLASSES = (
    Briefing,
    Source,
    Term,
    Image,
    Footnote,
    Body,
    PackedBody,
    FileState,
    ParsedEntry,
    PageRecord,
    CacheState,
)
SCHEMA = schema_of(PICKLED_CLASSES)
"""The shape of everything the cache pickles. A field added to the model (a new facet) changes it, so that
a cache written before is never unpickled into the new classes, where its values would land in the wrong
fields: it is set aside, and the build parses and renders everything, as with an older briefgen's cache."""


def cache_version() -> str:
    """Of the briefgen and the classes that write the cache; a cache of any other is not read."""
    return f"{FORMAT_VERSION}-{__version__}-{SCHEMA}"


def index_file(folder: Path, version: str) -> Path:
    return folder / f"{INDEX_PREFIX}{version}.pickle"


def read_index(file: Path) -> tuple[CacheState, memoryview] | None:
    """The state on record and the index's entries; an empty cache when there is no index, None when it is damaged."""
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        return CacheState(), memoryview(b"")  # a first build, or an older briefgen's cache: not read
    except OSError:
        data = b""
    state = _verified_state(data)
    if state is None:
        return None
    return state, memoryview(data)[_INDEX_HEAD.size + _INDEX_HEAD.unpack_from(data)[1] :]


def write_index(file: Path, state: CacheState, entries: Sequence[bytes | memoryview]) -> None:
    """The index file written whole (sealed.write_whole): its head, the state, then the entries' bytes."""
    pickled_state = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
    head = _INDEX_HEAD.pack(digest_of(pickled_state), len(pickled_state))
    write_whole(file, [head, pickled_state, *entries])


def _verified_state(data: bytes) -> CacheState | None:
    """The state in an index file's bytes, when they match their digest; None otherwise."""
    if len(data) < _INDEX_HEAD.size:
        return None
    digest, size = _INDEX_HEAD.unpack_from(data)
    state = unpickled(memoryview(data)[_INDEX_HEAD.size : _INDEX_HEAD.size + size], digest, size)
    if not isinstance(state, CacheState):
        return None
    return state if all(hasattr(state, f) for f in CacheState.__dataclass_fields__) else None
