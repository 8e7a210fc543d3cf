"""Safe output: nothing reaches the output folder until everything has been rendered.

Two ways, both staging files in a hidden folder beside the output, and both
ending in one rename that exchanges two folders (Linux renameat2):

- StagedSite, for a first build (or one with no record of the last): the
  whole new site is written beside the old one and the two are exchanged.
- SiteUpdate, for a rebuild: only files whose bytes change are staged; the
  site's Twin, a second copy kept beside it by hard links, takes them, and is
  exchanged with the output folder. Unchanged files are not touched, so their
  modification times stay and a deploy step uploads only what changed.

So a build that fails, or is killed at any moment, leaves the old site or the
new one, never a mix of the two. Every path is checked to stay inside the
output folder. The folders briefgen keeps beside it (`.site.briefgen-staging`,
`-update`, `-old`, `-twin`) carry the output's marker from the moment they are
made: a folder of one of those names without it is someone's own, and a build
stops rather than remove it. A copied file's mode is never wider than its
source's.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import shutil
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

from briefgen.errors import OutputError
from briefgen.interrupts import uninterrupted

MARKER = ".briefgen-output"
"""Written into every output folder, so that briefgen only ever replaces its own output."""
MARKER_TEXT = b"This folder is written by briefgen build; its contents are replaced on every build.\n"
_RENAME_EXCHANGE = 2
STAGING_SUFFIX = "briefgen-staging"
UPDATE_SUFFIX = "briefgen-update"
OLD_SUFFIX = "briefgen-old"
TWIN_SUFFIX = "briefgen-twin"
TWIN_RECORD = ".briefgen-twin"
"""Inside the twin only: the output folder it pairs with, and the paths where the two differ."""


def check_output_folder(output: Path, *, root: Path, protected: Iterable[Path] = ()) -> None:
    """Refuse an output folder that a build would damage.

    The folder is replaced whole on every build, so it must not be '/', the
    home folder, the site root or any folder holding one of them; it must be
    neither a source folder (`protected`) nor inside one (a build would then
    read its own output back); and, when it exists and is not empty, it must
    carry briefgen's marker.
    """
    target = output.resolve()
    real_root = root.resolve()
    kept = [Path(target.anchor), real_root, *_home()]
    sources = [folder.resolve() for folder in protected]
    if any(folder.is_relative_to(target) for folder in (*kept, *sources)):
        raise OutputError(f"refusing to write the site into {output}: it would replace files that are not briefgen's")
    for folder in sources:
        if target.is_relative_to(folder):
            raise OutputError(
                f"refusing to write the site into {output}: it is inside {_shown(folder, real_root)}, "
                "which the build reads; choose a folder outside it"
            )
    if target.exists() and not target.is_dir():
        raise OutputError(f"{output} exists and is not a folder")
    blocking = next((folder for folder in target.parents if folder.exists() and not folder.is_dir()), None)
    if blocking is not None:
        raise OutputError(f"cannot write the site into {output}: {blocking} is a file, not a folder")
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).is_file():
        raise OutputError(
            f"refusing to replace {output}: it is not empty and was not written by briefgen "
            f"(no {MARKER} file); choose another --output or empty it"
        )


def _home() -> list[Path]:
    try:
        return [Path.home().resolve()]
    except (RuntimeError, KeyError, OSError):  # no HOME and no password entry
        return []


def _shown(folder: Path, root: Path) -> str:
    return f"{folder.relative_to(root).as_posix()}/" if folder.is_relative_to(root) else str(folder)


def safe_relative_path(path: str) -> PurePosixPath:
    """The output path as a relative path that cannot leave the output folder."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or "\\" in path or "\x00" in path or not pure.parts:
        raise OutputError(f"refusing to write outside the output folder: {path!r}")
    return pure


class _Staging:
    """Output paths claimed once each, mapped into a hidden staging folder."""

    def __init__(self, output: Path, suffix: str) -> None:
        # Resolved, so that an output folder reached by a symlink is the one
        # written, and the link itself is never swapped away.
        self.output = output.resolve()
        self.staging = neighbour(self.output, suffix)
        self.written: set[str] = set()
        self._folders: set[Path] = set()
        self._made = False
        """Whether this build made the staging folder: only then may it remove it."""

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is not None:
            self.discard()

    @contextlib.contextmanager
    def _discarded_on_error(self) -> Iterator[None]:
        """For __enter__: `with` calls __exit__ only once __enter__ has returned."""
        try:
            yield
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        """Remove the staging folder: the build stopped before its swap (an error, a Ctrl-C)."""
        with uninterrupted(), contextlib.suppress(OSError):  # a second Ctrl-C must not leave it half-removed
            if self._made and self.staging.is_dir() and not self.staging.is_symlink():
                _remove_own_folder(self.staging)

    def _make(self) -> None:
        """Make the staging folder, marked as briefgen's before anything else is put in it."""
        _make_marked_folder(self.staging)
        self._made = True

    def claim(self, path: str, *, make_folder: bool = True) -> Path:
        """Reserve `path`; any process may then write the returned file.

        Without `make_folder`, whoever writes the file creates its folder:
        a rebuild claims every page that may change but writes few of them.
        """
        pure = safe_relative_path(path)
        key = pure.as_posix()
        if key in self.written:
            raise OutputError(f"two outputs would both be written to {key}")
        self.written.add(key)
        target = self.staging.joinpath(*pure.parts)
        if make_folder and target.parent not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(target.parent)
        return target

    def current(self, path: str) -> Path:
        """Where the output folder has `path` now."""
        return self.output.joinpath(*safe_relative_path(path).parts)

    def write(self, path: str, content: bytes) -> None:
        self.claim(path).write_bytes(content)

    def copy(self, path: str, source: Path) -> None:
        copy_no_wider(source, self.claim(path))


class StagedSite(_Staging):
    """A whole new site written next to the output folder, swapped in on commit.

    With `keep_twin`, the old site is kept beside the new one as its twin
    (see Twin), which the next rebuild brings up to date by hard links instead
    of removing thousands of files now; otherwise it is removed.
    """

    def __init__(self, output: Path, *, keep_twin: bool = True) -> None:
        super().__init__(output, STAGING_SUFFIX)
        self.keep_twin = keep_twin

    def __enter__(self) -> StagedSite:
        with self._discarded_on_error():
            self._make()
        return self

    def commit(self) -> None:
        twin = Twin(self.output)
        _remove_leftover(twin.folder, self.output)  # it was the twin of the site being replaced
        if not self.output.exists():
            self.staging.rename(self.output)
            return
        _swap_folders(self.staging, self.output)
        if self.keep_twin:
            self.staging.rename(twin.folder)  # with no record: the next rebuild mirrors it whole
        else:
            _remove_own_folder(self.staging)


class SiteUpdate(_Staging):
    """Changed files staged beside an existing site, brought in by the site's twin."""

    def __init__(self, output: Path, remove: Iterable[str]) -> None:
        super().__init__(output, UPDATE_SUFFIX)
        self.remove = sorted(safe_relative_path(path).as_posix() for path in remove)

    def __enter__(self) -> SiteUpdate:
        with self._discarded_on_error():
            self._make()
        return self

    def commit(self) -> None:
        staged = sorted(p for p in self.written if self.staging.joinpath(*PurePosixPath(p).parts).exists())
        twin = Twin(self.output)
        twin.update(self.staging, staged, self.remove)
        twin.swap()
        _remove_own_folder(self.staging)


class Twin:
    """A second copy of the output folder beside it, which a rebuild brings up to
    date and then exchanges with the output folder in one rename.

    So a rebuild changes the published folder in one step however many files
    it changes, and a build killed at any moment leaves either the old site or
    the new one, never a mix. After the exchange the twin holds the previous
    build; a record inside it lists the paths where it differs from the output
    folder, so that the next rebuild touches only those and its own changes.
    Every other file is a hard link to the output folder's: unchanged files
    keep their inode and modification time, and the twin costs the disk space
    of the files that differ. Neither folder's files are ever written in place,
    only replaced, which is what makes sharing them safe.
    """

    def __init__(self, output: Path) -> None:
        self.output = output
        self.folder = neighbour(output, TWIN_SUFFIX)
        self.changed: list[str] = []

    def update(self, staging: Path, staged: list[str], removed: list[str]) -> None:
        """Make the twin the output folder plus `staged` (moved in from `staging`) minus `removed`."""
        differing = self._take_record()
        try:
            self._apply(differing, staging, staged, removed)
        except OSError:  # a twin damaged from outside: made again from the output folder
            _remove_leftover(self.folder, self.output)
            self._apply(None, staging, staged, removed)
        self.changed = sorted({*staged, *removed})

    def swap(self) -> None:
        """Exchange the twin with the output folder, then record how the new twin differs."""
        _swap_folders(self.folder, self.output)
        record = self.folder / TWIN_RECORD
        temporary = record.with_name(f"{TWIN_RECORD}.tmp")
        temporary.write_text("\n".join([folder_identity(self.output), *self.changed]) + "\n", encoding="utf-8")
        temporary.replace(record)

    def _take_record(self) -> set[str] | None:
        """The paths where the twin may differ from the output folder; None when unknown.

        The record is removed as it is read: from here until the swap the twin
        is half-way, and a build killed meanwhile leaves the next one no record.
        """
        _remove_link(self.folder)
        record = self.folder / TWIN_RECORD
        try:
            partner, *paths = record.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError, ValueError):
            return None
        record.unlink()
        return set(paths) if partner == folder_identity(self.output) else None

    def _apply(self, differing: set[str] | None, staging: Path, staged: list[str], removed: list[str]) -> None:
        if differing is None:
            self._mirror_output()
            differing = set()
        changed = {*staged, *removed}
        for path in sorted(differing - changed):
            self._follow_output(path)
        for path in removed:
            target = self.folder.joinpath(*safe_relative_path(path).parts)
            _remove_path(target)
            _remove_empty_folders(target.parent, self.folder)
        for path in staged:
            pure = safe_relative_path(path)
            target = self.folder.joinpath(*pure.parts)
            _remove_path(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            staging.joinpath(*pure.parts).replace(target)

    def _follow_output(self, path: str) -> None:
        """Make the twin's `path` what the output folder has there."""
        pure = safe_relative_path(path)
        source, target = self.output.joinpath(*pure.parts), self.folder.joinpath(*pure.parts)
        _remove_path(target)
        if source.is_file() and not source.is_symlink():
            _link(source, target)
        else:
            _remove_empty_folders(target.parent, self.folder)

    def _mirror_output(self) -> None:
        """Make the whole twin a copy of the output folder, file by file, by hard links."""
        if not self.folder.is_dir():
            _make_marked_folder(self.folder)
        elif not _is_marked(self.folder):  # empty: made, then killed before its marker
            (self.folder / MARKER).write_bytes(MARKER_TEXT)
        wanted = _files_by_inode(self.output)
        present = _files_by_inode(self.folder)
        # The marker is replaced in one rename, never removed: killed at any moment, the twin is still briefgen's.
        if MARKER in wanted and present.pop(MARKER, None) != wanted.pop(MARKER):
            temporary = self.folder / f"{MARKER}.tmp"
            _remove_path(temporary)
            _link(self.output / MARKER, temporary)
            temporary.replace(self.folder / MARKER)
        for path in sorted(present.keys() - wanted.keys(), reverse=True):
            target = self.folder / path
            _remove_path(target)
            _remove_empty_folders(target.parent, self.folder)
        for path, inode in sorted(wanted.items()):
            if present.get(path) != inode:
                target = self.folder / path
                _remove_path(target)
                _link(self.output / path, target)


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
    if not output.exists() and old.is_dir() and not old.is_symlink() and _is_marked(old):
        # Killed during a swap without renameat2 (three renames): the old site is the last good one.
        old.rename(output)
    for suffix in (UPDATE_SUFFIX, STAGING_SUFFIX, OLD_SUFFIX):
        _remove_leftover(neighbour(output, suffix), output)
    _remove_link(neighbour(output, TWIN_SUFFIX))


def check_neighbours(output: Path) -> None:
    """Stop, with one line saying what to move, when something at one of briefgen's names
    beside `output` is not briefgen's.

    briefgen marks each folder it makes there before putting anything in it, and
    removes the marker last (_remove_own_folder). A folder there without the
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


def _is_marked(folder: Path) -> bool:
    marker = folder / MARKER
    return marker.is_file() and not marker.is_symlink()


def _is_marked_or_empty(folder: Path) -> bool:
    # Empty: made, then killed before its marker was written. Removing it loses nothing.
    if _is_marked(folder):
        return True
    with os.scandir(folder) as entries:
        return next(entries, None) is None


def _remove_leftover(folder: Path, output: Path) -> None:
    """Remove what a build left at one of briefgen's names beside the output: a link is
    unlinked, never followed; a folder is removed only when it is briefgen's."""
    if folder.is_symlink():
        folder.unlink()
    elif folder.exists():
        _refuse_unless_own(folder, output)
        _remove_own_folder(folder)


def _remove_own_folder(folder: Path) -> None:
    """Remove one of briefgen's folders, its marker last: a build killed half-way
    through leaves it marked (or empty), for the next build to remove."""
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda entry: entry.name):
            if entry.name != MARKER:
                _remove_path(Path(entry.path))
    (folder / MARKER).unlink(missing_ok=True)
    folder.rmdir()


def _swap_folders(new: Path, output: Path) -> None:
    """Put `new` at `output` and what was there at `new`: one atomic exchange where the
    system has one, else three renames (`recover_interrupted` finishes them if killed)."""
    if not _exchange(new, output):
        old = neighbour(output, OLD_SUFFIX)
        output.rename(old)
        new.rename(output)
        old.rename(new)


def _remove_path(target: Path) -> None:
    """Remove a file or a whole folder; a link is unlinked, never followed."""
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    else:
        target.unlink(missing_ok=True)


def _remove_link(path: Path) -> None:
    """A link where briefgen keeps a folder of its own is unlinked, never followed."""
    if path.is_symlink():
        path.unlink()


def copy_no_wider(source: Path, target: Path) -> None:
    """Copy `source` to the new file `target`, never with a wider mode than the source's.

    A file only its owner and group may read (0640) must not become readable by
    everyone on the way to the site: the copy is made with the source's read and
    write bits, which the umask narrows further, and never executable."""
    with source.open("rb") as reading:
        mode = stat.S_IMODE(os.fstat(reading.fileno()).st_mode) & 0o666
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(descriptor, "wb") as writing:
            shutil.copyfileobj(reading, writing)


def _link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links: a copy, with its modification time
        shutil.copy2(source, target)


def _files_by_inode(folder: Path) -> dict[str, int]:
    """Every regular file under `folder` (relative path -> inode), without following links."""
    found: dict[str, int] = {}
    pending = [(folder, "")]
    while pending:
        current, prefix = pending.pop()
        with os.scandir(current) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((Path(entry.path), f"{prefix}{entry.name}/"))
                elif entry.is_file(follow_symlinks=False):
                    found[f"{prefix}{entry.name}"] = entry.inode()
    return found


def folder_identity(folder: Path) -> str:
    """The folder's device and inode: another folder at the same path has another identity."""
    try:
        status = folder.stat()
    except OSError:
        return ""
    return f"{status.st_dev}:{status.st_ino}"


def _make_marked_folder(folder: Path) -> None:
    """Make one of briefgen's folders beside the output, its marker written first:
    killed before the marker, it is empty, and the next build may still remove it."""
    try:
        folder.mkdir(parents=True)
        (folder / MARKER).write_bytes(MARKER_TEXT)
    except OSError as exc:
        raise OutputError(f"cannot create the staging folder {folder}: {exc.strerror}") from exc


def _remove_empty_folders(folder: Path, output: Path) -> None:
    while folder != output and folder.is_relative_to(output):
        try:
            folder.rmdir()
        except OSError:  # not empty, or already gone
            return
        folder = folder.parent


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
