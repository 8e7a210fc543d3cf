"""Time briefgen's loader on a synthetic corpus, against a bare pipeline.

    python bench/load_bench.py [--briefings 5000] [--runs 3] [--make-corpus PATH] [--corpus DIR]

Writes a corpus with the project's generator (bench/corpus.py, the same files
for the same arguments), then times, in the same process and interleaved run by
run, `load_archive` (what `briefgen check` and `briefgen build` start with)
and two baselines that do the least work a loader could do:

- bare: for each file, read it, cut the front matter at the second '---',
  `yaml.load` it with the C SafeLoader and render the body with a
  markdown-it-py CommonMark parser with tables and strikethrough;
- bare+notes: the same, and each footnote (with linkify, since bare
  addresses in notes become links) and each takeaway rendered inline as
  well, as the format asks of briefgen.

The ratio of briefgen's median to a baseline's median is the price of what
the loader adds: line-numbered validation of every field, citations, image
checks, source resolution, and one problem list for the whole archive.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml
from markdown_it import MarkdownIt

from briefgen.errors import ArchiveError
from briefgen.load import load_archive

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MAKE_CORPUS = REPO_ROOT / "bench" / "corpus.py"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--briefings", type=int, default=5000, help="corpus size (default: 5000)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each pipeline; medians are reported")
    parser.add_argument(
        "--make-corpus",
        type=Path,
        default=DEFAULT_MAKE_CORPUS,
        help="the corpus generator, run as a script (default: bench/corpus.py)",
    )
    parser.add_argument(
        "--corpus", type=Path, help="time an existing site root instead of generating one (--briefings is then ignored)"
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.briefings < 1:
        parser.error("--runs and --briefings must be at least 1")
    return args


def make_corpus(generator: Path, out: Path, briefings: int) -> float:
    """Generate the corpus into `out`; the seconds it took."""
    if not generator.is_file():
        sys.exit(f"load_bench: no corpus generator at {generator} (use --make-corpus PATH)")
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, str(generator), str(out), "--briefings", str(briefings)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def briefing_files(root: Path) -> list[Path]:
    return sorted(root.joinpath("briefings").rglob("*.md"))


def briefgen_load(root: Path) -> int:
    try:
        archive, _ = load_archive(root, include_drafts=True, today=dt.date(2100, 1, 1))
    except ArchiveError as exc:
        sys.exit(f"load_bench: the corpus has errors:\n{exc}")
    return len(archive.briefings)


def bare_pipeline(*, notes: bool) -> Callable[[Path], int]:
    body_parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    inline_parser = MarkdownIt("commonmark")
    note_parser = MarkdownIt("commonmark", {"linkify": True}).enable("linkify")

    def run(root: Path) -> int:
        count = 0
        for path in briefing_files(root):
            text = path.read_text(encoding="utf-8")
            _, front, body = text.split("---\n", 2)
            meta = yaml.load(front, Loader=yaml.CSafeLoader)
            body_parser.render(body)
            if notes:
                for note in (meta.get("footnotes") or {}).values():
                    note_parser.renderInline(str(note))
                for takeaway in meta.get("takeaways") or ():
                    inline_parser.renderInline(str(takeaway))
            count += 1
        return count

    return run


def corpus_megabytes(root: Path) -> float:
    return sum(p.stat().st_size for p in briefing_files(root)) / 1e6


def benchmark(root: Path, runs: int) -> list[tuple[str, int, list[float]]]:
    pipelines: list[tuple[str, Callable[[Path], int]]] = [
        ("briefgen load_archive", briefgen_load),
        ("bare: read+yaml+markdown-it", bare_pipeline(notes=False)),
        ("bare+notes", bare_pipeline(notes=True)),
    ]
    times: dict[str, list[float]] = {name: [] for name, _ in pipelines}
    counts: dict[str, int] = {}
    for run in range(runs):
        # Interleaved, so that a slow moment of the machine hits every pipeline alike.
        for name, pipeline in pipelines:
            start = time.perf_counter()
            counts[name] = pipeline(root)
            times[name].append(time.perf_counter() - start)
            print(f"  run {run + 1}/{runs}: {name:<28} {times[name][-1]:8.2f} s", file=sys.stderr)
    return [(name, counts[name], times[name]) for name, _ in pipelines]


def print_table(results: list[tuple[str, int, list[float]]]) -> None:
    bare_median = statistics.median(results[1][2])
    columns = ("briefings", 9), ("median s", 9), ("min s", 7), ("max s", 7), ("briefings/s", 11), ("vs bare", 8)
    header = f"{'pipeline':<28}" + "".join(f" {title:>{width}}" for title, width in columns)
    print(header)
    print("-" * len(header))
    for name, count, seconds in results:
        median = statistics.median(seconds)
        print(
            f"{name:<28} {count:>9,} {median:>9.2f} {min(seconds):>7.2f} {max(seconds):>7.2f}"
            f" {count / median:>11,.0f} {median / bare_median:>7.2f}x"
        )


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="briefgen-bench-") as folder:
        if args.corpus is not None:
            root, note = args.corpus, f"existing corpus {args.corpus}"
        else:
            root = Path(folder) / "corpus"
            seconds = make_corpus(args.make_corpus.resolve(), root, args.briefings)
            note = f"generated by {args.make_corpus.name} --briefings {args.briefings} in {seconds:.1f} s"
        files = len(briefing_files(root))
        print(f"corpus: {files:,} briefings, {corpus_megabytes(root):.1f} MB of Markdown ({note})")
        print(
            f"python {platform.python_version()}, libyaml {'yes' if yaml.__with_libyaml__ else 'no'}, "
            f"{args.runs} run(s) of each pipeline, medians"
        )
        results = benchmark(root, args.runs)
        print()
        print_table(results)


if __name__ == "__main__":
    main()
