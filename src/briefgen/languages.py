"""Languages: what a BCP 47 tag means, the theme's labels in it, and dates written in it.

A briefing, or the whole site, is written in a language (`language:`); a page
in it gets `lang` and `dir`, links to its other languages by their own names,
and the theme's fixed strings (navigation, headings, the calendar, dates) in
that language. All of it comes from Babel's CLDR data and from the .po
catalogues shipped in locales/, compiled when first asked for in a process
(never once per page: rendering thousands of pages asks thousands of times).
Babel is imported here and nowhere else.

The catalogues are read as .po, not shipped compiled (.mo): the .po files are
what a translator edits and what review reads, and a .mo beside each would need
a test to keep the pair in step. Compiling five small catalogues costs a few
milliseconds a process.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton, get_day_names, get_month_names
from babel.localedata import locale_identifiers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
"""The theme's catalogues: locales/<language>/LC_MESSAGES/briefgen.po."""
DOMAIN = "briefgen"
CATALOGUE_LANGUAGES = ("ar", "en", "fr", "ru", "uk")
"""The languages whose catalogues briefgen ships; a page in another gets the English labels."""
SOURCE_LANGUAGE = "en"
"""The language the theme's templates are written in: its catalogue lists every label, untranslated."""
LABELS_OUTSIDE_TEMPLATES = ("Topic", "Topics", "Place", "Places", "Author", "Authors", "Source", "Year")
"""Labels the catalogues translate that templates print from data, not as text (`_(taxonomy.plural)`): the
default taxonomies' names (model.DEFAULT_TAXONOMIES) and the search page's fixed filters (plan.py)."""
FALLBACK_LOCALE = "en"
"""For a site language Babel has no data for (a private-use tag, say): dates are written in English."""

LabelOverrides = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
"""A site's own labels (briefgen.yaml's `labels:`): (language tag, ((label, text), ...)), in its order."""


@dataclass(frozen=True, slots=True)
class Language:
    """A language as a page shows it: its tag for `lang`, its direction for `dir`, its own name."""

    tag: str
    """As the editor wrote it: `ar`, `en-GB`."""
    direction: str
    """'rtl' for a language written right to left (Arabic, Persian, Hebrew), else 'ltr'."""
    name: str
    """Its name in itself ('العربية', 'українська'), for the links between a report's languages."""


def locale_of(tag: str) -> Locale | None:
    """Babel's Locale for a BCP 47 tag ('en-GB'), or None when Babel knows no such language."""
    return _locale(tag.casefold())


@functools.cache
def _locale(folded: str) -> Locale | None:
    try:
        return Locale.parse(folded, sep="-")
    except (ValueError, TypeError, UnknownLocaleError):
        return None


def _own_or_primary_locale(tag: str) -> Locale | None:
    """The tag's locale, else its first subtag's ('en-XY' -> en); None when Babel knows neither."""
    return locale_of(tag) or locale_of(tag.split("-", maxsplit=1)[0])


def _nearest_locale(tag: str) -> Locale:
    """The tag's locale, else its first subtag's, else English."""
    return _own_or_primary_locale(tag) or Locale.parse(FALLBACK_LOCALE)


@functools.cache
def language(tag: str) -> Language:
    locale = _own_or_primary_locale(tag)
    if locale is None:  # a site's private-use tag ('x-internal'), say: Babel knows nothing of it
        return Language(tag=tag, direction="ltr", name=tag)
    direction = "rtl" if locale.character_order == "right-to-left" else "ltr"
    return Language(tag=tag, direction=direction, name=locale.display_name or tag)


def tag_problem(tag: str) -> str | None:
    """Why `tag` is not a language briefgen can write pages in, with a suggestion; None when it is."""
    if locale_of(tag) is not None:
        return None
    return (
        f"'{tag}' is not a language tag Babel knows{_suggestion(tag)}: write a BCP 47 tag such as en, uk, ar or fr-CA"
    )


def _suggestion(tag: str) -> str:
    dashed = tag.replace("_", "-")
    if dashed != tag and locale_of(dashed) is not None:
        return f" (did you mean '{dashed}'?)"
    folded = dashed.casefold()
    by_name = _tags_by_english_name().get(folded)
    if by_name is not None:
        return f" (did you mean '{by_name}'?)"
    match = difflib.get_close_matches(folded, _known_tags(), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


@functools.cache
def _known_tags() -> tuple[str, ...]:
    return tuple(sorted(identifier.replace("_", "-").casefold() for identifier in locale_identifiers()))


@functools.cache
def _tags_by_english_name() -> Mapping[str, str]:
    """'arabic' -> 'ar': an editor who wrote the language's name."""
    names: dict[str, str] = {}
    for tag in _known_tags():
        if "-" not in tag:
            locale = locale_of(tag)
            if locale is not None and locale.english_name:
                names.setdefault(locale.english_name.casefold(), tag)
    return names


# ------------------------------------------------------------------- labels


def catalogue_path(code: str) -> Path:
    return LOCALES_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def _translations(code: str) -> Translations:
    """One shipped catalogue, compiled once a process."""
    with catalogue_path(code).open("rb") as file:
        catalogue = read_po(file, locale=code, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


@functools.cache
def theme_labels() -> frozenset[str]:
    """Every label of the theme (the source catalogue's ids): what a site may override."""
    with catalogue_path(SOURCE_LANGUAGE).open("rb") as file:
        catalogue = read_po(file, locale=SOURCE_LANGUAGE, domain=DOMAIN)
    return frozenset(
        str(message.id[0] if isinstance(message.id, tuple) else message.id) for message in catalogue if message.id
    )


def _catalogue_code(tag: str) -> str:
    """The shipped catalogue for a language: its own ('uk'), its first subtag's ('fr-CA' -> fr), else English."""
    primary = tag.split("-", maxsplit=1)[0].casefold()
    return primary if primary in CATALOGUE_LANGUAGES else SOURCE_LANGUAGE


class Labels:
    """The theme's labels in one language, a site's own overrides first: what `_()` and `ngettext` print.

    Jinja's i18n extension marks what they return as safe HTML. The shipped catalogues are the theme's
    own text, reviewed as its templates are; a site's text from briefgen.yaml is escaped here, as any
    text a template prints would be (`plain` keeps it as written, for JSON).
    """

    def __init__(self, translations: Translations, overrides: Mapping[str, str]) -> None:
        self._translations = translations
        self._plain = overrides
        self._overrides = {label: str(escape(text)) for label, text in overrides.items()}
        self._shown: dict[str, Markup] = {}

    def shown(self, message: str) -> Markup:
        """`_(message)` with no variables, as Jinja's newstyle gettext gives it in an autoescaped
        template (safe HTML, formatted with no values: '%%' prints '%'); kept, because a build
        prints the same few labels tens of thousands of times and Jinja's way to one costs
        tens of microseconds (render._Context)."""
        label = self._shown.get(message)
        if label is None:
            label = self._shown[message] = Markup(self.gettext(message)) % {}  # noqa: S704 - see the class
        return label

    def plain(self, message: str) -> str:
        """The label as text, not HTML: for the JSON indexes' titles."""
        override = self._plain.get(message)
        return override if override is not None else self._translations.ugettext(message)

    def gettext(self, message: str) -> str:
        override = self._overrides.get(message)
        return override if override is not None else self._translations.ugettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        # A site's text for a counted label serves every count: it is keyed by the singular, and says
        # %(num)d where the number goes ('%(num)d reports').
        override = self._overrides.get(singular)
        return override if override is not None else self._translations.ungettext(singular, plural, count)


@functools.lru_cache(maxsize=64)
def labels(tag: str, overrides: LabelOverrides = ()) -> Labels:
    """The labels of a page in language `tag`: the site's for it (or its first subtag), then the catalogue's."""
    folded = tag.casefold()
    primary = folded.split("-")[0]
    own: dict[str, str] = {}
    # The first subtag's first, so that a site's 'fr-CA' labels win over its 'fr' ones on a fr-CA page.
    for wanted in (primary, folded):
        for language_tag, texts in overrides:
            if language_tag.casefold() == wanted:
                own.update(texts)
    return Labels(_translations(_catalogue_code(tag)), own)


def unknown_label_hint(label: str) -> str:
    """' (did you mean ...?)' for a label the theme does not have, or ''."""
    match = difflib.get_close_matches(label, sorted(theme_labels()), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


# ------------------------------------------------------------------- dates


@functools.lru_cache(maxsize=8192)  # a date is printed on many pages, in one or two languages
def long_date(day: dt.date, tag: str) -> str:
    """'June 26, 2025', '26 червня 2025 р.', '26 يونيو 2025'."""
    return format_date(day, "long", locale=_nearest_locale(tag))


@functools.lru_cache(maxsize=256)
def month_name(month: int, tag: str) -> str:
    """The month's name standing alone, as a list of months shows it: 'June', 'червень'."""
    return str(get_month_names("wide", context="stand-alone", locale=_nearest_locale(tag))[month])


@functools.lru_cache(maxsize=2048)
def month_and_year(year: int, month: int, tag: str) -> str:
    """A month of a year as a heading: 'June 2025', 'червень 2025 р.'."""
    return str(format_skeleton("yMMMM", dt.date(year, month, 1), locale=_nearest_locale(tag)))


@functools.cache
def weekday_names(tag: str) -> tuple[tuple[str, str], ...]:
    """The days from Monday, each (short, full): ('Mo', 'Monday'), for a calendar's columns."""
    locale = _nearest_locale(tag)
    short, wide = get_day_names("short", locale=locale), get_day_names("wide", locale=locale)
    return tuple((str(short[day]), str(wide[day])) for day in range(7))  # Babel counts from Monday, 0


# ------------------------------------------------------- labels as templates call them


@pass_context
def template_gettext(context: Context, message: str) -> str:
    """`_("Key takeaways")` in a template: the label in the page's language (`page_labels`, given by the renderer)."""
    page_labels: Labels = context["page_labels"]
    return page_labels.gettext(message)


@pass_context
def template_label(context: Context, message: str, /, **variables: Any) -> str:
    """`_()` and `gettext()` in templates: what Jinja's newstyle gettext over `template_gettext` returns
    (safe HTML in an autoescaped template, always %-formatted), the common case without
    variables kept by Labels.shown and called straight from render._Context.call."""
    page_labels: Labels = context["page_labels"]
    if not context.eval_ctx.autoescape:
        return str(page_labels.gettext(message) % variables)
    if not variables:
        return page_labels.shown(message)
    return Markup(page_labels.gettext(message)) % variables  # noqa: S704 - the theme's own labels (Labels)


@pass_context
def template_ngettext(context: Context, singular: str, plural: str, count: int) -> str:
    page_labels: Labels = context["page_labels"]
    return page_labels.ngettext(singular, plural, count)
