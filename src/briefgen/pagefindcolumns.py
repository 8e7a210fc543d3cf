"""A language's kept words (pagefindkept.py) as columns: their bytes in one blob, the rest in arrays.

A kept index of 1,000 briefings has some 77,000 words; kept as a tuple each,
reading them back made half a million objects (0.3 s of a rebuild's 4, and
five times that for 5,000 briefings). As columns they are a few large
objects, read back at once, and a word becomes a tuple (KeptWord) only when
an update changes it. The words no update changed are handed on as views of
the blob: a chunk of the index joins them as they are.
"""

from __future__ import annotations

import array
import bisect
import itertools
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from typing import Any

from briefgen.pagefindwords import KeptWord

Bytes = bytes | memoryview
Columns = tuple[list[str], Bytes, Bytes, Bytes, Bytes, Bytes, Bytes, Bytes, Bytes, dict[str, Any]]
"""words, their bytes, the length of each word's bytes, [start, end] of each word's pages' bytes, the
pages, their lengths, the pages' offsets, their lengths, the sizes, forms by word (only words with forms).
Lengths rather than bounds: a run of words no update changed is copied as slices of each column."""
Pieces = list[Bytes]
ColumnPieces = tuple[list[str], Pieces, Bytes, Bytes, Pieces, Bytes, Pieces, Bytes, Bytes, dict[str, Any]]
"""Columns with the three large ones (the words' bytes, the pages, the offsets) as pieces to be
written one after the other: joined, they would be copied once more (some 60 MB for 5,000 briefings)."""


def _array(typecode: str, data: Bytes = b"") -> array.array[int]:
    found = array.array(typecode)
    found.frombytes(data)
    return found


class KeptWords(MutableMapping[str, KeptWord]):
    """Word -> KeptWord: the words read from columns, and those changed since (kept as tuples)."""

    def __init__(self, columns: Columns | None = None) -> None:
        self._changed: dict[str, KeptWord] = {}
        self._gone: set[str] = set()
        words, blob, lengths, items, pages, page_lengths, offsets, offset_lengths, sizes, forms = columns or (
            [],
            b"",
            b"",
            b"",
            b"",
            b"",
            b"",
            b"",
            b"",
            {},
        )
        self._words = words
        """The columns' words, sorted: a word's number found by bisection (a dict of 300,000 words took
        0.17 s to make, for the few hundred words an edit looks up)."""
        self._blob, self._pages, self._offsets = memoryview(blob), memoryview(pages), memoryview(offsets)
        self._lengths, self._items = _array("Q", lengths), _array("I", items)
        self._page_lengths, self._offset_lengths = _array("Q", page_lengths), _array("Q", offset_lengths)
        self._bounds = array.array("Q", itertools.accumulate(self._lengths, initial=0))
        self._page_bounds = array.array("Q", itertools.accumulate(self._page_lengths, initial=0))
        self._offset_bounds = array.array("Q", itertools.accumulate(self._offset_lengths, initial=0))
        self._sizes = _array("Q", sizes)
        self._forms: dict[str, Any] = forms
        counts = {len(self._lengths), len(self._page_lengths), len(self._offset_lengths), len(self._sizes)}
        if counts != {len(words)} or len(self._items) != 2 * len(words):
            raise ValueError("the kept words' columns are not of one length")

    @classmethod
    def of(cls, words: Mapping[str, KeptWord]) -> KeptWords:
        kept = cls()
        kept._changed = dict(words)
        return kept

    def __getitem__(self, word: str) -> KeptWord:
        found = self._changed.get(word)
        if found is not None:
            return found
        number = self._number(word)
        start, end = self._page_bounds[number], self._page_bounds[number + 1]
        first, last = self._offset_bounds[number], self._offset_bounds[number + 1]
        return (
            bytes(self.encoded(word)),
            self._items[2 * number],
            self._items[2 * number + 1],
            bytes(self._pages[start:end]),
            bytes(self._offsets[first:last]),
            self._sizes[number],
            self._forms.get(word, ()),
        )

    def _number(self, word: str) -> int:
        number = self._column_number(word)
        if number is None or word in self._gone:
            raise KeyError(word)
        return number

    def _column_number(self, word: str) -> int | None:
        number = bisect.bisect_left(self._words, word)
        return number if number < len(self._words) and self._words[number] == word else None

    def __contains__(self, word: object) -> bool:
        if word in self._changed:
            return True
        return isinstance(word, str) and self._column_number(word) is not None and word not in self._gone

    def __setitem__(self, word: str, kept: KeptWord) -> None:
        self._changed[word] = kept
        self._gone.discard(word)

    def __delitem__(self, word: str) -> None:
        if word not in self:
            raise KeyError(word)
        self._changed.pop(word, None)
        if self._column_number(word) is not None:
            self._gone.add(word)

    def __iter__(self) -> Iterator[str]:
        yield from self._changed
        yield from (word for word in self._words if word not in self._gone and word not in self._changed)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def size(self, word: str) -> int:
        """What the chunking counts for the word."""
        found = self._changed.get(word)
        return found[5] if found is not None else self._sizes[self._number(word)]

    def encoded(self, word: str) -> bytes | memoryview:
        """The word's bytes in the index: a view of the blob for a word read from columns."""
        found = self._changed.get(word)
        if found is not None:
            return found[0]
        number = self._number(word)
        return self._blob[self._bounds[number] : self._bounds[number + 1]]

    def _runs(self, order: Sequence[str]) -> Iterator[tuple[str | None, int, int]]:
        """`order` in runs: (word, 0, 0) for a word changed since the columns were read, (None, first, end)
        for words first..end-1 of the columns, one after the other.

        `order` is sorted, every word of the index in a range of words (a language's sorted words, or a
        chunk's run of them), as each caller has it: a run then ends only at a word changed or gone, and
        the runs are found by bisecting between those few, not word by word (5,000 briefings: some
        300,000 words, 0.6 s of an edit's rebuild each time they were walked)."""
        changed = self._changed
        if not self._words:  # made from an assembly: every word is a changed one
            for word in order:
                yield word, 0, 0
            return
        breaks = sorted(changed.keys() | self._gone)
        at, count, next_break = 0, len(order), 0
        while at < count:
            next_break = bisect.bisect_left(breaks, order[at], lo=next_break)
            stop = bisect.bisect_left(order, breaks[next_break], lo=at) if next_break < len(breaks) else count
            if stop > at:
                first = self._number(order[at])
                if self._number(order[stop - 1]) != first + stop - at - 1:
                    raise ValueError("the words asked for are not in the index's order")
                yield None, first, first + stop - at
            if stop < count and order[stop] == breaks[next_break]:
                if order[stop] not in changed:
                    raise KeyError(order[stop])  # a word gone from the index
                yield order[stop], 0, 0
                stop += 1
            at = stop

    def sizes(self, order: Sequence[str]) -> list[int]:
        """What the chunking counts for each word of `order`."""
        found: list[int] = []
        for word, first, end in self._runs(order):
            if word is None:
                found.extend(self._sizes[first:end])
            else:
                found.append(self._changed[word][5])
        return found

    def joined(self, order: Sequence[str]) -> bytes:
        """The bytes of the words of `order`, one after the other (a chunk of the index)."""
        pieces: list[bytes | memoryview] = []
        for word, first, end in self._runs(order):
            if word is None:
                pieces.append(self._blob[self._bounds[first] : self._bounds[end]])
            else:
                pieces.append(self._changed[word][0])
        return b"".join(pieces)

    def columns(self, order: Sequence[str]) -> Columns:
        """Every word's columns, in `order` (every word once)."""
        words, blobs, lengths, items, pages, page_lengths, offsets, offset_lengths, sizes, forms = self.column_pieces(
            order
        )
        joined = b"".join
        return (
            words,
            joined(blobs),
            lengths,
            items,
            joined(pages),
            page_lengths,
            joined(offsets),
            offset_lengths,
            sizes,
            forms,
        )

    def column_pieces(self, order: Sequence[str]) -> ColumnPieces:
        """columns(order), the three large ones as pieces, views of these columns where no word changed."""
        blobs: Pieces = []
        pages: Pieces = []
        offsets: Pieces = []
        lengths, page_lengths, offset_lengths = array.array("Q"), array.array("Q"), array.array("Q")
        items, sizes = array.array("I"), array.array("Q")
        forms = {word: found for word, found in self._forms.items() if word in self and word not in self._changed}
        for word, first, end in self._runs(order):
            if word is None:
                blobs.append(self._blob[self._bounds[first] : self._bounds[end]])
                pages.append(self._pages[self._page_bounds[first] : self._page_bounds[end]])
                offsets.append(self._offsets[self._offset_bounds[first] : self._offset_bounds[end]])
                lengths.extend(self._lengths[first:end])
                page_lengths.extend(self._page_lengths[first:end])
                offset_lengths.extend(self._offset_lengths[first:end])
                items.extend(self._items[2 * first : 2 * end])
                sizes.extend(self._sizes[first:end])
                continue
            encoded, start, stop, page_bytes, offset_bytes, size, word_forms = self._changed[word]
            blobs.append(encoded)
            pages.append(page_bytes)
            offsets.append(offset_bytes)
            lengths.append(len(encoded))
            page_lengths.append(len(page_bytes))
            offset_lengths.append(len(offset_bytes))
            items.extend((start, stop))
            sizes.append(size)
            if word_forms:
                forms[word] = word_forms
        return (
            list(order),
            blobs,
            lengths.tobytes(),
            items.tobytes(),
            pages,
            page_lengths.tobytes(),
            offsets,
            offset_lengths.tobytes(),
            sizes.tobytes(),
            forms,
        )
