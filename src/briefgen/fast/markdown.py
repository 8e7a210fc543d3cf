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


def is_plain_inline(text: str) -> bool:
    """Whether inline text is words and punctuation that no inline rule reacts to (its HTML: itself, escaped)."""
    return _PLAIN_INLINE.fullmatch(text) is not None and text == text.strip()


def plain_note_html(text: str) -> str | None:
    """The HTML of a plain note, or None when it needs the full parser."""
    if "xn--" in text.lower():
        return None  # markdown-it shows a punycode host as Unicode ('https://müller.de'): left to it
    common = _SOURCE_AND_ADDRESS.fullmatch(text)
    if common is not None:
        address = common.group(2)
        return f'{escape(common.group(1))} <a href="{address}" rel="noopener">{address}</a>'
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
_FAST_BLOCKING_CHARACTERS = ("\\", "`", "~~~", "<", "&", "\t", "\x00", "\r", "![")
"""Code (fenced with '`' or '~'), raw HTML, entities, escapes, tabs, images: the reference path's alone."""
_LINK_DEFINITION = "]:"
"""Any link reference definition, wherever it is: at a line's start, inside `>` or a list item, or
after a label over two lines. markdown-it-pyrs would resolve it without briefgen's link filter and
turn a citation into a link. A definition's label ends with ']' right before ':', so every one holds
this, and so do a few sentences ("[sic]: ..."), which the reference path renders just as well."""
_EMPHASIS_BETWEEN_TEXT = re.compile(r"(?<=[^\s*_])[*_]+(?=[^\s*_])")
"""Emphasis marks with text or punctuation on both sides (`x**y*z*`): the two ports disagree on
CommonMark's delimiter rules there. With white space on one side at least, they agree."""
_ODD_SPACES = tuple(
    "\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""White space other than the space and the line break (NBSP, U+2000-200A, U+3000, U+2028, U+0085...):
Rust's and Python's ideas of it differ from CommonMark's and from each other, at a block's edges (a
table row or a paragraph ending in NBSP) and beside emphasis marks (`a\u2028**b*`). The first six are
ASCII: an ASCII body, the commonest, needs only those looked for."""
_ODD_ASCII_SPACES = _ODD_SPACES[:6]
_ODD_SPACE = re.compile(f"[{''.join(_ODD_SPACES)}]")
_WORD_SPACES = frozenset(["\xa0", "\u1680", *map(chr, range(0x2000, 0x200B)), "\u202f", "\u205f", "\u3000"])
"""The spaces (Unicode's Zs) let through between words: 'inflection.\xa0Reuters', '10\u202fkm'."""
_AFTER_SENTENCE = frozenset(".,;!?")


def _odd_space_between_words(text: str, at: int) -> bool:
    """Whether the odd space at `at` is a Zs space between a word (or a word and its full stop,
    comma...) and the next word: no block or inline rule looks at it there."""
    if text[at] not in _WORD_SPACES or at == 0 or at + 1 == len(text) or not text[at + 1].isalnum():
        return False
    before = text[at - 1]
    if before in _AFTER_SENTENCE:  # 'end.\xa0Next' or 'note[3].\xa0Next', but not '1.\xa0item', a list marker
        return at >= 2 and _ends_word(text[at - 2])
    return _ends_word(before)


def _ends_word(character: str) -> bool:
    # A letter or digit, a citation's ']', or a character outside ASCII that is no space
    # (a closing quote '”', '»'): no Markdown rule is decided by what follows it.
    return character.isalnum() or character == "]" or not (character.isascii() or character.isspace())


def _has_odd_space(text: str) -> bool:
    """Whether an odd space stands where the two ports might read it differently."""
    if not any(space in text for space in (_ODD_ASCII_SPACES if text.isascii() else _ODD_SPACES)):
        return False  # one substring test a character: faster than a character class over the whole text
    return any(not _odd_space_between_words(text, match.start()) for match in _ODD_SPACE.finditer(text))


_BARE_LIST_MARKER = re.compile(r"\n[ >]*(?:[*+-]|[0-9]{1,9}[.)]) *\n")  # in "\n" + text + "\n": see _LONG_OPENING_RUN
"""A line that is only a list marker (`-`, `> -`, `1.`): markdown-it-py lets an empty item end a
table or interrupt a paragraph inside `>`, markdown-it-pyrs does not (`|a|\n|-|\n-`, `> a\n-`)."""
_DELIMITER_ROW = re.compile(r"\n([ >]*)[ |:-]*-[ |:-]*(?=\n)")  # in "\n" + text + "\n"


def _table_may_differ(text: str) -> bool:
    """Whether a table's delimiter row (`|---|`, `:--`) stands where the two ports disagree: under a
    line with no '|' (`a\n:--`, `- a\n  |-|`: a one-column table for markdown-it-pyrs, a paragraph
    for markdown-it-py), or under a line at another depth of '>' (`> a|b\n|-|-|`), or with no '|'."""
    if "-" not in text or ("|" not in text and ":" not in text):
        return False
    padded = f"\n{text}\n"
    for row in _DELIMITER_ROW.finditer(padded):
        cells = row.group()
        if "|" not in cells and ":" not in cells:
            continue  # '---': a rule or a heading's underline, which both ports read alike
        start = row.start()
        above = padded[padded.rfind("\n", 0, start) + 1 : start]
        depth_above = above[: len(above) - len(above.lstrip(" >"))].count(">")
        if "|" not in cells or "|" not in above or depth_above != row.group(1).count(">"):
            return True
        above_ends = start - len(above) - 1  # the "\n" before the header line
        before = padded[padded.rfind("\n", 0, above_ends) + 1 : above_ends]
        if before.strip() and _quote_depth(before) != _quote_depth(above):
            return True  # the header may be a lazy line of a paragraph quoted deeper ('> - > a\n> |b|\n> |-|')
    return False


_CONTAINERS = re.compile(r"(?:[ >]|[*+-] |[0-9]{1,9}[.)] )*")
"""The quote marks and list markers that open a line."""


def _quote_depth(line: str) -> int:
    """How many '>' open the line, list markers between them included ('> - > a': 2)."""
    match = _CONTAINERS.match(line)
    return match.group().count(">") if match else 0


# A line that could be a table's delimiter row ('|---|:-:|'), inside quotes and list items too.
# Searched in "\n" + text + "\n": the literal "\n" lets the search skip from line to line at C speed.
_POSSIBLE_DELIMITER_ROW = re.compile(r"\n[ \t>]*[-:|][-:| \t]*(?=\n)")


def tables_may_be_too_large(text: str) -> bool:
    # markdown-it-pyrs has no limit on a table's cells: a body whose tables could have
    # more than rules.MAX_TABLE_CELLS takes the reference path, where rules._bounded_table counts
    # them exactly. A table has at most as many columns as its delimiter row has '|'
    # plus one, and at most one row a line: this bound is far above any real report's.
    if "|" not in text:
        return False
    rows = _POSSIBLE_DELIMITER_ROW.finditer(f"\n{text}\n")
    columns = max((row.group().count("|") + 1 for row in rows), default=0)
    return columns * (text.count("\n") + 1) > rules.MAX_TABLE_CELLS


def _fast_path_blocked(text: str) -> bool:
    # Plain substring tests first: they run at C speed over a 30 KB body,
    # where one combined regular expression cost a millisecond a briefing.
    if any(part in text for part in _FAST_BLOCKING_CHARACTERS) or _LINK_DEFINITION in text:
        return True
    if ("*" in text or "_" in text) and _EMPHASIS_BETWEEN_TEXT.search(text) is not None:
        return True
    if _has_odd_space(text):
        return True
    if _BARE_LIST_MARKER.search(f"\n{text}\n") is not None:
        return True
    return _table_may_differ(text)


_PLAIN_LINK = re.compile(r"\[[^\[\]\n]*\]\(https?://[A-Za-z0-9._~/?#=+-]*\)")
_HTML_TAG = re.compile(r"<[^>]*>")
_PRE = re.compile(r"<pre>.*?</pre>", re.DOTALL)
_HEADING = re.compile(r"<h([2-4])>(.*?)</h\1>", re.DOTALL)  # a setext heading's text can span lines
_EXTERNAL_LINK = re.compile(r'<a href="(https?:[^"]*)">')
_CITATION_TEXT = re.compile(r"\[([0-9]{1,6})\](?!\()")
_CITATION_HTML = re.compile(r'<sup class="citation">.*?</sup>')
_EMPTY_BLOCKQUOTE = "<blockquote>\n</blockquote>"


# markdown-it-py stops parsing blocks 20 levels deep and drops the rest of the text there;
# markdown-it-pyrs keeps it. A container is opened by a line's opening run: '>' (and the space
# after it) one level, a list marker (and up to four spaces) two, the list and its item, and
# nesting by indentation at most a level a space. A line whose run adds up to fewer than
# _MAX_LEVELS levels stays below markdown-it-py's limit.
_MAX_LEVELS = 18
# Searched in "\n" + text: the literal "\n" first lets the search skip from line to line at C speed.
# A line's opening run of N levels has N such pieces at least ('> ' is two pieces for one level,
# '- ' two for two): only the lines it finds have their levels counted (_opening_levels).
_LONG_OPENING_RUN = re.compile(r"\n((?:[ >]|[*+-](?= )|[0-9]{1,9}[.)](?= )){" + str(_MAX_LEVELS) + r"}[ >*+.)0-9-]*)")
_OPENING_PIECE = re.compile(r">[ ]?|(?:[*+-]|[0-9]{1,9}[.)])[ ]{1,4}|[ ]")
_MAX_EMPHASIS_MARKS = 4000


def _opening_levels(run: str) -> int:
    """The most levels of nesting a line's opening run can open (see _MAX_LEVELS)."""
    levels = 0
    for piece in _OPENING_PIECE.finditer(run):
        levels += 1 if piece.group() in {">", "> ", " "} else 2
    return levels


def _may_nest_deeply(text: str) -> bool:
    # Beyond the 20 levels, markdown-it-pyrs recurses once per level with no limit of its own:
    # some tens of thousands of '> ' or '- ' opening one line, or of '*a ' before their closing
    # 'a*', overflow the stack and crash the whole process. Block nesting needs a long run of
    # markers or of indentation before a line's text (tabs already decline); inline nesting
    # needs many emphasis marks.
    marks = text.count("*") + text.count("_") + text.count("~")
    if marks > _MAX_EMPHASIS_MARKS:
        return True
    return any(_opening_levels(run.group(1)) >= _MAX_LEVELS for run in _LONG_OPENING_RUN.finditer("\n" + text))


class FastBodies:
    """Bodies rendered by markdown-it-pyrs, finished in Python to match the reference path."""

    def __init__(self, first_paragraph_of: Callable[[str], str]) -> None:
        assert markdown_it_pyrs is not None
        self._md = markdown_it_pyrs.MarkdownIt("commonmark").enable_many(["table", "strikethrough"])
        self._first_paragraph_of = first_paragraph_of

    def parse(self, text: str, note_numbers: Collection[int]) -> reference.ParsedBody | None:
        if _fast_path_blocked(text) or text.count("](") != len(_PLAIN_LINK.findall(text)):
            return None
        if _may_nest_deeply(text):
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
