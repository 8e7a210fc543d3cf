"""Where Pagefind's time goes when fed briefings through its service: adding documents, building, writing.

    python bench/pagefind_phases.py WORK [--briefings 1000]

Generates the corpus in WORK (unless there), builds it without search, then
feeds every briefing page to one `pagefind --service` in address order and
prints the service's CPU seconds (from /proc) in each phase: AddFile for all
pages, BuildIndex, GetFiles (the bundle encoded and compressed), with the
load average, as other work on the machine slows every phase alike.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from tests.pagefindfeed import bundle_of

from bench.corpus import write_corpus


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("work", type=Path)
    parser.add_argument("--briefings", type=int, default=1000)
    args = parser.parse_args()
    corpus = args.work / "corpus"
    if not (corpus / "briefings").is_dir():
        write_corpus(corpus, args.briefings)
    site = corpus / "site"
    if not site.is_dir():
        subprocess.run([sys.executable, "-m", "briefgen", "build", "--no-search"], cwd=corpus, check=True)
    pages = sorted(site.glob("briefings/*/*/*/*/index.html"))
    documents = [("/" + p.parent.relative_to(site).as_posix() + "/", p.read_text(encoding="utf-8")) for p in pages]
    print(f"{len(documents)} pages, load {os.getloadavg()}")
    files, times = bundle_of(documents)
    size = sum(len(content) for name, content in files.items() if name.startswith(("index/", "fragment/")))
    print(f"add {times.add:.2f} s, build {times.build:.2f} s, files {times.files:.2f} s (CPU); wall {times.wall:.2f} s")
    print(f"{len(files)} files, {size / 2**20:.1f} MiB of index and fragments; load {os.getloadavg()}")


if __name__ == "__main__":
    main()
