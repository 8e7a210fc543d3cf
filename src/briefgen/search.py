"""Full-text search: the briefings indexed by Pagefind, into static bundles under pagefind/.

Pagefind comes from PyPI as the `pagefind` package with its `bin` extra,
which ships the binary; it is found as that package finds it (the variable
PAGEFIND_BINARY_PATH first, then the packaged binary, then `pagefind` on PATH).
It runs as a service (pagefindservice.py), fed each briefing's document made
from the model (searchdocs.py: title, takeaways, text and notes, with its
source, its terms of each taxonomy and its year as filters), never the
written pages.

Whether search is on is decided before any page is rendered
(`find_pagefind`), because every page shows the search box only when it is.

The index is in parts (searchdocs.search_parts), each a bundle in
pagefind/<part>/, listed with its language in pagefind/parts.json, which the
search page reads before it merges them. The cache's STATE_FILE records the
digest of every part in the output: a rebuild indexes again only the parts
whose digest changed, as many at once as the build has workers, and a whole
build every part. So that a reader (and a build killed at any moment) only
ever sees the old site with its old index or the new site with its new one:

- a whole build indexes into the staging folder before it is swapped in;
- a rebuild indexes the changed parts into a folder inside its staging
  folder, and stages the files whose bytes changed (most fragments, named by
  their content, do not) to be moved in with the pages; the files of parts
  no longer made, and those a part no longer has, are removed with them.
  The state is recorded only after the swap.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from briefgen import pagefindservice, searchdocs
from briefgen import urls as paths
from briefgen.errors import BriefgenError
from briefgen.model import Archive, json_text
from briefgen.searchbundle import ENTRY_FILE, UNUSED_FILES, BundleFormatError, make_reproducible
from briefgen.searchdocs import EXCLUDED, SearchPart, part_digest, search_document, search_parts
from briefgen.urls import SEARCH_BUNDLE_DIR, search_bundle_file_path
from briefgen.write import SiteUpdate, safe_relative_path

BUNDLE_DIR = SEARCH_BUNDLE_DIR
"""Where Pagefind's bundle is, in the output: pagefind/pagefind.js (the search API) and the index."""
STATE_FILE = "search-index"
"""In the cache folder: what the index in the output was made from, part by part."""
MANIFEST_FILE = "parts.json"
"""In the bundle folder: each language's parts, which the search page merges."""
DOCUMENTS_VERSION = "documents 2"
"""Changed when searchdocs makes other documents from the same briefings: every part is indexed again."""
PROBE_TIMEOUT = 30


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


class SearchStep:
    """The search index of one build: its parts made with the pages, or removed when search is off.

    `pagefind` is None when the site has no search. `cache` is the build
    cache's folder, where the digest of each part in the output is kept
    (None without a cache: then every build indexes every part).
    """

    def __init__(
        self,
        pagefind: Pagefind | None,
        output: Path,
        cache: Path | None,
        output_name: str = "",
        *,
        archive: Archive | None = None,
        workers: int = 1,
        part_size: int | None = None,
    ) -> None:
        self.pagefind = pagefind
        self.output = output
        self.cache = cache
        self.output_name = output_name or str(output.resolve())
        """The output folder as the state records it: relative to the site root when in it (filestate.root_relative)."""
        self.archive = archive
        self.workers = max(1, workers)
        self.parts: tuple[SearchPart, ...] = ()
        if pagefind is not None and archive is not None:
            # searchdocs.PART_SIZE read now, not when this was defined: a test sets it to make more parts.
            self.parts = search_parts(archive.briefings, archive.settings, part_size or searchdocs.PART_SIZE)
        self.digests = {part.name: part_digest(part, self._tool()) for part in self.parts}
        """Each part's digest, by its name."""
        self._state: str | None = None
        """What the index staged by this build is made from; None until one was staged."""

    def _tool(self) -> str:
        return f"{self.pagefind.version if self.pagefind else ''} {DOCUMENTS_VERSION}"

    def _wanted_state(self) -> str:
        if self.pagefind is None:
            return ""
        return "\n".join([f"{self.output_name} {self._tool()}", *(f"{n} {d}" for n, d in self.digests.items())])

    def _manifest(self) -> bytes:
        """pagefind/parts.json: by language, its pages and its parts' folders, the first the search page's primary."""
        languages: dict[str, dict[str, object]] = {}
        for part in self.parts:
            entry = languages.setdefault(part.language, {"pages": 0, "parts": []})
            entry["pages"] = int(str(entry["pages"])) + len(part.briefings)
            entry["parts"] = [*entry["parts"], f"{part.name}/"]  # type: ignore[misc]
        return json_text({"languages": languages}).encode("utf-8")

    def stage_whole(self, staging: Path) -> int:
        """Index every part into the staged site's pagefind/ folder; returns the files written."""
        self._state = self._wanted_state()
        if self.pagefind is None:
            return 0
        bundle = staging / BUNDLE_DIR
        self._index(self.parts, bundle)
        (bundle / MANIFEST_FILE).write_bytes(self._manifest())
        return sum(1 for p in bundle.rglob("*") if p.is_file())

    def pending(self) -> bool:
        """Whether the index in the output is not the one this build's briefings need."""
        bundle = self.output / BUNDLE_DIR
        if self.pagefind is None:
            return bundle.exists()
        return (
            read_search_state(self.cache) != self._wanted_state()
            or not (bundle / MANIFEST_FILE).is_file()
            or not all((bundle / part.name / ENTRY_FILE).is_file() for part in self.parts)
        )

    def stage_update(self, update: SiteUpdate) -> int:
        """Stage the index changes of a rebuild into `update`, to be moved in with the pages.

        Only the parts whose digest differs from the one on record (or whose
        bundle is missing) are indexed again, into a folder inside the staging
        folder. Returns the files staged."""
        self._state = self._wanted_state()
        current = self.output / BUNDLE_DIR
        old = {name for name, _ in _files_under(current)}
        if self.pagefind is None:
            _remove_also(update, [search_bundle_file_path(name) for name in sorted(old)])
            return 0
        if not self.pending():
            return 0
        on_record = _part_digests(read_search_state(self.cache), self._wanted_state().split("\n", 1)[0])
        changed = [
            part
            for part in self.parts
            if on_record.get(part.name) != self.digests[part.name] or not (current / part.name / ENTRY_FILE).is_file()
        ]
        shadow = update.staging / ".briefgen-search"
        self._index(changed, shadow)
        (shadow / MANIFEST_FILE).write_bytes(self._manifest())
        made = dict(_files_under(shadow))
        kept = {name for name in old if name.split("/", 1)[0] in self.digests} - {
            name for name in old if name.split("/", 1)[0] in {part.name for part in changed}
        }
        staged = sorted(name for name, file in made.items() if not _same_bytes(file, current / name))
        for name in staged:
            made[name].replace(update.claim(search_bundle_file_path(name)))
        _remove_also(update, [search_bundle_file_path(name) for name in sorted(old - kept - set(made))])
        shutil.rmtree(shadow)
        return len(staged)

    def _index(self, parts: tuple[SearchPart, ...] | list[SearchPart], folder: Path) -> None:
        """Index `parts` into folder/<part>/, up to `workers` Pagefind services at once, the largest first.

        Services are started and documents made in this thread (the archive's
        bodies are read here); a thread per service feeds it and waits."""
        assert self.pagefind is not None and self.archive is not None
        running: list[Future[int]] = []
        started: list[subprocess.Popen[bytes]] = []
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            try:
                for part in sorted(parts, key=lambda p: (-len(p.briefings), p.name)):
                    while len(running) >= self.workers:
                        done, _ = wait(running, return_when="FIRST_COMPLETED")
                        for future in done:
                            future.result()  # the first failure stops the build
                        running = [f for f in running if not f.done()]
                    documents = list(self._documents(part))
                    started.append(self._start())
                    running.append(pool.submit(self._write, started[-1], documents, folder / part.name))
                for future in running:
                    future.result()
            except BaseException:
                # The first failure (or Ctrl-C) ends the others at once: the pool waits for its threads.
                for process in started:
                    process.kill()
                raise

    def _documents(self, part: SearchPart) -> Iterator[tuple[str, str]]:
        assert self.archive is not None
        settings, bodies = self.archive.settings, self.archive.bodies
        for briefing in part.briefings:
            yield "/" + paths.briefing_path(briefing), search_document(briefing, bodies.body(briefing), settings)

    def _start(self) -> subprocess.Popen[bytes]:
        assert self.pagefind is not None
        try:
            return pagefindservice.start(self.pagefind.executable)
        except pagefindservice.ServiceError as exc:
            raise SearchError(f"the search index could not be made: {exc}") from exc

    def _write(self, process: subprocess.Popen[bytes], documents: list[tuple[str, str]], bundle: Path) -> int:
        try:
            pages = pagefindservice.write_bundle(process, documents, bundle, EXCLUDED, UNUSED_FILES)
        except pagefindservice.ServiceError as exc:
            raise SearchError(
                f"the search index could not be made ({exc}); build with --no-search to publish without search"
            ) from exc
        if not (bundle / ENTRY_FILE).is_file():
            raise SearchError(
                f"the search index could not be made (Pagefind wrote no {ENTRY_FILE}); "
                "build with --no-search to publish without search"
            )
        try:
            make_reproducible(bundle)
        except (BundleFormatError, OSError, KeyError, TypeError, ValueError) as exc:
            raise SearchError(
                f"the search index Pagefind wrote could not be read ({exc}); "
                "build with --no-search to publish without search"
            ) from exc
        return pages

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


def _part_digests(state: str, head: str) -> dict[str, str]:
    """The digest of each part on record, when the state is of this output and tool (its first line is `head`)."""
    lines = state.split("\n")
    if lines[0] != head:
        return {}
    return dict(line.split(" ", 1) for line in lines[1:] if " " in line)


def _files_under(folder: Path) -> Iterator[tuple[str, Path]]:
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                yield path.relative_to(folder).as_posix(), path


def _remove_also(update: SiteUpdate, names: list[str]) -> None:
    update.remove = sorted({*update.remove, *(safe_relative_path(name).as_posix() for name in names)})


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()
    except OSError:
        return False
