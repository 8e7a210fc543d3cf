"""One build at a time: a second build of the same output or cache is refused at once.

Two builds writing the same staging folder, or the same cache, would undo
each other's work. Each build takes an exclusive, non-blocking `flock` on the
folder that holds its output (where the staging folders live) and on the
cache folder. The locks are on the folders themselves, so no lock file is
ever left behind, and the kernel drops them when the process ends, however
it ends: a killed build never leaves a stale lock. A lock belongs to the open
folder, which a forked worker shares: so each worker closes its copy as it
starts, or a build killed with its workers still exiting would hold the next
one off for as long as they take.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from briefgen.errors import OutputError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no flock; builds there are not locked
    fcntl = None  # type: ignore[assignment]


class BuildLockedError(OutputError):
    """Another briefgen build holds the lock."""


_HELD: set[int] = set()
"""The descriptors of the folders this process holds locked."""


def _let_go_in_child() -> None:
    """In a forked child: close its copies of the locked folders (the parent still holds the locks)."""
    for descriptor in _HELD:
        with contextlib.suppress(OSError):
            os.close(descriptor)
    _HELD.clear()


os.register_at_fork(after_in_child=_let_go_in_child)


@contextlib.contextmanager
def build_lock(output: Path, cache_folder: Path | None = None) -> Iterator[None]:
    """Hold the locks of a build that writes `output` and uses `cache_folder` (None: no cache)."""
    folders = {output.resolve().parent}
    if cache_folder is not None:
        folders.add(cache_folder.resolve())
    with contextlib.ExitStack() as held:
        for folder in sorted(folders):  # always in the same order, so two builds cannot deadlock
            held.enter_context(_locked(folder))
        yield


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError as exc:
        raise OutputError(f"cannot use the folder {folder}: {exc.strerror}") from exc
    try:
        if fcntl is not None:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                _HELD.add(descriptor)
            except BlockingIOError as exc:
                raise BuildLockedError(
                    f"another briefgen build is running in {folder}: wait for it to finish, then build again"
                ) from exc
            except OSError:
                pass  # a file system without locks (some network ones): build as before, unlocked
        yield
    finally:
        _HELD.discard(descriptor)
        os.close(descriptor)
