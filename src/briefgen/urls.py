"""Every address of the site, in one place: where each page and file lives, and its URL.

Two kinds of answer, for any object the site publishes (a briefing, a date,
month or year, a source, a taxonomy term, a page N of a listing, a feed, a
JSON index, an asset, the search page):

- its *path*, relative to the site's base: a page is a folder ending in '/'
  (written as that folder's index.html, `output_path`), a file is its name;
- its *URL*, from `SiteUrls`: the path under base_url's path, or absolute
  where base_url names a host.

Templates print only what `SiteUrls` hands them and never join path
segments (tests/test_urls.py reads the templates to keep it so); search,
the sitemap, the feeds and the JSON exports ask here too, so that moving a
page is a change to this module alone.

Terms are addressed generically, by their taxonomy's address segment ('tags',
'places'): a taxonomy needs no code here to have pages.

Every segment this module joins is a slug (slugs.py), a number or a fixed
name. A path is what is written to disk: with `slugs: unicode` its slugs are
letters of any script (places/غزة/), and `SiteUrls` percent-encodes them, as
UTF-8, when it makes the path a URL (href, canonical, sitemap, feeds, JSON):
places/%D8%BA%D8%B2%D8%A9/. ASCII slugs are plain letters, digits, '-' and
'_', which need no encoding, so an all-ASCII path is used as it is. What
comes from elsewhere (an asset's file name, base_url's path) is
percent-encoded where it is made into a URL.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from briefgen.model import Briefing, Settings, Term

PAGE_FILE = "index.html"
"""Each page is a folder with this file in it, so that its address is the folder's."""
PAGE_JSON = "index.json"
"""The JSON index beside a date's or a source listing's index.html."""
ATOM_FEED = "feed.xml"
JSON_FEED = "feed.json"
"""The feeds of a listing (the home page, a source, a term) lie beside its index.html."""

HOME_PATH = ""
ALL_DATES_PATH = "briefings/"
ALL_SOURCES_PATH = "sources/"
SEARCH_PATH = "search/"
SEARCH_BUNDLE_DIR = "pagefind"
"""The folder of Pagefind's index in the output (search.py): pagefind/pagefind.js and the index."""
SEARCH_BUNDLE_PATH = SEARCH_BUNDLE_DIR + "/"
ASSETS_PATH = "assets/"
"""The theme's CSS, images and script, as templates/assets/ holds them."""
JSON_INDEX_PATH = "briefings.json"
"""Every briefing's metadata, for researchers; each date and source page has an index.json beside it."""
SITEMAP_PATH = "sitemap.xml"
ROBOTS_PATH = "robots.txt"
NOT_FOUND_PATH = "404.html"
"""Served by GitHub Pages for any address with no page: a file, not a folder."""
FEED_PATH = HOME_PATH + ATOM_FEED
JSON_FEED_PATH = HOME_PATH + JSON_FEED

BRIEFING_PAGES_GLOB = f"{ALL_DATES_PATH}*/*/*/*/{PAGE_FILE}"
"""Every briefing page and nothing else (briefing_path: briefings/YYYY/MM/DD/<slug>/), for Pagefind."""


# --------------------------------------------------------------------- paths


def output_path(path: str) -> str:
    """The file a path is written to: a page's folder gets its index.html, a file is itself."""
    return path + PAGE_FILE if path == HOME_PATH or path.endswith("/") else path


def briefing_path(briefing: Briefing) -> str:
    return f"{date_path(briefing.date)}{briefing.slug}/"


def briefing_file_path(briefing: Briefing, name: str) -> str:
    """A file published beside a briefing's page (an image its text shows)."""
    return briefing_path(briefing) + name


@functools.cache  # asked for by every link to a briefing: each day's is made once
def date_path(day: dt.date) -> str:
    return f"{ALL_DATES_PATH}{day.year:04d}/{day.month:02d}/{day.day:02d}/"  # %Y is '1', not '0001', for year 1


def month_path(year: int, month: int) -> str:
    return f"{ALL_DATES_PATH}{year:04d}/{month:02d}/"


def year_path(year: int) -> str:
    return f"{ALL_DATES_PATH}{year:04d}/"


def _numbered(first: str, page: int) -> str:
    """Page `page` of a listing whose first page is at `first`: page 1 is the listing itself."""
    return first if page == 1 else f"{first}page/{page}/"


def home_path(page: int = 1) -> str:
    return _numbered(HOME_PATH, page)


def source_path(key: str, page: int = 1) -> str:
    return _numbered(f"{ALL_SOURCES_PATH}{key}/", page)


def taxonomy_path(segment: str) -> str:
    """The list of a taxonomy's terms: 'tags/' for the segment 'tags'."""
    return f"{segment}/"


def term_path(segment: str, term: Term) -> str:
    """A term's page under its taxonomy's segment: 'tags/<slug>/'."""
    return f"{segment}/{term.slug}/"


def atom_feed_path(listing_path: str) -> str:
    """The Atom feed of a listing (the home page, a source, a term): beside its index.html."""
    return listing_path + ATOM_FEED


def json_feed_path(listing_path: str) -> str:
    return listing_path + JSON_FEED


def page_json_path(listing_path: str) -> str:
    """The JSON index of a date's or a source listing's page: beside its index.html."""
    return listing_path + PAGE_JSON


def search_bundle_file_path(name: str) -> str:
    """A file of Pagefind's index, by its path inside the bundle."""
    return SEARCH_BUNDLE_PATH + name


def asset_path(name: str) -> str:
    return ASSETS_PATH + name


# ---------------------------------------------------------------------- URLs


def url_path(path: str) -> str:
    """A path made by this module as it is written in a URL: unicode slugs percent-encoded as UTF-8.

    The paths of ASCII slugs are their own URL (checked first: called for every link of every page).
    """
    return path if path.isascii() else quote(path, safe="/")


@dataclass(frozen=True, slots=True)
class Feeds:
    """The URLs of a listing's two feeds."""

    atom: str
    json: str


class SiteUrls:
    """Every URL a template prints, under the site's base path: the paths above, placed under base_url.

    Templates are given one as `urls`; its methods are called thousands of
    times a build, so each is a join of ready strings (render._Context calls
    them straight away).
    """

    def __init__(self, settings: Settings) -> None:
        parts = urlsplit(settings.base_url)
        # '%' is kept: a base_url already encoded is not encoded twice.
        self.base_path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=~")
        self.origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
        self._site_feeds = self._feeds(HOME_PATH)  # in every page's head and footer: made once

    @property
    def has_host(self) -> bool:
        """Whether base_url names the host, so that addresses can be absolute.

        A sitemap, and robots.txt's line pointing at it, are only valid with
        absolute addresses: without a host the site has neither.
        """
        return bool(self.origin)

    # A path made by this module, as a URL.

    def page(self, path: str) -> str:
        """The URL of a path made by this module (a context's `page_path`, a pagination's `next_path`)."""
        return self.base_path + url_path(path)

    def absolute(self, path: str) -> str:
        """A full address where base_url has a host; a root-relative one otherwise."""
        return self.origin + self.base_path + url_path(path)

    # Pages.

    def home(self, page: int = 1) -> str:
        return self.page(home_path(page))

    def briefing(self, briefing: Briefing) -> str:
        return self.page(briefing_path(briefing))

    def absolute_briefing(self, briefing: Briefing) -> str:
        return self.absolute(briefing_path(briefing))

    def date(self, day: dt.date) -> str:
        return self.page(date_path(day))

    def month(self, year: int, month: int) -> str:
        return self.page(month_path(year, month))

    def year(self, year: int) -> str:
        return self.page(year_path(year))

    def all_dates(self) -> str:
        return self.page(ALL_DATES_PATH)

    def source(self, key: str, page: int = 1) -> str:
        return self.page(source_path(key, page))

    def all_sources(self) -> str:
        return self.page(ALL_SOURCES_PATH)

    def taxonomy(self, segment: str) -> str:
        return self.page(taxonomy_path(segment))

    def term(self, segment: str, term: Term) -> str:
        return self.page(term_path(segment, term))

    def absolute_term(self, segment: str, term: Term) -> str:
        """For a feed's <author>, whose <uri> must be a full address."""
        return self.absolute(term_path(segment, term))

    def search(self) -> str:
        return self.page(SEARCH_PATH)

    def search_bundle(self) -> str:
        return self.page(SEARCH_BUNDLE_PATH)

    # Files.

    def feeds(self) -> Feeds:
        """The whole archive's feeds."""
        return self._site_feeds

    def source_feeds(self, key: str) -> Feeds:
        return self._feeds(source_path(key))

    def term_feeds(self, segment: str, term: Term) -> Feeds:
        return self._feeds(term_path(segment, term))

    def _feeds(self, listing_path: str) -> Feeds:
        return Feeds(self.page(atom_feed_path(listing_path)), self.page(json_feed_path(listing_path)))

    def page_json(self, listing_path: str) -> str:
        """The JSON index beside a listing page, given the page's path (its `page_path`)."""
        return self.page(page_json_path(listing_path))

    def json_index(self) -> str:
        return self.page(JSON_INDEX_PATH)

    def sitemap(self) -> str:
        return self.page(SITEMAP_PATH)

    def absolute_sitemap(self) -> str:
        """For robots.txt, where only a full address is valid."""
        return self.absolute(SITEMAP_PATH)

    def asset(self, name: str) -> str:
        """A theme file; its name, which a site's own theme chooses, percent-encoded."""
        return self.page(quote(asset_path(name)))
