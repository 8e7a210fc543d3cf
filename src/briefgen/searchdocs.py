"""What search indexes: each briefing as a small document for Pagefind, and the index's parts.

Pagefind is fed from the model, not from the written pages: a briefing's
document holds its title (the only <h1>, which Pagefind weighs most), its
takeaways, its text and its notes, in that order, and nothing of the theme
(no byline, no "Key takeaways" or "Notes" label, no navigation), so that an
excerpt is the matching sentence. The filters (source, each taxonomy's terms,
year) and the meta shown with a result (title, source, date) are given in
an element Pagefind does not index. Measured on 1,000 briefings (bench/search_feeds.py),
Pagefind's time grows with the words it indexes however it is fed; the
pages' markup cost it a fifth more, and a document needs no rendered page.

The index is split into parts, each its own Pagefind bundle under
pagefind/<part>/, which the search page merges (Pagefind's mergeIndex): a
rebuild indexes again only the parts whose briefings changed. A part holds
one language's briefings (Pagefind keeps an index per language, and the
search page asks its own), chosen by a digest of the briefing's address, so
that a briefing stays in its part whatever else is added, and the parts are
alike in size and in their words' statistics (Pagefind ranks within each
part; mergeIndex orders the results of all by score).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from briefgen import languages
from briefgen import urls as paths
from briefgen.digests import digest
from briefgen.model import Body, Briefing, Settings

PART_SIZE = 200
"""Briefings in a part, about: a rebuild indexes one part again for one edited briefing (about 3 s
of Pagefind's CPU for 200, measured under load), and the search page fetches each part's files."""
EXCLUDED = ("sup.citation",)
"""CSS selectors of what Pagefind leaves out of a document: the citations' note numbers in the text."""


@dataclass(frozen=True, slots=True)
class SearchPart:
    """One bundle of the index: some of one language's briefings."""

    name: str
    """Its folder under pagefind/, e.g. 'en-3'."""
    language: str
    briefings: tuple[Briefing, ...]
    """In address order, the order Pagefind is fed them (and so numbers them)."""


def language_of(briefing: Briefing, settings: Settings) -> str:
    """The index a briefing is in: its own language (`language:`, else the site's), lower-cased as Pagefind
    names its indexes from `<html lang>` ('en-GB' -> 'en-gb'), which the search page looks up the same way."""
    return briefing.language_or(settings.language).lower()


def _bucket(briefing: Briefing, count: int) -> int:
    return int.from_bytes(hashlib.sha256(paths.briefing_path(briefing).encode("utf-8")).digest()[:8], "big") % count


def search_parts(
    briefings: Sequence[Briefing], settings: Settings, part_size: int = PART_SIZE
) -> tuple[SearchPart, ...]:
    """The index's parts: each language's briefings in about len/part_size buckets, none empty.

    The same briefings give the same parts. A bucket left empty (a small
    archive, addresses that happen to share one) would be a bundle with no
    index: the count is lowered until every bucket has a briefing."""
    by_language: dict[str, list[Briefing]] = {}
    for briefing in briefings:
        by_language.setdefault(language_of(briefing, settings), []).append(briefing)
    parts: list[SearchPart] = []
    for language, members in sorted(by_language.items()):
        members.sort(key=paths.briefing_path)
        count = max(1, math.ceil(len(members) / part_size))
        while True:
            buckets: list[list[Briefing]] = [[] for _ in range(count)]
            for briefing in members:
                buckets[_bucket(briefing, count)].append(briefing)
            if all(buckets) or count == 1:
                break
            count -= 1
        parts += [SearchPart(f"{language}-{n}", language, tuple(bucket)) for n, bucket in enumerate(buckets)]
    return tuple(parts)


def part_digest(part: SearchPart, tool: str) -> str:
    """What a part's bundle is made from: the tool (Pagefind's version), its language and each briefing.

    A briefing's fingerprint digests its file, the settings, the sources and briefgen's version."""
    return digest(tool, part.name, part.language, *(f"{b.path} {b.fingerprint}" for b in part.briefings))


def search_document(briefing: Briefing, body: Body, settings: Settings) -> str:
    """The HTML Pagefind indexes for a briefing: title, takeaways, text and notes, with filters and meta.

    Its `<html lang>` and `dir` are the briefing's page's; the date shown with a result is written in it."""
    tag = briefing.language_or(settings.language)
    direction = languages.language(tag).direction
    hidden = [
        _tagged("data-pagefind-filter", "source", briefing.source.name),
        _tagged("data-pagefind-meta", "source", briefing.source.name),
        _tagged("data-pagefind-meta", "date", languages.long_date(briefing.date, tag)),
        _tagged("data-pagefind-filter", "year", str(briefing.date.year)),
    ]
    for taxonomy in settings.taxonomies:
        hidden += [_tagged("data-pagefind-filter", taxonomy.search_filter, t.name) for t in briefing.terms_of(taxonomy)]
    takeaways = "".join(f"<li>{html}</li>" for html in briefing.takeaways_html)
    notes = "".join(f"<li>{note.html}</li>" for note in body.footnotes)
    return (
        f'<!doctype html><html lang="{escape(tag)}" dir="{direction}"><head><meta charset="utf-8">'
        f"<title>{escape(briefing.title)}</title></head><body>"
        f'<div data-pagefind-ignore="index">{"".join(hidden)}</div>'
        f"<h1>{escape(briefing.title)}</h1>"
        f"{f'<ul>{takeaways}</ul>' if takeaways else ''}\n{body.html}\n{f'<ol>{notes}</ol>' if notes else ''}"
        "</body></html>"
    )


def _tagged(attribute: str, name: str, value: str) -> str:
    """An element whose text Pagefind takes as the value of the filter or meta `name`."""
    return f'<span {attribute}="{escape(name)}">{escape(value)}</span>'
