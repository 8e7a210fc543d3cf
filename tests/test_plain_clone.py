"""The repository works from a plain `git clone`, with nothing beside it.

The team keeps reference material in a folder beside the repository; a user who
clones the repository has only the repository, so no file in it may read that
folder, and the tests must run from a clone alone.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sitetools import REPO_ROOT

# A path into the folder beside the repository, as code or prose would write it: the
# parent folder, then its name, with '/' or in joinpath(). (Written so that this file
# does not match itself: the scan below reads it too.)
FOLDER_NAME = "shared"
BESIDE = re.compile(
    r"\.\./shared\b"
    r"|/\s*[\"']shared[\"']"
    r"|[\"']shared[\"']\s*/"
    r"|joinpath\([^)]*[\"']shared[\"']"
    r"|/work/share[d]\b"
)


def tracked_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True)
    return [name for name in listed.stdout.decode("utf-8").split("\0") if name]


def test_the_pattern_finds_what_it_looks_for() -> None:
    for line in (
        f'MAKE_CORPUS = REPO_ROOT.parent / "{FOLDER_NAME}" / "bench" / "make_corpus.py"',
        f"python ../{FOLDER_NAME}/bench/make_corpus.py",
        f"root.parent.joinpath('{FOLDER_NAME}', 'seed')",
        f"see /work/{FOLDER_NAME}/FORMAT.md",
    ):
        assert BESIDE.search(line), line
    for line in ("tags shared by two briefings", "# 3 shared, then 2", "shared_memory"):
        assert not BESIDE.search(line), line


def test_no_tracked_file_reads_beside_the_repository() -> None:
    found = []
    for name in tracked_files():
        path = REPO_ROOT / name
        if not path.is_file():
            continue  # deleted in the working tree, not yet in a commit
        text = path.read_bytes().decode("utf-8", errors="replace")
        found += [f"{name}:{n}: {line.strip()}" for n, line in enumerate(text.splitlines(), 1) if BESIDE.search(line)]
    assert found == []


@pytest.mark.slow
def test_a_clone_with_nothing_beside_it_collects_and_runs_the_tests_that_need_a_corpus(tmp_path: Path) -> None:
    # A clone of HEAD: what is committed, not the working tree.
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(REPO_ROOT), str(clone)], check=True, capture_output=True)
    assert [p.name for p in tmp_path.iterdir()] == ["clone"]
    environment = {**os.environ, "PYTHONPATH": str(clone / "src")}  # the clone's briefgen, not this checkout's
    pytest_command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"]
    collected = subprocess.run(
        [*pytest_command, "--collect-only"], cwd=clone, env=environment, capture_output=True, text=True, check=False
    )
    assert collected.returncode == 0, collected.stdout[-3000:] + collected.stderr[-3000:]
    assert re.search(r"^\d+ tests collected", collected.stdout, re.MULTILINE), collected.stdout[-3000:]
    assert "ERROR" not in collected.stdout and not re.search(r"\d+ errors?\b", collected.stdout)
    # The tests that used to read the reference folder: the example archive's pages, a generated corpus.
    ran = subprocess.run(
        [
            *pytest_command,
            "tests/test_corpus.py",
            "tests/test_build.py::test_briefing_page_links_every_citation_to_its_note_and_back",
            "tests/test_build.py::test_briefing_page_shows_takeaways_before_the_body",
            "tests/test_build.py::test_home_and_source_pages_are_paginated",
        ],
        cwd=clone,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    assert re.search(r"^\d+ passed", ran.stdout, re.MULTILINE) and "skipped" not in ran.stdout
