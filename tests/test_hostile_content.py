"""Hostile content: markup and addresses pasted into any field never run, and never become live links.

Every text an editor writes (titles, takeaways, notes, tags, places, source
names, settings) is escaped in every page, feed and the sitemap; raw HTML in a
body is text unless the site opts in; `javascript:`, `vbscript:` and `data:`
addresses, however they are disguised, are never emitted as links; every link
to another site carries rel="noopener".
"""

from __future__ import annotations

import json
from pathlib import Path

import lxml.etree
import lxml.html
import pytest

from briefgen.build import build_site
from briefgen.errors import ArchiveError
from briefgen.load import load_archive
from tests.hostile import (
    ATOM,
    external_links_without_noopener,
    texts,
    unsafe_in_html,
    unsafe_in_json,
    unsafe_in_site,
)
from tests.sites import SOURCES_YAML, MakeSite, briefing_text

BASE = "https://example.org/archive/"
ASSETS = "/archive/assets/"
PAYLOAD = "\"'><script>alert(1)</script><img src=x onerror=alert(1)><a href=javascript:alert(1)>x</a>&amp;"
"""Closes an attribute, opens a script, an event handler and a javascript: link; and an entity."""
MARKDOWN_PAYLOAD = PAYLOAD.replace("&amp;", "&")
"""The same, as a reader sees it where it is Markdown (a body, takeaways, notes): '&amp;' is '&'."""


def _yaml(text: str) -> str:
    """`text` as a YAML single-quoted scalar."""
    return "'" + text.replace("'", "''") + "'"


def hostile_site(make_site: MakeSite) -> Path:
    p = _yaml(PAYLOAD)
    front = (
        f"url: https://example.org/report?q=1&x={_yaml(PAYLOAD)[1:-1].replace(' ', '%20')}\n"
        f"authors: [{p}]\n"
        f"summary: {p}\n"
        f"takeaways:\n  - {_yaml('Takeaway ' + PAYLOAD)}\n"
        f"footnotes:\n  1: {_yaml('Note ' + PAYLOAD + ' https://example.org/n')}\n"
        f"tags: [{_yaml('tag ' + PAYLOAD)}]\n"
        f"places: [{_yaml('place ' + PAYLOAD)}]\n"
        f"extra:\n  anything: {p}\n"
    )
    return make_site(
        {
            "briefgen.yaml": f"title: {_yaml('Site ' + PAYLOAD)}\ndescription: {_yaml('About ' + PAYLOAD)}\n",
            "sources.yaml": f"evil:\n  name: {_yaml('Source ' + PAYLOAD)}\n  url: https://example.org/src\n"
            f"  description: {_yaml('Description ' + PAYLOAD)}\n",
            "briefings/a.md": briefing_text(
                front, body=f"Body {PAYLOAD}[1]\n\n{PAYLOAD}\n", title=_yaml("Title " + PAYLOAD), source="evil"
            ),
            # A source that exists only because a briefing names it, and a briefing next to the first.
            "briefings/b.md": briefing_text(title=_yaml("Second " + PAYLOAD), source=_yaml("Named " + PAYLOAD)),
        }
    )


@pytest.fixture
def hostile(make_site: MakeSite, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    build_site(hostile_site(make_site), output=out, base_url=BASE)
    return out


def test_nothing_runs_and_no_link_is_unsafe_in_any_page_feed_or_sitemap(hostile: Path) -> None:
    assert (hostile / "sitemap.xml").is_file()
    assert len(list(hostile.rglob("*.html"))) > 10
    assert unsafe_in_site(hostile, asset_prefix=ASSETS) == []


def test_every_field_reaches_the_reader_as_the_text_written(hostile: Path) -> None:
    page = (hostile / "briefings/2025/06/26/a/index.html").read_bytes()
    assert texts(page, "//h1") == ["Title " + PAYLOAD]
    assert texts(page, "//title")[0].startswith("Title " + PAYLOAD)
    assert texts(page, "//section[@class='takeaways']//li") == ["Takeaway " + MARKDOWN_PAYLOAD]
    assert "Note " + MARKDOWN_PAYLOAD in texts(page, "//section[@role='doc-endnotes']//li")[0]
    assert texts(page, "//footer[@class='terms']//a") == ["tag " + PAYLOAD, "place " + PAYLOAD]
    assert PAYLOAD in texts(page, "//p[@class='byline']")[0]  # the author
    assert lxml.html.fromstring(page).xpath("//meta[@name='description']/@content") == [MARKDOWN_PAYLOAD]
    body = texts(page, "//div[@class='body']/p")
    assert body[1] == MARKDOWN_PAYLOAD, "raw HTML in a body is shown as text"
    source_page = (hostile / "sources/evil/index.html").read_bytes()
    assert "Description " + PAYLOAD in lxml.html.fromstring(source_page).text_content()
    home = (hostile / "index.html").read_bytes()
    assert texts(home, "//a[@class='site-title']") == ["Site " + PAYLOAD]
    assert "About " + PAYLOAD in texts(home, "//footer")[0]


def test_feeds_carry_every_field_as_text_and_parse_as_xml(hostile: Path) -> None:
    feed = lxml.etree.fromstring((hostile / "feed.xml").read_bytes())
    assert feed.findtext(f"{ATOM}title") == "Site " + PAYLOAD
    titles = [entry.findtext(f"{ATOM}title") for entry in feed.iter(f"{ATOM}entry")]
    assert sorted(titles) == sorted(["Title " + PAYLOAD, "Second " + PAYLOAD])
    labels = {c.get("label") for c in feed.iter(f"{ATOM}category")}
    assert {"Source " + PAYLOAD, "Named " + PAYLOAD, "tag " + PAYLOAD} <= labels
    content = next(e for e in feed.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}title") == "Title " + PAYLOAD)
    html = content.findtext(f"{ATOM}content") or ""
    assert unsafe_in_html(html) == []
    assert MARKDOWN_PAYLOAD in lxml.html.fromstring(f"<div>{html}</div>").text_content()


def test_json_exports_carry_every_field_as_text(hostile: Path) -> None:
    feed = json.loads((hostile / "feed.json").read_text("utf-8"))
    assert feed["title"] == "Site " + PAYLOAD
    assert sorted(item["title"] for item in feed["items"]) == sorted(["Title " + PAYLOAD, "Second " + PAYLOAD])
    assert unsafe_in_json(feed) == []
    assert unsafe_in_json(json.loads((hostile / "briefings.json").read_text("utf-8"))) == []


def test_tags_places_and_named_sources_get_plain_addresses(hostile: Path) -> None:
    for folder in ("tags", "places", "sources"):
        names = {p.name for p in (hostile / folder).iterdir() if p.is_dir()}
        assert names, folder
        assert all(name.replace("-", "").isalnum() and name.isascii() for name in names), names


DISGUISED = [
    pytest.param("javascript:alert(1)", id="javascript"),
    pytest.param("JaVaScRiPt:alert(1)", id="mixed-case"),
    pytest.param("jav&#x09;ascript:alert(1)", id="entity-tab"),
    pytest.param("jav&#x0A;ascript:alert(1)", id="entity-newline"),
    pytest.param("&#106;avascript:alert(1)", id="entity-letter"),
    pytest.param("javascript&colon;alert(1)", id="entity-colon"),
    pytest.param("&#x20;javascript:alert(1)", id="entity-leading-space"),
    pytest.param("&#x01;javascript:alert(1)", id="entity-control"),
    pytest.param("javascript://%0aalert(1)", id="comment-newline"),
    pytest.param("vbscript:msgbox(1)", id="vbscript"),
    pytest.param("VBScript:msgbox(1)", id="vbscript-case"),
    pytest.param("data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", id="data-html"),
    pytest.param("DATA:image/svg+xml,%3Csvg%20onload=alert(1)%3E", id="data-svg"),
    pytest.param("file:///etc/passwd", id="file"),
]


@pytest.mark.parametrize("address", DISGUISED)
def test_a_disguised_script_address_is_never_a_live_link(make_site: MakeSite, tmp_path: Path, address: str) -> None:
    body = (
        f"Inline [click]({address}) and [angle](<{address}>) and ![img]({address}) and <{address}>.[1]\n\n"
        f"By reference [ref][r] and [other].\n\n[r]: {address}\n[other]: {address}\n"
    )
    front = (
        f"takeaways:\n  - {_yaml(f'A [link]({address}) in a takeaway')}\n"
        f"footnotes:\n  1: {_yaml(f'{address} and [link]({address}) and <{address}>')}\n"
    )
    out = tmp_path / "out"
    root = make_site({"briefings/a.md": briefing_text(front, body=body)})
    try:
        build_site(root, output=out)
    except ArchiveError as exc:
        # '&#x01;' is no character markdown-it decodes, so the address is a relative one
        # (its '#' starts a fragment): as an image, a file '&', not named as an image.
        assert [(p.line, " is not an image file: " in p.message) for p in exc.errors] == [(10, True)]
        (root / "briefings/a.md").write_text(briefing_text(front, body=body.replace("![img]", "[img]")))
        build_site(root, output=out)
    page = (out / "briefings/2025/06/26/a/index.html").read_bytes()
    assert unsafe_in_html(page) == []
    assert unsafe_in_site(out) == []
    assert "click" in lxml.html.fromstring(page).text_content()  # the text stays, the link goes


@pytest.mark.parametrize(
    "written",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        '"java\\tscript:alert(1)"',
        '"\\x01javascript:alert(1)"',
        '"\\tjavascript:alert(1)"',
        "vbscript:msgbox(1)",
        "data:text/html,<script>alert(1)</script>",
        "//example.org/no-scheme",
        "example.org",
    ],
)
def test_a_url_that_is_not_http_is_an_error_at_its_line(make_site: MakeSite, written: str) -> None:
    root = make_site(
        {
            "sources.yaml": f"isw:\n  name: ISW\n  url: {written}\n",
            "briefings/a.md": briefing_text(f"url: {written}\n"),
        }
    )
    with pytest.raises(ArchiveError) as caught:
        load_archive(root)
    places = {(p.path, p.line) for p in caught.value.errors}
    assert places == {("sources.yaml", 3), ("briefings/a.md", 5)}
    assert all("'url'" in p.message for p in caught.value.errors)


def test_links_to_other_sites_carry_rel_noopener(make_site: MakeSite, tmp_path: Path) -> None:
    body = (
        "[a](https://example.org/a) [b](HTTPS://EXAMPLE.ORG/B) [c](//example.org/c) <https://example.org/d>"
        " [e](mailto:desk@example.org) [f](#bg:notes) [g](/archive/) [h](other/page/).[1][2]\n"
    )
    front = "url: https://example.org/original\nfootnotes:\n  1: Plain https://example.org/n1\n"
    front += "  2: '*Marked up* [link](http://example.org/n2) and //example.org/n3'\n"
    root = make_site(
        {
            "sources.yaml": SOURCES_YAML,
            "briefings/a.md": briefing_text(front, body=body),
        }
    )
    out = tmp_path / "out"
    build_site(root, output=out)
    page = (out / "briefings/2025/06/26/a/index.html").read_bytes()
    links = lxml.html.fromstring(page).xpath("//a[@rel='noopener']/@href")
    assert {
        "https://example.org/a",
        "https://EXAMPLE.ORG/B",  # its scheme written in lower case, the rest as it is
        "//example.org/c",
        "https://example.org/d",
        "https://example.org/n1",
        "http://example.org/n2",
        "//example.org/n3",
        "https://example.org/original",
    } <= set(links)
    assert external_links_without_noopener(page) == []
    source = (out / "sources/isw/index.html").read_bytes()
    assert "https://www.understandingwar.org" in lxml.html.fromstring(source).xpath("//a[@rel='noopener']/@href")
    assert unsafe_in_site(out) == []


RAW_HTML = """\
<script>alert(1)</script>

<img src=x onerror=alert(1)> <a href="javascript:alert(1)">x</a>

<iframe src="https://example.org"></iframe><svg><script>alert(1)</script></svg>

<div style="background:url(javascript:alert(1))">styled</div><!-- a comment --> <![CDATA[ x ]]>
"""


def test_raw_html_in_a_body_is_text_unless_the_site_allows_it(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"briefings/a.md": briefing_text(body=RAW_HTML)})
    build_site(root, output=tmp_path / "escaped")
    page = (tmp_path / "escaped/briefings/2025/06/26/a/index.html").read_bytes()
    assert unsafe_in_html(page) == []
    assert "<script>alert(1)</script>" in lxml.html.fromstring(page).text_content()

    # The one way to publish a script is to ask for it in briefgen.yaml (README: Security).
    (root / "briefgen.yaml").write_text("allow_html: true\n")
    build_site(root, output=tmp_path / "allowed")
    allowed = (tmp_path / "allowed/briefings/2025/06/26/a/index.html").read_bytes()
    assert any("<script> element" in problem for problem in unsafe_in_html(allowed))


def test_takeaways_and_notes_escape_raw_html_even_when_bodies_may_have_it(make_site: MakeSite, tmp_path: Path) -> None:
    front = "takeaways:\n  - '<script>alert(1)</script>'\nfootnotes:\n  1: '<img src=x onerror=alert(1)>'\n"
    root = make_site({"briefgen.yaml": "allow_html: true\n", "briefings/a.md": briefing_text(front, body="Text.[1]\n")})
    build_site(root, output=tmp_path / "out")
    assert unsafe_in_site(tmp_path / "out") == []


def test_control_characters_pasted_into_a_body_keep_the_feeds_valid_xml(make_site: MakeSite, tmp_path: Path) -> None:
    # Form feeds and vertical tabs come with text copied from PDFs and word processors.
    body = "Page one.\x0cPage two.\x0bSame line.\x1b[0m\n"
    root = make_site({"briefings/a.md": briefing_text(body=body)})
    report = build_site(root, output=tmp_path / "out")
    assert [str(w) for w in report.warnings] == [
        "briefings/a.md:6: warning: 3 invisible control characters (U+000C) replaced by spaces:"
        " pages and feeds cannot carry them"
    ]
    lxml.etree.fromstring((tmp_path / "out/feed.xml").read_bytes())
    page = (tmp_path / "out/briefings/2025/06/26/a/index.html").read_bytes()
    assert texts(page, "//div[@class='body']/p") == ["Page one. Page two. Same line. [0m"]


def test_a_control_character_written_as_a_yaml_escape_is_an_error_at_its_line(make_site: MakeSite) -> None:
    root = make_site({"briefings/a.md": briefing_text('tags: ["fine", "bell\\a"]\n', title='"Form\\ffeed"')})
    with pytest.raises(ArchiveError) as caught:
        load_archive(root)
    assert [str(p) for p in caught.value.errors] == [
        "briefings/a.md:2: 'title' contains the control character U+000C, which pages and feeds cannot carry",
        "briefings/a.md:5: an item of 'tags' contains the control character U+0007, which pages and feeds cannot carry",
    ]


@pytest.mark.parametrize("base_url", ["/\\evil.example/", "/archive\\", "javascript:alert(1)", "//evil.example/"])
def test_a_base_url_that_would_send_links_elsewhere_is_refused(make_site: MakeSite, base_url: str) -> None:
    root = make_site({"briefings/a.md": briefing_text()})
    with pytest.raises(ArchiveError) as caught:
        load_archive(root, base_url=base_url)
    assert [p.message for p in caught.value.errors] == [
        f"base_url '{base_url}' must be an http(s) address or a path starting with '/'"
    ]
