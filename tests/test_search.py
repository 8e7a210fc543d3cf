"""Full-text search in the build: Pagefind's index, only the briefings in it, and a build without it."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest

from briefgen.build import build_site
from briefgen.searchbundle import SIGNATURE, BundleFormatError, decode, encode, read_file
from tests.sitetools import copy_example, snapshot


def has_search_box(html: bytes) -> bool:
    return bool(lxml.html.fromstring(html).xpath("//form[@role='search']"))


@pytest.fixture
def broken_pagefind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A 'pagefind' that cannot run, found first (the pagefind package reads PAGEFIND_BINARY_PATH)."""
    fake = tmp_path / "pagefind"
    fake.write_text("#!/bin/sh\necho 'cannot execute binary file' >&2\nexit 126\n", "utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    return fake


def test_the_index_holds_the_briefings_only_with_their_filters(tmp_path: Path) -> None:
    report = build_site(copy_example(tmp_path / "root"), output=tmp_path / "site", base_url="/archive/")
    site = tmp_path / "site"
    assert report.search and report.notices == ()
    bundle = site / "pagefind"
    entry = json.loads((bundle / "pagefind-entry.json").read_text("utf-8"))
    # Pagefind indexes each language apart (<html lang>): the Arabic translation is in an index of its own.
    assert entry["languages"]["en"]["page_count"] == 2, "the two briefings, not the listings"
    assert entry["languages"]["ar"]["page_count"] == 1
    meta = read_file(next(bundle.glob("pagefind.en_*.pf_meta")))
    assert [name for name, _ in meta[3]] == ["author", "place", "source", "tag", "year"], (
        "each taxonomy's, with source and year"
    )
    filters = {read_file(p)[0]: read_file(p)[1] for p in (bundle / "filter").glob("en_*")}
    assert [value for value, _ in filters["source"]] == ["Institute for the Study of War", "Wilson Center"]
    assert [value for value, _ in filters["year"]] == ["2025"]
    assert "Toretsk" in [value for value, _ in filters["place"]]
    assert "Elena Marchetti" in [value for value, _ in filters["author"]]
    assert (site / "search" / "index.html").is_file()
    assert all(has_search_box(p.read_bytes()) for p in site.rglob("*.html") if p.parent.name != "search")


def test_a_pagefind_that_cannot_run_gives_one_warning_and_a_site_without_search(
    tmp_path: Path, broken_pagefind: Path
) -> None:
    report = build_site(copy_example(tmp_path / "root"), output=tmp_path / "site")
    site = tmp_path / "site"
    assert not report.search
    assert len(report.notices) == 1
    assert report.notices[0].startswith("search is off: Pagefind could not run:")
    assert str(broken_pagefind) in report.notices[0]
    assert not (site / "pagefind").exists()
    assert not (site / "search").exists()
    assert not any(has_search_box(p.read_bytes()) for p in site.rglob("*.html"))


def test_the_command_says_so_once_and_succeeds(tmp_path: Path, broken_pagefind: Path) -> None:
    root = copy_example(tmp_path / "root")
    result = subprocess.run(
        [sys.executable, "-m", "briefgen", "build", "--root", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "search is off" in line]
    assert len(warnings) == 1 and warnings[0].startswith("warning: search is off: Pagefind could not run")
    assert "built 3 briefings" in result.stdout


def test_no_search_builds_the_site_that_a_missing_pagefind_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_example(tmp_path / "root")
    result = subprocess.run(
        [sys.executable, "-m", "briefgen", "build", "--root", str(root), "--no-search"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "search" not in result.stderr
    without = snapshot(root / "site")
    fake = tmp_path / "pagefind"
    fake.write_text("#!/bin/sh\nexit 1\n", "utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    build_site(root, output=tmp_path / "missing", use_cache=False)
    assert snapshot(tmp_path / "missing") == without
    assert not any("pagefind" in path for path in without)


def test_search_builds_are_byte_identical(tmp_path: Path) -> None:
    # Pagefind alone writes its filters in a different order on each run; the assembled index sorts them.
    # The first build indexes every briefing, the others assemble the same entries from the cache.
    root = copy_example(tmp_path / "root")
    for name in ("one", "two", "three"):
        build_site(root, output=tmp_path / name, use_cache=name != "two")
    one = snapshot(tmp_path / "one")
    assert any(path.startswith("pagefind/filter/") for path in one)
    assert one == snapshot(tmp_path / "two") == snapshot(tmp_path / "three")


@pytest.mark.parametrize(
    "value", [0, 23, 24, 255, 256, 65535, 65536, 2**32, "", "Київ", ["a", [1, 2, ["x" * 300]]], list(range(30))]
)
def test_cbor_round_trips(value: object) -> None:
    assert decode(encode(value)) == value


@pytest.mark.parametrize("data", [b"\xa1\x01\x02", b"\x9f\xff", b"\xf6", b"\x83\x01", b"\x01\x02"])
def test_cbor_that_pagefind_does_not_write_is_refused(data: bytes) -> None:
    with pytest.raises(BundleFormatError):
        decode(data)


def test_a_bundle_file_without_the_signature_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.pf_meta"
    path.write_bytes(gzip.compress(b"not pagefind" + encode([1])))
    with pytest.raises(BundleFormatError):
        read_file(path)
    path.write_bytes(gzip.compress(SIGNATURE + encode([1])))
    assert read_file(path) == [1]
