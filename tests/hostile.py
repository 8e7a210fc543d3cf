"""Test helpers for hostile input: what a browser or feed reader would run or follow in an output.

Outputs are parsed (lxml), never grepped: an escaped `&lt;script&gt;` is text,
and a `javascript:` address hidden behind entities, tabs or capitals is
found as a browser would read it.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import lxml.etree
import lxml.html

SAFE_SCHEMES = frozenset({"", "http", "https", "mailto"})
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "poster", "data", "background", "cite", "ping", "manifest", "srcset"}
)
ACTIVE_ELEMENTS = frozenset({"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "form"})
ATOM = "{http://www.w3.org/2005/Atom}"
_C0_OR_SPACE = "".join(chr(c) for c in range(0x21))


SCRIPT_SCHEMES = [
    "javascript:", "JAVASCRIPT:", "JaVaScRiPt:", "java\tscript:", "java\nscript:", "jav&#x09;ascript:",
    "jav&#10;ascript:", "&#106;avascript:", "&#x6A;avascript:", "javascript&colon;", "javascript&#58;",
    "vbscript:", "VBScript:", "data:text/html,", "data:text/html;base64,", "DATA:image/svg+xml,", "file:",
]  # fmt: skip
"""Schemes that run script, or read files, disguised as a browser still reads them."""
OTHER_SCHEMES = [
    "ftp://f.example/", "FTP://f.example/", "tel:+1", "ms-msdt:/id", "search-ms:query=a", "intent://a#Intent;end",
    "data:image/png;base64,iVBORw0KGgo=", "DATA:image/gif;base64,R0lGOD=", "blob:https://a.example/1",
    "ms-settings:", "sms:+1", "itms-services://?action=download", "x-unknown:thing",
]  # fmt: skip
"""Schemes outside the allow-list that markdown-it itself lets through: only briefgen's own list refuses them."""


def scheme_of(address: str) -> str:
    """The scheme a browser sees in an attribute value (WHATWG URL parsing), '' for a relative address."""
    cleaned = re.sub(r"[\t\n\r]", "", address).strip(_C0_OR_SPACE)
    match = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", cleaned)
    return match.group(1).lower() if match else ""


def is_external(address: str) -> bool:
    cleaned = re.sub(r"[\t\n\r]", "", address).strip(_C0_OR_SPACE)
    return scheme_of(address) in {"http", "https"} or cleaned.startswith(("//", "/\\", "\\"))


def unsafe_in_html(html: bytes | str, *, where: str = "", asset_prefix: str = "/assets/") -> list[str]:
    """Everything in an HTML document or fragment that could run script or leave for an unsafe address."""
    if isinstance(html, bytes):
        html = html.decode("utf-8")
    if not html.strip():
        return []
    tree = lxml.html.fromstring(f"<div>{html}</div>") if not html.lstrip().startswith("<!") else None
    root = tree if tree is not None else lxml.html.document_fromstring(html)
    found: list[str] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag in ACTIVE_ELEMENTS and not _theme_script(element, asset_prefix):
            found.append(f"{where}: <{tag}> element")
        if tag == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
            found.append(f"{where}: <meta http-equiv=refresh>")
        for name, value in element.attrib.items():
            lowered = name.lower()
            if lowered.startswith("on"):
                found.append(f"{where}: <{tag} {name}=...> event handler")
            if lowered in URL_ATTRIBUTES or lowered.endswith(":href"):
                addresses = (
                    [part.strip().split(" ")[0] for part in value.split(",")] if lowered == "srcset" else [value]
                )
                found.extend(
                    f"{where}: <{tag} {name}={value!r}>" for a in addresses if scheme_of(a) not in SAFE_SCHEMES
                )
            if lowered == "style" and re.search(r"(?i)url\s*\(|expression\s*\(", value):
                found.append(f"{where}: <{tag} style={value!r}>")
    return found


def _theme_script(element: lxml.html.HtmlElement, asset_prefix: str) -> bool:
    # A theme may load its own script from its assets, or Pagefind's from the search bundle, and
    # have its header's search form, and the search page's own box, lead to its search page;
    # nothing from a briefing may.
    site = asset_prefix.removesuffix("assets/")
    if element.tag == "form":
        return element.get("class") in {"site-search", "search-form"} and element.get("action") == f"{site}search/"
    source = str(element.get("src", ""))
    return element.tag == "script" and source.startswith((asset_prefix, f"{site}pagefind/")) and not element.text


def external_links_without_noopener(html: bytes | str, *, where: str = "") -> list[str]:
    if isinstance(html, bytes):
        html = html.decode("utf-8")
    if not html.strip():
        return []
    root = lxml.html.fromstring(f"<div>{html}</div>") if not html.lstrip().startswith("<!") else None
    root = root if root is not None else lxml.html.document_fromstring(html)
    return [
        f"{where}: {a.get('href')}"
        for a in root.iter("a")
        if is_external(a.get("href", "")) and "noopener" not in (a.get("rel") or "").split()
    ]


def unsafe_in_feed(xml: bytes, *, where: str = "", asset_prefix: str = "/assets/") -> list[str]:
    """A feed must parse as XML, and the HTML it carries must be as safe as a page."""
    root = lxml.etree.fromstring(xml)  # raises on anything a feed reader would refuse
    found: list[str] = []
    for element in root.iter():
        for name, value in element.attrib.items():
            if (name in {"href", "src"} or name.endswith("}base")) and scheme_of(value) not in SAFE_SCHEMES:
                found.append(f"{where}: <{element.tag} {name}={value!r}>")
        if element.tag in {f"{ATOM}content", f"{ATOM}summary", f"{ATOM}title"} and element.get("type") == "html":
            found.extend(unsafe_in_html(element.text or "", where=f"{where} {element.tag}", asset_prefix=asset_prefix))
    return found


def unsafe_in_site(site: Path, *, asset_prefix: str = "/assets/") -> list[str]:
    """Every problem in every file of a built site; also fails on a feed or sitemap that is not XML."""
    found: list[str] = []
    for file in sorted(site.rglob("*")):
        if not file.is_file():
            continue
        where = file.relative_to(site).as_posix()
        if file.suffix == ".html":
            found += unsafe_in_html(file.read_bytes(), where=where, asset_prefix=asset_prefix)
            found += external_links_without_noopener(file.read_bytes(), where=where)
        elif file.suffix == ".xml":
            found += unsafe_in_feed(file.read_bytes(), where=where, asset_prefix=asset_prefix)
        elif file.suffix == ".json":
            found += unsafe_in_json(json.loads(file.read_text("utf-8")), where=where)  # must parse, too
    return found


def unsafe_in_json(value: object, *, where: str = "", key: str = "") -> list[str]:
    """JSON Feeds and indexes: HTML they carry is checked as a page is, and every address as a link."""
    if isinstance(value, dict):
        return [problem for k, v in value.items() for problem in unsafe_in_json(v, where=where, key=str(k))]
    if isinstance(value, list):
        return [problem for item in value for problem in unsafe_in_json(item, where=where, key=key)]
    if not isinstance(value, str):
        return []
    if key.endswith("_html"):
        return unsafe_in_html(value, where=f"{where} {key}") + external_links_without_noopener(value, where=where)
    if (key == "url" or key.endswith(("_url", "image", "icon"))) and scheme_of(value) not in SAFE_SCHEMES:
        return [f"{where}: {key}={value!r}"]
    return []


@dataclass(frozen=True)
class PublishedAddress:
    where: str
    element: str
    attribute: str
    value: str
    rel: str


def published_addresses(site: Path) -> list[PublishedAddress]:
    """Every href and src (and xlink:href) published anywhere in a built site, read with a real parser.

    Pages with lxml.html; feeds and the sitemap with lxml.etree, and the HTML an Atom entry carries
    as HTML again; JSON with json, every string in it that holds markup read as an HTML fragment;
    Pagefind's search records (gzip-compressed JSON) likewise.
    """
    found: list[PublishedAddress] = []
    for file in sorted(site.rglob("*")):
        if not file.is_file():
            continue
        where = file.relative_to(site).as_posix()
        if file.suffix == ".html":
            found += _addresses_in_html(file.read_text("utf-8"), where)
        elif file.suffix == ".xml":
            found += _addresses_in_xml(file.read_bytes(), where)
        elif file.suffix == ".json":
            found += _addresses_in_json(json.loads(file.read_text("utf-8")), where)
        elif file.suffix == ".pf_fragment":
            record = gzip.decompress(file.read_bytes()).removeprefix(b"pagefind_dcd")
            found += _addresses_in_json(json.loads(record), where)
    return found


def _addresses_in_html(html: str, where: str) -> list[PublishedAddress]:
    if not html.strip():
        return []
    if html.lstrip().startswith("<!"):
        root = lxml.html.document_fromstring(html)
    else:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    return _addresses_in_tree(root, where)


def _addresses_in_tree(root: lxml.etree._Element, where: str) -> list[PublishedAddress]:
    found: list[PublishedAddress] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            if local in {"href", "src"}:
                found.append(PublishedAddress(where, element.tag, name, value, element.get("rel") or ""))
    return found


def _addresses_in_xml(xml: bytes, where: str) -> list[PublishedAddress]:
    root = lxml.etree.fromstring(xml)
    found = _addresses_in_tree(root, where)
    for element in root.iter():
        if isinstance(element.tag, str) and element.get("type") == "html" and element.text:
            found += _addresses_in_html(element.text, f"{where} {element.tag}")
    return found


def _addresses_in_json(value: object, where: str, key: str = "") -> list[PublishedAddress]:
    if isinstance(value, dict):
        return [found for k, v in value.items() for found in _addresses_in_json(v, where, str(k))]
    if isinstance(value, list):
        return [found for item in value for found in _addresses_in_json(item, where, key)]
    if not isinstance(value, str):
        return []
    found = _addresses_in_html(value, f"{where} {key}") if "<" in value else []
    if key == "url" or key.endswith(("_url", "image", "icon")):
        found.append(PublishedAddress(where, "json", key, value, ""))
    return found


def texts(html: bytes, xpath: str) -> list[str]:
    """The text of the elements `xpath` selects, as a reader sees it."""
    return [element.text_content() for element in lxml.html.fromstring(html).xpath(xpath)]


def all_text(files: Iterable[Path]) -> str:
    return "\n".join(file.read_text("utf-8") for file in files)
