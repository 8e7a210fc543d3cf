"""What leaves the Markdown renderer: only allowed addresses, citations that stay citations, and
warnings where the reference renderer publishes something other than what was written.

Every fragment passes the link allow-list on its way out (links.py), whichever path made it: the
inputs below are those that reached a page through markdown-it-pyrs, past markdown-it-py's
checks (issue #15), each tried as a body, a takeaway, a note and a summary. A whole site is then
built with hostile addresses in every field, and every file in it read back with a real parser.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
import time
from pathlib import Path

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen import links
from briefgen.build import build_site
from briefgen.fast import markdown as fast_markdown
from briefgen.load import load_archive
from briefgen.markdown import MarkdownRenderer
from tests.hostile import (
    OTHER_SCHEMES,
    SAFE_SCHEMES,
    SCRIPT_SCHEMES,
    external_links_without_noopener,
    is_external,
    published_addresses,
    scheme_of,
)
from tests.properties import examples
from tests.sites import SOURCES_YAML, MakeSite, briefing_text

RENDERER = MarkdownRenderer(allow_html=False)
NOTES = {1, 2, 3}
TODAY = dt.date(2025, 7, 1)

ISSUE_CASES = [
    pytest.param("[x]\n\n> [x]: ftp://f.org/a\n", id="ftp-definition-in-quote"),
    pytest.param("[x]\n\n- [x]: ms-msdt:/id\n", id="ms-msdt-definition-in-list"),
    pytest.param("[a\nb]\n\n[a\nb]: tel:+1\n", id="tel-definition-label-over-two-lines"),
    pytest.param("[1]\n\n> [1]: https://evil.example/\n", id="citation-defined-as-link"),
    pytest.param('> [x]: https://a.org "[2]"\n', id="citation-in-title"),
    pytest.param('[x]\n\n> [x]: https://a.org "[2]"\n', id="citation-in-title-used"),
    pytest.param("[x](HTTPS://a.org)", id="capital-scheme"),
    pytest.param("[x]\n\n> [x]: HTTPS://a.org\n", id="capital-scheme-definition"),
    pytest.param("[x](//a.org)", id="protocol-relative"),
    pytest.param("[x]\n\n> [x]: //a.org\n", id="protocol-relative-definition"),
    pytest.param('[x]\n\n> [x]: https://a.org "a title"\n', id="titled-definition"),
    pytest.param("![m](data:image/png;base64,iVBORw0KGgo=) [x](data:image/png;base64,iVBORw0KGgo=)", id="data-image"),
    pytest.param("[x]\n\n> [x]: data:image/png;base64,iVBORw0KGgo=\n", id="data-image-definition"),
    pytest.param("[y]\n\n> [y]: search-ms:query=a\n", id="search-ms-definition"),
    pytest.param("[y]\n\n- [y]: intent://a#Intent;end\n", id="intent-definition"),
    pytest.param("[x](search-ms:query=a) [y](intent://a#Intent;end) [z](ftp://f.org/a) <tel:+1>", id="inline"),
]


def rendered(field: str, text: str) -> str:
    """The HTML `text` is published as, written in `field` of a briefing."""
    if field == "body":
        return RENDERER.render_body(RENDERER.parse_body(text, note_numbers=NOTES))
    if field == "takeaway":
        return RENDERER.render_inline(text)
    if field == "note":
        return RENDERER.render_note(text)
    return html_lib.escape(RENDERER.inline_text(text), quote=False)  # a summary is text, escaped by the templates


def attributes_of(html: str) -> list[tuple[str, str, str]]:
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    return [(element.tag, name, value) for element in root.iter() for name, value in element.attrib.items()]


@pytest.mark.parametrize("field", ["body", "takeaway", "note", "summary"])
@pytest.mark.parametrize("text", ISSUE_CASES)
def test_only_allowed_addresses_leave_the_renderer(field: str, text: str) -> None:
    html = rendered(field, text)
    attributes = attributes_of(html)
    addresses = [value for _, name, value in attributes if name in {"href", "src"}]
    assert [a for a in addresses if scheme_of(a) not in SAFE_SCHEMES] == []
    assert external_links_without_noopener(html) == []
    assert all(a.startswith(scheme_of(a)) for a in addresses), "a scheme is written in lower case"
    assert [value for _, _, value in attributes if "<" in value] == [], "no markup inside an attribute"


@pytest.mark.parametrize("text", ISSUE_CASES)
def test_the_outbound_filter_alone_keeps_refused_addresses_out(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Defence in depth: with the fast path's own check of its links turned off, what it
    # publishes still holds only allowed addresses, each link to another site with noopener.
    monkeypatch.setattr(fast_markdown, "_links_only_as_written", lambda text, html: True)
    html = rendered("body", text)
    addresses = [value for _, name, value in attributes_of(html) if name in {"href", "src"}]
    assert [a for a in addresses if scheme_of(a) not in SAFE_SCHEMES] == []
    assert external_links_without_noopener(html) == []
    assert all(a.startswith(scheme_of(a)) for a in addresses)


@pytest.mark.parametrize("text", ISSUE_CASES)
def test_a_body_renders_alike_on_both_paths(text: str) -> None:
    fast = RENDERER.render_body(RENDERER.parse_body(text, note_numbers=NOTES))
    assert fast == RENDERER.render_body(RENDERER.parse_body_reference(text))


@pytest.mark.parametrize(
    "text",
    [
        "[1]\n\n> [1]: https://evil.example/\n",
        "[1]\n\n- [1]: https://evil.example/\n",
        "[1]\n\n[1\n]: https://evil.example/\n",
        "A claim.[1] More.[2]\n\n> quoted\n>\n> [2]: https://evil.example/\n",
        '[1]\n\n> [x]: https://a.org "[1]"\n',
    ],
)
def test_a_citation_stays_a_citation_whatever_is_defined(text: str) -> None:
    parsed = RENDERER.parse_body(text, note_numbers=NOTES)
    html = RENDERER.render_body(parsed)
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    cited = [int(match) for match in re.findall(r"\[([0-9])\](?![:(])", text.split("\n\n", maxsplit=1)[0])]
    assert [c.number for c in parsed.citations] == cited
    assert root.xpath("//a/@href") == [f"#fn:{n}" for n in cited]
    assert "evil.example" not in html


@pytest.mark.parametrize(
    ("fragment", "published"),
    [
        ('<p><a href="ftp://f.org/a">x</a> y</p>', "<p>x y</p>"),
        ('<p><a href="tel:+1" title="t">call <em>us</em></a></p>', "<p>call <em>us</em></p>"),
        ('<img src="data:image/png;base64,AA" alt="a &quot;map&quot;">', "a &quot;map&quot;"),
        ('<a href="java&#x09;script:alert(1)">x</a>', "x"),
        ('<a href=" \x01JavaScript:alert(1)">x</a>', "x"),
        ("<a href='search-ms:q' class=c>x</a><a href=intent:x>y</a>", "xy"),
        ('<iframe src="javascript:alert(1)"></iframe>', "<iframe></iframe>"),
        ('<a href="HTTPS://a.org/P">x</a>', '<a href="https://a.org/P" rel="noopener">x</a>'),
        ('<a href="Mailto:d@a.org">x</a>', '<a href="mailto:d@a.org">x</a>'),
        ('<a href="//a.org" title="t">x</a>', '<a href="//a.org" title="t" rel="noopener">x</a>'),
        ('<a href="https://a.org" rel="nofollow">x</a>', '<a href="https://a.org" rel="nofollow noopener">x</a>'),
        ('<a href="#fn:1" id="fnref:1:1">1</a> <a href="map/">m</a>', None),
        ('<a href="https://a.org" rel="noopener">x</a> <img src="m.png" alt="m">', None),
        ("<p>href=&quot;ftp://x&quot; is text</p>", None),
    ],
)
def test_the_outbound_filter_on_any_renderers_output(fragment: str, published: str | None) -> None:
    assert links.allowed_links_only(fragment) == (fragment if published is None else published)


def test_raw_html_allowed_by_the_site_passes_the_same_filter() -> None:
    renderer = MarkdownRenderer(allow_html=True)
    body = (
        '<div><a href="ftp://f.org/a">x</a> <A HREF=\'HTTPS://a.org\'>y</A></div>\n\nText <img src="data:x" alt="m">\n'
    )
    html = renderer.render_body(renderer.parse_body(body, note_numbers=NOTES))
    assert html == '<div>x <A HREF="https://a.org" rel="noopener">y</A></div>\n<p>Text m</p>\n'


@pytest.mark.parametrize(
    "fragment",
    ["<a " * 100_000, '<a x="' * 100_000, "<a href=x " * 100_000, "<a href='" * 100_000, '<a href="ftp:x">' * 30_000],
)
def test_the_filter_reads_raw_html_full_of_unclosed_tags_in_linear_time(fragment: str) -> None:
    started = time.perf_counter()
    links.allowed_links_only(fragment)
    assert time.perf_counter() - started < 10  # each '<' scanning to the end would take minutes


fragment_parts = st.sampled_from(
    [
        '<a href="https://a.org/x" rel="noopener">', '<a href="https://a.org" title="t" rel="noopener">',
        '<a href="#fn:1" id="fnref:1:1" role="doc-noteref">', '<a href="mailto:d@a.org">', '<a href="map/">',
        '<a href="//a.org">', '<a href="HTTPS://a.org">', '<a href="ftp://a.org">', '<a href="https://a.org">',
        '<img src="m.png" alt="m">', '<img src="https://a.org/m.png" alt="">', '<img src="data:x" alt="d">',
        '<a href="https://a.org/\xa0" rel="noopener">', '<a HREF="https://a.org" rel="noopener">', '<a href = "ftp:x">',
        '<a href="mailto:a&amp;b">', '<a href="https://a.org/&#10;" rel="noopener">', "<a href='//a.org'>",
        "</a>", "<p>", "</p>", " text ", "href=", " src=\"", "&quot;", "\"", "\n", "&#10;", "\xa0", " = ",
        "HREF=", "x:y",
    ]
)  # fmt: skip


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(fragment_parts, max_size=12).map("".join))
def test_the_filters_quick_look_misses_nothing_a_tag_by_tag_reading_would_change(fragment: str) -> None:
    # The filter reads tag by tag only a fragment its one search flags: what it lets by unread
    # must be what reading it would leave as it is.
    assert links.allowed_links_only(fragment) == links.read_tag_by_tag(fragment)


# --- warnings at the line ---------------------------------------------------------


def warnings_of(make_site: MakeSite, body: str, front: str = "footnotes:\n  1: A note\n  3: Another\n") -> list[str]:
    root = make_site({"sources.yaml": SOURCES_YAML, "briefings/a.md": briefing_text(front, body=body)})
    _, warnings = load_archive(root, today=TODAY)
    return [f"{p.path}:{p.line}: {p.message}" for p in warnings if "never cited" not in p.message]


def test_a_numbered_link_definition_is_a_warning_at_its_line(make_site: MakeSite) -> None:
    body = "A claim.[1][3]\n\n[1]: https://www.reuters.com/world/\n\n> Quoted.\n>\n> [3]: https://a.org\n"
    assert warnings_of(make_site, body) == [
        "briefings/a.md:11: '[1]:' defines nothing: [1] in the text is a citation of note 1, which goes under"
        " 'footnotes:' in the front matter (1: Source, https://...); a link definition needs a name that is not"
        " a number ([name]: https://..., used as [text][name])",
        "briefings/a.md:15: '[3]:' defines nothing: [3] in the text is a citation of note 3, which goes under"
        " 'footnotes:' in the front matter (3: Source, https://...); a link definition needs a name that is not"
        " a number ([name]: https://..., used as [text][name])",
    ]


def test_a_numbered_link_definition_that_a_link_uses_is_no_warning(make_site: MakeSite) -> None:
    assert warnings_of(make_site, "A claim.[1] [The report][2].[3]\n\n[2]: https://a.org\n") == []


def test_a_citation_in_a_links_text_is_a_warning_at_its_line(make_site: MakeSite) -> None:
    body = "Intro.[1]\n\n- item\n- and [see [3]](https://x.org)\n"
    assert warnings_of(make_site, body) == [
        "briefings/a.md:12: citation [3] in a link's text keeps the link from being made: put the citation"
        " after the link ([text](https://...) [3]), or write \\[3\\] for brackets in the link's text",
    ]
    assert warnings_of(make_site, "Intro.[1] [see \\[3\\]](https://x.org) and [see](https://x.org) [3]\n") == []


# The deepest each kind of block is kept at: a list takes two of markdown-it's 20 levels.
@pytest.mark.parametrize(("marker", "deepest_kept"), [("> ", 19), ("- ", 9), ("1. ", 9)])
def test_text_nested_past_the_limit_is_a_warning_at_its_line(
    make_site: MakeSite, marker: str, deepest_kept: int
) -> None:
    body = f"Intro.[1][3]\n\n{marker * 60}lost words\n\n{marker * 3}kept\n"
    assert warnings_of(make_site, body) == [
        "briefings/a.md:11: this block is nested too deeply (more than 20 quotes, or 10 lists, inside each other)"
        " and is left out of the page: nest it less deeply"
    ]
    assert warnings_of(make_site, f"Intro.[1][3]\n\n{marker * deepest_kept}kept\n") == []
    assert len(warnings_of(make_site, f"Intro.[1][3]\n\n{marker * (deepest_kept + 1)}lost\n")) == 1


# --- a whole site, every file read back -------------------------------------------


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar holding `text` (control characters as escapes)."""
    return '"' + "".join(f"\\x{ord(c):02x}" if ord(c) < 0x20 or c in '"\\' else c for c in text) + '"'


def hostile_briefing(address: str) -> tuple[str, str]:
    """Front matter and body with `address` as a link, an image and a definition in every field that takes one.

    An address holding a control character goes in the body alone: in front matter it is an error.
    """
    if any(ord(c) < 0x20 for c in address):
        front = "footnotes:\n  1: A note\n  2: Another\n"
    else:
        front = (
            f"summary: {_quoted(f'Summary [s]({address}) and <{address}> and [s2]')}\n"
            f"takeaways:\n  - {_quoted(f'A [link]({address}) and <{address}>')}\n"
            f"  - {_quoted('[t]' + chr(10) + chr(10) + f'> [t]: {address}')}\n"
            f"footnotes:\n  1: {_quoted(f'{address} and [link]({address}) and <{address}>')}\n"
            f"  2: {_quoted(f'Source, https://example.org/n [x]({address})')}\n"
        )
    body = (
        f"Text [x] and [y] and [z y] cited.[1][2]\n\n> [x]: {address}\n\n- [y]: {address}\n\n[z\ny]: {address}\n\n"
        f"[1]\n\n> [1]: {address}\n\n"
        f"Inline [a]({address}) and <{address}> and ![image]({address}) and [b][r].\n\n[r]: {address}\n"
    )
    return front, body


def payload_addresses() -> list[str]:
    script = [scheme + "alert(1)" for scheme in SCRIPT_SCHEMES if "\n" not in scheme]
    return [*OTHER_SCHEMES, *script, *(prefix + "ftp://p.example/" for prefix in (" ", "\x01", "\x0c"))]


def test_no_published_address_in_any_file_of_a_built_site_is_outside_the_allow_list(
    make_site: MakeSite, tmp_path: Path
) -> None:
    files: dict[str, str] = {"sources.yaml": SOURCES_YAML}
    for number, address in enumerate(payload_addresses()):
        front, body = hostile_briefing(address)
        files[f"briefings/b{number}.md"] = briefing_text(front, body=body, title=f"Briefing {number}")
    for number, case in enumerate(p.values[0] for p in ISSUE_CASES):
        front = (
            f"summary: {_quoted(case)}\ntakeaways:\n  - {_quoted(case)}\n"
            f"footnotes:\n  1: {_quoted(case)}\n  2: A note\n  3: A note\n"
        )
        files[f"briefings/c{number}.md"] = briefing_text(front, body=case + "\n\nCited.[1][2][3]\n")
    root = make_site(files)
    out = tmp_path / "out"
    build_site(root, output=out)
    published = published_addresses(out)
    assert {p.where.split("/")[0] for p in published} >= {"briefings", "feed.xml", "feed.json", "pagefind"}
    assert [p for p in published if scheme_of(p.value) not in SAFE_SCHEMES] == []
    assert [p for p in published if p.element == "a" and is_external(p.value) and "noopener" not in p.rel] == []
    assert [p for p in published if not p.value.startswith(scheme_of(p.value))] == [], "schemes in lower case"
