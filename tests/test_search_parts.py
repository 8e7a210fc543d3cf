"""The search index in parts (searchdocs.py, search.py): stable parts, documents without the theme,
and a rebuild that indexes again only the part of what changed, byte-identical to a cold build."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import json
from pathlib import Path

import pytest

from briefgen import build as build_module
from briefgen import searchdocs
from briefgen.build import build_site
from briefgen.load import load_archive
from briefgen.model import Body, Briefing, Settings, Source
from briefgen.search import SearchError
from briefgen.searchbundle import SIGNATURE
from briefgen.searchdocs import search_document, search_parts
from tests.sitetools import copy_example, make_corpus, snapshot

SOURCE = Source(key="isw", name="Institute for the Study of War")


def briefing(number: int) -> Briefing:
    day = dt.date(2024, 1, 1) + dt.timedelta(days=number // 3)
    return Briefing(
        path=f"briefings/{number}.md", title=f"Report {number}", date=day, source=SOURCE, slug=f"r-{number}", summary=""
    )


def fragments(bundle: Path) -> dict[str, dict[str, object]]:
    """Each page's fragment in a part's bundle, by its address."""
    found = {}
    for path in (bundle / "fragment").iterdir():
        page = json.loads(gzip.decompress(path.read_bytes())[len(SIGNATURE) :])
        found[page["url"]] = page
    return found


def test_parts_are_about_the_size_asked_none_empty_and_each_briefing_keeps_its_part() -> None:
    settings = Settings()
    parts = search_parts([briefing(n) for n in range(999)], settings, part_size=200)
    assert [p.name for p in parts] == [f"en-{n}" for n in range(5)]
    assert all(120 < len(p.briefings) < 280 for p in parts), [len(p.briefings) for p in parts]
    where = {b.path: p.name for p in parts for b in p.briefings}
    assert len(where) == 999
    # One more briefing, in the same count of parts: every other briefing stays where it was.
    grown = search_parts([briefing(n) for n in range(1000)], settings, part_size=200)
    assert {b.path: p.name for p in grown for b in p.briefings if b.path != "briefings/999.md"} == where
    # A briefing's part does not depend on the order the briefings come in.
    assert search_parts([briefing(n) for n in reversed(range(999))], settings, part_size=200) == parts


def test_a_count_that_would_leave_a_part_empty_is_lowered() -> None:
    parts = search_parts([briefing(n) for n in range(3)], Settings(), part_size=1)
    assert parts and all(p.briefings for p in parts)
    assert sum(len(p.briefings) for p in parts) == 3


def test_parts_are_per_language() -> None:
    parts = search_parts([briefing(n) for n in range(5)], Settings(language="en-GB"), part_size=200)
    assert [(p.name, p.language, len(p.briefings)) for p in parts] == [("en-gb-0", "en-gb", 5)]


def test_a_briefing_in_its_own_language_is_in_that_language_s_part_named_as_pagefind_names_it() -> None:
    own = [dataclasses.replace(briefing(0), language="ar"), dataclasses.replace(briefing(1), language="pt-BR")]
    parts = search_parts([*own, briefing(2)], Settings(language="en-GB"), part_size=200)
    assert [(p.name, p.language, [b.path for b in p.briefings]) for p in parts] == [
        ("ar-0", "ar", ["briefings/0.md"]),
        ("en-gb-0", "en-gb", ["briefings/2.md"]),
        ("pt-br-0", "pt-br", ["briefings/1.md"]),
    ]


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
    page = fragments(site / "pagefind" / "en-0")["/briefings/2025/06/26/isw-north-korean-troops/"]
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
    entry = json.loads((site / "pagefind" / "ar-0" / "pagefind-entry.json").read_text("utf-8"))
    assert list(entry["languages"]) == ["ar"]
    (page,) = fragments(site / "pagefind" / "ar-0").values()
    assert page["url"] == "/briefings/2025/06/26/wilson-center-forced-displacement-ar/"
    assert str(page["content"]).startswith("التهجير القسري")
    assert "wilson-center-forced-displacement-ar" not in json.dumps(fragments(site / "pagefind" / "en-0"))


def test_a_rebuild_indexes_only_the_edited_part_and_matches_a_cold_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(searchdocs, "PART_SIZE", 8)
    root = make_corpus(tmp_path / "root", briefings=24)
    site = root / "site"
    build_site(root)
    manifest = json.loads((site / "pagefind" / "parts.json").read_text("utf-8"))
    assert manifest["languages"]["en"]["parts"] == ["en-0/", "en-1/", "en-2/"]
    before = snapshot(site / "pagefind")
    edited = sorted((root / "briefings").rglob("*.md"))[10]
    edited.write_text(edited.read_text("utf-8") + "\nThe zanzibarite convoy.\n", "utf-8")
    build_site(root)
    after = snapshot(site / "pagefind")
    changed = {
        name.split("/")[0] for name in set(before) ^ set(after) | {n for n in after if before.get(n) != after[n]}
    }
    assert len(changed) == 1, changed
    (part,) = changed
    assert any("zanzibarite" in str(p["content"]) for p in fragments(site / "pagefind" / part).values())
    build_site(root, output=tmp_path / "cold", use_cache=False)
    assert snapshot(tmp_path / "cold") == snapshot(site)


def test_a_briefing_removed_leaves_no_file_of_its_part_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(searchdocs, "PART_SIZE", 8)
    root = make_corpus(tmp_path / "root", briefings=24)
    build_site(root)
    for path in sorted((root / "briefings").rglob("*.md"))[:9]:
        path.unlink()  # 15 left: two parts
    build_site(root)
    build_site(root, output=tmp_path / "cold", use_cache=False)
    assert snapshot(tmp_path / "cold") == snapshot(root / "site")
    assert sorted(p.name for p in (root / "site" / "pagefind").iterdir()) == ["en-0", "en-1", "parts.json"]


def test_a_build_with_nothing_changed_stops_before_planning_a_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_example(tmp_path / "root")
    build_site(root)

    def planned(*_: object) -> None:
        raise AssertionError("a page was planned, though nothing changed and the index in parts is there")

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
