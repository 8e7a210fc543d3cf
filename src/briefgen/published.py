"""What may leave the site root as it is: images beside briefings, static/, the theme's assets.

A file copied into the site is handed to everyone who opens the site, so only
what an editor plainly meant to publish is copied:

- An image a briefing shows must be an image file, by its name (.png, .jpg,
  .jpeg, .gif, .webp, .avif, .svg) and by its content (a raster image's first
  bytes; an SVG is parsed, svg.py). It must lie inside the site root once
  every link is resolved, and no part of its path, as written or resolved,
  may be hidden (`../.git/config`, `.env`, `maps/.drafts/x.png`): hidden
  folders and files are where keys, tokens and settings live. Its address is
  decoded before it is judged, so `%2F` or `%2e` cannot disguise an absolute
  path or a hidden folder. Each refusal is an error at the image's line.
- static/ and the theme's asset folders are read only inside the site root:
  a folder that is a link out of it publishes nothing, and a link inside one
  is never followed. Each is named in a warning, and the build goes on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote

from briefgen.config import split_url
from briefgen.errors import Problem, error, warning
from briefgen.model import Image
from briefgen.svg import svg_hazard

if TYPE_CHECKING:
    from briefgen.markdown import ParsedBody

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg")
"""The names of files published as images; docs/format.md lists them."""
_RASTER_HEAD = 256
"""Bytes read to tell a raster image by its signature (AVIF's brands come after its box header)."""


@dataclass(frozen=True, slots=True)
class BriefingImages:
    """The images a briefing shows, checked: what to copy, and how its HTML must name them."""

    images: tuple[Image, ...]
    names: dict[str, str]
    """Address as written -> as published, where the two differ."""


def briefing_images(
    root: Path,
    path: Path,
    rel: str,
    parsed: ParsedBody,
    body_first_line: int,
    problems: list[Problem],
    images_read: list[Path],
) -> BriefingImages:
    """The image files a briefing shows, each checked, and named for its page folder.

    Every file looked for, found or not, is added to `images_read`: the cache
    must parse the briefing again when one of them appears, changes or goes.
    """
    if not parsed.images:
        return BriefingImages((), {})
    images: dict[str, Image] = {}
    names: dict[str, str] = {}
    real_root = root.resolve()
    for ref in parsed.images:
        line = body_first_line + ref.line
        if not ref.alt.strip():
            problems.append(
                warning(rel, line, f"image '{ref.src}' has no alt text: describe it for readers who cannot see it")
            )
        written = _file_address(ref.src)
        if written is None:
            continue  # a web address, or a file under static/: nothing to copy
        found = _image_file(real_root, path.parent, written, ref.src, images_read)
        if isinstance(found, str):
            problems.append(error(rel, line, found))
            continue
        published = _published_image_name(written)
        if published in images and images[published].source_path != str(found):
            problems.append(error(rel, line, f"two different images would both be published as '{published}'"))
            continue
        images[published] = Image(source_path=str(found), output_name=published)
        if published != ref.src:
            names[ref.src] = published
    return BriefingImages(tuple(images[name] for name in sorted(images)), names)


def _file_address(src: str) -> str | None:
    """The file path an image address names, percent-decoded; None for a web address or a site path.

    Decoded before anything else looks at it: `%2F` is a '/', `%2e` a '.'.
    """
    parts = split_url(src)
    if parts is None or parts.scheme or parts.netloc or src.startswith("/") or not parts.path:
        return None
    return unquote(parts.path)


def _image_file(real_root: Path, folder: Path, written: str, src: str, images_read: list[Path]) -> Path | str:
    """The file to publish for an image written `written` in a briefing in `folder`, or why not."""
    refused = _refused_name(src, written)
    if refused is not None:
        return refused
    found = _found_file(real_root, folder / written, src, images_read)
    if isinstance(found, str):
        return found
    return _refused_place(src, found.relative_to(real_root)) or _content_refusal(src, found) or found


def _found_file(real_root: Path, candidate: Path, src: str, images_read: list[Path]) -> Path | str:
    """The file `candidate` is, every link resolved, when it is one inside the site root; or why not."""
    try:
        target = candidate.resolve()
        images_read.append(candidate)  # as written, not resolved: replacing a symlink there changes its state
        outside, missing = not target.is_relative_to(real_root), not target.is_file()
    except (OSError, ValueError, RuntimeError) as exc:  # a name too long, a NUL byte (%00), a symlink loop
        return f"image '{src}' cannot be read: {_reason(exc)}"
    if outside:
        return f"image '{src}' is outside the site root"
    if missing:
        return f"image '{src}' not found (looked for {target.relative_to(real_root).as_posix()})"
    return target


_HIDDEN_WHY = "files and folders whose name starts with '.' are never published (keys and settings live there)"
_SUFFIXES_WHY = "only .png, .jpg, .jpeg, .gif, .webp, .avif and .svg files are published as images"


def _refused_name(src: str, written: str) -> str | None:
    """Why an image may not be published, from its decoded path alone; None when its name is fine."""
    pure = PurePosixPath(written)
    if pure.is_absolute():
        return f"image '{src}' is an absolute path once decoded ('{written}'): write it relative to the briefing"
    hidden = _hidden_part(pure)
    if hidden is not None:
        return f"image '{src}' is inside '{hidden}': {_HIDDEN_WHY}"
    if not pure.name.lower().endswith(IMAGE_SUFFIXES):
        return f"image '{src}' is not an image file: {_SUFFIXES_WHY}"
    if "\\" in written:
        return f"image '{src}' has a '\\' in its name: rename the file without it"
    return None


def _refused_place(src: str, resolved: Path) -> str | None:
    """Why the file an image leads to (`resolved`, relative to the site root) may not be published."""
    shown = resolved.as_posix()
    hidden = _hidden_part(PurePosixPath(shown))
    if hidden is not None:
        return f"image '{src}' leads to {shown}, inside '{hidden}': {_HIDDEN_WHY}"
    if not resolved.name.lower().endswith(IMAGE_SUFFIXES):
        return f"image '{src}' leads to {shown}, which is not an image file: {_SUFFIXES_WHY}"
    return None


def _hidden_part(path: PurePosixPath) -> str | None:
    """The first part of `path` whose name starts with '.' ('.' and '..' themselves aside), if any."""
    return next((part for part in path.parts if part.startswith(".") and part not in {".", ".."}), None)


def _content_refusal(src: str, target: Path) -> str | None:
    """Why the file is not the image its name says, by its content; None when it is one."""
    try:
        if target.suffix.lower() == ".svg":
            return _svg_refusal(src, target.read_bytes())
        with target.open("rb") as file:
            head = file.read(_RASTER_HEAD)
    except OSError as exc:
        return f"image '{src}' cannot be read: {_reason(exc)}"
    if raster_kind(head) is None:
        return (
            f"image '{src}' is not a PNG, JPEG, GIF, WebP or AVIF image (its first bytes are not an image's): "
            "only image files are published"
        )
    return None


def _svg_refusal(src: str, data: bytes) -> str | None:
    """Why an SVG image may not be published (it could run script, or load from elsewhere,
    when a reader opens it on its own, or it is no SVG at all); None for a plain picture."""
    hazard = svg_hazard(data)
    if hazard is None:
        return None
    if not hazard.active:
        return f"image '{src}' is not an SVG image: line {hazard.line} has {hazard.what}"
    return (
        f"image '{src}' is refused: line {hazard.line} of the SVG has {hazard.what}, which would run on this site "
        "(or load from elsewhere) when a reader opens the image; remove it, or publish a PNG instead"
    )


def raster_kind(head: bytes) -> str | None:
    """The kind of raster image whose file starts with `head` ('PNG', 'JPEG', ...), or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "WebP"
    if head[4:8] == b"ftyp" and _has_avif_brand(head):
        return "AVIF"
    return None


def _has_avif_brand(head: bytes) -> bool:
    # An ISO media file's first box, 'ftyp': size, type, major brand, minor
    # version, then compatible brands up to its size. AVIF is a brand of it.
    end = min(int.from_bytes(head[:4], "big"), len(head))
    brands = [head[8:12], *(head[i : i + 4] for i in range(16, end - 3, 4))]
    return any(brand in {b"avif", b"avis"} for brand in brands)


def _reason(exc: Exception) -> str:
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc)


def _published_image_name(written: str) -> str:
    # An image beside the file or in a sub-folder keeps its relative path, so
    # its link needs no rewriting; one reached through '..' is published flat.
    pure = PurePosixPath(written)
    if ".." in pure.parts:
        return pure.name
    return "/".join(part for part in pure.parts if part not in {".", ""})


def folder_files(folder: Path, root: Path, problems: list[Problem]) -> dict[str, Path]:
    """Every file below `folder` to be published as it is, by its path relative to `folder`.

    `folder` is static/ or a theme's asset folder, and must stay inside `root`
    (the site root; the built-in theme's own folder for its assets): when it
    is a link out of it, or into a hidden folder, nothing in it is published.
    A link inside it is never followed. Each of these is a warning in `problems`.
    """
    if not folder.is_dir():
        return {}
    real_root = root.resolve()
    shown = _shown(folder, root)
    real = folder.resolve()
    if not real.is_relative_to(real_root):
        problems.append(
            warning(shown, 1, f"{shown}/ is a link to {real}, outside the site root: nothing in it is published")
        )
        return {}
    hidden = _hidden_part(PurePosixPath(real.relative_to(real_root).as_posix()))
    if hidden is not None:
        problems.append(warning(shown, 1, f"{shown}/ is a link into '{hidden}': nothing in it is published"))
        return {}
    found: dict[str, Path] = {}
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        here = Path(dirpath)
        dirnames.sort()
        for name in [*dirnames, *sorted(filenames)]:
            entry = here / name
            if entry.is_symlink():
                problems.append(warning(_shown(entry, root), 1, _link_refusal(entry, real_root)))
                if name in dirnames:
                    dirnames.remove(name)
            elif name in filenames and entry.is_file():  # not a socket, a pipe or a device
                found[entry.relative_to(folder).as_posix()] = entry
    return dict(sorted(found.items()))


def _link_refusal(link: Path, real_root: Path) -> str:
    try:
        inside = link.resolve().is_relative_to(real_root)
    except (OSError, RuntimeError):  # a loop leads nowhere
        inside = True
    if not inside:
        return "a link to a file or folder outside the site root is not published"
    return "links are not followed here: put the file itself in its place to publish it"


def _shown(path: Path, root: Path) -> str:
    """`path` as a message names it: relative to the site root when it is below it (as written, unresolved)."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
