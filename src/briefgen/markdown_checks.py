"""What a body's Markdown publishes other than as its editor meant, found for the loader to report.

On the reference path, `body_warnings` reads a parse for link definitions named
by a number (`[1]: https://...`, which the text's `[1]` never uses: that is a
citation), citations inside a link's text (which keep the link from being made),
and blocks nested too deep for markdown-it to render.

Footnotes written the way other Markdown tools write them (`[^1]` in the
text, `[^1]: ...` lines below it) are not read as notes: `foreign_notes`
finds them, outside code, so that the loader can say how briefgen writes them.
It reads the text, not either path's output, so it finds the same whichever
path renders the body.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

from markdown_it.token import Token

from briefgen.markdown_rules import CITATION, lines_nested_too_deep, walk


class ForeignNote(NamedTuple):
    """`[^label]` (a reference) or `[^label]: text` (a definition) in a body: another tool's footnote syntax."""

    label: str
    line: int
    """0-based line within the body."""
    definition: str | None
    """The text after `[^label]:` for a definition, None for a reference."""


class BodyWarning(NamedTuple):
    """Something the reference renderer publishes other than as its editor surely meant."""

    line: int
    """0-based line within the body."""
    message: str


_NUMBER = re.compile(r"[0-9]{1,6}")
# A citation in a link's text, '[see [3]](https://...)' or '[see [3]][ref]': the citation
# is read first, and the brackets around it are then no link's.
_CITATION_IN_LINK_TEXT = re.compile(r"\[[^\[\]]*\[[0-9]{1,6}\][^\[\]]*\](?=[(\[])")


def body_warnings(
    env: Mapping[str, object],
    tokens: Sequence[Token],
    *,
    cites: bool,
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
    if cites:
        warnings.extend(_citations_in_link_text(tokens))
    warnings.extend(
        BodyWarning(
            line,
            # A list takes two of markdown-it's levels (the list and its item), a quote one.
            f"this block is nested too deeply (more than {nesting_limit} quotes, or {nesting_limit // 2} lists,"
            " inside each other) and is left out of the page: nest it less deeply",
        )
        for line in sorted(set(lines_nested_too_deep(env)))
    )
    return tuple(sorted(warnings))


def _link_addresses(tokens: Sequence[Token]) -> set[str]:
    return {
        str(child.attrGet("href"))
        for block in tokens
        if block.type == "inline" and block.children
        for child in walk(block.children)
        if child.type == "link_open"
    }


def _citations_in_link_text(tokens: Sequence[Token]) -> list[BodyWarning]:
    found: list[BodyWarning] = []
    for block in tokens:
        if block.type != "inline" or not block.children or ("](" not in block.content and "][" not in block.content):
            continue
        offsets = [child.meta["offset"] for child in walk(block.children) if child.type == "citation"]
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


def foreign_notes(text: str, parse_blocks: Callable[[str], Sequence[Token]]) -> tuple[ForeignNote, ...]:
    """Every `[^label]` and `[^label]: text` outside code, escaped ones (`\\[^1]`) left alone.

    `parse_blocks` parses the block structure only (markdown.py's renderer has such a
    parser). Only a body holding '[^' is parsed.
    """
    if "[^" not in text:
        return ()
    lines = text.split("\n")
    unread = [True] * len(lines)  # lines no inline block holds: link definitions, raw HTML, code
    found: list[ForeignNote] = []
    for token in parse_blocks(text):
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
