"""index.py, one listing at a time, on briefings made in memory: dates, months and years, sources,
each briefing's neighbours, the terms of each taxonomy, pagination and feeds (pure functions).
Which briefings reach the index (drafts left out) is the loader's to decide, not index.py's."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from briefgen import index, urls
from briefgen.model import DEFAULT_TAXONOMIES, Archive, BodiesInMemory, Briefing, Settings, Source, Taxonomy, Term

TAGS, PLACES, AUTHORS = DEFAULT_TAXONOMIES
REGIONS = Taxonomy(key="regions", label="Region", plural="Regions", path="areas", search_filter="region")
# Keys and names in opposite orders, so that a listing by name and one by key tell themselves apart.
ALPHA = Source("z-alpha", "alpha")  # lower case: by name regardless of case
BETA = Source("a-beta", "Beta")
QUIET = Source("m-quiet", "Quiet")


def briefing(
    slug: str,
    day: int,
    source: str = "a",
    *,
    month: int = 1,
    year: int = 2025,
    title: str = "",
    **terms: tuple[str, ...],
) -> Briefing:
    return Briefing(
        path=f"{slug}.md",
        title=title or slug,
        date=dt.date(year, month, day),
        source=Source(source, source.upper()),
        slug=slug,
        summary="",
        terms={
            key: tuple(Term(name, name.lower().replace(" ", "-")) for name in names) for key, names in terms.items()
        },
    )


def by(source: Source, slug: str, day: int, *, month: int = 1, year: int = 2025, title: str = "") -> Briefing:
    return dataclasses.replace(briefing(slug, day, month=month, year=year, title=title), source=source)


def archive_of(*briefings: Briefing, settings: Settings | None = None, sources: tuple[Source, ...] = ()) -> Archive:
    """An archive as the loader makes it: every source named, briefings oldest first."""
    known = {s.key: s for s in (*sources, *(b.source for b in briefings))}
    ordered = tuple(sorted(briefings, key=lambda b: b.sort_key))
    return Archive(settings or Settings(), known, ordered, BodiesInMemory({}))


def slugs(briefings: tuple[Briefing, ...]) -> list[str]:
    return [b.slug for b in briefings]


# ------------------------------------------------------------------ dates, months, years


def test_every_briefing_of_a_day_is_listed_together_by_source_name_then_title() -> None:
    # Oldest-first archive order (by source key, then slug) is not the order of a day's page.
    archive = archive_of(
        by(BETA, "b-1", 3, title="Alpha"),
        by(ALPHA, "a-2", 3, title="X-ray"),
        by(ALPHA, "a-1", 3, title="Yankee"),
        by(BETA, "b-0", 3, title="Zulu"),
        by(ALPHA, "other-day", 4),
    )
    (day, other) = index.build_index(archive).dates
    assert day.date == dt.date(2025, 1, 3)
    assert slugs(day.briefings) == ["a-2", "a-1", "b-1", "b-0"]
    assert slugs(other.briefings) == ["other-day"]


def test_dates_are_oldest_first_each_linked_to_the_neighbouring_dates_with_briefings() -> None:
    archive = archive_of(briefing("c", 20), briefing("a", 2), briefing("b", 9), briefing("b2", 9, source="b"))
    dates = index.build_index(archive).dates
    assert [(g.date.day, g.previous, g.next) for g in dates] == [
        (2, None, dt.date(2025, 1, 9)),
        (9, dt.date(2025, 1, 2), dt.date(2025, 1, 20)),  # the days between have no briefing: skipped
        (20, dt.date(2025, 1, 9), None),
    ]


def test_years_and_their_months_are_newest_first_and_a_months_days_oldest_first() -> None:
    archive = archive_of(
        briefing("jan-2024", 5, year=2024),
        briefing("mar-a", 1, month=3),
        briefing("mar-b", 28, month=3),
        briefing("mar-c", 28, month=3, source="b"),
        briefing("jan", 15),
        briefing("dec-2024", 31, month=12, year=2024),
    )
    years = index.build_index(archive).years
    assert [(y.year, [(m.month, [d.date.day for d in m.days]) for m in y.months]) for y in years] == [
        (2025, [(3, [1, 28]), (1, [15])]),
        (2024, [(12, [31]), (1, [5])]),
    ]
    assert [(y.count, [m.count for m in y.months]) for y in years] == [(4, [3, 1]), (2, [1, 1])]


def test_newest_first_is_by_date_then_within_a_day_by_source_key_then_slug() -> None:
    archive = archive_of(
        by(ALPHA, "a-old", 1), by(ALPHA, "a-new", 7), by(BETA, "b-new-2", 7), by(BETA, "b-new-1", 7), by(BETA, "mid", 4)
    )
    # BETA's key sorts first, though its name sorts second.
    assert slugs(index.build_index(archive).newest_first) == ["b-new-1", "b-new-2", "a-new", "mid", "a-old"]


def test_an_empty_archive_has_empty_listings_and_its_sources_still_listed() -> None:
    built = index.build_index(archive_of(sources=(QUIET,)))
    assert (built.newest_first, built.dates, built.years) == ((), (), ())
    assert [(g.source, g.briefings) for g in built.sources] == [(QUIET, ())]


# ------------------------------------------------------------------ sources and neighbours


def test_sources_are_by_name_whatever_the_case_each_with_its_briefings_newest_first() -> None:
    archive = archive_of(by(BETA, "b-1", 1), by(ALPHA, "a-1", 2), by(BETA, "b-2", 5), sources=(QUIET,))
    groups = index.build_index(archive).sources
    assert [(g.source.name, slugs(g.briefings)) for g in groups] == [
        ("alpha", ["a-1"]),
        ("Beta", ["b-2", "b-1"]),
        ("Quiet", []),  # a source with no briefing is listed too
    ]


def test_a_briefing_links_to_the_previous_and_next_of_its_source_and_the_rest_of_its_day() -> None:
    archive = archive_of(by(ALPHA, "a-1", 1), by(BETA, "b-1", 2), by(ALPHA, "a-2", 2), by(ALPHA, "a-3", 9))
    neighbours = index.build_index(archive).neighbours
    assert set(neighbours) == {"a-1.md", "b-1.md", "a-2.md", "a-3.md"}

    def summary(path: str) -> tuple[str | None, str | None, list[str]]:
        n = neighbours[path]
        previous, following = n.previous_in_source, n.next_in_source
        return (previous.slug if previous else None, following.slug if following else None, slugs(n.same_date))

    assert summary("a-1.md") == (None, "a-2", [])
    assert summary("a-2.md") == ("a-1", "a-3", ["b-1"])  # BETA's b-1 is not in ALPHA's series
    assert summary("a-3.md") == ("a-2", None, [])
    assert summary("b-1.md") == (None, None, ["a-2"])


# ------------------------------------------------------------------ taxonomies


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


def test_terms_are_ordered_by_their_names_whatever_the_case_not_by_their_slugs() -> None:
    zaporizhzhia, bakhmut = Term("Zaporizhzhia", "a-zap"), Term("bakhmut", "z-bakhmut")
    tagged = dataclasses.replace(briefing("a", 1), terms={"places": (zaporizhzhia, bakhmut)})
    assert [g.term for g in index.term_groups([tagged], PLACES)] == [bakhmut, zaporizhzhia]


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
    settings = Settings(taxonomies=(TAGS, REGIONS))  # not in the order of their keys
    archive = Archive(settings, {}, (briefing("a", 1, regions=("Donbas",), places=("Kursk",)),), BodiesInMemory({}))
    listings = index.build_index(archive).taxonomies
    assert [listing.taxonomy for listing in listings] == [TAGS, REGIONS]
    assert listings[0].groups == (), "a taxonomy no briefing uses still has its listing"
    assert [g.term.slug for g in listings[1].groups] == ["donbas"]


def test_a_region_holds_the_briefings_of_the_places_within_it() -> None:
    ukraine, oblast = Term("Ukraine", "ukraine"), Term("Donetsk Oblast", "donetsk-oblast", within="ukraine")
    toretsk, lyman = (
        Term("Toretsk", "toretsk", within="donetsk-oblast"),
        Term("Lyman", "lyman", within="donetsk-oblast"),
    )
    registered = {t.slug: t for t in (ukraine, oblast, toretsk, lyman)}
    first = dataclasses.replace(briefing("a", 1), terms={"places": (toretsk, lyman)})
    second = dataclasses.replace(briefing("b", 2), terms={"places": (oblast,)})
    groups = {g.term.slug: slugs(g.briefings) for g in index.term_groups([first, second], PLACES, registered)}
    # Each briefing once in its region's and country's groups, however many of its places lie there.
    assert groups == {"donetsk-oblast": ["b", "a"], "lyman": ["a"], "toretsk": ["a"], "ukraine": ["b", "a"]}
    assert index.containers(toretsk, registered) == (oblast, ukraine)
    assert {g.term.slug for g in index.term_groups([first, second], PLACES)} == {"donetsk-oblast", "lyman", "toretsk"}


def test_term_addresses_use_the_taxonomy_path() -> None:
    term = Term("Donbas", "donbas")
    assert urls.taxonomy_path(REGIONS.path) == "areas/"
    assert urls.term_path(REGIONS.path, term) == "areas/donbas/"
    assert urls.term_path(TAGS.path, term) == "tags/donbas/"
    page = urls.term_path(REGIONS.path, term)
    assert (urls.atom_feed_path(page), urls.json_feed_path(page)) == ("areas/donbas/feed.xml", "areas/donbas/feed.json")


# ------------------------------------------------------------------ pagination

PER_PAGE = 3
ITEMS = tuple(briefing(f"b{n}", n) for n in range(1, 2 * PER_PAGE + 2))


def pages_of(count: int) -> list[tuple[int, int, list[str], str, str | None, str | None]]:
    pages = index.paginate(ITEMS[:count], PER_PAGE, urls.home_path)
    return [(p.number, p.count, slugs(p.items), p.path, p.previous_path, p.next_path) for p in pages]


def test_an_empty_listing_has_one_empty_page() -> None:
    assert pages_of(0) == [(1, 1, [], "", None, None)]


def test_exactly_per_page_items_make_one_page() -> None:
    assert pages_of(PER_PAGE) == [(1, 1, ["b1", "b2", "b3"], "", None, None)]


def test_one_more_than_per_page_makes_a_second_page_of_one_linked_both_ways() -> None:
    assert pages_of(PER_PAGE + 1) == [
        (1, 2, ["b1", "b2", "b3"], "", None, "page/2/"),
        (2, 2, ["b4"], "page/2/", "", None),
    ]


@pytest.mark.parametrize("count", range(2 * PER_PAGE + 2))
def test_pages_hold_every_item_once_in_order_none_empty_but_an_empty_listings(count: int) -> None:
    pages = index.paginate(ITEMS[:count], PER_PAGE, urls.home_path)
    assert [b for page in pages for b in page.items] == list(ITEMS[:count])
    assert all(0 < len(page.items) <= PER_PAGE for page in pages) or count == 0
    assert [p.path for p in pages] == [urls.home_path(n) for n in range(1, len(pages) + 1)]


# ------------------------------------------------------------------ feeds

QUIET_TAGS = dataclasses.replace(TAGS, feeds=False)


def test_feed_listings_are_the_archive_then_each_source_then_each_term_of_taxonomies_with_feeds() -> None:
    settings = Settings(title="Site", taxonomies=(QUIET_TAGS, PLACES))
    archive = archive_of(
        dataclasses.replace(briefing("a", 1, tags=("drones",), places=("Kursk",)), source=BETA),
        dataclasses.replace(briefing("b", 2, places=("Avdiivka",)), source=ALPHA),
        settings=settings,
        sources=(QUIET,),
    )
    listings = list(index.feed_listings(index.build_index(archive), settings))
    assert [(f.page_path, f.title, slugs(f.entries)) for f in listings] == [
        ("", "Site", ["b", "a"]),
        (urls.source_path("z-alpha"), "alpha: Site", ["b"]),
        (urls.source_path("a-beta"), "Beta: Site", ["a"]),
        (urls.source_path("m-quiet"), "Quiet: Site", []),
        ("places/avdiivka/", "Place: Avdiivka: Site", ["b"]),
        ("places/kursk/", "Place: Kursk: Site", ["a"]),
    ]  # no feed for the tag: its taxonomy has none


def test_each_feed_carries_only_the_newest_feed_entries() -> None:
    settings = Settings(title="Site", feed_entries=2, taxonomies=(TAGS,))
    archive = archive_of(*(briefing(f"b{n}", n, tags=("drones",)) for n in range(1, 5)), settings=settings)
    listings = list(index.feed_listings(index.build_index(archive), settings))
    assert [slugs(f.entries) for f in listings] == [["b4", "b3"]] * 3  # the archive, source A, the tag
