"""The folders briefgen keeps beside the output folder, and only briefgen's ever removed.

A build stages its work beside the output folder, in `.site.briefgen-staging`,
`-update`, `-old` and `-twin` (write.py), and clears what a killed build left
there (recover_interrupted). Each of those folders carries the output's marker
from the moment it is made (make_marked_folder) until the last moment it is
removed (remove_own_folder): a folder of one of those names without it is
someone's own, a backup say, and a build stops rather than remove it
(check_neighbours). A link there is only ever unlinked, never followed. The
swap that puts a new site in place, one rename that exchanges two folders
(Linux renameat2) or three that recover_interrupted finishes, is here too.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
from pathlib import Path

from briefgen.errors import OutputError

MARKER = ".briefgen-output"
"""Written into every output folder, so that briefgen only ever replaces its own output."""
MARKER_TEXT = b"This folder is written by briefgen build; its contents are replaced on every build.\n"
_RENAME_EXCHANGE = 2
STAGING_SUFFIX = "briefgen-staging"
UPDATE_SUFFIX = "briefgen-update"
OLD_SUFFIX = "briefgen-old"
TWIN_SUFFIX = "briefgen-twin"


def neighbour(output: Path, suffix: str) -> Path:
    """The folder briefgen keeps beside `output` for one purpose (a suffix above)."""
    return output.parent / f".{output.name}.{suffix}"


def recover_interrupted(output: Path) -> None:
    """Put back or discard what a killed build left beside `output`.

    Every folder at one of briefgen's names beside it must be briefgen's
    (see check_neighbours) before any is moved or removed."""
    output = output.resolve()
    check_neighbours(output)
    old = neighbour(output, OLD_SUFFIX)
    if not output.exists() and old.is_dir() and not old.is_symlink() and is_marked(old):
        # Killed during a swap without renameat2 (three renames): the old site is the last good one.
        old.rename(output)
    for suffix in (UPDATE_SUFFIX, STAGING_SUFFIX, OLD_SUFFIX):
        remove_leftover(neighbour(output, suffix), output)
    remove_link(neighbour(output, TWIN_SUFFIX))


def check_neighbours(output: Path) -> None:
    """Stop, with one line saying what to move, when something at one of briefgen's names
    beside `output` is not briefgen's.

    briefgen marks each folder it makes there before putting anything in it, and
    removes the marker last (remove_own_folder). A folder there without the
    marker, and not empty, was made by someone else, who may keep work in it: a
    build that removed it would lose that work. A link is only ever unlinked,
    never followed, so it is no one's work."""
    for suffix in (STAGING_SUFFIX, UPDATE_SUFFIX, OLD_SUFFIX, TWIN_SUFFIX):
        _refuse_unless_own(neighbour(output, suffix), output)


def _refuse_unless_own(folder: Path, output: Path) -> None:
    if folder.is_symlink() or not folder.exists() or (folder.is_dir() and _is_marked_or_empty(folder)):
        return
    kind = "folder" if folder.is_dir() else "file"
    raise OutputError(
        f"refusing to build: the {kind} {folder} is not briefgen's (it has no {MARKER} file), but briefgen "
        f"keeps its own work under that name beside {output.name}/; move it elsewhere, then build again"
    )


def is_marked(folder: Path) -> bool:
    marker = folder / MARKER
    return marker.is_file() and not marker.is_symlink()


def _is_marked_or_empty(folder: Path) -> bool:
    # Empty: made, then killed before its marker was written. Removing it loses nothing.
    if is_marked(folder):
        return True
    with os.scandir(folder) as entries:
        return next(entries, None) is None


def remove_leftover(folder: Path, output: Path) -> None:
    """Remove what a build left at one of briefgen's names beside the output: a link is
    unlinked, never followed; a folder is removed only when it is briefgen's."""
    if folder.is_symlink():
        folder.unlink()
    elif folder.exists():
        _refuse_unless_own(folder, output)
        remove_own_folder(folder)


def remove_own_folder(folder: Path) -> None:
    """Remove one of briefgen's folders, its marker last: a build killed half-way
    through leaves it marked (or empty), for the next build to remove."""
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda entry: entry.name):
            if entry.name != MARKER:
                remove_path(Path(entry.path))
    (folder / MARKER).unlink(missing_ok=True)
    folder.rmdir()


def swap_folders(new: Path, output: Path) -> None:
    """Put `new` at `output` and what was there at `new`: one atomic exchange where the
    system has one, else three renames (`recover_interrupted` finishes them if killed)."""
    if not _exchange(new, output):
        old = neighbour(output, OLD_SUFFIX)
        output.rename(old)
        new.rename(output)
        old.rename(new)


def remove_path(target: Path) -> None:
    """Remove a file or a whole folder; a link is unlinked, never followed."""
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    else:
        target.unlink(missing_ok=True)


def remove_link(path: Path) -> None:
    """A link where briefgen keeps a folder of its own is unlinked, never followed."""
    if path.is_symlink():
        path.unlink()


def make_marked_folder(folder: Path) -> None:
    """Make one of briefgen's folders beside the output, its marker written first:
    killed before the marker, it is empty, and the next build may still remove it."""
    try:
        folder.mkdir(parents=True)
        (folder / MARKER).write_bytes(MARKER_TEXT)
    except OSError as exc:
        raise OutputError(f"cannot create the staging folder {folder}: {exc.strerror}") from exc


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
