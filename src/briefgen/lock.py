"""One build at a time: a second build of the same output or cache is refused at once.

Two builds writing the same staging folder, or the same cache, would undo
each other's work. Each build takes an exclusive, non-blocking `flock` on the
folder that holds its output (where the staging folders live) and on the
cache folder. The locks are on the folders themselves, so no lock file is
ever left behind, and the kernel drops them when the process ends, however
it ends: a killed build never leaves a stale lock.
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
            except BlockingIOError as exc:
                raise BuildLockedError(
                    f"another briefgen build is running in {folder}: wait for it to finish, then build again"
                ) from exc
            except OSError:
                pass  # a file system without locks (some network ones): build as before, unlocked
        yield
    finally:
        os.close(descriptor)
