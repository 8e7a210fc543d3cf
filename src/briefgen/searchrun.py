"""Pagefind found and run: the briefings' documents without an entry fed to it, its bundles split into entries.

Pagefind comes from PyPI as the `pagefind` package with its `bin` extra,
which ships the binary; it is found as that package finds it (the variable
PAGEFIND_BINARY_PATH first, then the packaged binary, then `pagefind` on PATH).

The documents are written as pages into a scratch folder of the build's
staging (_scratch_pages), and the `pagefind` command indexes them there, in
batches of at most BATCH_MOST, RUNS_AT_ONCE at a time (a command uses about
one and a half cores of two). An entry does not depend on the other pages of its run
(pagefindformat.py), so the batches need not be alike. The command took a
quarter less CPU than Pagefind's service fed the same documents, and uses
both cores where a service uses one (bench/search_feeds.py, 1,000 briefings:
8.4 s and 11.7 s of CPU, against 15.7 s and 15.3 s); the entries split from
the two bundles are the same.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from briefgen.errors import BriefgenError
from briefgen.fast import searchrun as fast_searchrun
from briefgen.fast import switch as fastpaths
from briefgen.pagefindformat import (
    ENTRY_FILE,
    BundleFormatError,
    PageEntry,
    run_of,
    split_bundle,
    without_collection,
)
from briefgen.pagefindmarshal import entry_marshalled, entry_unmarshalled
from briefgen.parallel import parallel_map, run_to_its_end
from briefgen.searchdocs import EXCLUDED

PROBE_TIMEOUT = 30
RUNS_AT_ONCE = 2
"""Runs of the `pagefind` command at once: one uses about one and a half cores of two."""
BATCH_MOST = 500
"""Documents indexed by one run of the `pagefind` command at the most: a run's memory grows with them, and the
service's time per document grew with the documents it held (5,000 briefings in two services: 29 ms of CPU a
document, against 18 ms for 1,000 in two)."""


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


EntryKeeper = Callable[[str, bytes], None]
"""Called with each entry made, by its document's key, as its marshalled bytes (pagefindmarshal.entry_marshalled),
in the worker that split it from its bundle."""


@dataclass(frozen=True, slots=True)
class _Batches:
    """What each worker indexing batches needs, handed over by fork."""

    executable: Path
    scratch: Path
    keep: EntryKeeper | None


def index_documents(
    executable: Path, documents: Sequence[IndexDocument], scratch: Path, keep: EntryKeeper | None = None
) -> tuple[dict[str, PageEntry], dict[str, bytes]]:
    """The entries of `documents` by key, and Pagefind's own files with its pagefind-entry.json.
    `keep`, when given, is called with each entry as its batch is split, in the worker that split it.

    `scratch` is a folder of the build's staging, made and removed here: the
    documents are written into it as pages (_scratch_pages), BATCH_MOST at a
    time, and the `pagefind` command indexes each batch there, in RUNS_AT_ONCE
    forked workers (parallel.py): each runs the command on a batch, splits its
    bundle into entries and keeps them, while the other's command runs. In
    threads, the splitting (Python) of both took turns on one core, and the
    build's own process was busy the whole time; here it only reads the entries
    the workers hand back, marshalled."""
    made: dict[str, PageEntry] = {}
    static: dict[str, bytes] = {}
    batches = list(enumerate(_batches(list(documents))))
    try:
        task = _Batches(executable, scratch, keep)
        # Reading 5,000 entries back makes millions of tuples without cycles: the collector walking them
        # again and again took 4 of the 6 s of CPU this process spent here, which the workers needed.
        with parallel_map(_index_batch, task, batches, RUNS_AT_ONCE, least_per_worker=1) as results:
            for entries, files in results:
                with without_collection():
                    made.update((key, entry_unmarshalled(data)) for key, data in entries)
                static.update(files)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return made, static


def _index_batch(
    task: _Batches, numbered: tuple[int, Sequence[IndexDocument]]
) -> tuple[list[tuple[str, bytes]], dict[str, bytes]]:
    """A batch's entries, marshalled, by key, and Pagefind's own files. Runs in a worker."""
    number, batch = numbered
    made, static = _entries_of(task.executable, batch, task.scratch / f"batch-{number}")
    entries = [(key, entry_marshalled(entry)) for key, entry in made.items()]
    if task.keep is not None:
        for key, data in entries:
            task.keep(key, data)
    return entries, static


def _entries_of(
    executable: Path, batch: Sequence[IndexDocument], folder: Path
) -> tuple[dict[str, PageEntry], dict[str, bytes]]:
    pages = _scratch_pages(batch)
    files = _bundle_of(executable, pages, folder)
    try:
        by_url = {entry.url: entry for entry in split_bundle(files)}
        made = {}
        for page, document in zip(pages, batch, strict=True):
            entry = by_url[page.address]
            made[document.key] = (
                entry if page.address == document.url else fast_searchrun.entry_readdressed(entry, document.url)
            )
        return made, _pagefind_files(files)
    except (BundleFormatError, KeyError) as exc:
        raise SearchError(
            f"the search index Pagefind wrote could not be read ({exc}); "
            "build with --no-search to publish without search"
        ) from exc


class _ScratchPage(NamedTuple):
    """A document as the `pagefind` command is given it: a page in the scratch folder."""

    address: str
    """The address Pagefind gives the page, from its path."""
    path: PurePosixPath
    """In the scratch folder."""
    html: str


def _scratch_pages(batch: Sequence[IndexDocument]) -> list[_ScratchPage]:
    """Each document as a page to write for Pagefind: at its address, the reference, or flat
    (fast/searchrun.py) unless fast paths are off (fast/switch.py)."""
    pages: list[_ScratchPage] = []
    for number, document in enumerate(batch):
        flat = fast_searchrun.flat_page(number, document.url) if fastpaths.enabled() else None
        if flat is not None:
            pages.append(_ScratchPage(f"/{flat}", PurePosixPath(flat), document.html))
            continue
        address = PurePosixPath(document.url.strip("/"))
        if address.is_absolute() or ".." in address.parts or not address.parts:
            raise SearchError(f"a briefing's address cannot be indexed: {document.url!r}")
        pages.append(_ScratchPage(document.url, address / "index.html", document.html))
    return pages


def _batches(documents: list[IndexDocument]) -> list[list[IndexDocument]]:
    """The documents in batches of about the same size, none over BATCH_MOST."""
    count = max(1, math.ceil(len(documents) / BATCH_MOST))
    size = math.ceil(len(documents) / count)
    return [documents[start : start + size] for start in range(0, len(documents), size)]


def _bundle_of(executable: Path, pages: Sequence[_ScratchPage], folder: Path) -> dict[str, bytes]:
    """The bundle the `pagefind` command writes for `pages` (_scratch_pages), written into `folder`."""
    scratch, bundle = folder / "pages", folder / "bundle"
    scratch.mkdir(parents=True, exist_ok=True)
    for page in pages:
        path = scratch.joinpath(*page.path.parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page.html, encoding="utf-8")
    selectors = [part for selector in EXCLUDED for part in ("--exclude-selectors", selector)]
    command = [str(executable), "--site", str(scratch), "--output-path", str(bundle), *selectors, "--quiet"]
    try:
        result = run_to_its_end(command)  # gone before the build removes its folder
    except OSError as exc:
        raise SearchError(f"the search index could not be made: {executable} could not run ({exc})") from exc
    if result.returncode != 0:
        said = "; ".join(line for line in (result.stderr or result.stdout).splitlines() if line.strip())[-500:]
        raise SearchError(
            f"the search index could not be made (Pagefind stopped (exit status {result.returncode}"
            f"{': ' + said if said else ''})); build with --no-search to publish without search"
        )
    files = {path.relative_to(bundle).as_posix(): path.read_bytes() for path in bundle.rglob("*") if path.is_file()}
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
