"""The one configured Markdown renderer: CommonMark, tables, strikethrough,
heading anchors, briefgen's citations, and linked bare addresses in notes.

A body is parsed once; the loader reads the citations and images found in the
parse, decides where images go, and then asks for the HTML. The Markdown stage
is three modules, and markdown_it is imported in them alone: this one (the
renderer, and what a parse found), markdown_rules.py (briefgen's rules in
markdown-it: citations, heading ids, bounded tables...) and markdown_checks.py
(what a body's Markdown publishes other than as its editor meant: warnings,
and other tools' footnotes).

Bare addresses become links in notes only (linkify-it with its fuzzy modes
off: `https://…`, `ftp://…`, `mailto:…` and `//…`, never a guessed
`example.com`). Most notes are a source's name and one address; those take a
fast path whose output is the same as markdown-it's (tests compare the two),
since linkify costs ~90 µs a note and an archive has hundreds of thousands.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import unquote

from markdown_it.token import Token

from briefgen.fast import markdown as fast_markdown
from briefgen.fast import switch as fastpaths
from briefgen.links import allowed_links_only
from briefgen.markdown_checks import BodyWarning, ForeignNote, body_warnings, foreign_notes
from briefgen.markdown_rules import TooManyCells, new_parser, table_cells_over_limit, walk


class CitationRef(NamedTuple):  # a tuple: a body has a hundred of them, and each is made in a regex callback
    number: int
    element_id: str
    line: int
    """0-based line within the body."""


@dataclass(frozen=True, slots=True)
class ImageRef:
    src: str
    alt: str
    line: int
    """0-based line within the body."""


@dataclass(frozen=True, slots=True)
class ParsedBody:
    """A parsed body: what the loader checks, and the tokens to render (or the HTML already made)."""

    tokens: Sequence[Token]
    citations: tuple[CitationRef, ...]
    images: tuple[ImageRef, ...]
    first_paragraph: str
    html: str | None = None
    """Set by the fast path, which has no tokens and no images to rewrite."""
    too_many_cells: TooManyCells | None = None
    """Set when the body's tables have more than MAX_TABLE_CELLS cells: the tables from there on were left out."""
    warnings: tuple[BodyWarning, ...] = ()
    """Found on the reference path; the fast path declines every body that could have one."""


class MarkdownRenderer:
    """Renders briefing bodies, takeaways and notes for one site's settings."""

    def __init__(self, *, allow_html: bool) -> None:
        self._body = new_parser(allow_html=allow_html, citations=True)
        # Takeaways and notes are inline text: `[1]` in them is literal, and
        # raw HTML is always escaped since they also go into feeds and titles.
        self._inline = new_parser(allow_html=False, citations=False)
        self._note = new_parser(allow_html=False, citations=False, linkify=True)
        self._fast = fast_markdown.FastBodies(self._first_paragraph_only) if fast_markdown.RUST_PORT else None
        # Block structure only: enough to find the first paragraph without parsing every inline.
        self._blocks = new_parser(allow_html=allow_html, citations=False)
        self._blocks.core.ruler.disable(["inline", "linkify", "replacements", "smartquotes", "text_join"])

    def parse_body(self, text: str, note_numbers: Collection[int] | None = None) -> ParsedBody:
        """Parse a body. With `note_numbers`, a body that cites only those notes may take the fast path."""
        if note_numbers is not None and self._fast is not None and fastpaths.enabled():
            fast = self._fast.parse(text, note_numbers)
            if fast is not None:
                return fast
        return self.parse_body_reference(text)

    def parse_body_reference(self, text: str) -> ParsedBody:
        """markdown-it-py's own parse: the reference that the fast path must match."""
        env: dict[str, object] = {}
        tokens = self._body.parse(text, env)
        citations: list[CitationRef] = []
        images: list[ImageRef] = []
        seen: dict[int, int] = {}
        for block in tokens:
            if block.type != "inline" or not block.children:
                continue
            lines = _LinesBefore(block.content, block.map[0] if block.map else 0)
            search_from = 0
            for child in walk(block.children):
                if child.type == "citation":
                    number = child.meta["number"]
                    seen[number] = seen.get(number, 0) + 1
                    child.meta["id"] = f"fnref:{number}:{seen[number]}"
                    citations.append(CitationRef(number, child.meta["id"], lines.line_at(child.meta["offset"])))
                elif child.type == "image":
                    offset, search_from = _image_span(block, child, search_from)
                    line = lines.line_at(max(offset, 0))
                    images.append(ImageRef(str(child.attrGet("src") or ""), child.content, line))
        warnings = body_warnings(env, tokens, cites=bool(citations), nesting_limit=self._body.options.maxNesting)
        return ParsedBody(
            tuple(tokens),
            tuple(citations),
            tuple(images),
            _first_paragraph(tokens),
            too_many_cells=table_cells_over_limit(env),
            warnings=warnings,
        )

    def foreign_notes(self, text: str) -> tuple[ForeignNote, ...]:
        """Every `[^label]` and `[^label]: text` outside code (markdown_checks.foreign_notes)."""
        return foreign_notes(text, self._blocks.parse)

    def _first_paragraph_only(self, text: str) -> str:
        """The first paragraph's plain text, parsing the inlines of that paragraph alone."""
        tokens = self._blocks.parse(text)
        for index, token in enumerate(tokens):
            if token.type == "paragraph_open":
                inline = self._body.parseInline(tokens[index + 1].content)[0]
                return plain_text(inline.children or [])
        return ""

    def render_body(self, parsed: ParsedBody, image_names: Mapping[str, str] | None = None) -> str:
        """HTML of a parsed body; `image_names` rewrites image addresses (as written -> as published).

        Every fragment this class returns, whichever path made it, leaves through the link allow-list.
        """
        if parsed.html is not None:
            return allowed_links_only(parsed.html)
        if image_names:
            for token in walk(parsed.tokens):
                if token.type == "image":
                    src = str(token.attrGet("src") or "")
                    if src in image_names:
                        token.attrSet("src", image_names[src])
        html: str = self._body.renderer.render(list(parsed.tokens), self._body.options, {})
        return allowed_links_only(html)

    def render_inline(self, text: str) -> str:
        """Inline Markdown (a takeaway) as HTML; plain words take a fast path."""
        if fastpaths.enabled() and fast_markdown.is_plain_inline(text):
            return allowed_links_only(fast_markdown.escape(text))
        return self.render_inline_reference(text)

    def render_inline_reference(self, text: str) -> str:
        """markdown-it's own rendering of inline text: what the fast path must match."""
        html: str = self._inline.renderInline(text)
        return allowed_links_only(html)

    def render_note(self, text: str) -> str:
        """A note's inline Markdown, with bare addresses made links."""
        return self.render_notes([text])[0]

    def render_notes(self, texts: Iterable[str]) -> list[str]:
        """Each note's inline Markdown, with bare addresses made links: a briefing's notes at once,
        the switch read once for them all (some 40 a briefing; reading the environment was a fifth
        of a note's time)."""
        fast = fastpaths.enabled()
        return [self._render_one_note(text, fast=fast) for text in texts]

    def _render_one_note(self, text: str, *, fast: bool) -> str:
        html = fast_markdown.plain_note_html(text) if fast else None
        if html is not None:
            return allowed_links_only(html)
        return self.render_note_reference(text)

    def render_note_reference(self, text: str) -> str:
        """markdown-it's own rendering of a note: what the fast path must match."""
        html: str = self._note.renderInline(text)
        return allowed_links_only(html)

    def inline_text(self, text: str) -> str:
        """Inline Markdown as plain text, for summaries, feeds and `<title>`."""
        if fastpaths.enabled() and fast_markdown.is_plain_inline(
            text
        ):  # one text token: the text itself, runs of spaces made one
            return " ".join(text.split())
        return self.inline_text_reference(text)

    def inline_text_reference(self, text: str) -> str:
        """markdown-it's own plain text of inline Markdown: what the fast path must match."""
        return plain_text(self._inline.parseInline(text)[0].children or [])


class _LinesBefore:
    """The line of an offset in a block's text, counted on from the offset asked before.

    Counting from the block's start for each of 50,000 citations in one paragraph
    took half a minute; offsets mostly come in order, so each is counted from the last.
    """

    def __init__(self, content: str, first_line: int) -> None:
        self._content = content
        self._offset = 0
        self._line = first_line
        self._first_line = first_line

    def line_at(self, offset: int) -> int:
        if offset < self._offset:  # out of order (an image's alt text is parsed on its own): count again
            self._offset, self._line = 0, self._first_line
        self._line += self._content.count("\n", self._offset, offset)
        self._offset = offset
        return self._line


def _image_span(block: Token, image: Token, search_from: int) -> tuple[int, int]:
    # Inline tokens carry no position of their own: find where the image is in the block's
    # text, after the previous image, to count the lines before it. The earliest of: its
    # address after '](' (the address alone may be named in the text before it, "the map
    # (map.png) shows"), as written or as markdown-it percent-encoded it ('карта.png',
    # '<my map.png>'), from its '!['; and its alt text in '![...]' ('![map][ref]', or an
    # address written with escapes). Else the next '!['. (-1, search_from) when none is found.
    content = block.content
    src = str(image.attrGet("src") or "")
    found: list[tuple[int, int]] = []
    for written in dict.fromkeys((src, unquote(src))):
        address = re.compile(r"\]\(\s*<?" + re.escape(written)).search(content, search_from) if written else None
        if address is not None:
            opener = content.rfind("![", search_from, address.start())
            found.append((opener if opener >= 0 else address.start(), address.end()))
    by_alt = content.find(f"![{image.content}]", search_from)
    if by_alt >= 0:
        found.append((by_alt, by_alt + len(image.content) + 3))
    if found:
        return min(found)
    opener = content.find("![", search_from)
    return (opener, opener + 2) if opener >= 0 else (-1, search_from)


def _first_paragraph(tokens: Sequence[Token]) -> str:
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and index + 1 < len(tokens):
            return plain_text(tokens[index + 1].children or [])
    return ""


def plain_text(tokens: Sequence[Token]) -> str:
    parts: list[str] = []
    for token in walk(tokens):
        if token.type in {"text", "code_inline"}:
            parts.append(token.content)
        elif token.type in {"softbreak", "hardbreak"}:
            parts.append(" ")
    return re.sub(r"\s+", " ", "".join(parts)).strip()
