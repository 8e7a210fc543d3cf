"""The build cache never serves stale output: every incremental build equals a cold one."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from briefgen.build import build_site
from briefgen.cache import CACHE_DIR
from briefgen.errors import ArchiveError
from briefgen.write import JOURNAL, UPDATE_SUFFIX
from tests.sitetools import make_corpus
from tests.test_build import snapshot


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = make_corpus(tmp_path / "corpus", briefings=150, sources=3)
    build_site(root)
    return root


def assert_same_as_cold(root: Path, tmp_path: Path) -> None:
    cold = tmp_path / "cold"
    shutil.rmtree(cold, ignore_errors=True)
    build_site(root, output=cold, use_cache=False)
    assert snapshot(root / "site") == snapshot(cold)


def some_briefing(root: Path, index: int = 40) -> Path:
    return sorted((root / "briefings").rglob("*.md"))[index]


def edit_text(root: Path) -> None:
    path = some_briefing(root)
    path.write_text(path.read_text("utf-8") + "\nA correction was added.[1]\n", "utf-8")


def rename_source(root: Path) -> None:
    settings = root / "sources.yaml"
    settings.write_text(settings.read_text("utf-8").replace("Wilson Center", "The Wilson Center"), "utf-8")


def change_template(root: Path) -> None:
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates" / "404.html").write_text("{% extends 'base.html' %}{% block content %}gone{% endblock %}\n")


def change_setting(root: Path) -> None:
    with (root / "briefgen.yaml").open("a", encoding="utf-8") as settings:
        settings.write("per_page: 7\n")


def delete_briefing(root: Path) -> None:
    some_briefing(root).unlink()


def retitle_briefing(root: Path) -> None:
    path = some_briefing(root, 90)
    text = path.read_text("utf-8")
    start = text.index("title: ")
    end = text.index("\n", start)
    path.write_text(text[:start] + 'title: "A new title"' + text[end:], "utf-8")


@pytest.mark.parametrize(
    "change",
    [edit_text, rename_source, change_template, change_setting, delete_briefing, retitle_briefing],
    ids=lambda f: f.__name__,
)
def test_an_incremental_build_equals_a_cold_build(corpus: Path, tmp_path: Path, change: Callable[[Path], None]) -> None:
    change(corpus)
    report = build_site(corpus)
    assert report.rendered < report.pages or change in (change_template, change_setting, rename_source)
    assert_same_as_cold(corpus, tmp_path)


def test_a_no_op_build_renders_and_writes_nothing(corpus: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in (corpus / "site").rglob("*") if p.is_file()}
    report = build_site(corpus)
    assert (report.rendered, report.written) == (0, 0)
    assert {p: p.stat().st_mtime_ns for p in (corpus / "site").rglob("*") if p.is_file()} == before


def test_unchanged_files_keep_their_modification_time(corpus: Path, tmp_path: Path) -> None:
    site = corpus / "site"
    before = {p.relative_to(site): p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
    edit_text(corpus)
    report = build_site(corpus)
    after = {p.relative_to(site): p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
    changed = sorted(str(p) for p in after if after[p] != before.get(p))
    assert 0 < len(changed) == report.written < 20
    assert any(path.endswith("/index.html") and "briefings/" in path for path in changed)
    assert_same_as_cold(corpus, tmp_path)


def test_deleting_the_cache_is_safe(corpus: Path, tmp_path: Path) -> None:
    shutil.rmtree(corpus / CACHE_DIR)
    edit_text(corpus)
    build_site(corpus)
    assert_same_as_cold(corpus, tmp_path)


def test_an_interrupted_update_is_completed_by_the_next_build(corpus: Path, tmp_path: Path) -> None:
    # A build killed after writing its journal: one page staged, one file to remove.
    site = corpus / "site"
    update = corpus / f".site.{UPDATE_SUFFIX}"
    (update / "404.html").parent.mkdir(parents=True)
    (update / "404.html").write_bytes(b"half-way")
    (update / JOURNAL).write_text("put 404.html\nremove robots.txt\n", encoding="utf-8")
    build_site(corpus)
    assert not update.exists()
    assert_same_as_cold(corpus, tmp_path)
    assert (site / "robots.txt").is_file()


def test_a_killed_update_without_a_journal_is_discarded(corpus: Path, tmp_path: Path) -> None:
    update = corpus / f".site.{UPDATE_SUFFIX}"
    (update / "sub").mkdir(parents=True)
    (update / "sub" / "index.html").write_bytes(b"never committed")
    before = snapshot(corpus / "site")
    build_site(corpus)
    assert not update.exists()
    assert snapshot(corpus / "site") == before


def test_a_changed_image_is_copied_again(tmp_path: Path) -> None:
    root = tmp_path / "root"
    folder = root / "briefings" / "2025" / "06" / "26"
    folder.mkdir(parents=True)
    (folder / "map.png").write_bytes(b"first")
    (folder / "isw-x.md").write_text(
        "---\ntitle: T\ndate: 2025-06-26\nsource: ISW\n---\nText.\n\n![Map of Toretsk](map.png)\n", "utf-8"
    )
    build_site(root)
    page = root / "site/briefings/2025/06/26/isw-x/map.png"
    assert page.read_bytes() == b"first"
    (folder / "map.png").write_bytes(b"second, longer")
    os.utime(folder / "map.png", ns=(1, 1))
    build_site(root)
    assert page.read_bytes() == b"second, longer"
    (folder / "map.png").unlink()
    with pytest.raises(ArchiveError, match=r"map\.png"):
        build_site(root)
