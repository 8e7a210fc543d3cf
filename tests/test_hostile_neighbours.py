"""Nothing of the user's deleted: the folders briefgen keeps beside the output are removed only when briefgen made them.

A build keeps `.site.briefgen-staging`, `-update`, `-old` and `-twin` beside `site/`,
and clears what a killed build left there. A folder of one of those names that an
editor made (a backup, say) carries no marker: the build stops with one line saying
what to move, and every file in it is still there. Every folder briefgen makes there is
marked before anything is put in it, and loses its marker last, so a build killed at
any moment leaves only folders the next build may remove.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from briefgen import neighbours
from briefgen.build import build_site
from briefgen.errors import OutputError
from briefgen.neighbours import MARKER, OLD_SUFFIX, STAGING_SUFFIX, TWIN_SUFFIX, UPDATE_SUFFIX
from briefgen.write import SiteUpdate, StagedSite, Twin
from tests.sites import MakeSite, briefing_text, run_briefgen
from tests.sitetools import snapshot

SUFFIXES = [STAGING_SUFFIX, UPDATE_SUFFIX, OLD_SUFFIX, TWIN_SUFFIX]


@pytest.fixture
def built(make_site: MakeSite) -> Path:
    root = make_site({"briefings/a.md": briefing_text(), "briefings/b.md": briefing_text(title="Second")})
    build_site(root, search=False)
    return root


def users_folder(root: Path, suffix: str) -> Path:
    """A folder an editor made under one of briefgen's names, with work in it."""
    folder = root / f".site.{suffix}"
    if folder.exists():  # the twin, left by the first build: the editor's folder takes its place
        shutil.rmtree(folder)
    (folder / "notes").mkdir(parents=True)
    (folder / "notes" / "work.md").write_text("an editor's work", encoding="utf-8")
    (folder / "index.html").write_text("<p>an editor's page", encoding="utf-8")
    return folder


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_users_folder_under_briefgens_name_is_left_alone_and_the_build_stops(built: Path, suffix: str) -> None:
    folder = users_folder(built, suffix)
    before, site = snapshot(folder), snapshot(built / "site")
    (built / "briefings" / "b.md").write_text(briefing_text(title="Second, corrected"), encoding="utf-8")
    with pytest.raises(OutputError) as caught:
        build_site(built, search=False)
    assert str(caught.value) == (
        f"refusing to build: the folder {folder} is not briefgen's (it has no {MARKER} file), but briefgen "
        "keeps its own work under that name beside site/; move it elsewhere, then build again"
    )
    assert snapshot(folder) == before
    assert snapshot(built / "site") == site  # the last good site stays
    # Moved away, the next build goes on.
    folder.rename(built / "my-backup")
    build_site(built, search=False)
    assert (built / "my-backup" / "notes" / "work.md").read_text("utf-8") == "an editor's work"


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_users_file_under_briefgens_name_is_left_alone(built: Path, suffix: str) -> None:
    path = built / f".site.{suffix}"
    if path.is_dir():
        shutil.rmtree(path)
    path.write_text("an editor's file", encoding="utf-8")
    with pytest.raises(OutputError, match=r"refusing to build: the file .* is not briefgen's"):
        build_site(built, search=False)
    assert path.read_text("utf-8") == "an editor's file"


def test_the_build_command_says_what_to_move_in_one_line(built: Path) -> None:
    folder = users_folder(built, OLD_SUFFIX)
    result = run_briefgen("build", "--root", str(built), "--no-search")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert str(folder) in line and "move it elsewhere" in line
    assert (folder / "notes" / "work.md").is_file()


@pytest.mark.parametrize("suffix", [STAGING_SUFFIX, UPDATE_SUFFIX, OLD_SUFFIX])
def test_an_empty_folder_under_briefgens_name_is_removed(built: Path, suffix: str) -> None:
    # What a build killed between making a folder and marking it leaves: removing it loses nothing.
    (built / f".site.{suffix}").mkdir()
    build_site(built, search=False)
    assert not (built / f".site.{suffix}").exists()


def test_every_folder_briefgen_makes_beside_the_output_is_marked_at_once(tmp_path: Path) -> None:
    output = tmp_path / "site"
    with StagedSite(output) as staged:
        assert (staged.staging / MARKER).is_file()
        staged.commit()
    with SiteUpdate(output, []) as update:
        assert (update.staging / MARKER).is_file()
        update.discard()
    twin = Twin(output)
    twin.update(tmp_path / "nothing-staged", [], [])  # no twin yet: mirrored from the output
    assert (twin.folder / MARKER).is_file()
    assert (twin.folder / MARKER).stat().st_ino == (output / MARKER).stat().st_ino  # a hard link, as every file


def test_a_folder_removed_half_way_keeps_its_marker_to_the_end(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A build killed while removing a leftover must leave one the next build may still remove.
    leftover = built / f".site.{OLD_SUFFIX}"
    (leftover / "a").mkdir(parents=True)
    (leftover / "a" / "index.html").write_text("old", encoding="utf-8")
    (leftover / "z.html").write_text("old", encoding="utf-8")
    (leftover / MARKER).write_text("", encoding="utf-8")
    removed: list[str] = []
    real_remove = neighbours.remove_path

    def killed_after_one(target: Path) -> None:
        if removed:
            raise KeyboardInterrupt
        removed.append(target.name)
        real_remove(target)

    monkeypatch.setattr(neighbours, "remove_path", killed_after_one)
    with pytest.raises(KeyboardInterrupt):
        build_site(built, search=False)
    assert (leftover / MARKER).is_file() and removed == ["a"]
    monkeypatch.undo()
    build_site(built, search=False)
    assert not leftover.exists()


def test_a_staging_folder_the_build_did_not_make_is_never_removed_by_it(tmp_path: Path) -> None:
    output = tmp_path / "site"
    staging = tmp_path / f".site.{STAGING_SUFFIX}"
    (staging / "notes").mkdir(parents=True)
    (staging / "notes" / "work.md").write_text("an editor's work", encoding="utf-8")
    with pytest.raises(OutputError, match="cannot create the staging folder"), StagedSite(output):
        pass
    assert (staging / "notes" / "work.md").read_text("utf-8") == "an editor's work"
