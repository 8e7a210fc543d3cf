"""The pipeline, top to bottom: load, index, plan pages, render, write (and search).

    files -> typed briefings -> listings -> pages -> a staged folder -> swapped in

Any error stops the build before the swap, so the previous site stays as it
was. With the cache, unchanged briefings are not parsed again, pages whose
inputs did not change are not rendered again, and only files whose bytes
changed are written: the site's twin (write.py) takes them and is swapped in.

_build_locked reads as the pipeline, a step a function; what the incremental
build decides (fingerprints, the site's inputs, the last build) is in
incremental/site.py, and the rendering and writing in forked workers, a whole
site or only what changed, is in publish.py.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from briefgen import urls as paths
from briefgen.errors import ArchiveError, DamagedCacheError, OutputError, Problem
from briefgen.exports import RENDERERS, plan_exports
from briefgen.filestate import root_relative
from briefgen.incremental.cache import CACHE_DIR, BuildCache
from briefgen.incremental.cacheindex import PageRecord
from briefgen.incremental.reads import RecordingBodies
from briefgen.incremental.site import (
    LastBuild,
    inputs_digest,
    page_records,
    pages_in_place,
    pages_shape,
    theme_digest,
)
from briefgen.index import build_index
from briefgen.load import BRIEFINGS_DIR, check_site_root, load_archive
from briefgen.lock import build_lock
from briefgen.model import Archive
from briefgen.neighbours import MARKER, recover_interrupted
from briefgen.parallel import default_workers
from briefgen.plan import PageJob, SitePlan
from briefgen.publish import ProgressCallback, render_order, update_site, write_whole_site
from briefgen.published import folder_files
from briefgen.render import SiteRenderer, theme_assets
from briefgen.search import BUNDLE_DIR, SearchStep
from briefgen.searchrun import Pagefind, find_pagefind
from briefgen.searchstate import index_in_place
from briefgen.write import check_output_folder

OUTPUT_DIR = "site"
TEMPLATES_DIR = "templates"
STATIC_DIR = "static"


@dataclass(frozen=True, slots=True)
class BuildReport:
    briefings: int
    pages: int
    """Files made from templates."""
    rendered: int
    """Pages rendered by this build; the others were reused from the previous one."""
    written: int
    """Files written anew, copies included; the others kept their previous bytes and time."""
    files: int
    seconds: float
    warnings: tuple[Problem, ...]
    output: Path
    search: bool = False
    """Whether the site has full-text search (a search box, a search page and Pagefind's index)."""
    notices: tuple[str, ...] = ()
    """Warnings about the build rather than a briefing, such as search being off because Pagefind cannot run."""

    @property
    def reused(self) -> int:
        return self.pages - self.rendered


def build_site(
    root: Path,
    *,
    output: Path | None = None,
    base_url: str | None = None,
    include_drafts: bool = False,
    progress: ProgressCallback | None = None,
    use_cache: bool = True,
    workers: int | None = None,
    search: bool = True,
) -> BuildReport:
    """Build the site root `root` into `output` (default root/site); with `search`, index it with Pagefind."""
    started = time.perf_counter()
    check_site_root(root)  # before the lock, the cache and the output folder are made
    output = output if output is not None else root / OUTPUT_DIR
    request = BuildRequest(
        root, output, base_url, include_drafts, progress, use_cache, workers or default_workers(), search, started
    )
    sources = [root / BRIEFINGS_DIR, root / TEMPLATES_DIR, root / STATIC_DIR, root / CACHE_DIR]
    check_output_folder(output, root=root, protected=sources)
    with build_lock(output, root / CACHE_DIR if use_cache else None), _fewer_collections():
        try:
            return _build_locked(request, trust_packs=True)
        except DamagedCacheError:
            # A body failed its check as a page read it, though its pack was as the last build
            # left it (altered in place, its time put back): once more, every body checked first.
            return _build_locked(request, trust_packs=False)


@dataclass(frozen=True, slots=True)
class BuildRequest:
    """What build_site was asked for, with the output folder and the workers settled."""

    root: Path
    output: Path
    base_url: str | None
    include_drafts: bool
    progress: ProgressCallback | None
    use_cache: bool
    workers: int
    search: bool
    started: float
    """perf_counter() when the build began, for the report."""


@dataclass(frozen=True, slots=True)
class SiteInputs:
    """What the site is made from besides the briefings' own files, and the digests of it all."""

    pagefind: Pagefind | None
    """Pagefind, when the site has search and it can run."""
    notices: tuple[str, ...]
    copies: Mapping[str, Path]
    """Output path -> file copied as it is (files_to_copy)."""
    warnings: tuple[Problem, ...]
    theme: str
    shape: str
    """What every page's context is made from, briefings' text left out (incremental/site.py)."""
    inputs: str
    """Everything the whole site is made from, in one digest."""


def _build_locked(request: BuildRequest, *, trust_packs: bool) -> BuildReport:
    """The build itself, run while no other build may write the same output or cache:
    load, stop when nothing changed, index and plan the pages, render and write them (search with them)."""
    recover_interrupted(request.output)
    cache = BuildCache(request.root / CACHE_DIR, trust_packs=trust_packs) if request.use_cache else None
    archive, warnings = _load(request, cache)
    site = _site_inputs(request, archive, warnings)
    last_build = LastBuild(cache, request.output)
    unchanged = last_build.unchanged(site.inputs)
    if unchanged is not None and not _output_in_place(request.output, site.pagefind, cache):
        unchanged = None  # a file of the output was removed or cut short since: the build makes it again
    if unchanged is not None:  # nothing the site is made from has changed since it was built
        if cache is not None:  # briefings parsed again (touched, or their entries damaged) are kept
            cache.save(cache.state.pages)
        return _report(request, archive, site, cache, pages=unchanged, rendered=0, written=0)
    reads = RecordingBodies(archive.bodies)  # what each page reads of briefings' text, for the cache
    renderer, jobs = _plan_pages(request, archive, site, reads, cache)
    records, rendered, written, search_step = _render_and_write(request, archive, site, renderer, reads, jobs, cache)
    if cache is not None:
        cache.damaged.update(search_step.damaged_entries())  # counted in the one warning about the cache
        cache.save(records, request.output, site.shape)
    search_step.save_state()
    last_build.record(site.inputs, len(jobs))
    return _report(request, archive, site, cache, pages=len(jobs), rendered=rendered, written=written, files=records)


def _load(request: BuildRequest, cache: BuildCache | None) -> tuple[Archive, tuple[Problem, ...]]:
    """The archive and its warnings; with the briefings parsed so far kept in the cache when it has errors."""
    try:
        loaded = load_archive(
            request.root,
            base_url=request.base_url,
            include_drafts=request.include_drafts,
            cache=cache,
            workers=request.workers,
        )
    except ArchiveError:
        if cache is not None:  # keep the briefings parsed so far for the build after the fix
            cache.save(cache.state.pages)
        raise
    gc.freeze()  # the archive lives as long as the build: collections need not walk it again
    return loaded


def _site_inputs(request: BuildRequest, archive: Archive, warnings: tuple[Problem, ...]) -> SiteInputs:
    pagefind, notices = _search_tool(request.search)
    copies, left_out = files_to_copy(request.root, archive)
    theme = theme_digest(request.root / TEMPLATES_DIR, archive)
    shape = pages_shape(theme, archive, search=pagefind is not None)
    inputs = inputs_digest(request.root, shape, archive, copies, pagefind, request.include_drafts)
    return SiteInputs(pagefind, notices, copies, (*warnings, *left_out), theme, shape, inputs)


def _output_in_place(output: Path, pagefind: Pagefind | None, cache: BuildCache | None) -> bool:
    """Whether the output is all there as the last build left it: its pages, and its search index (there with
    search, gone without). Without a cache nothing is on record: not."""
    if cache is None:
        return False
    bundle = output / BUNDLE_DIR
    index = index_in_place(output, cache.folder) if pagefind is not None else not bundle.exists()
    return index and pages_in_place(output, cache.pages_in(output))


def _plan_pages(
    request: BuildRequest, archive: Archive, site: SiteInputs, reads: RecordingBodies, cache: BuildCache | None
) -> tuple[SiteRenderer, list[PageJob]]:
    """The renderer, and every page (plan.py) and export to render, in render order (none overlapping a copied file)."""
    archive_index = build_index(archive)
    pages = SitePlan(archive, archive_index, search=site.pagefind is not None)
    renderer = SiteRenderer(
        archive,
        request.root / TEMPLATES_DIR,
        python_renderers=RENDERERS,
        bytecode_cache=cache.compiled_templates() if cache is not None else None,
        bodies=reads,
    )
    jobs = sorted([*pages.jobs(), *plan_exports(archive_index, archive.settings)], key=render_order)
    _refuse_overlaps({job.path for job in jobs}, site.copies)
    return renderer, jobs


def _render_and_write(
    request: BuildRequest,
    archive: Archive,
    site: SiteInputs,
    renderer: SiteRenderer,
    reads: RecordingBodies,
    jobs: list[PageJob],
    cache: BuildCache | None,
) -> tuple[dict[str, PageRecord], int, int, SearchStep]:
    """Render and write the site: only what changed when the last build's pages are on record, else all of it.

    Returns every output file's record, how many pages were rendered and files written, and the search step."""
    root, output = request.root, request.output
    previous: Mapping[str, PageRecord] = {}
    if cache is not None and (output / MARKER).is_file():
        previous = cache.pages_in(output)
    same_shape = cache is not None and cache.pages_shape() == site.shape
    fingerprints = functools.partial(page_records, root, site.theme, jobs, site.copies, previous if same_shape else {})
    output_name = root_relative(output.resolve(), root.resolve())
    search_step = SearchStep(
        site.pagefind,
        output,
        cache.folder if cache is not None else None,
        output_name,
        archive=archive,
        workers=request.workers,
    )
    records: dict[str, PageRecord] = {}
    if previous:  # what changed decides what to render: fingerprints first
        records.update(fingerprints())
        texts = {briefing.path: briefing.fingerprint for briefing in archive.briefings}
        rendered, written = update_site(
            output, renderer, reads, jobs, site.copies, records, previous, texts, request.workers, request.progress,
            search_step,
        )  # fmt: skip
    else:  # every page renders: fingerprints are made while the workers render
        rendered, written = write_whole_site(
            output,
            renderer,
            reads,
            jobs,
            site.copies,
            records,
            request.workers,
            request.progress,
            search_step,
            keep_twin=cache is not None,
            while_rendering=lambda: _while_rendering(records, fingerprints, cache),
        )
    return records, rendered, written, search_step


def _report(
    request: BuildRequest,
    archive: Archive,
    site: SiteInputs,
    cache: BuildCache | None,
    *,
    pages: int,
    rendered: int,
    written: int,
    files: Mapping[str, PageRecord] | None = None,
) -> BuildReport:
    """The report of a build; `files`: every output file's record, or None when no page was planned."""
    return BuildReport(
        briefings=len(archive.briefings),
        pages=pages,
        rendered=rendered,
        written=written,
        files=len(files) if files is not None else pages + len(site.copies),
        seconds=time.perf_counter() - request.started,
        warnings=site.warnings,
        output=request.output,
        search=site.pagefind is not None,
        notices=_with_cache_notice(site.notices, cache),
    )


def _with_cache_notice(notices: tuple[str, ...], cache: BuildCache | None) -> tuple[str, ...]:
    """The build's notices, and one more when anything in the cache failed its check."""
    notice = cache.damage_notice() if cache is not None else None
    return (*notices, notice) if notice is not None else notices


def _while_rendering(
    records: dict[str, PageRecord], fingerprints: Callable[[], dict[str, PageRecord]], cache: BuildCache | None
) -> None:
    """A cold build's work that needs no rendered page, done while the workers render."""
    records.update(fingerprints())
    if cache is not None:
        cache.pickle_new_entries()


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Python's cyclic garbage collector, run less often while a build runs.

    A build makes millions of objects that live until its end (parsed nodes,
    briefings, records) and few reference cycles. With the default threshold,
    collections walking them again and again took a tenth of a rebuild's time
    and half a second of a cold build's. The archive is frozen once loaded
    (gc.freeze), which also spares forked workers copying the pages that held it.
    """
    threshold = gc.get_threshold()
    gc.set_threshold(50_000, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()  # `serve` builds again and again in one process: let the old archive go


def _search_tool(wanted: bool) -> tuple[Pagefind | None, tuple[str, ...]]:
    """Pagefind, when search is wanted and it can run; otherwise None, and why when it was wanted."""
    if not wanted:
        return None, ()
    found = find_pagefind()
    if isinstance(found, str):
        return None, (f"search is off: Pagefind could not run: {found}; the site was built without a search box",)
    return found, ()


def files_to_copy(root: Path, archive: Archive) -> tuple[dict[str, Path], tuple[Problem, ...]]:
    """Output path -> file on disk: the theme's assets, static/, and briefing images.

    With the warnings about what was left out: links in static/ and the theme's
    assets, and those folders themselves when they lead out of the site root."""
    problems: list[Problem] = []
    copies = theme_assets(root / TEMPLATES_DIR, root, problems)
    copies.update(folder_files(root / STATIC_DIR, root, problems))
    for briefing in archive.briefings:
        for image in briefing.images:
            copies[paths.briefing_file_path(briefing, image.output_name)] = Path(image.source_path)
    return copies, tuple(sorted(problems))


def _refuse_overlaps(pages: set[str], copies: Mapping[str, Path]) -> None:
    clashes = sorted(pages.intersection(copies))
    if clashes:
        raise OutputError(f"a copied file would replace a generated page: {', '.join(clashes[:5])}")
