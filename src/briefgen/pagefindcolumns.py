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
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from typing import Any

from briefgen.pagefindwords import KeptWord

Columns = tuple[list[str], bytes, bytes, bytes, bytes, bytes, bytes, bytes, bytes, dict[str, Any]]
"""words, their bytes, bounds of each word's bytes, [start, end] of each word's pages' bytes, the pages,
their bounds, the pages' offsets, their bounds, the sizes, forms by word (only words with forms)."""


def _array(typecode: str, data: bytes = b"") -> array.array[int]:
    found = array.array(typecode)
    found.frombytes(data)
    return found


class KeptWords(MutableMapping[str, KeptWord]):
    """Word -> KeptWord: the words read from columns, and those changed since (kept as tuples)."""

    def __init__(self, columns: Columns | None = None) -> None:
        self._changed: dict[str, KeptWord] = {}
        self._gone: set[str] = set()
        words, blob, bounds, items, pages, page_bounds, offsets, offset_bounds, sizes, forms = columns or (
            [],
            b"",
            array.array("Q", [0]).tobytes(),
            b"",
            b"",
            array.array("Q", [0]).tobytes(),
            b"",
            array.array("Q", [0]).tobytes(),
            b"",
            {},
        )
        self._index = {word: number for number, word in enumerate(words)}
        self._blob, self._pages, self._offsets = memoryview(blob), memoryview(pages), memoryview(offsets)
        self._bounds, self._items = _array("Q", bounds), _array("I", items)
        self._page_bounds, self._offset_bounds = _array("Q", page_bounds), _array("Q", offset_bounds)
        self._sizes = _array("Q", sizes)
        self._forms: dict[str, Any] = forms
        if not (len(self._bounds) == len(self._page_bounds) == len(self._offset_bounds) == len(words) + 1):
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
        number = self._index.get(word)
        if number is None or word in self._gone:
            raise KeyError(word)
        return number

    def __contains__(self, word: object) -> bool:
        return word in self._changed or (word in self._index and word not in self._gone)

    def __setitem__(self, word: str, kept: KeptWord) -> None:
        self._changed[word] = kept
        self._gone.discard(word)

    def __delitem__(self, word: str) -> None:
        if word not in self:
            raise KeyError(word)
        self._changed.pop(word, None)
        if word in self._index:
            self._gone.add(word)

    def __iter__(self) -> Iterator[str]:
        yield from self._changed
        yield from (word for word in self._index if word not in self._gone and word not in self._changed)

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

    def columns(self, order: Sequence[str]) -> Columns:
        """Every word's columns, in `order` (every word once)."""
        blobs: list[bytes | memoryview] = []
        pages: list[bytes | memoryview] = []
        offsets: list[bytes | memoryview] = []
        bounds, page_bounds, offset_bounds = array.array("Q", [0]), array.array("Q", [0]), array.array("Q", [0])
        items, sizes = array.array("I"), array.array("Q")
        forms = {}
        encoded: bytes | memoryview
        page_bytes: bytes | memoryview
        offset_bytes: bytes | memoryview
        for word in order:
            found = self._changed.get(word)
            if found is None:
                number = self._number(word)
                encoded = self.encoded(word)
                start, end = self._items[2 * number], self._items[2 * number + 1]
                page_bytes = self._pages[self._page_bounds[number] : self._page_bounds[number + 1]]
                offset_bytes = self._offsets[self._offset_bounds[number] : self._offset_bounds[number + 1]]
                size, word_forms = self._sizes[number], self._forms.get(word, ())
            else:
                encoded, start, end, page_bytes, offset_bytes, size, word_forms = found
            blobs.append(encoded)
            pages.append(page_bytes)
            offsets.append(offset_bytes)
            bounds.append(bounds[-1] + len(encoded))
            page_bounds.append(page_bounds[-1] + len(page_bytes))
            offset_bounds.append(offset_bounds[-1] + len(offset_bytes))
            items.extend((start, end))
            sizes.append(size)
            if word_forms:
                forms[word] = word_forms
        return (
            list(order),
            b"".join(blobs),
            bounds.tobytes(),
            items.tobytes(),
            b"".join(pages),
            page_bounds.tobytes(),
            b"".join(offsets),
            offset_bounds.tobytes(),
            sizes.tobytes(),
            forms,
        )
