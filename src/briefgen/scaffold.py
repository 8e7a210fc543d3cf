"""New site roots and new briefings, from the starter files shipped with briefgen.

`briefgen init` lays out a site root that is ready to publish on GitHub Pages;
`briefgen new` starts one briefing with its front matter filled in. Neither
ever replaces a file that is already there.
"""

from __future__ import annotations

import datetime as dt
import re
from importlib.resources import files
from pathlib import Path

from briefgen.config import SETTINGS_FILE, SOURCES_FILE
from briefgen.errors import BriefgenError, Problem
from briefgen.gazetteer import read_sources
from briefgen.installspec import InstallSpec, default_spec
from briefgen.load import BRIEFINGS_DIR, check_site_root
from briefgen.model import Source
from briefgen.slugs import slug_of
from briefgen.yamlfields import nearest, why_not_a_day
from briefgen.yamlnodes import yaml_quoted

STARTER_DIR = "starter"
"""Package folder of the files `init` writes; the Pages workflow there is the one copy."""
FORMAT_DOC = "format.md"
"""docs/format.md, as the wheel ships it (pyproject.toml): `briefgen help format` prints it."""
PAGES_WORKFLOW = ".github/workflows/pages.yml"
EXAMPLE_BRIEFING = f"{BRIEFINGS_DIR}/2025/06/26/example-desk-how-a-briefing-is-written.md"
STARTER_FILES = {
    SETTINGS_FILE: "briefgen.yaml",
    SOURCES_FILE: "sources.yaml",
    ".gitignore": "gitignore",
    PAGES_WORKFLOW: "pages.yml",
    EXAMPLE_BRIEFING: "example-briefing.md",
}
"""Path in a new site root -> name of the starter file it is written from."""
INSTALL_PLACEHOLDER = "run: pip install '<written by briefgen init>'"
"""The install step's line in the starter workflow, replaced as it is written. Run as it is, pip
refuses it as no requirement, so a copy that skipped `init` fails instead of installing anything."""
PLAIN_YAML = re.compile(r"[\w .+/=@:'~-]+", re.ASCII)
"""Characters that need no YAML quoting on a line after `run: ` (with ': ' and ' #' kept out)."""
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ScaffoldError(BriefgenError):
    """A file would be replaced, or the request names something the site does not have."""


def starter_text(name: str) -> str:
    """One of the starter files, read from the installed package."""
    return files("briefgen").joinpath(STARTER_DIR, name).read_text(encoding="utf-8")


def format_document() -> str:
    """The format, docs/format.md: inside the installed package, or in the repository (an editable install)."""
    packaged = files("briefgen").joinpath(FORMAT_DOC)
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return (Path(__file__).resolve().parents[2] / "docs" / FORMAT_DOC).read_text(encoding="utf-8")


def init_site(folder: Path, install: InstallSpec | None = None) -> list[str]:
    """Write a new site root into `folder`, creating it if needed; returns the paths written.

    A folder that already holds files is fine (a fresh git clone, say) as long
    as none of the files to write is among them: nothing is ever replaced, and
    on a clash nothing at all is written. The example briefing is left out
    when briefings/ already holds some. The Pages workflow installs briefgen
    as `install` says, by default this very version from the package index.
    """
    if folder.exists() and not folder.is_dir():
        raise ScaffoldError(f"{folder} exists and is not a folder")
    planned = dict(STARTER_FILES)
    if any((folder / BRIEFINGS_DIR).rglob("*.md")):
        del planned[EXAMPLE_BRIEFING]
    clashes = [path for path in planned if (folder / path).exists() or (folder / path).is_symlink()]
    if clashes:
        raise ScaffoldError(
            f"refusing to set up {folder}: it already has {', '.join(clashes)} "
            "(briefgen init never replaces a file; move them away or choose an empty folder)"
        )
    texts = {path: starter_text(name) for path, name in planned.items()}
    texts[PAGES_WORKFLOW] = pages_workflow(install or default_spec())
    for path, text in texts.items():
        _write_new(folder / path, text)
    return list(texts)


def pages_workflow(install: InstallSpec) -> str:
    """The starter Pages workflow with its install step filled in."""
    text = starter_text(STARTER_FILES[PAGES_WORKFLOW])
    if text.count(INSTALL_PLACEHOLDER) != 1:
        raise ScaffoldError(f"the packaged {PAGES_WORKFLOW} has lost its install line: reinstall briefgen")
    return text.replace(INSTALL_PLACEHOLDER, f"run: {yaml_plain_or_quoted(install.command)}")


def new_briefing(root: Path, *, source: str, title: str, day: dt.date) -> Path:
    """Write a new briefing under root/briefings/YYYY/MM/DD/ and return its path."""
    check_site_root(root)
    key = source_key(root, source)
    title = " ".join(title.split())
    if not title:
        raise ScaffoldError("the title is empty: give the report's headline with --title")
    try:
        title.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ScaffoldError("the title is not valid text: check the terminal's encoding") from exc
    path = root / BRIEFINGS_DIR / f"{day:%Y}" / f"{day:%m}" / f"{day:%d}" / f"{briefing_file_slug(key, title)}.md"
    _write_new(path, briefing_text(title=title, day=day, source=key))
    return path


def briefing_file_slug(key: str, title: str) -> str:
    """The file name: the title's slug, after the source key so that two sources' reports never clash."""
    slug = slug_of(title)
    return slug if slug == key or slug.startswith(key + "-") else slug_of(f"{key} {title}")


def source_key(root: Path, value: str) -> str:
    """The sources.yaml key that `value` names (a key, or an organisation's name)."""
    problems: list[Problem] = []
    sources = read_sources(root, problems)
    errors = [str(p) for p in problems if p.is_error]
    if errors:
        raise ScaffoldError("sources.yaml has errors; fix them first:\n" + "\n".join(errors))
    if not (root / SOURCES_FILE).is_file():
        raise ScaffoldError(
            f"there is no {SOURCES_FILE} in {root}: run briefgen new in a site root, "
            "or set one up with 'briefgen init DIR'"
        )
    found = _find_source(sources, value.strip())
    if found is not None:
        return found.key
    if not sources:
        raise ScaffoldError(f"{SOURCES_FILE} lists no sources yet: add '{value}' there first")
    hint = nearest(value, sources)
    raise ScaffoldError(
        f"unknown source '{value}'{hint}: {SOURCES_FILE} has {', '.join(sorted(sources))} "
        "(add a new organisation there first)"
    )


def _find_source(sources: dict[str, Source], value: str) -> Source | None:
    if value in sources:
        return sources[value]
    folded = value.casefold()
    for source in sources.values():
        if folded in {source.key.casefold(), source.name.casefold()}:
            return source
    return None


def briefing_text(*, title: str, day: dt.date, source: str) -> str:
    """A new briefing: the known front matter filled in, the rest as commented hints.

    The hints are YAML comments, so the file passes `briefgen check --strict`
    as written; deleting the '# ' before a hint's lines makes it real.
    """
    return f"""\
---
title: {yaml_quoted(title)}
date: {day.isoformat()}
source: {source}
# Lines starting with '#' are notes to you and are never published.
# To use one of the keys below, delete the '# ' at the start of its lines.
#
# url: https://www.example.org/report    # where the original was published
# authors: [Jane Doe, John Roe]
# tags: [air-defense, ceasefire]         # topics; each gets a page listing its reports
# places: [Kharkiv Oblast, Kupiansk]     # so do places
#
# Key takeaways, shown in a box before the text:
# takeaways:
#   - The first key takeaway, in one sentence.
#   - The second key takeaway.
#
# Notes, numbered; cite note 1 in the text by writing [1] after the sentence:
# footnotes:
#   1: Reuters, "Title of the article", June 26, 2025, https://www.reuters.com/...
---
Write the report here, in Markdown, with a blank line between paragraphs.
"""


def yaml_plain_or_quoted(text: str) -> str:
    """`text` as a YAML scalar on one line: left plain when it reads back as it is, so it stays easy to edit."""
    if PLAIN_YAML.fullmatch(text) and ": " not in text and not text.endswith(":"):
        return text
    return yaml_quoted(text)


def parse_day(value: str) -> dt.date:
    """A YYYY-MM-DD date from the command line; ValueError with a readable message otherwise."""
    if not ISO_DAY.match(value):
        raise ValueError(f"'{value}' is not a date written YYYY-MM-DD")
    reason = why_not_a_day(*(int(part) for part in value.split("-")))
    if reason:
        raise ValueError(f"'{value}' is not a calendar date: {reason}")
    return dt.date.fromisoformat(value)


def _write_new(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError as exc:
        raise ScaffoldError(f"{path} already exists: briefgen never replaces a file") from exc
    except OSError as exc:
        raise ScaffoldError(f"cannot write {path}: {exc.strerror}") from exc
