"""A page's search entry (pagefindformat.PageEntry) as bytes: its fragment, then plain tuples, marshalled.

The build cache keeps each entry so (compressed: incremental/searchentries.py),
and the forked workers that index batches of documents hand their entries back
to the build so (searchrun.py): marshal reads plain tuples several times faster
than pickle reads the named tuples an entry is made of. The bytes are not
canonical (marshal marks an object met twice by reference, which depends on how
the objects were shared when written); the entry read back is.

The fragment (the page's JSON a result shows) comes first, after its length,
so that it is read without the rest (searchentries.fragment_from_bytes): a
build whose output lost the index's files makes them again from the kept index
and the fragments alone (search.py), without reading back every entry's words.

    ENTRY_MAGIC, fragment length (4 bytes, big-endian), fragment, marshal of the rest
"""

from __future__ import annotations

import marshal
import struct
from typing import Any

from briefgen.pagefindformat import Locations, PageEntry, PageWord

ENTRY_FORMAT = 2
"""Written in each marshalled entry: an entry of any other format is not read (made again by Pagefind). Part of
the entries' keys (search.py), so that a briefgen that writes another format never looks for them."""
ENTRY_MAGIC = b"bgE" + bytes((ENTRY_FORMAT,))
_HEAD = struct.Struct(">4sI")
FRAGMENT_START = _HEAD.size
"""Where an entry's fragment starts in its bytes: what must be read to know its length."""


def entry_marshalled(entry: PageEntry) -> bytes:
    """An entry as its fragment and plain tuples, marshalled: how the build cache keeps it (compressed) and a
    build's worker hands it back (marshal reads it faster than pickle reads the named tuples)."""
    words = tuple(
        (
            word.word,
            tuple(word.normal) if word.normal is not None else None,
            tuple((form, tuple(locations)) for form, locations in word.variants),
        )
        for word in entry.words
    )
    plain: Any = (
        entry.url,
        entry.language,
        entry.wasm,
        entry.word_count,
        entry.meta_fields,
        entry.filters,
        words,
        entry.digest,
    )
    return _HEAD.pack(ENTRY_MAGIC, len(entry.fragment)) + entry.fragment + marshal.dumps(plain)


def fragment_length(head: bytes) -> int:
    """The length of the fragment of the entry whose first FRAGMENT_START bytes are `head`; raises ValueError
    for bytes no entry_marshalled of this format wrote."""
    if len(head) < FRAGMENT_START:
        raise ValueError("an entry shorter than its head")
    magic, length = _HEAD.unpack_from(head)
    if magic != ENTRY_MAGIC:
        raise ValueError(f"an entry of another format ({magic!r})")
    return int(length)


def entry_unmarshalled(data: bytes | memoryview) -> PageEntry:
    """The entry entry_marshalled wrote; raises ValueError, TypeError or EOFError for anything else."""
    end = FRAGMENT_START + fragment_length(bytes(data[:FRAGMENT_START]))
    fragment = bytes(data[FRAGMENT_START:end])
    if len(fragment) != end - FRAGMENT_START:
        raise ValueError("an entry shorter than its fragment")
    plain = marshal.loads(data[end:])  # noqa: S302 - the cache's sealed bytes, or a worker's own
    url, language, wasm, word_count, meta_fields, filters, words, entry_digest = plain
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
