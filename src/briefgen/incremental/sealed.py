"""Bytes kept with a digest of themselves, checked before anything reads them.

Every file of the build cache (cache.py) is written sealed: its index, the
records of its pack files (their digests are kept in the index), the compiled
templates and the record of the last build. A file whose bytes are not the ones
written (damaged on disk, cut short, or edited by hand) fails its check and is
never unpickled: what it held is made again from the site's own files.

The digest guards against damage and against edits that leave it as it was;
it is no signature. Whoever can write the cache can write the briefings too.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import stat
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from briefgen.errors import DamagedCacheError
from briefgen.interrupts import uninterrupted

DIGEST_SIZE = 32
TEMPORARY_PREFIX = ".tmp-"
"""Files being written; a build killed while writing one leaves it, and the next removes it."""


_DIGEST = hashlib.sha256
"""SHA-256: with the CPU's SHA instructions, the fastest of hashlib's digests on large bodies."""


def digest_of(data: bytes | memoryview) -> bytes:
    return _DIGEST(data).digest()


def seal(data: bytes) -> bytes:
    return digest_of(data) + data


def unseal(data: bytes) -> memoryview:
    """The bytes sealed in `data`; raises DamagedCacheError when they are not the ones sealed."""
    view = memoryview(data)
    if len(view) < DIGEST_SIZE or digest_of(view[DIGEST_SIZE:]) != view[:DIGEST_SIZE]:
        raise DamagedCacheError("its bytes do not match their digest")
    return view[DIGEST_SIZE:]


def read_sealed(path: Path) -> memoryview | None:
    """The bytes sealed in the file; None when there is none; raises DamagedCacheError when they were altered."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:  # a folder in its place, unreadable: as damaged as random bytes
        raise DamagedCacheError(str(exc)) from exc
    return unseal(data)


def write_sealed(path: Path, data: bytes) -> None:
    write_whole(path, [digest_of(data), data])


def overwrite_sealed_pieces(path: Path, pieces: Sequence[bytes | memoryview]) -> None:
    """write_sealed of the pieces joined (without joining them), written over the file's own bytes.

    Not whole or not at all, as write_whole is: for a large file that only
    the caller names as current once it is written (searchentries.py's
    kept index). Freeing a large file's pages, as renaming another over it
    does, takes longer than writing it. A link, or a file with other names,
    is replaced rather than written through."""
    digest = _DIGEST()  # digest_of's, fed piece by piece
    for piece in pieces:
        digest.update(piece)
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        descriptor = os.open(path, flags | os.O_NONBLOCK, 0o600)  # a pipe there: no wait for a reader
    except OSError:  # a link (ELOOP), or what cannot be opened for writing: made anew
        path.unlink(missing_ok=True)
        descriptor = os.open(path, flags | os.O_EXCL, 0o600)
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode) or status.st_nlink != 1:  # another name would see it change
        os.close(descriptor)
        path.unlink(missing_ok=True)
        descriptor = os.open(path, flags | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(digest.digest())
        for piece in pieces:
            stream.write(piece)
        stream.truncate()


def write_whole(path: Path, chunks: Iterable[bytes | memoryview]) -> None:
    """Write the chunks one after another, whole or not at all: into a temporary file renamed over `path`."""
    temporary = None
    try:
        with uninterrupted():  # made and named in one step: a Ctrl-C between left it to no one
            fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=TEMPORARY_PREFIX)
        with os.fdopen(fd, "wb") as stream:
            for chunk in chunks:
                stream.write(chunk)
        Path(temporary).replace(path)
    except BaseException:
        if temporary is not None:
            with contextlib.suppress(OSError):
                Path(temporary).unlink()
        raise


def unpickled(data: bytes | memoryview, digest: bytes, size: int) -> object | None:
    """What `data` pickles, when it is `size` bytes long and matches `digest`; None for damaged bytes,
    or bytes that match yet do not unpickle (written by a briefgen in development)."""
    if len(data) != size or digest_of(data) != digest:
        return None
    try:
        found: object = pickle.loads(data)  # noqa: S301 - checked against its digest above
    except Exception:
        return None
    return found
