"""write.py's StagedSite, SiteUpdate and the Twin, on small folders in tmp_path (no build).

A staged site is invisible until its commit, then replaces the old one whole; an
exception inside the `with` leaves the old site and no staging folder; an update
brings in only the files staged in it (which publish.py stages only when their bytes
change), keeps every other file's inode and modification time, removes what it is
told to, and follows the previous update's changes through the twin. No path may
leave the output folder.
"""

from __future__ import annotations

import os
import re
import signal
import stat
from collections.abc import Mapping
from pathlib import Path

import pytest

from briefgen import write
from briefgen.errors import OutputError
from briefgen.neighbours import (
    MARKER,
    STAGING_SUFFIX,
    TWIN_SUFFIX,
    UPDATE_SUFFIX,
    make_marked_folder,
    neighbour,
)
from briefgen.write import TWIN_RECORD, SiteUpdate, StagedSite, Twin, copy_no_wider

OLD_SITE = {"index.html": b"home", "a/index.html": b"a", "b/index.html": b"b", "c/d/index.html": b"d"}
LONG_AGO = 1_000_000_000  # seconds: any rewrite of a file would move its modification time to now


class HalfwayError(Exception):
    """The error a build raises half-way."""


def contents(folder: Path) -> dict[str, bytes]:
    """Every file below `folder`, but the marker, by relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MARKER
    }


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file below `folder` by relative path: its inode and modification time."""
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def beside(output: Path) -> list[str]:
    """What is in the folder holding the output folder."""
    return sorted(p.name for p in output.parent.iterdir())


def staged_site(output: Path, files: Mapping[str, bytes], *, keep_twin: bool = True) -> None:
    with StagedSite(output, keep_twin=keep_twin) as staged:
        for path, content in files.items():
            staged.write(path, content)
        staged.commit()


@pytest.fixture
def output(tmp_path: Path) -> Path:
    """A site written by briefgen, every file's modification time set long ago."""
    site = tmp_path / "site"
    staged_site(site, OLD_SITE)
    for path in site.rglob("*"):
        os.utime(path, (LONG_AGO, LONG_AGO))
    return site


# ------------------------------------------------------------------ StagedSite


def test_a_first_site_appears_only_on_commit_marked_as_briefgens(tmp_path: Path) -> None:
    site = tmp_path / "site"
    with StagedSite(site) as staged:
        staged.write("index.html", b"home")
        staged.write("a/b/index.html", b"deep")
        assert not site.exists()
        staged.commit()
    assert contents(site) == {"index.html": b"home", "a/b/index.html": b"deep"}
    assert (site / MARKER).is_file()
    assert beside(site) == ["site"]  # no staging folder left, and no twin of a site that was not there


def test_a_staged_site_is_invisible_until_commit_then_replaces_the_old_one_whole(output: Path) -> None:
    before = stamps(output)
    with StagedSite(output) as staged:
        staged.write("index.html", b"new home")
        staged.write("e/index.html", b"e")
        assert stamps(output) == before and contents(output) == OLD_SITE
        staged.commit()
    assert contents(output) == {"index.html": b"new home", "e/index.html": b"e"}  # a/, b/, c/ gone
    assert (output / MARKER).is_file()
    twin = neighbour(output, TWIN_SUFFIX)
    assert beside(output) == sorted([twin.name, "site"])
    assert contents(twin) == OLD_SITE, "the old site is kept as the twin, for the next update to bring up to date"


def test_without_keep_twin_the_old_site_is_removed(output: Path) -> None:
    staged_site(output, {"index.html": b"new"}, keep_twin=False)
    assert contents(output) == {"index.html": b"new"}
    assert beside(output) == ["site"]


@pytest.mark.parametrize("at_enter", [False, True], ids=["inside", "before-anything-written"])
def test_an_exception_inside_a_staged_site_leaves_the_old_site_and_no_staging_folder(
    output: Path, at_enter: bool
) -> None:
    before, around = stamps(output), beside(output)
    with pytest.raises(HalfwayError), StagedSite(output) as staged:
        assert neighbour(output, STAGING_SUFFIX).is_dir()
        if not at_enter:
            staged.write("index.html", b"half a site")
        raise HalfwayError
    assert stamps(output) == before and contents(output) == OLD_SITE
    assert beside(output) == around


def test_an_exception_inside_a_first_staged_site_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(HalfwayError), StagedSite(tmp_path / "site") as staged:
        staged.write("index.html", b"half a site")
        raise HalfwayError
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ SiteUpdate


def test_an_update_is_invisible_until_commit(output: Path) -> None:
    before = stamps(output)
    with SiteUpdate(output, ["b/index.html"]) as update:
        update.write("a/index.html", b"a, corrected")
        assert stamps(output) == before
        update.commit()
    assert contents(output)["a/index.html"] == b"a, corrected"


def test_an_update_replaces_only_staged_files_and_keeps_every_other_files_inode_and_time(output: Path) -> None:
    before = stamps(output)
    with SiteUpdate(output, []) as update:
        update.write("a/index.html", b"a, corrected")
        # Claimed but not written: what publish.py does with a page rendered to the same bytes.
        update.claim("b/index.html", make_folder=False)
        update.write("new/index.html", b"new")
        update.commit()
    assert contents(output) == {**OLD_SITE, "a/index.html": b"a, corrected", "new/index.html": b"new"}
    after = stamps(output)
    assert after["a/index.html"] != before["a/index.html"]
    assert {p: after[p] for p in before if p != "a/index.html"} == {
        p: s for p, s in before.items() if p != "a/index.html"
    }


def test_an_update_removes_the_files_no_longer_wanted_and_their_emptied_folders(output: Path) -> None:
    with SiteUpdate(output, ["c/d/index.html", "b/index.html"]) as update:
        update.commit()
    assert contents(output) == {"index.html": b"home", "a/index.html": b"a"}
    assert not (output / "c").exists() and not (output / "b").exists()
    assert sorted(p.name for p in output.iterdir()) == sorted([MARKER, "a", "index.html"])


def test_an_update_leaves_no_staging_folder_only_the_twin(output: Path) -> None:
    with SiteUpdate(output, []) as update:
        update.write("a/index.html", b"a, corrected")
        update.commit()
    assert beside(output) == sorted(["site", neighbour(output, TWIN_SUFFIX).name])


def test_successive_updates_each_keep_the_ones_before_through_the_twin(output: Path) -> None:
    # After an update the twin holds the site before it: the next update must bring it up to date first.
    updates: list[tuple[dict[str, bytes], list[str]]] = [
        ({"a/index.html": b"a2", "e/index.html": b"e"}, ["b/index.html"]),
        ({"index.html": b"home2"}, ["c/d/index.html"]),
        ({"a/index.html": b"a3"}, []),
        ({}, ["e/index.html"]),
    ]
    expected = dict(OLD_SITE)
    for written, removed in updates:
        with SiteUpdate(output, removed) as update:
            for path, content in written.items():
                update.write(path, content)
            update.commit()
        expected = {p: c for p, c in {**expected, **written}.items() if p not in removed}
        assert contents(output) == expected
        assert set(beside(output)) == {"site", neighbour(output, TWIN_SUFFIX).name}


def test_an_update_after_a_whole_build_mirrors_the_twin_again(output: Path) -> None:
    # The twin a StagedSite leaves is the site before it, with no record of how the two differ.
    staged_site(output, {"index.html": b"rebuilt", "z/index.html": b"z"})
    with SiteUpdate(output, []) as update:
        update.write("y/index.html", b"y")
        update.commit()
    assert contents(output) == {"index.html": b"rebuilt", "z/index.html": b"z", "y/index.html": b"y"}


@pytest.mark.parametrize("at_enter", [False, True], ids=["inside", "before-anything-written"])
def test_an_exception_inside_an_update_leaves_the_old_site_and_no_staging_folder(output: Path, at_enter: bool) -> None:
    before, around = stamps(output), beside(output)
    with pytest.raises(HalfwayError), SiteUpdate(output, ["b/index.html"]) as update:
        assert neighbour(output, UPDATE_SUFFIX).is_dir()
        if not at_enter:
            update.write("a/index.html", b"half an update")
        raise HalfwayError
    assert stamps(output) == before and contents(output) == OLD_SITE
    assert beside(output) == around


@pytest.mark.parametrize("kind", [StagedSite, SiteUpdate])
def test_a_ctrl_c_just_as_the_staging_folder_is_made_leaves_none(
    output: Path, kind: type[StagedSite | SiteUpdate], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Ctrl-C test met a staging folder left behind under load: a Ctrl-C that came once the folder
    was made but before the build knew it had made it, so that nothing removed it."""

    def made_then_ctrl_c(folder: Path) -> None:
        make_marked_folder(folder)
        os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(write, "make_marked_folder", made_then_ctrl_c)
    around = beside(output)
    staged = StagedSite(output) if kind is StagedSite else SiteUpdate(output, [])
    with pytest.raises(KeyboardInterrupt), staged:
        pass
    assert beside(output) == around
    assert contents(output) == OLD_SITE


@pytest.mark.parametrize("record", ["removed", "naming another site"])
def test_a_twin_without_a_record_of_this_site_is_mirrored_again_from_the_output(output: Path, record: str) -> None:
    # The record is trusted when it is there and names this site (so a rebuild touches only the paths it lists).
    with SiteUpdate(output, []) as update:
        update.write("a/index.html", b"a2")
        update.commit()
    twin = Twin(output).folder
    if record == "removed":
        (twin / TWIN_RECORD).unlink()
    else:
        (twin / TWIN_RECORD).write_text("0:0\na/index.html\n", encoding="utf-8")
    (twin / "stray.html").write_bytes(b"not the site's")
    (twin / "index.html").unlink()
    with SiteUpdate(output, []) as update:
        update.write("e/index.html", b"e")
        update.commit()
    assert contents(output) == {**OLD_SITE, "a/index.html": b"a2", "e/index.html": b"e"}


# ------------------------------------------------------------------ paths and modes

ESCAPING = ["../outside.html", "/etc/passwd", "a/../../outside.html", "..", "a\\..\\x.html", "a\x00.html", ""]


@pytest.mark.parametrize("path", ESCAPING)
def test_a_path_leaving_the_output_folder_is_refused_and_nothing_written(output: Path, path: str) -> None:
    around = beside(output)
    with pytest.raises(OutputError, match="refusing to write outside the output"), StagedSite(output) as staged:
        staged.write(path, b"x")
    with pytest.raises(OutputError, match="refusing to write outside the output"), SiteUpdate(output, []) as update:
        update.write(path, b"x")
    with pytest.raises(OutputError, match="refusing to write outside the output"):
        SiteUpdate(output, [path])
    assert contents(output) == OLD_SITE
    assert set(beside(output)) == set(around)


def test_two_outputs_at_one_path_are_refused(tmp_path: Path) -> None:
    staged = StagedSite(tmp_path / "site")  # not entered: claiming without making folders touches no file
    staged.claim("a/index.html", make_folder=False)
    with pytest.raises(OutputError, match=re.escape("two outputs would both be written to a/index.html")):
        staged.claim("a//index.html", make_folder=False)


def test_a_copy_is_never_wider_than_its_source_nor_executable(tmp_path: Path) -> None:
    for mode in (0o640, 0o755, 0o600):
        source = tmp_path / f"source-{mode:o}"
        source.write_bytes(b"content")
        source.chmod(mode)
        target = tmp_path / f"copy-{mode:o}"
        copy_no_wider(source, target)
        copied = stat.S_IMODE(target.stat().st_mode)
        assert target.read_bytes() == b"content"
        assert copied & ~mode == 0 and copied & 0o111 == 0, f"{mode:o} copied as {copied:o}"
