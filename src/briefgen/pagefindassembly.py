"""One Pagefind bundle assembled from per-page entries, by Pagefind's own rules, so it ranks as one run's index.

Pagefind ranks with statistics over all the pages of a language's index (how
many pages hold a word, the average page length), so an index in parts
ranks differently from one index. Here the index stays one, but it is
assembled from entries (pagefindformat.py) that Pagefind made in smaller
runs: a page edited is indexed alone, and its entry replaces the old one.

The rules are those of pagefind/src/index/mod.rs (build_indexes) in 1.5.2:
pages numbered in the order given (the caller's: a new page at the end keeps
every other page's number); a word's pages in that order, each a delta from
the one before; a word's forms with diacritics in the order the pages meet
them; words sorted and cut into chunks once the positions counted reach
`chunk_size`; a chunk's range trimmed to the shortest prefixes that tell it
from its neighbours; files named by Pagefind's hash of their bytes, a name
lengthened where two collide. Where Pagefind's order comes from a hash map
(filters and their values, languages), the order here is sorted, which makes
the bundle byte-for-byte the same for the same entries.

`Assembly` keeps each word's encoded bytes between updates: replacing a few
entries encodes again only their words, and compresses only the chunks that
changed.
"""

from __future__ import annotations

import bisect
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from briefgen.pagefindformat import (
    ENTRY_FILE,
    BundleFormatError,
    PageEntry,
    PagefindRun,
    encode_cbor,
    encode_file,
    encode_files,
    pagefind_hash,
    without_collection,
)
from briefgen.pagefindwords import Remap, WordPages, cbor_head

CHUNK_SIZE = 20_000
"""Pagefind's default index_chunk_size (options.rs): positions counted in a chunk before it is closed."""
PAGEFIND_LEVEL = 9
"""Pagefind's gzip level (Compression::best()): of fragments, filters and metadata here."""
INDEX_LEVEL = 1
"""The index chunks' gzip level. An edit's words are in most chunks (a page has some 450 words, the
commonest on every page), so most of an update's time is compressing chunks: at level 1 six times
faster than at Pagefind's 9, the chunks 6% larger (1,000 briefings: 6.1 MiB against 5.7)."""


# ----------------------------------------------------------------- names


def short_name(full: str, length: int, taken: Mapping[str, object], step: int = 2) -> str:
    """A chunk's or filter's name: `length` characters of its full hash, lengthened by `step` while an
    earlier one holds it (mod.rs: `new_length = short_hash.len() + 1; &hash[0..=new_length]`, two more)."""
    name = full[:length]
    while name in taken and len(name) < len(full):
        name = full[: len(name) + step]
    return name


def fragment_names(full_hashes: Sequence[str], length: int) -> list[str]:
    """Each page's fragment's name, in page order: `length` characters of its full hash, lengthened by
    one while an earlier page's holds it (mod.rs: `&encoded_page.full_hash[0..=short_hash.len()]`)."""
    taken: dict[str, str] = {}
    names = []
    for full in full_hashes:
        name = full[:length]
        while name in taken and taken[name] != full:
            name = full[: len(name) + 1]
        taken[name] = full
        names.append(name)
    return names


def chunk_ranges(words: Sequence[str], chunks: Sequence[tuple[int, int]]) -> list[list[str]]:
    """[from, to] of each chunk (mod.rs, chunk_meta): trimmed to the prefixes that tell neighbours apart."""
    ranges = [[words[first], words[last]] for first, last in chunks]
    for left, right in itertools.pairwise(ranges):
        common = 0
        for a, b in zip(right[0], left[1], strict=False):
            if a != b:
                break
            common += 1
        to, from_ = left[1][: common + 1], right[0][: common + 1]
        if to >= left[0]:
            left[1] = to
        right[0] = from_
    return ranges


def cut_chunks(sizes: Sequence[int], chunk_size: int) -> list[tuple[int, int]]:
    """(first, last) word of each chunk: a chunk closes once the positions counted reach `chunk_size`."""
    chunks = []
    first, total = 0, 0
    for number, size in enumerate(sizes):
        total += size
        if total >= chunk_size:
            chunks.append((first, number))
            first, total = number + 1, 0
    if first < len(sizes):
        chunks.append((first, len(sizes) - 1))
    return chunks


# ----------------------------------------------------------------- one language's index


class _LanguageIndex:
    """A language's pages in order, with each word's pages merged as build_indexes merges them."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.entries: list[PageEntry] = []
        self.words: dict[str, WordPages] = {}
        self.sorted_words: list[str] = []
        self.fragment_hashes: list[str] = []
        """Each page's fragment's full hash, '<language>_<hash>'."""
        self.meta_fields: tuple[str, ...] = ()
        self.changed_words: set[str] = set()
        """Words put in, taken out or given other pages since the chunks were last made."""
        self.chunks: dict[tuple[str, str], tuple[int, str, bytes]] = {}
        """The chunks last made, by their first and last word: (words, full hash, bytes)."""

    def update(self, entries: Sequence[PageEntry]) -> None:
        """Make the pages `entries`, in that order: only pages whose entry changed are taken out and put in."""
        old = self.entries
        changed = [
            number
            for number in range(max(len(old), len(entries)))
            if number >= len(old) or number >= len(entries) or old[number].digest != entries[number].digest
        ]
        if len(changed) > len(entries) // 4:  # most pages changed or moved (one put in early): start afresh
            self._build(entries)
            return
        for number in changed:
            if number < len(old):
                self._remove(number, old[number])
        self.entries = list(entries)
        del self.fragment_hashes[len(entries) :]
        new_words: list[str] = []
        for number in changed:
            if number < len(entries):
                new_words += self._add(number, entries[number])
        if len(new_words) > len(self.sorted_words) // 8:
            self.sorted_words = sorted(self.words)
        else:
            for word in new_words:
                bisect.insort(self.sorted_words, word)
        meta_fields = tuple(sorted({name for entry in entries for name in entry.meta_fields}))
        if meta_fields != self.meta_fields:  # every page's meta fields may be numbered anew
            self.meta_fields = meta_fields
            for each in self.words.values():
                each.forget()
            self.chunks = {}

    def _build(self, entries: Sequence[PageEntry]) -> None:
        """Every page put in anew, in page order: each word's pages appended, none encoded yet."""
        self.entries = list(entries)
        self.fragment_hashes = [f"{self.language}_{pagefind_hash(entry.fragment)}" for entry in entries]
        words: dict[str, WordPages] = {}
        self.words = words
        for page, entry in enumerate(entries):
            for page_word in entry.words:
                word = words.get(page_word.word)
                if word is None:
                    word = words[page_word.word] = WordPages()
                normal = page_word.normal
                if normal is not None:
                    word.pages.append(page)
                    word.locations.append(normal)
                    word.size += normal.size
                for order, (form, locations) in enumerate(page_word.variants):
                    word.add_form(form, page, order, locations)
        self.sorted_words = sorted(words)
        self.meta_fields = tuple(sorted({name for entry in entries for name in entry.meta_fields}))
        self.chunks = {}

    def _add(self, page: int, entry: PageEntry) -> list[str]:
        """Put a page's words in; returns the words new to the index."""
        new_words = []
        full = f"{self.language}_{pagefind_hash(entry.fragment)}"
        if page < len(self.fragment_hashes):
            self.fragment_hashes[page] = full
        else:
            self.fragment_hashes.append(full)
        for page_word in entry.words:
            self.changed_words.add(page_word.word)
            word = self.words.get(page_word.word)
            if word is None:
                word = self.words[page_word.word] = WordPages()
                new_words.append(page_word.word)
            if page_word.normal is not None:
                word.add(page, page_word.normal)
            for order, (form, locations) in enumerate(page_word.variants):
                word.add_form(form, page, order, locations)
        return new_words

    def _remove(self, page: int, entry: PageEntry) -> None:
        for page_word in entry.words:
            self.changed_words.add(page_word.word)
            word = self.words[page_word.word]
            if page_word.normal is not None:
                word.remove(page)
            for form, _locations in page_word.variants:
                word.remove_form(form, page)
            if not word.pages and not word.forms:
                del self.words[page_word.word]
                del self.sorted_words[bisect.bisect_left(self.sorted_words, page_word.word)]

    def remap(self) -> Remap:
        """For each page, its meta fields' numbers among all pages' fields (None where they are the same)."""
        fields = self.meta_fields
        position = {name: number for number, name in enumerate(fields)}
        return [
            None if entry.meta_fields == fields else [position[name] for name in entry.meta_fields]
            for entry in self.entries
        ]


@dataclass(slots=True)
class _Compressed:
    """Compressed files by their payload's hash: a file whose bytes did not change is not compressed again."""

    files: dict[str, bytes] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)

    def get(self, full_hash: str, payload: bytes, level: int) -> bytes:
        self.used.add(full_hash)
        found = self.files.get(full_hash)
        if found is None:
            found = self.files[full_hash] = encode_file(payload, level)
        return found

    def prepare(self, wanted: Iterable[tuple[str, bytes]], level: int) -> None:
        """Compress at once those of `wanted` (full hash, payload) not compressed yet (encode_files)."""
        missing = {full: payload for full, payload in wanted if full not in self.files}
        self.files.update(encode_files(missing, level))

    def forget_unused(self) -> None:
        self.files = {name: content for name, content in self.files.items() if name in self.used}
        self.used = set()


def _language_files(
    index: _LanguageIndex, version: str, chunk_size: int, index_level: int, compressed: _Compressed
) -> tuple[str, dict[str, bytes]]:
    """A language's index files (relative path -> bytes) and the name of its metadata file's hash."""
    language = index.language
    short = len(language) + 8  # '<language>_' and 7 characters of the hash
    files: dict[str, bytes] = {}
    pages = []
    names = fragment_names(index.fragment_hashes, short)
    fragments = (entry.fragment for entry in index.entries)
    compressed.prepare(zip(index.fragment_hashes, fragments, strict=True), PAGEFIND_LEVEL)
    for entry, full, name in zip(index.entries, index.fragment_hashes, names, strict=True):
        files[f"fragment/{name}.pf_fragment"] = compressed.get(full, entry.fragment, PAGEFIND_LEVEL)
        pages.append([name, entry.word_count])

    remap = index.remap()
    words = index.sorted_words
    chunks = cut_chunks([index.words[word].size for word in words], chunk_size)
    made = {}
    for first, last in chunks:
        chunk_words = words[first : last + 1]
        key = (chunk_words[0], chunk_words[-1])
        kept = index.chunks.get(key)
        if kept is None or kept[0] != len(chunk_words) or not index.changed_words.isdisjoint(chunk_words):
            encoded = [index.words[word].encode(word, remap) for word in chunk_words]
            payload = b"\x81" + cbor_head(4, len(encoded)) + b"".join(encoded)
            kept = (len(chunk_words), f"{language}_{pagefind_hash(payload)}", payload)
        made[key] = kept
    compressed.prepare(((full, payload) for _count, full, payload in made.values()), index_level)
    chunk_names: dict[str, None] = {}
    chunk_meta = []
    for (start, end), (_count, full, payload) in zip(chunk_ranges(words, chunks), made.values(), strict=True):
        name = short_name(full, short, chunk_names)
        chunk_names[name] = None
        files[f"index/{name}.pf_index"] = compressed.get(full, payload, index_level)
        chunk_meta.append([start, end, name])
    index.chunks = made
    index.changed_words = set()

    filter_names: dict[str, None] = {}
    filter_meta = []
    for name, values in page_filters(index.entries).items():
        payload = encode_cbor([name, [[value, pages] for value, pages in sorted(values.items())]])
        full = f"{language}_{pagefind_hash(payload)}"
        named = short_name(full, short, filter_names)
        filter_names[named] = None
        files[f"filter/{named}.pf_filter"] = compressed.get(full, payload, PAGEFIND_LEVEL)
        filter_meta.append([name, named])

    meta = encode_cbor([version, pages, chunk_meta, filter_meta, [], list(index.meta_fields)])
    meta_hash = f"{language}_{pagefind_hash(meta)[:short]}"
    files[f"pagefind.{meta_hash}.pf_meta"] = encode_file(meta, PAGEFIND_LEVEL)
    return meta_hash, files


class Filtered(Protocol):
    """A page's filters, as an entry or a kept page holds them."""

    @property
    def filters(self) -> tuple[tuple[str, tuple[str, ...]], ...]: ...


def page_filters(entries: Sequence[Filtered]) -> dict[str, dict[str, list[int]]]:
    """Filter -> value -> pages, filters sorted (Pagefind's order is a hash map's)."""
    found: dict[str, dict[str, list[int]]] = {}
    for page, entry in enumerate(entries):
        for name, values in entry.filters:
            by_value = found.setdefault(name, {})
            for value in values:
                by_value.setdefault(value, []).append(page)
    return dict(sorted(found.items()))


# ----------------------------------------------------------------- the bundle


class Assembly:
    """One bundle of every language's pages, kept between updates so that an update costs what changed."""

    def __init__(self, run: PagefindRun, chunk_size: int = CHUNK_SIZE, index_level: int = INDEX_LEVEL) -> None:
        self.run = run
        self.chunk_size = chunk_size
        self.index_level = index_level
        self.languages: dict[str, _LanguageIndex] = {}
        self.compressed = _Compressed()

    def update(self, entries: Iterable[PageEntry]) -> None:
        """Make the bundle's pages `entries`, numbered in that order within each language."""
        by_language: dict[str, list[PageEntry]] = {}
        for entry in entries:
            by_language.setdefault(entry.language, []).append(entry)
        urls = [entry.url for pages in by_language.values() for entry in pages]
        if len(set(urls)) != len(urls):
            raise BundleFormatError("two entries have the same address: Pagefind indexes a page once")
        for language in self.languages.keys() - by_language.keys():
            del self.languages[language]
        with without_collection():
            for language, pages in by_language.items():
                self.languages.setdefault(language, _LanguageIndex(language)).update(pages)

    def files(self) -> dict[str, bytes]:
        """The bundle: relative path -> bytes, the same for the same entries."""
        files: dict[str, bytes] = {}
        languages = {}
        wanted_wasm = set()
        for language, index in sorted(self.languages.items()):
            meta_hash, language_files = _language_files(
                index, self.run.version, self.chunk_size, self.index_level, self.compressed
            )
            files.update(language_files)
            wasm = index.entries[0].wasm
            if wasm is not None:
                wanted_wasm.add(f"wasm.{wasm}.pagefind")
            languages[language] = {"hash": meta_hash, "wasm": wasm, "page_count": len(index.entries)}
        self.compressed.forget_unused()
        return with_run_files(files, self.run, languages, wanted_wasm)


def with_run_files(
    files: dict[str, bytes], run: PagefindRun, languages: Mapping[str, Mapping[str, object]], wanted_wasm: set[str]
) -> dict[str, bytes]:
    """The bundle: the languages' `files`, Pagefind's own (the stemming modules `wanted_wasm` of the languages
    in the index only) and pagefind-entry.json naming the `languages`, in path order."""
    for name, content in sorted(run.static_files.items()):
        if name.startswith("wasm.") and name != "wasm.unknown.pagefind" and name not in wanted_wasm:
            continue  # a stemming module for a language no longer in the index
        files[name] = content
    missing = wanted_wasm - files.keys()
    if missing:
        raise BundleFormatError(f"no Pagefind run gave {', '.join(sorted(missing))}")
    entry = {"version": run.version, "languages": languages, "include_characters": run.include_characters}
    files[ENTRY_FILE] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return dict(sorted(files.items()))


def assemble(
    entries: Iterable[PageEntry], run: PagefindRun, chunk_size: int = CHUNK_SIZE, index_level: int = INDEX_LEVEL
) -> dict[str, bytes]:
    """The bundle Pagefind would write for the pages of `entries`, fed in that order."""
    assembly = Assembly(run, chunk_size, index_level)
    assembly.update(entries)
    return assembly.files()
