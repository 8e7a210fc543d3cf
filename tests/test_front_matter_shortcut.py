"""The shortcut for plain footnotes (yamlfields.compose_with_numbered_texts) reads
exactly what composing the whole front matter reads: the same briefing, the same
problems at the same lines, whatever the notes and the lines around them hold."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from briefgen import parse
from briefgen.errors import Problem
from briefgen.frontmatter import split_front_matter
from briefgen.load import load_briefing
from briefgen.markdown import MarkdownRenderer
from briefgen.model import Body, Briefing
from briefgen.parse import SourceRegistry
from briefgen.yamlfields import compose_with_numbered_texts
from briefgen.yamlnodes import YamlError, compose
from tests.properties import examples

TODAY = dt.date(2025, 7, 1)
RENDERER = MarkdownRenderer(allow_html=False)

note_text = st.text(
    alphabet=st.one_of(
        st.characters(exclude_categories=("Cs",)),
        st.sampled_from(list(' "\\\t\x85\x9f\ufeff\ufffe\x01:#&*footnotes')),
    ),
    max_size=30,
)
number = st.one_of(st.integers(0, 40).map(str), st.sampled_from(["007", "1.5", "-1", "x", ""]))
quote = st.sampled_from(['"{}"', "'{}'", "{}", '"{}" ', '"{}" # c', '"{}'])
entry = st.builds(
    lambda indent, n, q, t: f"{indent}{n}: {q.format(t)}",
    st.sampled_from(["  ", "    ", "\t", " "]),
    number,
    quote,
    note_text,
)
plain_entry = st.builds(lambda n, t: f'  {n}: "{t}"', st.integers(1, 60), note_text)
around = st.sampled_from(
    [
        "",
        "tags: [drones, air-defense]",
        "places:\n  - Kursk",
        'title: "A long title\nfootnotes:',
        "summary: |\n  footnotes:",
        "# a comment",
        '"footnotes": {9: "again"}',
        "footnotes: {3: a}",
        "foot\\x6eotes: 2",
        "extra:\n  footnotes: 1",
    ]
)


@st.composite
def front_matters(draw: st.DrawFn) -> str:
    lines = [
        draw(st.sampled_from(["title: Plain", 'title: "footnotes"', "title: [a", "{title: x,"])),
        "date: 2025-06-26",
    ]
    lines.append("source: isw")
    lines.append(draw(around))
    lines.append(draw(st.sampled_from(["footnotes:", "footnotes: ", "footnotes :", "footnotes:  # notes"])))
    lines += draw(st.lists(st.one_of(plain_entry, entry, st.sampled_from(["", "  # c", "   "])), max_size=8))
    lines.append(draw(around))
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One site root for every example (module-scoped: Hypothesis runs many examples per test)."""
    return tmp_path_factory.mktemp("shortcut")


def parsed(root: Path, text: str, shortcut: bool) -> tuple[tuple[Briefing, Body] | None, list[Problem]]:
    path = root / "briefings" / "note.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{text}---\nCited [1] and [2].\n", encoding="utf-8")
    problems: list[Problem] = []
    whole = lambda text, path, first_line, key: (compose(text, path, first_line), None)  # noqa: E731
    with mock.patch.object(parse, "compose_with_numbered_texts", compose_with_numbered_texts if shortcut else whole):
        briefing = load_briefing(
            root, path, registry=SourceRegistry({}), renderer=RENDERER, today=TODAY, problems=problems
        )
    return briefing, problems


@settings(max_examples=examples(600), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(front_matters())
@example('title: T\ndate: 2025-06-26\nsource: isw\nfootnotes:\n  1: "Reuters, https://x.org/a"\n  2: " ISW "\n')
@example('title: "A\nfootnotes:\n  1: "x"\n  2: "y"\ndate: 2025-06-26\nsource: isw\n')
@example('title: T\ndate: 2025-06-26\nsource: isw\nfootnotes:\n  2: "b"\n  01: "a"\n"foot\\x6eotes": 1\n')
@example('{title: T, date: 2025-06-26, source: isw,\nfootnotes:\n  1: "a"\n}\n')  # not YAML as written
@example("title: 'A\nfootnotes:\n  1: \"x\"\n'\ndate: 2025-06-26\nsource: isw\n")  # the notes are in the title
def test_the_shortcut_reads_what_composing_everything_reads(root: Path, text: str) -> None:
    assert parsed(root, text, shortcut=True) == parsed(root, text, shortcut=False)


def test_plain_notes_take_the_shortcut() -> None:
    text = 'title: T\nfootnotes:\n  2: "ISW, https://x.org/2"\n  1: " Reuters "\ntags: [a]\n'
    node, notes = compose_with_numbered_texts(text, "x.md", 2, "footnotes")
    assert notes == ((1, "Reuters", 5), (2, "ISW, https://x.org/2", 4))
    assert node is not None


def test_notes_in_any_other_form_are_composed_as_written() -> None:
    for block in (
        '  1: "a \\" b"',  # an escape
        "  1: plain",  # a plain scalar
        '  1: "a"\n  1: "b"',  # a number twice
        '  0: "a"',
        '  1: "  "',  # empty once stripped
        '  1: "a"\n    2: "b"',  # two indentations
        '  1: "a"\n\n  2: "b"',  # a blank line inside
    ):
        text = f"title: T\nfootnotes:\n{block}\n"
        try:
            _, notes = compose_with_numbered_texts(text, "x.md", 2, "footnotes")
        except YamlError as exc:  # not YAML as written: the problem is the one compose() finds
            with pytest.raises(YamlError) as composed:
                compose(text, "x.md", 2)
            assert exc.problem == composed.value.problem
            continue
        assert notes is None, block


def split_by_lines(text: str) -> tuple[str, str, int] | None:
    """The front matter, body and body's first line, found line by line: what split_front_matter must find."""
    lines = text.split("\n")
    if not text.strip() or lines[0].rstrip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() in {"---", "..."}:
            return "\n".join(lines[1:index]) + "\n", "\n".join(lines[index + 1 :]), index + 2
    return None


pieces = st.sampled_from(
    ["---", "...", "--", "\n", " ", "\t", "\u2028", "\xa0", "a: b", "-", ".", "\n---\n", "\n...\n"]
)


@settings(max_examples=examples(1000), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(pieces, max_size=12).map("".join))
@example("---\n---")
@example("---\n---\n")
@example("---\na: 1\n... \nbody\n---\nmore")
@example("--- \ntitle: T\n---\u2028\nbody")
def test_front_matter_is_cut_where_a_line_by_line_reading_cuts_it(text: str) -> None:
    problems: list[Problem] = []
    split = split_front_matter(text, "x.md", problems)
    found = None if split is None else (split.front_matter, split.body, split.body_first_line)
    assert found == split_by_lines(text)
    assert (split is None) == bool(problems)
