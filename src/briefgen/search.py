"""Full-text search: one Pagefind index of the briefings, assembled from an entry per briefing, under pagefind/.

Pagefind comes from PyPI as the `pagefind` package with its `bin` extra,
which ships the binary; it is found as that package finds it (the variable
PAGEFIND_BINARY_PATH first, then the packaged binary, then `pagefind` on PATH).
Whether search is on is decided before any page is rendered
(`find_pagefind`), because every page shows the search box only when it is.

Pagefind ranks with statistics over all the pages of a language's index, so
the index stays one (per language, as Pagefind makes it), and a rebuild
still does work in proportion to the edit:

- each briefing's document (searchdocs.py) has an entry in the build cache
  (incremental/searchentries.py), keyed by a digest of the document, its
  address, Pagefind's version and DOCUMENTS_VERSION: everything Pagefind's
  index holds for that page (pagefindformat.py);
- the documents without an entry on record are fed to Pagefind as services
  (pagefindservice.py), one per batch, as many at once as the build has
  workers, and the bundles they write are split into entries;
- the site's bundle is assembled from every entry by Pagefind's own rules
  (pagefindassembly.py), pages numbered by date then address, so that it is
  the bundle one Pagefind run over all the documents in that order writes
  (its word chunks byte for byte; its filters in sorted order, not a hash
  map's), the same bytes for the same briefings whatever was indexed when.
  Pagefind's own files (pagefind.js, its worker and stemming modules) are
  those of its runs, kept in the cache with the entries.

The assembly is kept in the process (`serve` builds again and again in one):
there, an edit encodes and compresses again only what its words changed.
So that a reader (and a build killed at any moment) only ever sees the old
site with its old index or the new site with its new one, a whole build
writes the bundle into the staging folder before it is swapped in, and a
rebuild stages the files whose bytes changed (most fragments, named by their
content, do not) to be moved in with the pages, removing the ones no longer
made. What the index was made from is recorded in the cache (STATE_FILE)
only after the swap.
"""

from __future__ import annotations

import math
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from briefgen import pagefindservice
from briefgen.digests import digest
from briefgen.errors import BriefgenError
from briefgen.incremental.searchentries import SearchEntries
from briefgen.model import Archive
from briefgen.pagefindassembly import Assembly
from briefgen.pagefindformat import ENTRY_FILE, BundleFormatError, PageEntry, PagefindRun, run_of, split_bundle
from briefgen.searchbundle import UNUSED_FILES
from briefgen.searchdocs import EXCLUDED, document_key, document_url, index_order, search_document
from briefgen.urls import SEARCH_BUNDLE_DIR, search_bundle_file_path
from briefgen.write import SiteUpdate, safe_relative_path

BUNDLE_DIR = SEARCH_BUNDLE_DIR
"""Where Pagefind's bundle is, in the output: pagefind/pagefind.js (the search API) and the index."""
STATE_FILE = "search-index"
"""In the cache folder: what the index in the output was made from."""
DOCUMENTS_VERSION = "documents 3"
"""Changed when searchdocs makes other documents from the same briefings, or entries are made otherwise:
every briefing is indexed again."""
PROBE_TIMEOUT = 30
BATCH_LEAST = 50
"""Documents a Pagefind service is given at the least: fewer are not worth starting another (0.1 s each)."""
PAGEFIND_FILES = ("pagefind.js", "pagefind-worker.js", "wasm.unknown.pagefind")
"""Pagefind's own files every bundle has; a stemming module wasm.<language>.pagefind for some languages."""


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


@dataclass(frozen=True, slots=True)
class IndexDocument:
    """A briefing as the index is fed it."""

    key: str
    """searchdocs.document_key: its entry's name in the cache."""
    url: str
    html: str


class SearchStep:
    """The search index of one build: made with the pages, or removed when search is off.

    `pagefind` is None when the site has no search. `cache` is the build
    cache's folder, where the entries and the record of the index in the
    output are kept (None without a cache: then every build indexes every
    briefing).
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
    ) -> None:
        self.pagefind = pagefind
        self.output = output
        self.cache = cache
        self.output_name = output_name or str(output.resolve())
        """The output folder as the state records it: relative to the site root when in it (filestate.root_relative)."""
        self.workers = max(1, workers)
        self.documents: tuple[IndexDocument, ...] = ()
        """Every briefing's document, in the index's order (searchdocs.index_order)."""
        if pagefind is not None and archive is not None:
            self.documents = tuple(_documents(archive, self._tool()))
        self.entries = SearchEntries(cache) if cache is not None else None
        self.indexed = 0
        """Documents this build fed to Pagefind."""
        self._state: str | None = None
        """What the index staged by this build is made from; None until one was staged."""
        self._static: dict[str, bytes] | None = None
        """Pagefind's own files, once the entries were gathered (None until then: the cache's entries unread)."""

    def _tool(self) -> str:
        return f"{self.pagefind.version if self.pagefind else ''} {DOCUMENTS_VERSION}"

    def _wanted_state(self) -> str:
        if self.pagefind is None:
            return ""
        return f"{self.output_name} {self._tool()} {digest(*(document.key for document in self.documents))}"

    def pending(self) -> bool:
        """Whether the index in the output is not the one this build's briefings need."""
        bundle = self.output / BUNDLE_DIR
        if self.pagefind is None:
            return bundle.exists()
        return read_search_state(self.cache) != self._wanted_state() or not (bundle / ENTRY_FILE).is_file()

    def stage_whole(self, staging: Path) -> int:
        """Write the index into the staged site's pagefind/ folder; returns the files written."""
        self._state = self._wanted_state()
        if self.pagefind is None:
            return 0
        files = self.bundle()
        for name, content in files.items():
            target = staging.joinpath(*safe_relative_path(search_bundle_file_path(name)).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        return len(files)

    def stage_update(self, update: SiteUpdate) -> int:
        """Stage the index's files whose bytes changed into `update`, to be moved in with the pages,
        and remove those it no longer has. Returns the files staged."""
        self._state = self._wanted_state()
        current = self.output / BUNDLE_DIR
        old = dict(_files_under(current))
        if self.pagefind is None:
            _remove_also(update, [search_bundle_file_path(name) for name in sorted(old)])
            return 0
        if not self.pending():
            return 0
        files = self.bundle()
        staged = 0
        for name, content in files.items():
            if name not in old or not _same_bytes(old[name], content):
                update.claim(search_bundle_file_path(name)).write_bytes(content)
                staged += 1
        _remove_also(update, [search_bundle_file_path(name) for name in sorted(old.keys() - files.keys())])
        return staged

    def bundle(self) -> dict[str, bytes]:
        """The index's files (relative path in pagefind/ -> bytes): every briefing's entry, assembled."""
        assert self.pagefind is not None
        entries = self._entries()
        try:
            return _assembled(self.output, entries, self._run(entries))
        except BundleFormatError as exc:
            raise SearchError(f"the search index could not be assembled ({exc})") from exc

    def _entries(self) -> list[PageEntry]:
        """Every document's entry, in the index's order: from the cache, else made by Pagefind."""
        found: dict[str, PageEntry] = {}
        if self.entries is not None:
            for document in self.documents:
                entry = self.entries.entry(document.key)
                if entry is not None and entry.url == document.url:
                    found[document.key] = entry
        missing = [document for document in self.documents if document.key not in found]
        static = self._static_files()
        missing += self._for_pagefind_files(static, found, bool(missing))
        if missing:
            made, run_files = self._index(missing)
            found.update(made)
            static = {**static, **run_files}
            if self.entries is not None:
                for key, entry in made.items():
                    self.entries.put(key, entry)
                self.entries.put_static_files(self._version(), static)
        self._static = static
        return [found[document.key] for document in self.documents]

    def _version(self) -> str:
        assert self.pagefind is not None
        return self.pagefind.version

    def _static_files(self) -> dict[str, bytes]:
        return self.entries.static_files(self._version()) if self.entries is not None else {}

    def _for_pagefind_files(
        self, static: Mapping[str, bytes], found: Mapping[str, PageEntry], running: bool
    ) -> list[IndexDocument]:
        """Documents to index again though their entries were found, for Pagefind's own files the cache lacks:
        a page of each language whose stemming module is missing, and the first page when no run is
        `running` to give the files every bundle has."""
        again: dict[str, IndexDocument] = {}
        if not running and self.documents and not {*PAGEFIND_FILES, ENTRY_FILE} <= static.keys():
            again[self.documents[0].key] = self.documents[0]
        languages = set()
        for document in self.documents:
            entry = found.get(document.key)
            if entry is None or entry.wasm is None or entry.wasm in languages:
                continue
            languages.add(entry.wasm)  # one page of the language is enough
            if f"wasm.{entry.wasm}.pagefind" not in static:
                again.setdefault(document.key, document)
        return list(again.values())

    def _run(self, entries: Sequence[PageEntry]) -> PagefindRun:
        """Pagefind's version, options and own files, as its runs gave them."""
        static = self._static or {}
        if ENTRY_FILE not in static:
            if entries:
                raise SearchError("the search index could not be made: no Pagefind run gave its own files")
            return PagefindRun(self._version().removeprefix("pagefind "), (), {})
        run = run_of(static)
        return PagefindRun(
            run.version,
            run.include_characters,
            {name: content for name, content in run.static_files.items() if name not in UNUSED_FILES},
        )

    def _index(self, documents: Sequence[IndexDocument]) -> tuple[dict[str, PageEntry], dict[str, bytes]]:
        """Entries of `documents` by key, made by Pagefind services run at once, and Pagefind's own files."""
        batches = _batches(list(documents), self.workers)
        bundles = self._run_services(batches)
        made: dict[str, PageEntry] = {}
        static: dict[str, bytes] = {}
        for batch, files in zip(batches, bundles, strict=True):
            try:
                by_url = {entry.url: entry for entry in split_bundle(files)}
                static.update(_pagefind_files(files))
                for document in batch:
                    made[document.key] = by_url[document.url]
            except (BundleFormatError, KeyError) as exc:
                raise SearchError(
                    f"the search index Pagefind wrote could not be read ({exc}); "
                    "build with --no-search to publish without search"
                ) from exc
        self.indexed += len(documents)
        return made, static

    def _run_services(self, batches: Sequence[Sequence[IndexDocument]]) -> list[dict[str, bytes]]:
        """Each batch's bundle, up to `workers` Pagefind services at once. Services are started in this
        thread; a thread per service feeds it and waits. The first failure (or Ctrl-C) ends the others."""
        futures: list[Future[dict[str, bytes]]] = []
        started: list[subprocess.Popen[bytes]] = []
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            try:
                for batch in batches:
                    while sum(not f.done() for f in futures) >= self.workers:
                        done, _ = wait([f for f in futures if not f.done()], return_when="FIRST_COMPLETED")
                        for future in done:
                            future.result()
                    started.append(self._start())
                    futures.append(pool.submit(_bundle_of, started[-1], [(d.url, d.html) for d in batch]))
                return [future.result() for future in futures]
            except BaseException:
                for process in started:
                    process.kill()
                raise

    def _start(self) -> subprocess.Popen[bytes]:
        assert self.pagefind is not None
        try:
            return pagefindservice.start(self.pagefind.executable)
        except pagefindservice.ServiceError as exc:
            raise SearchError(f"the search index could not be made: {exc}") from exc

    def save_state(self) -> None:
        """Record what the index now in the output was made from, after the site was committed;
        remove the entries no briefing of this build has."""
        if self.cache is None or self._state is None:
            return
        self.cache.mkdir(parents=True, exist_ok=True)
        temporary = self.cache / f"{STATE_FILE}.tmp"
        temporary.write_text(self._state + "\n", encoding="utf-8")
        temporary.replace(self.cache / STATE_FILE)
        if self.entries is not None and self.pagefind is not None and self._static is not None:
            self.entries.keep_used(self._version())


def _documents(archive: Archive, tool: str) -> Iterator[IndexDocument]:
    settings, bodies = archive.settings, archive.bodies
    for briefing in index_order(archive.briefings):
        url = document_url(briefing)
        html = search_document(briefing, bodies.body(briefing), settings)
        yield IndexDocument(document_key(url, html, tool), url, html)


def _batches(documents: list[IndexDocument], workers: int) -> list[list[IndexDocument]]:
    """The documents in up to `workers` batches of about the same size, none under BATCH_LEAST unless it is all."""
    count = max(1, min(workers, len(documents) // BATCH_LEAST))
    size = math.ceil(len(documents) / count)
    return [documents[start : start + size] for start in range(0, len(documents), size)]


def _bundle_of(process: subprocess.Popen[bytes], documents: list[tuple[str, str]]) -> dict[str, bytes]:
    try:
        _pages, files = pagefindservice.bundle_files(process, documents, EXCLUDED)
    except pagefindservice.ServiceError as exc:
        raise SearchError(
            f"the search index could not be made ({exc}); build with --no-search to publish without search"
        ) from exc
    if ENTRY_FILE not in files:
        raise SearchError(
            f"the search index could not be made (Pagefind wrote no {ENTRY_FILE}); "
            "build with --no-search to publish without search"
        )
    return files


def _pagefind_files(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """What a run's bundle gives besides its pages' entries: Pagefind's own files and its pagefind-entry.json
    (whose version and options the assembled bundle takes)."""
    return {**run_of(files).static_files, ENTRY_FILE: files[ENTRY_FILE]}


_LAST_ASSEMBLY: dict[str, Assembly] = {}
"""The last assembly of each output folder in this process: `serve`'s next build updates it."""


def _assembled(output: Path, entries: Sequence[PageEntry], run: PagefindRun) -> dict[str, bytes]:
    key = str(output.resolve())
    assembly = _LAST_ASSEMBLY.get(key)
    if assembly is None or assembly.run != run:
        _LAST_ASSEMBLY.clear()  # one kept: a process that builds other sites lets the last one go
        assembly = _LAST_ASSEMBLY[key] = Assembly(run)
    assembly.update(entries)
    return assembly.files()


def read_search_state(cache: Path | None) -> str:
    """What the search index now in the output was made from, as the last build recorded it."""
    if cache is None:
        return ""
    try:
        return (cache / STATE_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def _files_under(folder: Path) -> Iterator[tuple[str, Path]]:
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                yield path.relative_to(folder).as_posix(), path


def _remove_also(update: SiteUpdate, names: list[str]) -> None:
    update.remove = sorted({*update.remove, *(safe_relative_path(name).as_posix() for name in names)})


def _same_bytes(file: Path, content: bytes) -> bool:
    try:
        return file.stat().st_size == len(content) and file.read_bytes() == content
    except OSError:
        return False
