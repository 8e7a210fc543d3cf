"""The assembled search index kept between builds, and updated in place when a few pages' entries change.

pagefindassembly.Assembly makes the index from every page's entry: for 1,000
briefings some 440,000 (word, page) pairs, each an object, seconds of Python.
A rebuild in a new process would pay that for one edited briefing. KeptIndex
is what an assembly leaves, in a form a rebuild reads back without an object
per pair: for each word its bytes as the index holds them ([word, pages,
forms]), its pages and where each page's bytes start; for each page its
entry's key and what the fragments, filters and metadata need. An update
then reads apart only the words of the pages whose entries changed: a page's
bytes are replaced, and the next page's delta written anew in its head (its
positions are copied as they are). Chunks none of whose words changed keep
their names, and their files are taken from the output as the last build
wrote them (checked by size against the record).

The files are those Assembly writes for the same entries, byte for byte
(tests/test_pagefind_kept.py compares them). Updated in place: pages whose
entries changed at the same number, pages added or removed at the end (a
new day's briefings). Anything else (a page put in or taken out before
others, which renumbers the pages after it; the pages' meta fields changed;
a language added or gone; most pages changed) is left to a fresh assembly:
`update` returns None.

The module is over 400 lines because the three faces of the kept index (its
bytes in the cache, its update, the files it makes) each walk the private
state of every language (_Language); split apart, that state would be every
module's to change.
"""

from __future__ import annotations

import itertools
import marshal
import struct
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from briefgen.pagefindassembly import (
    CHUNK_SIZE,
    INDEX_LEVEL,
    PAGEFIND_LEVEL,
    Assembly,
    chunk_ranges,
    cut_chunks,
    fragment_names,
    page_filters,
    short_name,
    with_run_files,
)
from briefgen.pagefindcolumns import Bytes, KeptWords
from briefgen.pagefindformat import (
    PageEntry,
    PagefindRun,
    encode_cbor,
    encode_file,
    encode_files,
    pagefind_hash,
)
from briefgen.pagefindwords import OpenWords, Remap, cbor_head, kept_word

KEPT_FORMAT = 5
"""4: a kept word holds the length of each page's bytes, not where each starts.
5: the words' large columns written after the rest as they are, not marshalled (to_pieces)."""
_LENGTH = struct.Struct("<Q")


def _starts(at: int, sizes: Sequence[int]) -> list[int]:
    return list(itertools.accumulate(sizes[:-1], initial=at))


class KeptPage(NamedTuple):
    """What the index needs of a page besides its words."""

    key: str
    """Its entry's name in the cache (search.py)."""
    digest: str
    fragment_hash: str
    """'<language>_<Pagefind's hash of the fragment>'."""
    word_count: int
    meta_fields: tuple[str, ...]
    filters: tuple[tuple[str, tuple[str, ...]], ...]
    wasm: str | None


@dataclass(slots=True)
class _Language:
    pages: list[KeptPage]
    meta_fields: tuple[str, ...]
    words: KeptWords
    sorted_words: list[str]
    chunks: dict[tuple[str, str, int], str]
    """(first word, last word, words) -> the chunk's full hash, as last written."""
    touched: set[str] = field(default_factory=set)
    """Words changed since the files were last made."""

    def remap(self) -> Remap:
        fields = self.meta_fields
        position = {name: number for number, name in enumerate(fields)}
        return [None if page.meta_fields == fields else [position[n] for n in page.meta_fields] for page in self.pages]


class KeptIndex:
    """The index of every language, as an assembly left it, and the files it was last written as."""

    def __init__(self, run: PagefindRun, languages: dict[str, _Language], written: dict[str, tuple[str, int]]) -> None:
        self.run = run
        self.languages = languages
        self.written = written
        """Path -> (full hash of its payload, size) of the chunks and fragments last written."""
        self._fulls: dict[str, str] = {}
        """Path -> full hash of the chunks and fragments being written."""
        self.as_written: set[str] = set()
        """The files the last `files` took from the output as they were written there (their bytes read back)."""

    # ------------------------------------------------------------- made from an assembly, kept as bytes

    @classmethod
    def of_assembly(cls, assembly: Assembly, keys: Mapping[str, str], files: Mapping[str, bytes]) -> KeptIndex:
        """What `assembly` holds once it made `files`; `keys`: each page's entry's key, by address."""
        languages = {}
        for name, index in assembly.languages.items():
            remap = index.remap()
            words = KeptWords.of({word: kept_word(word, pages, remap) for word, pages in index.words.items()})
            kept_pages = [
                KeptPage(keys[e.url], e.digest, full, e.word_count, e.meta_fields, e.filters, e.wasm)
                for e, full in zip(index.entries, index.fragment_hashes, strict=True)
            ]
            chunks = {(first, last, count): full for (first, last), (count, full, _bytes) in index.chunks.items()}
            languages[name] = _Language(kept_pages, index.meta_fields, words, list(index.sorted_words), chunks)
        kept = cls(assembly.run, languages, {})
        kept.written = kept._written(files)
        return kept

    def _written(self, files: Mapping[str, bytes]) -> dict[str, tuple[str, int]]:
        written = {}
        for language, state in self.languages.items():
            short = len(language) + 8
            hashes = [page.fragment_hash for page in state.pages]
            for name, full in zip(fragment_names(hashes, short), hashes, strict=True):
                path = f"fragment/{name}.pf_fragment"
                written[path] = (full, len(files[path]))
            taken: dict[str, None] = {}
            for full in state.chunks.values():  # in the chunks' order, as their names were given
                name = short_name(full, short, taken)
                taken[name] = None
                path = f"index/{name}.pf_index"
                written[path] = (full, len(files[path]))
        return written

    def to_pieces(self) -> list[Bytes]:
        """The index as bytes, in pieces to be written one after the other.

        Everything but the words' three large columns is marshalled, after its
        length; the large columns follow it as they are, so that from_bytes
        takes them as views of what it reads, and neither writing nor reading
        copies them (60 MB of the 90 a kept index of 5,000 briefings holds)."""
        languages = {}
        large: list[Bytes] = []
        for name, state in self.languages.items():
            words, blob, lengths, items, pages, page_lengths, offsets, offset_lengths, sizes, forms = (
                state.words.column_pieces(state.sorted_words)
            )
            columns = [blob, [lengths], [items], pages, [page_lengths], offsets, [offset_lengths], [sizes]]
            large += [piece for column in columns for piece in column]
            languages[name] = (
                [tuple(page) for page in state.pages],
                state.meta_fields,
                words,
                [sum(len(piece) for piece in column) for column in columns],
                forms,
                [(*key, full) for key, full in state.chunks.items()],
            )
        run = (self.run.version, self.run.include_characters, dict(self.run.static_files))
        small = marshal.dumps((KEPT_FORMAT, run, languages, self.written))
        return [_LENGTH.pack(len(small)), small, *large]

    @classmethod
    def from_bytes(cls, data: bytes | memoryview) -> KeptIndex:
        """The index to_pieces wrote; raises ValueError for anything else. The words' large columns
        are views of `data`."""
        view = memoryview(data)
        try:
            (length,) = _LENGTH.unpack_from(view)
            at = _LENGTH.size + length
            version, run, languages, written = marshal.loads(view[_LENGTH.size : at])  # noqa: S302 - sealed
            if version != KEPT_FORMAT:
                raise ValueError(f"a kept index of format {version}")
            states = {}
            for name, (pages, meta_fields, words, column_sizes, forms, chunks) in languages.items():
                blob, lengths, items, page_bytes, page_lengths, offsets, offset_lengths, sizes = (
                    view[start : start + size]
                    for start, size in zip(_starts(at, column_sizes), column_sizes, strict=True)
                )
                at += sum(column_sizes)
                columns = (words, blob, lengths, items, page_bytes, page_lengths, offsets, offset_lengths, sizes, forms)
                states[name] = _Language(
                    [KeptPage(*page) for page in pages],
                    tuple(meta_fields),
                    KeptWords(columns),
                    list(words),
                    {(first, last, count): full for first, last, count, full in chunks},
                )
            if at != len(view):
                raise ValueError(f"{len(view) - at} bytes where the columns should end")
            return cls(PagefindRun(run[0], tuple(run[1]), run[2]), states, written)
        except (TypeError, EOFError, KeyError, ValueError, struct.error) as exc:
            raise ValueError(f"an unreadable kept index ({exc})") from exc

    # ------------------------------------------------------------- updated in place

    def update(
        self,
        pages: Sequence[tuple[str, PageEntry | None]],
        entry_of: Callable[[str], PageEntry | None],
    ) -> dict[str, PageEntry] | None:
        """Make the index's pages `pages` ((key, entry) in order; the entry None for a page whose key the
        index has); `entry_of` gives the entry of a key the index had. Returns the entries of the pages
        put in, by key, or None when the index must be assembled afresh (see the module's docstring)."""
        by_language: dict[str, list[tuple[str, PageEntry | None]]] = {}
        language_of = {page.key: name for name, state in self.languages.items() for page in state.pages}
        for key, entry in pages:
            language = entry.language if entry is not None else language_of.get(key)
            if language is None:
                return None
            by_language.setdefault(language, []).append((key, entry))
        if by_language.keys() != self.languages.keys():
            return None
        plans = {}
        for language, wanted in by_language.items():
            plan = self._plan(self.languages[language], wanted, entry_of)
            if plan is None:
                return None
            plans[language] = plan
        added: dict[str, PageEntry] = {}
        for language, (removed, put) in plans.items():
            self._apply(self.languages[language], removed, put, len(by_language[language]))
            added.update({key: entry for _number, entry, key in put})
        return added

    @staticmethod
    def _plan(
        state: _Language, wanted: Sequence[tuple[str, PageEntry | None]], entry_of: Callable[[str], PageEntry | None]
    ) -> tuple[list[tuple[int, PageEntry]], list[tuple[int, PageEntry, str]]] | None:
        """The pages to take out (number, old entry) and put in (number, entry, key), or None."""
        old = state.pages
        removed, put = [], []
        for number in range(max(len(old), len(wanted))):
            if number < len(old) and number < len(wanted) and old[number].key == wanted[number][0]:
                continue
            if number < len(wanted):
                entry = wanted[number][1]
                if entry is None:  # a page the index has, at another number
                    return None
                put.append((number, entry, wanted[number][0]))
            if number < len(old):
                was = entry_of(old[number].key)
                if was is None:
                    return None
                removed.append((number, was))
        if len(removed) + len(put) > max(8, len(wanted) // 4):
            return None
        fields = {
            name
            for number, (_key, entry) in enumerate(wanted)
            for name in (entry.meta_fields if entry is not None else old[number].meta_fields)
        }
        if tuple(sorted(fields)) != state.meta_fields:
            return None  # the pages' meta fields numbered anew: every page's bytes would change
        return removed, put

    @staticmethod
    def _apply(
        state: _Language, removed: list[tuple[int, PageEntry]], put: list[tuple[int, PageEntry, str]], count: int
    ) -> None:
        """Take the pages `removed` out and put the pages `put` in, the language's pages then `count`."""
        pages = state.pages
        for number, entry, key in put:
            full = f"{entry.language}_{pagefind_hash(entry.fragment)}"
            kept = KeptPage(key, entry.digest, full, entry.word_count, entry.meta_fields, entry.filters, entry.wasm)
            if number < len(pages):
                pages[number] = kept
            else:
                pages.append(kept)
        del pages[count:]
        words = OpenWords(state.words, state.sorted_words)
        for number, entry in removed:
            for page_word in entry.words:
                words.take_out(number, page_word)
        for number, entry, _key in put:
            for page_word in entry.words:
                words.put_in(number, page_word)
        touched = {number for number, _entry in removed} | {number for number, _entry, _key in put}
        state.touched |= words.close(touched, state.remap())

    # ------------------------------------------------------------- the files

    def files(
        self,
        new_fragments: Mapping[str, bytes],
        written: Callable[[str], bytes | int | None],
        fragment_of: Callable[[str], bytes | None] = lambda _key: None,
    ) -> dict[str, bytes] | None:
        """The bundle's files. `new_fragments`: the fragments of the pages put in, by their full hash;
        `written`: a file as the output has it now, or None; or only its size, and then a file the output has
        as it was written there is left out of the files (listed in `as_written`: a rebuild need not read
        back thousands of unchanged fragments); `fragment_of`: the fragment of a page's entry by its key,
        for a page whose fragment the output lost (a fresh checkout with its cache restored: every page).
        None when a fragment is neither new, nor in the output, nor given by `fragment_of` as it was."""
        files: dict[str, bytes] = {}
        self._fulls = {}
        self.as_written = set()
        languages = {}
        wanted_wasm = set()
        for language, state in sorted(self.languages.items()):
            made = self._language_files(language, state, new_fragments, written, fragment_of)
            if made is None:
                return None
            meta_hash, language_files = made
            files.update(language_files)
            wasm = state.pages[0].wasm
            if wasm is not None:
                wanted_wasm.add(f"wasm.{wasm}.pagefind")
            languages[language] = {"hash": meta_hash, "wasm": wasm, "page_count": len(state.pages)}
        sizes = {path: self.written[path][1] for path in self.as_written}  # left out: as written before
        sizes.update((path, len(content)) for path, content in files.items())
        self.written = {path: (full, sizes[path]) for path, full in self._fulls.items()}
        return with_run_files(files, self.run, languages, wanted_wasm)

    def _language_files(
        self,
        language: str,
        state: _Language,
        new_fragments: Mapping[str, bytes],
        written: Callable[[str], bytes | int | None],
        fragment_of: Callable[[str], bytes | None],
    ) -> tuple[str, dict[str, bytes]] | None:
        short = len(language) + 8
        files: dict[str, bytes] = {}
        pages_meta = self._fragment_files(state, short, new_fragments, written, fragment_of, files)
        if pages_meta is None:
            return None
        chunk_meta = self._chunk_files(language, state, short, written, files)
        filter_names: dict[str, None] = {}
        filter_meta = []
        for name, values in page_filters(state.pages).items():
            payload = encode_cbor([name, [[value, numbers] for value, numbers in sorted(values.items())]])
            named = short_name(f"{language}_{pagefind_hash(payload)}", short, filter_names)
            filter_names[named] = None
            files[f"filter/{named}.pf_filter"] = encode_file(payload, PAGEFIND_LEVEL)
            filter_meta.append([name, named])
        meta = encode_cbor([self.run.version, pages_meta, chunk_meta, filter_meta, [], list(state.meta_fields)])
        meta_hash = f"{language}_{pagefind_hash(meta)[:short]}"
        files[f"pagefind.{meta_hash}.pf_meta"] = encode_file(meta, PAGEFIND_LEVEL)
        return meta_hash, files

    def _kept_file(self, path: str, full: str, written: Callable[[str], bytes | int | None]) -> bytes | None:
        """The file as the output has it, when it is the one last written there for this payload."""
        self._fulls[path] = full
        was = self.written.get(path)
        if was is None or was[0] != full:
            return None
        content = written(path)
        size = content if isinstance(content, int) else len(content) if content is not None else None
        if size != was[1]:
            return None
        self.as_written.add(path)
        return content if isinstance(content, bytes) else b""  # b"": there as written, left out

    def _fragment_files(
        self,
        state: _Language,
        short: int,
        new_fragments: Mapping[str, bytes],
        written: Callable[[str], bytes | int | None],
        fragment_of: Callable[[str], bytes | None],
        files: dict[str, bytes],
    ) -> list[list[object]] | None:
        """Each page's fragment into `files`; returns [name, word count] of each page (None: a fragment is lost)."""
        hashes = [page.fragment_hash for page in state.pages]
        pages_meta: list[list[object]] = []
        to_compress: dict[str, bytes] = {}
        for page, name in zip(state.pages, fragment_names(hashes, short), strict=True):
            path = f"fragment/{name}.pf_fragment"
            content = self._kept_file(path, page.fragment_hash, written)
            if content is None:
                fragment = new_fragments.get(page.fragment_hash)
                if fragment is None:
                    fragment = fragment_of(page.key)
                    # '<language>_<hash>': the entry on record must be the one this page was made from.
                    if fragment is None or not page.fragment_hash.endswith(f"_{pagefind_hash(fragment)}"):
                        return None
                to_compress[path] = fragment
            elif content:
                files[path] = content
            pages_meta.append([name, page.word_count])
        files.update(encode_files(to_compress, PAGEFIND_LEVEL))
        return pages_meta

    def _chunk_files(
        self,
        language: str,
        state: _Language,
        short: int,
        written: Callable[[str], bytes | int | None],
        files: dict[str, bytes],
    ) -> list[list[str]]:
        """The words cut into chunks into `files`, a chunk none of whose words changed kept; returns their ranges."""
        words = state.sorted_words
        chunks = cut_chunks(state.words.sizes(words), CHUNK_SIZE)
        taken: dict[str, None] = {}
        chunk_meta, made = [], {}
        to_compress: dict[str, bytes] = {}
        for (first, last), (start, end) in zip(chunks, chunk_ranges(words, chunks), strict=True):
            key = (words[first], words[last], last - first + 1)
            full = state.chunks.get(key)
            payload = None
            if full is None or not state.touched.isdisjoint(words[first : last + 1]):
                payload = self._payload(state, words[first : last + 1])
                full = f"{language}_{pagefind_hash(payload)}"
            name = short_name(full, short, taken)
            taken[name] = None
            path = f"index/{name}.pf_index"
            content = self._kept_file(path, full, written)
            if content is None:
                to_compress[path] = payload if payload is not None else self._payload(state, words[first : last + 1])
            elif content:
                files[path] = content
            made[key] = full
            chunk_meta.append([start, end, name])
        files.update(encode_files(to_compress, INDEX_LEVEL))
        state.chunks = made
        state.touched = set()
        return chunk_meta

    @staticmethod
    def _payload(state: _Language, words: Sequence[str]) -> bytes:
        return b"\x81" + cbor_head(4, len(words)) + state.words.joined(words)

    def keys(self) -> set[str]:
        return {page.key for state in self.languages.values() for page in state.pages}

    def pages(self) -> dict[str, KeptPage]:
        """Every page, by its entry's key."""
        return {page.key: page for state in self.languages.values() for page in state.pages}
