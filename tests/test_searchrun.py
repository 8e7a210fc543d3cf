"""Pagefind run over the documents (searchrun.py): the flat scratch pages, a fast path, against pages at their
addresses, the reference (BRIEFGEN_NO_FAST_PATHS=1)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from briefgen import searchrun
from briefgen.fast.searchrun import PLAIN_ADDRESS, entry_readdressed
from briefgen.fast.switch import SWITCH
from briefgen.load import load_archive
from briefgen.pagefindformat import BundleFormatError, PageEntry
from briefgen.search import SearchStep
from briefgen.searchrun import IndexDocument, find_pagefind, index_documents
from tests.sitetools import copy_example, make_corpus


def documents_of(root: Path) -> list[IndexDocument]:
    """Every briefing's document of the site root `root`, as a build feeds them to Pagefind."""
    archive, _ = load_archive(root)
    pagefind = find_pagefind()
    assert not isinstance(pagefind, str), pagefind
    step = SearchStep(pagefind, root / "unused", None, archive=archive)
    return [step._with_html(document) for document in step.documents]


def entries_of(documents: list[IndexDocument], scratch: Path) -> dict[str, PageEntry]:
    pagefind = find_pagefind()
    assert not isinstance(pagefind, str), pagefind
    made, _files = index_documents(pagefind.executable, documents, scratch)
    return made


@pytest.fixture
def documents(tmp_path: Path) -> list[IndexDocument]:
    """The example archive's documents (English and Arabic, notes, places) and a corpus's, with some at
    addresses no briefgen build makes: in Arabic letters, with a space, with every character a plain
    address may have, and with a percent sign."""
    example = documents_of(copy_example(tmp_path / "example"))
    corpus = documents_of(make_corpus(tmp_path / "corpus", briefings=12, length=0.3))
    odd = ["/briefings/2025/06/26/غزة/", "/briefings/a b/", "/briefings/A.b_c~d-e/", "/briefings/50%25/"]
    readdressed = [
        dataclasses.replace(document, key=f"{document.key}-{number}", url=url)
        for number, (document, url) in enumerate(zip(corpus, odd, strict=False))
    ]
    return example + corpus + readdressed


def test_flat_pages_give_the_entries_of_pages_at_their_addresses(
    documents: list[IndexDocument], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(searchrun, "BATCH_MOST", 7)  # batches of flat and nested pages side by side
    fast = entries_of(documents, tmp_path / "fast")
    monkeypatch.setenv(SWITCH, "1")
    reference = entries_of(documents, tmp_path / "reference")
    assert len(reference) == len(documents)
    assert fast == reference
    assert {entry.url for entry in fast.values()} == {document.url for document in documents}


def test_a_plain_address_is_written_as_a_flat_page_and_others_at_their_addresses(
    documents: list[IndexDocument], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Making a folder costs as much as a file: a page at its address costs one per briefing."""
    written: list[set[str]] = []
    run = searchrun.run_to_its_end

    def listed(command: list[str]):  # type: ignore[no-untyped-def]
        site = Path(command[command.index("--site") + 1])
        written.append({path.relative_to(site).as_posix() for path in site.rglob("*")})
        return run(command)

    monkeypatch.setattr(searchrun, "run_to_its_end", listed)
    entries_of(documents, tmp_path / "scratch")
    (pages,) = written
    plain = [document for document in documents if PLAIN_ADDRESS.fullmatch(document.url)]
    assert len(plain) == len(documents) - 3  # all but the Arabic address, the space and the percent sign
    assert {f"{number}.html" for number in range(len(documents))} & pages == {
        f"{number}.html" for number, document in enumerate(documents) if document in plain
    }
    assert "briefings/2025/06/26/غزة/index.html" in pages
    assert "briefings/a b/index.html" in pages
    assert "briefings/50%25/index.html" in pages
    assert "briefings/A.b_c~d-e/index.html" not in pages


def test_an_entry_is_readdressed_only_when_its_fragment_begins_with_its_address(
    documents: list[IndexDocument], tmp_path: Path
) -> None:
    entry = next(iter(entries_of(documents[:1], tmp_path / "scratch").values()))
    moved = entry_readdressed(entry, '/a "quoted" \\ address/')
    assert moved.fragment.startswith(b'{"url":"/a \\"quoted\\" \\\\ address/",')
    assert entry_readdressed(moved, entry.url) == entry
    with pytest.raises(BundleFormatError):
        entry_readdressed(dataclasses.replace(entry, url="/elsewhere/"), "/x/")
