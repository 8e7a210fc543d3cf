"""The README's theme section is the designer's map of templates/: every file, its context and its blocks."""

from __future__ import annotations

import dataclasses
import re

import pytest

from briefgen import contexts
from tests.sitetools import REPO_ROOT

TEMPLATES = REPO_ROOT / "templates"


def theme_section() -> str:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("\n## The theme\n")
    return readme[start : readme.index("\n## ", start + 1)]


def theme_files() -> list[str]:
    return sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*") if p.is_file())


def table_row(name: str) -> str:
    """The README table row of a template, by its file name in the first column."""
    for line in theme_section().splitlines():
        if line.startswith(f"| `{name}` |"):
            return line
    raise AssertionError(f"templates/{name} has no row in the README's theme section")


@pytest.mark.parametrize("name", theme_files())
def test_every_theme_file_is_named_in_the_readme(name: str) -> None:
    assert f"`{name}`" in theme_section(), f"README, The theme: templates/{name} is not listed"


def page_templates() -> list[str]:
    return sorted(p.name for p in TEMPLATES.glob("*") if p.is_file())


@pytest.mark.parametrize("name", [n for n in page_templates() if n.endswith(".html")])
def test_every_block_a_template_fills_is_listed(name: str) -> None:
    blocks = set(re.findall(r"{%-?\s*block\s+(\w+)", (TEMPLATES / name).read_text(encoding="utf-8")))
    listed = set(re.findall(r"`(\w+)`", table_row(name).split("|")[4]))
    assert blocks == listed


def context_classes() -> list[type[contexts.Context]]:
    found = [c for c in vars(contexts).values() if isinstance(c, type) and issubclass(c, contexts.Context)]
    return [c for c in found if "template" in vars(c)]


@pytest.mark.parametrize("context", context_classes(), ids=lambda c: c.__name__)
def test_every_field_of_a_template_context_is_listed(context: type[contexts.Context]) -> None:
    common = {f.name for f in dataclasses.fields(contexts.PageContext)}  # said once, above the table
    fields = {f.name for f in dataclasses.fields(context)} - common
    listed = set(re.findall(r"`(\w+)`", table_row(context.template).split("|")[3]))
    assert fields == listed


COLOUR_PROPERTIES = re.compile(r"--[\w-]+|color|background(?:-color)?|border(?:-[a-z]+)?-color|fill|stroke")
"""What the dark colour scheme may set: colours, and the custom properties that hold them."""


def test_the_dark_colour_scheme_changes_only_colours() -> None:
    """The end-to-end suite runs axe-core's colour rules alone in the dark (tests/e2e/test_site.py):
    sound only while the dark scheme changes nothing but colours."""
    css = (REPO_ROOT / "templates/assets/briefgen.css").read_text(encoding="utf-8")
    blocks = re.findall(r"@media \(prefers-color-scheme: dark\) \{(.*?)\n\}", css, re.DOTALL)
    assert blocks, "the stylesheet has a dark colour scheme"
    declarations = [part for block in blocks for rule in re.findall(r"\{([^{}]*)\}", block) for part in rule.split(";")]
    properties = {part.split(":", 1)[0].strip() for part in declarations if part.strip()}
    assert properties and {name for name in properties if not COLOUR_PROPERTIES.fullmatch(name)} == set()
