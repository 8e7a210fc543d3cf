"""Pagefind's bundle read into per-page entries: what its index holds for each page, apart from the others.

Pagefind (1.5) builds one index per language from its pages' word maps
(pagefind/src/index/mod.rs, build_indexes): for each word, each page's
positions of its normal form and of each form with diacritics ("café" under
"cafe"), packed with weights; the page's filters, its meta, its word count
and its fragment (the JSON a result shows). Everything in it is a merge of
per-page data, numbered by the order the pages were fed, then cut into
chunks and named by hashes. So a bundle can be split back into entries, one
per page, and entries of pages indexed in different runs assembled into the
bundle one run over all of them would write (pagefindassembly.py).

The index files are gzip-compressed CBOR after the signature b"pagefind_dcd":

    index/<hash>.pf_index     [[[word, [[page delta, locs, meta_locs], ...], [[form, [[page delta, ...]...]]...]]...]]
    filter/<hash>.pf_filter   [name, [[value, [page, ...]], ...]]
    fragment/<hash>.pf_fragment   the page's JSON (not CBOR)
    pagefind.<hash>.pf_meta   [version, [[fragment hash, word count]...], [[from, to, chunk hash]...],
                               [[filter, hash]...], [[sort, [page...]]...], [meta field...]]

The metadata and filters are read and written by cbor2, whose encoding of
these values (minimal heads, definite lengths) is byte for byte what
Pagefind's minicbor writes (tests/test_pagefind_assembly.py compares the
chunks' names, which are hashes of their bytes); searchbundle.py's small
codec reads no negative integers, which positions hold. The word chunks,
most of a bundle, are not decoded into Python integers at all: ChunkReader
walks their bytes and keeps each page's positions as the bytes they are,
which the assembly copies into its chunks (decoding with cbor2 and encoding
again cost twice the time).

Two things no bundle says, so entries are only exchangeable when every run
met the same conditions: whether a document has a data-pagefind-body
element (Pagefind leaves out pages without one when any page has one; every
briefing document has one), and a document's language (a page without one
joins the run's main language: every document declares its own). Sort keys
(data-pagefind-sort) keep only their order in a bundle: a bundle with sorts
is refused.
"""

from __future__ import annotations

import array
import contextlib
import functools
import gc
import gzip
import hashlib
import json
import os
import zlib
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, NamedTuple

import cbor2

SIGNATURE = b"pagefind_dcd"
ENTRY_FILE = "pagefind-entry.json"
INDEX_SUFFIXES = (".pf_meta", ".pf_index", ".pf_filter", ".pf_fragment")
"""The files of a language's index; any other file of a bundle is Pagefind's own (scripts, styles, wasm)."""


class BundleFormatError(ValueError):
    """A bundle this module cannot read, or cannot split into entries."""


# ----------------------------------------------------------------- files and names


def decode_file(content: bytes) -> bytes:
    """A compressed index file's payload: the bytes after Pagefind's signature."""
    try:
        data = gzip.decompress(content)
    except (OSError, EOFError, zlib.error) as exc:
        raise BundleFormatError(f"a file of the index is not gzip-compressed ({exc})") from exc
    if not data.startswith(SIGNATURE):
        raise BundleFormatError("a file of the index does not start with Pagefind's signature")
    return data[len(SIGNATURE) :]


def encode_file(payload: bytes, level: int = 9) -> bytes:
    """Compressed as Pagefind compresses (level 9 unless told), with no time stamp: the same payload, the same bytes."""
    return gzip.compress(SIGNATURE + payload, compresslevel=level, mtime=0)


def encode_files(payloads: Mapping[str, bytes], level: int) -> dict[str, bytes]:
    """encode_file of each payload, by the same keys, over a thread a core: zlib lets go of the GIL while it
    compresses, so both cores share a cold assembly's 5,000 fragments or an edit's hundreds of chunks."""
    if len(payloads) < 2:
        return {key: encode_file(payload, level) for key, payload in payloads.items()}
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        encoded = pool.map(functools.partial(encode_file, level=level), payloads.values(), chunksize=8)
        return dict(zip(payloads, encoded, strict=True))


def pagefind_hash(content: bytes) -> str:
    """Pagefind's full_hash: SHA-1, each byte in hex without its leading zero (Rust's `{:x?}` of a u8)."""
    return "".join(format(byte, "x") for byte in hashlib.sha1(content).digest())  # noqa: S324 - Pagefind's names


@contextlib.contextmanager
def without_collection() -> Iterator[None]:
    """No cycle collection while millions of small objects with no cycles are made (positions, pages):
    Python's collector would walk them all again and again (a third of a cold assembly's time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def decode_cbor(payload: bytes) -> Any:
    try:
        return cbor2.loads(payload)
    except (cbor2.CBORDecodeError, ValueError) as exc:
        raise BundleFormatError(f"unreadable CBOR in Pagefind's index ({exc})") from exc


def encode_cbor(value: Any) -> bytes:
    return cbor2.dumps(value)


# ----------------------------------------------------------------- entries


class Locations(NamedTuple):
    """Where one form of a word is on one page, as Pagefind packs it (index_words.rs, PackedPage).

    A named tuple, as PageWord: a bundle of 1,000 briefings has 440,000 of each,
    and a tuple is made in half the time of a frozen dataclass."""

    packed: bytes
    """Two CBOR arrays as the index holds them, copied as they are: the positions (weight changes
    as negative markers), then the meta positions (meta_locs below)."""
    meta_locs: tuple[int, ...]
    """Positions in the page's meta, each field's run led by -(field + 1), the field numbered
    among the page's own meta fields (sorted); renumbered among all pages' fields when assembled."""
    size: int
    """What the chunking counts for this page: positions + meta positions + 1 (mod.rs, chunk_index)."""


class PageWord(NamedTuple):
    """A word of a page: its normal form's locations and its forms with diacritics."""

    word: str
    normal: Locations | None
    """None when the page has the word only with diacritics."""
    variants: tuple[tuple[str, Locations], ...]
    """In the page's own order, the order Pagefind meets them: forms in the text sorted, then forms only in meta."""


@dataclass(frozen=True, slots=True)
class PageEntry:
    """Everything Pagefind's index holds for one page, independent of the other pages."""

    url: str
    language: str
    wasm: str | None
    """The language whose stemming module the browser loads (pagefind-entry.json), None without one."""
    fragment: bytes
    """The fragment's JSON as Pagefind wrote it (url, content, word count, filters, meta, anchors)."""
    word_count: int
    meta_fields: tuple[str, ...]
    """The page's meta fields, sorted: what the field numbers of its meta_locs count."""
    filters: tuple[tuple[str, tuple[str, ...]], ...]
    """Filter name -> values, both sorted."""
    words: tuple[PageWord, ...]
    """Sorted by word."""
    digest: str
    """Of all the above: entries with the same digest index the same."""


def entry_digest(url: str, language: str, wasm: str | None, fragment: bytes, words: tuple[PageWord, ...]) -> str:
    """A digest of everything an entry holds (the fragment carries its filters, meta and word count)."""
    parts = [json.dumps([url, language, wasm]).encode("utf-8"), fragment]
    for word in words:
        normal = word.normal.packed if word.normal is not None else b""  # never empty when there
        parts += [word.word.encode("utf-8"), normal, len(word.variants).to_bytes(4, "big")]
        for form, locations in word.variants:
            parts += [form.encode("utf-8"), locations.packed]
    hasher = hashlib.sha256()
    # Every part's length, then the parts: no two entries' parts can run together alike.
    hasher.update(array.array("Q", [len(part) for part in parts]).tobytes())
    hasher.update(b"".join(parts))
    return hasher.hexdigest()


# ----------------------------------------------------------------- a bundle split into entries


def split_bundle(files: Mapping[str, bytes]) -> tuple[PageEntry, ...]:
    """Every page of a bundle (relative path -> bytes, as Pagefind wrote it) as an entry, in the bundle's order."""
    try:
        entry_meta = json.loads(files[ENTRY_FILE])
        languages = entry_meta["languages"]
    except (KeyError, ValueError, TypeError) as exc:
        raise BundleFormatError(f"{ENTRY_FILE} is missing or unreadable ({exc!r})") from exc
    entries: list[PageEntry] = []
    for language, details in sorted(languages.items()):
        try:
            with without_collection():
                entries += _split_language(files, language, details["hash"], details.get("wasm"))
        except BundleFormatError:
            raise
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise BundleFormatError(
                f"the {language} index is not laid out as Pagefind 1.5 lays it out ({exc!r})"
            ) from exc
    return tuple(entries)


def _split_language(files: Mapping[str, bytes], language: str, meta_hash: str, wasm: str | None) -> list[PageEntry]:
    meta = decode_cbor(decode_file(files[f"pagefind.{meta_hash}.pf_meta"]))
    _version, pages, chunks, filters, sorts, meta_fields = meta
    if sorts:
        raise BundleFormatError("the index has sort keys, whose values a bundle does not keep: it cannot be split")
    fragments = [decode_file(files[f"fragment/{fragment_hash}.pf_fragment"]) for fragment_hash, _count in pages]
    decoded = [json.loads(fragment) for fragment in fragments]
    renumber = _renumbering(meta_fields, [sorted(page["meta"]) for page in decoded])
    words: list[list[PageWord]] = [[] for _ in pages]
    for _from, _to, chunk_hash in chunks:
        for word, normal, variants in ChunkReader(decode_file(files[f"index/{chunk_hash}.pf_index"]), renumber):
            if not variants:
                for page, locations in normal:
                    words[page].append(PageWord(word, locations, ()))
                continue
            normal_of = dict(normal)
            forms_of: dict[int, list[tuple[str, Locations]]] = {}
            for form, form_pages in variants:
                for page, locations in form_pages:
                    forms_of.setdefault(page, []).append((form, locations))
            for page in sorted(normal_of.keys() | forms_of.keys()):
                # A page meets the forms of its text in sorted order, then forms found only in its meta (mod.rs).
                forms = sorted(forms_of.get(page, []), key=lambda item: (item[1].packed[0] == EMPTY_ARRAY, item[0]))
                words[page].append(PageWord(word, normal_of.get(page), tuple(forms)))
    page_filters: list[dict[str, list[str]]] = [{} for _ in pages]
    for _name, filter_hash in filters:
        name, values = decode_cbor(decode_file(files[f"filter/{filter_hash}.pf_filter"]))
        for value, value_pages in values:
            for page in value_pages:
                page_filters[page].setdefault(name, []).append(value)
    entries = []
    for number, (fragment, page_data, (_hash, word_count)) in enumerate(zip(fragments, decoded, pages, strict=True)):
        page_words = tuple(words[number])
        url = page_data["url"]
        entries.append(
            PageEntry(
                url=url,
                language=language,
                wasm=wasm,
                fragment=fragment,
                word_count=word_count,
                meta_fields=tuple(sorted(page_data["meta"])),
                filters=tuple((name, tuple(sorted(values))) for name, values in sorted(page_filters[number].items())),
                words=page_words,
                digest=entry_digest(url, language, wasm, fragment, page_words),
            )
        )
    return entries


def _renumbering(meta_fields: list[str], fields_of: list[list[str]]) -> list[dict[int, int] | None]:
    """For each page, the index's meta field numbers -> the page's own (None where they are the same)."""
    out: list[dict[int, int] | None] = []
    for own in fields_of:
        if own == meta_fields:
            out.append(None)
        else:
            out.append({number: own.index(name) for number, name in enumerate(meta_fields) if name in own})
    return out


PageLocations = list[tuple[int, "Locations"]]
ChunkWord = tuple[str, PageLocations, list[tuple[str, PageLocations]]]
EMPTY_ARRAY = 0x80
_INTEGER_LENGTH = [0] * 256
"""Bytes of a CBOR integer (major type 0 or 1) by its first byte; 0 for anything else."""
for _major in (0, 1):
    for _info in range(28):
        _INTEGER_LENGTH[_major << 5 | _info] = 1 + (0 if _info < 24 else 1 << (_info - 24))


class ChunkReader:
    """A chunk's words read from its bytes, each page's positions kept as the bytes they are
    (only meta positions, a few, are decoded: their field numbers change between bundles)."""

    def __init__(self, data: bytes, renumber: list[dict[int, int] | None]) -> None:
        self.data = data
        self.at = 0
        self.renumber = renumber

    def __iter__(self) -> Iterator[ChunkWord]:
        """Each word of the chunk: (word, [(page, locations)], [(form, [(page, locations)])])."""
        if self._array() != 1:
            raise BundleFormatError("a chunk of the index is not one array of words")
        for _ in range(self._array()):
            if self._array() != 3:
                raise BundleFormatError("a word of the index is not [word, pages, forms]")
            word = self._text()
            normal = self._pages()
            variants: list[tuple[str, PageLocations]] = []
            for _ in range(self._array()):
                if self._array() != 2:
                    raise BundleFormatError("a form of a word is not [form, pages]")
                variants.append((self._text(), self._pages()))
            yield word, normal, variants
        if self.at != len(self.data):
            raise BundleFormatError("bytes after the end of a chunk of the index")

    def _head(self, major: int) -> int:
        data, at = self.data, self.at
        first = data[at]
        if first >> 5 != major:
            raise BundleFormatError(f"CBOR major type {first >> 5} where {major} was expected")
        info = first & 31
        if info < 24:
            self.at = at + 1
            return info
        if info > 27:
            raise BundleFormatError("CBOR of indefinite length is not expected in Pagefind's index")
        size = 1 << (info - 24)
        self.at = at + 1 + size
        return int.from_bytes(data[at + 1 : at + 1 + size], "big")

    def _array(self) -> int:
        return self._head(4)

    def _text(self) -> str:
        length = self._head(3)
        start = self.at
        self.at += length
        return self.data[start : self.at].decode("utf-8")

    def _pages(self) -> PageLocations:
        """[[page delta, positions, meta positions], ...]: read in one loop, as it is most of a chunk."""
        out = []
        page = 0
        data, lengths = self.data, _INTEGER_LENGTH
        for _ in range(self._array()):
            at = self.at
            if data[at] != 0x83:
                raise BundleFormatError("a page of a word is not [page, positions, meta positions]")
            self.at = at + 1
            page += self._head(0)
            arrays = []
            for _array in range(2):
                start = self.at
                count = self._array()
                at = self.at
                for _ in range(count):
                    skip = lengths[data[at]]
                    if not skip:
                        raise BundleFormatError("a position of the index is not an integer")
                    at += skip
                self.at = at
                arrays.append((start, count))
            (start, locs), (meta_start, meta_count) = arrays
            packed = data[start : self.at]
            meta: tuple[int, ...] = ()
            if meta_count:
                meta = tuple(decode_cbor(data[meta_start : self.at]))
                renumber = self.renumber[page]
                if renumber is not None:
                    meta = tuple(-(renumber[-n - 1] + 1) if n < 0 else n for n in meta)
                    packed = data[start:meta_start] + encode_cbor(list(meta))
            out.append((page, Locations(packed, meta, locs + meta_count + 1)))
        return out


def static_files(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """Pagefind's own files of a bundle (pagefind.js, the stemming modules, the interfaces): all but the index."""
    return {
        name: content for name, content in files.items() if name != ENTRY_FILE and not name.endswith(INDEX_SUFFIXES)
    }


@dataclass(frozen=True, slots=True)
class PagefindRun:
    """What the assembled bundle takes from a Pagefind run: its version, options and own files."""

    version: str
    include_characters: tuple[str, ...]
    static_files: Mapping[str, bytes]
    """pagefind.js, wasm.<language>.pagefind, the interfaces (pagefindformat.static_files)."""


def run_of(files: Mapping[str, bytes]) -> PagefindRun:
    """The run that wrote a bundle."""
    entry = json.loads(files[ENTRY_FILE])
    return PagefindRun(str(entry["version"]), tuple(entry["include_characters"]), static_files(files))
