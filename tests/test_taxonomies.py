"""Taxonomies from settings: a new one is configuration only, and every one takes the same path.

The cost-of-change test: a site adds `regions` to its briefgen.yaml, nothing
else, and gets term pages, Atom and JSON feeds, links from its briefing pages,
a navigation link, a search filter and the JSON indexes' field, as tags and
places have them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import feedparser

from briefgen.build import build_site
from briefgen.config import FEED_EXTENSION_KEYS, FIXED_BRIEFING_KEYS
from briefgen.index import build_index
from briefgen.load import load_archive
from briefgen.plan import SitePlan
from briefgen.render import SiteRenderer
from tests.sites import SOURCES_YAML, MakeSite, briefing_text

BASE_URL = "https://example.org/archive/"

REGIONS_SETTINGS = """\
title: Archive
taxonomies:
  regions:
    label: Region
    plural: Regions
    search_filter: region
"""


def regions_site(make_site: MakeSite, settings: str = REGIONS_SETTINGS) -> Path:
    return make_site(
        {
            "briefgen.yaml": settings,
            "sources.yaml": SOURCES_YAML,
            "briefings/2025/06/25/a.md": briefing_text(
                "regions: [Donbas, Kharkiv region]\ntags: [drones]\n", title="First", date="2025-06-25"
            ),
            "briefings/2025/06/26/b.md": briefing_text("regions: [donbas]\n", title="Second", source="wilson-center"),
        }
    )


def build(root: Path, output: Path, *, use_cache: bool = False) -> Path:
    build_site(root, output=output, base_url=BASE_URL, use_cache=use_cache, search=False)
    return output


def test_a_taxonomy_added_in_settings_only_gets_pages_feeds_links_navigation_and_search(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site = build(regions_site(make_site), tmp_path / "out")

    listing = (site / "regions" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Regions</h1>" in listing
    assert '<a href="/archive/regions/donbas/" dir="auto">Donbas</a> <span class="muted">(2)</span>' in listing
    assert '<a href="/archive/regions/kharkiv-region/" dir="auto">Kharkiv region</a>' in listing

    page = (site / "regions" / "donbas" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Region: Donbas</h1>" in page
    assert page.index(">Second<") < page.index(">First<"), "newest first"

    atom = feedparser.parse((site / "regions" / "donbas" / "feed.xml").read_bytes())
    assert not atom.bozo, atom.get("bozo_exception")
    assert atom.feed.title == "Region: Donbas: Archive"
    assert [entry.title for entry in atom.entries] == ["Second", "First"]
    feed = json.loads((site / "regions" / "donbas" / "feed.json").read_bytes())
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert [item["title"] for item in feed["items"]] == ["Second", "First"]
    assert feed["items"][1]["_briefgen"]["regions"] == ["Donbas", "Kharkiv region"]

    briefing = (site / "briefings/2025/06/25/a/index.html").read_text(encoding="utf-8")
    assert (
        '<p><span class="label">Regions:</span> <a href="/archive/regions/donbas/" data-pagefind-filter="region"'
        ' dir="auto">Donbas</a>, <a href="/archive/regions/kharkiv-region/" data-pagefind-filter="region"'
        ' dir="auto">Kharkiv region</a></p>'
    ) in briefing

    for html in sorted(site.rglob("*.html")):
        assert '<li><a href="/archive/regions/">Regions</a></li>' in html.read_text(encoding="utf-8"), html

    records = json.loads((site / "briefings.json").read_bytes())["briefings"]
    assert {record["title"]: record["regions"] for record in records}["First"] == [
        {"name": "Donbas", "slug": "donbas"},
        {"name": "Kharkiv region", "slug": "kharkiv-region"},
    ]
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "https://example.org/archive/regions/donbas/" in sitemap


def test_a_taxonomy_added_in_settings_is_a_filter_of_the_search_page(make_site: MakeSite) -> None:
    archive, _ = load_archive(regions_site(make_site))
    (job,) = SitePlan(archive, build_index(archive), search=True).search_pages()
    html = SiteRenderer(archive, None).render(job).content.decode("utf-8")
    filters = re.findall(r'data-filter="([^"]+)"', html)
    assert filters == ["source", "tag", "place", "author", "region", "year"]
    assert '<a href="/regions/">by region</a>' in html


def test_a_taxonomy_can_go_without_feeds_and_a_default_can_be_removed(make_site: MakeSite, tmp_path: Path) -> None:
    settings = REGIONS_SETTINGS + "    feeds: false\n  places: false\n"
    site = build(regions_site(make_site, settings), tmp_path / "out")
    assert (site / "regions" / "donbas" / "index.html").is_file()
    assert not list(site.glob("regions/**/feed.*"))
    page = (site / "regions" / "donbas" / "index.html").read_text(encoding="utf-8")
    assert "feed" not in page.split("<main", 1)[1].split("</main>")[0].casefold()
    assert not (site / "places").exists()
    assert "/archive/places/" not in (site / "index.html").read_text(encoding="utf-8")


def test_a_default_taxonomy_takes_new_labels_and_address(make_site: MakeSite, tmp_path: Path) -> None:
    settings = "taxonomies:\n  tags: {label: Theme, plural: Themes, path: themes}\n"
    site = build(regions_site(make_site, REGIONS_SETTINGS.replace("taxonomies:\n", settings)), tmp_path / "out")
    assert not (site / "tags").exists()
    assert "<h1>Theme: drones</h1>" in (site / "themes" / "drones" / "index.html").read_text(encoding="utf-8")
    assert '<li><a href="/archive/themes/">Themes</a></li>' in (site / "index.html").read_text(encoding="utf-8")


def test_a_registry_names_and_describes_terms(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site(
        {
            "briefgen.yaml": "taxonomies:\n  authors:\n    registry: authors.yaml\n",
            "authors.yaml": "jane-doe:\n  name: Jane Doe\n  description: Covers the Donbas front.\n",
            "briefings/a.md": briefing_text("authors: [jane doe]\n"),
            "briefings/b.md": briefing_text("authors: [John Roe]\n", title="Other"),
        }
    )
    site = build(root, tmp_path / "out")
    page = (site / "authors" / "jane-doe" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Author: Jane Doe</h1>" in page
    assert '<p class="term-description">Covers the Donbas front.</p>' in page
    assert "<h1>Author: John Roe</h1>" in (site / "authors" / "john-roe" / "index.html").read_text(encoding="utf-8")
    briefing = (site / "briefings/2025/06/26/a/index.html").read_text(encoding="utf-8")
    assert (
        '· by <a href="/archive/authors/jane-doe/" rel="author" data-pagefind-filter="author" dir="auto">Jane Doe</a>'
        in briefing
    )


def test_a_taxonomy_added_to_a_cached_site_is_read_from_every_briefing_again(
    make_site: MakeSite, tmp_path: Path
) -> None:
    root = regions_site(make_site, "title: Archive\n")
    (root / "briefings/2025/06/25/a.md").write_text(briefing_text(title="First", date="2025-06-25"))
    (root / "briefings/2025/06/26/b.md").write_text(briefing_text(title="Second"))
    site = build(root, tmp_path / "out", use_cache=True)
    assert not (site / "regions").exists()
    (root / "briefgen.yaml").write_text(REGIONS_SETTINGS)
    (root / "briefings/2025/06/26/b.md").write_text(briefing_text("regions: [Donbas]\n", title="Second"))
    build(root, site, use_cache=True)
    assert (site / "regions" / "donbas" / "index.html").is_file()
    (root / "briefgen.yaml").write_text("title: Archive\ntaxonomies:\n  regions: {label: Area, plural: Areas}\n")
    build(root, site, use_cache=True)
    assert "<h1>Area: Donbas</h1>" in (site / "regions" / "donbas" / "index.html").read_text(encoding="utf-8")


def test_authors_link_from_the_byline_and_have_feeds(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"briefings/a.md": briefing_text("authors: [Jane Doe, John Roe]\n")})
    site = build(root, tmp_path / "out")
    briefing = (site / "briefings/2025/06/26/a/index.html").read_text(encoding="utf-8")
    assert (
        '· by <a href="/archive/authors/jane-doe/" rel="author" data-pagefind-filter="author" dir="auto">'
        "Jane Doe</a>, <a" in briefing
    )
    assert 'class="label">Authors' not in briefing, "authors are in the byline, not listed again at the foot"
    atom = feedparser.parse((site / "authors" / "john-roe" / "feed.xml").read_bytes())
    assert not atom.bozo
    assert [author.name for author in atom.entries[0].authors] == ["Jane Doe", "John Roe"]
    feed = json.loads((site / "authors" / "jane-doe" / "feed.json").read_bytes())
    assert feed["items"][0]["authors"][0] == {"name": "Jane Doe", "url": BASE_URL + "authors/jane-doe/"}
    record = json.loads((site / "briefings.json").read_bytes())["briefings"][0]
    assert record["authors"] == ["Jane Doe", "John Roe"], "briefgen-index/1 gives authors as names"


def test_no_taxonomy_can_take_a_field_of_the_feeds_extension(make_site: MakeSite, tmp_path: Path) -> None:
    """The JSON Feed's `_briefgen` extension holds each taxonomy's terms under its key, beside fields of
    its own (`date`, `source`, `locations`): every one of those is a key no taxonomy may be given."""
    settings = REGIONS_SETTINGS + "  places:\n    label: Place\n    plural: Places\n"
    site = build(regions_site(make_site, settings), tmp_path / "out")
    taxonomies = {"regions", "tags", "places", "authors"}
    own_fields = set()
    for item in json.loads((site / "feed.json").read_bytes())["items"]:
        own_fields |= set(item["_briefgen"]) - taxonomies
    assert "locations" in own_fields, "the places, located, are in the extension"
    assert own_fields <= set(FIXED_BRIEFING_KEYS) | FEED_EXTENSION_KEYS
