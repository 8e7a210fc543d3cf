"""The typed objects that flow through briefgen, from loader to templates.

Everything here is frozen: once the loader has validated a briefing, nothing
downstream changes it. Text fields that hold HTML say so in their name
(`*_html`); it was produced by briefgen's own Markdown renderer and is safe.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import operator
import os
import pickle
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple, TypeVar

from briefgen.errors import DamagedCacheError
from briefgen.sealed import digest_of

EMPTY_MAPPING: Mapping[str, Any] = MappingProxyType({})

Frozen = TypeVar("Frozen")


def pickled_by_fields(cls: type[Frozen]) -> type[Frozen]:
    """Unpickle this frozen dataclass by calling it with its fields.

    The build cache holds hundreds of thousands of these objects (briefings,
    their notes, page records); dataclasses' own unpickling of a frozen
    slotted class sets each field through object.__setattr__, three times
    slower than a call.
    """
    names = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    get = operator.attrgetter(*names)
    values = get if len(names) > 1 else lambda self: (get(self),)  # one name: attrgetter gives no tuple

    def reduce(self: Frozen) -> tuple[Any, ...]:
        return (cls, values(self))

    cls.__reduce__ = reduce  # type: ignore[assignment,method-assign]
    return cls


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


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Source:
    """A publishing organisation, from sources.yaml or named by a briefing."""

    key: str
    """The slug used in addresses: /sources/<key>/."""
    name: str
    url: str | None = None
    description: str | None = None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Term:
    """A term of a taxonomy (a tag, a place, an author): its name and the slug of its page."""

    name: str
    """As the taxonomy's registry gives it, or else as the editor wrote it."""
    slug: str
    description: str | None = None
    """From the taxonomy's registry, shown on the term's page."""


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

    def __reduce__(self) -> tuple[type[Footnote], tuple[Any, ...]]:
        return Footnote, tuple(self)  # a plain call: pickle's default for tuple subclasses runs Python code


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Image:
    """An image file kept beside a briefing, to be copied next to its page."""

    source_path: str
    """Absolute path of the file on disk."""
    output_name: str
    """Path relative to the briefing's page folder, as the rendered HTML links it."""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Body:
    """A briefing's rendered text and its notes: the bulk of a briefing."""

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


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class StoredBody:
    """A Body kept in the build cache, so that an archive of 100,000 briefings fits in memory.

    Bodies are written one after another into a few pack files (cache.py). This
    one is at `offset` in the file at `path`: `size` bytes of its html and notes,
    pickled, then `notes_json_size` bytes of its notes_json in UTF-8, which the
    JSON indexes read without unpickling the rest. Each part is read only once
    it matches its digest: a damaged or altered pack raises DamagedCacheError.
    """

    path: str
    """The pack's absolute path while a build runs; the cache records only its name (cache.py)."""
    offset: int = 0
    size: int = 0
    notes_json_size: int = 0
    digest: bytes = b""
    """Of the pickled html and notes (sealed.digest_of)."""
    notes_json_digest: bytes = b""


_OPEN_PACKS: dict[str, int] = {}
"""Pack file -> a descriptor open for reading, in this process; read with pread, so shared after fork."""
_MAX_OPEN_PACKS = 64


def stored_bytes(stored: StoredBody, *, start: int = 0) -> bytes:
    """The stored body's bytes from `start` on, as its pack holds them (fewer at the end of a short pack)."""
    descriptor = _OPEN_PACKS.get(stored.path)
    if descriptor is None:
        if len(_OPEN_PACKS) >= _MAX_OPEN_PACKS:  # a long `serve` session: packs come and go
            for old in _OPEN_PACKS.values():
                os.close(old)
            _OPEN_PACKS.clear()
        descriptor = _OPEN_PACKS[stored.path] = os.open(stored.path, os.O_RDONLY | os.O_CLOEXEC)
    return os.pread(descriptor, stored.size + stored.notes_json_size - start, stored.offset + start)


def _damaged(stored: StoredBody) -> DamagedCacheError:
    return DamagedCacheError(f"{stored.path} does not hold the briefing body recorded at {stored.offset}")


def stored_body_intact(stored: StoredBody) -> bool:
    """Whether the pack still holds the bytes recorded, both parts, in full."""
    try:
        data = stored_bytes(stored)
    except OSError:
        return False
    return (
        len(data) == stored.size + stored.notes_json_size
        and digest_of(memoryview(data)[: stored.size]) == stored.digest
        and digest_of(memoryview(data)[stored.size :]) == stored.notes_json_digest
    )


@functools.lru_cache(maxsize=32)
def _read_stored_body(stored: StoredBody) -> Body:
    data = stored_bytes(stored)
    if len(data) != stored.size + stored.notes_json_size:
        raise _damaged(stored)
    pickled, notes_json = memoryview(data)[: stored.size], memoryview(data)[stored.size :]
    if digest_of(pickled) != stored.digest or digest_of(notes_json) != stored.notes_json_digest:
        raise _damaged(stored)  # never unpickled: the build checks every body again, and parses the damaged ones
    parts = pickle.loads(pickled)  # noqa: S301 - this build's own cache, checked above
    if not (isinstance(parts, tuple) and len(parts) == 2):
        raise _damaged(stored)
    return Body(*parts, notes_json=str(notes_json, "utf-8"))


def _read_stored_notes_json(stored: StoredBody) -> str:
    data = stored_bytes(stored, start=stored.size)
    if len(data) != stored.notes_json_size or digest_of(data) != stored.notes_json_digest:
        raise _damaged(stored)
    return data.decode("utf-8")


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Briefing:
    """One validated report."""

    path: str
    """The Markdown file, relative to the site root, with forward slashes."""
    title: str
    date: dt.date
    source: Source
    slug: str
    body: Body | StoredBody
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
    """Digest of every field but its text (body and notes) and its source: see fields_digest()."""
    slug_line: int | None = None
    """Line of `slug:` in the file, for problems; None when the file name gave the slug."""

    def content(self) -> Body:
        """The body and notes: every read of them goes through here, so that TextReads sees it."""
        text_read(self)
        return self.body if isinstance(self.body, Body) else _read_stored_body(self.body)

    @property
    def body_html(self) -> str:
        return self.content().html

    @property
    def footnotes(self) -> tuple[Footnote, ...]:
        return self.content().footnotes

    def notes_json(self) -> str:
        """Body.notes_json, read without the rest of the body; a read of the text, like content()."""
        text_read(self)
        return self.body.notes_json if isinstance(self.body, Body) else _read_stored_notes_json(self.body)

    def terms_of(self, taxonomy: Taxonomy) -> tuple[Term, ...]:
        return self.terms.get(taxonomy.key, ())

    @property
    def sort_key(self) -> tuple[dt.date, str, str]:
        """Oldest first; same-day briefings by source, then slug."""
        return (self.date, self.source.key, self.slug)


class TextReads:
    """The briefings whose text (body and notes) is read while one page renders, in this process.

    A page that shows a briefing's title, date or takeaways but not its text
    stays as it is when only that text is corrected; the build cache records
    which briefings' text each page read, and with which fingerprint.

        with TextReads() as reads:
            ...render...
        reads.read  # briefing path -> fingerprint

    Briefing.content() records each read; a function that keeps a result made
    from a briefing's text (a memo) calls text_read() when it hands it out again.
    """

    def __init__(self) -> None:
        self.read: dict[str, str] = {}

    def __enter__(self) -> TextReads:
        _READING.append(self.read)
        return self

    def __exit__(self, *exc: object) -> None:
        _READING.pop()


_READING: list[dict[str, str]] = []
"""The reads being recorded, innermost last: one page renders at a time in a process."""


def text_read(briefing: Briefing) -> None:
    """Note that the page being rendered shows this briefing's text."""
    if _READING:
        _READING[-1][briefing.path] = briefing.fingerprint


def fields_digest(briefing: Briefing) -> str:
    """The digest of a briefing's fields, text and source left out: the loader's, kept in
    Briefing.fields_digest, or made now for a briefing made elsewhere.

    A page's fingerprint digests a briefing by these fields only; its text is
    covered by the record of what the page read (TextReads).
    """
    if briefing.fields_digest:
        return briefing.fields_digest
    values = tuple(getattr(briefing, name) for name in _FIELDS_WITHOUT_TEXT)
    return hashlib.blake2b(repr(values).encode("utf-8"), digest_size=20).hexdigest()


_FIELDS_WITHOUT_TEXT = tuple(
    f.name
    for f in dataclasses.fields(Briefing)
    if f.name not in {"body", "source", "fingerprint", "fields_digest", "slug_line"}
)
"""The source is left out because the loader settles it across files afterwards; it is digested apart.
No page shows where the slug was written: moving it leaves every page as it was."""


@dataclass(frozen=True, slots=True)
class Archive:
    """Everything the loader read from a site root."""

    settings: Settings
    sources: Mapping[str, Source]
    """Every source, by key: those in sources.yaml and those briefings named."""
    briefings: tuple[Briefing, ...]
    """Sorted oldest first (see Briefing.sort_key)."""
