"""The search index's per-page entries kept in the build cache, one file each, and Pagefind's own files.

An entry (pagefindformat.PageEntry) is what Pagefind's index holds for one
briefing; search.py makes it by a Pagefind run and assembles the site's one
index from all of them (pagefindassembly.py). Kept here, a rebuild feeds
Pagefind only the briefings whose entry is not on record.

Each entry is a file in .briefgen-cache/search/, named by its key (a digest
of what its document is made from, Pagefind's version and the documents'
format: search.py) and sealed (sealed.py): a damaged file fails its check
and its briefing is indexed again. Only a build's new entries are written;
the ones no page of the index has any more are removed once the build is in place.

On disk an entry is its fragment, then its other fields as plain tuples,
bytes and numbers written by `marshal` (pagefindmarshal.py), compressed by
zlib at level 1: 13.5 KB for a briefing of the benchmark's corpus (44 KB
uncompressed; a pickle of the named tuples was as large and took longer to
read than to make again by Pagefind). Reading back makes some 900 small
objects a briefing, which is most of its cost; the fragment alone is read
by decompressing only as far as its end (`fragment`).

Pagefind's own files (pagefind.js, its worker, the stemming modules) are
kept by Pagefind's version in one sealed file, the union of what its runs
wrote, so that a build that indexes nothing still has them.
"""

from __future__ import annotations

import contextlib
import marshal
import zlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from briefgen.digests import digest
from briefgen.errors import DamagedCacheError
from briefgen.incremental.sealed import TEMPORARY_PREFIX, overwrite_sealed_pieces, read_sealed, write_sealed
from briefgen.pagefindformat import PageEntry
from briefgen.pagefindkept import KEPT_FORMAT, KeptIndex
from briefgen.pagefindmarshal import FRAGMENT_START, entry_unmarshalled, fragment_length

FOLDER = "search"
"""In the cache folder."""
ENTRY_SUFFIX = ".entry"
STATIC_PREFIX = "static-"
DOCUMENT_KEYS_FILE = "document-keys"
KEPT_FILE = "kept-index"
"""Names which of KEPT_SLOTS holds the index the last build assembled, in the form a rebuild updates in
place (pagefindkept.py)."""
KEPT_SLOTS = ("kept-index-0", "kept-index-1")
"""The index is written over the slot not in use, then KEPT_FILE names it. Renamed over the last one, as
other cache files are, the 90 MB of 5,000 briefings' index took 0.3 s to free at each edit; written over
the older slot, its pages are reused. A build stopped while writing it leaves KEPT_FILE naming the other."""
COMPRESSION_LEVEL = 1


def compressed_entry(marshalled: bytes) -> bytes:
    """An entry's marshalled bytes (pagefindmarshal.entry_marshalled) as the cache keeps them."""
    return zlib.compress(marshalled, COMPRESSION_LEVEL)


def entry_from_bytes(data: bytes | memoryview) -> PageEntry:
    """The entry compressed_entry kept; raises DamagedCacheError for anything else."""
    try:
        return entry_unmarshalled(zlib.decompress(data))
    except (ValueError, TypeError, EOFError, zlib.error) as exc:
        raise DamagedCacheError(f"an unreadable search entry ({exc})") from exc


def fragment_from_bytes(data: bytes | memoryview) -> bytes:
    """The fragment of the entry compressed_entry kept, decompressing no more than the fragment (it comes
    first: pagefindmarshal.py); raises DamagedCacheError for anything else."""
    try:
        unpacking = zlib.decompressobj()
        head = _inflated(unpacking, data, FRAGMENT_START)
        length = fragment_length(head)
        fragment = _inflated(unpacking, unpacking.unconsumed_tail, length)
    except (ValueError, zlib.error) as exc:
        raise DamagedCacheError(f"an unreadable search entry ({exc})") from exc
    if len(fragment) != length:
        raise DamagedCacheError("an unreadable search entry (shorter than its fragment)")
    return fragment


def _inflated(unpacking: Any, data: bytes | memoryview, size: int) -> bytes:
    """The next `size` bytes out of a zlib stream (fewer where it ends), reading `data` then what it left."""
    if size == 0:
        return b""  # a max_length of 0 would mean no limit
    out = unpacking.decompress(data, size)
    while len(out) < size and not unpacking.eof:
        more = unpacking.decompress(unpacking.unconsumed_tail, size - len(out))
        if not more:
            break
        out += more
    return bytes(out)


class SearchEntries:
    """The entries in the cache folder's search/, read on demand; the build's new ones written at once."""

    def __init__(self, cache: Path) -> None:
        self.folder = cache / FOLDER
        self.damaged: set[str] = set()

    def entry(self, key: str) -> PageEntry | None:
        """The entry on record for `key`; None when there is none or it failed its check."""
        try:
            data = read_sealed(self._path(key))
            found = entry_from_bytes(data) if data is not None else None
        except DamagedCacheError:
            self.damaged.add(key)
            return None
        return found

    def fragment(self, key: str) -> bytes | None:
        """The fragment of the entry on record for `key`, read without its words; None when there is none
        or it failed its check."""
        try:
            data = read_sealed(self._path(key))
            return fragment_from_bytes(data) if data is not None else None
        except DamagedCacheError:
            self.damaged.add(key)
            return None

    def put_marshalled(self, key: str, marshalled: bytes) -> None:
        """Keep an entry given as its marshalled bytes (the form a build's worker hands entries back in)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        write_sealed(self._path(key), compressed_entry(marshalled))

    def static_files(self, version: str) -> dict[str, bytes]:
        """Pagefind's own files as its runs of `version` wrote them; empty when none is on record."""
        try:
            data = read_sealed(self._static_path(version))
            files = marshal.loads(data) if data is not None else {}  # noqa: S302 - sealed, as above
        except (DamagedCacheError, ValueError, TypeError, EOFError):
            return {}
        if not (isinstance(files, dict) and all(isinstance(v, bytes) for v in files.values())):
            return {}
        return files

    def put_static_files(self, version: str, files: Mapping[str, bytes]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        write_sealed(self._static_path(version), marshal.dumps(dict(sorted(files.items()))))

    def kept_index(self, state: str) -> KeptIndex | None:
        """The index the last build assembled (pagefindkept.py), when it was kept under `state`
        (search.py: what the index in the output is made from); None otherwise or when it fails its check."""
        slot = self._kept_slot()
        if slot is None:
            return None
        try:
            data = read_sealed(self.folder / slot)
        except DamagedCacheError:
            self.damaged.add(slot)
            return None
        if data is None:
            return None
        head = _kept_head(state)
        if not state or bytes(data[: len(head)]) != head:  # another state, or another briefgen's format
            return None
        try:
            return KeptIndex.from_bytes(data[len(head) :])
        except ValueError:
            self.damaged.add(KEPT_FILE)
            return None

    def document_keys(self) -> dict[str, str]:
        """What each briefing was made from -> its document's key, as the last build recorded it (search.py)."""
        try:
            data = read_sealed(self.folder / DOCUMENT_KEYS_FILE)
            keys = marshal.loads(data) if data is not None else {}  # noqa: S302 - sealed, as above
        except (DamagedCacheError, ValueError, TypeError, EOFError):
            return {}
        return keys if isinstance(keys, dict) else {}

    def put_document_keys(self, keys: Mapping[str, str]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        write_sealed(self.folder / DOCUMENT_KEYS_FILE, marshal.dumps(dict(keys)))

    def put_kept_index(self, state: str, pieces: Sequence[bytes | memoryview]) -> None:
        """Keep the index (KeptIndex.to_pieces) under `state`: over the slot not in use, then named in use."""
        self.folder.mkdir(parents=True, exist_ok=True)
        slot = KEPT_SLOTS[1] if self._kept_slot() == KEPT_SLOTS[0] else KEPT_SLOTS[0]
        overwrite_sealed_pieces(self.folder / slot, [_kept_head(state), *pieces])
        write_sealed(self.folder / KEPT_FILE, slot.encode())

    def _kept_slot(self) -> str | None:
        """The slot KEPT_FILE names, if it names one."""
        try:
            data = read_sealed(self.folder / KEPT_FILE)
        except DamagedCacheError:
            self.damaged.add(KEPT_FILE)
            return None
        slot = bytes(data).decode("ascii", "replace") if data is not None else None
        return slot if slot in KEPT_SLOTS else None

    def keep_only(self, version: str, keys: Iterable[str]) -> None:
        """Remove every entry but those of `keys` (the index's pages), and Pagefind's files of other versions."""
        keep = {f"{key}{ENTRY_SUFFIX}" for key in keys} | {
            self._static_path(version).name,
            KEPT_FILE,
            *KEPT_SLOTS,
            DOCUMENT_KEYS_FILE,
        }
        for file in _files(self.folder):
            if file.name not in keep or file.name.startswith(TEMPORARY_PREFIX):
                with contextlib.suppress(OSError):
                    file.unlink()

    def remove_temporaries(self) -> None:
        """Remove the files a build killed while writing one left."""
        for file in _files(self.folder):
            if file.name.startswith(TEMPORARY_PREFIX):
                with contextlib.suppress(OSError):
                    file.unlink()

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}{ENTRY_SUFFIX}"

    def _static_path(self, version: str) -> Path:
        return self.folder / f"{STATIC_PREFIX}{digest(version)[:16]}"


def _kept_head(state: str) -> bytes:
    """What a kept index's file begins with: its format, so that a briefgen that reads another format
    quietly assembles the index afresh (its bytes are not damaged), and the state it was kept under."""
    return f"{KEPT_FORMAT} {state}\n".encode()


def _files(folder: Path) -> Iterable[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []
