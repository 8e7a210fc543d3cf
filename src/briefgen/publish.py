"""The pages rendered and written by forked workers, and the site they make swapped in.

build.py plans the pages and says which way they go out: `write_whole_site` when
no page of the last build is on record (every page is rendered into a staging
folder that is swapped in whole), `update_site` when they are (only the pages
whose inputs changed are rendered, and only files whose bytes changed are moved
in, through the site's twin: write.py). Either way the workers (parallel.py)
each render a page, write it unless the output folder already has those bytes,
and hand back its record: its digest and size, and the briefings whose text it
showed (incremental/reads.py), for the next build to decide what to render again.
Search's index is staged with the pages, so that both are swapped in together.

Not to be confused with published.py, which decides what may leave the site
root as it is (images, static/, theme assets).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from briefgen import urls as paths
from briefgen.digests import digest
from briefgen.filestate import current_state
from briefgen.incremental.cacheindex import PageRecord
from briefgen.incremental.fingerprint import texts_digest
from briefgen.incremental.reads import RecordingBodies
from briefgen.incremental.site import still_there
from briefgen.parallel import parallel_map
from briefgen.plan import PageJob
from briefgen.render import SiteRenderer
from briefgen.search import SearchStep
from briefgen.write import SiteUpdate, StagedSite

ProgressCallback = Callable[[int, int], None]
"""Called with (files done, files in all) as the build goes."""


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


def write_whole_site(
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
        indexed = search.stage_whole(staged.staging)
        staged.commit()
    return len(jobs), len(jobs) + len(copies) + 1 + indexed


def update_site(
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
    if not (stale or stale_copies or removed or search.pending()):
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
        indexed = search.stage_update(update)
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


def render_order(job: PageJob) -> tuple[bool, str]:
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
