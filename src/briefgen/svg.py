"""SVG images looked at before they are published: one that could run script is refused.

An SVG is a document, not a picture: opened on its own (a reader following
the image's address), it runs its scripts and handlers on the site's origin,
and loads what it refers to. Inside <img> a browser runs none of it, but the
file is published at an address anyone can open. So an SVG beside a briefing
is parsed (with defusedxml: no entity is expanded, nothing is fetched) and
refused, naming its first hazard and the line of the SVG it is on, when it has:

- a <script>, <foreignObject> (HTML inside the SVG), <iframe>, <embed>,
  <object>, <handler> or <listener> element, or any element of HTML's namespace;
- an event handler attribute (onload=, onclick=, ...);
- a reference that is not to a part of itself ('#id') or an embedded raster
  image ('data:image/png;...'), in an href, a url(...) or a <style>: that takes
  in javascript: addresses and every file or site outside it;
- an animation (<set>, <animate>) that changes an href or a handler;
- a processing instruction (an xml-stylesheet can bring in XSLT), or entity
  declarations (the billion-laughs kind).

A file that is not an SVG at all (not well-formed XML, or a top element other
than <svg>) is refused too, as no image: a file named .svg is published only
when it is one.

Refusing rather than cleaning: a file changed silently on its way to the site
is worse than a message saying what to remove. This is the only module that
imports defusedxml.
"""

from __future__ import annotations

import io
import re
import xml.sax
import xml.sax.handler
import xml.sax.xmlreader
from dataclasses import dataclass
from typing import Any

XHTML = "http://www.w3.org/1999/xhtml"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
ACTIVE_ELEMENTS = frozenset({"script", "foreignobject", "iframe", "embed", "object", "handler", "listener"})
ANIMATIONS = frozenset({"set", "animate", "animatemotion", "animatetransform", "animatecolor"})
SAFE_REFERENCE = re.compile(r"\s*(?:#|data:image/(?:png|jpeg|gif|webp|avif|bmp)[;,])", re.IGNORECASE)
CSS_REFERENCE = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True, slots=True)
class SvgHazard:
    """What in an SVG could run or load from elsewhere, and where."""

    line: int
    """1-based line in the SVG file."""
    what: str
    """As a phrase: 'a <script> element'."""
    active: bool = True
    """False when the file is no SVG image at all, rather than one that could run or load."""

    def __str__(self) -> str:
        return f"line {self.line}: {self.what}"


class _FoundError(Exception):
    """Stops the parse at the first hazard."""

    def __init__(self, hazard: SvgHazard) -> None:
        super().__init__(str(hazard))
        self.hazard = hazard


def svg_hazard(data: bytes) -> SvgHazard | None:
    """The first hazard in the SVG file `data`, or None when it is a plain picture."""
    # Imported here, for the briefings that have an SVG: its SAX reader brings urllib.request,
    # http.client and ssl, 30 ms of every briefgen process's start.
    import defusedxml  # noqa: PLC0415
    from defusedxml.expatreader import DefusedExpatParser  # noqa: PLC0415

    handler = _Inspector()
    # Entity declarations forbidden; a DOCTYPE allowed (SVG 1.1 files name their DTD) but
    # nothing outside the file read: not the DTD, not an external entity.
    parser = DefusedExpatParser(forbid_dtd=False, forbid_entities=True, forbid_external=False)
    parser.setFeature(xml.sax.handler.feature_external_ges, False)
    parser.setFeature(xml.sax.handler.feature_namespaces, True)  # 'h:script' in HTML's namespace is a script too
    parser.setContentHandler(handler)
    try:
        parser.parse(io.BytesIO(data))
    except _FoundError as found:
        return found.hazard
    except defusedxml.EntitiesForbidden as exc:
        return SvgHazard(handler.line(), f"an entity declaration ({exc.name})")
    except defusedxml.DefusedXmlException as exc:  # not raised with these settings; refused all the same
        return SvgHazard(handler.line(), f"XML that defusedxml refuses ({exc})")
    except xml.sax.SAXParseException as exc:
        return SvgHazard(exc.getLineNumber() or 1, f"XML that is not well-formed ({exc.getMessage()})", active=False)
    return None


class _Inspector(xml.sax.handler.ContentHandler):
    """Stops the parse (_FoundError) at the first thing an SVG should not have."""

    def __init__(self) -> None:
        super().__init__()
        self._locator: xml.sax.xmlreader.Locator | None = None
        self._in_style = False
        self._seen_top = False

    def line(self) -> int:
        return (self._locator.getLineNumber() or 1) if self._locator is not None else 1

    def setDocumentLocator(self, locator: xml.sax.xmlreader.Locator) -> None:  # noqa: N802 - SAX's name
        self._locator = locator

    def startElementNS(  # noqa: N802 - SAX's name
        self, name: tuple[str | None, str], qname: str | None, attrs: Any
    ) -> None:
        namespace, local = name
        if not self._seen_top:
            self._seen_top = True
            if local != "svg" or namespace not in {SVG_NAMESPACE, None}:
                top = f"<{qname or local}> at its top, where an SVG has <svg>"
                raise _FoundError(SvgHazard(self.line(), top, active=False))
        if local.lower() in ACTIVE_ELEMENTS:
            self._refuse(f"a <{qname or local}> element")
        if namespace == XHTML:
            self._refuse(f"an element of HTML, <{qname or local}>")
        self._in_style = local.lower() == "style"
        for (_, attribute), value in attrs.items():
            self._check_attribute(attribute, str(value))
        if local.lower() in ANIMATIONS:
            target = str(attrs.get((None, "attributeName"), "")).strip().lower()
            if target.endswith("href") or target.startswith("on"):
                self._refuse(f"a <{qname or local}> that changes {target}")

    def endElementNS(self, name: tuple[str | None, str], qname: str | None) -> None:  # noqa: N802 - SAX's name
        self._in_style = False

    def characters(self, content: str) -> None:
        if self._in_style:
            self._check_css(content)

    def processingInstruction(self, target: str, data: str) -> None:  # noqa: N802 - SAX's name
        self._refuse(f"a processing instruction (<?{target} ...?>)")

    def _check_attribute(self, name: str, value: str) -> None:
        lowered = name.lower()
        if lowered.startswith("on"):
            self._refuse(f"an event handler ({name}=)")
        if lowered == "href" and not SAFE_REFERENCE.match(value):
            self._refuse(f"a reference to '{_shown(value)}'")
        self._check_css(value)

    def _check_css(self, text: str) -> None:
        if "url(" not in text.lower() and "@import" not in text.lower():
            return
        for match in CSS_REFERENCE.finditer(text):
            reference = match.group(2) if match.group(2) is not None else match.group(4)
            if not SAFE_REFERENCE.match(reference) or match.group(4) is not None:
                self._refuse(f"a reference to '{_shown(reference)}'")

    def _refuse(self, what: str) -> None:
        raise _FoundError(SvgHazard(self.line(), what))


def _shown(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= 60 else value[:57] + "..."
