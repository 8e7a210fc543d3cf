"""Finding briefings in a real browser: search with Pagefind, its filters, the calendars, and no JavaScript.

Every site of conftest.sites is built with search, as `briefgen build` builds
by default, and served under /conflict-archive/ as GitHub Pages serves a
project's site; the browser may ask no other host and meet no console error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest

from briefgen.build import build_site
from tests.e2e.conftest import PREFIX, ServedSite, representative_pages
from tests.e2e.readers import axe_violations, browse, horizontal_overflow, save_screenshot
from tests.sitetools import copy_example, serve

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

pytestmark = pytest.mark.e2e

ISW_TITLE = "Russia weighs deploying North Korean troops in Ukraine"
RESULT = ".search-result"
WAIT_MS = 15_000


def results(page: Page) -> list[dict[str, str]]:
    """The results shown once the search has settled: title, address and the 'Key: value' tags
    (source, date) of each."""
    page.wait_for_function(
        "() => { const s = document.querySelector('[data-briefgen-search]');"
        " return !s.hasAttribute('aria-busy') && /result/.test(s.querySelector('.search-message').textContent); }",
        timeout=WAIT_MS,
    )
    found: list[dict[str, str]] = page.locator(RESULT).evaluate_all(
        """items => items.map(item => {
            const link = item.querySelector('.search-result-link');
            const tags = [...item.querySelectorAll('.search-result-tag')].map(t => t.textContent.trim());
            return {title: link.textContent.trim(), href: link.getAttribute('href'), tags: tags.join(' | '),
                    excerpt: item.querySelector('.search-result-excerpt').textContent.trim()};
        })"""
    )
    return found


def result_count(page: Page) -> int:
    message = page.locator(".search-message").text_content() or ""
    match = re.search(r"(\d+) results?", message)
    assert match, message
    return int(match.group(1))


def search_from_the_header(page: Page, words: str) -> None:
    box = page.get_by_role("searchbox", name="Search the briefings")
    box.fill(words)
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="), timeout=WAIT_MS)


def filter_group(page: Page, key: str) -> Locator:
    return page.locator(f'.search-filter[data-filter="{key}"]')


def choose(page: Page, key: str, name: str) -> None:
    """Tick the filter value `name` of the filter `key` and wait for the results it gives."""
    before = page.locator(".search-message").text_content()
    group = filter_group(page, key)
    if group.get_attribute("open") is None:
        group.locator("summary").click()
    group.locator(".search-filter-label").filter(has_text=name).first.click()
    page.wait_for_function(
        "(before) => { const s = document.querySelector('[data-briefgen-search]');"
        " return !s.hasAttribute('aria-busy') && s.querySelector('.search-message').textContent !== before; }",
        arg=before,
        timeout=WAIT_MS,
    )


def test_typing_patriot_in_the_search_box_shows_the_isw_briefing(
    sites: dict[str, ServedSite], browser: Browser
) -> None:
    site = sites["example"]
    with browse(browser, site.url("")) as visit:
        search_from_the_header(visit.page, "Patriot")
        found = results(visit.page)
        save_screenshot(visit.page, "e2e/example/search-patriot-1280")
        assert [r["title"] for r in found] == [ISW_TITLE]
        isw = found[0]
        assert "Source: Institute for the Study of War" in isw["tags"]
        assert "Date: June 26, 2025" in isw["tags"]
        assert "Patriot" in isw["excerpt"]
        assert isw["href"] == "/conflict-archive/briefings/2025/06/26/isw-north-korean-troops/"
        visit.page.locator(".search-result-link").first.click()
        visit.page.wait_for_load_state("load")
        assert visit.page.locator("h1").text_content() == ISW_TITLE
    assert visit.problems == []


def test_pagefind_reads_the_arabic_index_on_the_arabic_briefing_s_page(
    sites: dict[str, ServedSite], browser: Browser
) -> None:
    """The example's Arabic briefing is indexed under its own language (an index beside the English one,
    assembled from its entry like every other): on its page (<html lang="ar">), pagefind.js reads that
    index and finds the briefing by an Arabic word, with the word marked in its excerpt."""
    site = sites["example"]
    with browse(browser, site.url(site.pages["rtl-briefing"])) as visit:
        found = visit.page.evaluate(
            """async (bundle) => {
                const pagefind = await import(bundle + "pagefind.js");
                const search = await pagefind.search("التهجير");
                const data = await Promise.all(search.results.map(r => r.data()));
                return data.map(d => ({url: d.url, excerpt: d.excerpt}));
            }""",
            site.url("pagefind/"),
        )
        assert len(found) == 1
        assert found[0]["url"].endswith("-ar/")
        assert "<mark>" in found[0]["excerpt"]
    assert visit.problems == []


@pytest.mark.parametrize("build", ["example", "example-path"])
def test_filtering_by_source_narrows_the_results(sites: dict[str, ServedSite], browser: Browser, build: str) -> None:
    site = sites[build]
    with browse(browser, site.url("search/?q=during")) as visit:
        everything = results(visit.page)
        assert {r["title"] for r in everything} >= {ISW_TITLE}
        # The Arabic translation is in Arabic's index, which an English search page does not load.
        assert len(everything) == 2, (
            'both English briefings of the example say "during" (a date is not indexed: it is a filter and meta)'
        )
        choose(visit.page, "source", "Wilson Center")
        narrowed = results(visit.page)
        assert len(narrowed) == 1
        assert "Source: Wilson Center" in narrowed[0]["tags"]
    assert visit.problems == []


def test_search_works_on_a_generated_corpus_under_a_sub_path(sites: dict[str, ServedSite], browser: Browser) -> None:
    site = sites["corpus"]
    with browse(browser, site.url("sources/")) as visit:
        search_from_the_header(visit.page, "Russian forces")
        found = results(visit.page)
        total = result_count(visit.page)
        assert total > 20
        assert all(r["href"].startswith("/conflict-archive/briefings/") for r in found)
        first_source = filter_group(visit.page, "source").locator(".search-filter-label")
        name = re.sub(r"\s*\(\d+\)\s*$", "", first_source.first.text_content() or "").strip()
        choose(visit.page, "source", name)
        narrowed = results(visit.page)
        assert 0 < result_count(visit.page) < total
        assert all(f"Source: {name}" in r["tags"] for r in narrowed)
        save_screenshot(visit.page, "e2e/corpus/search-filtered-1280")
        visit.page.locator(".search-result-link").first.click()
        visit.page.wait_for_load_state("load")
        assert visit.page.url.startswith(site.address + "briefings/")
    assert visit.problems == []


@pytest.mark.parametrize("build", ["example", "corpus"])
def test_the_search_page_with_results_is_accessible_and_fits_a_phone(
    sites: dict[str, ServedSite], browser: Browser, build: str
) -> None:
    site = sites[build]
    violations = {}
    with browse(browser, site.url("search/?q=Ukraine")) as visit:
        results(visit.page)
        for scheme in ("light", "dark"):
            visit.page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
            violations[scheme] = axe_violations(visit.page)
        overflow = [problem for width in (320, 390) for problem in horizontal_overflow(visit.page, width)]
        save_screenshot(visit.page, f"e2e/{build}/search-390-dark")
    assert violations == {"light": [], "dark": []}
    assert overflow == []
    assert visit.problems == []


def test_without_javascript_the_search_box_leads_to_a_page_that_says_what_to_do(
    sites: dict[str, ServedSite], browser: Browser
) -> None:
    site = sites["example"]
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site.url(""))
        search_from_the_header(page, "Patriot")
        text = page.locator("main").inner_text()
        assert "needs JavaScript" in text
        links = page.locator("main a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
        assert "/conflict-archive/briefings/" in links
        # Everything else reads as before: the briefing page is whole without scripts.
        page.goto(site.url("briefings/2025/06/26/isw-north-korean-troops/"))
        assert page.locator("article.briefing .notes li").count() == 12
        assert page.locator("script").count() == 0
    finally:
        context.close()


def test_only_the_search_page_has_scripts(sites: dict[str, ServedSite]) -> None:
    site = sites["example"]
    with_scripts = sorted(
        p.relative_to(site.output).as_posix()
        for p in site.output.rglob("*.html")
        if "<script" in p.read_text(encoding="utf-8")
    )
    assert with_scripts == ["search/index.html"]


def test_a_calendar_day_leads_to_its_date_page(sites: dict[str, ServedSite], browser: Browser) -> None:
    site = sites["example"]
    with browse(browser, site.url("briefings/")) as visit:
        day = visit.page.get_by_role("link", name="June 26, 2025: 3 briefings")
        assert day.count() == 1
        day.click()
        visit.page.wait_for_load_state("load")
        assert visit.page.url == site.url("briefings/2025/06/26/")
        assert visit.page.locator("article.day-briefing").count() == 3  # the Wilson Center's piece in Arabic too
    assert visit.problems == []


# ------------------------------------------------------------ names that are markup


HOSTILE_FILE = "briefings/2025/06/26/wilson-center-forced-displacement.md"
HOSTILE = {
    "source": ["<img src=x onerror=alert('source')>"],
    "tag": ["<svg onload=alert('tag')>", "\"><script>alert('tag')</script>", "$& $' {term}"],
    "place": ["<iframe src=javascript:alert('place')></iframe>", "</label><img src=x onerror=alert('place')>"],
}
# (Not entity-like text such as '&amp;lt;': Pagefind decodes it while indexing, so that name is filtered
# under another spelling. Harmless here, where every name is shown as text, whatever it decodes to.)
HOSTILE_TITLE = "<img src=x onerror=alert('title')> Forced displacement"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    """The example archive with the Wilson Center briefing's title, source, topics and places
    made of markup, as pasted from a page that meant harm, served as the other sites are."""
    root = copy_example(tmp_path_factory.mktemp("e2e-hostile") / "root")
    briefing = root / HOSTILE_FILE
    text = briefing.read_text(encoding="utf-8")
    front = (
        f"title: {json.dumps(HOSTILE_TITLE)}\ndate: 2025-06-26\nsource: {json.dumps(HOSTILE['source'][0])}\n"
        f"tags: {json.dumps(HOSTILE['tag'])}\nplaces: {json.dumps(HOSTILE['place'])}\n"
    )
    briefing.write_text(re.sub(r"(?s)\A---\n.*?\n---\n", f"---\n{front}---\n", text, count=1), encoding="utf-8")
    output = root / "site"
    with serve(output, PREFIX) as address:
        build_site(root, output=output, base_url=address)
        yield ServedSite("hostile", output, address, representative_pages(output))


def filter_values(page: Page, key: str) -> list[str]:
    found: list[str] = filter_group(page, key).locator('[data-slot="value"]').all_text_contents()
    return found


@pytest.mark.parametrize("words", ["river", "during"])
def test_names_made_of_markup_stay_text_on_the_search_page(
    hostile_site: ServedSite, browser: Browser, words: str
) -> None:
    with browse(browser, hostile_site.url(f"search/?q={words}")) as visit:
        found = results(visit.page)
        for key, names in HOSTILE.items():
            assert set(names) <= set(filter_values(visit.page, key)), key
        if words == "during":  # both briefings; each hostile filter leaves the hostile one
            assert len(found) == 2
            hostile = next(r for r in found if r["title"] == HOSTILE_TITLE)
            assert f"Source: {HOSTILE['source'][0]}" in hostile["tags"]
            everything = [r["title"] for r in found]
            for key, names in HOSTILE.items():
                # Pagefind matches no filter value holding '"' (its JSON reader leaves '\\"' escaped);
                # that name is shown above, as text, but cannot be chosen.
                for name in (name for name in names if '"' not in name):
                    visit.page.goto(hostile_site.url(f"search/?q={words}"))
                    assert [r["title"] for r in results(visit.page)] == everything
                    choose(visit.page, key, name)
                    assert [r["title"] for r in results(visit.page)] == [HOSTILE_TITLE], (key, name)
        # Nothing was made an element: no image, frame or script from a name, and so no request for one.
        assert visit.page.locator(".search img, .search svg, .search iframe, .search script").count() == 0
        visit.page.wait_for_load_state("networkidle")
    assert visit.problems == []


def test_words_typed_are_text_too(hostile_site: ServedSite, browser: Browser) -> None:
    typed = "<img src=x onerror=alert('typed')> $& displacement"  # '$&' would repeat the template's words
    with browse(browser, hostile_site.url("search/")) as visit:
        box = visit.page.get_by_role("searchbox", name="Search the briefings")
        box.fill(typed)
        results(visit.page)
        assert visit.page.locator(".search-message").text_content() == f"1 result for \u201c{typed}\u201d"
        assert parse_qs(urlsplit(visit.page.url).query) == {"q": [typed]}  # kept for a reload or a link
        visit.page.wait_for_load_state("networkidle")
    assert visit.problems == []
