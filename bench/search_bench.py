"""What full-text search costs a build: Pagefind's step against the build without it.

    python bench/search_bench.py [--briefings 5000] [--runs 3] [--work DIR]

Writes the synthetic corpus with the project's generator (bench/corpus.py), then,
run by run: a cold build with --no-search, a cold build with search, and Pagefind's step alone
(every part of the index made from the loaded archive, reproducible, as the build makes it). Prints the
medians, the size of the index, and the cost of a one-briefing edit with and without search.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from corpus import write_corpus  # bench/corpus.py, beside this script

from briefgen.build import build_site
from briefgen.load import load_archive
from briefgen.search import BUNDLE_DIR, SearchStep
from briefgen.searchrun import find_pagefind


def timed(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started


def folder_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--briefings", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    pagefind = find_pagefind()
    if isinstance(pagefind, str):
        raise SystemExit(f"Pagefind cannot run: {pagefind}")
    work = args.work or Path(tempfile.mkdtemp(prefix="search-bench-"))
    root = work / "corpus"
    if not root.exists():
        write_corpus(root, args.briefings)
    plain, searched, step = [], [], []
    for run in range(1, args.runs + 1):
        for name, search, into in (("no search", False, plain), ("search", True, searched)):
            out = work / f"site-{name.replace(' ', '-')}"
            shutil.rmtree(out, ignore_errors=True)
            into.append(
                timed(lambda out=out, search=search: build_site(root, output=out, use_cache=False, search=search))
            )
            print(f"run {run}: cold build, {name}: {into[-1]:.1f} s", flush=True)
        bundle = work / "bundle"
        shutil.rmtree(bundle, ignore_errors=True)
        archive, _ = load_archive(root)
        indexing = SearchStep(pagefind, work / "site-no-search", None, archive=archive, workers=2)
        step.append(timed(lambda bundle=bundle, indexing=indexing: indexing.stage_whole(bundle)))
        print(f"run {run}: Pagefind step alone: {step[-1]:.1f} s", flush=True)
    files, size = folder_size(work / "site-search" / BUNDLE_DIR)
    site_files, site_size = folder_size(work / "site-search")
    print(f"\n{args.briefings:,} briefings, {pagefind.version}, medians of {args.runs}:")
    print(f"  cold build without search   {statistics.median(plain):6.1f} s")
    print(f"  cold build with search      {statistics.median(searched):6.1f} s")
    print(f"  Pagefind step alone         {statistics.median(step):6.1f} s")
    print(
        f"  index: {files:,} files, {size / 2**20:.0f} MiB of a {site_size / 2**20:.0f} MiB site ({site_files:,} files)"
    )

    # One briefing edited, then a cached rebuild, with and without search.
    edits = []
    for search in (False, True):
        shutil.rmtree(root / "site", ignore_errors=True)
        build_site(root, search=search)
        victim = sorted((root / "briefings").rglob("*.md"))[len(plain) * 7]
        original = victim.read_text("utf-8")
        times = []
        for n in range(args.runs):
            victim.write_text(original + f"\nAn edit, number {n}.\n", "utf-8")
            times.append(timed(lambda search=search: build_site(root, search=search)))
        victim.write_text(original, "utf-8")
        edits.append(statistics.median(times))
    print(f"  one-edit rebuild without search {edits[0]:6.2f} s, with search {edits[1]:6.2f} s")


if __name__ == "__main__":
    main()
