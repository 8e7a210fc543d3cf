"""A page's search entry (pagefindformat.PageEntry) as bytes: plain tuples, marshalled.

The build cache keeps each entry so (compressed: incremental/searchentries.py),
and the forked workers that index batches of documents hand their entries back
to the build so (searchrun.py): marshal reads plain tuples several times faster
than pickle reads the named tuples an entry is made of. The bytes are not
canonical (marshal marks an object met twice by reference, which depends on how
the objects were shared when written); the entry read back is.
"""

from __future__ import annotations

import marshal
from typing import Any

from briefgen.pagefindformat import Locations, PageEntry, PageWord

ENTRY_FORMAT = 1
"""Written in each marshalled entry: an entry of any other format is not read (made again by Pagefind)."""


def entry_marshalled(entry: PageEntry) -> bytes:
    """An entry as plain tuples, marshalled: how the build cache keeps it (compressed) and a build's worker
    hands it back (marshal reads it faster than pickle reads the named tuples)."""
    words = tuple(
        (
            word.word,
            tuple(word.normal) if word.normal is not None else None,
            tuple((form, tuple(locations)) for form, locations in word.variants),
        )
        for word in entry.words
    )
    plain: Any = (
        ENTRY_FORMAT,
        entry.url,
        entry.language,
        entry.wasm,
        entry.fragment,
        entry.word_count,
        entry.meta_fields,
        entry.filters,
        words,
        entry.digest,
    )
    return marshal.dumps(plain)


def entry_unmarshalled(data: bytes) -> PageEntry:
    """The entry entry_marshalled wrote; raises ValueError, TypeError or EOFError for anything else."""
    plain = marshal.loads(data)  # noqa: S302 - the cache's sealed bytes, or a worker's own
    version, url, language, wasm, fragment, word_count, meta_fields, filters, words, entry_digest = plain
    if version != ENTRY_FORMAT:
        raise ValueError(f"an entry of format {version}")
    return PageEntry(
        url=url,
        language=language,
        wasm=wasm,
        fragment=fragment,
        word_count=word_count,
        meta_fields=meta_fields,
        filters=filters,
        words=tuple(
            PageWord(
                word,
                Locations(*normal) if normal is not None else None,
                tuple((form, Locations(*locations)) for form, locations in variants),
            )
            for word, normal, variants in words
        ),
        digest=entry_digest,
    )
