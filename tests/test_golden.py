"""The golden site: the example archive built and compared, file by file, with a committed tree.

Any change to any output file fails this test, so a refactoring that was meant
to change nothing is shown to change nothing, and a deliberate change shows up
in review as a diff of `tests/data/golden/site/`. After a deliberate change,
write the tree again and read its diff before committing it:

    BRIEFGEN_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py
    git diff --stat tests/data/golden/

The site is built as the publishing workflow builds it (a full `base_url`
under a sub-path, so the sitemap is written), without the search index, whose
files are Pagefind's and are checked by the search tests.
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest

from briefgen.build import build_site
from tests.sitetools import copy_example

GOLDEN = Path(__file__).parent / "data" / "golden" / "site"
BASE_URL = "https://example.org/conflict-archive/"
UPDATE = os.environ.get("BRIEFGEN_UPDATE_GOLDEN") == "1"


def build_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1751000000")  # 2025-06-27, after the example's briefings
    root = copy_example(tmp_path / "example")
    output = tmp_path / "site"
    build_site(root, output=output, base_url=BASE_URL, use_cache=False, search=False)
    return output


def files_below(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def first_lines_of_difference(name: str, expected: bytes, got: bytes) -> str:
    try:
        lines = difflib.unified_diff(
            expected.decode("utf-8").splitlines(),
            got.decode("utf-8").splitlines(),
            f"golden/{name}",
            f"built/{name}",
            lineterm="",
        )
        return "\n".join(list(lines)[:30])
    except UnicodeDecodeError:
        return f"{name}: binary files differ"


def test_the_example_archive_builds_exactly_the_golden_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = files_below(build_example(tmp_path, monkeypatch))
    if UPDATE:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for name, content in built.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_bytes(content)
    golden = files_below(GOLDEN)
    assert len(golden) > 60, "the golden tree is missing: write it with BRIEFGEN_UPDATE_GOLDEN=1"
    missing, extra = sorted(set(golden) - set(built)), sorted(set(built) - set(golden))
    assert not missing and not extra, f"files not built: {missing}; files not in the golden tree: {extra}"
    changed = [name for name in golden if golden[name] != built[name]]
    report = "\n\n".join(first_lines_of_difference(name, golden[name], built[name]) for name in changed[:3])
    assert not changed, (
        f"{len(changed)} files differ from tests/data/golden/site ({changed[:10]}); if the change is meant, "
        f"run BRIEFGEN_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py and review the diff.\n{report}"
    )


def test_the_golden_tree_covers_every_kind_of_page() -> None:
    """The comparison above means something only if the tree holds every page type the theme has."""
    names = set(files_below(GOLDEN))
    for wanted in (
        "index.html",
        "404.html",
        "sitemap.xml",
        "feed.xml",
        "feed.json",
        "briefings.json",
        "briefings/index.html",
        "briefings/2025/index.html",
        "briefings/2025/06/index.html",
        "briefings/2025/06/26/index.html",
        "briefings/2025/06/26/isw-north-korean-troops/index.html",
        "sources/index.html",
        "sources/isw/index.html",
        "sources/isw/feed.xml",
        "tags/index.html",
        "places/index.html",
        "places/toretsk/index.html",
        "places/toretsk/feed.json",
        "authors/index.html",
        "authors/christina-harward/index.html",
        "authors/christina-harward/feed.xml",
        "authors/elena-marchetti/feed.json",
        "assets/briefgen.css",
    ):
        assert wanted in names, wanted
