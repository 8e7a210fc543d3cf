"""The kept index (pagefindkept.py): read back from its bytes and updated in place, it writes the files a
fresh assembly of the same entries writes, byte for byte; what it cannot update in place it refuses.

The oracle is pagefindassembly.Assembly (itself tested against Pagefind in test_pagefind_assembly.py),
on that module's corpus of several languages with words in forms with diacritics."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from briefgen.pagefindassembly import Assembly, assemble
from briefgen.pagefindformat import PageEntry, pagefind_hash, run_of, split_bundle
from briefgen.pagefindkept import KeptIndex
from tests.pagefindfeed import bundle_of
from tests.test_pagefind_assembly import Documents, corpus_document, documents, in_order, whole

__all__ = ["documents", "whole"]  # the fixtures, shared with the assembly's tests


def kept_of(entries: Sequence[PageEntry], files_of: dict[str, bytes], run: object) -> KeptIndex:
    assembly = Assembly(run)  # type: ignore[arg-type]
    assembly.update(entries)
    files_of.update(assembly.files())
    kept = KeptIndex.of_assembly(assembly, {entry.url: entry.url for entry in entries}, files_of)
    return KeptIndex.from_bytes(b"".join(kept.to_pieces()))


def updated(kept: KeptIndex, entries: Sequence[PageEntry], old: dict[str, PageEntry], written: dict[str, bytes]):  # type: ignore[no-untyped-def]
    """The kept index made the pages `entries` (keys: their addresses; an entry the index has is None)."""
    have = kept.pages()
    pages = [(e.url, None if e.url in have and have[e.url].digest == e.digest else e) for e in entries]
    changed = {url for url, entry in pages if entry is not None and url in have}
    pages = [(url + "#new" if url in changed else url, entry) for url, entry in pages]
    added = kept.update(pages, old.get)
    if added is None:
        return None
    fragments = {f"{e.language}_{pagefind_hash(e.fragment)}": e.fragment for e in added.values()}
    return kept.files(fragments, written.get)


def test_pages_edited_added_and_removed_at_the_end_give_a_fresh_assembly_s_bytes(
    documents: Documents, whole: dict[str, bytes]
) -> None:
    part = documents[:150]
    run = run_of(whole)
    old = {entry.url: entry for entry in split_bundle(whole)}
    written: dict[str, bytes] = {}
    kept = kept_of(in_order(old.values(), part), written, run)
    url, html = part[40]
    # A word of its own gone, new words with diacritics, and "45", page 45's own word: its delta changes.
    edited_html = html.replace(" 40</", " forty</").replace("<p>", "<p>café wholly new words Київ 45 ", 1)
    edited = [*part[:40], (url, edited_html), *part[41:], corpus_document(999, random.Random(5))]
    fresh = {entry.url: entry for entry in split_bundle(bundle_of([edited[40], edited[-1]])[0])}
    entries = [fresh.get(u, old.get(u)) for u, _html in edited]
    # Entries by key: a page new to the index under its address, the edited page's new entry under another.
    known = {**{u: e for u, e in fresh.items() if u not in old}, **old, **{u + "#new": e for u, e in fresh.items()}}
    files = updated(kept, entries, known, written)  # type: ignore[arg-type]
    assert files is not None, "an edit and a page at the end are updated in place"
    assert files == assemble(entries, run)  # type: ignore[arg-type]
    assert sum(written.get(name) == content for name, content in files.items()) > len(files) // 2, (
        "most files are the ones the output has"
    )
    fewer = entries[:-3]
    kept = KeptIndex.from_bytes(b"".join(kept.to_pieces()))  # the updated words kept as columns, among the others
    assert updated(kept, fewer, known, files) == assemble(fewer, run)  # type: ignore[arg-type]


@pytest.mark.parametrize("change", ["first put in", "two swapped"])
def test_pages_that_move_are_left_to_a_fresh_assembly(
    documents: Documents, whole: dict[str, bytes], change: str
) -> None:
    part = documents[:60]
    run = run_of(whole)
    old = {entry.url: entry for entry in split_bundle(whole)}
    entries = in_order(old.values(), part)
    kept = kept_of(entries, {}, run)
    moved = [entries[-1], *entries[:-1]] if change == "first put in" else [entries[1], entries[0], *entries[2:]]
    assert updated(kept, moved, old, {}) is None


def test_bytes_that_are_not_a_kept_index_are_refused() -> None:
    with pytest.raises(ValueError, match="kept index"):
        KeptIndex.from_bytes(b"\x00not marshal")
