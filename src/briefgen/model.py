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

EMPTY_MAPPING: Mapping[str, Any] = MappingProxyType({})


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
    """A tag or place: the text an editor wrote, and the slug of its page."""

    name: str
    slug: str


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
    authors: tuple[str, ...] = ()
    takeaways_html: tuple[str, ...] = ()
    tags: tuple[Term, ...] = ()
    places: tuple[Term, ...] = ()
    draft: bool = False
    images: tuple[Image, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=lambda: EMPTY_MAPPING)
    fingerprint: str = ""
    """Digest of everything this briefing was made from (its file, settings, sources, version)."""
    fields_digest: str = ""
    """Digest of every field but its source (incremental/fingerprint.py: fields_digest), made by the loader:
    the build digests every briefing's fields at each build, and the loader's workers had them at hand."""
    slug_line: int | None = None
    """Line of `slug:` in the file, for problems; None when the file name gave the slug."""

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


class Bodies(Protocol):
    """Where the pipeline reads briefings' text: every read of a body or notes goes through one of these."""

    def body(self, briefing: Briefing) -> Body:
        """The briefing's body and notes."""
        ...

    def notes_json(self, briefing: Briefing) -> str:
        """Body.notes_json, which a store may read without the rest of the body."""
        ...


@dataclass(frozen=True, slots=True)
class BodiesInMemory:
    """Bodies held in memory, by briefing path: a build without the cache, a test, `briefgen check`."""

    by_path: Mapping[str, Body]

    def body(self, briefing: Briefing) -> Body:
        return self.by_path[briefing.path]

    def notes_json(self, briefing: Briefing) -> str:
        return self.by_path[briefing.path].notes_json
