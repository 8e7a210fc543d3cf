"""What os.stat says of a file, and paths as the build cache records them.

The loader records a briefing's state and its images' as it reads them, and
the build cache compares them with the files' at the next build to skip the
unchanged ones: both import these from here, below either of them. Search
lists and compares its index's files in the output with the same helpers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class FileState:
    """What os.stat says of a briefing file, to skip hashing it when unchanged."""

    size: int
    mtime_ns: int
    inode: int


def file_state(path: Path) -> FileState:
    stat = path.stat()
    return FileState(stat.st_size, stat.st_mtime_ns, stat.st_ino)


def current_state(path: Path) -> FileState | None:
    try:
        return file_state(path)
    except OSError:
        return None


def root_relative(path: Path, *roots: Path) -> str:
    """`path` relative to the site root, with forward slashes, for the cache to record; as it is when
    outside the root (the built-in theme), which moves with neither a moved nor a copied root.

    `roots`: the root as given, and as resolved, for paths made from either."""
    for root in roots:
        if path.is_relative_to(root):
            return path.relative_to(root).as_posix()
    return str(path)


def files_under(folder: Path) -> Iterator[tuple[str, Path]]:
    """Each file under `folder` (relative path, path). By os.scandir rather than Path.rglob: the index of
    5,000 briefings has some 5,500 files, and pathlib took a fifth of a second to list them."""
    found: list[tuple[str, str]] = []
    folders = [(str(folder), "")] if folder.is_dir() else []
    while folders:
        top, prefix = folders.pop()
        with os.scandir(top) as listed:
            for entry in listed:
                if entry.is_dir(follow_symlinks=False):
                    folders.append((entry.path, f"{prefix}{entry.name}/"))
                elif entry.is_file():
                    found.append((prefix + entry.name, entry.path))
    for name, path in sorted(found):
        yield name, Path(path)


def at_size(path: str, size: int) -> bool:
    """Whether the file at `path` (a string: a Path for each of thousands of files cost twice as much) is
    there with `size` bytes: the check that a file an earlier build wrote is still in place."""
    try:
        return os.stat(path).st_size == size  # noqa: PTH116
    except OSError:
        return False


def same_bytes(file: Path, content: bytes) -> bool:
    """Whether the file holds `content` (its size first, then its bytes)."""
    try:
        return file.stat().st_size == len(content) and file.read_bytes() == content
    except OSError:
        return False
