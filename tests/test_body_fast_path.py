"""The fast path for bodies (markdown-it-pyrs, finished in Python) matches markdown-it-py exactly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen.fast import bodygate
from briefgen.markdown import MarkdownRenderer, ParsedBody
from tests.properties import examples
from tests.sitetools import REPO_ROOT, make_corpus

RENDERER = MarkdownRenderer(allow_html=False)
FAST = RENDERER._fast  # the renderer's own, wired as the loader uses it
assert FAST is not None
EVERY_NOTE = range(1, 1_000_000)


def assert_same(text: str) -> bool:
    """Compare both paths on `text`; False when the fast path declined it."""
    fast = FAST.parse(text, EVERY_NOTE)
    if fast is None:
        return False
    reference = RENDERER.parse_body_reference(text)
    assert fast.html == RENDERER.render_body(reference)
    assert citations(fast) == citations(reference)
    assert fast.first_paragraph == reference.first_paragraph
    return True


def citations(parsed: ParsedBody) -> list[tuple[int, str]]:
    return [(c.number, c.element_id) for c in parsed.citations]


def body_of(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("\n---\n", 1)[1]


def test_the_example_archive_takes_the_fast_path() -> None:
    for path in sorted((REPO_ROOT / "briefings").rglob("*.md")):
        assert assert_same(body_of(path)), path


@pytest.mark.slow
def test_generated_corpus_bodies_match(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus", briefings=120)
    taken = [assert_same(body_of(path)) for path in sorted((corpus / "briefings").rglob("*.md"))]
    assert sum(taken) >= 0.9 * len(taken), "most real-looking bodies should take the fast path"


words = st.text(st.sampled_from("abcdefghij KLMNO xyz,.;:'\"()?!-_*[]0123456789~|#+=/é’"), min_size=1, max_size=40)
citation = st.integers(1, 30).map(lambda n: f"[{n}]")
link = st.tuples(
    st.text(st.sampled_from("abc de"), max_size=8), st.sampled_from(["https://a.org/x", "http://b.net/y?q=1#f"])
).map(lambda t: f"[{t[0]}]({t[1]})")
inline = st.lists(
    st.one_of(words, citation, link, words.map(lambda w: f"*{w}*"), words.map(lambda w: f"**{w}**")),
    min_size=1,
    max_size=8,
).map("".join)
block = st.one_of(
    inline,
    inline.map(lambda t: f"## {t}"),
    inline.map(lambda t: f"### {t}"),
    st.lists(inline, min_size=1, max_size=3).map(lambda items: "\n".join(f"- {i}" for i in items)),
    st.lists(inline, min_size=1, max_size=3).map(lambda items: "\n".join(f"{n}. {i}" for n, i in enumerate(items, 1))),
    inline.map(lambda t: f"> {t}"),
    st.tuples(inline, inline, st.sampled_from(["---", ":--", ":-:", "--:"])).map(
        lambda c: f"| a | b |\n|---|{c[2]}|\n| {c[0]} | {c[1]} |"
    ),
    inline.map(lambda t: f"    code {t}"),
    st.just("* * *"),
)
bodies = st.tuples(inline, st.lists(block, max_size=6)).map(lambda t: "\n\n".join([t[0], *t[1]]) + "\n")
# Headings, lists, quotes, tables or code first: the first paragraph is then found further in.
bodies_of_blocks = st.lists(block, min_size=1, max_size=6).map(lambda blocks: "\n\n".join(blocks) + "\n")


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies)
def test_random_bodies_match(text: str) -> None:
    assert_same(text)


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies_of_blocks)
def test_random_bodies_of_any_first_block_match(text: str) -> None:
    assert_same(text)


def test_constructs_it_cannot_take_go_to_the_reference_path() -> None:
    for text in (
        "Code `[1]` here.",
        "Escaped \\[2] here.",
        "<b>raw</b> html",
        "AT&amp;T",
        "![map](map.png)",
        "[1]: https://example.org\n\nSee [1].",
        "[link](javascript:alert(1))",
    ):
        assert FAST.parse(text, EVERY_NOTE) is None, text


def test_a_citation_of_a_missing_note_goes_to_the_reference_path() -> None:
    assert FAST.parse("Claim.[3]\n", {1, 2}) is None
    parsed = RENDERER.parse_body("Claim.[3]\n", {1, 2})
    assert [(c.number, c.line) for c in parsed.citations] == [(3, 0)]
    assert re.search(r'id="fnref:3:1"', RENDERER.render_body(parsed))


def test_everyday_constructs_take_the_fast_path() -> None:
    text = (
        "Russian forces *reportedly* advanced near Toretsk.[1] The **assessment** follows.[2][3]\n\n"
        "## Key *developments*\n\n- Ukrainian forces advanced.[4]\n- Russian forces attacked.\n\n"
        "> A quoted statement.[5]\n\n| Direction | km |\n|:--|--:|\n| Toretsk [6] | 2 |\n\n"
        "See the [original report](https://example.org/r/1).\n\n    indented [7] code\n"
    )
    assert assert_same(text)


# Marks, white space of every kind \s knows (and characters near them that are not), letters, punctuation.
_AROUND_MARKS = "*_ \t\n\xa0\u2003\u3000\x1c\x85\u200bab.,!]é-"


@settings(max_examples=examples(2000), deadline=None)
@given(st.text(st.sampled_from(_AROUND_MARKS), max_size=30))
def test_the_emphasis_gate_finds_what_its_regex_finds(text: str) -> None:
    expected = bodygate._EMPHASIS_BETWEEN_TEXT.search(text) is not None
    assert bodygate._emphasis_between_text(text) == expected


def test_the_emphasis_gate_over_many_marks_is_the_regex(monkeypatch: pytest.MonkeyPatch) -> None:
    spaced = "* _ " * 3000  # every mark has white space beside it
    assert bodygate._emphasis_between_text(spaced) is False
    assert bodygate._emphasis_between_text(spaced + "a*b") is True
    monkeypatch.setattr(bodygate, "_FEW_MARKS", 10**9)  # the same answers looked at run by run
    assert bodygate._emphasis_between_text(spaced) is False
    assert bodygate._emphasis_between_text(spaced + "a*b") is True
