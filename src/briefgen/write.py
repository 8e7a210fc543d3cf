"""Safe output: nothing reaches the output folder until everything has been rendered.

Two ways, both staging files in a hidden folder beside the output:

- StagedSite, for a first build (or one with no record of the last): the
  whole new site is written beside the old one and the two folders are
  exchanged in one rename.
- SiteUpdate, for a rebuild: only files whose bytes change are staged; a
  journal then lists them and the files to remove, and they are moved in.
  Unchanged files are not touched, so their modification times stay and a
  deploy step uploads only what changed. A build killed while moving is
  completed by the next one from the journal (`recover_interrupted`).

A build that fails before that point leaves the old site exactly as it was.
Every path is checked to stay inside the output folder.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from briefgen.errors import OutputError

MARKER = ".briefgen-output"
"""Written into every output folder, so that briefgen only ever replaces its own output."""
MARKER_TEXT = b"This folder is written by briefgen build; its contents are replaced on every build.\n"
_RENAME_EXCHANGE = 2
STAGING_SUFFIX = "briefgen-staging"
UPDATE_SUFFIX = "briefgen-update"
OLD_SUFFIX = "briefgen-old"
JOURNAL = ".briefgen-journal"


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
        self.staging = self.output.parent / f".{self.output.name}.{suffix}"
        self.written: set[str] = set()
        self._folders: set[Path] = set()

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is not None and self.staging.exists():
            shutil.rmtree(self.staging, ignore_errors=True)

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
        shutil.copyfile(source, self.claim(path))


class StagedSite(_Staging):
    """A whole new site written next to the output folder, swapped in on commit."""

    def __init__(self, output: Path) -> None:
        super().__init__(output, STAGING_SUFFIX)

    def __enter__(self) -> StagedSite:
        _make_staging(self.staging)
        (self.staging / MARKER).write_bytes(MARKER_TEXT)
        return self

    def commit(self) -> None:
        """Swap the staged site in for the old one, then remove the old one."""
        if self.output.exists():
            if _exchange(self.staging, self.output):
                shutil.rmtree(self.staging)
                return
            old = self.output.parent / f".{self.output.name}.{OLD_SUFFIX}"
            self.output.rename(old)
            self.staging.rename(self.output)
            shutil.rmtree(old)
        else:
            self.staging.rename(self.output)


class SiteUpdate(_Staging):
    """Changed files staged beside an existing site, then moved in by a journal."""

    def __init__(self, output: Path, remove: Iterable[str]) -> None:
        super().__init__(output, UPDATE_SUFFIX)
        self.remove = sorted(safe_relative_path(path).as_posix() for path in remove)

    def __enter__(self) -> SiteUpdate:
        _make_staging(self.staging)
        return self

    def commit(self) -> None:
        # A new marker file (same bytes, new inode) first: the cache trusts its
        # record of the site only with the marker it saw, so a build killed
        # after changing the site but before saving the cache is not trusted.
        marker = self.staging / MARKER
        marker.write_bytes(MARKER_TEXT)
        marker.replace(self.output / MARKER)
        journal = self.staging / JOURNAL
        staged = sorted(p for p in self.written if self.staging.joinpath(*PurePosixPath(p).parts).exists())
        lines = [*(f"put {path}" for path in staged), *(f"remove {path}" for path in self.remove)]
        temporary = journal.with_suffix(".tmp")
        with temporary.open("w", encoding="utf-8") as stream:
            stream.write("\n".join(lines) + "\n")
            stream.flush()
            os.fsync(stream.fileno())
        temporary.replace(journal)  # from here on the update happens, even if this process dies
        _apply_journal(self.output, self.staging)


def recover_interrupted(output: Path) -> set[str]:
    """Finish or discard what a killed build left beside `output`; returns the paths it touched."""
    touched: set[str] = set()
    output = output.resolve()
    update = output.parent / f".{output.name}.{UPDATE_SUFFIX}"
    if (update / JOURNAL).is_file():
        touched = _apply_journal(output, update)
    old = output.parent / f".{output.name}.{OLD_SUFFIX}"
    if not output.exists() and old.is_dir() and not old.is_symlink() and (old / MARKER).is_file():
        old.rename(output)  # killed between the two renames of a swap without renameat2: the last good site
    for suffix in (UPDATE_SUFFIX, STAGING_SUFFIX, OLD_SUFFIX):
        leftover = output.parent / f".{output.name}.{suffix}"
        if leftover.is_symlink():
            leftover.unlink()
        elif leftover.exists():
            shutil.rmtree(leftover)
    return touched


def _make_staging(staging: Path) -> None:
    try:
        staging.mkdir(parents=True)
    except OSError as exc:
        raise OutputError(f"cannot create the staging folder {staging}: {exc.strerror}") from exc


def _apply_journal(output: Path, staging: Path) -> set[str]:
    # Every step can be done twice: a file already moved is no longer staged,
    # a file already removed is missing. So a journal can always be replayed.
    touched: set[str] = set()
    for line in (staging / JOURNAL).read_text(encoding="utf-8").splitlines():
        action, _, path = line.partition(" ")
        pure = safe_relative_path(path)
        target = output.joinpath(*pure.parts)
        touched.add(pure.as_posix())
        if action == "put":
            staged = staging.joinpath(*pure.parts)
            if staged.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                staged.replace(target)
        elif action == "remove":
            target.unlink(missing_ok=True)
            _remove_empty_folders(target.parent, output)
    shutil.rmtree(staging)
    return touched


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
