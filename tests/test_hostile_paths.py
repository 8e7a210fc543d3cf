"""Hostile names: no slug, source key, tag, place, file name or link can put a file outside the output folder.

Names come from many languages and from other sites: every one of them
becomes a plain, readable path segment, and links in briefings/ that lead
out of the site root are refused with a message.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

from briefgen.build import build_site
from briefgen.errors import ArchiveError, OutputError
from briefgen.load import find_briefing_files, load_archive
from briefgen.slugs import WINDOWS_DEVICES, is_plain_slug, slug_of
from briefgen.write import safe_relative_path
from tests.sites import MakeSite, briefing_text

HOSTILE_NAMES = [
    "..",
    ".",
    "../../../../etc/passwd",
    "/etc/passwd",
    "\\\\server\\share",
    "C:\\Windows\\system32",
    "a/b\\c",
    "a\x00b",
    "nul",
    "CON",
    "con.txt",
    "Aux",
    "LPT1",
    "com9.md",
    "",
    "   ",
    "???",
    "%2e%2e%2f",
    "x" * 400,
    "\u202eevil\u202c",
    "-",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_every_name_becomes_one_plain_path_segment(name: str) -> None:
    slug = slug_of(name)
    assert is_plain_slug(slug), slug
    assert slug not in WINDOWS_DEVICES and slug.split(".")[0] not in WINDOWS_DEVICES
    assert safe_relative_path(f"tags/{slug}/index.html").parts == ("tags", slug, "index.html")


def test_two_names_with_no_letters_get_distinct_slugs() -> None:
    assert len({slug_of(n) for n in ("..", ".", "/", "\\", "???", "", "   ")}) == 7


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Київ", "kyiv"),  # Ukrainian, by Ukraine's national system (slugs.py; more in test_slugs.py)
        ("Харків", "kharkiv"),
        ("Запорізька область", "zaporizka-oblast"),
        ("Курская область", "kurskaya-oblast"),  # Russian
        ("Белгород", "belgorod"),
        ("حلب", "hlb"),  # Arabic
        ("دمشق", "dmshq"),
        ("서울", "seoul"),  # Korean
        ("평양", "pyeongyang"),
        ("Donetsk Oblast", "donetsk-oblast"),
    ],
)
def test_names_in_any_script_get_stable_readable_slugs(name: str, slug: str) -> None:
    assert slug_of(name) == slug
    # The same name typed on another system (decomposed accents) is the same page.
    assert slug_of(unicodedata.normalize("NFD", name)) == slug


@pytest.mark.parametrize("path", ["../x", "/etc/passwd", "a/../../x", "a\\..\\x", "a\x00b", "", "."])
def test_an_output_path_that_could_leave_the_output_folder_is_refused(path: str) -> None:
    with pytest.raises(OutputError):
        safe_relative_path(path)


def test_hostile_tags_places_sources_and_file_names_stay_inside_the_output(make_site: MakeSite, tmp_path: Path) -> None:
    names = [n for n in HOSTILE_NAMES if n.strip() and "\x00" not in n]
    quoted = ", ".join("'" + n.replace("'", "''").replace("\\", "\\\\") + "'" for n in names)
    files = {
        f"briefings/{name}.md": briefing_text(
            f"tags: [{quoted}]\nplaces: [{quoted}]\n", source="'" + name.replace("'", "''") + "'"
        )
        for name in ["con", "nul.txt", "LPT1", "…", "Київ", "a\\b", "%2e%2e"]
    }
    root = make_site(files)
    out = tmp_path / "deep" / "out"
    build_site(root, output=out)
    written = [p for p in out.parent.rglob("*") if p.is_file()]
    assert written and all(p.resolve().is_relative_to(out.resolve()) for p in written)
    for folder in ("tags", "places", "sources", "briefings/2025/06/26"):
        segments = [p.name for p in (out / folder).iterdir() if p.is_dir()]
        assert segments and all(is_plain_slug(s) for s in segments), segments
    assert {p.name for p in (out / "briefings/2025/06/26").iterdir() if p.is_dir()} == {
        "con-",
        "nul-txt",
        "lpt1-",
        slug_of("…"),
        "kyiv",
        "a-b",
        "2e-2e",
    }


@pytest.mark.parametrize("slug", ["../x", "a/b", "a\\b", "CON", "nul", "Kyiv", "-x", "a b", "київ", "x" * 101, "'..'"])
def test_a_slug_that_is_not_a_plain_name_is_an_error_at_its_line(make_site: MakeSite, slug: str) -> None:
    root = make_site({"briefings/a.md": briefing_text(f"slug: {slug}\n")})
    with pytest.raises(ArchiveError) as caught:
        load_archive(root)
    assert [(p.path, p.line) for p in caught.value.errors] == [("briefings/a.md", 5)]
    assert "is not a plain name" in caught.value.errors[0].message


@pytest.mark.parametrize("key", ["../x", "a/b", "CON", "Kyiv", "'a b'", "''"])
def test_a_source_key_that_is_not_a_plain_name_is_an_error_at_its_line(make_site: MakeSite, key: str) -> None:
    root = make_site({"sources.yaml": f"ok:\n  name: OK\n{key}:\n  name: Bad\n", "briefings/a.md": briefing_text()})
    with pytest.raises(ArchiveError) as caught:
        load_archive(root)
    assert [(p.path, p.line) for p in caught.value.errors] == [("sources.yaml", 3)]


# --- symlinks ---------------------------------------------------------------------------


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.md").write_text(briefing_text(title="Secret"), "utf-8")
    (folder / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\n secret")
    (folder / "inner").mkdir()
    (folder / "inner" / "more.md").write_text(briefing_text(title="More"), "utf-8")
    return folder


def test_links_out_of_the_site_root_are_refused_with_a_message(make_site: MakeSite, outside: Path) -> None:
    root = make_site({"briefings/a.md": briefing_text(body="![A map](map.png)\n")})
    briefings = root / "briefings"
    (briefings / "secret.md").symlink_to(outside / "secret.md")
    (briefings / "relative.md").symlink_to(os.path.relpath(outside / "secret.md", briefings))
    (briefings / "folder").symlink_to(outside / "inner", target_is_directory=True)
    (briefings / "etc").symlink_to("/etc", target_is_directory=True)
    (briefings / "map.png").symlink_to(outside / "secret.png")
    with pytest.raises(ArchiveError) as caught:
        build_site(root)
    assert [str(p) for p in caught.value.errors] == [
        "briefings/a.md:6: image 'map.png' is outside the site root",
        "briefings/etc:1: a link to a folder outside the site root is not read",
        "briefings/folder:1: a link to a folder outside the site root is not read",
        "briefings/relative.md:1: a link to a file outside the site root is not read",
        "briefings/secret.md:1: a link to a file outside the site root is not read",
    ]
    assert not (root / "site").exists()


def test_a_briefings_folder_that_is_a_link_out_of_the_site_root_is_refused(tmp_path: Path, outside: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "briefings").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ArchiveError) as caught:
        load_archive(root)
    assert [str(p) for p in caught.value.errors] == [
        "briefings:1: briefings/ is a link to a folder outside the site root"
    ]
    # A link to a folder inside the site root is fine.
    (root / "briefings").unlink()
    (root / "archive").mkdir()
    (root / "archive" / "a.md").write_text(briefing_text(), "utf-8")
    (root / "briefings").symlink_to("archive", target_is_directory=True)
    archive, _ = load_archive(root)
    assert [b.path for b in archive.briefings] == ["briefings/a.md"]


def test_an_image_reached_through_a_link_to_a_folder_outside_is_refused(make_site: MakeSite, outside: Path) -> None:
    root = make_site({"briefings/a.md": briefing_text(body="![A map](../media/secret.png)\n")})
    (root / "media").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ArchiveError) as caught:
        load_archive(root)
    assert [str(p) for p in caught.value.errors] == [
        "briefings/a.md:6: image '../media/secret.png' is outside the site root"
    ]


def test_replacing_a_refused_image_link_by_the_file_itself_is_seen_by_the_cache(
    make_site: MakeSite, outside: Path
) -> None:
    root = make_site({"briefings/a.md": briefing_text(body="![A map](map.png)\n")})
    image = root / "briefings" / "map.png"
    image.symlink_to(outside / "secret.png")
    with pytest.raises(ArchiveError):
        build_site(root)
    image.unlink()
    image.write_bytes(b"\x89PNG\r\n\x1a\n mine")
    build_site(root)
    assert (root / "site/briefings/2025/06/26/a/map.png").read_bytes() == b"\x89PNG\r\n\x1a\n mine"


def test_links_inside_the_site_root_are_read_and_links_to_folders_are_explained(make_site: MakeSite) -> None:
    root = make_site({"drafts/b.md": briefing_text(title="B"), "drafts/inner/c.md": briefing_text(title="C")})
    (root / "briefings" / "b.md").symlink_to(root / "drafts" / "b.md")
    (root / "briefings" / "inner").symlink_to(root / "drafts" / "inner", target_is_directory=True)
    problems: list = []
    assert find_briefing_files(root, problems) == [root / "briefings" / "b.md"]
    assert [str(p) for p in problems] == ["briefings/inner:1: links to folders are not followed: move the folder here"]


def test_static_files_that_are_links_are_not_copied(make_site: MakeSite, outside: Path, tmp_path: Path) -> None:
    root = make_site({"briefings/a.md": briefing_text(), "static/own.txt": "mine"})
    (root / "static" / "secret.png").symlink_to(outside / "secret.png")
    (root / "static" / "inner").symlink_to(outside / "inner", target_is_directory=True)
    build_site(root, output=tmp_path / "out")
    assert (tmp_path / "out/own.txt").read_text() == "mine"
    assert not (tmp_path / "out/secret.png").exists()
    assert not (tmp_path / "out/inner").exists()


def test_an_image_with_a_backslash_in_its_name_is_an_error_at_its_line(make_site: MakeSite) -> None:
    root = make_site({"briefings/a.md": briefing_text(body="Text.\n\n![A map](<a\\b.png>)\n")})
    (root / "briefings" / "a\\b.png").write_bytes(b"png")
    with pytest.raises(ArchiveError) as caught:
        load_archive(root)
    assert [(p.line, "has a '\\' in its name" in p.message) for p in caught.value.errors] == [(8, True)]
