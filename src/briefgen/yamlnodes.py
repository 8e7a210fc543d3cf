"""YAML text -> PyYAML nodes that keep line numbers, and nothing else of YAML's.

The loader and the settings reader both need the same thing from YAML: a
mapping whose values are checked one key at a time, each problem reported at
the line of the offending key or value. PyYAML's node tree (not its Python
objects) keeps those positions, so we compose nodes here and read values from
them in yamlfields.py. That also means YAML's implicit typing never surprises an
editor: `title: 1984` is the text "1984", `title: yes` is "yes".

What is refused before anything is composed (aliases, explicit tags, nesting
deeper than MAX_DEPTH), and a YAML error's message made an editor's (the line
to fix, a tab, a ': ' to put in quotes), are here too.
"""

from __future__ import annotations

import json
import re

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from briefgen.errors import Problem, error

NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"
_NULL_WORDS = frozenset(("", "~", "null", "Null", "NULL"))
_BOOL_WORDS = frozenset(
    form for word in ("yes", "no", "true", "false", "on", "off") for form in (word, word.capitalize(), word.upper())
)
"""YAML 1.1's words for null and for booleans, as PyYAML's resolver matches them (its regular expressions)."""

try:  # libyaml's C parser is several times faster; fall back when it is missing
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader


class _Loader(_Base):  # type: ignore[misc]
    """Tags a plain scalar null, bool or text, and nothing else.

    Text is read as written (`title: 1984` is "1984"), so only these tags are
    ever asked about. PyYAML's resolver tries its number, date and other
    patterns on every one of the hundreds of scalars a briefing has.
    """

    def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if implicit[0] and value in _NULL_WORDS:
                return NULL_TAG
            if implicit[0] and value in _BOOL_WORDS:
                return BOOL_TAG
            return "tag:yaml.org,2002:str"
        return "tag:yaml.org,2002:seq" if kind is SequenceNode else "tag:yaml.org,2002:map"


MAX_DEPTH = 32
"""Deeper nesting than this in front matter or settings is a mistake or an attack."""

# YAML ends a line at these even inside quotes; JSON leaves them as they are.
YAML_LINE_BREAKS = {"\u0085": "\\N", "\u2028": "\\L", "\u2029": "\\P"}
_LONG_LINE_START = re.compile(rf"^[ \t?:-]{{{MAX_DEPTH // 2},}}", re.MULTILINE)
"""A line whose text starts this far in: block nesting any deeper than MAX_DEPTH needs one."""


class YamlError(Exception):
    """The text is not YAML we accept; carries the problem at its line."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def compose(text: str, path: str, first_line: int) -> Node | None:
    """Parse one YAML document into nodes; `first_line` is the file line of its line 1.

    Aliases are refused: they are never needed in front matter, and they are the
    way to build exponentially large values ("billion laughs"). So are explicit
    tags (`!!int`, `!!float`, `!!binary`, `!foo`): see _refuse_deep_nesting_and_tags.
    """
    try:
        _refuse_deep_nesting_and_tags(text, path, first_line)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and (mark is None or mark.index >= len(text.rstrip())):
            # Reached the end still looking for a closing bracket or quote:
            # the line where it was opened is the one to fix.
            mark = exc.context_mark
        line = first_line + (mark.line if mark else 0)
        raise YamlError(error(path, line, _describe_yaml_error(exc, text))) from exc
    except yaml.YAMLError as exc:
        raise YamlError(error(path, first_line, f"invalid YAML: {exc}")) from exc
    # An alias needs an anchor ('&name'; libyaml refuses one it has not met), and
    # nesting is bounded above: a text without '&' need not be walked node by node.
    if node is not None and "&" in text:
        _refuse_aliases(node, path, first_line)
    return node


def yaml_quoted(text: str) -> str:
    """`text` as a double-quoted YAML scalar that reads back exactly, non-Latin letters kept readable."""
    quoted = json.dumps(text, ensure_ascii=False)
    for char, escape in YAML_LINE_BREAKS.items():
        quoted = quoted.replace(char, escape)
    return quoted


def _describe_yaml_error(exc: yaml.MarkedYAMLError, text: str) -> str:
    problem = exc.problem or "not valid YAML"
    hint = ""
    # libyaml's message does not name the character, so look at the text itself.
    if "'\\t'" in problem or "tab" in problem or _char_at(text, exc.problem_mark) == "\t":
        hint = " (YAML does not allow tabs for indentation: use spaces)"
    elif "mapping values are not allowed" in problem:
        quoted = _quoted_line(text, exc.problem_mark)
        write = f": write {quoted}" if quoted else ""
        hint = f" (a value containing ': ' must be in quotes{write})"
    context = f" {exc.context}" if exc.context else ""
    return f"invalid YAML: {problem}{context}{hint}"


# A line `key: value` or `- item`, the usual place of an unquoted ': ' (a title, a note, a takeaway).
_KEY_AND_VALUE = re.compile(r"[ ]*(?:(- +)|([A-Za-z0-9_-]+): +)(?=[^\s\"'])(.*?)[ ]*")


def _quoted_line(text: str, mark: yaml.Mark | None) -> str:
    """The line at `mark`, its value put in quotes: `title: "Kursk: the offensive"`, or ''.

    Only when the ': ' YAML stopped at comes after the line's own key: on a
    line that continues a text from the line above, its first ': ' is the
    problem, and what to quote is more than this line.
    """
    if mark is None:
        return ""
    lines = text.split("\n")
    match = _KEY_AND_VALUE.fullmatch(lines[mark.line]) if 0 <= mark.line < len(lines) else None
    if match is None or mark.column < match.end(1 if match.group(1) else 2) + 1:
        return ""
    item, key, value = match.groups()
    return f"- {yaml_quoted(value)}" if item else f"{key}: {yaml_quoted(value)}"


def _char_at(text: str, mark: yaml.Mark | None) -> str:
    if mark is None:
        return ""
    lines = text.split("\n")
    line = lines[mark.line] if 0 <= mark.line < len(lines) else ""
    return line[mark.column : mark.column + 1]


def _refuse_deep_nesting_and_tags(text: str, path: str, first_line: int) -> None:
    # The composers (libyaml's, and PyYAML's in Python) recurse once per level
    # of nesting: thousands of '[', or of '- ' on one line, exhaust the C stack
    # or raise RecursionError. The parser before them does not recurse, so when
    # the text could nest deeply its events are counted first. Block nesting
    # needs indentation or '- ', '? ', ': ' indicators before a line's text;
    # flow nesting needs brackets. Cheap tests of both settle the usual case.
    #
    # Explicit tags are refused in the same walk, before anything is composed.
    # Values are read as written text, so a tag never helps; and the constructors
    # behind the tags PyYAML knows are what `extra` would run: `!!int 59:59:...`
    # (base 60) takes time quadratic in its length and makes a number too long to
    # print, `!!float 59:59:...` overflows, `!!bool maybe` fails with a KeyError.
    # A tag starts with '!' where a value may start: a text with no such '!' has none.
    deep = _may_nest_deeply_in_flow(text) or _LONG_LINE_START.search(text) is not None
    tagged = "!" in text and _MAY_HOLD_TAG.search(text) is not None
    if not (deep or tagged):
        return
    depth, mark = 0, None
    try:
        for event in yaml.parse(text, Loader=_Loader):
            tag = getattr(event, "tag", None)  # set only when written: the resolver tags the others later
            if tag is not None:
                line = first_line + (event.start_mark.line if event.start_mark else 0)
                raise YamlError(error(path, line, _tag_refused(tag)))
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                mark = event.start_mark
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            if depth > MAX_DEPTH:
                break
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" not in str(exc.problem):  # libyaml's own limit, far above ours
            raise
        depth, mark = MAX_DEPTH + 1, exc.problem_mark
    if depth > MAX_DEPTH:
        line = first_line + (mark.line if mark else 0)
        raise YamlError(error(path, line, f"YAML is nested more than {MAX_DEPTH} levels deep"))


_MAY_HOLD_TAG = re.compile(r"(?:^|[\s\[{,])!")
"""A '!' where a YAML tag could start: at the start, or after white space, '[', '{' or ','."""
_STANDARD_TAG_PREFIX = "tag:yaml.org,2002:"


def _tag_refused(tag: str) -> str:
    written = "!!" + tag.removeprefix(_STANDARD_TAG_PREFIX) if tag.startswith(_STANDARD_TAG_PREFIX) else tag
    return (
        f"the YAML tag '{written}' is not allowed: briefgen reads every value as it is written,"
        " so remove the tag (put the value in quotes if it starts with '!')"
    )


def _may_nest_deeply_in_flow(text: str) -> bool:
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False  # the usual case, settled without walking the text in Python
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(0, depth - 1)
    return deepest > MAX_DEPTH


def _refuse_aliases(root: Node, path: str, first_line: int) -> None:
    seen: set[int] = set()
    stack: list[tuple[Node, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            raise YamlError(error(path, line_of(node, first_line), "YAML aliases (*name) are not allowed here"))
        seen.add(id(node))
        if depth > MAX_DEPTH:
            raise YamlError(error(path, line_of(node, first_line), f"YAML is nested more than {MAX_DEPTH} levels deep"))
        if isinstance(node, SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                stack.extend(((key, depth + 1), (value, depth + 1)))


def line_of(node: Node, first_line: int) -> int:
    return first_line + node.start_mark.line
