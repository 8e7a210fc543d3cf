"""Pagefind found and run: the briefings' documents without an entry fed to it, its bundles split into entries.

Pagefind comes from PyPI as the `pagefind` package with its `bin` extra,
which ships the binary; it is found as that package finds it (the variable
PAGEFIND_BINARY_PATH first, then the packaged binary, then `pagefind` on PATH).

A Pagefind service (pagefindservice.py) indexes on one core, so the
documents are cut into batches, one service each, as many at once as the
build has workers; an entry does not depend on the other pages of its run
(pagefindformat.py), so the batches need not be alike. Each service is
started in the build's thread; a thread per service feeds it and waits. The
first failure (or Ctrl-C) ends the others.
"""

from __future__ import annotations

import math
import subprocess
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from briefgen import pagefindservice
from briefgen.errors import BriefgenError
from briefgen.pagefindformat import ENTRY_FILE, BundleFormatError, PageEntry, run_of, split_bundle
from briefgen.searchdocs import EXCLUDED

PROBE_TIMEOUT = 30
BATCH_LEAST = 50
"""Documents a Pagefind service is given at the least: fewer are not worth starting another (0.1 s each)."""
BATCH_MOST = 500
"""Documents a Pagefind service is given at the most: its time per document grows with the documents it holds
(5,000 briefings in two services: 29 ms of CPU a document, against 18 ms for 1,000 in two)."""


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


def index_documents(
    executable: Path, documents: Sequence[IndexDocument], workers: int
) -> tuple[dict[str, PageEntry], dict[str, bytes]]:
    """The entries of `documents` by key, and Pagefind's own files with its pagefind-entry.json."""
    batches = _batches(list(documents), workers)
    bundles = _run_services(executable, batches, workers)
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
    return made, static


def _run_services(executable: Path, batches: Sequence[Sequence[IndexDocument]], workers: int) -> list[dict[str, bytes]]:
    """Each batch's bundle, up to `workers` Pagefind services at once."""
    futures: list[Future[dict[str, bytes]]] = []
    started: list[subprocess.Popen[bytes]] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        try:
            for batch in batches:
                while sum(not f.done() for f in futures) >= workers:
                    done, _ = wait([f for f in futures if not f.done()], return_when="FIRST_COMPLETED")
                    for future in done:
                        future.result()
                started.append(_start(executable))
                futures.append(pool.submit(_bundle_of, started[-1], [(d.url, d.html) for d in batch]))
            return [future.result() for future in futures]
        except BaseException:
            for process in started:
                process.kill()
            raise


def _start(executable: Path) -> subprocess.Popen[bytes]:
    try:
        return pagefindservice.start(executable)
    except pagefindservice.ServiceError as exc:
        raise SearchError(f"the search index could not be made: {exc}") from exc


def _batches(documents: list[IndexDocument], workers: int) -> list[list[IndexDocument]]:
    """The documents in batches of about the same size: at least `workers` (none under BATCH_LEAST unless it is
    all), and more when they would be over BATCH_MOST."""
    count = max(1, min(workers, len(documents) // BATCH_LEAST), math.ceil(len(documents) / BATCH_MOST))
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
