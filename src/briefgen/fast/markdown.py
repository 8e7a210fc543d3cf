"""The fast paths of markdown.py: shortcuts that promise markdown-it-py's own output.

Bodies made only of constructs that markdown-it-pyrs (the Rust port) renders
as markdown-it-py does go through the port, with briefgen's citations, heading
ids and rel="noopener" added in Python; notes that are plain text with
addresses are linked directly, and takeaways and summaries in plain words are
escaped directly. markdown.py, the reference, takes each of these only while
the switch (fast/switch.py) is on, and tests/test_markdown_differential.py,
tests/test_body_fast_path.py and tests/test_note_fast_path.py hold them to it.

The reference's own types are used through the module (`reference.X`), read
when a body is parsed: markdown.py imports this module as it loads. Its rules
(the table limit, heading ids, cell alignment) are markdown_rules.py's.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable, Collection

from briefgen import markdown as reference
from briefgen import markdown_rules as rules
from briefgen.fast import bodygate

try:  # the Rust port renders about ten times faster; briefgen works without it
    import markdown_it_pyrs
except ImportError:  # pragma: no cover - a platform with no wheel for it
    markdown_it_pyrs = None  # type: ignore[assignment]

RUST_PORT = markdown_it_pyrs is not None
"""Whether the body fast path can run: without the port, every body takes the reference path."""


# A note in plain words and punctuation that no inline rule reacts to, with
# addresses made only of unreserved URL characters, each after a space (or
# at the start) and ending in a letter, digit or '/'. For such text
# markdown-it's output is known exactly: the words escaped, each address a link.
_REACTED_TO = r"\\`*_\[\]<>&!~|{}$^=@#:/\x00-\x1f\x7f"
"""Characters some inline rule reacts to, or that need care (':' and '/' start addresses), as a class's body."""
_PLAIN_WORDS = rf"(?:[^\s{_REACTED_TO}]|:(?=\s)|(?<=\S)/(?=[^/])|[ ])*"
_ADDRESS = (
    r"https?://(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?:/[A-Za-z0-9._~/-]*[A-Za-z0-9/])?"
)
_PLAIN_NOTE = re.compile(rf"(?:{_PLAIN_WORDS}(?:(?<=\s){_ADDRESS}|^{_ADDRESS})(?=\s|$))*{_PLAIN_WORDS}")
_ADDRESS_IN_NOTE = re.compile(rf"(?:(?<=\s)|^){_ADDRESS}(?=\s|$)")


_PLAIN_INLINE = re.compile(_PLAIN_WORDS)

# What `\s` matches in a str pattern besides the space (the characters for which
# str.isspace() is true), spelt out so that one character class can refuse them
# all and still take the space; tests/test_note_fast_path.py checks the list.
WHITE_SPACE_BUT_SPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# The commonest note of all, a source's name and one address ("ISW, June 26, 2025, https://…"):
# plain words with no ':' or '/', a space, and the address ending the note. Its HTML is what
# plain_note_html makes of it, found with one match instead of a scan for every address.
_SOURCE_AND_ADDRESS = re.compile(rf"([^\s{_REACTED_TO}][^{WHITE_SPACE_BUT_SPACE}{_REACTED_TO}]*) ({_ADDRESS})")


# Words and spaces with no character any rule reacts to, not even ':' or '/': a note without an
# address, a takeaway in plain words. One character class, which the engine runs through in a tight
# loop, where _PLAIN_WORDS tries its alternatives at each character (a note: 11 us -> 1 us).
# Whatever it matches, _PLAIN_WORDS matches too.
_WORDS_AND_SPACES = re.compile(rf"[^{_REACTED_TO}{WHITE_SPACE_BUT_SPACE}]*")


def is_plain_inline(text: str) -> bool:
    """Whether inline text is words and punctuation that no inline rule reacts to (its HTML: itself, escaped)."""
    plain = _WORDS_AND_SPACES.fullmatch(text) is not None or _PLAIN_INLINE.fullmatch(text) is not None
    return plain and text == text.strip()


def plain_note_html(text: str) -> str | None:
    """The HTML of a plain note, or None when it needs the full parser."""
    if "xn--" in text.lower():
        return None  # markdown-it shows a punycode host as Unicode ('https://müller.de'): left to it
    common = _SOURCE_AND_ADDRESS.fullmatch(text)
    if common is not None:
        address = common.group(2)
        return f'{escape(common.group(1))} <a href="{address}" rel="noopener">{address}</a>'
    if _WORDS_AND_SPACES.fullmatch(text) is not None:  # no address either: the words, escaped
        return escape(text) if text == text.strip() else None
    if not _PLAIN_NOTE.fullmatch(text) or text != text.strip():
        return None
    parts: list[str] = []
    position = 0
    for match in _ADDRESS_IN_NOTE.finditer(text):
        address = match.group(0)
        parts.append(escape(text[position : match.start()]))
        parts.append(f'<a href="{address}" rel="noopener">{address}</a>')
        position = match.end()
    parts.append(escape(text[position:]))
    return "".join(parts)


def escape(text: str) -> str:
    # markdown-it escapes exactly these four, and not the apostrophe.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


# The fast path for bodies. markdown-it-pyrs (the Rust port of markdown-it)
# renders CommonMark with tables and strikethrough much as markdown-it-py
# does, but runs no Python rules. So it is used only for bodies whose every
# construct both render alike, and briefgen's own parts (citations, heading
# ids, rel="noopener") are added to its HTML the way the Python rules would.
# Anything else takes the reference path: the gate declines what it cannot
# show to render alike, rather than imitate the difference.
# tests/test_markdown_differential.py compares the two paths on the CommonMark
# spec, markdown-it's fixtures and generated Markdown, and keeps each input the two
# were seen to disagree on (issue 15) as a regression test.
_HTML_TAG = re.compile(r"<[^>]*>")
_PRE = re.compile(r"<pre>.*?</pre>", re.DOTALL)
_HEADING = re.compile(r"<h([2-4])>(.*?)</h\1>", re.DOTALL)  # a setext heading's text can span lines
_EXTERNAL_LINK = re.compile(r'<a href="(https?:[^"]*)">')
_CITATION_TEXT = re.compile(r"\[([0-9]{1,6})\](?!\()")
_CITATION_HTML = re.compile(r'<sup class="citation">.*?</sup>')
_EMPTY_BLOCKQUOTE = "<blockquote>\n</blockquote>"


class FastBodies:
    """Bodies rendered by markdown-it-pyrs, finished in Python to match the reference path."""

    def __init__(self, first_paragraph_of: Callable[[str], str]) -> None:
        assert markdown_it_pyrs is not None
        self._md = markdown_it_pyrs.MarkdownIt("commonmark").enable_many(["table", "strikethrough"])
        self._first_paragraph_of = first_paragraph_of

    def parse(self, text: str, note_numbers: Collection[int]) -> reference.ParsedBody | None:
        if bodygate.declines(text):
            return None
        html: str = self._md.render(text)
        # '>' alone: markdown-it-py writes no line break inside it, markdown-it-pyrs does.
        if _EMPTY_BLOCKQUOTE in html or not _links_only_as_written(text, html):
            return None
        heading_html = with_heading_ids(html)
        if heading_html is None:
            return None
        html = heading_html
        html, citations = _with_citations(html)
        if any(citation.number not in note_numbers for citation in citations):
            return None  # the reference path finds the line of each one to report
        html = _EXTERNAL_LINK.sub(r'<a href="\1" rel="noopener">', html)
        html = rules.ALIGNED_CELL.sub(r'<\1 class="align-\2">', html)  # as rules._cell_alignment_as_class does
        # The first paragraph, as markdown-it finds it, is the first <p> in the HTML, unless a
        # tight list comes before it: its items' paragraphs are written without <p>.
        start = html.find("<p>")
        if start >= 0 and "<li" not in html[:start]:
            first = html[start + 3 : html.index("</p>", start)]
            first_text = " ".join(html_lib.unescape(_HTML_TAG.sub("", _CITATION_HTML.sub("", first))).split())
        else:
            first_text = self._first_paragraph_of(text)
        return reference.ParsedBody((), tuple(citations), (), first_text, html=html)


def _links_only_as_written(text: str, html: str) -> bool:
    """Whether markdown-it-pyrs made links of the text's plain `[text](https://...)` links and of nothing else.

    A link reference definition (one the gate above does not see: in a quote, in a list item, its
    label over two lines) would make a link without briefgen's rules, of a citation too: `[1]` with
    `> [1]: https://evil.example/`. Every plain link takes one '[' of the text and makes one '<a ';
    a definition takes at least one more '[', its label, and each use of it one more again. Nothing
    else the gate lets by writes a '<a ' or a '[' the text lacks (it refuses '<', '&', '\\', '`' and
    '!['), and what else takes a '[' (a fence's info string) only makes the counts differ. So both
    come out as written only when no definition took effect; otherwise the body takes the reference path.
    """
    links = text.count("](")
    return html.count("<a ") == links and text.count("[") - html.count("[") == links


def with_heading_ids(html: str) -> str | None:
    """The HTML with each h2-h4 given the id the anchors plugin gives it; None for a heading over
    two lines, whose plugin id leaves the line break out (`a\nb` -> 'ab') where its text keeps it."""
    ids = rules.HeadingIds()
    over_two_lines = False

    def add_id(match: re.Match[str]) -> str:
        nonlocal over_two_lines
        over_two_lines = over_two_lines or "\n" in match.group(2)
        title = html_lib.unescape(_HTML_TAG.sub("", _CITATION_TEXT.sub("", match.group(2))))
        slug = ids.unique(title)
        return f'<h{match.group(1)} id="{html_lib.escape(slug)}">{match.group(2)}</h{match.group(1)}>'

    with_ids = _HEADING.sub(add_id, html)
    return None if over_two_lines else with_ids


def _with_citations(html: str) -> tuple[str, list[reference.CitationRef]]:
    citations: list[reference.CitationRef] = []
    seen: dict[int, int] = {}

    def cite(match: re.Match[str]) -> str:
        number = int(match.group(1))
        seen[number] = seen.get(number, 0) + 1
        element_id = f"fnref:{number}:{seen[number]}"
        citations.append(reference.CitationRef(number, element_id, 0))
        return (
            f'<sup class="citation"><a href="#fn:{number}" id="{element_id}" '
            f'role="doc-noteref" aria-label="Note {number}">{number}</a></sup>'
        )

    parts: list[str] = []
    position = 0
    for pre in _PRE.finditer(html):  # code blocks keep their brackets
        parts.append(_cite_in_text(html[position : pre.start()], cite))
        parts.append(pre.group(0))
        position = pre.end()
    parts.append(_cite_in_text(html[position:], cite))
    return "".join(parts), citations


def _cite_in_text(html: str, cite: Callable[[re.Match[str]], str]) -> str:
    # On the fast path no tag or attribute can hold '[n]' (link addresses allow no brackets,
    # heading ids are slugs), so the whole text is searched at once instead of piece by piece.
    if "[" not in html:
        return html
    return _CITATION_TEXT.sub(cite, html)
