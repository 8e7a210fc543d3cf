"""MarkdownRenderer on its own: citations, escaping, safe links, extensions, anchors."""

from __future__ import annotations

import re

import pytest

from briefgen.markdown import MarkdownRenderer


@pytest.fixture(scope="module")
def renderer() -> MarkdownRenderer:
    return MarkdownRenderer(allow_html=False)


def body_html(renderer: MarkdownRenderer, text: str) -> str:
    return renderer.render_body(renderer.parse_body(text))


# --- citations -----------------------------------------------------------------


def test_citation_is_a_superscript_link_to_its_note(renderer: MarkdownRenderer) -> None:
    assert body_html(renderer, "A claim.[7]") == (
        '<p>A claim.<sup class="citation"><a href="#fn:7" id="fnref:7:1" role="doc-noteref"'
        ' aria-label="Note 7">7</a></sup></p>\n'
    )


def test_citation_ids_count_each_notes_citations(renderer: MarkdownRenderer) -> None:
    parsed = renderer.parse_body("One.[1] Two.[2][1]\n\nThree.[1]\n")
    assert [(c.number, c.element_id, c.line) for c in parsed.citations] == [
        (1, "fnref:1:1", 0),
        (2, "fnref:2:1", 0),
        (1, "fnref:1:2", 0),
        (1, "fnref:1:3", 2),
    ]
    html = renderer.render_body(parsed)
    assert re.findall(r'id="(fnref:[0-9]+:[0-9]+)"', html) == ["fnref:1:1", "fnref:2:1", "fnref:1:2", "fnref:1:3"]


def test_citation_lines_inside_blocks(renderer: MarkdownRenderer) -> None:
    text = (
        "Intro.\n"  # 0
        "\n"  # 1
        "- first item\n"  # 2
        "- second item,\n"  # 3
        "  continued.[4]\n"  # 4
        "\n"  # 5
        "| where | claim |\n"  # 6
        "|---|---|\n"  # 7
        "| Kursk | advance[5] |\n"  # 8
        "\n"  # 9
        "> quoted\n"  # 10
        "> and cited.[6]\n"  # 11
    )
    assert [(c.number, c.line) for c in renderer.parse_body(text).citations] == [(4, 4), (5, 8), (6, 11)]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Escaped \\[3] bracket.", id="backslash"),
        pytest.param("In code `[3]` span.", id="code-span"),
        pytest.param("In ``double [3] ticks``.", id="double-backtick-span"),
        pytest.param("    [3] indented code", id="indented-code"),
        pytest.param("```\n[3]\n```", id="fenced-code"),
        pytest.param("[1234567] has seven digits.", id="too-long"),
        pytest.param("[3a] is not a number.", id="not-a-number"),
    ],
)
def test_not_a_citation(renderer: MarkdownRenderer, text: str) -> None:
    parsed = renderer.parse_body(text)
    assert parsed.citations == ()
    assert "citation" not in renderer.render_body(parsed)


def test_number_link_is_a_link_not_a_citation(renderer: MarkdownRenderer) -> None:
    parsed = renderer.parse_body("[1](https://example.org/r) and [2]")
    assert [c.number for c in parsed.citations] == [2]
    assert '<a href="https://example.org/r" rel="noopener">1</a>' in renderer.render_body(parsed)


def test_inline_text_has_no_citations(renderer: MarkdownRenderer) -> None:
    # Takeaways and notes are inline text: [1] in them stays literal.
    assert renderer.render_inline("Advance confirmed [1]") == "Advance confirmed [1]"


# --- raw HTML and unsafe links -------------------------------------------------------


def test_raw_html_is_escaped_when_not_allowed(renderer: MarkdownRenderer) -> None:
    html = body_html(renderer, "<script>alert(1)</script>\n\nInline <b onclick='x()'>bold</b>.\n")
    assert "<script>" not in html
    assert "<b " not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Inline &lt;b onclick='x()'&gt;bold&lt;/b&gt;." in html


def test_raw_html_passes_when_allowed() -> None:
    renderer = MarkdownRenderer(allow_html=True)
    html = body_html(renderer, '<div class="map">x</div>\n\nInline <b>bold</b>.\n')
    assert '<div class="map">x</div>' in html
    assert "Inline <b>bold</b>." in html


def test_inline_text_always_escapes_html() -> None:
    renderer = MarkdownRenderer(allow_html=True)
    assert renderer.render_inline("<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("[click](javascript:alert(1))", id="javascript"),
        pytest.param("[click](JavaScript:alert(1))", id="javascript-mixed-case"),
        pytest.param("[click](data:text/html;base64,PHNjcmlwdD4=)", id="data-link"),
        pytest.param("![pixel](data:image/png;base64,iVBORw0KGgo=)", id="data-image"),
        pytest.param("[click](vbscript:msgbox(1))", id="vbscript"),
        pytest.param("[click](file:///etc/passwd)", id="file"),
        pytest.param("<javascript:alert(1)>", id="autolink"),
        pytest.param("[click][ref]\n\n[ref]: javascript:alert(1)", id="reference"),
    ],
)
def test_unsafe_link_is_not_emitted(renderer: MarkdownRenderer, text: str) -> None:
    html = body_html(renderer, text)
    assert "href=" not in html
    assert "src=" not in html
    assert not re.search(r"(?i)(javascript|vbscript|data|file):[^ ]*\"", html)


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        pytest.param("[r](/briefings/2025/)", '<a href="/briefings/2025/">', id="path"),
        pytest.param("[r](#fn:1)", '<a href="#fn:1">', id="fragment"),
        pytest.param("[r](maps/kursk.html)", '<a href="maps/kursk.html">', id="relative"),
        pytest.param("[r](mailto:desk@example.org)", '<a href="mailto:desk@example.org">', id="mailto"),
        pytest.param("[r](?page=2)", '<a href="?page=2">', id="query"),
    ],
)
def test_safe_local_links_are_kept_without_rel(renderer: MarkdownRenderer, text: str, tag: str) -> None:
    assert tag in body_html(renderer, text)


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        pytest.param(
            "[ISW](https://www.understandingwar.org)", '<a href="https://www.understandingwar.org"', id="https"
        ),
        pytest.param("[old](http://example.org/r)", '<a href="http://example.org/r"', id="http"),
        pytest.param("<https://example.org/r>", '<a href="https://example.org/r"', id="autolink"),
    ],
)
def test_external_links_get_rel_noopener(renderer: MarkdownRenderer, text: str, tag: str) -> None:
    html = body_html(renderer, text)
    assert f'{tag} rel="noopener">' in html


# --- extensions and anchors -----------------------------------------------------------


def test_tables(renderer: MarkdownRenderer) -> None:
    html = body_html(renderer, "| Direction | km |\n|---|--:|\n| Toretsk | 2 |\n")
    assert "<table>" in html
    assert "<th>Direction</th>" in html
    # Aligned by a class: the site's Content-Security-Policy allows no style attribute.
    assert '<th class="align-right">km</th>' in html
    assert '<td class="align-right">2</td>' in html
    assert "style=" not in html


def test_strikethrough(renderer: MarkdownRenderer) -> None:
    assert body_html(renderer, "~~retracted~~ claim") == "<p><s>retracted</s> claim</p>\n"


def test_heading_ids(renderer: MarkdownRenderer) -> None:
    html = body_html(renderer, "# Title\n\n## Key *takeaways*\n\n### Kursk Oblast\n\n## Key takeaways\n\n##### Deep\n")
    assert "<h1>Title</h1>" in html  # the page title is h1; anchors start at h2
    assert '<h2 id="key-takeaways">Key <em>takeaways</em></h2>' in html
    assert '<h3 id="kursk-oblast">Kursk Oblast</h3>' in html
    assert '<h2 id="key-takeaways-1">Key takeaways</h2>' in html  # a repeated heading gets its own id
    assert "<h5>Deep</h5>" in html


# --- what the loader reads from a parse --------------------------------------------------


def test_images_and_their_lines(renderer: MarkdownRenderer) -> None:
    text = (
        "Intro ![Front](front.png)\n"  # 0
        "\n"  # 1
        "A paragraph\n"  # 2
        "with ![](maps/a.png) on line 3\n"  # 3
        "and ![Again](maps/a.png) on line 4.\n"  # 4
    )
    parsed = renderer.parse_body(text)
    assert [(i.src, i.alt, i.line) for i in parsed.images] == [
        ("front.png", "Front", 0),
        ("maps/a.png", "", 3),
        ("maps/a.png", "Again", 4),
    ]


def test_an_image_is_found_on_its_own_line_not_where_its_name_is_first_written(renderer: MarkdownRenderer) -> None:
    text = (
        "The map (front.png) shows the front:\n"  # 0: the name, in words
        "![Front](front.png)\n"  # 1
        "\n"  # 2
        "![front.png](front.png 'front.png')\n"  # 3: the name as alt text and title too
        "![Reference][map] and\n"  # 4
        "![Inline](maps/a.png)\n"  # 5: the reference's address, written inline
        "\n"  # 6
        "[map]: maps/a.png\n"  # 7
        "Escaped in its address:\n"  # 8
        "![Escaped](a\\_b.png) and ![Spaced](<my map.png>)\n"  # 9
        "\n"  # 10
        "> Quoted:\n"  # 11
        "> ![**Bold** alt](q.png)\n"  # 12
    )
    parsed = renderer.parse_body(text)
    assert [(i.src, i.line) for i in parsed.images] == [
        ("front.png", 1),
        ("front.png", 3),
        ("maps/a.png", 4),
        ("maps/a.png", 5),
        ("a_b.png", 9),
        ("my%20map.png", 9),
        ("q.png", 12),
    ]


def test_image_addresses_are_rewritten_on_render(renderer: MarkdownRenderer) -> None:
    parsed = renderer.parse_body("![Map](../maps/map.png)")
    assert renderer.render_body(parsed, {"../maps/map.png": "map.png"}) == '<p><img src="map.png" alt="Map" /></p>\n'


def test_first_paragraph_is_plain_text(renderer: MarkdownRenderer) -> None:
    parsed = renderer.parse_body(
        "## Heading\n\nThe *first* paragraph,\nwith `code` and [a link](https://x.org).[1]\n\nNext."
    )
    assert parsed.first_paragraph == "The first paragraph, with code and a link."


def test_inline_text_strips_markup(renderer: MarkdownRenderer) -> None:
    assert renderer.inline_text("**Bold** claim about `Kursk` and [a report](https://x.org)") == (
        "Bold claim about Kursk and a report"
    )
