"""One Pagefind bundle assembled from per-page entries against Pagefind's own bundle of the same pages.

The oracle is Pagefind itself (its service, fed through its pipe): the pages
fed in one run, in the order the assembler numbers them, against entries
split from runs over smaller batches of the same pages. The word index must
come out byte for byte (its chunks are named by a hash of their bytes, so
the names are compared), the fragments too; the filters and the metadata
after sorting what Pagefind writes in a hash map's order.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from briefgen.build import build_site
from briefgen.pagefindassembly import (
    Assembly,
    assemble,
    chunk_ranges,
    cut_chunks,
    fragment_names,
    short_name,
)
from briefgen.pagefindformat import (
    ENTRY_FILE,
    BundleFormatError,
    PageEntry,
    decode_cbor,
    decode_file,
    run_of,
    split_bundle,
)
from tests.pagefindfeed import bundle_of
from tests.sitetools import copy_example

Documents = list[tuple[str, str]]

# ----------------------------------------------------------------- a corpus in several languages

TEXTS = {
    "en": "front shelling drones offensive café naïve Zürich résumé brigade artillery ceasefire talks",
    "fr": "café élève hôpital déjà frappe négociations trêve armée région côté mère forêt",
    "uk": "Київ Харків обстріл наступ фронт дрони перемир'я їжа область українські сили",
    "ar": "غزة رفح قصف هدنة مفاوضات مساعدات إنسانية مستشفى جنين حلب",
}
"""Words of each language, with diacritics ("café", "Київ") that Pagefind indexes under a normal form."""
WORDS = {language: text.split() for language, text in TEXTS.items()}
NUMBERS = [str(n) for n in range(1000, 1400)]


def _sentence(rng: random.Random, language: str) -> str:
    words = [rng.choice(WORDS[language] + NUMBERS[:40]) for _ in range(rng.randint(6, 14))]
    return " ".join(words) + "."


def corpus_document(number: int, rng: random.Random) -> tuple[str, str]:
    """A page as briefgen feeds Pagefind: a body, filters, meta (some pages with a field of their own)."""
    language = ("en", "en", "fr", "uk", "ar")[number % 5]
    title = " ".join(rng.choice(WORDS[language]) for _ in range(3)) + f" {number}"
    meta = f'<span data-pagefind-meta="source">Source {number % 7} Zürich</span>'
    if number % 3 == 0:
        meta += f'<span data-pagefind-meta="author">Олена Café {number % 4}</span>'
    extra = ""
    if number % 11 == 0:
        # "resumé" only in meta, after the text's forms though it sorts before them: a page meets
        # the forms of its text first (sorted), then those of its meta.
        meta += f'<span data-pagefind-meta="aardvark">{rng.choice(WORDS[language])} resumé only-in-meta</span>'
        extra = "<p>résumé résume</p>"
    filters = f'<span data-pagefind-filter="year">{2022 + number % 4}</span>'
    filters += "".join(
        f'<span data-pagefind-filter="tag">{tag}</span>'
        for tag in sorted(rng.sample(["kyiv", "gaza", "naval", "café", "Київ", "غزة"], rng.randint(0, 3)))
    )
    paragraphs = "".join(
        f"<p>{' '.join(_sentence(rng, language) for _ in range(rng.randint(2, 6)))}</p>"
        for _ in range(rng.randint(1, 5))
    )
    heading = f"<h2>{_sentence(rng, language)}</h2>{extra}" if number % 2 else extra
    html = (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8"><title>{title}</title></head>'
        f'<body><div data-pagefind-ignore="index">{meta}{filters}</div>'
        f"<main data-pagefind-body><h1>{title}</h1>{heading}{paragraphs}</main></body></html>"
    )
    return f"/briefings/{number:04d}/", html


def corpus(count: int, seed: int = 7) -> Documents:
    rng = random.Random(seed)
    return [corpus_document(number, rng) for number in range(count)]


# ----------------------------------------------------------------- comparing bundles


def _payload(files: Mapping[str, bytes], name: str) -> Any:
    return decode_cbor(decode_file(files[name]))


def canonical(files: Mapping[str, bytes]) -> dict[str, Any]:
    """A bundle with what Pagefind orders by a hash map sorted, and the names that follow from it left out."""
    import json  # noqa: PLC0415

    entry = json.loads(files[ENTRY_FILE])
    out: dict[str, Any] = {"version": entry["version"], "include": entry["include_characters"], "languages": {}}
    for language, details in sorted(entry["languages"].items()):
        version, pages, chunks, filters, sorts, fields = _payload(files, f"pagefind.{details['hash']}.pf_meta")
        out["languages"][language] = {
            "wasm": details["wasm"],
            "page_count": details["page_count"],
            "meta": [version, pages, chunks, sorted(name for name, _hash in filters), sorts, fields],
            "chunks": [decode_file(files[f"index/{chunk}.pf_index"]) for _from, _to, chunk in chunks],
            "fragments": [decode_file(files[f"fragment/{name}.pf_fragment"]) for name, _count in pages],
            "filters": {
                name: sorted([value, sorted(pages)] for value, pages in _payload(files, f"filter/{hash_}.pf_filter")[1])
                for name, hash_ in filters
            },
        }
    out["static"] = sorted(name for name in files if not name.endswith((".pf_meta", ".pf_index", ".pf_filter")))
    out["static"] = [name for name in out["static"] if not name.startswith("fragment/")]
    return out


def entries_from_batches(documents: Documents, batches: int, seed: int, **options: Any) -> list[PageEntry]:
    """Entries split from Pagefind's bundles of `batches` runs, each over some of the documents, shuffled."""
    rng = random.Random(seed)
    shuffled = documents[:]
    rng.shuffle(shuffled)
    entries: list[PageEntry] = []
    for batch in range(batches):
        files, _times = bundle_of(shuffled[batch::batches], **options)
        entries += split_bundle(files)
    return entries


def in_order(entries: Sequence[PageEntry], documents: Documents) -> list[PageEntry]:
    by_url = {entry.url: entry for entry in entries}
    return [by_url[url] for url, _html in documents]


def assert_same_index(ours: Mapping[str, bytes], pagefinds: Mapping[str, bytes]) -> None:
    mine, theirs = canonical(ours), canonical(pagefinds)
    for language in theirs["languages"]:
        for part in ("meta", "chunks", "fragments", "filters", "wasm", "page_count"):
            assert mine["languages"][language][part] == theirs["languages"][language][part], (language, part)
    assert mine == theirs
    # Chunks and fragments are named by their bytes: the same names, the same bytes as Pagefind's.
    named = {name for name in pagefinds if name.startswith(("index/", "fragment/"))}
    assert named == {name for name in ours if name.startswith(("index/", "fragment/"))}


# ----------------------------------------------------------------- the tests


@pytest.fixture(scope="module")
def documents() -> Documents:
    return corpus(360)


@pytest.fixture(scope="module")
def whole(documents: Documents) -> dict[str, bytes]:
    files, _times = bundle_of(documents)
    return files


def test_the_corpus_has_what_the_assembly_must_get_right(whole: dict[str, bytes]) -> None:
    found = canonical(whole)
    assert set(found["languages"]) == {"en", "fr", "uk", "ar"}
    english = found["languages"]["en"]
    assert len(english["chunks"]) > 1, "more than one chunk, so that chunking is tested"
    words = {word: variants for chunk in english["chunks"] for word, _pages, variants in decode_cbor(chunk)[0]}
    assert {form for form, _pages in words["cafe"]} == {"café"}, "a form with diacritics under its normal form"
    assert [form for form, _pages in words["resum"]] == ["résume", "résumé", "resumé"], (
        "the first page's order (stemmed)"
    )
    assert any(pages[0][2] for _word, pages, _variants in decode_cbor(english["chunks"][0])[0] if pages)
    assert english["meta"][5] == ["aardvark", "author", "source", "title"], "pages with meta fields of their own"


def test_entries_from_three_batches_assemble_into_pagefinds_index(
    documents: Documents, whole: dict[str, bytes]
) -> None:
    entries = entries_from_batches(documents, batches=3, seed=1)
    assert len(entries) == len(documents)
    assembled = assemble(in_order(entries, documents), run_of(whole))
    assert_same_index(assembled, whole)


def test_the_same_entries_give_the_same_bytes(documents: Documents, whole: dict[str, bytes]) -> None:
    entries = in_order(split_bundle(whole), documents)
    first = assemble(entries, run_of(whole))
    second = assemble(list(entries), run_of(whole))
    assert first == second
    assert first.keys() == second.keys()


def test_chunks_cut_as_pagefind_cuts_them_at_a_small_chunk_size(documents: Documents) -> None:
    """At 300 positions a chunk, the index has dozens of chunks: a wrong rule (counting the forms
    with diacritics, closing past the size rather than at it, untrimmed ranges) names them otherwise."""
    part = documents[:120]
    files, _times = bundle_of(part, chunk_size=300)
    entries = in_order(entries_from_batches(part, batches=2, seed=3, chunk_size=300), part)
    assert len(canonical(files)["languages"]["en"]["chunks"]) > 20
    assert_same_index(assemble(entries, run_of(files), chunk_size=300), files)
    assert assemble(entries, run_of(files), chunk_size=299) != assemble(entries, run_of(files), chunk_size=300)


@pytest.mark.parametrize("chunk_size", [20, 45, 110])
def test_chunks_cut_as_pagefind_cuts_them_around_the_words_with_diacritics(
    documents: Documents, chunk_size: int
) -> None:
    """Chunks of a few words: a chunk closes right after a word with forms of diacritics as often as not,
    so that counting a form's positions (Pagefind counts only the normal form's) moves a boundary."""
    part = [document for document in documents[:60] if 'lang="en"' in document[1]]
    files, _times = bundle_of(part, chunk_size=chunk_size)
    entries = in_order(split_bundle(files), part)
    assert_same_index(assemble(entries, run_of(files), chunk_size=chunk_size), files)


def test_chunking_follows_pagefinds_own_tests() -> None:
    """pagefind/src/index/mod.rs: build_index_chunks, build_chunk_meta and common_prefix."""
    words = ["apple", "apricot", "banana", "peach"]
    sizes = [3 + 1 + 3 + 1, 3 + 1, 4 + 1, 3 + 1]  # apple on two pages
    chunks = cut_chunks(sizes, 8)
    assert chunks == [(0, 0), (1, 2), (3, 3)]
    assert chunk_ranges(words, chunks) == [["apple", "apple"], ["apr", "b"], ["p", "peach"]]
    assert chunk_ranges(["cath", "cathartic"], [(0, 0), (1, 1)]) == [["cath", "cath"], ["catha", "cathartic"]]


def test_names_lengthened_on_a_collision_as_pagefind_lengthens_them() -> None:
    """mod.rs: a fragment's name gains one character while an earlier page's holds it; a chunk's or
    a filter's gains two (its loop slices `[0..=len + 1]`). Seven hex digits rarely collide in a test."""
    assert fragment_names(["en_abcdefg111", "en_abcdefg222", "en_abcdefg2ff"], 10) == [
        "en_abcdefg",
        "en_abcdefg2",
        "en_abcdefg2f",
    ]
    assert short_name("en_abcdefg123", 10, {"en_abcdefg": None}) == "en_abcdefg12"
    assert short_name("en_abcdefg123", 10, {}) == "en_abcdefg"


def test_pages_replaced_added_and_removed_update_as_a_whole_run(documents: Documents, whole: dict[str, bytes]) -> None:
    """An Assembly updated entry by entry gives Pagefind's index of the pages it then has, and the bytes
    a cold assembly of the same entries gives: a page edited (a word of its own gone, new words with
    diacritics), a page added at the end, the last page taken out, a page put in first (every page's
    number moves)."""
    part = documents[:150]
    run = run_of(whole)
    old = {entry.url: entry for entry in split_bundle(whole)}
    assembly = Assembly(run)
    assembly.update(in_order(old.values(), part))
    assembly.files()
    url, html = part[40]
    assert html.count(" 40</") == 2, "the page's number, in its title and heading, is a word of its own"
    # "45", page 45's own word, now on page 40 too: page 45's delta in its list changes from 45 to 5.
    edited_html = html.replace(" 40</", " forty</").replace("<p>", "<p>café wholly new words Київ 45 ", 1)
    edited = [*part[:40], (url, edited_html), *part[41:], corpus_document(999, random.Random(5))]
    first = corpus_document(998, random.Random(6))
    fresh = {entry.url: entry for entry in split_bundle(bundle_of([edited[40], edited[-1], first])[0])}
    for pages in (edited, edited[:-1], [first, *edited[:-1]]):
        entries = [fresh.get(url, old.get(url)) for url, _html in pages]
        assembly.update(entries)  # type: ignore[arg-type]
        updated = assembly.files()
        expected, _times = bundle_of(pages)
        assert_same_index(updated, expected)
        assert updated == assemble(entries, run), "byte-identical to a cold assembly"  # type: ignore[arg-type]


def test_a_bundle_that_cannot_be_split_is_an_error_that_says_why(documents: Documents) -> None:
    files, _times = bundle_of(documents[:10])
    chunk = next(name for name in files if name.startswith("index/"))
    with pytest.raises(BundleFormatError, match="not gzip"):
        split_bundle({**files, chunk: files[chunk][:50]})
    with pytest.raises(BundleFormatError, match=r"pagefind-entry\.json"):
        split_bundle({name: content for name, content in files.items() if name != ENTRY_FILE})
    sorted_page = documents[0][1].replace("<h1>", '<h1 data-pagefind-sort="weight:3">')
    with pytest.raises(BundleFormatError, match="sort keys"):
        split_bundle(bundle_of([(documents[0][0], sorted_page)])[0])


def test_the_example_archive(tmp_path: Path) -> None:
    build_site(copy_example(tmp_path / "root"), output=tmp_path / "site", search=False)
    site = tmp_path / "site"
    pages = sorted(site.glob("briefings/*/*/*/*/index.html"))
    documents = [("/" + p.parent.relative_to(site).as_posix() + "/", p.read_text("utf-8")) for p in pages]
    assert len(documents) == 3
    whole, _times = bundle_of(documents)
    entries = [entry for url, html in documents for entry in split_bundle(bundle_of([(url, html)])[0])]
    assert {entry.language for entry in entries} == {"en", "ar"}
    assert_same_index(assemble(in_order(entries, documents), run_of(whole)), whole)
