"""The search index (searchdocs.py, search.py): documents without the theme, one index assembled from
an entry per briefing, and a rebuild that feeds Pagefind only what changed, byte-identical to a cold build."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import json
import marshal
import shutil
from pathlib import Path

import pytest

from briefgen import build as build_module
from briefgen import search, searchrun, searchstate
from briefgen.build import build_site
from briefgen.errors import DamagedCacheError
from briefgen.incremental.cache import CACHE_DIR
from briefgen.incremental.sealed import read_sealed, write_sealed
from briefgen.incremental.searchentries import (
    FOLDER,
    KEPT_FILE,
    KEPT_SLOTS,
    SearchEntries,
    compressed_entry,
    entry_from_bytes,
    fragment_from_bytes,
)
from briefgen.load import load_archive
from briefgen.model import Body, Briefing, Settings, Source
from briefgen.pagefindformat import PageEntry
from briefgen.pagefindkept import KEPT_FORMAT
from briefgen.pagefindmarshal import entry_marshalled
from briefgen.search import SearchError
from briefgen.searchbundle import SIGNATURE
from briefgen.searchdocs import index_order, search_document
from tests.sitetools import copy_example, make_corpus, snapshot

SOURCE = Source(key="isw", name="Institute for the Study of War")


def briefing(number: int) -> Briefing:
    day = dt.date(2024, 1, 1) + dt.timedelta(days=number // 3)
    return Briefing(
        path=f"briefings/{number}.md", title=f"Report {number}", date=day, source=SOURCE, slug=f"r-{number}", summary=""
    )


def fragments(bundle: Path) -> dict[str, dict[str, object]]:
    """Each page's fragment in the bundle, by its address."""
    found = {}
    for path in (bundle / "fragment").iterdir():
        page = json.loads(gzip.decompress(path.read_bytes())[len(SIGNATURE) :])
        found[page["url"]] = page
    return found


def test_the_index_numbers_pages_by_date_then_address() -> None:
    later = dataclasses.replace(briefing(0), date=dt.date(2025, 1, 1), slug="a-first")
    ordered = index_order([briefing(4), later, briefing(5), briefing(3)])
    assert [b.slug for b in ordered] == ["r-3", "r-4", "r-5", "a-first"]


def test_a_document_has_the_lang_and_dir_of_its_briefing_s_page_and_its_date_in_that_language() -> None:
    arabic = dataclasses.replace(briefing(0), language="ar")
    document = search_document(arabic, Body("<p>نص.</p>"), Settings())
    assert document.startswith('<!doctype html><html lang="ar" dir="rtl">')
    assert '<span data-pagefind-meta="date">1 يناير 2024</span>' in document
    assert search_document(briefing(0), Body("<p>Text.</p>"), Settings(language="en-GB")).startswith(
        '<!doctype html><html lang="en-GB" dir="ltr">'
    )


def test_a_document_is_the_title_takeaways_text_and_notes_with_filters_and_no_theme(tmp_path: Path) -> None:
    archive, _ = load_archive(copy_example(tmp_path / "root"))
    isw = next(b for b in archive.briefings if b.slug == "isw-north-korean-troops")
    document = search_document(isw, archive.bodies.body(isw), archive.settings)
    assert document.index("<h1>") < document.index("<ul><li>") < document.index("<ol><li>")
    for chrome in ("Key takeaways", "Read the original", "byline", "Notes</h2>", "↩"):
        assert chrome not in document
    assert '<span data-pagefind-filter="place">Toretsk</span>' in document
    assert '<span data-pagefind-meta="date">June 26, 2025</span>' in document
    plain = dataclasses.replace(isw, takeaways_html=())
    assert "<ul>" not in search_document(plain, Body("<p>Text.</p>"), archive.settings)


def test_an_excerpt_starts_with_the_text_not_the_byline(tmp_path: Path) -> None:
    site = tmp_path / "site"
    build_site(copy_example(tmp_path / "root"), output=site)
    page = fragments(site / "pagefind")["/briefings/2025/06/26/isw-north-korean-troops/"]
    content = str(page["content"])
    assert content.startswith("Russia weighs deploying North Korean troops in Ukraine. South Korean intelligence")
    for chrome in ("June 26, 2025 ·", "Read the original", "Key takeaways", "Institute for the Study of War Russia"):
        assert chrome not in content
    assert page["meta"] == {
        "date": "June 26, 2025",
        "source": "Institute for the Study of War",
        "title": "Russia weighs deploying North Korean troops in Ukraine",
    }


def test_the_example_s_arabic_briefing_is_indexed_under_ar(tmp_path: Path) -> None:
    site = tmp_path / "site"
    build_site(copy_example(tmp_path / "root"), output=site)
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text("utf-8"))
    assert {language: details["page_count"] for language, details in entry["languages"].items()} == {"ar": 1, "en": 2}
    by_language = {
        p.name.split("_")[0]: json.loads(gzip.decompress(p.read_bytes())[len(SIGNATURE) :])["url"]
        for p in (site / "pagefind" / "fragment").glob("ar_*")
    }
    assert by_language == {"ar": "/briefings/2025/06/26/wilson-center-forced-displacement-ar/"}


@pytest.fixture
def indexed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many documents each build fed to Pagefind."""
    counts: list[int] = []
    bundle = search.SearchStep.bundle

    def counted(step: search.SearchStep, scratch: Path, **options: bool) -> dict[str, bytes]:
        files = bundle(step, scratch, **options)
        counts.append(step.indexed)
        return files

    monkeypatch.setattr(search.SearchStep, "bundle", counted)
    return counts


def cold_site(root: Path, tmp_path: Path) -> dict[str, bytes]:
    """The site a build with no cache and no earlier site makes of `root`."""
    build_site(root, output=tmp_path / "cold", use_cache=False)
    return snapshot(tmp_path / "cold")


def test_a_rebuild_feeds_pagefind_the_edited_briefing_only_and_matches_a_cold_build(
    tmp_path: Path, indexed: list[int]
) -> None:
    root = make_corpus(tmp_path / "root", briefings=24, length=0.3)
    site = root / "site"
    build_site(root)
    assert indexed == [24]
    edited = sorted((root / "briefings").rglob("*.md"))[10]
    edited.write_text(edited.read_text("utf-8") + "\nThe zanzibarite convoy.\n", "utf-8")
    build_site(root)
    assert indexed == [24, 1]
    assert any("zanzibarite" in str(p["content"]) for p in fragments(site / "pagefind").values())
    assert cold_site(root, tmp_path) == snapshot(site)


def test_batches_indexed_by_forked_workers_make_the_index_and_entries_of_one_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first build cuts the documents into batches that forked workers index, split and keep; the
    entries come back marshalled. Batches of 4 (six batches, two workers) against one batch of 24."""
    root = make_corpus(tmp_path / "root", briefings=24, length=0.3)
    build_site(root)
    one_run = snapshot(root / "site")
    entries = kept_entries(root)
    assert len(entries) == 24 and None not in entries.values()
    shutil.rmtree(root / "site")
    shutil.rmtree(root / CACHE_DIR)
    monkeypatch.setattr(searchrun, "BATCH_MOST", 4)
    batches: list[int] = []
    parallel_map = searchrun.parallel_map

    def counted(function, shared, items, workers, **options):  # type: ignore[no-untyped-def]
        batches.append(len(items))
        return parallel_map(function, shared, items, workers, **options)

    monkeypatch.setattr(searchrun, "parallel_map", counted)
    build_site(root)
    assert batches == [6]
    assert snapshot(root / "site") == one_run
    assert kept_entries(root) == entries  # the same entries (marshal's bytes follow the objects' sharing)


def kept_entries(root: Path) -> dict[str, PageEntry | None]:
    """Every entry in the cache, read back, by key."""
    kept = SearchEntries(root / CACHE_DIR)
    return {path.stem: kept.entry(path.stem) for path in (root / CACHE_DIR / FOLDER).glob("*.entry")}


def fresh_checkout(root: Path, tmp_path: Path) -> Path:
    """A new checkout of `root` (other inodes, the time of the checkout on every file) with its .briefgen-cache
    restored and no site, as the Pages workflow makes with actions/cache; a new process."""
    checkout = tmp_path / "checkout"
    shutil.copytree(root, checkout, copy_function=shutil.copy, ignore=shutil.ignore_patterns("site"))
    assert (checkout / CACHE_DIR).is_dir() and not (checkout / "site").exists()
    search._KEPT.clear()
    return checkout


@pytest.fixture
def entries_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The keys of the entries builds read whole (their words as well as their fragment)."""
    read: list[str] = []
    entry = SearchEntries.entry

    def counted(entries: SearchEntries, key: str) -> PageEntry | None:
        read.append(key)
        return entry(entries, key)

    monkeypatch.setattr(SearchEntries, "entry", counted)
    return read


def test_a_fresh_checkout_with_the_cache_restored_indexes_nothing_and_builds_the_same_site(
    tmp_path: Path, indexed: list[int], entries_read: list[str]
) -> None:
    """Pagefind runs for nothing, and no entry is read whole: the index's files are made again from the
    kept index, and from each entry only its fragment (5,000 briefings: 2 s, not 11)."""
    root = make_corpus(tmp_path / "root", briefings=24, length=0.3)
    build_site(root)
    checkout = fresh_checkout(root, tmp_path)
    entries_read.clear()
    build_site(checkout)
    assert indexed == [24, 0]
    assert entries_read == []
    assert snapshot(checkout / "site") == snapshot(root / "site")


@pytest.mark.parametrize("harm", ["damaged", "another briefing's"])
def test_a_fresh_checkout_whose_entry_is_damaged_or_another_s_builds_the_same_site(
    tmp_path: Path, indexed: list[int], entries_read: list[str], harm: str
) -> None:
    """An entry whose fragment cannot be read, or is not the one its page was made from (another
    briefing's entry, sealed as it should be, under its name): the index is assembled afresh from every
    entry, and that briefing indexed again."""
    root = make_corpus(tmp_path / "root", briefings=24, length=0.3)
    build_site(root)
    checkout = fresh_checkout(root, tmp_path)
    first, second = sorted((checkout / CACHE_DIR / FOLDER).glob("*.entry"))[:2]
    if harm == "damaged":
        first.write_bytes(first.read_bytes()[:-1] + b"!")
    else:
        shutil.copy(second, first)
    entries_read.clear()
    build_site(checkout)
    assert indexed == [24, 1]
    assert len(entries_read) >= 24
    assert snapshot(checkout / "site") == snapshot(root / "site")


def test_briefings_added_and_removed_leave_the_index_a_cold_build_makes(tmp_path: Path, indexed: list[int]) -> None:
    root = make_corpus(tmp_path / "root", briefings=24, length=0.3)
    build_site(root)
    briefings = sorted((root / "briefings").rglob("*.md"))
    for path in briefings[:9]:
        path.unlink()
    later = briefings[-1].with_name("zz-later.md")  # the last day's: a page at the end of the index
    later.write_text(briefings[-1].read_text("utf-8").replace("title:", "title: Later", 1), "utf-8")
    build_site(root)
    assert indexed == [24, 1]
    assert cold_site(root, tmp_path) == snapshot(root / "site")
    assert len(list((root / CACHE_DIR / FOLDER).glob("*.entry"))) == 16, "the removed briefings' entries are gone"


def test_a_damaged_entry_or_lost_pagefind_files_are_made_again_by_pagefind(tmp_path: Path, indexed: list[int]) -> None:
    root = copy_example(tmp_path / "root")
    build_site(root)
    store = root / CACHE_DIR / FOLDER
    first = sorted(store.glob("*.entry"))[0]
    first.write_bytes(first.read_bytes()[:-1] + b"!")
    kept = store / KEPT_FILE  # damaged too: the index is assembled afresh, every entry read
    kept.write_bytes(kept.read_bytes()[:-1] + b"!")
    for static in store.glob("static-*"):
        static.unlink()
    (root / "site" / "pagefind" / "pagefind-entry.json").unlink()  # so that the index is made again
    search._KEPT.clear()  # as a new process: the kept index read from the cache
    report = build_site(root)
    assert indexed[1] >= 1
    assert report.notices == (".briefgen-cache: 2 damaged entries rebuilt from their files",)
    assert cold_site(root, tmp_path) == snapshot(root / "site")


def test_a_kept_index_of_another_format_is_assembled_afresh_without_a_warning(tmp_path: Path) -> None:
    """A briefgen that keeps its index in another format than the last one's (an upgrade): its bytes
    match their digest, so they are not damaged, and the build says nothing of them."""
    root = make_corpus(tmp_path / "root", briefings=24, length=0.3)
    build_site(root)
    store = root / CACHE_DIR / FOLDER
    kept = store / KEPT_FILE
    state = searchstate.read_search_state(root / CACHE_DIR).encode()
    write_sealed(kept, state + b"\n" + marshal.dumps((4, "an index as format 4 kept it")))  # as briefgen kept it before
    edited = sorted((root / "briefings").rglob("*.md"))[5]
    edited.write_text(edited.read_text("utf-8") + "\nThe zanzibarite convoy.\n", "utf-8")
    search._KEPT.clear()  # as a new process: the kept index read from the cache
    report = build_site(root)
    assert report.notices == ()
    assert cold_site(root, tmp_path) == snapshot(root / "site")
    slot = store / bytes(read_sealed(kept) or b"").decode()
    assert bytes(read_sealed(slot) or b"").startswith(f"{KEPT_FORMAT} ".encode())


def test_entries_of_another_format_are_not_looked_for_and_every_briefing_is_indexed_again_quietly(
    tmp_path: Path, indexed: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The entries' format is part of their keys (search.py): a briefgen that keeps entries otherwise (an
    upgrade) never reads the old ones, so none is taken for damaged; each briefing is indexed once again."""
    root = make_corpus(tmp_path / "root", briefings=24, length=0.3)
    build_site(root)
    monkeypatch.setattr(search, "ENTRY_FORMAT", search.ENTRY_FORMAT + 1)
    search._KEPT.clear()
    edited = sorted((root / "briefings").rglob("*.md"))[5]  # briefgen's version, in the inputs, would change too
    edited.write_text(edited.read_text("utf-8") + "\nThe zanzibarite convoy.\n", "utf-8")
    report = build_site(root)
    assert indexed == [24, 24]
    assert report.notices == ()
    assert cold_site(root, tmp_path) == snapshot(root / "site")


def test_the_kept_index_is_written_over_the_slot_not_in_use_never_through_a_link(tmp_path: Path) -> None:
    """Written over its own older copy (no 90 MB file to free at each edit); the one in use is named only
    once the other is whole; a link planted at a slot is replaced, not written through."""
    root = make_corpus(tmp_path / "root", briefings=24, length=0.3)
    build_site(root)
    store = root / CACHE_DIR / FOLDER
    outside = tmp_path / "outside"
    outside.write_bytes(b"not the cache's")

    def in_use() -> str:
        return bytes(read_sealed(store / KEPT_FILE) or b"").decode()

    first = in_use()
    (other,) = set(KEPT_SLOTS) - {first}
    (store / other).symlink_to(outside)
    edited = sorted((root / "briefings").rglob("*.md"))[5]
    for number, slot in enumerate([other, first, other]):
        inode = (store / slot).lstat().st_ino
        edited.write_text(edited.read_text("utf-8") + f"\nThe zanzibarite convoy {number}.\n", "utf-8")
        search._KEPT.clear()  # as a new process: the kept index read from the cache
        build_site(root)
        assert in_use() == slot
        assert (store / slot).is_file() and not (store / slot).is_symlink()
        assert number == 0 or (store / slot).stat().st_ino == inode, "written over, not renamed over"
    assert outside.read_bytes() == b"not the cache's"
    assert cold_site(root, tmp_path) == snapshot(root / "site")


def test_a_rebuild_reads_only_the_entries_of_what_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entries_read: list[str]
) -> None:
    """The index the last build left is updated in place (pagefindkept.py): no other briefing's entry is read."""
    root = make_corpus(tmp_path / "root", briefings=24, length=0.3)
    build_site(root)
    read = entries_read
    read.clear()
    made: list[str] = []
    document = search.search_document
    monkeypatch.setattr(search, "search_document", lambda b, *rest: made.append(b.path) or document(b, *rest))
    edited = sorted((root / "briefings").rglob("*.md"))[5]
    edited.write_text(edited.read_text("utf-8") + "\nThe zanzibarite convoy.\n", "utf-8")
    build_site(root)
    assert len(read) == 2, "the edited briefing's new key (not on record), then its old entry, to take its words out"
    assert len(made) == 1, "the other briefings' documents are known by what they were made from"
    search._KEPT.clear()  # as a new process: the kept index read from the cache
    later = sorted((root / "briefings" / "2022").rglob("*.md"))[-1]
    later.write_text(later.read_text("utf-8") + "\nA second zanzibarite convoy.\n", "utf-8")
    build_site(root)
    assert len(read) == 4
    assert cold_site(root, tmp_path) == snapshot(root / "site")


def test_an_entry_is_kept_in_few_bytes_and_read_back_whole(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "root")
    build_site(root)
    entries = sorted((root / CACHE_DIR / FOLDER).glob("*.entry"))
    assert len(entries) == 3
    step = search.SearchStep(None, root / "site", root / CACHE_DIR)
    assert step.entries is not None
    for path in entries:
        entry = step.entries.entry(path.stem)
        assert entry is not None and entry_from_bytes(compressed_entry(entry_marshalled(entry))) == entry
        assert path.stat().st_size < 4 * len(entry.fragment)
        assert step.entries.fragment(path.stem) == entry.fragment
        kept = compressed_entry(entry_marshalled(entry))
        assert fragment_from_bytes(kept) == entry.fragment
        for length in (0, 5, 12):  # cut before the fragment ends (what is after it is not read)
            with pytest.raises(DamagedCacheError):
                fragment_from_bytes(kept[:length])
        with pytest.raises(DamagedCacheError):  # another format's entry, well compressed
            fragment_from_bytes(compressed_entry(b"bgE\x01" + entry_marshalled(entry)[4:]))
        empty = dataclasses.replace(entry, fragment=b"")
        assert fragment_from_bytes(compressed_entry(entry_marshalled(empty))) == b""
        assert entry_from_bytes(compressed_entry(entry_marshalled(empty))) == empty


def test_a_build_with_nothing_changed_stops_before_planning_a_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_example(tmp_path / "root")
    build_site(root)

    def planned(*_: object) -> None:
        raise AssertionError("a page was planned, though nothing changed and the index is there")

    monkeypatch.setattr(build_module, "_plan_pages", planned)
    assert build_site(root).rendered == 0


def test_a_pagefind_that_fails_while_indexing_stops_the_build_and_keeps_the_last_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_example(tmp_path / "root")
    build_site(root)
    before = snapshot(root / "site")
    fake = tmp_path / "pagefind"
    fake.write_text(
        '#!/bin/sh\nif [ "$1" = --version ]; then echo "pagefind 9.9.9"; exit 0; fi\n'
        'echo "out of memory" >&2\nexit 3\n',
        "utf-8",
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    with pytest.raises(SearchError, match=r"Pagefind stopped \(exit status 3: out of memory\)"):
        build_site(root)
    assert snapshot(root / "site") == before


def test_a_setting_that_changes_the_documents_has_every_briefing_indexed_again(
    tmp_path: Path, indexed: list[int]
) -> None:
    """The site's language is in every document (<html lang>, the date's words) but not in what a briefing's
    fingerprint digests: the documents' keys are known again only under the same settings."""
    root = make_corpus(tmp_path / "root", briefings=12, length=0.3)
    build_site(root)
    settings = root / "briefgen.yaml"
    settings.write_text(settings.read_text("utf-8") + "language: en-GB\n", "utf-8")
    build_site(root)
    assert indexed == [12, 12]
    assert cold_site(root, tmp_path) == snapshot(root / "site")
