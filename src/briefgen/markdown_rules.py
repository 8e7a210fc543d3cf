"""briefgen's rules in markdown-it, and the parsers they make (markdown.py's renderer holds them).

Citations: `[n]` in running text becomes a superscript link to note n.
They are an inline rule placed before CommonMark's link rule, so code spans
and backslash escapes (`\\[n]`), which earlier rules consume, are left alone.
`[n](address)` stays an ordinary link.

The other rules: h2-h4 get ids as mdit_py_plugins' anchors plugin gives them
(HeadingIds, in linear time), a table's alignment is a class rather than a
style, links to other sites get rel="noopener", tables stop at MAX_TABLE_CELLS
cells a body, and blocks nested past markdown-it's limit are noted. What a
parse noted is read back with `table_cells_over_limit` and `lines_nested_too_deep`.

markdown_it is imported in this module, markdown.py (the renderer) and
markdown_checks.py (what a body's Markdown says other than as meant): the
three modules of the Markdown stage, and no other.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from markdown_it import MarkdownIt
from markdown_it.common.utils import mdTrim
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block.state_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.anchors.index import slugify as heading_slug

from briefgen.links import is_allowed_address, is_external_address

# The module, not the function `markdown_it.rules_block` exports under the same name.
table_rule = importlib.import_module("markdown_it.rules_block.table")

CITATION = re.compile(r"\[([0-9]{1,6})\]")
MAX_TABLE_CELLS = 50_000
"""Cells in all the tables of one body: 50 columns by 1,000 rows. A real report's tables have a few
hundred; a few kilobytes of empty columns and rows ask for hundreds of millions, and gigabytes."""


class TooManyCells(NamedTuple):
    line: int
    """0-based line within the body of the table that took the count over MAX_TABLE_CELLS."""
    cells: int
    """Cells counted up to and including that table."""


def _citation_rule(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "[":
        return False
    match = CITATION.match(state.src, state.pos)
    if match is None or match.end() > state.posMax:
        return False
    if match.end() < state.posMax and state.src[match.end()] == "(":
        return False  # `[1](https://...)` is a link whose text happens to be a number
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"number": int(match.group(1)), "offset": state.pos}
    state.pos = match.end()
    return True


def _render_citation(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    meta = tokens[idx].meta
    number = meta["number"]
    return (
        f'<sup class="citation"><a href="#fn:{number}" id="{meta["id"]}" '
        f'role="doc-noteref" aria-label="Note {number}">{number}</a></sup>'
    )


def _render_link_open(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    href = str(token.attrGet("href") or "")
    if is_external_address(href):  # another site: 'HTTPS://x', '//x' included
        token.attrSet("rel", "noopener")
    return self.renderToken(tokens, idx, options, env)


def new_parser(*, allow_html: bool, citations: bool, linkify: bool = False) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": allow_html, "linkify": linkify, "typographer": False})
    md.enable(["table", "strikethrough"])
    if linkify:
        md.enable("linkify")
        assert md.linkify is not None  # linkify-it-py is a dependency
        md.linkify.set({"fuzzy_link": False, "fuzzy_email": False, "fuzzy_ip": False})
    # markdown-it already refuses javascript:, vbscript: and file:, but lets
    # data: images through; a briefing archive needs none of them.
    md.validateLink = is_allowed_address  # type: ignore[method-assign]
    if citations:
        md.inline.ruler.before("link", "citation", _citation_rule)
        md.add_render_rule("citation", _render_citation)
        md.core.ruler.push("anchor", _heading_ids)
    md.add_render_rule("link_open", _render_link_open)
    md.core.ruler.push("cell_alignment", _cell_alignment_as_class)
    md.block.ruler.at("table", _bounded_table, {"alt": ["paragraph", "reference"]})
    _note_blocks_nested_too_deep(md)
    return md


_CELLS_SO_FAR = "briefgen_table_cells"
_TOO_MANY_CELLS = "briefgen_too_many_cells"
"""Keys of the parse's env: cells counted in the tables so far, and the TooManyCells, if any."""
_TOO_DEEP = "too_deep"
"""Key of the parse's env: the lines where markdown-it skipped blocks nested past its limit."""


def table_cells_over_limit(env: Mapping[str, object]) -> TooManyCells | None:
    """What a parse's env says of the body's tables: where they went over MAX_TABLE_CELLS, if they did."""
    too_many = env.get(_TOO_MANY_CELLS)
    return too_many if isinstance(too_many, TooManyCells) else None


def lines_nested_too_deep(env: Mapping[str, object]) -> list[int]:
    """What a parse's env says of deep nesting: the first line of each block left out for it."""
    too_deep = env.get(_TOO_DEEP)
    return too_deep if isinstance(too_deep, list) else []


def _bounded_table(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """markdown-it's table rule, refusing to make the cells of tables past MAX_TABLE_CELLS in a body.

    Every row of a table has as many cells as its header, empty ones included, so a
    header of 5,000 '|' and 20,000 one-character rows (60 KB) asked for 100 million
    cells, three tokens each. The rows are counted before any token is made; a table
    that takes the body's count over the limit is read past, leaving no token, and
    recorded in the env for the loader to report at its line.
    """
    if silent or not table_rule.table(state, start, end, True):
        is_table: bool = table_rule.table(state, start, end, silent)
        return is_table
    columns = len(_cells_of(state, start))
    rows = _table_body_rows(state, start, end, columns)
    cells = state.env.get(_CELLS_SO_FAR, 0) + columns * (1 + rows)
    state.env[_CELLS_SO_FAR] = cells
    last = start + 2 + rows
    if cells > MAX_TABLE_CELLS:
        state.env.setdefault(_TOO_MANY_CELLS, TooManyCells(start, cells))
        state.line = last
        return True
    # The rule cannot make more rows than were counted, whatever its version does.
    made: bool = table_rule.table(state, start, last, False)
    return made


def _cells_of(state: StateBlock, line: int) -> list[str]:
    """A table row's cells, as the table rule splits it (the pipes at either end are not cells)."""
    cells: list[str] = table_rule.escapedSplit(mdTrim(table_rule.getLine(state, line)))
    if cells and cells[0] == "":
        cells.pop(0)
    if cells and cells[-1] == "":
        cells.pop()
    return cells


def _table_body_rows(state: StateBlock, start: int, end: int, columns: int) -> int:
    """How many body rows the table rule would read for the table whose header is at `start`.

    The loop of markdown-it's table rule without its tokens: a row is any line up to a
    blank line, a line less indented, one that starts another block or is code, or
    too many cells made up for short rows (MAX_AUTOCOMPLETED_CELLS, where it has one).
    """
    most_made_up = getattr(table_rule, "MAX_AUTOCOMPLETED_CELLS", None)
    terminators = state.md.block.ruler.getRules("blockquote")
    parent, state.parentType = state.parentType, "table"
    made_up = 0
    line = start + 2
    while line < end and state.sCount[line] >= state.blkIndent:
        if any(rule(state, line, end, True) for rule in terminators):
            break
        if not mdTrim(table_rule.getLine(state, line)) or state.is_code_block(line):
            break
        made_up += columns - len(_cells_of(state, line))
        if most_made_up is not None and made_up > most_made_up:
            break
        line += 1
    state.parentType = parent
    return line - (start + 2)


HEADING_LEVELS_WITH_IDS = ("h2", "h3", "h4")


class HeadingIds:
    """The ids of one body's headings: each heading's slug, made unique as mdit_py_plugins'
    anchors plugin makes it ('same', then 'same-1', 'same-2'...), in linear time.

    The plugin's unique_slug tries 'same-1', 'same-2'... from 1 for every heading, so
    20,000 headings 'Same' took half a minute and 100,000 over five. Each base slug here
    remembers the suffix its last search ended at: every suffix below it is taken (ids
    are never given back), so the search goes on from there and finds the same id.
    Both paths (the anchor rule and the fast path's with_heading_ids, in fast/markdown.py) use it.
    """

    def __init__(self) -> None:
        self._taken: set[str] = set()
        self._next_suffix: dict[str, int] = {}

    def unique(self, title: str) -> str:
        base = heading_slug(title)
        slug = base
        if slug in self._taken:
            suffix = self._next_suffix.get(base, 1)
            while f"{base}-{suffix}" in self._taken:
                suffix += 1
            slug = f"{base}-{suffix}"
            self._next_suffix[base] = suffix + 1
        self._taken.add(slug)
        return slug


def _heading_ids(state: StateCore) -> None:
    # What anchors_plugin(md, min_level=2, max_level=4) did, with HeadingIds for its unique_slug.
    ids = HeadingIds()
    for index, token in enumerate(state.tokens):
        if token.type == "heading_open" and token.tag in HEADING_LEVELS_WITH_IDS:
            children = state.tokens[index + 1].children or []
            title = "".join(child.content for child in children if child.type in {"text", "code_inline"})
            token.attrSet("id", ids.unique(title))


def _note_blocks_nested_too_deep(md: MarkdownIt) -> None:
    # markdown-it-py leaves out, without a word, every block nested deeper than its
    # maxNesting (20 quotes or lists inside each other): its block parser skips the rest
    # of the container. The parser's own entry point, which quotes and lists call again
    # for their content, is wrapped to note in the env (_TOO_DEEP) the first line it skips.
    tokenize = md.block.tokenize
    limit = md.options.maxNesting

    def tokenize_noting_what_is_skipped(state: StateBlock, start_line: int, end_line: int) -> None:
        if state.level >= limit:
            line = state.skipEmptyLines(start_line)
            if line < end_line and state.sCount[line] >= state.blkIndent:
                state.env.setdefault(_TOO_DEEP, []).append(line)
        tokenize(state, start_line, end_line)

    md.block.tokenize = tokenize_noting_what_is_skipped  # type: ignore[method-assign,assignment]


_ALIGNMENTS = ("left", "center", "right")
ALIGNED_CELL = re.compile(r'<(t[hd]) style="text-align:(left|center|right)">')


def _cell_alignment_as_class(state: StateCore) -> None:
    # A table column's alignment as a class ('align-right') rather than markdown-it's style
    # attribute: the site's Content-Security-Policy allows no inline style, so a browser would
    # ignore the attribute (and report it).
    for token in state.tokens:
        if token.type in {"th_open", "td_open"} and token.attrs:
            style = str(token.attrGet("style") or "")
            alignment = style.removeprefix("text-align:")
            if alignment in _ALIGNMENTS:
                del token.attrs["style"]
                token.attrSet("class", f"align-{alignment}")


def walk(tokens: Sequence[Token]) -> list[Token]:
    found: list[Token] = []
    for token in tokens:
        found.append(token)
        if token.children:
            found.extend(walk(token.children))
    return found
