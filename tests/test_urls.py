"""urls.py, the one owner of every address: each kind of object's path, output file and URL.

And the rule that keeps it the one owner: no template joins path segments
itself (the last tests read every template of the theme).
"""

from __future__ import annotations

import datetime as dt
import re
from fnmatch import fnmatch
from pathlib import Path

import pytest

from briefgen import urls
from briefgen.model import Briefing, Settings, Source, Term
from briefgen.urls import SiteUrls

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
ISW = Source(key="isw", name="Institute for the Study of War")
KURSK = Term(name="Kursk Oblast", slug="kursk-oblast")


def briefing(day: dt.date = dt.date(2025, 6, 26), slug: str = "isw-assessment") -> Briefing:
    return Briefing(path=f"briefings/{slug}.md", title="T", date=day, source=ISW, slug=slug, summary="")


def site(base_url: str) -> SiteUrls:
    return SiteUrls(Settings(base_url=base_url))


# Every kind of object: (its path, the file it is written to).
KINDS = [
    ("home", urls.home_path, "", "index.html"),
    ("home page 3", lambda: urls.home_path(3), "page/3/", "page/3/index.html"),
    (
        "briefing",
        lambda: urls.briefing_path(briefing()),
        "briefings/2025/06/26/isw-assessment/",
        "briefings/2025/06/26/isw-assessment/index.html",
    ),
    (
        "briefing's image",
        lambda: urls.briefing_file_path(briefing(), "map.png"),
        "briefings/2025/06/26/isw-assessment/map.png",
        "briefings/2025/06/26/isw-assessment/map.png",
    ),
    ("date", lambda: urls.date_path(dt.date(2025, 6, 2)), "briefings/2025/06/02/", "briefings/2025/06/02/index.html"),
    (
        "date in year 1",
        lambda: urls.date_path(dt.date(1, 1, 1)),
        "briefings/0001/01/01/",
        "briefings/0001/01/01/index.html",
    ),
    ("month", lambda: urls.month_path(2025, 6), "briefings/2025/06/", "briefings/2025/06/index.html"),
    ("year", lambda: urls.year_path(2025), "briefings/2025/", "briefings/2025/index.html"),
    ("all dates", lambda: urls.ALL_DATES_PATH, "briefings/", "briefings/index.html"),
    ("source", lambda: urls.source_path("isw"), "sources/isw/", "sources/isw/index.html"),
    ("source page 2", lambda: urls.source_path("isw", 2), "sources/isw/page/2/", "sources/isw/page/2/index.html"),
    ("all sources", lambda: urls.ALL_SOURCES_PATH, "sources/", "sources/index.html"),
    ("taxonomy", lambda: urls.taxonomy_path("places"), "places/", "places/index.html"),
    ("term", lambda: urls.term_path("places", KURSK), "places/kursk-oblast/", "places/kursk-oblast/index.html"),
    ("term of a new taxonomy", lambda: urls.term_path("authors", Term("A. B.", "a-b")), "authors/a-b/", None),
    ("site feed", lambda: urls.FEED_PATH, "feed.xml", "feed.xml"),
    ("site JSON feed", lambda: urls.JSON_FEED_PATH, "feed.json", "feed.json"),
    (
        "source feed",
        lambda: urls.atom_feed_path(urls.source_path("isw")),
        "sources/isw/feed.xml",
        "sources/isw/feed.xml",
    ),
    ("term JSON feed", lambda: urls.json_feed_path(urls.term_path("tags", KURSK)), "tags/kursk-oblast/feed.json", None),
    (
        "date's JSON",
        lambda: urls.page_json_path(urls.date_path(dt.date(2025, 6, 2))),
        "briefings/2025/06/02/index.json",
        None,
    ),
    ("JSON index", lambda: urls.JSON_INDEX_PATH, "briefings.json", "briefings.json"),
    ("asset", lambda: urls.asset_path("briefgen.css"), "assets/briefgen.css", "assets/briefgen.css"),
    ("search page", lambda: urls.SEARCH_PATH, "search/", "search/index.html"),
    ("search bundle file", lambda: urls.search_bundle_file_path("pagefind.js"), "pagefind/pagefind.js", None),
    ("sitemap", lambda: urls.SITEMAP_PATH, "sitemap.xml", "sitemap.xml"),
    ("404 page", lambda: urls.NOT_FOUND_PATH, "404.html", "404.html"),
]


@pytest.mark.parametrize(("kind", "make", "path", "output"), KINDS, ids=[k[0] for k in KINDS])
def test_every_kind_of_object_has_its_path_and_output_file(
    kind: str, make: object, path: str, output: str | None
) -> None:
    assert callable(make)
    made = make()
    assert made == path
    if output is not None:
        assert urls.output_path(made) == output


def test_briefing_pages_glob_matches_briefing_pages_only() -> None:
    assert fnmatch(urls.output_path(urls.briefing_path(briefing())), urls.BRIEFING_PAGES_GLOB)
    assert not fnmatch(urls.output_path(urls.date_path(dt.date(2025, 6, 26))), urls.BRIEFING_PAGES_GLOB)
    assert not fnmatch(urls.output_path(urls.source_path("isw", 2)), urls.BRIEFING_PAGES_GLOB)


@pytest.mark.parametrize(
    ("base_url", "prefix", "absolute"),
    [
        ("/", "/", "/"),
        ("/archive/", "/archive/", "/archive/"),
        ("https://example.org/", "/", "https://example.org/"),
        ("https://example.org/conflict-archive/", "/conflict-archive/", "https://example.org/conflict-archive/"),
    ],
)
def test_urls_sit_under_base_urls_path(base_url: str, prefix: str, absolute: str) -> None:
    site_urls = site(base_url)
    day = dt.date(2025, 6, 26)
    assert site_urls.home() == prefix
    assert site_urls.home(2) == prefix + "page/2/"
    assert site_urls.briefing(briefing()) == prefix + "briefings/2025/06/26/isw-assessment/"
    assert site_urls.absolute_briefing(briefing()) == absolute + "briefings/2025/06/26/isw-assessment/"
    assert site_urls.date(day) == prefix + "briefings/2025/06/26/"
    assert site_urls.month(2025, 6) == prefix + "briefings/2025/06/"
    assert site_urls.year(2025) == prefix + "briefings/2025/"
    assert site_urls.all_dates() == prefix + "briefings/"
    assert site_urls.source("isw") == prefix + "sources/isw/"
    assert site_urls.source("isw", 2) == prefix + "sources/isw/page/2/"
    assert site_urls.all_sources() == prefix + "sources/"
    assert site_urls.taxonomy("tags") == prefix + "tags/"
    assert site_urls.term("places", KURSK) == prefix + "places/kursk-oblast/"
    assert site_urls.search() == prefix + "search/"
    assert site_urls.search_bundle() == prefix + "pagefind/"
    assert site_urls.feeds() == urls.Feeds(prefix + "feed.xml", prefix + "feed.json")
    assert site_urls.source_feeds("isw") == urls.Feeds(
        prefix + "sources/isw/feed.xml", prefix + "sources/isw/feed.json"
    )
    assert site_urls.term_feeds("tags", KURSK).json == prefix + "tags/kursk-oblast/feed.json"
    assert site_urls.page_json(urls.date_path(day)) == prefix + "briefings/2025/06/26/index.json"
    assert site_urls.json_index() == prefix + "briefings.json"
    assert site_urls.sitemap() == prefix + "sitemap.xml"
    assert site_urls.absolute_sitemap() == absolute + "sitemap.xml"
    assert site_urls.asset("briefgen.css") == prefix + "assets/briefgen.css"
    assert site_urls.has_host == absolute.startswith("https:")


def test_what_does_not_come_from_a_slug_is_percent_encoded() -> None:
    # An asset's name is the site's own file name; base_url's path is the editor's.
    site_urls = site("https://example.org/архив 2/")
    assert site_urls.base_path == "/%D0%B0%D1%80%D1%85%D0%B8%D0%B2%202/"
    assert site_urls.asset("map of Kyiv#1.svg") == site_urls.base_path + "assets/map%20of%20Kyiv%231.svg"
    assert site_urls.absolute_sitemap() == "https://example.org/%D0%B0%D1%80%D1%85%D0%B8%D0%B2%202/sitemap.xml"


def test_a_base_url_already_encoded_is_not_encoded_again() -> None:
    assert site("https://example.org/a%20b/").base_path == "/a%20b/"


# ------------------------------------------------------- templates ask, never join

# What joining path segments looks like in Jinja: '~' beside a quoted piece
# holding '/' or a file name, '+' on quoted paths, a format or a join building
# a path, or urls.page() given a literal (a path written in the template).
HAND_MADE_PATH = [
    re.compile(r"""~\s*['"][^'"]*(/|\.json|\.xml|\.html)"""),
    re.compile(r"""['"][^'"]*(/|\.json|\.xml|\.html)['"]\s*~"""),
    re.compile(r"""['"][^'"]*/[^'"]*['"]\s*\+|\+\s*['"][^'"]*/"""),
    re.compile(r"""\|\s*join\(\s*['"]/['"]"""),
    re.compile(r"""['"][^'"]*/[^'"]*['"]\s*(%(?!\})|\|\s*format)"""),  # '%}' ends a tag: not a format
    re.compile(r"""urls\.(page|absolute)\(\s*['"]"""),
]


def hand_made_paths(text: str) -> list[str]:
    return [match.group(0) for pattern in HAND_MADE_PATH for match in pattern.finditer(text)]


def theme_files() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.is_file() and p.suffix in {".html", ".xml", ".txt"})


@pytest.mark.parametrize("template", theme_files(), ids=lambda p: p.relative_to(TEMPLATES).as_posix())
def test_no_template_assembles_a_path_by_hand(template: Path) -> None:
    assert hand_made_paths(template.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "line",
    [
        """<a href="{{ urls.page('sources/' ~ source.key ~ '/feed.xml') }}">""",
        """<a href="{{ urls.page(page_path ~ 'index.json') }}">""",
        """<a href="{{ urls.page('tags/') }}">""",
        """<a href="{{ urls.absolute('sitemap.xml') }}">""",
        """<a href="{{ base ~ '/tags/' ~ term.slug }}">""",
        """<a href="{{ ['tags', term.slug] | join('/') }}">""",
        """<a href="{{ '%s/%s/' % (segment, term.slug) }}">""",
    ],
)
def test_the_scan_finds_a_path_made_by_hand(line: str) -> None:
    # The template test above can only fail if the scan sees what it looks for.
    assert hand_made_paths(line) != []


def test_the_scan_leaves_ids_and_text_alone() -> None:
    assert hand_made_paths("""{% with box_id = "bg:takeaways:" ~ briefing.slug %}""") == []
    assert hand_made_paths("""{% set heading = "Topic: " ~ group.term.name %}""") == []
