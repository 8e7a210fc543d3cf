"""Fuzzing: random bytes, random YAML and random Markdown never raise, never run, never link to a script.

Inputs mix ordinary text with the pieces attacks are made of (raw HTML,
disguised `javascript:` addresses, entities, control characters, citations,
unbalanced markup). Every output is parsed with lxml and inspected element by
element (tests/hostile.py): no script or other active element, no event
handler, no address whose scheme a browser would read as anything but http(s),
mailto or relative, rel="noopener" on every link to another site, and feeds
that parse as XML.

Each example writes its own site in a fresh temporary folder: function-scoped
fixtures such as tmp_path are not reset between hypothesis examples.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from briefgen.build import build_site
from briefgen.errors import ArchiveError, Problem
from briefgen.load import load_briefing
from briefgen.markdown import MarkdownRenderer
from briefgen.parse import SourceRegistry
from tests.hostile import OTHER_SCHEMES, SCRIPT_SCHEMES, external_links_without_noopener, unsafe_in_html, unsafe_in_site
from tests.properties import examples
from tests.sites import SOURCES_YAML, write_site

FUZZ = settings(max_examples=examples(120), deadline=None, suppress_health_check=[HealthCheck.too_slow])
TODAY = dt.date(2025, 7, 1)
RENDERER = MarkdownRenderer(allow_html=False)

# --- strategies -------------------------------------------------------------------

disguised_addresses = st.builds(
    lambda before, scheme, after: before + scheme + after,
    st.sampled_from(["", " ", "  ", "\t", "\x01", "\x0c", "&#x20;", "&#x09;", "&#0;", "%20", "\u00a0"]),
    st.sampled_from(SCRIPT_SCHEMES + OTHER_SCHEMES),
    st.sampled_from(["alert(1)", "//%0aalert(1)", "<script>alert(1)</script>", "PHNjcmlwdD4=", "x", ""]),
)
ordinary_addresses = st.sampled_from(
    ["https://example.org/r", "HTTPS://EXAMPLE.ORG/R", "//example.org/p", "mailto:desk@example.org", "#bg:notes",
     "other/page/", "/archive/", "?q=1", "map.png", "https://example.org/a b", "http://[x"]
)  # fmt: skip
addresses = st.one_of(disguised_addresses, ordinary_addresses, st.text(max_size=12))

RAW_HTML = [
    "<script>alert(1)</script>", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>", "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>', "<iframe src=//evil.example>", "<svg onload=alert(1)>",
    "<style>*{background:url(javascript:alert(1))}</style>", "<!-- x -->", "<![CDATA[x]]>",
    '<base href="//evil.example/">', '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>x</button></form>', '<object data="javascript:alert(1)">',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>', "</div></main><script>alert(1)</script>",
    '<div style="background:url(javascript:alert(1))">', "<details open ontoggle=alert(1)>",
]  # fmt: skip
MARKUP = [
    "*", "**", "_", "__", "`", "``", "~~", "[", "]", "(", ")", "<", ">", "\\", "&", "&amp;", "&#x6A;", "&lt;",
    "[1]", "[2]", "[3]", "\\[1]", "[1](", "\n", "\n\n", "\n> ", "\n- ", "\n1. ", "\n# ", "\n## ", "\n    ",
    " | ", "\n|---|---|\n", "\x0c", "\x0b", "\u202e", "\u2028", "\x00", "\ufeff", '"', "'", " ", "\t",
]  # fmt: skip
words = st.text(
    alphabet=st.one_of(st.characters(exclude_categories=("Cs", "Cc")), st.sampled_from(list("abc xyz.,;:"))),
    max_size=12,
)
"""Any text but control characters, which come in MARKUP (and are an error in YAML values, by design)."""


def markdown_pieces(*, images: bool) -> st.SearchStrategy[str]:
    pieces = [
        words,
        st.sampled_from(MARKUP),
        st.sampled_from(RAW_HTML),
        addresses,
        st.builds("[{}]({})".format, words, addresses),
        st.builds("[{}](<{}>)".format, words, addresses),
        st.builds('[{}]({} "{}")'.format, words, addresses, words),
        st.builds("<{}>".format, addresses),
        st.builds("[{}][r]\n\n[r]: {}\n".format, words, addresses),
    ]
    if images:
        pieces.append(st.builds("![{}]({})".format, words, addresses))
    return st.one_of(pieces)


markdown = st.lists(markdown_pieces(images=True), max_size=24).map("".join)
"""Random Markdown, made of ordinary text and the pieces of attacks."""


def assert_safe(html: str, where: str) -> None:
    assert unsafe_in_html(html, where=where) == []
    assert external_links_without_noopener(html, where=where) == []


def assert_placed(problems: list[Problem] | tuple[Problem, ...]) -> None:
    for problem in problems:
        assert problem.path and problem.line >= 1, problem


# --- the Markdown renderer --------------------------------------------------------


@FUZZ
@given(markdown)
def test_random_markdown_renders_nothing_live(text: str) -> None:
    fast = RENDERER.parse_body(text, note_numbers={1, 2, 3})
    assert_safe(RENDERER.render_body(fast), "body")
    assert_safe(RENDERER.render_body(RENDERER.parse_body_reference(text)), "body, reference path")
    assert_safe(RENDERER.render_inline(text), "takeaway")
    assert_safe(RENDERER.render_note(text), "note")


# --- the loader, from bytes -------------------------------------------------------

VALID_START = b"---\ntitle: T\ndate: 2025-06-26\nsource: isw\n"


@FUZZ
@given(
    st.one_of(st.binary(max_size=3000), markdown.map(str.encode)),
    st.sampled_from([b"", VALID_START, VALID_START + b"---\n"]),
)
def test_random_bytes_load_or_fail_with_placed_problems_and_nothing_live(data: bytes, start: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = write_site(Path(folder), {"sources.yaml": SOURCES_YAML, "briefings/a.md": start + data})
        problems: list[Problem] = []
        registry = SourceRegistry({})
        loaded = load_briefing(
            root, root / "briefings/a.md", registry=registry, renderer=RENDERER, today=TODAY, problems=problems
        )
        assert_placed(problems)
        event("loaded" if loaded is not None else "refused")
        if loaded is not None:
            briefing, body = loaded
            assert_safe(body.html, "body")
            for html in (*briefing.takeaways_html, *(note.html for note in body.footnotes)):
                assert_safe(html, "takeaway or note")


# --- whole sites, from random YAML and Markdown ------------------------------------

field_texts = st.one_of(words, markdown, st.sampled_from(RAW_HTML), addresses).filter(str.strip)
body_markdown = st.lists(markdown_pieces(images=False), max_size=24).map("".join)
"""Random Markdown with no image (an image that is not there is an error, not a build)."""
yaml_text_values: st.SearchStrategy[Any] = st.recursive(
    st.one_of(field_texts, st.integers(), st.booleans(), st.none(), st.dates()),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(words, children, max_size=3)),
    max_leaves=8,
)
front_matters = st.fixed_dictionaries(
    {"title": field_texts, "date": st.sampled_from(["2025-06-26", "1900-01-01", "2100-12-31"]), "source": field_texts},
    optional={
        "url": st.one_of(st.sampled_from(["https://example.org/r?a=1&b=<2>\"'", "HTTP://EXAMPLE.ORG"]), addresses),
        "authors": st.lists(field_texts, max_size=3),
        "summary": field_texts,
        "takeaways": st.lists(field_texts, max_size=3),
        "footnotes": st.fixed_dictionaries({1: field_texts, 2: field_texts, 3: field_texts}),
        "tags": st.lists(field_texts, max_size=3),
        "places": st.lists(field_texts, max_size=3),
        "extra": st.dictionaries(words, yaml_text_values, max_size=3),
    },
)
raw_yaml_lines = st.lists(
    st.one_of(
        st.builds("{}: {}".format, st.sampled_from(["title", "tags", "url", "extra", "footnotes", "x"]), words),
        st.sampled_from(["tags: [a, *b]", "x: &b [c]", "url: !!python/object/apply:os.system ['true']",
                         "extra: !!binary aGk=", "extra: {a: [1, {b: 2}]}", "  - item", "? key", "title: |",
                         "\ttabbed: 1", "'quoted: key': v", "footnotes:\n  1: n"]),
    ),
    max_size=8,
).map("\n".join)  # fmt: skip


def _front_matter_text(front: dict[str, Any], extra_yaml: str) -> str:
    return yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + extra_yaml + "\n"


@settings(
    max_examples=examples(80), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(front_matters, st.one_of(st.just(""), st.just(""), raw_yaml_lines), body_markdown, st.booleans())
def test_random_briefings_build_sites_with_nothing_live(
    front: dict[str, Any], extra_yaml: str, body: str, named_source: bool
) -> None:
    if named_source:
        front = {**front, "source": "isw"}
    text = "---\n" + _front_matter_text(front, extra_yaml) + "---\n" + body + "\n"
    with tempfile.TemporaryDirectory() as folder:
        root = write_site(
            Path(folder) / "root",
            {
                "briefgen.yaml": "base_url: https://example.org/archive/\n",
                "sources.yaml": SOURCES_YAML,
                "briefings/a.md": text,
                "briefings/b.md": "---\ntitle: Plain\ndate: 2025-06-26\nsource: isw\n---\nA neighbour.\n",
            },
        )
        output = Path(folder) / "out"
        try:
            report = build_site(root, output=output, search=False, use_cache=False, workers=1)
        except ArchiveError as exc:
            assert_placed(exc.problems)
            assert not output.exists()
            event("refused, with placed problems")
            return
        event("built")
        assert_placed(report.warnings)
        assert unsafe_in_site(output, asset_prefix="/archive/assets/") == []
