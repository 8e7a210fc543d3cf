"""Inputs whose cost grew faster than their size: each is now linear, with a limit no real report
meets, and one clear `path:line` problem (issue #16, "Bounded time and memory, one clear error").

| input                                             | before                                  |
|---------------------------------------------------|-----------------------------------------|
| `extra: {n: !!float 59:59:...}`, `!!int 59:...`   | a Python traceback                      |
| `!!int 59:...` of 2 MB                            | 4 minutes of CPU, then a traceback      |
| `## Same` 100,000 times                           | over 5 minutes (quadratic heading ids)  |
| a table of 5,000 empty columns by 20,000 rows     | 17 GB of memory, a 7 GB site            |
| 100,000 tags or places in one briefing            | a build of over 5 minutes, 300,000 files|
| 50,000 citations of missing notes                 | 50,002 lines of errors, in 30 s         |
| `language: 'en"'`                                 | no error; search dead ("WASM Error")    |

Whatever could run for minutes or take gigabytes runs in a subprocess with a
time and memory limit, so that the old behaviour is a failure, not a hang.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin

from briefgen.build import build_site
from briefgen.errors import ArchiveError, Problem, error, summarised, warning
from briefgen.load import load_archive
from briefgen.markdown import MarkdownRenderer
from briefgen.markdown_rules import MAX_TABLE_CELLS, HeadingIds
from briefgen.parse import MAX_TERMS
from tests.sites import GIB, SOURCES_YAML, MakeSite, briefing_text, cpu_seconds, run_limited


def problems_of(root: Path) -> list[str]:
    try:
        _, warnings = load_archive(root)
    except ArchiveError as exc:
        return [str(p) for p in exc.problems]
    return [str(p) for p in warnings]


def failed_check(root: Path, seconds: float) -> list[str]:
    """`briefgen check`'s lines (its problems, then its count), for a check that fails cleanly within `seconds`."""
    result = run_limited("check", "--root", str(root), memory=2 * GIB, seconds=seconds)
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.returncode == 1, result.stderr[-3000:]
    return result.stderr.splitlines() + result.stdout.splitlines()


# --- YAML tags: refused at their line, before anything is constructed -------------------------

SEXAGESIMAL_FLOAT = "!!float " + ":".join(["59"] * 200)
SEXAGESIMAL_INT = "!!int " + ":".join(["59"] * 2500)


@pytest.mark.parametrize(
    ("value", "tag"), [(SEXAGESIMAL_FLOAT, "!!float"), (SEXAGESIMAL_INT, "!!int")], ids=["float", "int"]
)
def test_a_sexagesimal_number_in_extra_is_one_error_at_its_tag(make_site: MakeSite, value: str, tag: str) -> None:
    root = make_site({"briefings/a.md": briefing_text(f"extra:\n  classification: open\n  n: {value}\n")})
    assert problems_of(root) == [
        f"briefings/a.md:7: the YAML tag '{tag}' is not allowed: briefgen reads every value as it is written,"
        " so remove the tag (put the value in quotes if it starts with '!')"
    ]


def test_a_2_mb_sexagesimal_int_is_refused_in_seconds(make_site: MakeSite) -> None:
    value = "!!int " + ":".join(["59"] * 700_000)  # 2 MB: four minutes of PyYAML's base-60 loop
    root = make_site({"briefings/a.md": briefing_text(f"extra: {{n: {value}}}\n")})
    started = cpu_seconds()
    lines = failed_check(root, seconds=60)
    assert cpu_seconds() - started < 30
    assert lines[0].startswith("briefings/a.md:5: the YAML tag '!!int' is not allowed")
    assert lines[1:] == ["checked 1 briefing: 1 error, 0 warnings"]


@pytest.mark.parametrize(
    ("front", "line", "tag"),
    [
        ("extra:\n  ok: !!bool maybe\n", 6, "!!bool"),  # a KeyError inside PyYAML before
        ("extra: {when: !!timestamp 2025-06-26}\n", 5, "!!timestamp"),
        ("extra: !!set {a, b}\n", 5, "!!set"),
        ("extra:\n  x: !!python/object/apply:os.system [echo]\n", 6, "!!python/object/apply:os.system"),
        ("tags: [drones, !local air-defense]\n", 5, "!local"),
        ("summary: ! plain\n", 5, "!"),
        ("extra: &anchor !!str text\n", 5, "!!str"),
        ("extra: !!omap\n  - a: 1\n", 5, "!!omap"),
    ],
)
def test_every_explicit_tag_is_refused_at_its_line(make_site: MakeSite, front: str, line: int, tag: str) -> None:
    (problem,) = problems_of(make_site({"briefings/a.md": briefing_text(front)}))
    assert problem.startswith(f"briefings/a.md:{line}: the YAML tag '{tag}' is not allowed")


def test_tags_are_refused_in_settings_and_sources_too(make_site: MakeSite) -> None:
    root = make_site(
        {
            "briefgen.yaml": "title: Archive\nper_page: !!int 20\n",
            "sources.yaml": SOURCES_YAML + "tass:\n  name: !!binary VEFTUw==\n",
            "briefings/a.md": briefing_text(),
        }
    )
    problems = problems_of(root)
    assert [p.split(" is not allowed")[0] for p in problems] == [
        "briefgen.yaml:2: the YAML tag '!!int'",
        "sources.yaml:8: the YAML tag '!!binary'",
    ]


def test_an_exclamation_mark_that_is_not_a_tag_is_text(make_site: MakeSite) -> None:
    front = "summary: Kyiv says 'no!' again\ntakeaways:\n  - \"!important\"\n  - Hold on!\nextra: {note: 'yes !'}\n"
    archive, warnings = load_archive(make_site({"briefings/a.md": briefing_text(front, title="Halt!")}))
    assert warnings == ()
    (briefing,) = archive.briefings
    assert briefing.title == "Halt!"
    assert briefing.summary == "Kyiv says 'no!' again"
    assert briefing.takeaways_html == ("!important", "Hold on!")
    assert briefing.extra == {"note": "yes !"}


# --- heading ids: linear, and the same ids as mdit_py_plugins' anchors ------------------------


def test_100000_identical_headings_build_in_seconds(make_site: MakeSite, tmp_path: Path) -> None:
    # Before: 28 s for 20,000 of them, over 5 minutes for 100,000 (each id searched 'same-1', 'same-2'... from 1).
    root = make_site({"briefings/a.md": briefing_text(body="## Same\n\n" * 100_000)})
    started = cpu_seconds()
    build_site(root, output=tmp_path / "out", search=False, use_cache=False, workers=1)
    assert cpu_seconds() - started < 30  # 3 s of CPU
    page = (tmp_path / "out/briefings/2025/06/26/a/index.html").read_text(encoding="utf-8")
    assert '<h2 id="same">Same</h2>' in page
    assert '<h2 id="same-99999">Same</h2>' in page


def test_20000_identical_headings_on_the_reference_path_parse_in_seconds() -> None:
    renderer = MarkdownRenderer(allow_html=False)
    body = "## `Same`\n\n" * 20_000  # a code span: not the fast path
    started = cpu_seconds()
    html = renderer.render_body(renderer.parse_body(body, note_numbers=set()))
    assert cpu_seconds() - started < 20
    assert html.count("<h2 id=") == 20_000
    assert '<h2 id="same-19999"><code>Same</code></h2>' in html


def reference_ids(titles: list[str]) -> list[str]:
    """The ids mdit_py_plugins' anchors plugin gives headings with these titles."""
    md = MarkdownIt("commonmark")
    anchors_plugin(md, min_level=2, max_level=4)
    tokens = md.parse("".join(f"## {title}\n\n" for title in titles))
    return [str(token.attrGet("id")) for token in tokens if token.type == "heading_open"]


@pytest.mark.parametrize("seed", range(20))
def test_heading_ids_are_those_of_the_anchors_plugin(seed: int) -> None:
    # Titles whose slugs collide with the suffixes made for others: 'Same 1' is 'same-1'.
    generator = random.Random(seed)
    words = ["Same", "Same 1", "same-1", "Same 2", "same 1 1", "Same-1-1", "Other", "same-2", "Same 10"]
    titles = [generator.choice(words) for _ in range(60)]
    ids = HeadingIds()
    assert [ids.unique(title) for title in titles] == reference_ids(titles)


# --- table cells: counted before any is made ----------------------------------------------------

EMPTY_TABLE = "|" * 5001 + "\n" + "|-" * 5000 + "|\n" + "|\n" * 20_000
"""5,000 empty columns by 20,000 rows in 60 KB: 100 million cells (17 GB of memory before)."""


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("Intro.\n\n" + EMPTY_TABLE, 8),  # the fast path's Rust renderer has no limit of its own
        ("Intro with `code`.\n\n" + EMPTY_TABLE, 8),  # the reference path
        ("Intro.\n\n> " + EMPTY_TABLE.replace("\n", "\n> "), 8),  # inside a quote
        ("| a | b |\n|---|---|\n" + "| x | y |\n" * 30_000, 6),  # 60,002 cells, none of them empty
        # 3 cells each: the 16,667th table takes the body to 50,001, at line 6 + 5 * 16,666.
        ("| c |\n|---|\n| z |\n| z |\n\n" * 20_000, 83_336),
    ],
    ids=["fast-path", "reference-path", "quoted", "full-cells", "many-tables"],
)
def test_tables_of_more_than_50000_cells_are_one_error_at_the_table(
    make_site: MakeSite, tmp_path: Path, body: str, line: int
) -> None:
    root = make_site({"briefings/a.md": briefing_text(body=body)})
    started = cpu_seconds()
    result = run_limited(
        "build", "--root", str(root), "--output", str(tmp_path / "out"), "--no-search", memory=2 * GIB, seconds=60
    )
    assert cpu_seconds() - started < 30
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    first, *rest = result.stderr.splitlines()
    assert first.startswith(f"briefings/a.md:{line}: this table brings the text's tables to ")
    assert f"more than the {MAX_TABLE_CELLS:,} a briefing may have" in first
    assert rest == ["build failed: 1 error; no site was written"]
    assert not (tmp_path / "out").exists()


def test_tables_up_to_the_limit_are_published() -> None:
    renderer = MarkdownRenderer(allow_html=False)
    small = renderer.parse_body("| a | b |\n|---|---|\n" + "| x | y |\n" * 100, note_numbers=set())
    assert small.html is not None  # a real report's table still takes the fast path
    assert small.html.count("<td>") == 200
    rows = MAX_TABLE_CELLS // 2 - 1  # two columns: the header and the rows make 50,000 cells
    table = "| a | b |\n|---|---|\n" + "| x | y |\n" * rows
    parsed = renderer.parse_body(table, note_numbers=set())
    assert parsed.too_many_cells is None
    assert renderer.render_body(parsed).count("<td>") == 2 * rows
    over = renderer.parse_body(table + "| x | y |\n", note_numbers=set())
    assert over.too_many_cells is not None
    assert over.too_many_cells.line == 0
    assert over.too_many_cells.cells == MAX_TABLE_CELLS + 2


# --- tags, places and authors: at most 100 a briefing -------------------------------------------


def test_100000_tags_or_places_are_one_error_at_the_key(make_site: MakeSite, tmp_path: Path) -> None:
    many = ", ".join(f"topic {i}" for i in range(100_000))
    front = f"authors: [Jane Doe]\ntags: [{many}]\nplaces:\n" + "".join(f"  - Place {i}\n" for i in range(101))
    root = make_site({"briefings/a.md": briefing_text(front)})
    started = cpu_seconds()
    with pytest.raises(ArchiveError) as caught:
        build_site(root, output=tmp_path / "out", search=False)
    assert cpu_seconds() - started < 20
    assert [str(p) for p in caught.value.problems] == [
        "briefings/a.md:6: 'tags' lists 100,000 items: a briefing may have at most 100",
        "briefings/a.md:7: 'places' lists 101 items: a briefing may have at most 100",
    ]
    assert not (tmp_path / "out").exists()


def test_100_tags_places_and_authors_are_allowed(make_site: MakeSite) -> None:
    front = "".join(f"{key}: [{', '.join(f'{key} {i}' for i in range(MAX_TERMS))}]\n" for key in ("authors", "tags"))
    archive, _ = load_archive(make_site({"briefings/a.md": briefing_text(front)}))
    assert len(archive.briefings[0].terms["tags"]) == len(archive.briefings[0].terms["authors"]) == MAX_TERMS


# --- many problems of one kind: the first few, then a count -------------------------------------


def test_100000_missing_citations_print_five_errors_and_a_count(make_site: MakeSite) -> None:
    # Before: 100,002 lines, and each citation's line counted from the paragraph's start (50,000 took 30 s).
    body = "".join(f"A claim.[{n}]\n" for n in range(1, 100_001))  # lines 6 to 100,005, one paragraph
    root = make_site({"briefings/a.md": briefing_text(body=body)})
    started = cpu_seconds()
    lines = failed_check(root, seconds=120)
    assert cpu_seconds() - started < 30
    assert lines == [
        *(
            f"briefings/a.md:{5 + n}: citation [{n}] has no note {n} in 'footnotes'"
            f" (write \\[{n}] for brackets that are not a citation)"
            for n in range(1, 6)
        ),
        "briefings/a.md:11: ... and 99,995 more like this in briefings/a.md (the last at line 100005)",
        "checked 1 briefing: 100,000 errors, 0 warnings",
    ]


def test_problems_are_summarised_by_file_kind_and_severity() -> None:
    def cited(path: str, n: int) -> Problem:
        return error(path, n, f"citation [{n}] has no note {n} in 'footnotes'")

    problems = sorted(
        [cited("a.md", n) for n in range(1, 9)]
        + [cited("b.md", n) for n in range(1, 4)]
        + [warning("a.md", n, f"note {n} is never cited in the text") for n in range(1, 8)]
        + [error("a.md", 4, "unknown key 'x'")]
    )
    shown = [str(p) for p in summarised(problems)]
    assert shown.count("a.md:6: ... and 3 more like this in a.md (the last at line 8)") == 1
    assert shown.count("a.md:6: warning: ... and 2 more like this in a.md (the last at line 7)") == 1
    assert [line for line in shown if line.startswith("b.md")] == [str(cited("b.md", n)) for n in range(1, 4)]
    assert "a.md:4: unknown key 'x'" in shown
    assert len(shown) == 5 + 1 + 5 + 1 + 3 + 1
    assert summarised([]) == []


# --- language: a well-formed BCP 47 tag ---------------------------------------------------------


@pytest.mark.parametrize("language", ["'en\"'", "en_GB", "english language", "e", "en-", "'<script>'", "ru-"])
def test_a_language_that_is_not_a_bcp_47_tag_is_one_error_at_its_line(make_site: MakeSite, language: str) -> None:
    root = make_site({"briefgen.yaml": f"title: Archive\nlanguage: {language}\n", "briefings/a.md": briefing_text()})
    (problem,) = problems_of(root)
    assert problem.startswith("briefgen.yaml:2: 'language' must be a BCP 47 language tag such as en, uk or en-GB")


@pytest.mark.parametrize("language", ["en", "uk", "en-GB", "sr-Latn-RS", "zh-Hant-TW", "es-419", "de-CH-1901", "ar"])
def test_well_formed_language_tags_are_used(make_site: MakeSite, tmp_path: Path, language: str) -> None:
    root = make_site({"briefgen.yaml": f"language: {language}\n", "briefings/a.md": briefing_text()})
    build_site(root, output=tmp_path / "out", search=False)
    assert f'<html lang="{language}"' in (tmp_path / "out/index.html").read_text(encoding="utf-8")
