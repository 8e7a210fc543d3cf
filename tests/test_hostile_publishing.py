"""Files that must never be published: only images that are images, from inside the site root,
never from a hidden folder; static/ and the theme's assets only inside the root; no copy more
readable than its source.

Each case builds a real site with a secret beside it (a git config holding a token, a `.env`,
a 0640 file standing for /etc/shadow) and checks that the secret reached no file of the output,
and that the editor is told why at the image's line.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefgen.build import build_site
from briefgen.errors import ArchiveError
from briefgen.published import raster_kind
from tests.sites import MakeSite, briefing_text, run_briefgen

TOKEN = b"ghp_SECRETTOKEN0123456789"
GIT_CONFIG = b'[remote "origin"]\n\turl = https://x-access-token:' + TOKEN + b"@github.com/desk/archive\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 17
PLAIN_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>\n'
REAL_IMAGES = {  # the first bytes of a file of each kind, as their tools write them
    "map.png": PNG,
    "photo.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    "photo.jpeg": b"\xff\xd8\xff\xe1\x00\x18Exif\x00\x00",
    "animation.gif": b"GIF89a\x01\x00\x01\x00\x80\x00\x00",
    "old.gif": b"GIF87a\x01\x00\x01\x00",
    "photo.webp": b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00",
    "photo.avif": b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf",
    "compatible.avif": b"\x00\x00\x00\x20ftypmif1\x00\x00\x00\x00mif1avifmiafMA1B",
}


def site_bytes(output: Path) -> bytes:
    """Every file of a built site, one after the other: what a secret must not be found in."""
    return b"".join(p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file() and not p.is_symlink())


def image_errors(root: Path) -> list[str]:
    with pytest.raises(ArchiveError) as caught:
        build_site(root, search=False)
    return [str(p) for p in caught.value.errors]


@pytest.fixture
def root(make_site: MakeSite) -> Path:
    """A site root that is also a git checkout with a token in its config, and a .env beside it."""
    return make_site(
        {
            "briefings/a.md": briefing_text(),
            ".git/config": GIT_CONFIG,
            ".env": b"API_TOKEN=" + TOKEN + b"\n",
            ".env.png": PNG + TOKEN,
            "briefings/.hidden/map.png": PNG + TOKEN,
            "notes/.drafts/map.png": PNG + TOKEN,
        }
    )


def write_body(root: Path, body: str) -> None:
    (root / "briefings" / "a.md").write_text(briefing_text(body=body), encoding="utf-8")


# --- images in hidden folders and files, by their address as written ---------------------


@pytest.mark.parametrize(
    ("address", "hidden"),
    [
        ("../.git/config", ".git"),
        ("../.env", ".env"),
        ("../.env.png", ".env.png"),
        (".hidden/map.png", ".hidden"),
        ("../notes/.drafts/map.png", ".drafts"),
        ("./../.git/config", ".git"),
        # Percent-encoded, they are the same paths once decoded.
        ("..%2F.git%2Fconfig", ".git"),
        ("%2E%2E/%2Egit/config", ".git"),
        ("%2e%2e/%2eenv", ".env"),
        ("%2Ehidden/map.png", ".hidden"),
    ],
)
def test_an_image_in_a_hidden_folder_or_file_is_an_error_at_its_line(root: Path, address: str, hidden: str) -> None:
    write_body(root, f"Intro.\n\nThe map:\n![Map]({address})\n")  # the image is on line 9
    assert image_errors(root) == [
        f"briefings/a.md:9: image '{address}' is inside '{hidden}': files and folders whose name starts with '.' "
        "are never published (keys and settings live there)"
    ]
    assert not (root / "site").exists()


def test_an_image_that_is_a_link_into_a_hidden_folder_is_refused(root: Path) -> None:
    (root / "briefings" / "map.png").symlink_to("../.git/config")
    (root / "briefings" / "photo.png").symlink_to("../notes/.drafts/map.png")
    write_body(root, "Intro.\n\n![Map](map.png)\n\n![Photo](photo.png)\n")
    assert image_errors(root) == [
        "briefings/a.md:8: image 'map.png' leads to .git/config, inside '.git': files and folders whose name starts "
        "with '.' are never published (keys and settings live there)",
        "briefings/a.md:10: image 'photo.png' leads to notes/.drafts/map.png, inside '.drafts': files and folders "
        "whose name starts with '.' are never published (keys and settings live there)",
    ]


def test_no_secret_reaches_the_site_once_the_images_are_fixed(root: Path) -> None:
    write_body(root, "![Map](../.git/config)\n")
    image_errors(root)
    (root / "briefings" / "map.png").write_bytes(PNG)
    write_body(root, "![Map](map.png)\n")
    build_site(root, search=False)
    assert TOKEN not in site_bytes(root / "site")
    assert (root / "site/briefings/2025/06/26/a/map.png").read_bytes() == PNG


# --- only image files, by name and by content ---------------------------------------------


@pytest.mark.parametrize(
    "address", ["notes.txt", "../briefgen.yaml", "config", "map.png.txt", "map.html", "map.PNG.js"]
)
def test_a_file_that_is_not_named_as_an_image_is_refused(root: Path, address: str) -> None:
    (root / "briefings" / "notes.txt").write_text("private notes", encoding="utf-8")
    write_body(root, f"![A map]({address})\n")
    assert image_errors(root) == [
        f"briefings/a.md:6: image '{address}' is not an image file: "
        "only .png, .jpg, .jpeg, .gif, .webp, .avif and .svg files are published as images"
    ]


def test_a_link_named_as_an_image_to_another_kind_of_file_is_refused(root: Path) -> None:
    (root / "briefings" / "notes.txt").write_text("private notes", encoding="utf-8")
    (root / "briefings" / "map.png").symlink_to("notes.txt")
    write_body(root, "![A map](map.png)\n")
    assert image_errors(root) == [
        "briefings/a.md:6: image 'map.png' leads to briefings/notes.txt, which is not an image file: "
        "only .png, .jpg, .jpeg, .gif, .webp, .avif and .svg files are published as images"
    ]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("map.png", b"API_TOKEN=" + TOKEN),
        ("map.jpg", GIT_CONFIG),
        ("map.gif", b"GIF90a not really"),
        ("map.webp", b"RIFF\x00\x00\x00\x00WAVEfmt "),
        ("map.avif", b"\x00\x00\x00\x18ftypisom\x00\x00\x00\x00isom"),  # an MP4, not an AVIF
        ("map.png", PLAIN_SVG.encode()),  # an SVG named .png would dodge the SVG check
        ("map.png", b""),
    ],
)
def test_a_file_named_as_a_raster_image_must_be_one_by_its_content(root: Path, name: str, content: bytes) -> None:
    (root / "briefings" / name).write_bytes(content)
    write_body(root, f"Text.\n\n![A map]({name})\n")
    assert image_errors(root) == [
        f"briefings/a.md:8: image '{name}' is not a PNG, JPEG, GIF, WebP or AVIF image "
        "(its first bytes are not an image's): only image files are published"
    ]


@pytest.mark.parametrize(
    ("content", "line", "what"),
    [
        ('<?xml version="1.0"?>\n<config><token>secret</token></config>\n', 2, "<config> at its top"),
        ("API_TOKEN=secret\n", 1, "XML that is not well-formed"),
        ("", 1, "XML that is not well-formed"),
    ],
)
def test_a_file_named_svg_must_be_an_svg_image(root: Path, content: str, line: int, what: str) -> None:
    (root / "briefings" / "map.svg").write_text(content, encoding="utf-8")
    write_body(root, "![A map](map.svg)\n")
    [message] = image_errors(root)
    assert message.startswith(f"briefings/a.md:6: image 'map.svg' is not an SVG image: line {line} has {what}")


def test_real_images_of_every_kind_are_published(root: Path) -> None:
    for name, content in REAL_IMAGES.items():
        (root / "briefings" / "maps" / name).parent.mkdir(exist_ok=True)
        (root / "briefings" / "maps" / name).write_bytes(content)
    (root / "briefings" / "maps" / "front.svg").write_text(PLAIN_SVG, encoding="utf-8")
    (root / "briefings" / "maps" / "CAPITALS.PNG").write_bytes(PNG)
    names = [*REAL_IMAGES, "front.svg", "CAPITALS.PNG"]
    write_body(root, "".join(f"![Image {i}](maps/{name})\n\n" for i, name in enumerate(names)))
    build_site(root, search=False)
    page = root / "site/briefings/2025/06/26/a"
    assert sorted(p.name for p in (page / "maps").iterdir()) == sorted(names)
    assert all(raster_kind(content) is not None for content in REAL_IMAGES.values())


# --- absolute paths, however written ------------------------------------------------------


def test_an_address_that_decodes_to_an_absolute_path_is_refused(root: Path) -> None:
    (root / "briefings" / "map.png").write_bytes(PNG)
    absolute = (root / "briefings" / "map.png").as_posix()
    encoded = absolute.replace("/", "%2F")
    write_body(root, f"Intro.\n\n![A map]({encoded})\n\n![Same](%2F%2Fevil.example/map.png)\n")
    assert image_errors(root) == [
        f"briefings/a.md:8: image '{encoded}' is an absolute path once decoded ('{absolute}'): "
        "write it relative to the briefing",
        "briefings/a.md:10: image '%2F%2Fevil.example/map.png' is an absolute path once decoded "
        "('//evil.example/map.png'): write it relative to the briefing",
    ]


def test_an_address_starting_with_a_slash_is_a_file_of_static_and_is_left_as_written(root: Path) -> None:
    (root / "static" / "maps").mkdir(parents=True)
    (root / "static" / "maps" / "front.png").write_bytes(PNG)
    write_body(root, "![A map](/maps/front.png)\n")
    build_site(root, search=False)
    page = (root / "site/briefings/2025/06/26/a/index.html").read_text("utf-8")
    assert 'src="/maps/front.png"' in page and 'src="//' not in page


# --- line numbers -------------------------------------------------------------------------


def test_every_refused_image_is_named_at_its_own_line(root: Path) -> None:
    (root / "briefings" / "notes.txt").write_text("notes", encoding="utf-8")
    (root / "briefings" / "fake.png").write_text("not a png", encoding="utf-8")
    body = (
        "Intro.\n"  # 6
        "\n"  # 7
        "A paragraph with ![one](../.env) inside it\n"  # 8
        "and, on its next line, ![two](notes.txt).\n"  # 9
        "\n"  # 10
        "> quoted: ![three](fake.png)\n"  # 11
        "\n"  # 12
        "- a list item\n"  # 13
        "- with ![four](%2E%2E/.git/config)\n"  # 14
    )
    write_body(root, body)
    assert [error.split(": ")[0] for error in image_errors(root)] == [
        "briefings/a.md:8",
        "briefings/a.md:9",
        "briefings/a.md:11",
        "briefings/a.md:14",
    ]


def test_the_build_command_says_path_line_message_and_publishes_nothing(root: Path) -> None:
    write_body(root, "Intro.\n\n![Config](../.git/config)\n")
    result = run_briefgen("build", "--root", str(root), "--no-search")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "briefings/a.md:8: image '../.git/config' is inside '.git'" in result.stderr
    assert not (root / "site").exists()


# --- static/ and the theme's assets: only inside the site root ----------------------------


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder outside the site root standing for /etc: a private file (0640) and a public one."""
    folder = tmp_path / "etc"
    folder.mkdir()
    (folder / "shadow").write_bytes(b"root:$6$" + TOKEN + b":19000:0:99999:7:::\n")
    (folder / "shadow").chmod(0o640)
    (folder / "hostname").write_text("build-host\n", encoding="utf-8")
    return folder


def test_static_as_a_link_out_of_the_site_root_publishes_nothing(make_site: MakeSite, outside: Path) -> None:
    root = make_site({"briefings/a.md": briefing_text()})
    (root / "static").symlink_to(outside, target_is_directory=True)
    report = build_site(root, search=False)
    assert not (root / "site" / "shadow").exists() and not (root / "site" / "hostname").exists()
    assert TOKEN not in site_bytes(root / "site")
    assert [str(p) for p in report.warnings] == [
        f"static:1: warning: static/ is a link to {outside.resolve()}, outside the site root: "
        "nothing in it is published"
    ]


def test_theme_assets_as_a_link_out_of_the_site_root_publish_nothing(make_site: MakeSite, outside: Path) -> None:
    root = make_site({"briefings/a.md": briefing_text()})
    (root / "templates").mkdir()
    (root / "templates" / "assets").symlink_to(outside, target_is_directory=True)
    report = build_site(root, search=False)
    assert not (root / "site" / "assets" / "shadow").exists()
    assert (root / "site" / "assets" / "briefgen.css").is_file()  # the built-in theme's are still there
    assert TOKEN not in site_bytes(root / "site")
    assert [str(p) for p in report.warnings] == [
        f"templates/assets:1: warning: templates/assets/ is a link to {outside.resolve()}, outside the site root: "
        "nothing in it is published"
    ]


def test_a_templates_folder_that_leads_out_of_the_root_publishes_none_of_its_assets(
    make_site: MakeSite, outside: Path
) -> None:
    (outside / "assets").mkdir()
    (outside / "assets" / "passwd").write_text("root:x:0:0", encoding="utf-8")
    root = make_site({"briefings/a.md": briefing_text()})
    (root / "templates").symlink_to(outside, target_is_directory=True)
    report = build_site(root, search=False)
    assert not (root / "site" / "assets" / "passwd").exists()
    assert [p.path for p in report.warnings] == ["templates/assets"]


def test_links_inside_static_and_the_theme_assets_are_skipped_with_a_warning(
    make_site: MakeSite, outside: Path
) -> None:
    root = make_site(
        {
            "briefings/a.md": briefing_text(),
            "static/own.txt": "mine",
            "templates/assets/site.css": "body {}",
            "notes/inside.txt": "inside the root",
        }
    )
    (root / "static" / "shadow").symlink_to(outside / "shadow")
    (root / "static" / "etc").symlink_to(outside, target_is_directory=True)
    (root / "static" / "inside.txt").symlink_to("../notes/inside.txt")
    (root / "templates" / "assets" / "hostname").symlink_to(outside / "hostname")
    report = build_site(root, search=False)
    site = root / "site"
    assert (site / "own.txt").read_text("utf-8") == "mine"
    assert (site / "assets" / "site.css").is_file()
    for absent in ("shadow", "etc", "inside.txt", "assets/hostname"):
        assert not (site / absent).exists(), absent
    assert TOKEN not in site_bytes(site)
    assert [str(p) for p in report.warnings] == [
        "static/etc:1: warning: a link to a file or folder outside the site root is not published",
        "static/inside.txt:1: warning: links are not followed here: put the file itself in its place to publish it",
        "static/shadow:1: warning: a link to a file or folder outside the site root is not published",
        "templates/assets/hostname:1: warning: a link to a file or folder outside the site root is not published",
    ]


def test_static_as_a_link_inside_the_site_root_is_followed(make_site: MakeSite) -> None:
    root = make_site({"briefings/a.md": briefing_text(), "public/robots-extra.txt": "hello"})
    (root / "static").symlink_to("public", target_is_directory=True)
    report = build_site(root, search=False)
    assert (root / "site" / "robots-extra.txt").read_text("utf-8") == "hello"
    assert report.warnings == ()


def test_the_build_command_names_the_link_and_builds_the_rest(make_site: MakeSite, outside: Path) -> None:
    root = make_site({"briefings/a.md": briefing_text()})
    (root / "static").symlink_to(outside, target_is_directory=True)
    result = run_briefgen("build", "--root", str(root), "--no-search")
    assert result.returncode == 0, result.stderr
    assert "static:1: warning: static/ is a link to" in result.stderr and "Traceback" not in result.stderr
    assert not (root / "site" / "shadow").exists()


# --- modes: a copy is never more readable than its source ---------------------------------


@pytest.fixture
def umask() -> Iterator[None]:
    """The usual umask (022), under which a plain copy of a 0640 file became 0644."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("umask")
def test_copies_are_never_more_readable_than_their_sources(make_site: MakeSite) -> None:
    root = make_site(
        {
            "briefings/a.md": briefing_text(body="![A map](map.png)\n"),
            "briefings/map.png": PNG,
            "static/private.txt": "group only",
            "static/public.txt": "everyone",
            "static/tool.sh": "#!/bin/sh\n",
            "templates/assets/site.css": "body {}",
        }
    )
    (root / "briefings" / "map.png").chmod(0o600)
    (root / "static" / "private.txt").chmod(0o640)
    (root / "static" / "tool.sh").chmod(0o777)
    (root / "templates" / "assets" / "site.css").chmod(0o640)
    build_site(root, search=False)
    site = root / "site"
    assert mode(site / "briefings/2025/06/26/a/map.png") == 0o600
    assert mode(site / "private.txt") == 0o640
    assert mode(site / "assets" / "site.css") == 0o640
    assert mode(site / "public.txt") == 0o644  # the umask's result, as before
    assert mode(site / "tool.sh") == 0o644  # nothing published is executable, nor writable by others


@pytest.mark.usefixtures("umask")
def test_a_file_made_private_after_a_build_is_copied_again_with_its_new_mode(make_site: MakeSite) -> None:
    root = make_site({"briefings/a.md": briefing_text(), "static/report.txt": "draft"})
    build_site(root, search=False)
    assert mode(root / "site" / "report.txt") == 0o644
    (root / "static" / "report.txt").chmod(0o600)
    build_site(root, search=False)  # a rebuild: only what changed is copied, through the site's twin
    assert mode(root / "site" / "report.txt") == 0o600
