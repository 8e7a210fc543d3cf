"""The pipeline, top to bottom: load, index, plan pages, render, write (and search).

    files -> typed briefings -> listings -> pages -> a staged folder -> swapped in

Any error stops the build before the swap, so the previous site stays as it
was. With the cache, unchanged briefings are not parsed again, pages whose
inputs did not change are not rendered again, and only files whose bytes
changed are written: the site's twin (write.py) takes them and is swapped in.

_build_locked reads as the pipeline, a step a function; what the incremental
build decides (fingerprints, the site's inputs, the last build) is in
incremental/site.py. Over 400 lines for the rendering and writing in forked
workers (RenderTask to _render_page), which stays beside the pipeline that
hands them their pages: split out next (a `publish` module), with the spy in
tests/test_incremental.py moved with it.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import itertools
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from briefgen import urls as paths
from briefgen.digests import digest
from briefgen.errors import ArchiveError, DamagedCacheError, OutputError, Problem
from briefgen.exports import RENDERERS, plan_exports
from briefgen.filestate import current_state, root_relative
from briefgen.incremental.cache import CACHE_DIR, BuildCache, PageRecord
from briefgen.incremental.fingerprint import texts_digest
from briefgen.incremental.reads import RecordingBodies
from briefgen.incremental.site import (
    LastBuild,
    inputs_digest,
    page_records,
    pages_shape,
    still_there,
    theme_digest,
)
from briefgen.index import build_index
from briefgen.load import BRIEFINGS_DIR, check_site_root, load_archive
from briefgen.lock import build_lock
from briefgen.model import Archive
from briefgen.parallel import default_workers, parallel_map
from briefgen.published import folder_files
from briefgen.render import PageJob, SiteRenderer, theme_assets
from briefgen.search import BUNDLE_DIR, Pagefind, SearchStep, find_pagefind
from briefgen.searchbundle import ENTRY_FILE
from briefgen.write import MARKER, SiteUpdate, StagedSite, check_output_folder, recover_interrupted

OUTPUT_DIR = "site"
TEMPLATES_DIR = "templates"
STATIC_DIR = "static"

ProgressCallback = Callable[[int, int], None]
"""Called with (files done, files in all) as the build goes."""


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


@dataclass(frozen=True, slots=True)
class RenderTask:
    """What each render worker needs, handed over by fork."""

    renderer: SiteRenderer
    reads: RecordingBodies
    """What the renderer reads briefings' text through: the record of each page's reads."""
    jobs: Sequence[PageJob]
    targets: Sequence[Path]
    """Where to write each page in the staging folder."""
    current: Sequence[Path]
    """Where each page is in the output folder now; read only for pages in `previous`."""
    previous: Mapping[str, PageRecord]


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
    unchanged = last_build.unchanged(site.inputs) if _search_index_intact(request.output, site.pagefind) else None
    if unchanged is not None:  # nothing the site is made from has changed since it was built
        if cache is not None:  # briefings parsed again (touched, or their entries damaged) are kept
            cache.save(cache.state.pages)
        return _report(request, archive, site, cache, pages=unchanged, rendered=0, written=0)
    reads = RecordingBodies(archive.bodies)  # what each page reads of briefings' text, for the cache
    renderer, jobs = _plan_pages(request, archive, site, reads, cache)
    records, rendered, written, search_step = _render_and_write(request, archive, site, renderer, reads, jobs, cache)
    if cache is not None:
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


def _search_index_intact(output: Path, pagefind: Pagefind | None) -> bool:
    """Whether the output's search index is as the build would leave it: there with search, gone without."""
    bundle = output / BUNDLE_DIR
    return (bundle / ENTRY_FILE).is_file() if pagefind is not None else not bundle.exists()


def _plan_pages(
    request: BuildRequest, archive: Archive, site: SiteInputs, reads: RecordingBodies, cache: BuildCache | None
) -> tuple[SiteRenderer, list[PageJob]]:
    """The index, and every page and export to render, in render order (none overlapping a copied file)."""
    renderer = SiteRenderer(
        archive,
        build_index(archive),
        request.root / TEMPLATES_DIR,
        search=site.pagefind is not None,
        python_renderers=RENDERERS,
        bytecode_cache=cache.compiled_templates() if cache is not None else None,
        bodies=reads,
    )
    jobs = sorted([*renderer.plan(), *plan_exports(renderer.index, archive.settings)], key=_render_order)
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
    search_step = SearchStep(site.pagefind, output, cache.folder if cache is not None else None, output_name)
    records: dict[str, PageRecord] = {}
    if previous:  # what changed decides what to render: fingerprints first
        records.update(fingerprints())
        texts = {briefing.path: briefing.fingerprint for briefing in archive.briefings}
        rendered, written = _update_site(
            output, renderer, reads, jobs, site.copies, records, previous, texts, request.workers, request.progress,
            search_step,
        )  # fmt: skip
    else:  # every page renders: fingerprints are made while the workers render
        rendered, written = _write_whole_site(
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


def _write_whole_site(
    output: Path,
    renderer: SiteRenderer,
    reads: RecordingBodies,
    jobs: list[PageJob],
    copies: Mapping[str, Path],
    records: dict[str, PageRecord],
    workers: int,
    progress: ProgressCallback | None,
    search: SearchStep,
    *,
    keep_twin: bool,
    while_rendering: Callable[[], None],
) -> tuple[int, int]:
    """Render every page into a staging folder, index it for search, then swap it in. Returns (rendered, written).

    `records` is filled by `while_rendering`, which _render runs once the workers are at work."""
    with StagedSite(output, keep_twin=keep_twin) as staged:
        staged.write(".nojekyll", b"")  # GitHub Pages: publish the files as they are
        targets = [staged.claim(job.path, make_folder=False) for job in jobs]  # folders: made by the workers
        task = RenderTask(renderer, reads, jobs, targets, current=(), previous={})  # no page to compare with
        _render(task, list(range(len(jobs))), records, workers, progress, len(jobs) + len(copies), while_rendering)
        for path, source in sorted(copies.items()):
            staged.copy(path, source)
        indexed = search.stage_whole(staged.staging, records)
        staged.commit()
    return len(jobs), len(jobs) + len(copies) + 1 + indexed


def _update_site(
    output: Path,
    renderer: SiteRenderer,
    reads: RecordingBodies,
    jobs: list[PageJob],
    copies: Mapping[str, Path],
    records: dict[str, PageRecord],
    previous: Mapping[str, PageRecord],
    texts: Mapping[str, str],
    workers: int,
    progress: ProgressCallback | None,
    search: SearchStep,
) -> tuple[int, int]:
    """Render what changed, and move in only files whose bytes changed, the search index's with them.

    `texts` holds every briefing's fingerprint by path: a page is rendered again when
    the text of a briefing it showed changed. Returns (rendered, written)."""
    stale = [i for i, job in enumerate(jobs) if not still_there(output, job.path, records[job.path], previous, texts)]
    stale_set = set(stale)
    for i, job in enumerate(jobs):
        if i not in stale_set:  # reused as it is: its digest and size stay those on record
            records[job.path] = previous[job.path]
    stale_copies = sorted(p for p in copies if not still_there(output, p, records[p], previous, texts))
    removed = sorted(set(previous) - set(records))
    if not (stale or stale_copies or removed or search.pending(records)):
        return 0, 0
    with SiteUpdate(output, removed) as update:
        targets = [
            update.claim(jobs[i].path, make_folder=False) if i in stale_set else output for i in range(len(jobs))
        ]
        current = [update.current(job.path) if i in stale_set else output for i, job in enumerate(jobs)]
        task = RenderTask(renderer, reads, jobs, targets, current, previous)
        written = _render(task, stale, records, workers, progress, len(jobs) + len(copies))
        for path in stale_copies:
            update.copy(path, copies[path])
        indexed = search.stage_update(update, records)
        update.commit()
    return len(stale), written + len(stale_copies) + indexed


def _render(
    task: RenderTask,
    indices: list[int],
    records: dict[str, PageRecord],
    workers: int,
    progress: ProgressCallback | None,
    total: int,
    while_rendering: Callable[[], None] | None = None,
) -> int:
    """Render the pages at `indices` in parallel, recording each; returns how many were written.

    `while_rendering` runs in this process once the first page is back, so that
    it takes the time the parent would spend waiting for the workers."""
    written, done = 0, total - len(indices)
    # The workers write into the staging folder: the block ends only when none is left, so
    # that an error or a Ctrl-C anywhere in it leaves nobody writing while the folder is removed.
    with parallel_map(_render_page, task, indices, workers) as results:
        first = []
        if while_rendering is not None:
            first = list(itertools.islice(results, 1))  # the workers have started, and go on
            while_rendering()
        for index, content_digest, size, was_written, texts_read, texts in itertools.chain(first, results):
            path = task.jobs[index].path
            records[path] = PageRecord(records[path].fingerprint, content_digest, size, texts_read, texts)
            written += was_written
            done += 1
            if progress is not None:
                progress(done, total)
    return written


def _render_order(job: PageJob) -> tuple[bool, str]:
    """Pages outside briefings/ first, then briefings/ in path order.

    In path order, a day's page, its index.json and its briefings' pages are neighbours,
    so a worker renders them together and reads each body once (model keeps the last few
    read). The pages outside briefings/ (topic and place pages, feeds, source listings)
    take ten to a hundred times as long each: last in path order (sources/, tags/), they
    left one worker rendering them for half a second after the other had finished.
    """
    return not job.path.startswith(paths.ALL_DATES_PATH), job.path


def _render_page(task: RenderTask, index: int) -> tuple[int, str, int, bool, tuple[str, ...], str]:
    """Render one page; write it unless the output folder already has these bytes. Runs in a worker.

    Returns (index, content digest, size, whether written, briefings whose text it shows, their digest)."""
    job = task.jobs[index]
    task.reads.start()
    content = task.renderer.render(job).content
    texts_read = tuple(sorted(task.reads.read))
    texts = texts_digest(task.reads.read) if texts_read else ""
    content_digest = digest(content)
    old = task.previous.get(job.path)
    if old is not None and old.content_digest == content_digest:
        state = current_state(task.current[index])
        if state is not None and state.size == old.size:
            return index, content_digest, len(content), False, texts_read, texts
    task.targets[index].parent.mkdir(parents=True, exist_ok=True)
    task.targets[index].write_bytes(content)
    return index, content_digest, len(content), True, texts_read, texts


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
