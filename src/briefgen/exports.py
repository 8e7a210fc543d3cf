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
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from briefgen import fastpaths
from briefgen import index as paths
from briefgen.index import ArchiveIndex
from briefgen.model import BYLINE_KEY, CATEGORIES_KEY, Briefing, Settings, Source, Taxonomy, Term, json_text
from briefgen.render import PageJob, PythonRenderer, Recent, SiteUrls, atom_time, content_html, entry_id, long_date

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
    limit = settings.feed_entries
    yield _feed_job(paths.JSON_FEED_PATH, "", settings.title, archive_index.newest_first[:limit])
    for source_group in archive_index.sources:
        page = paths.source_path(source_group.source.key)
        title = f"{source_group.source.name}: {settings.title}"
        yield _feed_job(paths.feed_paths(page)[1], page, title, source_group.briefings[:limit])
    for listing in archive_index.taxonomies:
        if not listing.taxonomy.feeds:
            continue
        for group in listing.groups:
            page = paths.term_path(listing.taxonomy, group.term)
            title = f"{listing.taxonomy.label}: {group.term.name}: {settings.title}"
            yield _feed_job(paths.feed_paths(page)[1], page, title, group.briefings[:limit])


def _feed_job(path: str, page: str, title: str, entries: tuple[Briefing, ...]) -> PageJob:
    return PageJob(path, JSON_FEED_RENDERER, {"feed_path": path, "page_path": page, "title": title, "items": entries})


JSON_FEED_OWN_KEYS = frozenset({BYLINE_KEY, CATEGORIES_KEY})
"""Taxonomies JSON Feed has an item field for: their terms go there, every other's into `_briefgen`."""
RECORD_NAMES_ONLY = frozenset({"authors"})
"""Record fields of briefgen-index/1 that have always been a list of names: a taxonomy by that key keeps the shape."""


def _indexes(archive_index: ArchiveIndex, settings: Settings) -> Iterator[PageJob]:
    yield _index_job(paths.JSON_INDEX_PATH, "", settings.title, archive_index.newest_first, notes=False)
    for day in archive_index.dates:
        page = paths.date_path(day.date)
        yield _index_job(page + paths.PAGE_JSON, page, f"Briefings of {long_date(day.date)}", day.briefings)
    for source_group in archive_index.sources:
        pages = paths.paginate(
            source_group.briefings, settings.per_page, functools.partial(paths.source_path, source_group.source.key)
        )
        for listing in pages:
            title = source_group.source.name + ("" if listing.number == 1 else f", page {listing.number}")
            yield _index_job(
                listing.path + paths.PAGE_JSON,
                listing.path,
                title,
                listing.items,
                previous=listing.previous_path,
                next_=listing.next_path,
            )


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
    context = {
        "index_path": path,
        "page_path": page,
        "title": title,
        "briefings": briefings,
        "notes": notes,
        "previous_path": previous,
        "next_path": next_,
    }
    return PageJob(path, JSON_INDEX_RENDERER, context)


# ------------------------------------------------------------------- rendering


def render_json_feed(context: Mapping[str, Any], urls: SiteUrls, settings: Settings) -> bytes:
    """A JSON Feed 1.1 document: version, title and items (each with an id and content_html)."""
    feed: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": context["title"],
        "home_page_url": urls.absolute(context["page_path"]),
        "feed_url": urls.absolute(context["feed_path"]),
        "language": settings.language,
    }
    if settings.description:
        feed["description"] = settings.description
    items = ",".join(_item_json(briefing, urls, settings.taxonomies) for briefing in context["items"])
    return _as_file(_json_text_with(feed, "items", f"[{items}]"))


_ITEMS = Recent(256)


def _item_json(briefing: Briefing, urls: SiteUrls, taxonomies: tuple[Taxonomy, ...]) -> str:
    """A feed item as JSON, made once while recent: a briefing is in its source's and its terms' feeds."""
    key = (briefing.path, briefing.fingerprint, urls.origin, urls.base_path, taxonomies)
    return _ITEMS.get(
        key,
        lambda: _json_text_with(
            _feed_item(briefing, urls, taxonomies), "content_html", json_string(content_html(briefing))
        ),
        text_of=briefing,
    )


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
            item["authors"] = [{"name": t.name, "url": urls.absolute(paths.term_path(taxonomy, t))} for t in terms]
        elif taxonomy.key in JSON_FEED_OWN_KEYS:
            if terms:  # JSON Feed: an item without tags leaves the field out
                item[taxonomy.key] = [term.name for term in terms]
        else:
            extension[taxonomy.key] = [term.name for term in terms]
    if briefing.summary:
        item["summary"] = briefing.summary
    if briefing.url:
        item["external_url"] = briefing.url
    return item


def _json_text_with(document: Mapping[str, Any], key: str, value_json: str) -> str:
    """What json_text writes for the document with `key` added, given that value's JSON, made apart.

    Records, notes and feed items are made once and placed by hand: with keys
    sorted, `key` goes between the keys before it and those after."""
    if not fastpaths.enabled():
        return json_text({**document, key: json.loads(value_json)})
    before = json_text({k: v for k, v in document.items() if k < key})[1:-1]
    after = json_text({k: v for k, v in document.items() if k > key})[1:-1]
    return "{" + ",".join(part for part in (before, f'"{key}":{value_json}', after) if part) + "}"


# Characters json.dumps writes as an escape other than the four json_string does itself.
_RARE_IN_JSON = re.compile(r"[\x00-\x08\x0b-\x1f]")


def json_string(text: str) -> str:
    """json.dumps(text, ensure_ascii=False), made with str.replace for a long text.

    The json module escapes non-ASCII text a character at a time: the 2,000 entries
    of a 5,000-briefing site's JSON feeds, 30 KB each, took a third of a second.
    replace() runs at memory speed. A text with a rarer control character is
    left to the json module."""
    text = str(text)  # not Markup, whose replace() would escape what it puts in
    if not fastpaths.enabled() or _RARE_IN_JSON.search(text) is not None:
        return json.dumps(text, ensure_ascii=False)
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


_RECORDS = Recent(1024)


def _record_json(briefing: Briefing, urls: SiteUrls, taxonomies: tuple[Taxonomy, ...], *, notes: bool) -> str:
    """briefing_record as JSON (json_text), with its notes if `notes`."""
    key = (briefing.path, briefing.fingerprint, notes, urls.origin, urls.base_path, taxonomies)
    return _RECORDS.get(
        key,
        lambda: _record_text(briefing, urls, taxonomies, notes=notes),
        text_of=briefing if notes else None,  # the notes are the briefing's text
    )


def _record_text(briefing: Briefing, urls: SiteUrls, taxonomies: tuple[Taxonomy, ...], *, notes: bool) -> str:
    record = briefing_record(briefing, urls, taxonomies)
    # The notes' JSON was made once by the loader (Briefing.notes_json).
    return _json_text_with(record, "notes", briefing.notes_json()) if notes else json_text(record)


def render_json_index(context: Mapping[str, Any], urls: SiteUrls, settings: Settings) -> bytes:
    """briefings.json or a page's index.json: the page's briefings as records (schema in the README)."""
    document: dict[str, Any] = {
        "version": INDEX_VERSION,
        "title": context["title"],
        "site": settings.title,
        "home_page_url": urls.absolute(context["page_path"]),
        "index_url": urls.absolute(context["index_path"]),
    }
    for key in ("previous", "next"):
        path = context[f"{key}_path"]
        if path is not None:
            document[f"{key}_url"] = urls.absolute(path + paths.PAGE_JSON)
    notes, taxonomies = context["notes"], settings.taxonomies
    records = ",".join(_record_json(b, urls, taxonomies, notes=notes) for b in context["briefings"])
    return _as_file(_json_text_with(document, "briefings", f"[{records}]"))


def briefing_record(briefing: Briefing, urls: SiteUrls, taxonomies: tuple[Taxonomy, ...]) -> dict[str, Any]:
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
        "date_index_url": urls.absolute(paths.date_path(briefing.date) + paths.PAGE_JSON),
    }
    for taxonomy in taxonomies:
        terms = briefing.terms_of(taxonomy)
        record[taxonomy.key] = [t.name for t in terms] if taxonomy.key in RECORD_NAMES_ONLY else _terms(terms)
    return record


def _source(source: Source) -> dict[str, Any]:
    return {"key": source.key, "name": source.name, "url": source.url}


def _terms(terms: Sequence[Term]) -> list[dict[str, str]]:
    return [{"name": term.name, "slug": term.slug} for term in terms]


RENDERERS: Mapping[str, PythonRenderer] = {
    JSON_FEED_RENDERER: render_json_feed,
    JSON_INDEX_RENDERER: render_json_index,
}
