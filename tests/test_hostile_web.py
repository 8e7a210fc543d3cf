"""Hostile input, second round, as a browser meets it: the Content-Security-Policy of every page,
a theme that needs nothing it forbids, and a search script that never writes HTML.

The browser itself checks the same in tests/e2e (every visit fails on a CSP violation or a dialog).
"""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest

from briefgen.build import build_site
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
