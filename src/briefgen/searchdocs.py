"""What search indexes: each briefing as a small document for Pagefind, in the index's order.

Pagefind is fed from the model, not from the written pages: a briefing's
document holds its title (the only <h1>, which Pagefind weighs most), its
takeaways, its text and its notes, in that order, and nothing of the theme
(no byline, no "Key takeaways" or "Notes" label, no navigation), so that an
excerpt is the matching sentence. The filters (source, each taxonomy's terms,
year) and the meta shown with a result (title, source, date) are given in
an element Pagefind does not index. Measured on 1,000 briefings (bench/search_feeds.py),
Pagefind's time grows with the words it indexes however it is fed; the
pages' markup cost it a fifth more, and a document needs no rendered page.

The site's index is one Pagefind index per language, assembled from each
briefing's entry (search.py): its pages are numbered in `index_order`, by
date then address, so that a new day's briefing comes last and every other
page keeps its number.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from briefgen import languages
from briefgen import urls as paths
from briefgen.digests import digest
from briefgen.model import Body, Briefing, Settings

EXCLUDED = ("sup.citation",)
"""CSS selectors of what Pagefind leaves out of a document: the citations' note numbers in the text."""


def language_of(briefing: Briefing, settings: Settings) -> str:
    """The index a briefing is in: its own language (`language:`, else the site's), lower-cased as Pagefind
    names its indexes from `<html lang>` ('en-GB' -> 'en-gb'), which the search page looks up the same way."""
    return briefing.language_or(settings.language).lower()


def document_url(briefing: Briefing) -> str:
    """The address a briefing's document is indexed under: its page's, from the site's root."""
    return "/" + paths.briefing_path(briefing)


def index_order(briefings: Sequence[Briefing]) -> list[Briefing]:
    """The briefings in the order the index numbers its pages: by date, then address."""
    return sorted(briefings, key=lambda briefing: (briefing.date, paths.briefing_path(briefing)))


def document_key(url: str, document: str, tool: str) -> str:
    """What a briefing's entry in the index is made from, in one digest: its address, its document
    and `tool` (Pagefind's version and the documents' format: search.py)."""
    return digest(tool, url, document)


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
