"""A progress bar for long builds on a terminal; silence everywhere else."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from briefgen.publish import ProgressCallback

MIN_FILES_FOR_BAR = 500
"""Below this a build takes about a second: a bar would only flicker."""


@contextmanager
def build_progress() -> Iterator[ProgressCallback | None]:
    if not sys.stderr.isatty():
        yield None
        return
    # Imported here: most builds (CI, scripts, serve) have no terminal, and rich is a tenth of start-up.
    from rich.console import Console  # noqa: PLC0415
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn  # noqa: PLC0415

    with Progress(
        TextColumn("building"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=True,
        console=Console(stderr=True),
    ) as bar:
        task = bar.add_task("build", total=None)

        def advance(done: int, total: int) -> None:
            if total >= MIN_FILES_FOR_BAR:
                bar.update(task, completed=done, total=total)

        yield advance
