"""The page plan: every file the site has, each with what its template is given, not yet rendered.

Which pages a site has is decided here, from the archive and its index: the
home pages, a page per briefing, the date, source and taxonomy listings, the
search page, the Atom feeds, the sitemap and the site's own files. Each is a
PageJob, its output path and its context (contexts.py); render.py renders
them, in any order and in any process.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from briefgen import urls as paths
from briefgen.atlas import Atlas
from briefgen.calendars import archive_calendars, busiest_day, year_calendar
from briefgen.contexts import (
    BriefingContext,
    Context,
    DateContext,
    DatesContext,
    FeedContext,
    HomeContext,
    MonthContext,
    NotFoundContext,
    PageContext,
    RobotsContext,
    SearchContext,
    SitemapContext,
    SourceContext,
    SourcesContext,
    TermContext,
    TermsContext,
    Translation,
    YearContext,
)
from briefgen.filters import atom_time, build_time_override
from briefgen.index import ArchiveIndex, feed_listings, paginate
from briefgen.languages import language, weekday_names
from briefgen.model import BYLINE_KEY, CATEGORIES_KEY, Archive, Briefing, Taxonomy
from briefgen.related import count_by_source, related_briefings
from briefgen.urls import SiteUrls


@dataclass(frozen=True, slots=True)
class PageJob:
    """One file to render: its output path and what its template is given (contexts.py)."""

    path: str
    context: Context

    @property
    def template(self) -> str:
        return self.context.template


class SitePlan:
    """Every page of one archive, planned.

    `search` says whether the site has full-text search: every HTML page is
    given it, so that turning search on or off renders them again.
    """

    def __init__(self, archive: Archive, archive_index: ArchiveIndex, *, search: bool = False) -> None:
        self.archive = archive
        self.index = archive_index
        self.settings = archive.settings
        self.urls = SiteUrls(archive.settings)
        self.search = search
        self.related = related_briefings(archive.briefings, self.settings.taxonomies)
        taxonomies = self.settings.taxonomies
        self.byline = next((t for t in taxonomies if t.key == BYLINE_KEY), None)
        """The authors taxonomy, whose terms a briefing's byline links to; None when the site has none."""
        self.footer_taxonomies = tuple(t for t in taxonomies if t is not self.byline)
        """The taxonomies a briefing page lists at its foot: all but the byline's."""
        self._listed: dict[tuple[str, ...], tuple[Taxonomy, ...]] = {}
        self.categories = next((t for t in taxonomies if t.key == CATEGORIES_KEY), None)
        """The taxonomy whose terms are an Atom entry's categories (beside its source)."""
        self.busiest_day = busiest_day(archive_index.years)
        self.atlas = Atlas.of(archive_index.taxonomies, archive.registries)
        """The places' hierarchy and maps (atlas.py)."""

    @staticmethod
    def _page(context: PageContext) -> PageJob:
        return PageJob(paths.output_path(context.page_path), context)

    def jobs(self) -> list[PageJob]:
        """Every file of the site, in a stable order, not yet rendered."""
        pages = [
            *self.home_pages(),
            *self.briefing_pages(),
            *self.date_pages(),
            *self.source_pages(),
            *self.term_pages(),
            *self.search_pages(),
        ]
        sitemap = [self.sitemap(pages)] if self.urls.has_host else []
        return [*pages, *self.feeds(), *sitemap, *self.site_files()]

    def home_pages(self) -> Iterator[PageJob]:
        for page in paginate(self.index.newest_first, self.settings.per_page, paths.home_path):
            yield self._page(HomeContext(page.path, self.search, pagination=page))

    def briefing_pages(self) -> Iterator[PageJob]:
        for briefing in self.archive.briefings:
            neighbours = self.index.neighbours[briefing.path]
            byline = self.byline if self.byline is not None and self.byline.key in briefing.terms else None
            yield self._page(
                BriefingContext(
                    paths.briefing_path(briefing),
                    self.search,
                    briefing=briefing,
                    byline=byline,
                    listed_taxonomies=self.listed_taxonomies(briefing),
                    neighbours=neighbours,
                    related=self.related_but_translations(briefing),
                    map=self.atlas.briefing_map(briefing),
                    translations=self.translations(briefing),
                )
            )

    def related_but_translations(self, briefing: Briefing) -> tuple[Briefing, ...]:
        """The related briefings, its own versions in other languages left out: the page links them apart."""
        related = self.related[briefing.path]
        versions = self.index.translations.get(briefing.path)
        return related if not versions else tuple(other for other in related if other not in versions)

    def translations(self, briefing: Briefing) -> tuple[Translation, ...]:
        """The briefing's versions in other languages, each with its language, in the order of their tags."""
        site = self.settings.language
        others = (
            Translation(other, language(other.language_or(site)))
            for other in self.index.translations.get(briefing.path, ())
        )
        return tuple(sorted(others, key=lambda t: (t.language.tag, t.briefing.path)))

    def listed_taxonomies(self, briefing: Briefing) -> tuple[Taxonomy, ...]:
        """The taxonomies whose terms the briefing's page lists at its foot: those it has terms of.

        Taxonomies only, the terms being the briefing's own: a page's fingerprint
        covers the briefing already, and one tuple for each combination is
        fingerprinted once (fingerprint.py remembers objects), not once a page."""
        keys = tuple(key for key in briefing.terms)
        listed = self._listed.get(keys)
        if listed is None:
            listed = self._listed[keys] = tuple(t for t in self.footer_taxonomies if t.key in briefing.terms)
        return listed

    def date_pages(self) -> Iterator[PageJob]:
        weekdays = weekday_names(self.settings.language)  # the calendars' headings, on pages in the site's language
        for group in self.index.dates:
            yield self._page(DateContext(paths.date_path(group.date), self.search, group=group))
        for year in self.index.years:
            calendar = year_calendar(year, self.busiest_day)
            yield self._page(
                YearContext(paths.year_path(year.year), self.search, year=year, calendar=calendar, weekdays=weekdays)
            )
            for month in year.months:
                yield self._page(MonthContext(paths.month_path(month.year, month.month), self.search, month=month))
        calendars = archive_calendars(self.index.years, self.busiest_day)
        yield self._page(
            DatesContext(
                paths.ALL_DATES_PATH, self.search, years=self.index.years, calendars=calendars, weekdays=weekdays
            )
        )

    def source_pages(self) -> Iterator[PageJob]:
        yield self._page(SourcesContext(paths.ALL_SOURCES_PATH, self.search, sources=self.index.sources))
        for group in self.index.sources:
            pages = paginate(
                group.briefings, self.settings.per_page, functools.partial(paths.source_path, group.source.key)
            )
            for page in pages:
                yield self._page(SourceContext(page.path, self.search, source=group.source, pagination=page))

    def term_pages(self) -> Iterator[PageJob]:
        """For each taxonomy, the listing of its terms and a page per term."""
        for listing in self.index.taxonomies:
            taxonomy = listing.taxonomy
            overview = self.atlas.overview() if listing is self.atlas.listing else None
            yield self._page(
                TermsContext(
                    paths.taxonomy_path(taxonomy.path),
                    self.search,
                    taxonomy=taxonomy,
                    groups=listing.groups,
                    map=overview,
                )
            )
            for group in listing.groups:
                place = self.atlas.details(group)
                yield self._page(
                    TermContext(
                        paths.term_path(taxonomy.path, group.term),
                        self.search,
                        taxonomy=taxonomy,
                        group=group,
                        by_source=count_by_source(group.briefings),
                        feeds=self.urls.term_feeds(taxonomy.path, group.term) if taxonomy.feeds else None,
                        within=place.within,
                        places_within=place.places_within,
                        map=place.map,
                    )
                )

    def search_pages(self) -> Iterator[PageJob]:
        if self.search:
            # The filters each briefing page gives Pagefind (briefing.html): source, each taxonomy's, year.
            filters = (
                ("source", "Source", True),
                *((t.search_filter, t.label, False) for t in self.settings.taxonomies),
                ("year", "Year", False),
            )
            yield self._page(SearchContext(paths.SEARCH_PATH, self.search, filters=filters))

    def feeds(self) -> Iterator[PageJob]:
        """The Atom feeds: the whole archive's, and one per source and per term of a taxonomy with feeds."""
        for listing in feed_listings(self.index, self.settings):
            yield self._feed(listing.entries, paths.atom_feed_path(listing.page_path), listing.title, listing.page_path)

    def _feed(self, entries: tuple[Briefing, ...], path: str, title: str, alternate: str = "") -> PageJob:
        override = build_time_override()
        if override is not None:
            updated = override.strftime("%Y-%m-%dT%H:%M:%SZ")
        elif entries:
            updated = atom_time(max(b.date for b in entries))
        else:
            updated = "1970-01-01T00:00:00Z"
        feed_id = uuid.uuid5(uuid.NAMESPACE_URL, "briefgen-feed:" + self.settings.title + ":" + path).urn
        context = FeedContext(
            entries=entries,
            feed_path=path,
            feed_title=title,
            updated=updated,
            feed_id=feed_id,
            alternate_path=alternate,
            # Atom's own fields for terms: an <author> for each of the byline's, a <category> for each tag.
            byline=self.byline,
            categories=self.categories,
        )
        return PageJob(path, context)

    def sitemap(self, pages: list[PageJob]) -> PageJob:
        """Every HTML page, with the date of its content where it has one."""
        addresses = tuple(
            (job.context.page_path, _content_date(job.context)) for job in pages if isinstance(job.context, PageContext)
        )
        return PageJob(paths.SITEMAP_PATH, SitemapContext(addresses))

    def site_files(self) -> Iterator[PageJob]:
        yield PageJob(paths.NOT_FOUND_PATH, NotFoundContext(paths.NOT_FOUND_PATH, self.search))
        yield PageJob(paths.ROBOTS_PATH, RobotsContext())


def _content_date(context: PageContext) -> dt.date | None:
    if isinstance(context, BriefingContext):
        return context.briefing.date
    return context.group.date if isinstance(context, DateContext) else None
