"""The pipeline, top to bottom: load, index, render, write.

    files -> typed briefings -> listings -> pages -> a staged folder -> swapped in

Any error stops the build before the swap, so the previous site stays as it was.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from briefgen import index as paths
from briefgen.errors import OutputError, Problem
from briefgen.index import build_index
from briefgen.load import BRIEFINGS_DIR, load_archive
from briefgen.model import Archive
from briefgen.render import SiteRenderer, theme_assets
from briefgen.write import StagedSite, check_output_folder

OUTPUT_DIR = "site"
TEMPLATES_DIR = "templates"
STATIC_DIR = "static"

ProgressCallback = Callable[[int, int], None]
"""Called with (files done, files in all) as the build goes."""


@dataclass(frozen=True, slots=True)
class BuildReport:
    briefings: int
    pages: int
    """Files rendered from templates."""
    files: int
    """Files written in all, copies included."""
    seconds: float
    warnings: tuple[Problem, ...]
    output: Path


def build_site(
    root: Path,
    *,
    output: Path | None = None,
    base_url: str | None = None,
    include_drafts: bool = False,
    progress: ProgressCallback | None = None,
) -> BuildReport:
    """Build the site root `root` into `output` (default root/site)."""
    started = time.perf_counter()
    output = output if output is not None else root / OUTPUT_DIR
    check_output_folder(output, root=root, protected=[root / BRIEFINGS_DIR, root / TEMPLATES_DIR, root / STATIC_DIR])
    archive, warnings = load_archive(root, base_url=base_url, include_drafts=include_drafts)
    renderer = SiteRenderer(archive, build_index(archive), root / TEMPLATES_DIR)
    jobs = renderer.plan()
    copies = files_to_copy(root, archive)
    _refuse_overlaps({job.path for job in jobs}, copies)
    total = len(jobs) + len(copies)
    with StagedSite(output) as staged:
        staged.write(".nojekyll", b"")  # GitHub Pages: publish the files as they are
        for done, job in enumerate(jobs, start=1):
            staged.write(job.path, renderer.render(job).content)
            if progress is not None:
                progress(done, total)
        for path, source in sorted(copies.items()):
            staged.copy(path, source)
        report = staged.commit()
    if progress is not None:
        progress(total, total)
    return BuildReport(
        briefings=len(archive.briefings),
        pages=len(jobs),
        files=report.files,
        seconds=time.perf_counter() - started,
        warnings=warnings,
        output=output,
    )


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
