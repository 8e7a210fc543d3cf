"""The built site as readers get it: in a real browser, through the HTML checker, axe-core and feed readers.

The example archive and a 200-briefing corpus, each served over HTTP under
/conflict-archive/ and built with that full address (see conftest.sites), go
through every check; the example built with a path base_url goes through the
checks that such a base_url changes (links, feeds, the sitemap). Screenshots of
every page type, 1280 and 390 px wide, are kept in test-artifacts/e2e/.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.e2e.conftest import NOT_FOUND_PATH, PAGE_TYPES, PAGINATED_TYPES, ServedSite
from tests.e2e.readers import (
    COLOUR_RULES,
    axe_violations,
    browse,
    citation_round_trips,
    feed_problems,
    horizontal_overflow,
    save_screenshot,
    sitemap_problems,
    vnu_errors,
)
from tests.sitetools import crawl

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Browser

pytestmark = pytest.mark.e2e

PAGES = (
    [pytest.param("example", kind, id=f"example-{kind}") for kind in PAGE_TYPES]
    + [pytest.param("corpus", kind, id=f"corpus-{kind}") for kind in (*PAGE_TYPES, *PAGINATED_TYPES)]
    + [pytest.param("example", "rtl-briefing", id="example-rtl-briefing")]
)
BUILDS = ["example", "corpus", "example-path"]
PHONE_WIDTHS = (320, 360, 390)
"""The README promises a readable page from 320 px wide."""


def page_url(site: ServedSite, kind: str) -> tuple[str, int]:
    """The address of the site's page of type `kind`, and the HTTP status it should answer with."""
    assert kind in site.pages, f"the {site.name} build has no page of type {kind!r}"
    return site.url(site.pages[kind]), 404 if site.pages[kind] == NOT_FOUND_PATH else 200


@pytest.fixture(scope="session")
def vnu_report(sites: dict[str, ServedSite]) -> dict[Path, list[str]]:
    """One run of the Nu HTML Checker over both builds."""
    return vnu_errors(path for site in sites.values() for path in site.checked_files())


@pytest.mark.parametrize(("build", "kind"), PAGES)
def test_page_as_a_reader_gets_it(sites: dict[str, ServedSite], browser: Browser, build: str, kind: str) -> None:
    """One visit to each page makes every check a reader's browser would: it loads with no
    error and no request to another host, has one heading, passes axe-core in the light (and
    its colour rules in the dark), and fits a phone from 320 px wide; it is photographed at 1280 and 390 px.
    (One visit, not one per check: a page's load and axe-core's start are most of the cost.)"""
    url, status = page_url(sites[build], kind)
    found: dict[str, object] = {}
    with browse(browser, url, expected_status=status, settle=True) as visit:
        page = visit.page
        found["headings of level 1"] = page.locator("h1").count()
        found["has a title"] = bool(page.title())
        save_screenshot(page, f"e2e/{build}/{kind}-1280")
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
            dark = page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
            found[f"dark in the {scheme}"] = dark
            # In the dark only colours change (test_theme checks the stylesheet): axe-core's colour rules.
            found[f"axe-core in the {scheme}"] = axe_violations(page, rules=COLOUR_RULES if dark else None)
        save_screenshot(page, f"e2e/{build}/{kind}-1280-dark")
        page.emulate_media(color_scheme="light")
        found["too wide for a phone"] = [
            problem for width in PHONE_WIDTHS for problem in horizontal_overflow(page, width)
        ]
        page.set_viewport_size({"width": 390, "height": 844})
        save_screenshot(page, f"e2e/{build}/{kind}-390")
    found["what the browser met"] = visit.problems
    assert found == {
        "headings of level 1": 1,
        "has a title": True,
        "dark in the light": False,
        "axe-core in the light": [],
        "dark in the dark": True,
        "axe-core in the dark": [],
        "too wide for a phone": [],
        "what the browser met": [],
    }


@pytest.mark.parametrize("build", ["example", "corpus"])
def test_citations_go_to_their_notes_and_back(sites: dict[str, ServedSite], browser: Browser, build: str) -> None:
    url, _ = page_url(sites[build], "briefing")
    with browse(browser, url) as visit:
        # Every citation of the example's briefing; the first ten of the corpus's.
        tried, problems = citation_round_trips(visit.page, limit=None if build == "example" else 10)
    assert tried >= (12 if build == "example" else 1)
    assert problems == []
    assert visit.problems == []


@pytest.mark.parametrize("build", BUILDS)
def test_every_page_is_valid_html(sites: dict[str, ServedSite], vnu_report: dict[Path, list[str]], build: str) -> None:
    site = sites[build]
    checked = site.checked_files()
    assert len([p for p in checked if p.suffix == ".html"]) > (300 if build == "corpus" else 20)
    errors = {path.relative_to(site.output).as_posix(): found for path, found in vnu_report.items() if path in checked}
    assert errors == {}


@pytest.mark.parametrize("build", BUILDS)
def test_every_internal_link_resolves(sites: dict[str, ServedSite], build: str) -> None:
    site = sites[build]
    visited, broken = crawl(site.address)
    assert broken == []
    assert len(visited) > len(list(site.output.rglob("index.html")))


@pytest.mark.parametrize("build", BUILDS)
def test_feeds_are_well_formed_and_every_entry_resolves(sites: dict[str, ServedSite], build: str) -> None:
    site = sites[build]
    feeds = sorted(p.relative_to(site.output).as_posix() for p in site.output.rglob("feed.xml"))
    assert "feed.xml" in feeds
    assert len(feeds) > 2, "the site's feed and one per source"
    if build == "corpus":
        # The site's and every source's, and the first topics' and places': tests/test_finding.py
        # parses every feed of a corpus with feedparser, so here it is about the served site.
        terms = [f for f in feeds if f.startswith(("tags/", "places/"))]
        feeds = [f for f in feeds if f not in terms] + [f for f in terms if f.split("/")[0] == "tags"][:3]
        feeds += [f for f in terms if f.split("/")[0] == "places"][:3]
    entries = 0
    statuses: dict[str, int] = {}  # each address asked for once, though many feeds list it
    for feed in feeds:
        count, problems = feed_problems(site.url(feed), statuses)
        assert problems == []
        entries += count
    assert entries > 0


@pytest.mark.parametrize("build", ["example", "corpus"])
def test_sitemap_is_valid_and_every_address_resolves(sites: dict[str, ServedSite], build: str) -> None:
    site = sites[build]
    count, problems = sitemap_problems(site.url("sitemap.xml"))
    assert problems == []
    assert count == len(list(site.output.rglob("index.html")))
    robots = (site.output / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {site.url('sitemap.xml')}\n" in robots


def test_a_site_without_a_host_has_no_sitemap(sites: dict[str, ServedSite]) -> None:
    # A sitemap's addresses must be absolute; built with base_url '/conflict-archive/'
    # there is no host to write, so there is no sitemap, and nothing points at one.
    site = sites["example-path"]
    assert not (site.output / "sitemap.xml").exists()
    assert "Sitemap:" not in (site.output / "robots.txt").read_text(encoding="utf-8")
    assert "sitemap.xml" not in (site.output / "index.html").read_text(encoding="utf-8")
