"""Briefing bodies kept in pack files of the build cache, out of memory, read back as pages need them.

A cold build of a large archive would otherwise hold every body (hundreds of
megabytes for 100,000 briefings) for as long as it renders. Each process that
parses appends the bodies it made to a pack of its own (PackWriter); a body is
then known by where it is (PackedBody), and PackedBodies hands it to the
pipeline as a model.Body when a page reads it, checked against its digest.
"""

from __future__ import annotations

import io
import os
import pickle
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from briefgen.errors import DamagedCacheError
from briefgen.incremental.sealed import digest_of
from briefgen.model import Body, Briefing


@dataclass(frozen=True, slots=True)
class PackedBody:
    """Where a Body is in the cache's packs, so that an archive of 100,000 briefings fits in memory.

    This one is at `offset` in the file at `path`: `size` bytes of its html and
    notes, pickled, then `notes_json_size` bytes of its notes_json in UTF-8,
    which the JSON indexes read without unpickling the rest. Each part is read
    only once it matches its digest: a damaged or altered pack raises
    DamagedCacheError.
    """

    path: str
    """The pack's absolute path while a build runs; the cache records only its name (cache.py)."""
    offset: int = 0
    size: int = 0
    notes_json_size: int = 0
    digest: bytes = b""
    """Of the pickled html and notes (sealed.digest_of)."""
    notes_json_digest: bytes = b""


def packed_bytes(packed: PackedBody, *, start: int = 0) -> bytes:
    """The packed body's bytes from `start` on, as its pack holds them (fewer at the end of a short pack)."""
    descriptor = os.open(packed.path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        return os.pread(descriptor, packed.size + packed.notes_json_size - start, packed.offset + start)
    finally:
        os.close(descriptor)


def packed_body_intact(packed: PackedBody) -> bool:
    """Whether the pack still holds the bytes recorded, both parts, in full."""
    try:
        data = packed_bytes(packed)
    except OSError:
        return False
    return (
        len(data) == packed.size + packed.notes_json_size
        and digest_of(memoryview(data)[: packed.size]) == packed.digest
        and digest_of(memoryview(data)[packed.size :]) == packed.notes_json_digest
    )


class PackedBodies:
    """model.Bodies read from the packs: each body when a page asks for it, the last few kept.

    Packs stay open for reading (with pread, so that forked render workers share
    the descriptors); a page's body is read at most once while it is recent, which
    the render order sees to (publish.render_order: a day's pages and its briefings together).
    """

    RECENT_BODIES = 256
    """Bodies kept unpickled: a briefing's body is read by its page, its day's index and up to a dozen feeds."""

    def __init__(self, places: Mapping[str, PackedBody]) -> None:
        self.places = places
        """Briefing path -> where its body is."""
        self._open: dict[str, io.FileIO] = {}
        """Pack files open for reading. File objects rather than descriptors with a __del__ to close
        them: a file object closes in C when the last reference goes (a `serve` session builds again
        and again in one process), where a Ctrl-C landing in a __del__ was printed as a traceback
        and lost."""
        self._recent: OrderedDict[PackedBody, Body] = OrderedDict()

    def body(self, briefing: Briefing) -> Body:
        packed = self.places[briefing.path]
        body = self._recent.get(packed)
        if body is not None:
            self._recent.move_to_end(packed)
            return body
        body = self._recent[packed] = self._read_body(packed)
        if len(self._recent) > self.RECENT_BODIES:
            self._recent.popitem(last=False)
        return body

    def shown(self, briefing: Briefing) -> None:
        pass  # nothing to fetch: a page that reads the text asks body() or notes_json()

    def notes_json(self, briefing: Briefing) -> str:
        packed = self.places[briefing.path]
        data = self._bytes(packed, start=packed.size)
        if len(data) != packed.notes_json_size or digest_of(data) != packed.notes_json_digest:
            raise _damaged(packed)
        return data.decode("utf-8")

    def _bytes(self, packed: PackedBody, *, start: int = 0) -> bytes:
        file = self._open.get(packed.path)
        if file is None:
            file = self._open[packed.path] = io.FileIO(packed.path, "r")  # not inherited: O_CLOEXEC
        return os.pread(file.fileno(), packed.size + packed.notes_json_size - start, packed.offset + start)

    def _read_body(self, packed: PackedBody) -> Body:
        data = self._bytes(packed)
        if len(data) != packed.size + packed.notes_json_size:
            raise _damaged(packed)
        pickled, notes_json = memoryview(data)[: packed.size], memoryview(data)[packed.size :]
        if digest_of(pickled) != packed.digest or digest_of(notes_json) != packed.notes_json_digest:
            raise _damaged(packed)  # never unpickled: the build checks every body again, and parses the damaged ones
        parts = pickle.loads(pickled)  # noqa: S301 - this build's own cache, checked above
        if not (isinstance(parts, tuple) and len(parts) == 2):
            raise _damaged(packed)
        return Body(*parts, notes_json=str(notes_json, "utf-8"))

    def close(self) -> None:
        for file in self._open.values():
            file.close()
        self._open.clear()
        self._recent.clear()


def _new_pack(path: str, flags: int) -> int:
    """A pack file, created for this process alone and appended to."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC, 0o644)


def _damaged(packed: PackedBody) -> DamagedCacheError:
    return DamagedCacheError(f"{packed.path} does not hold the briefing body recorded at {packed.offset}")


class PackWriter:
    """Briefing bodies, pickled one after another into pack files in the cache's bodies/.

    One file per process that parses (the build and each of its workers), so
    that a cold build writes a handful of files where it once wrote one per
    briefing: on a busy disk, creating 5,000 small files cost seconds. A pack
    is only ever appended to, by the one process that made it; a body is read
    back by its offset and size (PackedBody). Packs no body on record
    uses are removed, and small ones are merged (`compact`), so the folder
    stays a few files however many rebuilds there were.
    """

    MAX_SMALL_PACKS = 8
    SMALL_PACK_BYTES = 4 << 20

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._open: tuple[int, io.FileIO, str] | None = None
        """(process id, file, path) of the pack this process appends to: a file object, which closes
        in C when dropped, for the reason PackedBodies gives."""
        self._written = 0

    def append(self, pickled: bytes | memoryview, notes_json: bytes | memoryview) -> PackedBody:
        if self._open is None or self._open[0] != os.getpid():  # first body, or a forked worker's first
            self.folder.mkdir(parents=True, exist_ok=True)
            pack = self.folder / f"{time.time_ns():x}-{os.getpid()}.pack"
            file = io.FileIO(pack, "a", opener=_new_pack)
            self._open, self._written = (os.getpid(), file, str(pack)), 0
        _, file, path = self._open
        offset = self._written
        view = memoryview(bytes(pickled) + bytes(notes_json))
        while view:
            view = view[os.write(file.fileno(), view) :]
        self._written += len(pickled) + len(notes_json)
        return PackedBody(path, offset, len(pickled), len(notes_json), digest_of(pickled), digest_of(notes_json))

    def close(self) -> None:
        """Stop appending to this process's pack; the next body starts a new one."""
        if self._open is not None and self._open[0] == os.getpid():
            self._open[1].close()
        self._open = None

    def compact(self, bodies: Mapping[str, PackedBody]) -> tuple[dict[str, PackedBody], list[str]]:
        """The bodies (by entry key) that were in small packs (when there are many), moved into one new pack;
        and the keys of those that failed their check, left behind."""
        sizes: dict[str, int] = {}
        for name in {os.path.basename(body.path) for body in bodies.values()}:  # noqa: PTH119
            try:
                sizes[name] = (self.folder / name).stat().st_size
            except OSError:
                sizes[name] = 0
        small = {name for name, size in sizes.items() if size < self.SMALL_PACK_BYTES}
        if len(small) <= self.MAX_SMALL_PACKS:
            return {}, []
        self.close()  # a new pack, for the merged bodies only
        moved: dict[str, PackedBody] = {}
        damaged: list[str] = []
        for key, body in bodies.items():
            if os.path.basename(body.path) in small:  # noqa: PTH119
                if not packed_body_intact(body):
                    damaged.append(key)
                    continue
                data = packed_bytes(body)
                moved[key] = self.append(data[: body.size], data[body.size :])
        self.close()
        return moved, damaged

    def remove_all_but(self, keep: set[str]) -> None:
        if not self.folder.is_dir():
            return
        for stale in self.folder.iterdir():
            if stale.name not in keep:
                stale.unlink(missing_ok=True)


def pickled_body(body: Body) -> tuple[bytes, bytes]:
    """A body as a pack holds it: its html and notes pickled, and its notes' JSON."""
    return pickle.dumps((body.html, body.footnotes), protocol=pickle.HIGHEST_PROTOCOL), body.notes_json.encode()
