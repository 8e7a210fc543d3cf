"""One Jinja environment, and the rendering of each page of the site.

Templates are looked up in the site's own templates/ first, then in the
built-in theme. Autoescaping is on for every template and undefined names are
errors. Templates only present: every listing, order and address is decided
in plan.py (which pages, each with its context) or index.py and handed to them
ready to print; what they print with is filters.py's, and here what depends
on the page's language: its labels (`_()`, Jinja's i18n extension reading the
page's Labels), dates and month names (languages.py), `lang` and `dir`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import BuiltinMethodType, FunctionType, MethodType
from typing import Any

import jinja2
from markupsafe import Markup

from briefgen import urls as paths
from briefgen.contexts import Context
from briefgen.errors import BriefgenError, Problem
from briefgen.filters import atom_time, entry_id, excerpt, numbered
from briefgen.languages import (
    Language,
    labels,
    language,
    template_gettext,
    template_label,
    template_ngettext,
)
from briefgen.languages import long_date as date_in
from briefgen.languages import month_and_year as month_and_year_in
from briefgen.languages import month_name as month_name_in
from briefgen.model import EMPTY_MAPPING, Archive, Bodies, Body, Briefing, Settings
from briefgen.plan import PageJob
from briefgen.published import folder_files
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


class TemplateError(BriefgenError):
    """A template could not be loaded or rendered; names the template and line."""


class Recent:
    """The last `size` results by key, in one process.

    A briefing is in several feeds and JSON indexes of one build (its source,
    its date, its tags and places): its part of them is made once while it
    is recent. Keys hold every input, so a result can never be stale.
    A page asking for a result made from a briefing's text first tells its
    Bodies that it shows that text (Bodies.shown), so that the build's record
    of what a page read has it whether the result is made or kept
    (incremental/reads.py); a kept result does not fetch the text again.
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


@contextlib.contextmanager
def template_errors(template_name: str) -> Iterator[None]:
    """A theme's mistake as the editor's `file:line: message` (TemplateError), never a traceback."""
    try:
        yield
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.filename or exc.name}:{exc.lineno}: {exc.message}") from exc
    except jinja2.TemplateError as exc:
        raise TemplateError(f"{template_name}: {exc}") from exc


FEED_BODY_TEMPLATE = "partials/feed-body.html"
"""The whole briefing as one HTML fragment, as both feeds carry it (README: the theme)."""

# 1,024: a briefing's content is asked for by more feeds than 256 entries hold (its source's, its tags',
# places' and authors'), and a miss renders the template again from the briefing's text, read from the
# cache's packs unless among the last few read. 5,000 briefings of bench/corpus.py, one worker: 4,523
# renders at 256, 2,008 at 1,024, and 2,480 fewer texts read; user CPU 16.21 -> 15.87 s (medians of 3,
# side by side), for 37 MB more in a worker (its peak RSS 233 -> 270 MB; two runs each). Before kept
# results stopped reading the text (Bodies.shown), 1,024 saved no measurable time at 1,000 briefings.
_CONTENTS = Recent(1024)
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
        # Shown even when the result is kept (see Recent); the template reads the text as
        # briefing.body_html and briefing.footnotes (_Environment).
        self.env.bodies.shown(briefing)  # type: ignore[attr-defined]
        # Markup: the Atom feed's template escapes it once, whole, as feed content must be.
        made = _CONTENTS.get((briefing.path, briefing.fingerprint, self.key), lambda: self._render(briefing))
        return Markup(made)  # noqa: S704 - briefgen's own rendered HTML, or the site's template's

    def _render(self, briefing: Briefing) -> str:
        with template_errors(FEED_BODY_TEMPLATE):  # JSON Feed's renderer calls this outside any template
            if self._template is None:
                self._template = self.env.get_template(FEED_BODY_TEMPLATE)
            # In the briefing's language: a feed reader shows its labels ("Key takeaways", "Notes") beside its text.
            tag = briefing.language_or(self.settings.language)
            return self._template.render(
                site=self.settings,
                urls=self.urls,
                briefing=briefing,
                page_language=language(tag),
                page_labels=labels(tag, self.settings.labels),
            )


@jinja2.pass_environment
def _template_content_html(env: jinja2.Environment, briefing: Briefing) -> Markup:
    """content_html(briefing) as templates call it: their environment's FeedContent."""
    return env.feed_content.html(briefing)  # type: ignore[attr-defined,no-any-return]


def _page_tag(context: jinja2.runtime.Context, tag: str | None) -> str:
    if tag:
        return tag
    page_language: Language = context["page_language"]
    return page_language.tag


@jinja2.pass_context
def long_date(context: jinja2.runtime.Context, day: dt.date, tag: str | None = None) -> str:
    """`day | long_date`: the date in the page's language, or in language `tag` (a card's briefing's)."""
    return date_in(day, _page_tag(context, tag))


@jinja2.pass_context
def month_name(context: jinja2.runtime.Context, month: int) -> str:
    """`month | month_name`: the month's name in the page's language."""
    return month_name_in(month, _page_tag(context, None))


@jinja2.pass_context
def month_and_year(context: jinja2.runtime.Context, year: int, month: int) -> str:
    """`month_and_year(2025, 6)`: 'June 2025' in the page's language."""
    return month_and_year_in(year, month, _page_tag(context, None))


def link(href: str, text: str) -> Markup:
    """`link(url, _("all dates"))`: a link to put inside a translated sentence ('Try the %(dates)s')."""
    return Markup('<a href="{}">{}</a>').format(href, text)


@jinja2.pass_context
def time_element(context: jinja2.runtime.Context, day: dt.date) -> Markup:
    """`time_element(day)`: the date in the page's language in a <time>, to put inside a translated sentence."""
    return Markup('<time datetime="{}">{}</time>').format(day.isoformat(), date_in(day, _page_tag(context, None)))


@jinja2.pass_context
def other_language(context: jinja2.runtime.Context, briefing: Briefing) -> Language | None:
    """`other_language(b)`: the language `b` is written in when it is not the page's (for `lang` and `dir`
    on its card or link), else None."""
    site: Settings = context["site"]
    page_language: Language = context["page_language"]
    tag = briefing.language_or(site.language)
    return None if tag == page_language.tag else language(tag)


def direction(tag: str) -> str:
    """`tag | direction`: 'rtl' or 'ltr', for a `dir` beside a `lang`."""
    return language(tag).direction


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
        label = __obj is template_label  # a label: a tenth of a build's rendering time when it went Jinja's way
        if not (
            label
            or kind is BuiltinMethodType
            or (kind is MethodType and type(__obj.__self__) is SiteUrls)  # type: ignore[attr-defined]
            or (kind is FunctionType and __obj in _TEMPLATE_FUNCTIONS)
        ):
            return super().call(__obj, *args, **kwargs)
        kwargs.pop("_loop_vars", None)  # the names Jinja passes along inside loops and blocks
        kwargs.pop("_block_vars", None)
        return template_label(__self, *args, **kwargs) if label else __obj(*args, **kwargs)


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
        extensions=["jinja2.ext.i18n"],
    )
    # Labels in the page's language: the callables read the page's own Labels (languages.py), given with each
    # page, so that one environment renders pages in every language.
    env.install_gettext_callables(gettext=template_gettext, ngettext=template_ngettext, newstyle=True)  # type: ignore[attr-defined]
    # The same labels, without Jinja's two calls through the context for each (languages.template_label).
    env.globals.update(_=template_label, gettext=template_label)
    env.context_class = _Context
    env.bodies = bodies
    env.filters.update(
        long_date=long_date,
        month_name=month_name,
        excerpt=excerpt,
        atom_time=atom_time,
        numbered=numbered,
        direction=direction,
    )
    env.globals.update({function.__name__: function for function in _TEMPLATE_FUNCTIONS})
    env.globals["content_html"] = _template_content_html  # passed the environment: Jinja's way, see _Context
    env.globals["month_and_year"] = month_and_year
    env.globals["time_element"] = time_element
    env.globals["other_language"] = other_language
    return env


_TEMPLATE_FUNCTIONS = frozenset((entry_id, link))


PythonRenderer = Callable[[Any, SiteUrls, Settings, Bodies, FeedContent], bytes]
"""Renders a PageJob whose 'template' names it (JSON files): from its context, like a template,
briefings' text read from the Bodies given, a feed's content from the environment's FeedContent."""


class SiteRenderer:
    """Renders the pages of one archive (plan.py's PageJobs), one at a time, in any order."""

    def __init__(
        self,
        archive: Archive,
        site_templates: Path | None,
        *,
        python_renderers: Mapping[str, PythonRenderer] = EMPTY_MAPPING,
        bytecode_cache: jinja2.BytecodeCache | None = None,
        bodies: Bodies | None = None,
    ) -> None:
        """`bodies`: where pages read briefings' text; the archive's own unless given (build.py records reads)."""
        self.bodies = bodies if bodies is not None else archive.bodies
        self.settings = archive.settings
        self.urls = SiteUrls(archive.settings)
        self.env = make_environment(self.bodies, site_templates, bytecode_cache)
        self.feed_content = FeedContent(self.env, self.settings, self.urls)
        """The feeds' content of each briefing: the Atom template's content_html() and JSON Feed's."""
        self.env.feed_content = self.feed_content  # type: ignore[attr-defined]
        self.python_renderers = python_renderers

    def _render(self, template_name: str, context: Context) -> bytes:
        with template_errors(template_name):
            template = self.env.get_template(template_name)
            # Only the settings, the addresses and the page's own context: the build
            # cache fingerprints exactly these to decide whether a page changed. The page's
            # language and labels are made from them (Context.page_language, settings.labels).
            tag = context.page_language(self.settings.language)
            text = template.render(
                site=self.settings,
                urls=self.urls,
                page_language=language(tag),
                page_labels=labels(tag, self.settings.labels),
                **context.names(),
            )
        return text.encode("utf-8")

    def render(self, job: PageJob) -> Output:
        python = self.python_renderers.get(job.template)
        if python is not None:
            return Output(job.path, python(job.context, self.urls, self.settings, self.bodies, self.feed_content))
        return Output(job.path, self._render(job.template, job.context))


def theme_assets(site_templates: Path, root: Path, problems: list[Problem]) -> dict[str, Path]:
    """The theme's asset files by output path; the site's own override the built-in ones.

    The site's are read only inside the site root `root` (published.folder_files):
    a link leading out of it is a warning in `problems`, and publishes nothing."""
    builtin = builtin_theme_dir()
    found = {paths.asset_path(name): file for name, file in folder_files(builtin / THEME_ASSETS, builtin, []).items()}
    for name, file in folder_files(site_templates / THEME_ASSETS, root, problems).items():
        found[paths.asset_path(name)] = file
    return found
