"""Which bodies the fast path for bodies (fast/markdown.py) may take: the gate before markdown-it-pyrs.

markdown-it-pyrs, the Rust port, renders CommonMark with tables and strikethrough
much as markdown-it-py does, but not in every case: emphasis between words, odd
white space, a bare list marker, some tables, deep nesting, link definitions,
tables too large.
`declines` says no to every body holding one of these, from the text alone,
before the port renders it; what only the HTML can show is checked after
(fast/markdown.py). Each test is as cheap as it can be made: they run over every
body of every build.
"""

from __future__ import annotations

import re

from briefgen import markdown_rules as rules

_FAST_BLOCKING_CHARACTERS = ("\\", "`", "~~~", "<", "&", "\t", "\x00", "\r", "![")
"""Code (fenced with '`' or '~'), raw HTML, entities, escapes, tabs, images: the reference path's alone."""
_LINK_DEFINITION = "]:"
"""Any link reference definition, wherever it is: at a line's start, inside `>` or a list item, or
after a label over two lines. markdown-it-pyrs would resolve it without briefgen's link filter and
turn a citation into a link. A definition's label ends with ']' right before ':', so every one holds
this, and so do a few sentences ("[sic]: ..."), which the reference path renders just as well."""
_EMPHASIS_BETWEEN_TEXT = re.compile(r"(?<=[^\s*_])[*_]+(?=[^\s*_])")
"""Emphasis marks with text or punctuation on both sides (`x**y*z*`): the two ports disagree on
CommonMark's delimiter rules there. With white space on one side at least, they agree.
Searched for by _emphasis_between_text, which this defines."""
_EMPHASIS_MARKS = "*_"
_FEW_MARKS = 2000
"""Up to this many marks, _emphasis_between_text looks at each run of them in Python; beyond, the regex."""


def _emphasis_between_text(text: str) -> bool:
    """Whether `_EMPHASIS_BETWEEN_TEXT` is found in the text (tests/test_body_fast_path.py holds the two equal).

    The regular expression tries its look-behind at every one of a body's some 16,000 positions:
    0.19 ms a body, more than the Rust port takes to render it. A body has a few marks at most,
    found with str.find at C speed; each maximal run of them is looked at on both sides, which is
    what the expression asks (a shorter run inside has a mark beside it). Many marks: the regex."""
    if text.count("*") + text.count("_") > _FEW_MARKS:
        return _EMPHASIS_BETWEEN_TEXT.search(text) is not None
    end_of_text = len(text)
    for mark in _EMPHASIS_MARKS:
        at = text.find(mark)
        while at >= 0:
            start, end = at, at + 1
            while start > 0 and text[start - 1] in _EMPHASIS_MARKS:
                start -= 1
            while end < end_of_text and text[end] in _EMPHASIS_MARKS:
                end += 1
            if start > 0 and end < end_of_text and not text[start - 1].isspace() and not text[end].isspace():
                return True
            at = text.find(mark, end)
    return False


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


_PLAIN_LINK = re.compile(r"\[[^\[\]\n]*\]\(https?://[A-Za-z0-9._~/?#=+-]*\)")


def declines(text: str) -> bool:
    """Whether the body holds anything the two ports may render differently, links other than plain ones,
    or tables that may be over the limit on cells (markdown-it-pyrs has none)."""
    if tables_may_be_too_large(text) or _blocked(text):
        return True
    return text.count("](") != len(_PLAIN_LINK.findall(text)) or _may_nest_deeply(text)


def _blocked(text: str) -> bool:
    # Plain substring tests first: they run at C speed over a 30 KB body,
    # where one combined regular expression cost a millisecond a briefing.
    if any(part in text for part in _FAST_BLOCKING_CHARACTERS) or _LINK_DEFINITION in text:
        return True
    if _emphasis_between_text(text):
        return True
    if _has_odd_space(text):
        return True
    if _BARE_LIST_MARKER.search(f"\n{text}\n") is not None:
        return True
    return _table_may_differ(text)


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
