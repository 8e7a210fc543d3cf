"""One Jinja environment, and the rendering of every page of the site.

Templates are looked up in the site's own templates/ first, then in the
built-in theme. Autoescaping is on for every template and undefined names are
errors. Templates only present: every listing, order and address is decided
here or in index.py and handed to them ready to print.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import os
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import BuiltinMethodType, FunctionType, MethodType
from typing import Any

import jinja2
from markupsafe import Markup

from briefgen import urls as paths
from briefgen.calendars import WEEKDAYS, archive_calendars, busiest_day, year_calendar
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
    YearContext,
)
from briefgen.errors import BriefgenError, Problem
from briefgen.index import ArchiveIndex, feed_listings, paginate
from briefgen.model import (
    BYLINE_KEY,
    CATEGORIES_KEY,
    EMPTY_MAPPING,
    Archive,
    Bodies,
    Body,
    Briefing,
    Settings,
    Taxonomy,
)
from briefgen.published import folder_files
from briefgen.related import count_by_source, related_briefings
from briefgen.urls import SiteUrls

THEME_DIR_NAME = "templates"
THEME_ASSETS = "assets"
"""Folder of the theme's CSS and images, inside the templates folder and the output."""


def builtin_theme_dir() -> Path:
    """The built-in theme: inside the installed package, or the repository's templates/."""
    packaged = Path(__file__).resolve().parent / THEME_DIR_NAME
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / THEME_DIR_NAME


@dataclass(frozen=True, slots=True)
class Output:
    """One file of the built site."""

    path: str
    """Relative to the output folder, with forward slashes."""
    content: bytes


@dataclass(frozen=True, slots=True)
class PageJob:
    """One file to render: its output path and what its template is given (contexts.py)."""

    path: str
    context: Context

    @property
    def template(self) -> str:
        return self.context.template


class TemplateError(BriefgenError):
    """A template could not be loaded or rendered; names the template and line."""


@functools.cache  # a date is printed on many pages: strftime once per day
def long_date(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def month_name(month: int) -> str:
    return dt.date(2000, month, 1).strftime("%B")


def numbered(items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
    """(1, first), (2, second)...: a template's loop numbered without Jinja's `loop`, which costs in a long list."""
    return enumerate(items, 1)


def excerpt(text: str, words: int = 60) -> str:
    """The first `words` words of a summary, ending with an ellipsis when cut."""
    parts = text.split()
    return text if len(parts) <= words else " ".join(parts[:words]) + "…"


def atom_time(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def entry_id(briefing: Briefing) -> str:
    # Derived from the briefing's own address, never from base_url, so that
    # moving the site does not make feed readers show every entry again.
    return uuid.uuid5(uuid.NAMESPACE_URL, "briefgen:" + paths.briefing_path(briefing)).urn


def source_date_epoch() -> str:
    """The SOURCE_DATE_EPOCH setting as given: feeds carry it, so the build cache must see it."""
    return os.environ.get("SOURCE_DATE_EPOCH", "").strip()


def build_time_override() -> dt.datetime | None:
    """SOURCE_DATE_EPOCH, the reproducible-builds convention, when set."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value.isdigit():
        return None
    try:
        return dt.datetime.fromtimestamp(int(value), tz=dt.UTC)
    except (OverflowError, OSError, ValueError) as exc:  # beyond year 9999, or what the C library can hold
        raise BriefgenError(f"SOURCE_DATE_EPOCH={value[:30]} is not a time briefgen can use: {exc}") from exc


class Recent:
    """The last `size` results by key, in one process.

    A briefing is in several feeds and JSON indexes of one build (its source,
    its date, its tags and places): its part of them is made once while it
    is recent. Keys hold every input, so a result can never be stale.
    A result made from a briefing's text is asked for after the text itself
    (model.Bodies), so that the build's record of what a page read has it,
    whether the result is made or kept (incremental/reads.py).
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.results: OrderedDict[tuple[Any, ...], str] = OrderedDict()

    def get(self, key: tuple[Any, ...], make: Callable[[], str]) -> str:
        found = self.results.get(key)
        if found is not None:
            self.results.move_to_end(key)
            return found
        made = self.results[key] = make()
        if len(self.results) > self.size:
            self.results.popitem(last=False)
        return made


FEED_BODY_TEMPLATE = "partials/feed-body.html"
"""The whole briefing as one HTML fragment, as both feeds carry it (README: the theme)."""

# 256, not more: a briefing's content is asked for by more feeds than 256 entries hold (its source's,
# its tags', places' and authors'), but a miss only renders this small template again. 1,000 briefings
# of bench/corpus.py, one worker: 3,557 renders at 256, 959 at 1,024, and no measurable difference in
# user CPU time, while 1,024 whole briefings held 35 MB more in a worker. exports._ITEMS, dearer to
# remake, is the one kept larger.
_CONTENTS = Recent(256)
_FEED_CONTENTS = itertools.count()
"""Numbers each FeedContent: a key of _CONTENTS names the one that made the result."""


class FeedContent:
    """The whole briefing as one HTML fragment, as both feeds carry it: takeaways, text, notes.

    The Atom feed's <content type="html"> and JSON Feed's content_html: FEED_BODY_TEMPLATE
    rendered once per briefing while it is recent (Recent), whichever feed asks first, given
    `site` and `urls` as every template is. One is made for each SiteRenderer, and its results
    are kept under its own number rather than the template's text: the template may include
    others, and an environment's templates never change (auto_reload is off) while the next
    build's may be edited ones, under other settings.
    """

    def __init__(self, env: jinja2.Environment, settings: Settings, urls: SiteUrls) -> None:
        self.env = env
        self.settings = settings
        self.urls = urls
        self.key = next(_FEED_CONTENTS)
        """Part of every key of its results (exports.py's feed items hold it too)."""
        self._template: jinja2.Template | None = None

    def html(self, briefing: Briefing) -> Markup:
        # Asked for even when the result is kept (see Recent); the template reads it as
        # briefing.body_html and briefing.footnotes (_Environment).
        self.env.bodies.body(briefing)  # type: ignore[attr-defined]
        # Markup: the Atom feed's template escapes it once, whole, as feed content must be.
        made = _CONTENTS.get((briefing.path, briefing.fingerprint, self.key), lambda: self._render(briefing))
        return Markup(made)  # noqa: S704 - briefgen's own rendered HTML, or the site's template's

    def _render(self, briefing: Briefing) -> str:
        try:
            if self._template is None:
                self._template = self.env.get_template(FEED_BODY_TEMPLATE)
            return self._template.render(site=self.settings, urls=self.urls, briefing=briefing)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(f"{exc.filename or exc.name}:{exc.lineno}: {exc.message}") from exc
        except jinja2.TemplateError as exc:  # JSON Feed's renderer calls this outside any template
            raise TemplateError(f"{FEED_BODY_TEMPLATE}: {exc}") from exc


@jinja2.pass_environment
def _template_content_html(env: jinja2.Environment, briefing: Briefing) -> Markup:
    """content_html(briefing) as templates call it: their environment's FeedContent."""
    return env.feed_content.html(briefing)  # type: ignore[attr-defined,no-any-return]


_TEXT_ATTRIBUTES: Mapping[str, Callable[[Body], Any]] = {
    "body_html": lambda body: body.html,
    "footnotes": lambda body: body.footnotes,
}
"""A briefing's text as templates see it: `briefing.body_html` and `briefing.footnotes` (README: the theme)."""


class _Environment(jinja2.Environment):
    """Jinja's environment, with each briefing's text among its attributes in templates.

    A Briefing holds no text (model.py): it is read from `bodies` when a template
    asks for `briefing.body_html` or `briefing.footnotes`. Jinja sends every
    attribute a template reads through getattr and getitem; an attribute a
    Briefing has is found as before, at the same cost.
    """

    bodies: Bodies
    feed_content: FeedContent

    def getattr(self, obj: Any, attribute: str) -> Any:
        try:
            return getattr(obj, attribute)
        except AttributeError:
            if type(obj) is Briefing and attribute in _TEXT_ATTRIBUTES:
                return _TEXT_ATTRIBUTES[attribute](self.bodies.body(obj))
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if type(obj) is Briefing and argument in _TEXT_ATTRIBUTES:  # `map(attribute='body_html')`
            return _TEXT_ATTRIBUTES[argument](self.bodies.body(obj))
        return super().getitem(obj, argument)


class _Context(jinja2.runtime.Context):
    """Jinja's template context, calling briefgen's own functions straight away.

    Jinja sends every call a template makes (`urls.briefing(other)`, `entry_id(...)`,
    `day.isoformat()`) through Context.call, which first asks the callable whether it
    wants the context passed in: about a microsecond each, and a build of 5,000
    briefings makes a third of a million such calls. Methods of SiteUrls, briefgen's
    template globals and built-in methods never want it; anything else, a theme's
    macros included, goes Jinja's way.
    """

    def call(__self, __obj: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's own names
        kind = type(__obj)
        if (
            kind is BuiltinMethodType
            or (kind is MethodType and type(__obj.__self__) is SiteUrls)  # type: ignore[attr-defined]
            or (kind is FunctionType and __obj in _TEMPLATE_FUNCTIONS)
        ):
            kwargs.pop("_loop_vars", None)  # the names Jinja passes along inside loops and blocks
            kwargs.pop("_block_vars", None)
            return __obj(*args, **kwargs)
        return super().call(__obj, *args, **kwargs)


def make_environment(
    bodies: Bodies, site_templates: Path | None, bytecode_cache: jinja2.BytecodeCache | None = None
) -> jinja2.Environment:
    """The environment every page renders in, briefings' text read from `bodies`; `bytecode_cache`, where
    Jinja keeps the templates it compiled (the build cache's, incremental/templates.py), or nowhere."""
    loaders: list[jinja2.BaseLoader] = []
    if site_templates is not None and site_templates.is_dir():
        loaders.append(jinja2.FileSystemLoader(str(site_templates)))
    loaders.append(jinja2.FileSystemLoader(str(builtin_theme_dir())))
    env = _Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        # A build renders each template thousands of times, and templates do not change
        # during one: checking the file's time before every page cost a stat each.
        auto_reload=False,
        bytecode_cache=bytecode_cache,
    )
    env.context_class = _Context
    env.bodies = bodies
    env.filters.update(
        long_date=long_date, month_name=month_name, excerpt=excerpt, atom_time=atom_time, numbered=numbered
    )
    env.globals.update({function.__name__: function for function in _TEMPLATE_FUNCTIONS})
    env.globals["content_html"] = _template_content_html  # passed the environment: Jinja's way, see _Context
    return env


_TEMPLATE_FUNCTIONS = frozenset((entry_id,))


PythonRenderer = Callable[[Any, SiteUrls, Settings, Bodies, FeedContent], bytes]
"""Renders a PageJob whose 'template' names it (JSON files): from its context, like a template,
briefings' text read from the Bodies given, a feed's content from the environment's FeedContent."""


class SiteRenderer:
    """Renders every page of one archive.

    `search` says whether the site has full-text search: every HTML page is
    given it, so that turning search on or off renders them again.
    """

    def __init__(
        self,
        archive: Archive,
        archive_index: ArchiveIndex,
        site_templates: Path | None,
        *,
        search: bool = False,
        python_renderers: Mapping[str, PythonRenderer] = EMPTY_MAPPING,
        bytecode_cache: jinja2.BytecodeCache | None = None,
        bodies: Bodies | None = None,
    ) -> None:
        """`bodies`: where pages read briefings' text; the archive's own unless given (build.py records reads)."""
        self.archive = archive
        self.bodies = bodies if bodies is not None else archive.bodies
        self.index = archive_index
        self.settings = archive.settings
        self.urls = SiteUrls(archive.settings)
        self.env = make_environment(self.bodies, site_templates, bytecode_cache)
        self.feed_content = FeedContent(self.env, self.settings, self.urls)
        """The feeds' content of each briefing: the Atom template's content_html() and JSON Feed's."""
        self.env.feed_content = self.feed_content  # type: ignore[attr-defined]
        self.search = search
        self.python_renderers = python_renderers
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

    def _render(self, template_name: str, context: Context) -> bytes:
        try:
            template = self.env.get_template(template_name)
            # Only the settings, the addresses and the page's own context: the build
            # cache fingerprints exactly these to decide whether a page changed.
            text = template.render(site=self.settings, urls=self.urls, **context.names())
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(f"{exc.filename or exc.name}:{exc.lineno}: {exc.message}") from exc
        except jinja2.TemplateError as exc:
            raise TemplateError(f"{template_name}: {exc}") from exc
        return text.encode("utf-8")

    def render(self, job: PageJob) -> Output:
        python = self.python_renderers.get(job.template)
        if python is not None:
            return Output(job.path, python(job.context, self.urls, self.settings, self.bodies, self.feed_content))
        return Output(job.path, self._render(job.template, job.context))

    @staticmethod
    def _page(context: PageContext) -> PageJob:
        return PageJob(paths.output_path(context.page_path), context)

    def plan(self) -> list[PageJob]:
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
                    related=self.related[briefing.path],
                )
            )

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
        for group in self.index.dates:
            yield self._page(DateContext(paths.date_path(group.date), self.search, group=group))
        for year in self.index.years:
            calendar = year_calendar(year, self.busiest_day)
            yield self._page(
                YearContext(paths.year_path(year.year), self.search, year=year, calendar=calendar, weekdays=WEEKDAYS)
            )
            for month in year.months:
                yield self._page(MonthContext(paths.month_path(month.year, month.month), self.search, month=month))
        calendars = archive_calendars(self.index.years, self.busiest_day)
        yield self._page(
            DatesContext(
                paths.ALL_DATES_PATH, self.search, years=self.index.years, calendars=calendars, weekdays=WEEKDAYS
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
            yield self._page(
                TermsContext(paths.taxonomy_path(taxonomy.path), self.search, taxonomy=taxonomy, groups=listing.groups)
            )
            for group in listing.groups:
                yield self._page(
                    TermContext(
                        paths.term_path(taxonomy.path, group.term),
                        self.search,
                        taxonomy=taxonomy,
                        group=group,
                        by_source=count_by_source(group.briefings),
                        feeds=self.urls.term_feeds(taxonomy.path, group.term) if taxonomy.feeds else None,
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


def theme_assets(site_templates: Path, root: Path, problems: list[Problem]) -> dict[str, Path]:
    """The theme's asset files by output path; the site's own override the built-in ones.

    The site's are read only inside the site root `root` (published.folder_files):
    a link leading out of it is a warning in `problems`, and publishes nothing."""
    builtin = builtin_theme_dir()
    found = {paths.asset_path(name): file for name, file in folder_files(builtin / THEME_ASSETS, builtin, []).items()}
    for name, file in folder_files(site_templates / THEME_ASSETS, root, problems).items():
        found[paths.asset_path(name)] = file
    return found
