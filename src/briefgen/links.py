"""The link allow-list: which addresses briefgen publishes, and the filter every rendered fragment passes.

Only `http:`, `https:`, `mailto:` and relative addresses are published as a
link or an image; `//host` (protocol-relative) counts as relative, since it
can only lead to the page's own scheme, http(s). markdown-it asks
`is_allowed_address` before it makes a link. Whatever renderer made a
fragment (markdown-it-py, markdown-it-pyrs, the plain-text shortcuts), it is
published through `allowed_links_only`, which reads every `href` and `src`
again on the way out: a refused link loses its tag and keeps its text, a
refused image becomes its alt text, a scheme is written in lower case
(`HTTPS:` becomes `https:`), and every link to another site gets
`rel="noopener"`. So no fast path, present or future, can publish an
address the reference renderer would refuse.

This module knows HTML only as far as attributes go: it is a second line
behind the renderers, not a sanitizer for `allow_html: true` bodies (the
Content-Security-Policy is that line).
"""

from __future__ import annotations

import html as html_lib
import re

SAFE_SCHEMES = ("http:", "https:", "mailto:")
_EXTERNAL = ("http:", "https:", "//")
# What a browser ignores in an address (WHATWG URL): tabs and line breaks anywhere,
# and C0 controls and spaces at either end; Python's strip() also takes other white space.
_IGNORED_INSIDE = str.maketrans("", "", "\t\n\r")
_C0_OR_SPACE = "".join(chr(code) for code in range(0x21))
_FIRST_SEGMENT_END = re.compile(r"[/?#]")


def _as_a_browser_reads(address: str) -> str:
    return address.translate(_IGNORED_INSIDE).strip(_C0_OR_SPACE).strip()


def is_allowed_address(url: str) -> bool:
    """Whether an address (entities already decoded) may be published as a link or an image.

    Any ':' before the first '/', '?' or '#' is taken for a scheme, as browsers
    are more lenient than the URL standard in places: only the allowed ones pass.
    """
    cleaned = _as_a_browser_reads(url)
    end = _FIRST_SEGMENT_END.search(cleaned)
    head = cleaned[: end.start()] if end else cleaned
    return ":" not in head or head.lower().startswith(SAFE_SCHEMES)


def is_external_address(address: str) -> bool:
    """Whether a link leads to another site ('HTTPS://x', '//x' and '/\\x' included): it gets rel="noopener"."""
    return _as_a_browser_reads(address).replace("\\", "/").lower().startswith(_EXTERNAL)


# Every href or src that is not, to the byte, one of the forms the renderers
# write for allowed addresses: a fragment ('#fn:1'), mailto:, an http(s) link
# already carrying rel="noopener", an http(s) image, a plain relative path.
# One search of the whole fragment; only a fragment in which it finds something
# is read tag by tag, and a false alarm only costs that reading. It looks for
# '=' (which Python's re finds at C speed, and which text seldom holds) and
# looks back for the attribute's name: searching for the names themselves,
# in any case, cost twenty times as much. An '=' after white space is flagged
# whatever it follows, so 'HREF = ...' is read too. A value with a scheme is
# one in plain characters only, since white space (any: `\s` is Unicode's
# here), controls and entities in it would make the reading re-write it.
_PLAIN = r"[^\"\s&\x00-\x1f]*"
_SAFE_HREF = (
    rf'"#[^"]*"|"mailto:{_PLAIN}"|"https?://{_PLAIN}"(?: title="[^"]*")? rel="noopener"|"(?!//)[A-Za-z0-9_.~/%-]*"'
)
_SAFE_SRC = rf'"https?://{_PLAIN}"|"[A-Za-z0-9_.~/%-]*"'
_NEEDS_READING = re.compile(rf"=(?:(?<=\s=)|(?<=[hH][rR][eE][fF]=)(?!{_SAFE_HREF})|(?<=[sS][rR][cC]=)(?!{_SAFE_SRC}))")
# A start tag with an href or src attribute; quoted values may hold '>' and '<'. Outside
# quotes a '<' ends the attempt, so that raw HTML full of unclosed tags (allow_html) is
# read in linear time rather than each '<' scanning to the end.
_TAG_WITH_ADDRESS = re.compile(
    r"""<([A-Za-z][A-Za-z0-9:-]*)((?:[^<>"']|"[^"]*"|'[^']*')*?\s(?:href|src)\s*=(?:[^<>"']|"[^"]*"|'[^']*')*)>""",
    re.IGNORECASE,
)
_ATTRIBUTE = re.compile(r"""\s([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")
_A_END = re.compile(r"</a\s*>", re.IGNORECASE)


def allowed_links_only(fragment: str) -> str:
    """A rendered fragment with every href and src passed through the allow-list (see the module's docstring)."""
    if _NEEDS_READING.search(fragment) is None:
        return fragment
    return read_tag_by_tag(fragment)


def read_tag_by_tag(fragment: str) -> str:
    """What `allowed_links_only` makes of a fragment its quick look flags: every tag with an address read."""
    edits: list[tuple[int, int, str]] = []
    free_from = 0  # the '</a>' of links dropped so far all end before this
    for tag in _TAG_WITH_ADDRESS.finditer(fragment):
        replacement, link_dropped = _checked_tag(tag)
        if replacement != tag.group(0):
            edits.append((tag.start(), tag.end(), replacement))
        if link_dropped:  # its text stays; its '</a>' goes: the first after it that no dropped link took
            end = _A_END.search(fragment, max(tag.end(), free_from))
            free_from = len(fragment) if end is None else end.end()  # none now, none later either
            if end is not None:
                edits.append((end.start(), end.end(), ""))
    parts: list[str] = []
    position = 0
    for start, stop, replacement in sorted(edits):
        parts.append(fragment[position:start])
        parts.append(replacement)
        position = stop
    parts.append(fragment[position:])
    return "".join(parts)


def _checked_tag(tag: re.Match[str]) -> tuple[str, bool]:
    """The tag as published, and whether it was a link that lost its tag (its '</a>' must go too)."""
    name = tag.group(1).lower()
    attributes = [(m.group(1), m.group(2)) for m in _ATTRIBUTE.finditer(tag.group(2))]
    kept: list[tuple[str, str | None]] = []
    external = False
    for attribute, raw in attributes:
        if attribute.lower() not in {"href", "src"} or raw is None:
            kept.append((attribute, raw))
            continue
        address = html_lib.unescape(raw[1:-1] if raw[0] in "\"'" else raw)
        if not is_allowed_address(address):
            if name == "a":
                return "", True
            if name == "img":
                return _alt_text(attributes), False
            continue  # any other element loses the attribute
        external = external or (name == "a" and attribute.lower() == "href" and is_external_address(address))
        kept.append((attribute, _with_lower_case_scheme(raw, address)))
    if external:
        kept = _with_noopener(kept)
    if len(kept) == len(attributes) and all(new is old for (_, new), (_, old) in zip(kept, attributes, strict=True)):
        return tag.group(0), False
    written = "".join(f" {attribute}" if raw is None else f" {attribute}={raw}" for attribute, raw in kept)
    closing = " /" if tag.group(2).rstrip().endswith("/") else ""
    return f"<{tag.group(1)}{written}{closing}>", False


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def _with_lower_case_scheme(raw: str, address: str) -> str:
    """The attribute's written value, re-written only when its scheme has capitals or hidden characters."""
    cleaned = _as_a_browser_reads(address)
    scheme = _SCHEME.match(cleaned)
    if scheme is None or (scheme.group() == scheme.group().lower() and cleaned == address):
        return raw
    return '"' + _escape(scheme.group().lower() + cleaned[scheme.end() :]) + '"'


def _with_noopener(attributes: list[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    for index, (attribute, raw) in enumerate(attributes):
        if attribute.lower() == "rel":
            values = html_lib.unescape(raw[1:-1] if raw and raw[0] in "\"'" else raw or "").split()
            if "noopener" in (value.lower() for value in values):
                return attributes
            attributes = list(attributes)
            attributes[index] = (attribute, '"' + _escape(" ".join([*values, "noopener"])) + '"')
            return attributes
    return [*attributes, ("rel", '"noopener"')]


def _alt_text(attributes: list[tuple[str, str | None]]) -> str:
    for attribute, raw in attributes:
        if attribute.lower() == "alt" and raw is not None:
            return _escape(html_lib.unescape(raw[1:-1] if raw[0] in "\"'" else raw))
    return ""


def _escape(text: str) -> str:
    # As markdown-it escapes: these four, not the apostrophe.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
