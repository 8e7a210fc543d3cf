"""Machine-readable exports: JSON Feed 1.1 for every facet, and JSON indexes of the briefings.

Each file is a PageJob like any page, so the build cache sees everything it
is made from, but it is written by a function here rather than by a template:
JSON must be valid whatever the text holds, and byte-for-byte the same for the
same input (sorted keys, fixed separators, UTF-8 as it is).

    /feed.json, sources/<key>/feed.json, <taxonomy path>/<slug>/feed.json (tags, places, authors...)
        JSON Feed 1.1 (https://jsonfeed.org/version/1.1), the newest `feed_entries`
    /briefings.json
        every briefing's record, without its notes (see README: Machine-readable exports)
    briefings/YYYY/MM/DD/index.json, sources/<key>/index.json, sources/<key>/page/N/index.json
        the records of that page's briefings, notes included
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from briefgen import urls as paths
from briefgen.config import LOCATIONS
from briefgen.contexts import Context
from briefgen.fast import exports as fast_exports
from briefgen.fast import switch as fastpaths
from briefgen.filters import atom_time, entry_id
from briefgen.index import ArchiveIndex, feed_listings, paginate
from briefgen.languages import labels, long_date
from briefgen.model import (
    BYLINE_KEY,
    CATEGORIES_KEY,
    GAZETTEER_KEY,
    Bodies,
    Briefing,
    Settings,
    Source,
    Taxonomy,
    Term,
    json_text,
)
from briefgen.plan import PageJob
from briefgen.render import FeedContent, PythonRenderer, Recent
from briefgen.urls import SiteUrls

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
INDEX_VERSION = "briefgen-index/1"
"""Names the shape of briefings.json and index.json; changes when a field changes meaning."""
JSON_FEED_RENDERER = "briefgen:json-feed"
JSON_INDEX_RENDERER = "briefgen:json-index"


def _as_file(text: str) -> bytes:
    """A JSON document's text as its file holds it: UTF-8, one line and a newline."""
    return text.encode("utf-8") + b"\n"


# ------------------------------------------------------------------- planning


def plan_exports(archive_index: ArchiveIndex, settings: Settings) -> list[PageJob]:
    """Every JSON file of the site, in a stable order."""
    return [*_feeds(archive_index, settings), *_indexes(archive_index, settings)]


def _feeds(archive_index: ArchiveIndex, settings: Settings) -> Iterator[PageJob]:
    for listing in feed_listings(archive_index, settings):
        yield _feed_job(paths.json_feed_path(listing.page_path), listing.page_path, listing.title, listing.entries)


@dataclass(frozen=True, slots=True)
class JsonFeedContext(Context):
    template: ClassVar[str] = JSON_FEED_RENDERER
    feed_path: str
    page_path: str
    """The listing the feed is the feed of."""
    title: str
    items: tuple[Briefing, ...]


def _feed_job(path: str, page: str, title: str, entries: tuple[Briefing, ...]) -> PageJob:
    return PageJob(path, JsonFeedContext(feed_path=path, page_path=page, title=title, items=entries))


JSON_FEED_OWN_KEYS = frozenset({BYLINE_KEY, CATEGORIES_KEY})
"""Taxonomies JSON Feed has an item field for: their terms go there, every other's into `_briefgen`."""
RECORD_NAMES_ONLY = frozenset({"authors"})
"""Record fields of briefgen-index/1 that have always been a list of names: a taxonomy by that key keeps the shape."""


def _indexes(archive_index: ArchiveIndex, settings: Settings) -> Iterator[PageJob]:
    yield _index_job(paths.JSON_INDEX_PATH, paths.HOME_PATH, settings.title, archive_index.newest_first, notes=False)
    site_labels = labels(settings.language, settings.labels)
    for day in archive_index.dates:
        page = paths.date_path(day.date)
        # Titled as the date's page is: in the site's language.
        title = site_labels.plain("Briefings of %(date)s") % {"date": long_date(day.date, settings.language)}
        yield _index_job(paths.page_json_path(page), page, title, day.briefings)
    for source_group in archive_index.sources:
        pages = paginate(
            source_group.briefings, settings.per_page, functools.partial(paths.source_path, source_group.source.key)
        )
        for listing in pages:
            title = source_group.source.name + ("" if listing.number == 1 else f", page {listing.number}")
            yield _index_job(
                paths.page_json_path(listing.path),
                listing.path,
                title,
                listing.items,
                previous=listing.previous_path,
                next_=listing.next_path,
            )


@dataclass(frozen=True, slots=True)
class JsonIndexContext(Context):
    template: ClassVar[str] = JSON_INDEX_RENDERER
    index_path: str
    page_path: str
    """The page whose briefings the index holds."""
    title: str
    briefings: tuple[Briefing, ...]
    notes: bool
    """Whether the records carry their notes (briefings.json does not)."""
    previous_path: str | None
    """The previous page of a paginated listing, or None."""
    next_path: str | None


def _index_job(
    path: str,
    page: str,
    title: str,
    briefings: tuple[Briefing, ...],
    *,
    notes: bool = True,
    previous: str | None = None,
    next_: str | None = None,
) -> PageJob:
    context = JsonIndexContext(
        index_path=path,
        page_path=page,
        title=title,
        briefings=briefings,
        notes=notes,
        previous_path=previous,
        next_path=next_,
    )
    return PageJob(path, context)


# ------------------------------------------------------------------- rendering


def render_json_feed(
    context: JsonFeedContext, urls: SiteUrls, settings: Settings, bodies: Bodies, content: FeedContent
) -> bytes:
    """A JSON Feed 1.1 document: version, title and items (each with an id and content_html)."""
    feed: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": context.title,
        "home_page_url": urls.absolute(context.page_path),
        "feed_url": urls.absolute(context.feed_path),
        "language": settings.language,
    }
    if settings.description:
        feed["description"] = settings.description
    items = ",".join(_item_json(briefing, urls, bodies, content, settings.taxonomies) for briefing in context.items)
    return _as_file(_json_text_with(feed, "items", f"[{items}]"))


# 1,024: a briefing is an item of more feeds than 256 entries hold (its source's, its tags', places' and
# authors'), and remaking an item (its fields, and its content escaped as JSON) is what a miss costs.
# A cold build of 1,000 briefings of bench/corpus.py, medians of 3, side by side with the 256 it had:
# 15.4 s of user CPU time against 17.8 s, peak memory of a process 172 MB against 133 MB; render._CONTENTS at
# 1,024 as well saved no more (15.7 s) and held 35 MB more (206 MB).
_ITEMS = Recent(1024)


def _item_json(
    briefing: Briefing, urls: SiteUrls, bodies: Bodies, content: FeedContent, taxonomies: tuple[Taxonomy, ...]
) -> str:
    """A feed item as JSON, made once while recent: a briefing is in its source's and its terms' feeds."""
    # content.key: the item holds what that environment's template made of the briefing (render.FeedContent).
    key = (briefing.path, briefing.fingerprint, content.key, urls.origin, urls.base_path, taxonomies)
    bodies.shown(briefing)  # its text is shown, even when the item is kept (render.Recent)
    return _ITEMS.get(key, lambda: _item_text(briefing, urls, content, taxonomies))


def _item_text(briefing: Briefing, urls: SiteUrls, content: FeedContent, taxonomies: tuple[Taxonomy, ...]) -> str:
    # Its content is asked for only here: a kept item needs no template rendered for it.
    # The json module's own escaping: in C, faster than the str.replace shortcut this once took (72 against
    # 165 us for an item's 30 KB, the scan for rare control characters costing the most).
    html = json.dumps(content.html(briefing), ensure_ascii=False)
    return _json_text_with(_feed_item(briefing, urls, taxonomies), "content_html", html)


def _feed_item(briefing: Briefing, urls: SiteUrls, taxonomies: tuple[Taxonomy, ...]) -> dict[str, Any]:
    """A feed item's fields but content_html, which _item_json adds."""
    extension: dict[str, Any] = {"date": briefing.date.isoformat(), "source": _source(briefing.source)}
    item: dict[str, Any] = {
        "id": entry_id(briefing),  # the Atom entry's id: it survives a change of base_url
        "url": urls.absolute_briefing(briefing),
        "title": briefing.title,
        "date_published": atom_time(briefing.date),
        "authors": [{"name": briefing.source.name}],
        "_briefgen": extension,
    }
    for taxonomy in taxonomies:
        terms = briefing.terms_of(taxonomy)
        if taxonomy.key == BYLINE_KEY and terms:
            item["authors"] = [{"name": t.name, "url": urls.absolute(paths.term_path(taxonomy.path, t))} for t in terms]
        elif taxonomy.key in JSON_FEED_OWN_KEYS:
            if terms:  # JSON Feed: an item without tags leaves the field out
                item[taxonomy.key] = [term.name for term in terms]
        else:
            extension[taxonomy.key] = [term.name for term in terms]
        if taxonomy.key == GAZETTEER_KEY:  # beside the names, which feed readers already read
            extension[LOCATIONS] = [_location(term) for term in terms]
    if briefing.summary:
        item["summary"] = briefing.summary
    if briefing.url:
        item["external_url"] = briefing.url
    if briefing.language:  # JSON Feed: an item in another language than the feed's says so
        item["language"] = briefing.language
    return item


def _json_text_with(document: Mapping[str, Any], key: str, value_json: str) -> str:
    """What json_text writes for the document with `key` added, given that value's JSON, made apart:
    records, notes and feed items are made once and placed by hand (fast/exports.py)."""
    if not fastpaths.enabled():
        return json_text({**document, key: json.loads(value_json)})
    return fast_exports.json_text_with(document, key, value_json)


_RECORDS = Recent(1024)


def _record_json(briefing: Briefing, urls: SiteUrls, bodies: Bodies, settings: Settings, *, notes: bool) -> str:
    """briefing_record as JSON (json_text), with its notes if `notes`."""
    taxonomies, language = settings.taxonomies, settings.language
    key = (briefing.path, briefing.fingerprint, notes, urls.origin, urls.base_path, taxonomies, language)
    # The notes are the briefing's text: read even when the record is kept (render.Recent).
    notes_json = bodies.notes_json(briefing) if notes else None
    return _RECORDS.get(key, lambda: _record_text(briefing, urls, taxonomies, language, notes_json))


def _record_text(
    briefing: Briefing, urls: SiteUrls, taxonomies: tuple[Taxonomy, ...], site_language: str, notes_json: str | None
) -> str:
    record = briefing_record(briefing, urls, taxonomies, site_language)
    # The notes' JSON was made once by the loader (Body.notes_json).
    return _json_text_with(record, "notes", notes_json) if notes_json is not None else json_text(record)


def render_json_index(
    context: JsonIndexContext, urls: SiteUrls, settings: Settings, bodies: Bodies, content: FeedContent
) -> bytes:
    """briefings.json or a page's index.json: the page's briefings as records (schema in the README)."""
    document: dict[str, Any] = {
        "version": INDEX_VERSION,
        "title": context.title,
        "site": settings.title,
        "home_page_url": urls.absolute(context.page_path),
        "index_url": urls.absolute(context.index_path),
    }
    for key, path in (("previous", context.previous_path), ("next", context.next_path)):
        if path is not None:
            document[f"{key}_url"] = urls.absolute(paths.page_json_path(path))
    notes = context.notes
    records = ",".join(_record_json(b, urls, bodies, settings, notes=notes) for b in context.briefings)
    return _as_file(_json_text_with(document, "briefings", f"[{records}]"))


def briefing_record(
    briefing: Briefing, urls: SiteUrls, taxonomies: tuple[Taxonomy, ...], site_language: str
) -> dict[str, Any]:
    """One briefing's metadata, takeaways, terms and address; an index with notes adds them (_record_text)."""
    page = paths.briefing_path(briefing)
    record: dict[str, Any] = {
        "id": entry_id(briefing),
        "title": briefing.title,
        "date": briefing.date.isoformat(),
        "source": _source(briefing.source),
        "url": urls.absolute(page),
        "path": page,
        "external_url": briefing.url,
        "authors": [],
        "summary": briefing.summary,
        "takeaways_html": list(briefing.takeaways_html),
        "date_index_url": urls.absolute(paths.page_json_path(paths.date_path(briefing.date))),
        "language": briefing.language_or(site_language),
    }
    for taxonomy in taxonomies:
        terms = briefing.terms_of(taxonomy)
        record[taxonomy.key] = [t.name for t in terms] if taxonomy.key in RECORD_NAMES_ONLY else _terms(terms)
    return record


def _source(source: Source) -> dict[str, Any]:
    return {"key": source.key, "name": source.name, "url": source.url}


def _terms(terms: Sequence[Term]) -> list[dict[str, Any]]:
    """Each term's name and slug, and, for a place the gazetteer locates, its coordinates."""
    return [{"name": term.name, "slug": term.slug, **_coordinates(term)} for term in terms]


def _location(term: Term) -> dict[str, Any]:
    return {"key": term.slug, "name": term.name, **_coordinates(term)}


def _coordinates(term: Term) -> dict[str, float]:
    where = term.coordinates
    return {"latitude": where[0], "longitude": where[1]} if where is not None else {}


RENDERERS: Mapping[str, PythonRenderer] = {
    JSON_FEED_RENDERER: render_json_feed,
    JSON_INDEX_RENDERER: render_json_index,
}
