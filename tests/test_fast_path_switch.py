"""BRIEFGEN_NO_FAST_PATHS=1 turns every fast path off, and a build is the same bytes with it or without.

Three archives: the example one, a generated corpus, and one made of other people's
Markdown (the CommonMark spec's examples and markdown-it's fixtures), each example a
briefing's body, summary, takeaway and note at once.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from briefgen.build import build_site
from briefgen.errors import ArchiveError
from briefgen.fast import switch as fastpaths
from briefgen.load import load_archive
from tests.sitetools import REPO_ROOT, copy_example, make_corpus, snapshot
from tests.test_markdown_differential import INPUTS

pytestmark = pytest.mark.slow


def built(root: Path, out: Path, monkeypatch: pytest.MonkeyPatch, *, fast: bool) -> dict[str, str]:
    with monkeypatch.context() as patch:
        patch.setenv(fastpaths.SWITCH, "" if fast else "1")
        build_site(root, output=out, use_cache=False, search=False)
    return snapshot(out)


def assert_same_site(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with_fast_paths = built(root, tmp_path / "fast", monkeypatch, fast=True)
    without = built(root, tmp_path / "reference", monkeypatch, fast=False)
    assert with_fast_paths.keys() == without.keys()
    assert [name for name in without if with_fast_paths[name] != without[name]] == []


def test_the_switch_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(fastpaths.SWITCH, raising=False)
    assert fastpaths.enabled()
    monkeypatch.setenv(fastpaths.SWITCH, "1")
    assert not fastpaths.enabled()
    monkeypatch.setenv(fastpaths.SWITCH, "0")
    assert fastpaths.enabled()


def test_the_example_archive_builds_alike_with_and_without(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert_same_site(copy_example(tmp_path / "example"), tmp_path, monkeypatch)


def test_a_generated_corpus_builds_alike_with_and_without(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert_same_site(make_corpus(tmp_path / "corpus", briefings=150), tmp_path, monkeypatch)


NOTES = "".join(
    f"  {number}: {json.dumps(f'Note {number}, https://example.org/{number}')}\n" for number in range(1, 10)
)


def fixture_briefing(number: int, text: str) -> str:
    """A briefing whose body, summary, takeaway and note 10 are all `text`."""
    day = dt.date(2025, 1, 1) + dt.timedelta(days=number // 5)
    line = json.dumps(text, ensure_ascii=False)
    return (
        f"---\ntitle: Example {number}\ndate: {day.isoformat()}\nsource: isw\n"
        f"summary: {line}\ntakeaways:\n  - {line}\nfootnotes:\n{NOTES}  10: {line}\n---\n\n{text}\n"
    )


def test_other_peoples_markdown_builds_alike_with_and_without(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "fixtures"
    root.mkdir()
    for name in ("briefgen.yaml", "sources.yaml"):
        shutil.copy(REPO_ROOT / name, root / name)
    folder = root / "briefings"
    folder.mkdir()
    for number, text in enumerate(INPUTS):
        (folder / f"example-{number:04d}.md").write_text(fixture_briefing(number, text), encoding="utf-8")
    # Some examples are not valid briefings (a citation of note 12, a `[^1]` footnote, a
    # summary that is empty once rendered...): loading finds them all, those files go, and
    # the rest are built.
    for _ in range(3):
        try:
            load_archive(root)
            break
        except ArchiveError as exc:
            for problem in exc.errors:
                (root / problem.path).unlink(missing_ok=True)
    kept = len(list(folder.iterdir()))
    assert kept > 0.6 * len(INPUTS), "most examples should make a valid briefing"
    assert_same_site(root, tmp_path, monkeypatch)
