"""A word's pages in a Pagefind index, encoded as Pagefind encodes them, again only where they changed.

In a chunk of the index (pagefindformat.py) a word is [word, pages, forms]:
each page [page delta, positions, meta positions], the delta from the page
before it. A common word is on most pages, so a page edited would mean
encoding thousands of pages again for each of its words; here each page's
bytes are kept, and a page put in or taken out makes stale only its own
bytes and the next page's (whose delta changed).
"""

from __future__ import annotations

import array
import bisect
import itertools
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

from briefgen.pagefindformat import Locations, PageWord, encode_cbor


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


def page_item(delta: int, locations: Locations, renumber: Sequence[int] | None) -> bytes:
    """One page of a word, [page delta, positions, meta positions]; `renumber` numbers the page's meta
    fields among all pages' fields (None where they are the same)."""
    head = _SMALL_UINT[delta] if delta < 24 else cbor_head(0, delta)
    meta = locations.meta_locs
    if renumber is None or not meta:
        return b"\x83" + head + locations.packed
    own = len(encode_cbor(list(meta)))
    renumbered = [-(renumber[-n - 1] + 1) if n < 0 else n for n in meta]
    return b"\x83" + head + locations.packed[:-own] + encode_cbor(renumbered)


def page_items(pages: Sequence[int], locations: Sequence[Locations], remap: Remap) -> list[bytes]:
    items = []
    last = 0
    for page, where in zip(pages, locations, strict=True):
        items.append(page_item(page - last, where, remap[page]))
        last = page
    return items


def cbor_text(value: str) -> bytes:
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
        bisect.insort(self.forms.setdefault(form, []), (page, order, locations), key=page_of)
        self.encoded = None

    def remove_form(self, form: str, page: int) -> None:
        pages = self.forms[form]
        del pages[bisect.bisect_left(pages, page, key=page_of)]
        if not pages:
            del self.forms[form]
        self.encoded = None

    def forget(self) -> None:
        """Every page's bytes are stale: the meta fields were numbered anew."""
        self.items = None
        self.encoded = None

    def encode(self, word: str, remap: Remap) -> bytes:
        if self.encoded is None:
            self.encoded = _ARRAY3 + cbor_text(word) + self._pages(remap) + self._forms(remap)
        return self.encoded

    def _pages(self, remap: Remap) -> bytes:
        pages, locations = self.pages, self.locations
        if self.items is None:
            self.items = page_items(pages, locations, remap)
        else:
            for page in self.stale:
                at = bisect.bisect_left(pages, page)
                for number in range(at, min(at + 2, len(pages))):
                    delta = pages[number] - (pages[number - 1] if number else 0)
                    self.items[number] = page_item(delta, locations[number], remap[pages[number]])
        self.stale.clear()
        return cbor_head(4, len(pages)) + b"".join(self.items)

    def _forms(self, remap: Remap) -> bytes:
        return forms_bytes(self.forms, remap)


def forms_bytes(forms: dict[str, list[tuple[int, int, Locations]]], remap: Remap) -> bytes:
    """A word's forms with diacritics, [[form, pages]...], from form -> [(page, order in the page, locations)]."""
    # Forms in the order the pages meet them: by first page, then by the order within it.
    ordered = sorted(forms.items(), key=lambda item: (item[1][0][0], item[1][0][1]))
    parts = [cbor_head(4, len(ordered))]
    for form, found in ordered:
        pages = [page for page, _order, _where in found]
        items = page_items(pages, [where for _page, _order, where in found], remap)
        parts += [b"\x82", cbor_text(form), cbor_head(4, len(items)), *items]
    return b"".join(parts)


_ARRAY3 = b"\x83"


def page_of(item: tuple[int, object] | tuple[int, int, object]) -> int:
    return item[0]


KeptWord = tuple[bytes, int, int, bytes, bytes, int, tuple[Any, ...]]
"""A word as kept: its bytes in the index, where its pages' bytes start and end in them, its pages and
the length of each page's bytes (arrays 'I' as bytes), its size for the chunking, its forms with diacritics
((form, ((page, order in the page, packed, meta positions, size), ...)), ...))."""


_NO_WORD: KeptWord = (b"", 0, 0, b"", b"", 0, ())


class OpenWord:
    """A kept word (KeptWord) read apart to be changed: its pages, the bytes of the pages put in or changed,
    its forms.

    Unlike WordPages it holds no page's positions: a page put in brings its own, and the page after
    it keeps its bytes but for the delta in their head (a page of the index: [delta, positions, meta]).
    The other pages' bytes stay where they are in the kept bytes: an edit changes a few pages of a word
    on thousands, and the word is written again as runs of the old bytes between the new (`kept`)."""

    def __init__(self, word: str, kept: KeptWord | None) -> None:
        self.word = word
        self.new: dict[int, bytes] = {}
        """Page -> its bytes, for the pages put in or whose bytes changed."""
        encoded, start, _end, pages, lengths, self.size, forms = kept if kept is not None else _NO_WORD
        self._encoded, self._start = encoded, start
        self._old_pages = array.array("I", pages)
        self._old_lengths = array.array("I", lengths)
        self._old_bounds: array.array[int] | None = None
        self.pages = array.array("I", self._old_pages)
        self.forms: dict[str, list[tuple[int, int, Locations]]] = {
            form: [(p, o, Locations(k, tuple(m), s)) for p, o, k, m, s in found] for form, found in forms
        }

    def remove(self, page: int, locations: Locations) -> None:
        del self.pages[bisect.bisect_left(self.pages, page)]
        self.new.pop(page, None)
        self.size -= locations.size

    def add(self, page: int, locations: Locations) -> None:
        self.pages.insert(bisect.bisect_left(self.pages, page), page)
        self.new[page] = b""  # made by renew
        self.size += locations.size

    def renew(self, touched: set[int], put: Mapping[int, Locations], remap: Remap) -> None:
        """The bytes of each page put in (`put`: its locations), and of the page after each page taken
        out or put in (`touched`), whose delta changed."""
        pages = self.pages
        for page in touched:
            at = bisect.bisect_left(pages, page)
            if at < len(pages) and pages[at] == page:
                self.new[page] = page_item(page - (pages[at - 1] if at else 0), put[page], remap[page])
                at += 1
            if at < len(pages) and pages[at] not in touched:
                after = pages[at]
                self.new[after] = _with_delta(self._bytes_of(after), after - (pages[at - 1] if at else 0))

    def _bytes_of(self, page: int) -> bytes:
        found = self.new.get(page)
        if found is not None:
            return found
        first, end = self._old_run(page, 1)
        return self._encoded[first:end]

    def _old_run(self, page: int, count: int) -> tuple[int, int]:
        """Where the old bytes of `count` pages from `page` on start and end in the kept bytes."""
        if self._old_bounds is None:
            self._old_bounds = array.array("Q", itertools.accumulate(self._old_lengths, initial=self._start))
        at = bisect.bisect_left(self._old_pages, page)
        if at + count > len(self._old_pages) or self._old_pages[at] != page:
            raise ValueError(f"page {page} of {self.word!r} is not among the pages it was kept with")
        return self._old_bounds[at], self._old_bounds[at + count]

    def kept(self, remap: Remap) -> KeptWord:
        """The word as kept now: runs of pages whose bytes did not change copied from the old bytes (a page
        after one taken out or put in changed: its delta), the others' bytes put between them."""
        pages, lengths = self.pages, array.array("I")
        pieces: list[bytes] = []
        done = 0
        for page in sorted(self.new):
            at = bisect.bisect_left(pages, page, lo=done)
            if at > done:
                self._copy_old(done, at, pieces, lengths)
            pieces.append(self.new[page])
            lengths.append(len(self.new[page]))
            done = at + 1
        if done < len(pages):
            self._copy_old(done, len(pages), pieces, lengths)
        return kept_bytes(self.word, pages, pieces, lengths, self.size, self.forms, remap)

    def _copy_old(self, first: int, end: int, pieces: list[bytes], lengths: array.array[int]) -> None:
        """Pages first..end-1 of the word now: pages that kept their bytes, one after the other in the old."""
        start, stop = self._old_run(self.pages[first], end - first)
        at = bisect.bisect_left(self._old_pages, self.pages[first])
        if self._old_pages[at + end - first - 1] != self.pages[end - 1]:
            raise ValueError(f"the pages of {self.word!r} that kept their bytes are not one run of the old")
        pieces.append(self._encoded[start:stop])
        lengths.extend(self._old_lengths[at : at + end - first])


def kept_bytes(
    word: str,
    pages: Sequence[int],
    pieces: Sequence[bytes],
    lengths: array.array[int],
    size: int,
    forms: dict[str, list[tuple[int, int, Locations]]],
    remap: Remap,
) -> KeptWord:
    """A KeptWord from its pages, their bytes (`pieces`, joined: a run may hold several pages) and the
    length of each page's bytes."""
    head = b"\x83" + cbor_text(word) + cbor_head(4, len(pages))
    body = b"".join(pieces)
    encoded = head + body + forms_bytes(forms, remap)
    kept_forms = tuple(
        (form, tuple((p, o, loc.packed, loc.meta_locs, loc.size) for p, o, loc in found))
        for form, found in forms.items()
    )
    page_bytes = pages.tobytes() if isinstance(pages, array.array) else array.array("I", pages).tobytes()
    return encoded, len(head), len(head) + len(body), page_bytes, lengths.tobytes(), size, kept_forms


def _with_delta(item: bytes, delta: int) -> bytes:
    """A page's bytes [delta, positions, meta positions] with another delta: its head written anew."""
    info = item[1] & 31
    head = 1 if info < 24 else 1 + (1 << (info - 24))
    return b"\x83" + cbor_head(0, delta) + item[1 + head :]


def kept_word(word: str, pages: WordPages, remap: Remap) -> KeptWord:
    """A word of an assembly as the kept index holds it (pagefindkept.py), its bytes those the assembly wrote."""
    encoded = pages.encode(word, remap)
    items = pages.items if pages.items is not None else []
    lengths = array.array("I", map(len, items))
    kept = kept_bytes(word, pages.pages, items, lengths, pages.size, pages.forms, remap)
    if kept[0] != encoded:
        raise ValueError(f"the word {word!r} was kept otherwise than the assembly encoded it")
    return kept


class OpenWords:
    """The kept words of a language (word -> KeptWord, and the words sorted) an update reads apart,
    and the locations of what it put in."""

    def __init__(self, kept: MutableMapping[str, KeptWord], sorted_words: list[str]) -> None:
        self.kept = kept
        self.sorted_words = sorted_words
        self.words: dict[str, OpenWord] = {}
        self.put: dict[str, dict[int, Locations]] = {}

    def word(self, name: str) -> OpenWord:
        found = self.words.get(name)
        if found is None:
            found = self.words[name] = OpenWord(name, self.kept.get(name))
        return found

    def take_out(self, number: int, page_word: PageWord) -> None:
        word = self.word(page_word.word)
        if page_word.normal is not None:
            word.remove(number, page_word.normal)
        for form, _locations in page_word.variants:
            found = word.forms[form]
            del found[bisect.bisect_left(found, number, key=page_of)]
            if not found:
                del word.forms[form]

    def put_in(self, number: int, page_word: PageWord) -> None:
        word = self.word(page_word.word)
        if page_word.normal is not None:
            word.add(number, page_word.normal)
            self.put.setdefault(page_word.word, {})[number] = page_word.normal
        for order, (form, locations) in enumerate(page_word.variants):
            bisect.insort(word.forms.setdefault(form, []), (number, order, locations), key=page_of)

    def close(self, touched: set[int], remap: Remap) -> set[str]:
        """Each word encoded again and kept; a word no page has any more taken out. Returns the words changed.
        `touched`: the pages taken out or put in."""
        kept, sorted_words = self.kept, self.sorted_words
        for name, word in self.words.items():
            word.renew(touched, self.put.get(name, {}), remap)
            if word.pages or word.forms:
                if name not in kept:
                    bisect.insort(sorted_words, name)
                kept[name] = word.kept(remap)
            elif name in kept:
                del kept[name]
                del sorted_words[bisect.bisect_left(sorted_words, name)]
        return set(self.words)
