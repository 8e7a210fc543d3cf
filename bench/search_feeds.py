"""How to feed Pagefind: its time over the same briefings, fed four ways, in one bundle each.

    python bench/search_feeds.py ROOT SITE [--runs 3]

ROOT is a site root (bench/corpus.py makes one) and SITE its site, built with
`briefgen build --no-search`. Times, run by run and interleaved, wall time
and Pagefind's CPU time (user and system; less sensitive to other work on a
shared machine than wall time):

- cli-pages: the `pagefind` command over the written briefing pages (--glob);
- cli-documents: each briefing's document (as service-documents has it)
  written as a file at its page's address in a scratch folder, then the
  `pagefind` command over that folder (the writing timed with it);
- service-records: Pagefind's service fed custom records (AddRecord), the
  plain text of each briefing's title, takeaways, text and notes, with its
  filters and meta, made from the model (no HTML parsed by Pagefind);
- service-documents: the service fed each briefing's document as the build
  makes it (searchdocs.search_document: the same content as small HTML);
- service-pages: the service fed the written pages' HTML.

Prints the medians and the time briefgen took to make the records or documents.
"""

from __future__ import annotations

import argparse
import html
import re
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.pagefindfeed import Service

from briefgen import urls as paths
from briefgen.load import load_archive
from briefgen.model import Archive, Briefing
from briefgen.searchdocs import EXCLUDED, language_of, search_document
from briefgen.searchrun import find_pagefind

TAG = re.compile(r"<[^>]*>")
BLOCK = re.compile(r"</?(?:p|li|ul|ol|h[1-6]|t[dhr]|table|blockquote|pre|div|br)\b[^>]*>", re.IGNORECASE)


def text(markup: str) -> str:
    return html.unescape(TAG.sub("", BLOCK.sub(" ", markup)))


def record(archive: Archive, briefing: Briefing) -> dict[str, Any]:
    body = archive.bodies.body(briefing)
    content = [
        briefing.title,
        *map(text, briefing.takeaways_html),
        text(body.html),
        *(text(n.html) for n in body.footnotes),
    ]
    filters = {"source": [briefing.source.name], "year": [str(briefing.date.year)]}
    for taxonomy in archive.settings.taxonomies:
        if briefing.terms_of(taxonomy):
            filters[taxonomy.search_filter] = [term.name for term in briefing.terms_of(taxonomy)]
    return {
        "type": "AddRecord",
        "url": "/" + paths.briefing_path(briefing),
        "content": "\n".join(content),
        "language": language_of(briefing, archive.settings),
        "meta": {"title": briefing.title, "source": briefing.source.name, "date": str(briefing.date)},
        "filters": filters,
        "sort": None,
    }


def through_service(requests: list[dict[str, Any]]) -> None:
    service = Service()
    try:
        (created,) = service.ask([{"type": "NewIndex", "config": {"exclude_selectors": list(EXCLUDED)}}])
        service.ask({**request, "index_id": created["index_id"]} for request in requests)
        service.ask([{"type": "GetFiles", "index_id": created["index_id"]}])
    finally:
        service.close()


def children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("site", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    pagefind = find_pagefind()
    if isinstance(pagefind, str):
        raise SystemExit(f"Pagefind cannot run: {pagefind}")
    archive, _ = load_archive(args.root)
    started = time.perf_counter()
    records = [record(archive, b) for b in archive.briefings]
    made_records = time.perf_counter() - started
    started = time.perf_counter()
    documents = [
        {"type": "AddFile", "url": "/" + paths.briefing_path(b), "file_path": None,
         "file_contents": search_document(b, archive.bodies.body(b), archive.settings)}
        for b in archive.briefings
    ]  # fmt: skip
    made_documents = time.perf_counter() - started
    pages = [
        {"type": "AddFile", "url": "/" + p.parent.relative_to(args.site).as_posix() + "/", "file_path": None,
         "file_contents": p.read_text("utf-8")}
        for p in sorted(args.site.glob(paths.BRIEFING_PAGES_GLOB))
    ]  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="search-feeds-") as scratch:
        out = Path(scratch) / "bundle"
        command = [str(pagefind.executable), "--site", str(args.site), "--output-path", str(out)]

        def cli_documents() -> None:
            folder = Path(scratch) / "documents"
            shutil.rmtree(folder, ignore_errors=True)
            for document in documents:
                page = folder / str(document["url"]).strip("/") / "index.html"
                page.parent.mkdir(parents=True, exist_ok=True)
                page.write_text(str(document["file_contents"]), "utf-8")
            selectors = [part for selector in EXCLUDED for part in ("--exclude-selectors", selector)]
            subprocess.run(
                [str(pagefind.executable), "--site", str(folder), "--output-path", str(out), *selectors, "--quiet"],
                check=True,
            )

        ways: dict[str, Callable[[], object]] = {
            "cli-pages": lambda: subprocess.run([*command, "--glob", paths.BRIEFING_PAGES_GLOB, "--quiet"], check=True),
            "cli-documents": cli_documents,
            "service-records": lambda: through_service(records),
            "service-documents": lambda: through_service(documents),
            "service-pages": lambda: through_service(pages),
        }
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in ways}
        for run in range(args.runs):
            for name, way in ways.items():
                shutil.rmtree(out, ignore_errors=True)
                wall, cpu = time.perf_counter(), children_cpu()
                way()
                times[name].append((time.perf_counter() - wall, children_cpu() - cpu))
                print(f"run {run + 1}: {name}: {times[name][-1][0]:.2f} s, CPU {times[name][-1][1]:.2f} s", flush=True)
    print(f"\n{len(archive.briefings):,} briefings, {pagefind.version}, medians of {args.runs}:")
    for name, measured in times.items():
        wall = statistics.median(w for w, _ in measured)
        cpu = statistics.median(c for _, c in measured)
        print(f"  {name:18} {wall:6.2f} s   CPU {cpu:6.2f} s")
    print(f"  records made in {made_records:.2f} s, documents in {made_documents:.2f} s (briefgen's side)")


if __name__ == "__main__":
    main()
