"""The typed objects that flow through briefgen, from loader to templates.

Everything here is frozen: once the loader has validated a briefing, nothing
downstream changes it. Nothing here reads a file or keeps state: a briefing's
text (its Body) is kept apart from it, in the archive's `bodies`, so that
the incremental engine can keep the text of a large archive out of memory and
hand it over as pages read it (incremental/packs.py) without the model knowing.
Text fields that hold HTML say so in their name (`*_html`); it was produced by
briefgen's own Markdown renderer and is safe.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol

from briefgen.slugs import SlugStyle

EMPTY_MAPPING: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """A way of grouping briefings, declared in briefgen.yaml: tags, places, authors, or a site's own.

    Every taxonomy takes the same one code path, from the front matter to its
    pages, feeds, JSON, search filter and navigation link: a new one is configuration.
    """

    key: str
    """The front-matter key listing a briefing's terms ('tags'); also names the taxonomy in settings."""
    label: str
    """One term's kind, for headings: 'Topic' ('Topic: drones')."""
    plural: str
    """For the navigation and the listing of every term: 'Topics'."""
    path: str
    """The address segment: a term's page is /<path>/<slug>/."""
    search_filter: str
    """The name of the Pagefind filter a briefing's terms are indexed under ('tag')."""
    feeds: bool = True
    """Whether each term has an Atom feed and a JSON Feed beside its page."""
    related: bool = True
    """Whether sharing a term makes two briefings related (related.py)."""
    registry: str | None = None
    """A YAML file beside briefgen.yaml giving terms, by slug, a display name and description."""


DEFAULT_TAXONOMIES = (
    Taxonomy(key="tags", label="Topic", plural="Topics", path="tags", search_filter="tag"),
    Taxonomy(key="places", label="Place", plural="Places", path="places", search_filter="place"),
    # The same few analysts write every report of a source: sharing one says nothing of the topic.
    Taxonomy(key="authors", label="Author", plural="Authors", path="authors", search_filter="author", related=False),
)
"""Today's site: topics and places, and a page per author."""

BYLINE_KEY = "authors"
"""The taxonomy whose terms are a briefing's byline (and JSON Feed's `authors`), when the site has it."""
CATEGORIES_KEY = "tags"
"""The taxonomy whose terms are an Atom entry's categories (and JSON Feed's `tags`), when the site has it."""
GAZETTEER_KEY = "places"
"""The taxonomy whose registry is a gazetteer: its terms may have coordinates and lie within one another."""
GAZETTEER_FILE = "places.yaml"
"""The gazetteer's registry when the site has this file and names no other (`registry:`)."""


@dataclass(frozen=True, slots=True)
class Settings:
    """The site settings from briefgen.yaml; every key has a default."""

    title: str = "Briefing archive"
    description: str = ""
    base_url: str = "/"
    """Where the site is published: a full URL or a path; always ends with '/'."""
    language: str = "en"
    per_page: int = 20
    """Briefings on one page of the home page and each source's listing."""
    allow_html: bool = False
    """Pass raw HTML in briefing bodies through instead of escaping it."""
    feed_entries: int = 50
    """How many of the newest briefings each Atom feed carries."""
    taxonomies: tuple[Taxonomy, ...] = DEFAULT_TAXONOMIES
    """In the order of the navigation, their pages and feeds."""
    slugs: SlugStyle = SlugStyle.ASCII
    """How names become address segments: transliterated ASCII, or their own letters (slugs.py)."""
    labels: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    """The site's own texts for the theme's labels: (language tag, ((label, text), ...)), as `labels:` gives them
    (languages.labels). Tuples, not mappings, so that Settings stay hashable."""


@dataclass(frozen=True, slots=True)
class Source:
    """A publishing organisation, from sources.yaml or named by a briefing."""

    key: str
    """The slug used in addresses: /sources/<key>/."""
    name: str
    url: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Term:
    """A term of a taxonomy (a tag, a place, an author): its name and the slug of its page."""

    name: str
    """As the taxonomy's registry gives it, or else as the editor wrote it."""
    slug: str
    description: str | None = None
    """From the taxonomy's registry, shown on the term's page."""
    aliases: tuple[str, ...] = ()
    """Its other names in the registry, in any script or spelling: a briefing may list it by any of them."""
    latitude: float | None = None
    """Degrees north, from the gazetteer (places.yaml); set with `longitude` or not at all."""
    longitude: float | None = None
    """Degrees east, from the gazetteer."""
    within: str | None = None
    """The slug of the place it lies in (a region, a country), from the gazetteer."""

    @property
    def coordinates(self) -> tuple[float, float] | None:
        """(latitude, longitude) when the gazetteer gives them."""
        if self.latitude is None or self.longitude is None:
            return None
        return self.latitude, self.longitude


class Footnote(NamedTuple):
    """One of a briefing's notes, with the places in the body that cite it.

    A named tuple rather than a frozen dataclass: an archive holds hundreds of
    thousands, made by the loader, pickled into the cache and read back by each
    page that shows them; a tuple is made and unpickled in two thirds of the time.
    """

    number: int
    html: str
    """The note's inline Markdown rendered to HTML, bare URLs linked."""
    line: int
    """Line of the note in the briefing file, for problems."""
    citation_ids: tuple[str, ...] = ()
    """Element ids of every citation of this note, in body order."""


@dataclass(frozen=True, slots=True)
class Image:
    """An image file kept beside a briefing, to be copied next to its page."""

    source_path: str
    """Absolute path of the file on disk."""
    output_name: str
    """Path relative to the briefing's page folder, as the rendered HTML links it."""


@dataclass(frozen=True, slots=True)
class Body:
    """A briefing's rendered text and its notes: the bulk of a briefing, kept apart from it (Bodies)."""

    html: str
    footnotes: tuple[Footnote, ...] = ()
    notes_json: str = "[]"
    """The notes as the JSON indexes carry them (notes_as_json), made once by the loader:
    two indexes carry each briefing's notes, rendered in different processes."""


def json_text(value: Any) -> str:
    """JSON as briefgen writes it everywhere, the same bytes for the same value:
    keys sorted, no spaces, text as it is (UTF-8 once encoded)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def notes_as_json(footnotes: Sequence[Footnote]) -> str:
    """The notes as the JSON indexes carry them: an array of {"html", "number"}."""
    return json_text([{"html": note.html, "number": note.number} for note in footnotes])


@dataclass(frozen=True, slots=True)
class Briefing:
    """One validated report."""

    path: str
    """The Markdown file, relative to the site root, with forward slashes."""
    title: str
    date: dt.date
    source: Source
    slug: str
    summary: str
    """Plain text, one paragraph, for index pages and feeds."""
    url: str | None = None
    takeaways_html: tuple[str, ...] = ()
    terms: Mapping[str, tuple[Term, ...]] = field(default_factory=lambda: EMPTY_MAPPING)
    """By taxonomy key, in the settings' order: only the taxonomies the briefing lists terms of."""
    draft: bool = False
    images: tuple[Image, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=lambda: EMPTY_MAPPING)
    fingerprint: str = ""
    """Digest of everything this briefing was made from (its file, settings, sources, version)."""
    fields_digest: str = ""
    """Digest of every field but its source (digests.py: fields_digest), made by the loader:
    the build digests every briefing's fields at each build, and the loader's workers had them at hand."""
    slug_line: int | None = None
    """Line of `slug:` in the file, for problems; None when the file name gave the slug."""
    language: str | None = None
    """Its `language:`, a BCP 47 tag ('ar'); None when it is written in the site's language."""
    translation_key: str | None = None
    """Shared by the versions of one report in other languages (translations.py)."""
    translation_of: str | None = None
    """The path or slug of another version of the report, as the editor wrote it (translations.py)."""
    translation_line: int | None = None
    """Line of `translation_of:` in the file, for problems."""

    def language_or(self, site_language: str) -> str:
        """The language it is written in: its own, or else the site's."""
        return self.language or site_language

    def terms_of(self, taxonomy: Taxonomy) -> tuple[Term, ...]:
        return self.terms.get(taxonomy.key, ())

    @property
    def sort_key(self) -> tuple[dt.date, str, str]:
        """Oldest first; same-day briefings by source, then slug."""
        return (self.date, self.source.key, self.slug)


@dataclass(frozen=True, slots=True)
class Archive:
    """Everything the loader read from a site root."""

    settings: Settings
    sources: Mapping[str, Source]
    """Every source, by key: those in sources.yaml and those briefings named."""
    briefings: tuple[Briefing, ...]
    """Sorted oldest first (see Briefing.sort_key)."""
    bodies: Bodies
    """Each briefing's text: in memory (BodiesInMemory), or read from the build cache as pages need it."""
    registries: Mapping[str, Mapping[str, Term]] = field(default_factory=lambda: EMPTY_MAPPING)
    """By taxonomy key, the terms its registry gives, by slug: a place's region or country is
    shown from here (a term no briefing lists has a page when a listed place lies within it)."""


class Bodies(Protocol):
    """Where the pipeline reads briefings' text: every read of a body or notes goes through one of these."""

    def body(self, briefing: Briefing) -> Body:
        """The briefing's body and notes."""
        ...

    def notes_json(self, briefing: Briefing) -> str:
        """Body.notes_json, which a store may read without the rest of the body."""
        ...

    def shown(self, briefing: Briefing) -> None:
        """Note that a page shows the briefing's text through something made from it and kept (a feed's
        item, render.Recent): a read for the record (incremental/reads.py), without fetching the text."""
        ...


@dataclass(frozen=True, slots=True)
class BodiesInMemory:
    """Bodies held in memory, by briefing path: a build without the cache, a test, `briefgen check`."""

    by_path: Mapping[str, Body]

    def body(self, briefing: Briefing) -> Body:
        return self.by_path[briefing.path]

    def notes_json(self, briefing: Briefing) -> str:
        return self.by_path[briefing.path].notes_json

    def shown(self, briefing: Briefing) -> None:
        pass
