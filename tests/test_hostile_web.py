"""Hostile input, second round, as a browser meets it: the Content-Security-Policy of every page,
a theme that needs nothing it forbids, a search script that never writes HTML, and SVG images
that could run script refused at their line.

The browser itself checks the same in tests/e2e (every visit fails on a CSP violation or a dialog).
"""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest

from briefgen.build import build_site
from briefgen.errors import ArchiveError
from briefgen.svg import svg_hazard
from tests.sites import SOURCES_YAML, MakeSite, briefing_text
from tests.sitetools import REPO_ROOT, copy_example

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'wasm-unsafe-eval'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "https:", "http:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
}


def policy_of(head: lxml.html.HtmlElement) -> dict[str, list[str]]:
    metas = head.xpath("meta[translate(@http-equiv, 'CONTENT-SECURITY-POLICY', 'content-security-policy')]")
    assert len(metas) == 1
    directives = [part.split() for part in str(metas[0].get("content")).split(";") if part.strip()]
    return {name: values for name, *values in directives}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_example(tmp_path_factory.mktemp("web") / "root")
    briefing = root / "briefings/2025/06/26/isw-north-korean-troops.md"
    text = briefing.read_text(encoding="utf-8")
    table = "\n| Direction | km | gain |\n|:--|--:|:-:|\n| Toretsk | 2 | yes |\n"
    briefing.write_text(text + table, encoding="utf-8")
    output = root / "site"
    build_site(root, output=output, base_url="/archive/")
    return output


def test_every_page_carries_the_policy_before_anything_it_governs(built: Path) -> None:
    pages = sorted(built.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        head = lxml.html.fromstring(page.read_bytes()).find("head")
        assert policy_of(head) == POLICY, page
        # A policy in a meta element governs only what follows it: it comes right after the charset.
        first = [element for element in head if isinstance(element.tag, str)][:2]
        assert first[0].get("charset") == "utf-8" and first[1].get("http-equiv") == "Content-Security-Policy", page


def test_the_theme_needs_nothing_the_policy_refuses(built: Path) -> None:
    """No inline script, handler, style element or style attribute on any page (table alignment
    included), and every script and stylesheet from the site itself."""
    found = []
    for page in sorted(built.rglob("*.html")):
        tree = lxml.html.fromstring(page.read_bytes())
        where = page.relative_to(built).as_posix()
        found += [
            f"{where}: inline <script>" for s in tree.iter("script") if not s.get("src") or (s.text or "").strip()
        ]
        found += [f"{where}: <style>" for _ in tree.iter("style")]
        for element in tree.iter():
            if not isinstance(element.tag, str):
                continue
            found += [f"{where}: <{element.tag} {name}>" for name in element.attrib if name.startswith("on")]
            found += [f"{where}: <{element.tag} style>" for name in element.attrib if name == "style"]
        addresses = tree.xpath("//script/@src | //link[@rel='stylesheet']/@href")
        found += [f"{where}: {a} is not the site's" for a in addresses if not str(a).startswith("/archive/")]
    assert found == []
    briefing = (built / "briefings/2025/06/26/isw-north-korean-troops/index.html").read_text(encoding="utf-8")
    assert '<th class="align-right">km</th>' in briefing and '<td class="align-center">yes</td>' in briefing


def test_the_search_script_never_writes_html() -> None:
    script = (REPO_ROOT / "templates/assets/search.js").read_text(encoding="utf-8")
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", script, flags=re.DOTALL)  # its comments name what it avoids
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function("):
        assert sink not in code, sink


# ------------------------------------------------------------ SVG images beside a briefing

SVG = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
HARMLESS_SVG = f"""<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<!-- Exported by a drawing program, with its metadata -->
<svg {SVG} xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" width="40" height="20" viewBox="0 0 40 20">
  <metadata><title>Front line</title></metadata>
  <defs><linearGradient id="g"><stop offset="0" stop-color="#c00"/></linearGradient></defs>
  <style>.front {{ fill: url(#g); stroke: url( '#g' ); }}</style>
  <rect class="front" width="40" height="20" fill="url(#g)" inkscape:label="front"/>
  <use xlink:href="#g"/><a href="#g"><text x="1" y="15">Toretsk &amp; Lyman &#8594;</text></a>
  <image width="4" height="4" href="data:image/png;base64,iVBORw0KGgo="/>
</svg>
"""
HOSTILE_SVGS = [  # (id, the SVG, the line and what the error names)
    ("script", f"<svg {SVG}>\n<rect/>\n<script>alert(document.domain)</script>\n</svg>", 3, "a <script> element"),
    (
        "script-of-html",
        f'<svg {SVG} xmlns:h="http://www.w3.org/1999/xhtml"><h:script>x</h:script></svg>',
        1,
        "<script>",
    ),
    ("html-element", f'<svg {SVG} xmlns:h="http://www.w3.org/1999/xhtml">\n<h:div/></svg>', 2, "an element of HTML"),
    (
        "handler",
        f'<svg {SVG}>\n<rect width="1" height="1" onclick="alert(1)"/></svg>',
        2,
        "an event handler (onclick=)",
    ),
    ("handler-in-capitals", f'<svg {SVG} ONLOAD="alert(1)"/>', 1, "an event handler (ONLOAD=)"),
    ("foreign-object", f"<svg {SVG}><foreignObject><p>x</p></foreignObject></svg>", 1, "a <foreignObject> element"),
    ("javascript-link", f'<svg {SVG}><a xlink:href=" javascript:alert(1)"><text>x</text></a></svg>', 1, "javascript:"),
    ("animated-link", f'<svg {SVG}><a><set attributeName="href" to="javascript:alert(1)"/></a></svg>', 1, "a <set>"),
    ("external-image", f'<svg {SVG}><image href="https://tracker.example/px.png"/></svg>', 1, "https://tracker"),
    ("sibling-file", f'<svg {SVG}><use href="other.svg#shape"/></svg>', 1, "a reference to 'other.svg#shape'"),
    ("css-url", f'<svg {SVG}><rect style="fill: url(https://x.example/a.svg#g)"/></svg>', 1, "https://x.example"),
    (
        "css-import",
        f"<svg {SVG}><style>\n@import url(#ok);\n@import 'https://x.example/a.css';</style></svg>",
        3,
        "a.css",
    ),
    (
        "stylesheet",
        f'<?xml version="1.0"?>\n<?xml-stylesheet href="x.xsl" type="text/xsl"?><svg {SVG}/>',
        2,
        "<?xml-stylesheet",
    ),
    ("entities", f'<!DOCTYPE svg [\n<!ENTITY a "aaaaaaaaaa">\n]><svg {SVG}><text>&a;</text></svg>', 2, "entity"),
    ("external-entity", f'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg {SVG}>&x;</svg>', 1, "entity"),
    ("parameter-entity", f'<!DOCTYPE svg [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><svg {SVG}/>', 1, "entity"),
    ("not-xml", f"<svg {SVG}>\n<g></svg>", 2, "XML that is not well-formed"),
]


def test_a_plain_svg_passes() -> None:
    assert svg_hazard(HARMLESS_SVG.encode()) is None


@pytest.mark.parametrize(("svg", "line", "what"), [pytest.param(s, n, w, id=i) for i, s, n, w in HOSTILE_SVGS])
def test_an_svg_that_could_run_or_load_anything_is_named_at_its_line(svg: str, line: int, what: str) -> None:
    hazard = svg_hazard(svg.encode())
    assert hazard is not None
    assert hazard.line == line
    assert what in hazard.what


def test_a_briefing_with_a_scripted_svg_fails_at_the_image_line(make_site: MakeSite, tmp_path: Path) -> None:
    body = "The map:\n\n![Front line](maps/front.svg)\n\n![Also](maps/plain.svg)\n"
    root = make_site(
        {
            "sources.yaml": SOURCES_YAML,
            "briefings/a.md": briefing_text(body=body),
            "briefings/maps/front.svg": HOSTILE_SVGS[0][1],
            "briefings/maps/plain.svg": HARMLESS_SVG,
        }
    )
    with pytest.raises(ArchiveError) as caught:
        build_site(root, output=tmp_path / "site", search=False)
    assert [str(problem) for problem in caught.value.problems] == [
        "briefings/a.md:8: image 'maps/front.svg' is refused: line 3 of the SVG has a <script> element, which would "
        "run on this site (or load from elsewhere) when a reader opens the image; remove it, or publish a PNG instead"
    ]
    (root / "briefings/maps/front.svg").write_text(HARMLESS_SVG, encoding="utf-8")  # cleaned: now it builds
    build_site(root, output=tmp_path / "site", search=False)
    published = sorted(p.name for p in (tmp_path / "site").rglob("*.svg") if p.parent.name == "maps")
    assert published == ["front.svg", "plain.svg"]
