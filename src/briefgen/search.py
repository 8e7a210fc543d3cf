"""Full-text search: the site's pages indexed by Pagefind, into a static bundle under pagefind/.

Pagefind comes from PyPI as the `pagefind` package with its `bin` extra,
which ships the binary; it is found as that package finds it (the variable
PAGEFIND_BINARY_PATH first, then the packaged binary, then `pagefind` on PATH).
It runs as a command over the written site rather than through the package's
asynchronous service API: on the 5,000-briefing corpus that was about a
quarter faster, and a binary that fails mid-way is an exit status and a
message here, where the service API would wait on its pipe for an answer.

Whether search is on is decided before any page is rendered
(`find_pagefind`), because every page shows the search box only when it is;
only the briefing's article is indexed (the theme marks it with
data-pagefind-body), with its source, its terms of each taxonomy and its year as filters.

When the index is written, so that a reader (and a build killed at any
moment) only ever sees the old site with its old index or the new site with
its new one:

- a whole build indexes the staging folder before it is swapped in;
- a rebuild indexes, before anything is moved in, a shadow of the updated
  site inside its staging folder (every HTML file hard-linked from the staged
  page or, when unchanged, from the output), and only when the pages differ
  from those the index in the output was made from (a digest of every HTML
  file's content, kept in the build cache). Pagefind cannot update an index,
  so it indexes the whole site again; files whose bytes did not change (most
  fragments, which are named by their content) stay as they are, the others
  are staged with the pages, and files no longer made are removed with them.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import signal
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from briefgen.digests import digest
from briefgen.errors import BriefgenError
from briefgen.incremental.cacheindex import PageRecord
from briefgen.searchbundle import ENTRY_FILE, BundleFormatError, make_reproducible
from briefgen.urls import BRIEFING_PAGES_GLOB, SEARCH_BUNDLE_DIR, search_bundle_file_path
from briefgen.write import SiteUpdate, safe_relative_path

BUNDLE_DIR = SEARCH_BUNDLE_DIR
"""Where Pagefind's bundle is, in the output: pagefind/pagefind.js (the search API) and the index."""
STATE_FILE = "search-index"
"""In the cache folder: what the index in the output was made from."""
PROBE_TIMEOUT = 30
_PR_SET_PDEATHSIG = 1


class SearchError(BriefgenError):
    """Pagefind ran but could not index the site."""


@dataclass(frozen=True, slots=True)
class Pagefind:
    """A Pagefind binary that answered."""

    executable: Path
    version: str
    """As it reports itself, e.g. 'pagefind 1.5.2'."""


def find_pagefind() -> Pagefind | str:
    """The Pagefind binary ready to run, or why there is none, in a sentence."""
    try:
        from pagefind.service import get_executable  # noqa: PLC0415 - an optional part of the build
    except ImportError:
        return "the Python package 'pagefind' is not installed (pip install 'pagefind[bin]')"
    try:
        executable = get_executable()
    except OSError as exc:
        return f"its binary could not be found ({exc})"
    if executable is None:
        return "its binary could not be found (pip install 'pagefind[bin]')"
    try:
        result = subprocess.run(  # noqa: S603 - the binary the pagefind package ships, no shell
            [str(executable), "--version"], capture_output=True, text=True, timeout=PROBE_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{executable} could not run ({exc})"
    version = result.stdout.strip()
    if result.returncode != 0 or not version.startswith("pagefind"):
        said = (result.stderr or result.stdout).strip().splitlines()[-1:] or [f"exit status {result.returncode}"]
        return f"{executable} could not run ({said[0]})"
    return Pagefind(executable, version)


def index_site(pagefind: Pagefind, site: Path, bundle: Path) -> None:
    """Index the HTML pages under `site`, writing the bundle into the folder `bundle`."""
    # Only briefing pages carry data-pagefind-body; naming them spares Pagefind
    # reading every listing page only to skip it (a sixth of its time).
    command = [
        str(pagefind.executable),
        "--site",
        str(site),
        "--output-path",
        str(bundle),
        "--glob",
        BRIEFING_PAGES_GLOB,
        "--quiet",
    ]
    try:
        result = subprocess.run(  # noqa: S603 - the binary the pagefind package ships, no shell
            command, capture_output=True, text=True, check=False, preexec_fn=_dies_with(os.getpid())
        )
    except OSError as exc:
        raise SearchError(f"the search index could not be made: {pagefind.executable} could not run ({exc})") from exc
    if result.returncode != 0 or not (bundle / ENTRY_FILE).is_file():
        said = "; ".join(line for line in (result.stderr + result.stdout).splitlines() if line.strip())[-500:]
        raise SearchError(
            f"the search index could not be made (Pagefind exit status {result.returncode}: {said}); "
            "build with --no-search to publish without search"
        )
    try:
        make_reproducible(bundle)
    except (BundleFormatError, OSError, KeyError, TypeError, ValueError) as exc:
        raise SearchError(
            f"the search index Pagefind wrote could not be read ({exc}); "
            "build with --no-search to publish without search"
        ) from exc


def _dies_with(parent: int) -> Callable[[], None]:
    """For a child process: be killed with `parent`, so that no Pagefind writes on into a staging
    folder after its build was killed (the next build removes that folder)."""

    def arrange() -> None:
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError, TypeError):  # not Linux
            return
        if os.getppid() != parent:  # the build died before the line above
            os._exit(1)

    return arrange


def index_digest(pagefind: Pagefind, records: Mapping[str, PageRecord]) -> str:
    """What an index is made from: Pagefind's version and every HTML file's content."""
    parts = [pagefind.version]
    for path in sorted(records):
        if path.endswith(".html"):
            record = records[path]
            parts += [path, record.fingerprint, record.content_digest]
    return digest(*parts)


class SearchStep:
    """The search index of one build: made with the pages, or removed when search is off.

    `pagefind` is None when the site has no search. `cache` is the build
    cache's folder, where the digest of the index in the output is kept
    (None without a cache: then every build is a whole build).
    """

    def __init__(self, pagefind: Pagefind | None, output: Path, cache: Path | None, output_name: str = "") -> None:
        self.pagefind = pagefind
        self.output = output
        self.cache = cache
        self.output_name = output_name or str(output.resolve())
        """The output folder as the state records it: relative to the site root when in it (filestate.root_relative)."""
        self._state: str | None = None
        """What the index staged by this build is made from; None until one was staged."""

    def _wanted_state(self, records: Mapping[str, PageRecord]) -> str:
        if self.pagefind is None:
            return ""
        return f"{self.output_name} {index_digest(self.pagefind, records)}"

    def stage_whole(self, staging: Path, records: Mapping[str, PageRecord]) -> int:
        """Index a whole staged site into its pagefind/ folder; returns the files written."""
        self._state = self._wanted_state(records)
        if self.pagefind is None:
            return 0
        index_site(self.pagefind, staging, staging / BUNDLE_DIR)
        return sum(1 for p in (staging / BUNDLE_DIR).rglob("*") if p.is_file())

    def pending(self, records: Mapping[str, PageRecord]) -> bool:
        """Whether the index in the output is not the one these pages need."""
        bundle = self.output / BUNDLE_DIR
        if self.pagefind is None:
            return bundle.exists()
        return read_search_state(self.cache) != self._wanted_state(records) or not (bundle / ENTRY_FILE).is_file()

    def stage_update(self, update: SiteUpdate, records: Mapping[str, PageRecord]) -> int:
        """Stage the index changes of a rebuild into `update`, to be moved in with the pages.

        Pagefind indexes a shadow of the updated site, inside the staging folder:
        each HTML file hard-linked from the staged page when it changed, else
        from the output. Returns the files staged.
        """
        self._state = self._wanted_state(records)
        current = self.output / BUNDLE_DIR
        old = (
            {p.relative_to(current).as_posix() for p in current.rglob("*") if p.is_file()}
            if current.is_dir()
            else set()
        )
        if self.pagefind is None:
            _remove_also(update, [search_bundle_file_path(name) for name in sorted(old)])
            return 0
        if not self.pending(records):
            return 0
        shadow = update.staging / ".briefgen-search"
        _link_pages(shadow / "site", update, [path for path in records if path.endswith(".html")])
        index_site(self.pagefind, shadow / "site", shadow / BUNDLE_DIR)
        made = {
            p.relative_to(shadow / BUNDLE_DIR).as_posix(): p for p in (shadow / BUNDLE_DIR).rglob("*") if p.is_file()
        }
        changed = sorted(name for name, file in made.items() if not _same_bytes(file, current / name))
        for name in changed:
            made[name].replace(update.claim(search_bundle_file_path(name)))
        _remove_also(update, [search_bundle_file_path(name) for name in sorted(old - set(made))])
        shutil.rmtree(shadow)
        return len(changed)

    def save_state(self) -> None:
        """Record what the index now in the output was made from; after the site was committed."""
        if self.cache is None or self._state is None:
            return
        self.cache.mkdir(parents=True, exist_ok=True)
        temporary = self.cache / f"{STATE_FILE}.tmp"
        temporary.write_text(self._state + "\n", encoding="utf-8")
        temporary.replace(self.cache / STATE_FILE)


def read_search_state(cache: Path | None) -> str:
    """What the search index now in the output was made from, as the last build recorded it."""
    if cache is None:
        return ""
    try:
        return (cache / STATE_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def _link_pages(shadow: Path, update: SiteUpdate, paths: list[str]) -> None:
    for path in paths:
        staged = update.staging / path
        source = staged if staged.is_file() else update.current(path)
        target = shadow / path
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except OSError:  # a file system without hard links: copy instead
            shutil.copyfile(source, target)


def _remove_also(update: SiteUpdate, paths: list[str]) -> None:
    update.remove = sorted({*update.remove, *(safe_relative_path(path).as_posix() for path in paths)})


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()
    except OSError:
        return False
