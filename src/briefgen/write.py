"""Atomic output: build into a staging folder, then swap it in whole.

A reader of the site, or a deploy step, never sees a half-written site: the
new site is written beside the old one and the two folders are exchanged in
one rename. A build that fails before the swap leaves the old site exactly
as it was. Every path is checked to stay inside the output folder.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from briefgen.errors import OutputError

MARKER = ".briefgen-output"
"""Written into every output folder, so that briefgen only ever replaces its own output."""
MARKER_TEXT = b"This folder is written by briefgen build; its contents are replaced on every build.\n"
_RENAME_EXCHANGE = 2


@dataclass(frozen=True, slots=True)
class WriteReport:
    files: int
    bytes: int


def check_output_folder(output: Path, *, root: Path, protected: Iterable[Path] = ()) -> None:
    """Refuse an output folder that a build would damage.

    The folder is replaced whole on every build, so it must not be the site
    root or hold it, not be a source folder, not be the home folder or '/',
    and, when it exists and is not empty, must carry briefgen's marker.
    """
    target = output.resolve()
    home = Path.home().resolve()
    dangerous = {Path("/"), home, root.resolve(), *(p.resolve() for p in protected)}
    if target in dangerous or root.resolve().is_relative_to(target):
        raise OutputError(f"refusing to write the site into {output}: it would replace files that are not briefgen's")
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).is_file():
        raise OutputError(
            f"refusing to replace {output}: it is not empty and was not written by briefgen "
            f"(no {MARKER} file); choose another --output or empty it"
        )
    if target.exists() and not target.is_dir():
        raise OutputError(f"{output} exists and is not a folder")


def safe_relative_path(path: str) -> PurePosixPath:
    """The output path as a relative path that cannot leave the output folder."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or "\\" in path or "\x00" in path or not pure.parts:
        raise OutputError(f"refusing to write outside the output folder: {path!r}")
    return pure


class StagedSite:
    """A new site being written next to the output folder, swapped in on commit."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.staging = output.parent / f".{output.name}.briefgen-staging"
        self.written: set[str] = set()
        self._folders: set[Path] = set()
        self.bytes = 0

    def __enter__(self) -> StagedSite:
        if self.staging.exists():  # left by a build that was killed
            shutil.rmtree(self.staging)
        self.staging.mkdir(parents=True)
        (self.staging / MARKER).write_bytes(MARKER_TEXT)
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is not None and self.staging.exists():
            shutil.rmtree(self.staging, ignore_errors=True)

    def _target(self, path: str) -> Path:
        pure = safe_relative_path(path)
        key = pure.as_posix()
        if key in self.written:
            raise OutputError(f"two outputs would both be written to {key}")
        self.written.add(key)
        target = self.staging.joinpath(*pure.parts)
        if target.parent not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(target.parent)
        return target

    def claim(self, path: str) -> Path:
        """Reserve `path` in the new site; any process may then write the returned file."""
        return self._target(path)

    def previous(self, path: str) -> Path:
        """Where the site being replaced has `path`."""
        return self.output.joinpath(*safe_relative_path(path).parts)

    def write(self, path: str, content: bytes) -> None:
        self._target(path).write_bytes(content)
        self.bytes += len(content)

    def copy(self, path: str, source: Path) -> None:
        target = self._target(path)
        shutil.copyfile(source, target)
        self.bytes += target.stat().st_size

    def commit(self) -> WriteReport:
        """Swap the staged site in for the old one, then remove the old one."""
        report = WriteReport(files=len(self.written), bytes=self.bytes)
        if self.output.exists():
            if _exchange(self.staging, self.output):
                shutil.rmtree(self.staging)
                return report
            old = self.output.parent / f".{self.output.name}.briefgen-old"
            shutil.rmtree(old, ignore_errors=True)
            self.output.rename(old)
            self.staging.rename(self.output)
            shutil.rmtree(old)
        else:
            self.staging.rename(self.output)
        return report


def link_previous(target: Path, previous: Path) -> bool:
    """Hard-link the previous build's file into the new site: same bytes, same modification time.

    Keeping the time lets a deploy step upload only what changed. False when
    the file is gone or the file system has no hard links.
    """
    try:
        os.link(previous, target)
    except OSError:
        return False
    return True


def keep_or_write(target: Path, previous: Path, content: bytes, *, unchanged: bool) -> bool:
    """Link the previous file when `content` is unchanged, else write it. True when written anew."""
    if unchanged and link_previous(target, previous):
        return False
    target.write_bytes(content)
    return True


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two folders (Linux renameat2); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    if ctypes.get_errno() in {errno.EINVAL, errno.ENOSYS, errno.EXDEV}:
        return False
    raise OutputError(f"could not swap the new site into {b}: {os.strerror(ctypes.get_errno())}")
