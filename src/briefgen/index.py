"""Pure grouping and sorting of briefings.

Nothing here reads or writes files: it turns an Archive into the listings
every page needs (by date, month, year, source, and the terms of each
taxonomy: tags, places, authors, a site's own). Where each page lives is
urls.py's to say: `paginate` is told how to address page N.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from briefgen import urls as paths
from briefgen.model import EMPTY_MAPPING, Archive, Briefing, Settings, Source, Taxonomy, Term
from briefgen.translations import translation_groups

# ----------------------------------------------------------------- listings


@dataclass(frozen=True, slots=True)
class Pagination:
    """One page of a paginated listing."""

    number: int
    count: int
    items: tuple[Briefing, ...]
    path: str
    previous_path: str | None
    next_path: str | None


@dataclass(frozen=True, slots=True)
class DateGroup:
    """Everything published on one date, with the neighbouring dates that have briefings."""

    date: dt.date
    briefings: tuple[Briefing, ...]
    """By source name, then title: side by side, no source first by accident of age."""
    previous: dt.date | None
    next: dt.date | None


@dataclass(frozen=True, slots=True)
class MonthGroup:
    year: int
    month: int
    days: tuple[DateGroup, ...]

    @property
    def count(self) -> int:
        return sum(len(day.briefings) for day in self.days)


@dataclass(frozen=True, slots=True)
class YearGroup:
    year: int
    months: tuple[MonthGroup, ...]

    @property
    def count(self) -> int:
        return sum(month.count for month in self.months)


@dataclass(frozen=True, slots=True)
class TermGroup:
    """A term of a taxonomy (a tag, a place, an author), with its briefings newest first."""

    taxonomy: Taxonomy
    term: Term
    briefings: tuple[Briefing, ...]


@dataclass(frozen=True, slots=True)
class TaxonomyIndex:
    """Every term of one taxonomy, by name."""

    taxonomy: Taxonomy
    groups: tuple[TermGroup, ...]


@dataclass(frozen=True, slots=True)
class SourceGroup:
    source: Source
    briefings: tuple[Briefing, ...]
    """Newest first."""


@dataclass(frozen=True, slots=True)
class Neighbours:
    """What a briefing page links to besides itself."""

    previous_in_source: Briefing | None
    next_in_source: Briefing | None
    same_date: tuple[Briefing, ...]


@dataclass(frozen=True, slots=True)
class ArchiveIndex:
    """Every listing of the archive, computed once."""

    newest_first: tuple[Briefing, ...]
    dates: tuple[DateGroup, ...]
    """Oldest first."""
    years: tuple[YearGroup, ...]
    """Newest first."""
    sources: tuple[SourceGroup, ...]
    """By name; sources with no briefing are listed too."""
    taxonomies: tuple[TaxonomyIndex, ...]
    """In the settings' order; a taxonomy no briefing uses still has its (empty) listing."""
    neighbours: Mapping[str, Neighbours]
    """By briefing path."""
    translations: Mapping[str, tuple[Briefing, ...]] = field(default_factory=lambda: EMPTY_MAPPING)
    """By briefing path: its versions in other languages (translations.py), itself left out, in path order."""


def newest_first(briefings: Iterable[Briefing]) -> tuple[Briefing, ...]:
    # Newest date first; within a day, the stable source/slug order.
    ordered = sorted(briefings, key=lambda b: (b.source.key, b.slug))
    return tuple(sorted(ordered, key=lambda b: b.date, reverse=True))


def side_by_side(briefings: Iterable[Briefing]) -> tuple[Briefing, ...]:
    return tuple(sorted(briefings, key=lambda b: (b.source.name.casefold(), b.source.key, b.title, b.slug)))


def build_index(archive: Archive) -> ArchiveIndex:
    by_date: dict[dt.date, list[Briefing]] = defaultdict(list)
    for briefing in archive.briefings:
        by_date[briefing.date].append(briefing)
    dates = _date_groups(by_date)
    return ArchiveIndex(
        newest_first=newest_first(archive.briefings),
        dates=dates,
        years=_year_groups(dates),
        sources=_source_groups(archive),
        taxonomies=tuple(
            TaxonomyIndex(taxonomy, term_groups(archive.briefings, taxonomy, archive.registries.get(taxonomy.key, {})))
            for taxonomy in archive.settings.taxonomies
        ),
        neighbours=_neighbours(archive.briefings, dates),
        translations=_translations(archive.briefings),
    )


def _translations(briefings: tuple[Briefing, ...]) -> Mapping[str, tuple[Briefing, ...]]:
    by_path = {briefing.path: briefing for briefing in briefings}
    groups = translation_groups(briefings)
    return {path: tuple(by_path[other] for other in group if other != path) for path, group in groups.items()}


def _date_groups(by_date: Mapping[dt.date, list[Briefing]]) -> tuple[DateGroup, ...]:
    days = sorted(by_date)
    return tuple(
        DateGroup(
            date=day,
            briefings=side_by_side(by_date[day]),
            previous=days[i - 1] if i > 0 else None,
            next=days[i + 1] if i + 1 < len(days) else None,
        )
        for i, day in enumerate(days)
    )


def _year_groups(dates: Sequence[DateGroup]) -> tuple[YearGroup, ...]:
    months: dict[tuple[int, int], list[DateGroup]] = defaultdict(list)
    for group in dates:
        months[(group.date.year, group.date.month)].append(group)
    years: dict[int, list[MonthGroup]] = defaultdict(list)
    for (year, month), days in sorted(months.items(), reverse=True):
        years[year].append(MonthGroup(year, month, tuple(days)))
    return tuple(YearGroup(year, tuple(years[year])) for year in sorted(years, reverse=True))


def _source_groups(archive: Archive) -> tuple[SourceGroup, ...]:
    by_key: dict[str, list[Briefing]] = defaultdict(list)
    for briefing in archive.briefings:
        by_key[briefing.source.key].append(briefing)
    ordered = sorted(archive.sources.values(), key=lambda s: (s.name.casefold(), s.key))
    return tuple(SourceGroup(source, newest_first(by_key[source.key])) for source in ordered)


def term_groups(
    briefings: Iterable[Briefing], taxonomy: Taxonomy, registered: Mapping[str, Term] | None = None
) -> tuple[TermGroup, ...]:
    """Each term of the taxonomy with its briefings, by name (case aside), then slug.

    With the taxonomy's registered terms, a region or country (a term that others lie
    within, Term.within) also has the briefings of every place within it, as a reader
    of its page expects, and has a group even when no briefing names it itself."""
    grouped: dict[str, dict[str, Briefing]] = defaultdict(dict)
    terms: dict[str, Term] = {}
    for briefing in briefings:
        for term in briefing.terms_of(taxonomy):
            # Spellings that slug alike share a page; the first, in archive order, names it.
            terms.setdefault(term.slug, term)
            grouped[term.slug][briefing.path] = briefing
            for container in containers(term, registered or {}):
                terms.setdefault(container.slug, container)
                grouped[container.slug][briefing.path] = briefing
    return tuple(
        TermGroup(taxonomy, terms[slug], newest_first(grouped[slug].values()))
        for slug in sorted(grouped, key=lambda s: (terms[s].name.casefold(), s))
    )


def containers(term: Term, registered: Mapping[str, Term]) -> tuple[Term, ...]:
    """The registered terms `term` lies within, nearest first: its region, then its country.
    (gazetteer.py has made sure that every `within` is registered and leads to no cycle.)"""
    found: list[Term] = []
    while term.within is not None and term.within in registered and len(found) < len(registered):
        term = registered[term.within]
        found.append(term)
    return tuple(found)


def _neighbours(briefings: Sequence[Briefing], dates: Sequence[DateGroup]) -> dict[str, Neighbours]:
    same_day = {group.date: group.briefings for group in dates}
    by_source: dict[str, list[Briefing]] = defaultdict(list)
    for briefing in briefings:  # already oldest first
        by_source[briefing.source.key].append(briefing)
    result: dict[str, Neighbours] = {}
    for series in by_source.values():
        for i, briefing in enumerate(series):
            result[briefing.path] = Neighbours(
                previous_in_source=series[i - 1] if i > 0 else None,
                next_in_source=series[i + 1] if i + 1 < len(series) else None,
                same_date=tuple(b for b in same_day[briefing.date] if b is not briefing),
            )
    return result


def paginate(items: Sequence[Briefing], per_page: int, path_of: Callable[[int], str]) -> tuple[Pagination, ...]:
    """Pages of `per_page` items; an empty listing still has one (empty) page."""
    count = max(1, math.ceil(len(items) / per_page))
    return tuple(
        Pagination(
            number=n,
            count=count,
            items=tuple(items[(n - 1) * per_page : n * per_page]),
            path=path_of(n),
            previous_path=path_of(n - 1) if n > 1 else None,
            next_path=path_of(n + 1) if n < count else None,
        )
        for n in range(1, count + 1)
    )


class FeedListing(NamedTuple):
    """A listing that has feeds (the archive, a source, a term of a taxonomy with feeds): its
    page, its feeds' title, and the newest briefings they carry. Atom and JSON Feed alike."""

    page_path: str
    title: str
    entries: tuple[Briefing, ...]


def feed_listings(archive_index: ArchiveIndex, settings: Settings) -> Iterator[FeedListing]:
    """Every listing with feeds, in a stable order: the whole archive, each source, each term."""
    limit = settings.feed_entries
    yield FeedListing(paths.HOME_PATH, settings.title, archive_index.newest_first[:limit])
    for source_group in archive_index.sources:
        title = f"{source_group.source.name}: {settings.title}"
        yield FeedListing(paths.source_path(source_group.source.key), title, source_group.briefings[:limit])
    for listing in archive_index.taxonomies:
        if not listing.taxonomy.feeds:
            continue
        for group in listing.groups:
            title = f"{listing.taxonomy.label}: {group.term.name}: {settings.title}"
            page = paths.term_path(listing.taxonomy.path, group.term)
            yield FeedListing(page, title, group.briefings[:limit])
