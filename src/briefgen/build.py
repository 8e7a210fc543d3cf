"""The pipeline, top to bottom: load, index, render, write.

    files -> typed briefings -> listings -> pages -> a staged folder -> swapped in

Any error stops the build before the swap, so the previous site stays as it
was. With the cache, unchanged briefings are not parsed again, pages whose
inputs did not change are not rendered again, and files whose bytes did not
change are hard-linked from the previous site instead of written.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from briefgen import __version__
from briefgen import index as paths
from briefgen.cache import CACHE_DIR, BuildCache, PageRecord, current_state
from briefgen.errors import ArchiveError, OutputError, Problem
from briefgen.fingerprint import Fingerprinter, digest, files_fingerprint
from briefgen.index import build_index
from briefgen.load import BRIEFINGS_DIR, load_archive
from briefgen.model import Archive
from briefgen.parallel import default_workers, parallel_map
from briefgen.render import PageJob, SiteRenderer, builtin_theme_dir, theme_assets
from briefgen.write import StagedSite, check_output_folder, keep_or_write, link_previous

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

    @property
    def reused(self) -> int:
        return self.pages - self.rendered


@dataclass(frozen=True, slots=True)
class RenderTask:
    """What each render worker needs, handed over by fork."""

    renderer: SiteRenderer
    jobs: Sequence[PageJob]
    targets: Sequence[Path]
    previous: Sequence[Path]
    previous_digests: Sequence[str | None]


def build_site(
    root: Path,
    *,
    output: Path | None = None,
    base_url: str | None = None,
    include_drafts: bool = False,
    progress: ProgressCallback | None = None,
    use_cache: bool = True,
    workers: int | None = None,
) -> BuildReport:
    """Build the site root `root` into `output` (default root/site)."""
    started = time.perf_counter()
    output = output if output is not None else root / OUTPUT_DIR
    workers = workers or default_workers()
    check_output_folder(output, root=root, protected=[root / BRIEFINGS_DIR, root / TEMPLATES_DIR, root / STATIC_DIR])
    cache = BuildCache(root / CACHE_DIR) if use_cache else None
    try:
        archive, warnings = load_archive(
            root, base_url=base_url, include_drafts=include_drafts, cache=cache, workers=workers
        )
    except ArchiveError:
        if cache is not None:  # keep the briefings parsed so far for the build after the fix
            cache.save(cache.state.pages)
        raise
    renderer = SiteRenderer(archive, build_index(archive), root / TEMPLATES_DIR)
    jobs = renderer.plan()
    copies = files_to_copy(root, archive)
    _refuse_overlaps({job.path for job in jobs}, copies)
    records = _fingerprints(root, archive, jobs, copies)
    previous = cache.pages_in(output) if cache is not None else {}
    stale = [i for i, job in enumerate(jobs) if not _still_there(output, job.path, records[job.path], previous)]
    stale_copies = [p for p in copies if not _still_there(output, p, records[p], previous)]
    stale_set = set(stale)
    for i, job in enumerate(jobs):
        if i not in stale_set:  # reused as it is: its digest and size stay those on record
            records[job.path] = previous[job.path]

    rendered = written = 0
    if stale or stale_copies or set(previous) != set(records) or not output.is_dir():
        rendered, written = _write_site(output, renderer, jobs, stale, copies, records, previous, workers, progress)
    if cache is not None:
        cache.save(records, output)
    return BuildReport(
        briefings=len(archive.briefings),
        pages=len(jobs),
        rendered=rendered,
        written=written,
        files=len(records),
        seconds=time.perf_counter() - started,
        warnings=warnings,
        output=output,
    )


def _write_site(
    output: Path,
    renderer: SiteRenderer,
    jobs: list[PageJob],
    stale: list[int],
    copies: Mapping[str, Path],
    records: dict[str, PageRecord],
    previous: Mapping[str, PageRecord],
    workers: int,
    progress: ProgressCallback | None,
) -> tuple[int, int]:
    """Stage the new site (reusing what is current), then swap it in. Returns (rendered, written)."""
    total, written = len(jobs) + len(copies), 0
    with StagedSite(output) as staged:
        staged.write(".nojekyll", b"")  # GitHub Pages: publish the files as they are
        targets = [staged.claim(job.path) for job in jobs]
        stale_set = set(stale)
        stale += [
            i
            for i, job in enumerate(jobs)
            if i not in stale_set and not link_previous(targets[i], staged.previous(job.path))
        ]
        task = RenderTask(
            renderer=renderer,
            jobs=jobs,
            targets=targets,
            previous=[staged.previous(job.path) for job in jobs],
            previous_digests=[previous[job.path].content_digest if job.path in previous else None for job in jobs],
        )
        done = len(jobs) - len(stale)
        for index, content_digest, size, was_written in parallel_map(_render_page, task, sorted(stale), workers):
            path = jobs[index].path
            records[path] = PageRecord(records[path].fingerprint, content_digest, size)
            written += was_written
            done += 1
            if progress is not None:
                progress(done, total)
        for path, source in sorted(copies.items()):
            target = staged.claim(path)
            current = _still_there(output, path, records[path], previous)
            if not (current and link_previous(target, staged.previous(path))):
                shutil.copyfile(source, target)
                written += 1
        staged.commit()
    if progress is not None:
        progress(total, total)
    return len(stale), written


def _render_page(task: RenderTask, index: int) -> tuple[int, str, int, bool]:
    """Render one page into the staging folder; runs in a worker process."""
    content = task.renderer.render(task.jobs[index]).content
    content_digest = digest(content)
    unchanged = content_digest == task.previous_digests[index]
    was_written = keep_or_write(task.targets[index], task.previous[index], content, unchanged=unchanged)
    return index, content_digest, len(content), was_written


def _fingerprints(
    root: Path, archive: Archive, jobs: list[PageJob], copies: Mapping[str, Path]
) -> dict[str, PageRecord]:
    """What every output file is made from; content digests are filled in when written."""
    theme = digest(
        __version__,
        repr(archive.settings),
        files_fingerprint([builtin_theme_dir(), root / TEMPLATES_DIR]),
    )
    records: dict[str, PageRecord] = {}
    fingerprints = Fingerprinter()
    for job in jobs:
        records[job.path] = PageRecord(digest(theme, job.path, job.template, fingerprints.of(job.context)), "", 0)
    for path, source in copies.items():
        state = current_state(source)
        records[path] = PageRecord(digest("copy", str(source), repr(state)), "", state.size if state else 0)
    return records


def _still_there(output: Path, path: str, record: PageRecord, previous: Mapping[str, PageRecord]) -> bool:
    """The previous build wrote this file from the same inputs, and it is still in place."""
    old = previous.get(path)
    if old is None or old.fingerprint != record.fingerprint:
        return False
    state = current_state(output / path)
    return state is not None and state.size == old.size


def files_to_copy(root: Path, archive: Archive) -> dict[str, Path]:
    """Output path -> file on disk: the theme's assets, static/, and briefing images."""
    copies: dict[str, Path] = dict(theme_assets(root / TEMPLATES_DIR))
    static = root / STATIC_DIR
    if static.is_dir():
        for file in sorted(static.rglob("*")):
            if file.is_file() and not file.is_symlink():
                copies[file.relative_to(static).as_posix()] = file
    for briefing in archive.briefings:
        for image in briefing.images:
            copies[paths.briefing_path(briefing) + image.output_name] = Path(image.source_path)
    return copies


def _refuse_overlaps(pages: set[str], copies: Mapping[str, Path]) -> None:
    clashes = sorted(pages.intersection(copies))
    if clashes:
        raise OutputError(f"a copied file would replace a generated page: {', '.join(clashes[:5])}")
