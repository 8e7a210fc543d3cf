"""What each template is given: one frozen dataclass per kind of page, its fields the names the template sees.

Every template also gets `site` (the Settings) and `urls` (urls.SiteUrls);
HTML pages get `page_path` (their own address) and `search` (whether the
site has full-text search). The README's theme section lists them, template
by template. A context is also what the build cache fingerprints to decide
whether a page must be rendered again (fingerprint.py reads dataclass fields),
so a page can depend on nothing a template is not given.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from briefgen.calendars import CalendarYear
from briefgen.index import DateGroup, MonthGroup, Neighbours, Pagination, SourceGroup, TermGroup, YearGroup
from briefgen.languages import Language
from briefgen.model import Briefing, Source, Taxonomy, Term
from briefgen.related import SourceCount
from briefgen.urls import Feeds


@dataclass(frozen=True, slots=True)
class Context:
    """What one output file is made from."""

    template: ClassVar[str]
    """The template that renders it (or, for exports, the name of the Python function that does)."""

    def page_language(self, site_language: str) -> str:
        """The language the page is written in (`<html lang>`, its labels and dates): the site's, but a briefing's."""
        return site_language

    def names(self) -> dict[str, Any]:
        """The fields by name, as the template sees them (not dataclasses.asdict, which copies every value)."""
        return {name: getattr(self, name) for name in _field_names(type(self))}


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


@dataclass(frozen=True, slots=True)
class PageContext(Context):
    """An HTML page: the search page and the 404 page have nothing more."""

    page_path: str
    """The page's own address, relative to the site's base (urls.py)."""
    search: bool
    """Whether the site has full-text search: the header's search box shows only then."""


@dataclass(frozen=True, slots=True)
class SearchContext(PageContext):
    template: ClassVar[str] = "search.html"
    filters: tuple[tuple[str, str, bool], ...]
    """The Pagefind filters briefing pages give (name, label, open): source, each taxonomy's, year."""


@dataclass(frozen=True, slots=True)
class NotFoundContext(PageContext):
    template: ClassVar[str] = "404.html"


@dataclass(frozen=True, slots=True)
class HomeContext(PageContext):
    template: ClassVar[str] = "home.html"
    pagination: Pagination
    """This page of the newest briefings."""


@dataclass(frozen=True, slots=True)
class BriefingContext(PageContext):
    template: ClassVar[str] = "briefing.html"
    briefing: Briefing
    byline: Taxonomy | None
    """The authors taxonomy when the briefing has terms of it, for its byline; else None."""
    listed_taxonomies: tuple[Taxonomy, ...]
    """The taxonomies whose terms the page lists at its foot: those it has terms of, the byline's aside."""
    neighbours: Neighbours
    related: tuple[Briefing, ...]
    """The briefings sharing most topics and places with this one (related.py)."""
    map: str | None = None
    """Markup: an SVG map of its places that have coordinates (atlas.py); None when none has."""
    translations: tuple[Translation, ...] = ()
    """The report's versions in other languages (translations.py), in the order of their tags; often none."""

    def page_language(self, site_language: str) -> str:
        return self.briefing.language_or(site_language)


@dataclass(frozen=True, slots=True)
class Translation:
    """A version of a briefing in another language, as its page links to it."""

    briefing: Briefing
    language: Language


@dataclass(frozen=True, slots=True)
class DateContext(PageContext):
    template: ClassVar[str] = "date.html"
    group: DateGroup


@dataclass(frozen=True, slots=True)
class MonthContext(PageContext):
    template: ClassVar[str] = "month.html"
    month: MonthGroup


@dataclass(frozen=True, slots=True)
class YearContext(PageContext):
    template: ClassVar[str] = "year.html"
    year: YearGroup
    calendar: CalendarYear
    weekdays: tuple[tuple[str, str], ...]
    """The days' names from Monday, each (short, full), in the site's language, for the calendar's heading."""


@dataclass(frozen=True, slots=True)
class DatesContext(PageContext):
    template: ClassVar[str] = "dates.html"
    years: tuple[YearGroup, ...]
    """Newest first."""
    calendars: tuple[CalendarYear, ...]
    """One per year, in the same order."""
    weekdays: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class SourcesContext(PageContext):
    template: ClassVar[str] = "sources.html"
    sources: tuple[SourceGroup, ...]


@dataclass(frozen=True, slots=True)
class SourceContext(PageContext):
    template: ClassVar[str] = "source.html"
    source: Source
    pagination: Pagination


@dataclass(frozen=True, slots=True)
class TermsContext(PageContext):
    """A taxonomy's list of terms."""

    template: ClassVar[str] = "terms.html"
    taxonomy: Taxonomy
    """Its `path` is the address segment urls.term() is given."""
    groups: tuple[TermGroup, ...]
    map: str | None = None
    """Markup: for the places, an SVG map of every place with coordinates, sized by its briefings (atlas.py)."""


@dataclass(frozen=True, slots=True)
class TermContext(PageContext):
    template: ClassVar[str] = "term.html"
    taxonomy: Taxonomy
    group: TermGroup
    by_source: tuple[SourceCount, ...]
    """How many of the term's briefings each source published."""
    feeds: Feeds | None
    """The term's feeds; None when its taxonomy has none."""
    within: tuple[Term, ...] = ()
    """For a place of the gazetteer: the places it lies in, nearest first (its region, its country)."""
    places_within: tuple[TermGroup, ...] = ()
    """For a region or country of the gazetteer: the places directly within it that have pages."""
    map: str | None = None
    """Markup: for a place with coordinates, an SVG map locating it (atlas.py)."""


@dataclass(frozen=True, slots=True)
class FeedContext(Context):
    """An Atom feed (feed.xml)."""

    template: ClassVar[str] = "feed.xml"
    entries: tuple[Briefing, ...]
    feed_path: str
    feed_title: str
    updated: str
    """When the feed last changed, as Atom writes a time."""
    feed_id: str
    alternate_path: str
    """The page the feed is the feed of."""
    byline: Taxonomy | None
    """The taxonomy whose terms are each entry's <author>s; None when the site has none."""
    categories: Taxonomy | None
    """The taxonomy whose terms are each entry's <category>s beside its source; None when the site has none."""


@dataclass(frozen=True, slots=True)
class SitemapContext(Context):
    template: ClassVar[str] = "sitemap.xml"
    addresses: tuple[tuple[str, dt.date | None], ...]
    """Every HTML page's path, with the date of its content where it has one."""


@dataclass(frozen=True, slots=True)
class RobotsContext(Context):
    template: ClassVar[str] = "robots.txt"
