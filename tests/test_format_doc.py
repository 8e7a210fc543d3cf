"""docs/format.md stays true to the code: its tables of keys are the keys the
loader and the settings reader accept, its examples check clean, and the
messages it shows are the ones `briefgen check` prints."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest

from briefgen.cli import main
from briefgen.config import SETTINGS_KEYS, SOURCE_KEYS, TAXONOMY_KEYS
from briefgen.errors import SHOWN_OF_A_KIND, ArchiveError, summarised
from briefgen.frontmatter import BRIEFING_KEYS, REQUIRED_KEYS, TERM_KEYS
from briefgen.gazetteer import PLACE_KEYS, REGISTRY_KEYS
from briefgen.load import load_archive
from briefgen.markdown_rules import CITATION, MAX_TABLE_CELLS
from briefgen.model import DEFAULT_TAXONOMIES, Settings
from briefgen.parse import MAX_BRIEFING_BYTES, MAX_TERMS
from briefgen.slugs import SlugStyle, is_plain_slug, is_slug
from briefgen.yamlnodes import MAX_DEPTH
from tests.sites import REPO_ROOT, MakeSite, briefing_text

FORMAT_DOC = REPO_ROOT / "docs" / "format.md"
TEXT = FORMAT_DOC.read_text(encoding="utf-8")


def section(title: str) -> str:
    """The text under the heading `title` (any level), up to the next heading of that level or above."""
    match = re.search(rf"^(#+) {re.escape(title)}\n", TEXT, re.MULTILINE)
    assert match is not None, f"no heading {title!r} in docs/format.md"
    level = len(match.group(1))
    end = re.compile(rf"^#{{1,{level}}} ", re.MULTILINE).search(TEXT, match.end())
    return TEXT[match.end() : end.start() if end else len(TEXT)]


def key_table(title: str) -> dict[str, dict[str, str]]:
    """The first table under `title`: key (written `key` in its first column) -> its row by column name."""
    lines = section(title).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    table = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        table.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    header, rows = table[0], table[2:]
    assert header[0] == "key"
    keys = [re.fullmatch(r"`([a-z_]+)`", row[0]) for row in rows]
    assert all(keys), f"every first cell under {title!r} is a key in backticks: {[row[0] for row in rows]}"
    written = [key.group(1) for key in keys if key]
    assert len(written) == len(set(written)), f"a key is listed twice under {title!r}"
    return {key: dict(zip(header, row, strict=True)) for key, row in zip(written, rows, strict=True)}


def code_blocks(title: str, language: str) -> list[str]:
    """The fenced blocks under `title` whose info string is `language` ('' for none), in order."""
    blocks: list[tuple[str, list[str]]] = []
    inside = False
    for line in section(title).splitlines():
        if line.startswith("```"):
            if not inside:
                blocks.append((line[3:].strip(), []))
            inside = not inside
        elif inside:
            blocks[-1][1].append(line + "\n")
    return ["".join(lines) for info, lines in blocks if info == language]


def test_front_matter_keys_are_the_loaders() -> None:
    table = key_table("Front matter")
    assert set(table) == set(BRIEFING_KEYS)
    assert {key for key, row in table.items() if row["required"] == "yes"} == set(REQUIRED_KEYS)
    assert all(row["required"] in {"yes", "no"} for row in table.values())
    for key, row in table.items():
        assert row["example"].startswith(f"`{key}:"), f"the example of {key!r} shows it written"


def test_settings_keys_and_defaults_are_the_readers() -> None:
    table = key_table("Settings (`briefgen.yaml`)")
    assert set(table) == set(SETTINGS_KEYS)
    defaults = dataclasses.asdict(Settings())
    defaults["taxonomies"] = ", ".join(f"`{taxonomy.key}`" for taxonomy in DEFAULT_TAXONOMIES)
    defaults["slugs"] = Settings().slugs.value
    for key, row in table.items():
        default = defaults[key]
        shown = {True: "`true`", False: "`false`", "": "empty", (): "none"}.get(default, f"`{default}`")
        if key == "taxonomies":
            shown = default
        assert row["default"] == shown, f"{key}: the doc says {row['default']}, the code {shown}"


def test_taxonomy_keys_and_defaults_are_the_readers() -> None:
    table = key_table("Taxonomies")
    assert list(table) == list(TAXONOMY_KEYS)
    for key, row in table.items():
        assert row["example"].startswith(f"`{key}:"), f"the example of {key!r} shows it written"
    rows = table_rows("Taxonomies")
    defaults = [row for row in rows if re.fullmatch(r"`[a-z]+`", row[0]) and len(row) == 7]

    def shown(value: object) -> str:
        return {True: "`true`", False: "`false`"}.get(value, f"`{value}`")  # type: ignore[call-overload]

    assert defaults == [
        [f"`{t.key}`", t.label, t.plural, shown(t.path), shown(t.search_filter), shown(t.feeds), shown(t.related)]
        for t in DEFAULT_TAXONOMIES
    ]
    registry_keys = [row[0].strip("`") for row in rows if row[0].strip("`") in REGISTRY_KEYS]
    assert registry_keys == list(REGISTRY_KEYS)


def test_the_taxonomies_and_registry_examples_check_clean(make_site: MakeSite) -> None:
    settings, registry = code_blocks("Taxonomies", "yaml")
    body = "authors: [jane doe]\nregions: [Donbas]\ntags: [drones]\n"
    root = make_site(
        {
            "briefgen.yaml": settings.replace("  tags:", "  authors:\n    registry: authors.yaml\n  tags:"),
            "authors.yaml": registry,
            "briefings/2025/06/26/a.md": briefing_text(body),
        }
    )
    archive, warnings = load_archive(root, today=dt.date(2025, 7, 1))
    assert warnings == ()
    assert [t.key for t in archive.settings.taxonomies] == ["tags", "authors", "regions"]
    (loaded,) = archive.briefings
    assert loaded.terms["authors"][0].name == "Jane Doe"
    with pytest.raises(ArchiveError):
        load_archive(make_site({"briefgen.yaml": settings, "briefings/a.md": briefing_text("places: [Kursk]\n")}))


def test_place_keys_are_the_gazetteers() -> None:
    table = key_table("Places (`places.yaml`)")
    assert list(table) == [*REGISTRY_KEYS, *PLACE_KEYS]
    for key, row in table.items():
        assert row["example"].startswith(f"`{key}:"), f"the example of {key!r} shows it written"


def test_the_places_example_checks_clean_and_its_warning_is_what_check_prints(make_site: MakeSite) -> None:
    (places,) = code_blocks("Places (`places.yaml`)", "yaml")
    (shown,) = code_blocks("Places (`places.yaml`)", "")
    body = "places: [Київ, KYIV, toretsk]\n"
    root = make_site({"places.yaml": places, "briefings/2025/06/26/a.md": briefing_text(body)})
    archive, warnings = load_archive(root, today=dt.date(2025, 7, 1))
    assert warnings == ()
    (loaded,) = archive.briefings
    assert [(t.slug, t.coordinates) for t in loaded.terms["places"]] == [
        ("kyiv", (50.4501, 30.5234)),
        ("toretsk", (48.3978, 37.8472)),
    ]
    typo = make_site({"places.yaml": places, "briefings/a.md": briefing_text("places: [Kyviv]\n")})
    _, warnings = load_archive(typo, today=dt.date(2025, 7, 1))
    assert [str(problem) for problem in warnings] == shown.splitlines()


def test_source_keys_are_the_readers() -> None:
    table = key_table("Sources (`sources.yaml`)")
    assert set(table) == set(SOURCE_KEYS)
    assert {key for key, row in table.items() if row["required"] == "yes"} == {"name"}


def test_the_example_briefing_and_sources_check_clean(make_site: MakeSite) -> None:
    (briefing,) = code_blocks("A briefing file", "markdown")
    (sources,) = code_blocks("Sources (`sources.yaml`)", "yaml")
    root = make_site({"sources.yaml": sources, "briefings/2025/06/26/a.md": briefing})
    archive, warnings = load_archive(root, today=dt.date(2025, 7, 1))
    assert warnings == ()
    (loaded,) = archive.briefings
    assert [note.number for note in archive.bodies.body(loaded).footnotes] == [1, 2]
    assert loaded.source.name == "Institute for the Study of War"


def test_the_footnote_messages_shown_are_those_check_prints(make_site: MakeSite) -> None:
    body = "A claim.[^1]\n\n[^1]: Reuters, June 26, 2025\n"
    with pytest.raises(ArchiveError) as caught:
        load_archive(make_site({"briefings/a.md": briefing_text(body=body)}), today=dt.date(2025, 7, 1))
    shown = code_blocks("Notes and citations", "")
    assert len(shown) == 1
    for problem in caught.value.problems:
        assert f": {problem.message}\n" in shown[0], problem.message


def test_the_text_warnings_shown_are_those_check_prints(make_site: MakeSite) -> None:
    body = "A claim.[1][3]\n\n[1]: https://a.org\n\n[see [3]](https://x.org)\n\n" + "> " * 60 + "lost\n"
    front = "footnotes:\n  1: A note\n  3: Another\n"
    _, warnings = load_archive(
        make_site({"briefings/a.md": briefing_text(front, body=body)}), today=dt.date(2025, 7, 1)
    )
    (shown,) = code_blocks("What the text cannot do", "")
    assert [str(problem) for problem in warnings] == shown.splitlines()


def test_help_format_prints_the_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["help", "format"]) == 0
    assert capsys.readouterr().out == TEXT


def test_the_readme_points_to_the_document() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/format.md)" in readme
    assert "briefgen help format" in readme


def test_help_on_a_command_and_on_nothing_known(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["help", "check"]) == 0
    assert capsys.readouterr().out.startswith("usage: briefgen check")
    assert main(["help", "formats"]) == 2
    assert "no help on 'formats': try 'format' or a command's name" in capsys.readouterr().err


def table_rows(title: str) -> list[list[str]]:
    """The body rows of the first table under `title`, each a list of its cells."""
    lines = [line for line in section(title).splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines[2:]]


def test_the_limits_are_the_codes() -> None:
    slug_characters = max(n for n in range(1, 200) if is_plain_slug("a" * n))
    unicode_bytes = max(2 * n for n in range(1, 200) if is_slug("ж" * n, SlugStyle.UNICODE))
    citation_digits = max(n for n in range(1, 20) if CITATION.fullmatch(f"[{'1' * n}]"))
    assert {row[0]: row[1] for row in table_rows("Limits")} == {
        "the size of a briefing file": f"{MAX_BRIEFING_BYTES // 2**20} MB",
        "nesting of YAML (lists and mappings in one another)": f"{MAX_DEPTH} levels",
        f"{', '.join(TERM_KEYS[:-1])} and {TERM_KEYS[-1]} in one briefing": f"{MAX_TERMS} of each",
        "cells in the tables of one briefing": f"{MAX_TABLE_CELLS:,}",
        "a `slug:`": f"{slug_characters} characters (with `slugs: unicode`, {unicode_bytes} bytes of UTF-8)",
        "the number in a citation `[n]`": f"{citation_digits} digits",
        "problems of one kind in one file, printed in full": f"{SHOWN_OF_A_KIND}",
    }
    front_matter = key_table("Front matter")
    for key in TERM_KEYS:
        assert f"at most {MAX_TERMS}" in front_matter[key]["what it is, and what is refused"]
    assert f"may have {MAX_TABLE_CELLS:,} cells" in section("The text")


def test_the_summary_of_many_problems_shown_is_what_check_prints(make_site: MakeSite) -> None:
    body = "".join(f"A claim.[{n}]\n" for n in range(1, 50_001))
    with pytest.raises(ArchiveError) as caught:
        load_archive(make_site({"briefings/a.md": briefing_text(body=body)}), today=dt.date(2025, 7, 1))
    printed = [str(problem) for problem in summarised(caught.value.problems)]
    (shown,) = code_blocks("Errors and warnings", "")
    assert shown.splitlines() == printed[-2:]
