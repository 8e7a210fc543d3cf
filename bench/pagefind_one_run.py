"""Whether one run of the `pagefind` command over every document is the assembled index, file by file.

    python bench/pagefind_one_run.py ROOT [--briefings N]

Loads the site root ROOT (bench/corpus.py makes one), writes the first N
briefings' documents (searchdocs.py, as the build makes them) as pages into a
scratch folder, runs the `pagefind` command over it, and compares:

- the order in which its bundle numbers the pages with the index's order
  (date, then address; searchdocs.index_order);
- the bundle, made reproducible as a build makes Pagefind's bundles
  (searchbundle.make_reproducible), with the bundle assembled by
  pagefindassembly.py from the entries split out of it, in index order and
  at Pagefind's compression level: files only in one, files alike, and files
  that differ only once decompressed.

A cold build could skip splitting and assembling when the two are the same.
On 2026-12-02 (300 briefings) they were not: the command numbers pages in the
order its walk of the folder meets them, fragments are the same bytes once
decompressed, and filters are named differently.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import subprocess
import tempfile
from pathlib import Path

from briefgen.load import load_archive
from briefgen.pagefindassembly import PAGEFIND_LEVEL, assemble
from briefgen.pagefindformat import run_of, split_bundle
from briefgen.search import SearchStep
from briefgen.searchbundle import UNUSED_FILES, make_reproducible
from briefgen.searchdocs import EXCLUDED
from briefgen.searchrun import find_pagefind


def bundle_files(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def unzip(data: bytes) -> bytes:
    return gzip.decompress(data) if data.startswith(b"\x1f\x8b") else data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--briefings", type=int, default=300)
    args = parser.parse_args()
    pagefind = find_pagefind()
    if isinstance(pagefind, str):
        raise SystemExit(f"Pagefind cannot run: {pagefind}")
    archive, _ = load_archive(args.root)
    scratch = Path(tempfile.mkdtemp(prefix="one-run-"))
    try:
        step = SearchStep(pagefind, scratch / "unused", None, archive=archive)
        documents = [step._with_html(document) for document in step.documents[: args.briefings]]
        pages, out = scratch / "pages", scratch / "bundle"
        for document in documents:
            page = pages / document.url.strip("/") / "index.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(document.html, "utf-8")
        selectors = [part for selector in EXCLUDED for part in ("--exclude-selectors", selector)]
        command = [str(pagefind.executable), "--site", str(pages), "--output-path", str(out), *selectors, "--quiet"]
        subprocess.run(command, check=True)
        one_run = bundle_files(out)
        entries = {entry.url: entry for entry in split_bundle(one_run)}
        in_bundle_order = [entry.url for entry in split_bundle(one_run)]
        print("pages numbered in the index's order:", in_bundle_order == [d.url for d in documents])
        assembled = assemble([entries[d.url] for d in documents], run_of(one_run), index_level=PAGEFIND_LEVEL)
        make_reproducible(out)
        one_run = {name: data for name, data in bundle_files(out).items() if name not in UNUSED_FILES}
        alike = [name for name in assembled if one_run.get(name) == assembled[name]]
        differ = [name for name in assembled if name in one_run and one_run[name] != assembled[name]]
        unzipped = [name for name in differ if unzip(one_run[name]) == unzip(assembled[name])]
        print(f"files: assembled {len(assembled)}, one run {len(one_run)}; alike {len(alike)}")
        print(f"only assembled: {sorted(assembled.keys() - one_run.keys())[:5]}")
        print(f"only one run: {sorted(one_run.keys() - assembled.keys())[:5]}")
        print(f"differ: {len(differ)}, of which alike once decompressed: {len(unzipped)}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
