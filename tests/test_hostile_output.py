"""Mistaken commands: no --output can make a build replace an editor's work, and two builds never mix.

The refusal of '/' and of the home folder is tested by calling the guard
itself, never by running a build against them: CI runs as root.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefgen.build import build_site
from briefgen.errors import ArchiveError, OutputError
from briefgen.incremental.cache import CACHE_DIR
from briefgen.lock import build_lock
from briefgen.neighbours import MARKER
from briefgen.write import check_output_folder
from tests.sites import MakeSite, briefing_text
from tests.sitetools import make_corpus

SOURCES = ("briefings", "templates", "static", CACHE_DIR)


def guard(output: Path, root: Path) -> None:
    check_output_folder(output, root=root, protected=[root / name for name in SOURCES])


def files_of(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and CACHE_DIR not in p.parts
    }


@pytest.fixture
def root(make_site: MakeSite) -> Path:
    site = make_site(
        {
            "briefings/a.md": briefing_text(),
            "templates/404.html": "{% extends 'base.html' %}{% block content %}Gone{% endblock %}\n",
            "static/keep.txt": "kept",
            "notes.txt": "an editor's own file",
        }
    )
    (site / CACHE_DIR).mkdir()
    return site


def test_the_root_of_the_file_system_and_the_home_folder_are_refused(root: Path) -> None:
    for folder in (Path("/"), Path.home(), Path.home().parent, Path.home() / ".." / ".."):
        with pytest.raises(OutputError, match="refusing to write the site into"):
            guard(folder, root)


def test_a_home_folder_elsewhere_is_refused_too(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home" / "editor"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    for folder in (home, home.parent):
        with pytest.raises(OutputError, match="refusing to write the site into"):
            guard(folder, root)
    guard(home / "Documents" / "site", root)  # a new folder below it is fine


@pytest.mark.parametrize(
    ("output", "reason"),
    [
        (".", "would replace files that are not briefgen's"),
        ("..", "would replace files that are not briefgen's"),
        ("../..", "would replace files that are not briefgen's"),
        ("briefings", "would replace files that are not briefgen's"),
        ("templates", "would replace files that are not briefgen's"),
        ("static", "would replace files that are not briefgen's"),
        (CACHE_DIR, "would replace files that are not briefgen's"),
        ("briefings/site", "it is inside briefings/, which the build reads"),
        ("static/site", "it is inside static/, which the build reads"),
        ("templates/assets/site", "it is inside templates/, which the build reads"),
        (f"{CACHE_DIR}/site", f"it is inside {CACHE_DIR}/, which the build reads"),
        ("briefings/../briefings/./x", "it is inside briefings/, which the build reads"),
        ("notes.txt", "exists and is not a folder"),
        ("notes.txt/site", "is a file, not a folder"),
    ],
)
def test_an_output_that_would_damage_the_site_root_is_refused(root: Path, output: str, reason: str) -> None:
    with pytest.raises(OutputError, match=reason.replace(".", r"\.")):
        guard(root / output, root)


def test_a_link_to_a_guarded_folder_is_seen_through(root: Path, tmp_path: Path) -> None:
    (tmp_path / "to-root").symlink_to(root, target_is_directory=True)
    (tmp_path / "to-briefings").symlink_to(root / "briefings", target_is_directory=True)
    for link in ("to-root", "to-briefings", "to-briefings/new"):
        with pytest.raises(OutputError):
            guard(tmp_path / link, root)


def test_a_folder_briefgen_did_not_write_is_refused_unless_empty(root: Path, tmp_path: Path) -> None:
    other = tmp_path / "photos"
    other.mkdir()
    (other / "holiday.jpg").write_bytes(b"jpg")
    with pytest.raises(OutputError, match=f"not empty and was not written by briefgen \\(no {MARKER} file\\)"):
        guard(other, root)
    (tmp_path / "empty").mkdir()
    guard(tmp_path / "empty", root)
    guard(tmp_path / "new" / "deeper", root)
    (other / MARKER).write_text("")
    guard(other, root)


@pytest.mark.parametrize("output", [".", "..", "briefings", "static/out", "notes.txt"])
def test_the_build_command_refuses_in_one_line_and_touches_nothing(root: Path, output: str) -> None:
    before = files_of(root.parent)
    result = subprocess.run(
        [sys.executable, "-m", "briefgen", "build", "--root", str(root), "--output", str(root / output)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("briefgen: "), result.stderr
    assert "Traceback" not in result.stderr
    assert files_of(root.parent) == before


def test_a_symlinked_output_folder_is_written_through_and_kept(root: Path, tmp_path: Path) -> None:
    real = tmp_path / "published"
    real.mkdir()
    (root / "site").symlink_to(real, target_is_directory=True)
    for _ in range(2):
        build_site(root)
        assert (root / "site").is_symlink() and (root / "site").resolve() == real.resolve()
        assert (real / "index.html").is_file() and (real / MARKER).is_file()
        assert not [p.name for p in root.iterdir() if "briefgen-" in p.name and p.name != CACHE_DIR]
    (root / "briefings" / "b.md").write_text(briefing_text(title="Second"))
    build_site(root)
    assert (real / "briefings/2025/06/26/b/index.html").is_file()


# --- two builds at once -----------------------------------------------------------------


def test_a_second_build_while_one_holds_the_lock_is_refused_with_a_message(root: Path, tmp_path: Path) -> None:
    with build_lock(root / "site", root / CACHE_DIR):
        result = subprocess.run(
            [sys.executable, "-m", "briefgen", "build", "--root", str(root)],
            capture_output=True,
            text=True,
            check=False,
        )
        with pytest.raises(OutputError, match="another briefgen build is running in"):
            build_site(root, output=tmp_path / "elsewhere")  # same cache
        with pytest.raises(OutputError, match="another briefgen build is running in"):
            build_site(root, use_cache=False)  # same output
        build_site(root, output=tmp_path / "elsewhere", use_cache=False)  # shares nothing: fine
    assert result.returncode == 1
    assert (
        result.stderr
        == f"briefgen: another briefgen build is running in {root.resolve()}: wait for it to finish, then build again\n"
    )
    assert not (root / "site").exists()
    build_site(root)  # released
    assert (root / "site" / "index.html").is_file()


def test_the_lock_is_released_when_a_build_fails(root: Path) -> None:
    (root / "briefings" / "broken.md").write_text("---\ntitle: [\n---\n")
    with pytest.raises(ArchiveError):
        build_site(root)
    (root / "briefings" / "broken.md").unlink()
    build_site(root)


@pytest.mark.slow
def test_two_real_builds_at_once_one_refused_the_other_complete(tmp_path: Path) -> None:
    # Large enough that the second build starts while the first is still writing (two seconds of
    # it left when its staging folder appears, against the second's start of half a second),
    # short briefings; no search index, which is not what the lock is about.
    corpus = make_corpus(tmp_path / "corpus", briefings=150, sources=4, length=0.4)
    reference = tmp_path / "reference"
    build_site(corpus, output=reference, use_cache=False, search=False)
    command = [sys.executable, "-m", "briefgen", "build", "--root", str(corpus), "--no-cache", "--no-search"]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    staging = corpus / ".site.briefgen-staging"
    deadline = time.monotonic() + 60
    while not staging.exists() and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    second = subprocess.run(command, capture_output=True, text=True, check=False)
    _, first_errors = first.communicate(timeout=120)
    assert first.returncode == 0, first_errors
    assert second.returncode == 1
    assert "another briefgen build is running in" in second.stderr and "Traceback" not in second.stderr
    assert files_of(corpus / "site") == files_of(reference)


@pytest.mark.slow
def test_a_forked_worker_does_not_hold_the_build_s_lock(tmp_path: Path) -> None:
    """A lock belongs to the open folder, which a forked worker shares: were the worker to keep its copy, a
    build killed while its workers were still exiting would hold the next build off."""
    output = tmp_path / "site"
    started, ready = os.pipe()
    with build_lock(output):
        child = os.fork()
        if child == 0:  # a worker that outlives its build for a while
            os.write(ready, b"!")
            time.sleep(5)
            os._exit(0)
        os.read(started, 1)  # the worker runs
    try:
        with build_lock(output):  # the build is over; its worker is still there
            pass
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        os.close(started)
        os.close(ready)


def test_a_build_killed_while_holding_the_lock_does_not_block_the_next(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus", briefings=100, sources=3, length=0.3)
    build = subprocess.Popen(
        [sys.executable, "-m", "briefgen", "build", "--root", str(corpus), "--no-cache", "--no-search"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not (corpus / ".site.briefgen-staging").exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    build.kill()
    build.wait()
    report = build_site(corpus, search=False)
    assert report.briefings == 100
    assert not [p.name for p in corpus.iterdir() if "briefgen-" in p.name and p.name != CACHE_DIR]
    assert os.listdir(corpus / "site")
