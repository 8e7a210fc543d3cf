"""Finding briefings in a real browser: search with Pagefind, its filters, the calendars, and no JavaScript.

Every site of conftest.sites is built with search, as `briefgen build` builds
by default, and served under /conflict-archive/ as GitHub Pages serves a
project's site; the browser may ask no other host and meet no console error.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from tests.e2e.readers import axe_violations, browse, horizontal_overflow, save_screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from tests.e2e.conftest import ServedSite

pytestmark = pytest.mark.e2e

ISW_TITLE = "Russia weighs deploying North Korean troops in Ukraine"
RESULT = ".pagefind-ui__result"
WAIT_MS = 15_000


def results(page: Page) -> list[dict[str, str]]:
    """The results shown now: title, address and the 'Key: value' tags (source, date) of each."""
    page.wait_for_selector(".pagefind-ui__message", timeout=WAIT_MS)
    page.wait_for_function(
        "() => !document.querySelector('.pagefind-ui__loading') && /result/.test("
        "document.querySelector('.pagefind-ui__message').textContent)",
        timeout=WAIT_MS,
    )
    found: list[dict[str, str]] = page.locator(RESULT).evaluate_all(
        """items => items.map(item => {
            const link = item.querySelector('.pagefind-ui__result-link');
            const tags = [...item.querySelectorAll('.pagefind-ui__result-tag')].map(t => t.textContent.trim());
            return {title: link.textContent.trim(), href: link.getAttribute('href'), tags: tags.join(' | '),
                    excerpt: item.querySelector('.pagefind-ui__result-excerpt').textContent.trim()};
        })"""
    )
    return found


def result_count(page: Page) -> int:
    message = page.locator(".pagefind-ui__message").text_content() or ""
    match = re.search(r"(\d+) results?", message)
    assert match, message
    return int(match.group(1))


def search_from_the_header(page: Page, words: str) -> None:
    box = page.get_by_role("searchbox", name="Search the briefings")
    box.fill(words)
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="), timeout=WAIT_MS)


def choose_source(page: Page, name: str) -> None:
    before = page.locator(".pagefind-ui__message").text_content()
    page.locator(".pagefind-ui__filter-group", has_text="Source").get_by_text(name, exact=False).first.click()
    page.wait_for_function(
        "(before) => document.querySelector('.pagefind-ui__message').textContent !== before",
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
        visit.page.locator(".pagefind-ui__result-link").first.click()
        visit.page.wait_for_load_state("load")
        assert visit.page.locator("h1").text_content() == ISW_TITLE
    assert visit.problems == []


@pytest.mark.parametrize("build", ["example", "example-path"])
def test_filtering_by_source_narrows_the_results(sites: dict[str, ServedSite], browser: Browser, build: str) -> None:
    site = sites[build]
    with browse(browser, site.url("search/?q=June")) as visit:
        everything = results(visit.page)
        assert {r["title"] for r in everything} >= {ISW_TITLE}
        assert len(everything) == 2, "both briefings of the example carry a date in June"
        choose_source(visit.page, "Wilson Center")
        narrowed = results(visit.page)
        assert len(narrowed) == 1
        assert "Source: Wilson Center" in narrowed[0]["tags"]
    assert visit.problems == []


def test_search_works_on_a_300_briefing_corpus_under_a_sub_path(sites: dict[str, ServedSite], browser: Browser) -> None:
    site = sites["corpus"]
    with browse(browser, site.url("sources/")) as visit:
        search_from_the_header(visit.page, "Russian forces")
        found = results(visit.page)
        total = result_count(visit.page)
        assert total > 20
        assert all(r["href"].startswith("/conflict-archive/briefings/") for r in found)
        first_source = visit.page.locator(".pagefind-ui__filter-group", has_text="Source").locator(
            ".pagefind-ui__filter-label"
        )
        name = re.sub(r"\s*\(\d+\)\s*$", "", first_source.first.text_content() or "").strip()
        choose_source(visit.page, name)
        narrowed = results(visit.page)
        assert 0 < result_count(visit.page) < total
        assert all(f"Source: {name}" in r["tags"] for r in narrowed)
        save_screenshot(visit.page, "e2e/corpus/search-filtered-1280")
        visit.page.locator(".pagefind-ui__result-link").first.click()
        visit.page.wait_for_load_state("load")
        assert visit.page.url.startswith(site.address + "briefings/")
    assert visit.problems == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("build", ["example", "corpus"])
def test_the_search_page_with_results_is_accessible_and_fits_a_phone(
    sites: dict[str, ServedSite], browser: Browser, build: str, scheme: str
) -> None:
    site = sites[build]
    with browse(browser, site.url("search/?q=Ukraine"), color_scheme=scheme) as visit:
        results(visit.page)
        violations = axe_violations(visit.page)
        overflow = [problem for width in (320, 390) for problem in horizontal_overflow(visit.page, width)]
        save_screenshot(visit.page, f"e2e/{build}/search-390-{scheme}")
    assert violations == []
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
        day = visit.page.get_by_role("link", name="June 26, 2025: 2 briefings")
        assert day.count() == 1
        day.click()
        visit.page.wait_for_load_state("load")
        assert visit.page.url == site.url("briefings/2025/06/26/")
        assert visit.page.locator("article.day-briefing").count() == 2
    assert visit.problems == []
