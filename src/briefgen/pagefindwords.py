"""A word's pages in a Pagefind index, encoded as Pagefind encodes them, again only where they changed.

In a chunk of the index (pagefindformat.py) a word is [word, pages, forms]:
each page [page delta, positions, meta positions], the delta from the page
before it. A common word is on most pages, so a page edited would mean
encoding thousands of pages again for each of its words; here each page's
bytes are kept, and a page put in or taken out makes stale only its own
bytes and the next page's (whose delta changed).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from briefgen.pagefindformat import Locations, encode_cbor


def cbor_head(major: int, length: int) -> bytes:
    """A CBOR head, as minicbor writes it: the shortest that holds the length."""
    if length < 24:
        return bytes((major << 5 | length,))
    if length < 1 << 8:
        return bytes((major << 5 | 24, length))
    if length < 1 << 16:
        return bytes((major << 5 | 25,)) + length.to_bytes(2, "big")
    if length < 1 << 32:
        return bytes((major << 5 | 26,)) + length.to_bytes(4, "big")
    return bytes((major << 5 | 27,)) + length.to_bytes(8, "big")


_SMALL_UINT = [bytes((number,)) for number in range(24)]


def _item(delta: int, locations: Locations, renumber: Sequence[int] | None) -> bytes:
    """One page of a word, [page delta, positions, meta positions]; `renumber` numbers the page's meta
    fields among all pages' fields (None where they are the same)."""
    head = _SMALL_UINT[delta] if delta < 24 else cbor_head(0, delta)
    meta = locations.meta_locs
    if renumber is None or not meta:
        return b"\x83" + head + locations.packed
    own = len(encode_cbor(list(meta)))
    renumbered = [-(renumber[-n - 1] + 1) if n < 0 else n for n in meta]
    return b"\x83" + head + locations.packed[:-own] + encode_cbor(renumbered)


def _items(pages: Sequence[int], locations: Sequence[Locations], remap: Remap) -> list[bytes]:
    items = []
    last = 0
    for page, where in zip(pages, locations, strict=True):
        items.append(_item(page - last, where, remap[page]))
        last = page
    return items


def _text(value: str) -> bytes:
    raw = value.encode("utf-8")
    return cbor_head(3, len(raw)) + raw


Remap = Sequence[Sequence[int] | None]
"""For each page, its meta fields' numbers among all pages' fields (None where they are the same)."""


class WordPages:
    """A word across the pages of a language: its pages in order, each page's bytes, its forms.

    A page's bytes hold the delta from the page before it, so a page put in or
    taken out makes its own bytes and the next page's stale, and no others."""

    __slots__ = ("encoded", "forms", "items", "locations", "pages", "size", "stale")

    def __init__(self) -> None:
        self.pages: list[int] = []
        self.locations: list[Locations] = []
        self.items: list[bytes] | None = None
        """Each page's bytes, once encoded; None until then (or after the meta fields were numbered anew)."""
        self.stale: set[int] = set()
        """Pages put in or taken out since the last encoding."""
        self.forms: dict[str, list[tuple[int, int, Locations]]] = {}
        """Form -> [(page, the form's place in that page's own order, locations)], by page."""
        self.encoded: bytes | None = None
        self.size = 0
        """What the chunking counts: the normal form's pages only, as Pagefind counts (mod.rs, chunk_index)."""

    def add(self, page: int, locations: Locations) -> None:
        pages = self.pages
        at = len(pages) if not pages or pages[-1] < page else bisect.bisect_left(pages, page)
        pages.insert(at, page)
        self.locations.insert(at, locations)
        if self.items is not None:
            self.items.insert(at, b"")
            self.stale.add(page)
        self.size += locations.size
        self.encoded = None

    def remove(self, page: int) -> None:
        at = bisect.bisect_left(self.pages, page)
        del self.pages[at]
        self.size -= self.locations.pop(at).size
        if self.items is not None:
            del self.items[at]
            self.stale.add(page)
        self.encoded = None

    def add_form(self, form: str, page: int, order: int, locations: Locations) -> None:
        bisect.insort(self.forms.setdefault(form, []), (page, order, locations), key=_page_of)
        self.encoded = None

    def remove_form(self, form: str, page: int) -> None:
        pages = self.forms[form]
        del pages[bisect.bisect_left(pages, page, key=_page_of)]
        if not pages:
            del self.forms[form]
        self.encoded = None

    def forget(self) -> None:
        """Every page's bytes are stale: the meta fields were numbered anew."""
        self.items = None
        self.encoded = None

    def encode(self, word: str, remap: Remap) -> bytes:
        if self.encoded is None:
            self.encoded = _ARRAY3 + _text(word) + self._pages(remap) + self._forms(remap)
        return self.encoded

    def _pages(self, remap: Remap) -> bytes:
        pages, locations = self.pages, self.locations
        if self.items is None:
            self.items = _items(pages, locations, remap)
        else:
            for page in self.stale:
                at = bisect.bisect_left(pages, page)
                for number in range(at, min(at + 2, len(pages))):
                    delta = pages[number] - (pages[number - 1] if number else 0)
                    self.items[number] = _item(delta, locations[number], remap[pages[number]])
        self.stale.clear()
        return cbor_head(4, len(pages)) + b"".join(self.items)

    def _forms(self, remap: Remap) -> bytes:
        # Forms in the order the pages meet them: by first page, then by the order within it.
        forms = sorted(self.forms.items(), key=lambda item: (item[1][0][0], item[1][0][1]))
        parts = [cbor_head(4, len(forms))]
        for form, found in forms:
            pages = [page for page, _order, _where in found]
            items = _items(pages, [where for _page, _order, where in found], remap)
            parts += [b"\x82", _text(form), cbor_head(4, len(items)), *items]
        return b"".join(parts)


_ARRAY3 = b"\x83"


def _page_of(item: tuple[int, object] | tuple[int, int, object]) -> int:
    return item[0]
