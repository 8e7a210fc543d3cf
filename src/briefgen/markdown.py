"""The one configured Markdown renderer: CommonMark, tables, strikethrough,
heading anchors, briefgen's citations, and linked bare addresses in notes.

This is the only module that imports markdown_it. A body is parsed once;
the loader reads the citations and images found in the parse, decides
where images go, and then asks for the HTML.

Citations: `[n]` in running text becomes a superscript link to note n.
They are an inline rule placed before CommonMark's link rule, so code spans
and backslash escapes (`\\[n]`), which earlier rules consume, are left alone.
`[n](address)` stays an ordinary link.

Footnotes written the way other Markdown tools write them (`[^1]` in the
text, `[^1]: ...` lines below it) are not read as notes: `foreign_notes`
finds them, outside code, so that the loader can say how briefgen writes them.

Bare addresses become links in notes only (linkify-it with its fuzzy modes
off: `https://…`, `ftp://…`, `mailto:…` and `//…`, never a guessed
`example.com`). Most notes are a source's name and one address; those take a
fast path whose output is the same as markdown-it's (tests compare the two),
since linkify costs ~90 µs a note and an archive has hundreds of thousands.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.common.utils import mdTrim
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block.state_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.anchors.index import slugify as heading_slug

from briefgen.fast import markdown as fast_markdown
from briefgen.fast import switch as fastpaths
from briefgen.links import allowed_links_only, is_allowed_address, is_external_address

# The module, not the function `markdown_it.rules_block` exports under the same name.
table_rule = importlib.import_module("markdown_it.rules_block.table")

CITATION = re.compile(r"\[([0-9]{1,6})\]")
MAX_TABLE_CELLS = 50_000
"""Cells in all the tables of one body: 50 columns by 1,000 rows. A real report's tables have a few
hundred; a few kilobytes of empty columns and rows ask for hundreds of millions, and gigabytes."""


class CitationRef(NamedTuple):  # a tuple: a body has a hundred of them, and each is made in a regex callback
    number: int
    element_id: str
    line: int
    """0-based line within the body."""


class ForeignNote(NamedTuple):
    """`[^label]` (a reference) or `[^label]: text` (a definition) in a body: another tool's footnote syntax."""

    label: str
    line: int
    """0-based line within the body."""
    definition: str | None
    """The text after `[^label]:` for a definition, None for a reference."""


@dataclass(frozen=True, slots=True)
class ImageRef:
    src: str
    alt: str
    line: int
    """0-based line within the body."""


class BodyWarning(NamedTuple):
    """Something the reference renderer publishes other than as its editor surely meant."""

    line: int
    """0-based line within the body."""
    message: str


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


def _new_parser(*, allow_html: bool, citations: bool, linkify: bool = False) -> MarkdownIt:
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
    # for their content, is wrapped to note in env["too_deep"] the first line it skips.
    tokenize = md.block.tokenize
    limit = md.options.maxNesting

    def tokenize_noting_what_is_skipped(state: StateBlock, start_line: int, end_line: int) -> None:
        if state.level >= limit:
            line = state.skipEmptyLines(start_line)
            if line < end_line and state.sCount[line] >= state.blkIndent:
                state.env.setdefault("too_deep", []).append(line)
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


class MarkdownRenderer:
    """Renders briefing bodies, takeaways and notes for one site's settings."""

    def __init__(self, *, allow_html: bool) -> None:
        self._body = _new_parser(allow_html=allow_html, citations=True)
        # Takeaways and notes are inline text: `[1]` in them is literal, and
        # raw HTML is always escaped since they also go into feeds and titles.
        self._inline = _new_parser(allow_html=False, citations=False)
        self._note = _new_parser(allow_html=False, citations=False, linkify=True)
        self._fast = fast_markdown.FastBodies(self._first_paragraph_only) if fast_markdown.RUST_PORT else None
        # Block structure only: enough to find the first paragraph without parsing every inline.
        self._blocks = _new_parser(allow_html=allow_html, citations=False)
        self._blocks.core.ruler.disable(["inline", "linkify", "replacements", "smartquotes", "text_join"])

    def parse_body(self, text: str, note_numbers: Collection[int] | None = None) -> ParsedBody:
        """Parse a body. With `note_numbers`, a body that cites only those notes may take the fast path."""
        if (
            note_numbers is not None
            and self._fast is not None
            and fastpaths.enabled()
            and not fast_markdown.tables_may_be_too_large(text)
        ):
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
            for child in _walk(block.children):
                if child.type == "citation":
                    number = child.meta["number"]
                    seen[number] = seen.get(number, 0) + 1
                    child.meta["id"] = f"fnref:{number}:{seen[number]}"
                    citations.append(CitationRef(number, child.meta["id"], lines.line_at(child.meta["offset"])))
                elif child.type == "image":
                    offset, search_from = _image_span(block, child, search_from)
                    line = lines.line_at(max(offset, 0))
                    images.append(ImageRef(str(child.attrGet("src") or ""), child.content, line))
        too_many = env.get(_TOO_MANY_CELLS)
        warnings = _body_warnings(env, tokens, citations, nesting_limit=self._body.options.maxNesting)
        return ParsedBody(
            tuple(tokens),
            tuple(citations),
            tuple(images),
            _first_paragraph(tokens),
            too_many_cells=too_many if isinstance(too_many, TooManyCells) else None,
            warnings=warnings,
        )

    def foreign_notes(self, text: str) -> tuple[ForeignNote, ...]:
        """Every `[^label]` and `[^label]: text` outside code, escaped ones (`\\[^1]`) left alone.

        The same whichever path renders the body: it reads the text, not either
        path's output. Only a body holding '[^' is parsed (block structure only).
        """
        if "[^" not in text:
            return ()
        lines = text.split("\n")
        unread = [True] * len(lines)  # lines no inline block holds: link definitions, raw HTML, code
        found: list[ForeignNote] = []
        for token in self._blocks.parse(text):
            if token.map is None:
                continue
            start, end = token.map
            if token.type in {"fence", "code_block", "inline"}:
                unread[start:end] = [False] * (end - start)
            if token.type == "inline" and "[^" in token.content:
                found.extend(_foreign_notes_in(_without_code_spans(token.content), start))
        for index, line in enumerate(lines):  # `[^1]: https://...` is a CommonMark link definition: no block holds it
            if unread[index] and "[^" in line:
                found.extend(_foreign_notes_in(line.lstrip(" \t>"), index))
        return tuple(sorted(found, key=lambda note: note.line))

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
            for token in _walk(parsed.tokens):
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
        fast = fast_markdown.plain_note_html(text) if fastpaths.enabled() else None
        if fast is not None:
            return allowed_links_only(fast)
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


_NUMBER = re.compile(r"[0-9]{1,6}")
# A citation in a link's text, '[see [3]](https://...)' or '[see [3]][ref]': the citation
# is read first, and the brackets around it are then no link's.
_CITATION_IN_LINK_TEXT = re.compile(r"\[[^\[\]]*\[[0-9]{1,6}\][^\[\]]*\](?=[(\[])")


def _body_warnings(
    env: Mapping[str, object],
    tokens: Sequence[Token],
    citations: Sequence[CitationRef],
    *,
    nesting_limit: int,
) -> tuple[BodyWarning, ...]:
    """What the reference parse publishes other than as written: numbered link definitions,
    citations in a link's text, blocks nested too deep to render."""
    warnings: list[BodyWarning] = []
    references = env.get("references")
    for label, reference in references.items() if isinstance(references, dict) else ():
        # '[text][1]' still uses it: a link to its address is made ('[1][2]' is two citations).
        if _NUMBER.fullmatch(label) and reference["href"] not in _link_addresses(tokens):
            warnings.append(
                BodyWarning(
                    reference["map"][0],
                    f"'[{label}]:' defines nothing: [{label}] in the text is a citation of note {label},"
                    f" which goes under 'footnotes:' in the front matter ({label}: Source, https://...);"
                    f" a link definition needs a name that is not a number ([name]: https://..., used as [text][name])",
                )
            )
    if citations:
        warnings.extend(_citations_in_link_text(tokens))
    too_deep = env.get("too_deep")
    warnings.extend(
        BodyWarning(
            line,
            # A list takes two of markdown-it's levels (the list and its item), a quote one.
            f"this block is nested too deeply (more than {nesting_limit} quotes, or {nesting_limit // 2} lists,"
            " inside each other) and is left out of the page: nest it less deeply",
        )
        for line in sorted(set(too_deep if isinstance(too_deep, list) else ()))
    )
    return tuple(sorted(warnings))


def _link_addresses(tokens: Sequence[Token]) -> set[str]:
    return {
        str(child.attrGet("href"))
        for block in tokens
        if block.type == "inline" and block.children
        for child in _walk(block.children)
        if child.type == "link_open"
    }


def _citations_in_link_text(tokens: Sequence[Token]) -> list[BodyWarning]:
    found: list[BodyWarning] = []
    for block in tokens:
        if block.type != "inline" or not block.children or ("](" not in block.content and "][" not in block.content):
            continue
        offsets = [child.meta["offset"] for child in _walk(block.children) if child.type == "citation"]
        for match in _CITATION_IN_LINK_TEXT.finditer(block.content) if offsets else ():
            if any(match.start() < offset < match.end() for offset in offsets):
                number = CITATION.search(match.group(), 1)
                assert number is not None
                line = (block.map[0] if block.map else 0) + block.content.count("\n", 0, match.start())
                found.append(
                    BodyWarning(
                        line,
                        f"citation [{number.group(1)}] in a link's text keeps the link from being made:"
                        f" put the citation after the link ([text](https://...) [{number.group(1)}]),"
                        f" or write \\[{number.group(1)}\\] for brackets in the link's text",
                    )
                )
    return found


_FOREIGN_NOTE = re.compile(r"(\\*)\[\^([^\]\[\s]+)\](:?)")
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)


def _without_code_spans(content: str) -> str:
    """Inline content with each code span blanked, its line breaks kept."""
    if "`" not in content:
        return content
    return _CODE_SPAN.sub(lambda match: re.sub(r"[^\n]", " ", match.group()), content)


def _foreign_notes_in(content: str, first_line: int) -> list[ForeignNote]:
    found: list[ForeignNote] = []
    for match in _FOREIGN_NOTE.finditer(content):
        if len(match.group(1)) % 2:
            continue  # `\[^1]`: the editor asked for the brackets
        line_start = content.rfind("\n", 0, match.start()) + 1
        at_line_start = not content[line_start : match.start()].strip()
        line_end = content.find("\n", match.end())
        rest = content[match.end() : line_end if line_end >= 0 else len(content)]
        definition = rest.strip() if match.group(3) and at_line_start else None
        found.append(ForeignNote(match.group(2), first_line + content.count("\n", 0, match.start()), definition))
    return found


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


def _walk(tokens: Sequence[Token]) -> list[Token]:
    found: list[Token] = []
    for token in tokens:
        found.append(token)
        if token.children:
            found.extend(_walk(token.children))
    return found


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
    for token in _walk(tokens):
        if token.type in {"text", "code_inline"}:
            parts.append(token.content)
        elif token.type in {"softbreak", "hardbreak"}:
            parts.append(" ")
    return re.sub(r"\s+", " ", "".join(parts)).strip()
