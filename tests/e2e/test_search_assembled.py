"""The search bundle assembled from per-page entries (pagefindassembly.py), searched in a real browser.

The example archive is built with search, then its Pagefind bundle is
replaced by one assembled from entries, each split from Pagefind's bundle of
that briefing page alone: pagefind.js must load it, and the site's search
page must find what it finds with Pagefind's own bundle (the page, its
excerpt, its filters), in English and in Arabic.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from briefgen.build import build_site
from briefgen.pagefindassembly import assemble
from briefgen.pagefindformat import decode_file, run_of, split_bundle
from tests.e2e.conftest import PREFIX
from tests.e2e.readers import browse
from tests.e2e.test_search import ISW_TITLE, choose, results, search_from_the_header
from tests.pagefindfeed import bundle_of
from tests.sitetools import copy_example, serve

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.e2e


def bundle_files(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


@pytest.fixture(scope="module")
def assembled_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = copy_example(tmp_path_factory.mktemp("assembled") / "root")
    output = tmp_path_factory.mktemp("assembled") / "site"
    with serve(output, PREFIX) as address:
        build_site(root, output=output, base_url=address)
        folder = output / "pagefind"
        built = bundle_files(folder)
        # Each page fed alone, at the address Pagefind gave it when it indexed the site.
        urls = {
            json.loads(decode_file(content))["url"] for name, content in built.items() if name.startswith("fragment/")
        }
        entries = []
        for url in sorted(urls):
            html = (output / url.strip("/").removeprefix(PREFIX.strip("/")).strip("/") / "index.html").read_text(
                "utf-8"
            )
            entries += split_bundle(bundle_of([(url, html)])[0])
        assert len(entries) == 3
        assembled = assemble(entries, run_of(built))
        assert assembled.keys() != built.keys(), "not Pagefind's own bundle: its filters are named otherwise"
        shutil.rmtree(folder)
        for name, content in assembled.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(content)
        yield address


def test_the_assembled_bundle_finds_the_briefing_with_its_excerpt(assembled_site: str, browser: Browser) -> None:
    with browse(browser, assembled_site) as visit:
        search_from_the_header(visit.page, "Patriot")
        found = results(visit.page)
        assert [r["title"] for r in found] == [ISW_TITLE]
        assert "Patriot" in found[0]["excerpt"]
        assert "Source: Institute for the Study of War" in found[0]["tags"]
        assert found[0]["href"] == "/conflict-archive/briefings/2025/06/26/isw-north-korean-troops/"
    assert visit.problems == []


def test_the_assembled_bundles_filters_narrow_the_results(assembled_site: str, browser: Browser) -> None:
    with browse(browser, assembled_site + "search/?q=June") as visit:
        assert len(results(visit.page)) == 2, "both English briefings carry a date in June"
        choose(visit.page, "source", "Wilson Center")
        narrowed = results(visit.page)
        assert len(narrowed) == 1
        assert "Source: Wilson Center" in narrowed[0]["tags"]
    assert visit.problems == []


def test_pagefind_js_reads_the_arabic_index_of_the_assembled_bundle(assembled_site: str, browser: Browser) -> None:
    # On the Arabic briefing's page (<html lang="ar">), pagefind.js reads the Arabic index.
    with browse(browser, assembled_site + "briefings/2025/06/26/wilson-center-forced-displacement-ar/") as visit:
        found = visit.page.evaluate(
            """async (bundle) => {
                const pagefind = await import(bundle + "pagefind.js");
                const search = await pagefind.search("التهجير");
                const data = await Promise.all(search.results.map(r => r.data()));
                return data.map(d => ({url: d.url, excerpt: d.excerpt}));
            }""",
            assembled_site + "pagefind/",
        )
        assert len(found) == 1
        assert found[0]["url"].endswith("-ar/")
        assert "<mark>" in found[0]["excerpt"]
    assert visit.problems == []
