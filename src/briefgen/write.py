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
output folder, and the output folder not to be one a build would damage
(check_output_folder). The folders beside it are briefgen's own, marked as
such, and never removed otherwise (neighbours.py). A copied file's mode is
never wider than its source's.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

from briefgen.errors import OutputError
from briefgen.interrupts import uninterrupted
from briefgen.neighbours import (
    MARKER,
    MARKER_TEXT,
    STAGING_SUFFIX,
    TWIN_SUFFIX,
    UPDATE_SUFFIX,
    is_marked,
    make_marked_folder,
    neighbour,
    remove_leftover,
    remove_link,
    remove_own_folder,
    remove_path,
    swap_folders,
)

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
                remove_own_folder(self.staging)

    def _make(self) -> None:
        """Make the staging folder, marked as briefgen's before anything else is put in it."""
        # Made and known as made in one step: a Ctrl-C between the two left the folder to no one.
        with uninterrupted():
            make_marked_folder(self.staging)
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
        remove_leftover(twin.folder, self.output)  # it was the twin of the site being replaced
        if not self.output.exists():
            self.staging.rename(self.output)
            return
        swap_folders(self.staging, self.output)
        if self.keep_twin:
            self.staging.rename(twin.folder)  # with no record: the next rebuild mirrors it whole
        else:
            remove_own_folder(self.staging)


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
        remove_own_folder(self.staging)


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
            remove_leftover(self.folder, self.output)
            self._apply(None, staging, staged, removed)
        self.changed = sorted({*staged, *removed})

    def swap(self) -> None:
        """Exchange the twin with the output folder, then record how the new twin differs."""
        swap_folders(self.folder, self.output)
        record = self.folder / TWIN_RECORD
        temporary = record.with_name(f"{TWIN_RECORD}.tmp")
        temporary.write_text("\n".join([folder_identity(self.output), *self.changed]) + "\n", encoding="utf-8")
        temporary.replace(record)

    def _take_record(self) -> set[str] | None:
        """The paths where the twin may differ from the output folder; None when unknown.

        The record is removed as it is read: from here until the swap the twin
        is half-way, and a build killed meanwhile leaves the next one no record.
        """
        remove_link(self.folder)
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
            remove_path(target)
            _remove_empty_folders(target.parent, self.folder)
        for path in staged:
            pure = safe_relative_path(path)
            target = self.folder.joinpath(*pure.parts)
            remove_path(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            staging.joinpath(*pure.parts).replace(target)

    def _follow_output(self, path: str) -> None:
        """Make the twin's `path` what the output folder has there."""
        pure = safe_relative_path(path)
        source, target = self.output.joinpath(*pure.parts), self.folder.joinpath(*pure.parts)
        remove_path(target)
        if source.is_file() and not source.is_symlink():
            _link(source, target)
        else:
            _remove_empty_folders(target.parent, self.folder)

    def _mirror_output(self) -> None:
        """Make the whole twin a copy of the output folder, file by file, by hard links."""
        if not self.folder.is_dir():
            make_marked_folder(self.folder)
        elif not is_marked(self.folder):  # empty: made, then killed before its marker
            (self.folder / MARKER).write_bytes(MARKER_TEXT)
        wanted = _files_by_inode(self.output)
        present = _files_by_inode(self.folder)
        # The marker is replaced in one rename, never removed: killed at any moment, the twin is still briefgen's.
        if MARKER in wanted and present.pop(MARKER, None) != wanted.pop(MARKER):
            temporary = self.folder / f"{MARKER}.tmp"
            remove_path(temporary)
            _link(self.output / MARKER, temporary)
            temporary.replace(self.folder / MARKER)
        for path in sorted(present.keys() - wanted.keys(), reverse=True):
            target = self.folder / path
            remove_path(target)
            _remove_empty_folders(target.parent, self.folder)
        for path, inode in sorted(wanted.items()):
            if present.get(path) != inode:
                target = self.folder / path
                remove_path(target)
                _link(self.output / path, target)


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


def _remove_empty_folders(folder: Path, output: Path) -> None:
    while folder != output and folder.is_relative_to(output):
        try:
            folder.rmdir()
        except OSError:  # not empty, or already gone
            return
        folder = folder.parent
