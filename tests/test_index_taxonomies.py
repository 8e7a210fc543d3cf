"""index.py's grouping of briefings by the terms of each taxonomy, and urls.py's term addresses: pure functions."""

from __future__ import annotations

import datetime as dt

from briefgen import index, urls
from briefgen.model import DEFAULT_TAXONOMIES, Archive, BodiesInMemory, Briefing, Settings, Source, Taxonomy, Term

TAGS, PLACES, AUTHORS = DEFAULT_TAXONOMIES
REGIONS = Taxonomy(key="regions", label="Region", plural="Regions", path="areas", search_filter="region")


def briefing(slug: str, day: int, source: str = "a", **terms: tuple[str, ...]) -> Briefing:
    return Briefing(
        path=f"{slug}.md",
        title=slug,
        date=dt.date(2025, 1, day),
        source=Source(source, source.upper()),
        slug=slug,
        summary="",
        terms={
            key: tuple(Term(name, name.lower().replace(" ", "-")) for name in names) for key, names in terms.items()
        },
    )


def test_terms_are_grouped_per_taxonomy_by_name_with_briefings_newest_first() -> None:
    briefings = [
        briefing("old", 1, tags=("drones", "Air"), places=("Kursk",)),
        briefing("new", 5, tags=("drones",)),
        briefing("same-day-b", 5, source="b", tags=("drones",)),
    ]
    groups = index.term_groups(briefings, TAGS)
    assert [(g.term.name, [b.slug for b in g.briefings]) for g in groups] == [
        ("Air", ["old"]),
        ("drones", ["new", "same-day-b", "old"]),
    ]
    assert all(group.taxonomy is TAGS for group in groups)
    assert [g.term.name for g in index.term_groups(briefings, PLACES)] == ["Kursk"]
    assert index.term_groups(briefings, AUTHORS) == ()


def test_spellings_that_slug_alike_share_a_group_named_by_the_first() -> None:
    briefings = [briefing("a", 1, places=("Kursk Oblast",)), briefing("b", 2, places=("kursk oblast",))]
    (group,) = index.term_groups(briefings, PLACES)
    assert group.term == Term("Kursk Oblast", "kursk-oblast")
    assert [b.slug for b in group.briefings] == ["b", "a"]


def test_a_slug_in_two_taxonomies_is_two_terms() -> None:
    briefings = [briefing("a", 1, tags=("Kharkiv",)), briefing("b", 2, places=("Kharkiv",))]
    assert [b.slug for b in index.term_groups(briefings, TAGS)[0].briefings] == ["a"]
    assert [b.slug for b in index.term_groups(briefings, PLACES)[0].briefings] == ["b"]


def test_the_archive_index_has_a_listing_per_taxonomy_of_the_settings_in_their_order() -> None:
    settings = Settings(taxonomies=(REGIONS, TAGS))
    archive = Archive(settings, {}, (briefing("a", 1, regions=("Donbas",), places=("Kursk",)),), BodiesInMemory({}))
    listings = index.build_index(archive).taxonomies
    assert [listing.taxonomy for listing in listings] == [REGIONS, TAGS]
    assert [g.term.slug for g in listings[0].groups] == ["donbas"]
    assert listings[1].groups == (), "a taxonomy no briefing uses still has its listing"


def test_term_addresses_use_the_taxonomy_path() -> None:
    term = Term("Donbas", "donbas")
    assert urls.taxonomy_path(REGIONS.path) == "areas/"
    assert urls.term_path(REGIONS.path, term) == "areas/donbas/"
    assert urls.term_path(TAGS.path, term) == "tags/donbas/"
    page = urls.term_path(REGIONS.path, term)
    assert (urls.atom_feed_path(page), urls.json_feed_path(page)) == ("areas/donbas/feed.xml", "areas/donbas/feed.json")
