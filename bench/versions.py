"""This checkout's briefgen against an earlier version of it, side by side on the same corpus.

    python bench/versions.py BASELINE [--briefings 1000] [--runs 3] [--search] [--work DIR]

BASELINE is a git revision of this repository (a commit, a tag, `main~5`).
Its tree is exported with `git archive` into the work folder and run from
there (PYTHONPATH=its src/, which also finds its templates/), this checkout
from its own src/. Each version builds its own copy of the corpus of
bench/corpus.py, so each has its own cache. Every round times, for each
version in turn (the order alternating from round to round, so that the
machine's drift falls on both alike):

- first build: no output, no cache; the cache is written, as a fresh checkout's
  first `briefgen build` does (search left out unless --search);
- no-op: the same build again;
- one edit: a paragraph added to one briefing's text, then built (the first
  rebuild after a whole build also makes the site's twin: write.py);
- a later edit: another briefing's paragraph added, then built, as an editor's
  every edit after the first is.

Prints the medians and this checkout's time over the baseline's. A refactoring
that claims to change nothing shows it here: ratios near 1.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from corpus import write_corpus  # bench/corpus.py, beside this script

CHECKOUT = Path(__file__).resolve().parents[1]
KINDS = ("first build", "no-op", "one edit", "a later edit")


def export(revision: str, into: Path) -> Path:
    """The tree of `revision`, written into `into` (made afresh)."""
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", revision], cwd=CHECKOUT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    compileall.compile_dir(into / "src", quiet=1)  # as this checkout's are: no run times Python compiling
    return into


def build_command(root: Path, search: bool) -> list[str]:
    return [sys.executable, "-m", "briefgen", "build", "--root", str(root), *([] if search else ["--no-search"])]


def timed(command: list[str], source: Path) -> float:
    """Seconds `command` took, run with `source` (a tree's src/) first on the import path, after a sync."""
    if not (source / "briefgen" / "__init__.py").is_file():  # else Python would run the installed briefgen
        raise SystemExit(f"no briefgen to run in {source}")
    os.sync()  # so that no build is timed while the kernel writes out the one before
    environment = {**os.environ, "PYTHONPATH": str(source)}
    began = time.perf_counter()
    subprocess.run(command, env=environment, check=True, capture_output=True)
    return time.perf_counter() - began


def add_paragraph(root: Path, run: int) -> None:
    briefings = sorted((root / "briefings").rglob("*.md"))
    briefing = briefings[run * 7 % len(briefings)]  # another briefing each round
    with briefing.open("a", encoding="utf-8") as file:
        file.write(f"\nA paragraph added in round {run}.\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("baseline", help="a git revision of this repository")
    parser.add_argument("--briefings", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--search", action="store_true", help="build with the search index, as `briefgen build` does")
    parser.add_argument("--work", type=Path, default=Path("/tmp/briefgen-versions"))
    args = parser.parse_args()

    versions = {
        # Exported beside the corpora, never into a version's site root (which is replaced by a copy
        # of the corpus below: the baseline then ran from the installed briefgen, not its own tree).
        "baseline": export(args.baseline, args.work / "trees" / "baseline") / "src",
        "this checkout": CHECKOUT / "src",
    }
    shutil.rmtree(args.work / "corpus", ignore_errors=True)  # the generator writes only into an empty folder
    corpus = write_corpus(args.work / "corpus", args.briefings, 4, 1)
    roots = {}
    for name in versions:
        roots[name] = args.work / name.replace(" ", "-")
        shutil.rmtree(roots[name], ignore_errors=True)
        shutil.copytree(corpus, roots[name])
    for source in versions.values():  # checked once the folders are all made: else Python runs the installed briefgen
        if not (source / "briefgen" / "__init__.py").is_file():
            raise SystemExit(f"no briefgen to run in {source}")
    times: dict[tuple[str, str], list[float]] = {(name, kind): [] for name in versions for kind in KINDS}
    for run in range(args.runs):
        order = list(versions) if run % 2 == 0 else list(reversed(versions))
        for name in order:
            root, source = roots[name], versions[name]
            for made in ("site", ".site.briefgen-twin", ".briefgen-cache"):
                shutil.rmtree(root / made, ignore_errors=True)
            command = build_command(root, args.search)
            times[name, "first build"].append(timed(command, source))
            times[name, "no-op"].append(timed(command, source))
            add_paragraph(root, run)
            times[name, "one edit"].append(timed(command, source))
            add_paragraph(root, run + args.runs)
            times[name, "a later edit"].append(timed(command, source))
        print(f"round {run + 1}/{args.runs} done", file=sys.stderr)

    print(f"{args.briefings} briefings, {'with' if args.search else 'without'} search, medians of {args.runs}")
    print(f"baseline: {args.baseline}")
    print("| build | baseline s | this checkout s | ratio |")
    print("|---|---:|---:|---:|")
    for kind in KINDS:
        before = statistics.median(times["baseline", kind])
        after = statistics.median(times["this checkout", kind])
        print(f"| {kind} | {before:.2f} | {after:.2f} | {after / before:.3f} |")


if __name__ == "__main__":
    main()
