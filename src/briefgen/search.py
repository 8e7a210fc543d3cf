"""Full-text search: one Pagefind index of the briefings, assembled from an entry per briefing, under pagefind/.

Pagefind comes from PyPI as the `pagefind` package with its `bin` extra,
which ships the binary; it is found as that package finds it (the variable
PAGEFIND_BINARY_PATH first, then the packaged binary, then `pagefind` on PATH).
Whether search is on is decided before any page is rendered
(`searchrun.find_pagefind`), because every page shows the search box only when it is.

Pagefind ranks with statistics over all the pages of a language's index, so
the index stays one (per language, as Pagefind makes it), and a rebuild
still does work in proportion to the edit:

- each briefing's document (searchdocs.py) has an entry in the build cache
  (incremental/searchentries.py), keyed by a digest of the document, its
  address, Pagefind's version, DOCUMENTS_VERSION and the entries' format:
  everything Pagefind's index holds for that page (pagefindformat.py);
- the documents without an entry on record are given to the `pagefind`
  command as pages in a scratch folder of the staging (searchrun.py), in
  batches, and the bundles it writes are split into entries;
- the site's bundle is assembled from every entry by Pagefind's own rules
  (pagefindassembly.py), pages numbered by date then address, so that it is
  the bundle one Pagefind run over all the documents in that order writes
  (its word chunks byte for byte; its filters in sorted order, not a hash
  map's), the same bytes for the same briefings whatever was indexed when.
  Pagefind's own files (pagefind.js, its worker and stemming modules) are
  those of its runs, kept in the cache with the entries.

The assembled index is kept (pagefindkept.py) in the cache, and in the
process for `serve`'s next build: a rebuild updates it in place with the
entries that changed, reading no other entry, and encodes and compresses
again only what their words changed. A briefing's document key is known by
what the briefing was made from (`_documents`), so that no unchanged
briefing's text is read either. Where the output lost the index's files (a
fresh checkout with its cache restored, as the Pages workflow builds), they
are made again from the kept index and each entry's fragment alone, its words
not read (5,000 briefings: 1.8 s, against 11 s to assemble every entry afresh).

So that a reader (and a build killed at any moment) only ever sees the old
site with its old index or the new site with its new one, a whole build
writes the bundle into the staging folder before it is swapped in, and a
rebuild stages the files whose bytes changed (most fragments, named by their
content, do not) to be moved in with the pages, removing the ones no longer
made. What the index was made from is recorded in the cache (searchstate.py)
only after the swap.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath

from briefgen.digests import digest
from briefgen.filestate import files_under, same_bytes
from briefgen.incremental.searchentries import SearchEntries
from briefgen.model import Archive, Briefing
from briefgen.pagefindassembly import Assembly
from briefgen.pagefindformat import (
    ENTRY_FILE,
    BundleFormatError,
    PageEntry,
    PagefindRun,
    pagefind_hash,
    run_of,
)
from briefgen.pagefindkept import KeptIndex
from briefgen.pagefindmarshal import ENTRY_FORMAT
from briefgen.searchbundle import UNUSED_FILES
from briefgen.searchdocs import document_key, document_url, index_order, search_document
from briefgen.searchrun import IndexDocument, Pagefind, SearchError, index_documents
from briefgen.searchstate import index_in_place, read_search_state, record_search_state
from briefgen.urls import SEARCH_BUNDLE_DIR, search_bundle_file_path
from briefgen.write import SiteUpdate, safe_relative_path

BUNDLE_DIR = SEARCH_BUNDLE_DIR
"""Where Pagefind's bundle is, in the output: pagefind/pagefind.js (the search API) and the index."""
DOCUMENTS_VERSION = "documents 3"
"""Changed when searchdocs makes other documents from the same briefings, or entries are made otherwise:
every briefing is indexed again."""
SCRATCH = ".briefgen-search-documents"
"""In the staging folder: the documents Pagefind indexes, as pages (searchrun.index_documents), removed after."""
PAGEFIND_FILES = ("pagefind.js", "pagefind-worker.js", "wasm.unknown.pagefind")
"""Pagefind's own files every bundle has; a stemming module wasm.<language>.pagefind for some languages."""


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
        self.entries = SearchEntries(cache) if cache is not None else None
        self.archive = archive
        self._briefings: dict[str, Briefing] = {}
        """Each document's briefing, by its key: its HTML is made again only to be indexed."""
        self._document_keys: dict[str, str] = {}
        """What each briefing was made from -> its document's key (_documents)."""
        self._known_keys: dict[str, str] = {}
        if pagefind is not None and archive is not None:
            self._known_keys = self.entries.document_keys() if self.entries is not None else {}
            self.documents = tuple(self._documents(archive))
        self.indexed = 0
        """Documents this build fed to Pagefind."""
        self._state: str | None = None
        """What the index staged by this build is made from; None until one was staged."""
        self._static: dict[str, bytes] | None = None
        """Pagefind's own files, once the entries were gathered (None until then)."""
        self._kept: KeptIndex | None = None
        """The index as this build made it, to be kept for the next (pagefindkept.py)."""
        self._scratch: Path | None = None
        """Where Pagefind is given the documents to index: a folder of the staging, set by `bundle`."""

    def _documents(self, archive: Archive) -> Iterator[IndexDocument]:
        """Every briefing's document, in the index's order. A briefing made from what it was made from when a
        build last made its document (its fingerprint: its file, the parse settings, the sources, briefgen's
        version; the settings whole; the tool) has the same document: its key is the one on record, and its
        HTML is made only if it must be indexed. Reading every briefing's text would cost a rebuild more
        than all the rest of its search step (0.7 s for 1,000 briefings)."""
        settings, bodies, tool = archive.settings, archive.bodies, self._tool()
        settings_digest = digest(repr(settings))
        for briefing in index_order(archive.briefings):
            url = document_url(briefing)
            made_from = digest(tool, url, briefing.path, briefing.fingerprint, settings_digest)
            key = self._known_keys.get(made_from) if briefing.fingerprint else None
            html = ""
            if key is None:
                html = search_document(briefing, bodies.body(briefing), settings)
                key = document_key(url, html, tool)
            if briefing.fingerprint:
                self._document_keys[made_from] = key
            self._briefings[key] = briefing
            yield IndexDocument(key, url, html)

    def _with_html(self, document: IndexDocument) -> IndexDocument:
        if document.html or self.archive is None:
            return document
        briefing = self._briefings[document.key]
        html = search_document(briefing, self.archive.bodies.body(briefing), self.archive.settings)
        return dataclasses.replace(document, html=html)

    def _tool(self) -> str:
        return f"{self.pagefind.version if self.pagefind else ''} {DOCUMENTS_VERSION} entries {ENTRY_FORMAT}"

    def _wanted_state(self) -> str:
        if self.pagefind is None:
            return ""
        return f"{self.output_name} {self._tool()} {digest(*(document.key for document in self.documents))}"

    def pending(self) -> bool:
        """Whether the index in the output is not the one this build's briefings need, or not all there."""
        bundle = self.output / BUNDLE_DIR
        if self.pagefind is None:
            return bundle.exists()
        return read_search_state(self.cache) != self._wanted_state() or not index_in_place(self.output, self.cache)

    def stage_whole(self, staging: Path) -> int:
        """Write the index into the staged site's pagefind/ folder; returns the files written."""
        self._state = self._wanted_state()
        if self.pagefind is None:
            return 0
        files = self.bundle(staging / SCRATCH)
        targets = {
            staging.joinpath(*safe_relative_path(search_bundle_file_path(name)).parts): content
            for name, content in files.items()
        }
        for folder in sorted({target.parent for target in targets}):
            folder.mkdir(parents=True, exist_ok=True)
        # Threads: a file's open and write let go of the GIL (5,000 fragments: about half the time of a loop).
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            list(pool.map(Path.write_bytes, targets, targets.values(), chunksize=64))
        return len(files)

    def stage_update(self, update: SiteUpdate) -> int:
        """Stage the index's files whose bytes changed into `update`, to be moved in with the pages,
        and remove those it no longer has. Returns the files staged."""
        current = self.output / BUNDLE_DIR
        if self.pagefind is None:
            self._state = self._wanted_state()
            _remove_also(update, [search_bundle_file_path(name) for name, _path in files_under(current)])
            return 0
        if not self.pending():
            return 0  # the index in the output is the one wanted, all there, and on record as it is
        self._state = self._wanted_state()
        old = dict(files_under(current))
        files = self.bundle(update.staging / SCRATCH, leave_out_as_written=True)
        as_written = self._kept.as_written if self._kept is not None else set()
        staged = 0
        for name, content in files.items():
            if name not in old or not same_bytes(old[name], content):
                update.claim(search_bundle_file_path(name)).write_bytes(content)
                staged += 1
        gone = old.keys() - files.keys() - as_written
        _remove_also(update, [search_bundle_file_path(name) for name in sorted(gone)])
        return staged

    def bundle(self, scratch: Path, *, leave_out_as_written: bool = False) -> dict[str, bytes]:
        """The index's files (relative path in pagefind/ -> bytes): every briefing's entry, assembled.
        `scratch`, a folder of the staging, holds what Pagefind is given while it runs. With
        `leave_out_as_written`, files the kept index finds in the output as it wrote them are left out
        (named in its `as_written`).

        The index kept from the last build is updated in place when it can be
        (pagefindkept.py): only the entries of briefings it does not have are read
        or made. Otherwise every entry is read and the index assembled afresh."""
        assert self.pagefind is not None
        kept = self._kept_index()
        known = kept.pages() if kept is not None else {}
        self._scratch = scratch
        entries = self._gather([d for d in self.documents if d.key not in known], {k: p.wasm for k, p in known.items()})
        try:
            run = self._run(bool(self.documents))
            if kept is not None and kept.run == run:
                files = self._updated(kept, entries, leave_out_as_written)
                if files is not None:
                    self._kept = kept
                    return files
            entries.update(self._gather([d for d in self.documents if d.key not in entries], {}))
            ordered = [entries[document.key] for document in self.documents]
            assembly = Assembly(run)
            assembly.update(ordered)
            files = assembly.files()
            self._kept = KeptIndex.of_assembly(assembly, {d.url: d.key for d in self.documents}, files)
        except BundleFormatError as exc:
            raise SearchError(f"the search index could not be assembled ({exc})") from exc
        return files

    def _updated(
        self, kept: KeptIndex, entries: Mapping[str, PageEntry], leave_out_as_written: bool
    ) -> dict[str, bytes] | None:
        """The kept index updated to this build's briefings; None when it must be assembled afresh."""
        assert self.entries is not None
        pages = [(document.key, entries.get(document.key)) for document in self.documents]
        added = kept.update(pages, self.entries.entry)
        if added is None:
            return None
        fragments = {f"{e.language}_{pagefind_hash(e.fragment)}": e.fragment for e in added.values()}
        return kept.files(
            fragments, self._size_in_output if leave_out_as_written else self._in_output, self.entries.fragment
        )

    def _in_output(self, name: str) -> bytes | None:
        """A file of the index as the output has it now (the kept index reuses its unchanged chunks)."""
        try:
            return self._output_path(name).read_bytes()
        except OSError:
            return None

    def _size_in_output(self, name: str) -> int | None:
        """The size of that file, when only whether it is as written matters (not its bytes)."""
        try:
            return self._output_path(name).stat().st_size
        except OSError:
            return None

    def _output_path(self, name: str) -> Path:
        return (self.output / BUNDLE_DIR).joinpath(*PurePosixPath(name).parts)

    def _kept_index(self) -> KeptIndex | None:
        """The index the last build left, when the output has it: from this process, else from the cache."""
        if self.entries is None:
            return None
        on_record = read_search_state(self.cache)
        # Taken out while this build changes it: a build that fails leaves nothing half-changed behind.
        remembered = _KEPT.pop(str(self.output.resolve()), None)
        if remembered is not None and remembered[0] == on_record:
            return remembered[1]
        return self.entries.kept_index(on_record)

    def _gather(self, documents: Sequence[IndexDocument], wasm_of: Mapping[str, str | None]) -> dict[str, PageEntry]:
        """The entries of `documents` by key: from the cache, else made by Pagefind (which also gives its own
        files, for a language whose stemming module the cache lacks among `wasm_of`: known pages' modules)."""
        found: dict[str, PageEntry] = {}
        if self.entries is not None:
            for document in documents:
                entry = self.entries.entry(document.key)
                if entry is not None and entry.url == document.url:
                    found[document.key] = entry
        missing = [document for document in documents if document.key not in found]
        static = self._static if self._static is not None else self._static_files()
        wasm = {**wasm_of, **{key: entry.wasm for key, entry in found.items()}}
        missing += self._for_pagefind_files(static, wasm, bool(missing))
        if missing:
            assert self.pagefind is not None
            missing = [self._with_html(document) for document in missing]
            assert self._scratch is not None, "documents are indexed only while a bundle is made"
            keep = self.entries.put_marshalled if self.entries is not None else None
            made, run_files = index_documents(self.pagefind.executable, missing, self._scratch, keep)
            self.indexed += len(missing)
            found.update(made)
            static = {**static, **run_files}
            if self.entries is not None:
                self.entries.put_static_files(self._version(), static)
        self._static = static
        return found

    def _version(self) -> str:
        assert self.pagefind is not None
        return self.pagefind.version

    def _static_files(self) -> dict[str, bytes]:
        return self.entries.static_files(self._version()) if self.entries is not None else {}

    def _for_pagefind_files(
        self, static: Mapping[str, bytes], wasm_of: Mapping[str, str | None], running: bool
    ) -> list[IndexDocument]:
        """Documents to index again though their entries are known, for Pagefind's own files the cache lacks:
        a page of each language whose stemming module is missing, and the first page when no run is
        `running` to give the files every bundle has."""
        again: dict[str, IndexDocument] = {}
        if not running and self.documents and not {*PAGEFIND_FILES, ENTRY_FILE} <= static.keys():
            again[self.documents[0].key] = self.documents[0]
        languages = set()
        for document in self.documents:
            wasm = wasm_of.get(document.key)
            if wasm is None or wasm in languages:
                continue
            languages.add(wasm)  # one page of the language is enough
            if f"wasm.{wasm}.pagefind" not in static:
                again.setdefault(document.key, document)
        return list(again.values())

    def _run(self, any_page: bool) -> PagefindRun:
        """Pagefind's version, options and own files, as its runs gave them."""
        static = self._static or {}
        if ENTRY_FILE not in static:
            if any_page:
                raise SearchError("the search index could not be made: no Pagefind run gave its own files")
            return PagefindRun(self._version().removeprefix("pagefind "), (), {})
        run = run_of(static)
        return PagefindRun(
            run.version,
            run.include_characters,
            {name: content for name, content in run.static_files.items() if name not in UNUSED_FILES},
        )

    def damaged_entries(self) -> list[str]:
        """The cache's entries that failed their check in this build (made again by Pagefind), as cache files."""
        return sorted(f"search/{key}" for key in self.entries.damaged) if self.entries is not None else []

    def save_state(self) -> None:
        """Record what the index now in the output was made from, after the site was committed;
        remove the entries no briefing of this build has."""
        if self.cache is None:
            return
        if self._state is not None:
            record_search_state(self.cache, self._state, self.output / BUNDLE_DIR)
        if self.entries is not None and self._state is not None and self._kept is not None:
            self.entries.put_kept_index(self._state, self._kept.to_pieces())
            if self._document_keys != self._known_keys:
                self.entries.put_document_keys(self._document_keys)
            self.entries.keep_only(self._version(), self._kept.keys())
            _KEPT.clear()  # one kept: a process that builds other sites lets the last one go
            _KEPT[str(self.output.resolve())] = (self._state, self._kept)
        elif self.entries is not None:
            self.entries.remove_temporaries()


_KEPT: dict[str, tuple[str, KeptIndex]] = {}
"""The index the last build of an output folder in this process left, with the state it was recorded
under: `serve`'s next build updates it without reading it from the cache."""


def _remove_also(update: SiteUpdate, names: list[str]) -> None:
    update.remove = sorted({*update.remove, *(safe_relative_path(name).as_posix() for name in names)})
