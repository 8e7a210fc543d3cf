"""YAML parsing that keeps line numbers, and typed reads of mapping fields.

The loader and the settings reader both need the same thing from YAML: a
mapping whose values are checked one key at a time, each problem reported at
the line of the offending key or value. PyYAML's node tree (not its Python
objects) keeps those positions, so we compose nodes and read values from
them ourselves. That also means YAML's implicit typing never surprises an
editor: `title: 1984` is the text "1984", `title: yes` is "yes".
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import json
import re
from collections.abc import Collection, Mapping
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from briefgen.errors import Problem, error
from briefgen.fast import switch as fastpaths
from briefgen.fast import yamlfields as fast_yamlfields

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
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# ASCII digits only (str.isdigit() also accepts '²', which int() refuses), and few
# enough of them that int() never meets Python's limit on digits in a conversion.
WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")
UNSHOWABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""Characters XML 1.0 forbids: one in a title would break every feed that carries it."""
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


def why_not_a_day(year: int, month: int, day: int) -> str:
    """Which part of a YYYY-MM-DD date is out of range, for a date that is not one ('' when it is)."""
    if year == 0:
        return "there is no year 0000"
    if not 1 <= month <= 12:
        return f"there is no month {month:02d} (months run 01 to 12)"
    if day == 0:
        return "there is no day 00 (days start at 01)"
    days = calendar.monthrange(year, month)[1]
    if day <= days:
        return ""
    if month != 2:
        return f"{calendar.month_name[month]} has {days} days"
    return f"February {year:04d} has {days} days{' (not a leap year)' if day == 29 else ''}"


NumberedTexts = tuple[tuple[int, str, int], ...]
"""(number, text, file line) of each entry, in number order: what Fields.numbered_texts reads."""


def compose_with_numbered_texts(
    text: str, path: str, first_line: int, key: str
) -> tuple[Node | None, NumberedTexts | None]:
    """compose(text), with the entries of the top-level mapping `key` read apart when they are all plain.

    A briefing's notes are most of its front matter, and composing them cost a node and
    two marks a scalar. Written the plainest way (fast/yamlfields.py, one indentation,
    each number once and never 0, no text empty), what numbered_texts() would read from
    them is known exactly: each text between its quotes, stripped. They are then read
    with a regular expression, and compose() is given `key: {}` in their place, blank
    lines keeping every other line where it was. That the placeholder composes as the
    block mapping's first `key` (not, say, a line inside a quoted text or a `{...}`, or
    a second `key`) is checked after. In any other case, None: compose() reads the text
    as written, and reports its problems.
    """
    plain = fast_yamlfields.plain_numbered_entries(text, key) if fastpaths.enabled() else None
    if plain is not None:
        rewritten, key_line, entries = plain
        try:
            node = compose(rewritten, path, first_line)
        except YamlError:
            node = None  # composed again as written below, for the problem as the editor wrote it
        if node is not None and _is_placeholder(node, key, key_line):
            return node, tuple((number, value, first_line + line) for number, value, line in entries)
    return compose(text, path, first_line), None


def _is_placeholder(node: Node, key: str, key_line: int) -> bool:
    """Whether the mapping is a block mapping (not `{...}` over several lines) whose first
    `key` is the empty `key: {}` at key_line, column 0."""
    if not isinstance(node, MappingNode) or node.flow_style:
        return False
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            return (
                key_node.start_mark.line == key_line
                and key_node.start_mark.column == 0
                and isinstance(value_node, MappingNode)
                and not value_node.value
            )
    return False


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


def kind_of(node: Node) -> str:
    """How an editor would name what they wrote."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == NULL_TAG:
        return "nothing"
    return f"the text '{node.value}'"


def nearest(word: str, choices: Collection[str]) -> str:
    """' (did you mean ...?)' for a misspelt key, or ''."""
    match = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


class Fields:
    """Reads typed values from one YAML mapping, collecting every problem.

    Each reader returns None (or a default) for a missing or bad value and
    records a problem for a bad one, so that one pass reports everything.
    """

    def __init__(
        self,
        node: Node,
        *,
        path: str,
        first_line: int,
        known: Collection[str],
        what: str,
        problems: list[Problem],
    ) -> None:
        self.path = path
        self.first_line = first_line
        self.problems = problems
        self.what = what
        self.mapping_line = line_of(node, first_line)
        """Where the mapping starts: problems about an absent key are reported here."""
        self.nodes: dict[str, tuple[ScalarNode, Node]] = {}
        if not isinstance(node, MappingNode):
            self._problem(node, f"{what} must be a mapping of 'key: value' lines, not {kind_of(node)}")
            return
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == NULL_TAG:
                self._problem(key_node, f"{what} has a key that is not a name: {kind_of(key_node)}")
                continue
            key = str(key_node.value)
            if key in self.nodes:
                self._problem(key_node, f"'{key}' is given twice")
            elif key not in known:
                self._problem(key_node, f"unknown key '{key}'{_unknown_key_hint(key, known, what)}")
            else:
                self.nodes[key] = (key_node, value_node)

    def _problem(self, node: Node, message: str) -> None:
        self.problems.append(error(self.path, line_of(node, self.first_line), message))

    def line(self, key: str) -> int:
        """The file line of `key`, or of the mapping's first line when it is absent."""
        if key in self.nodes:
            return line_of(self.nodes[key][0], self.first_line)
        return self.mapping_line

    def value_line(self, key: str) -> int:
        if key in self.nodes:
            return line_of(self.nodes[key][1], self.first_line)
        return self.mapping_line

    def has(self, key: str) -> bool:
        return key in self.nodes

    def require(self, key: str, example: str) -> None:
        if key not in self.nodes:
            self.problems.append(
                error(self.path, self.mapping_line, f"{self.what} is missing '{key}' (for example '{key}: {example}')")
            )

    def text(self, key: str) -> str | None:
        """A one-line or block text; numbers and booleans are read as written."""
        if key not in self.nodes:
            return None
        node = self.nodes[key][1]
        return self._text_of(node, f"'{key}'", f"{key}: ")

    def _text_of(self, node: Node, label: str, written_after: str) -> str | None:
        """The text of `node`; `written_after`: what comes before it on its line ('- ', 'title: ')."""
        if not isinstance(node, ScalarNode) or node.tag == NULL_TAG:
            quoted = _as_quoted_text(node)
            if quoted is not None:
                self._problem(
                    node,
                    f"{label} must be text, but its ': ' makes it a mapping:"
                    f" put it in quotes, as in {written_after}{quoted}",
                )
            else:
                self._problem(node, f"{label} must be text, not {kind_of(node)}")
            return None
        value = str(node.value).strip()
        if not value:
            self._problem(node, f"{label} is empty")
            return None
        unshowable = UNSHOWABLE.search(value)
        if unshowable is not None:  # written as an escape: "\f", "\x01", "\0"
            code = f"U+{ord(unshowable.group()):04X}"
            self._problem(node, f"{label} contains the control character {code}, which pages and feeds cannot carry")
            return None
        return value

    def boolean(self, key: str, default: bool) -> bool:
        if key not in self.nodes:
            return default
        node = self.nodes[key][1]
        if isinstance(node, ScalarNode) and node.tag == BOOL_TAG:
            return str(node.value).lower() in {"true", "yes", "on", "y"}
        self._problem(node, f"'{key}' must be true or false, not {kind_of(node)}")
        return default

    def integer(self, key: str, default: int, minimum: int = 1) -> int:
        if key not in self.nodes:
            return default
        node = self.nodes[key][1]
        raw = str(node.value) if isinstance(node, ScalarNode) else ""
        if WHOLE_NUMBER.fullmatch(raw) and int(raw) >= minimum:
            return int(raw)
        self._problem(node, f"'{key}' must be a whole number of at least {minimum}, not {kind_of(node)}")
        return default

    def date(self, key: str) -> dt.date | None:
        if key not in self.nodes:
            return None
        node = self.nodes[key][1]
        raw = str(node.value).strip() if isinstance(node, ScalarNode) else ""
        if not ISO_DATE.fullmatch(raw):  # fromisoformat() also takes week dates: 2025-W26-4
            self._problem(node, f"'{key}' must be a date written YYYY-MM-DD, not {kind_of(node)}")
            return None
        year, month, day = (int(part) for part in raw.split("-"))
        reason = why_not_a_day(year, month, day)
        if reason:
            self._problem(node, f"'{key}' {raw} is not a calendar date: {reason}")
            return None
        return dt.date(year, month, day)

    def text_list(self, key: str) -> tuple[str, ...]:
        if key not in self.nodes:
            return ()
        node = self.nodes[key][1]
        if isinstance(node, ScalarNode) and node.tag == NULL_TAG:
            return ()
        if not isinstance(node, SequenceNode):
            self._problem(node, f"'{key}' must be a list, like [{_example_item(key)}], not {kind_of(node)}")
            return ()
        written_after = "" if node.flow_style else "- "
        items = (self._text_of(item, f"an item of '{key}'", written_after) for item in node.value)
        return tuple(item for item in items if item is not None)

    def length(self, key: str) -> int:
        """How many items the list (or entries the mapping) under `key` has; 0 for a text or nothing."""
        node = self.nodes[key][1] if key in self.nodes else None
        return len(node.value) if isinstance(node, (SequenceNode, MappingNode)) else 0

    def numbered_texts(self, key: str) -> tuple[tuple[int, str, int], ...]:
        """A mapping of positive whole numbers to text: (number, text, line) in number order."""
        if key not in self.nodes:
            return ()
        node = self.nodes[key][1]
        if isinstance(node, ScalarNode) and node.tag == NULL_TAG:
            return ()
        if not isinstance(node, MappingNode):
            self._problem(
                node, f"'{key}' must be a mapping of numbers to text (like '1: Reuters, ...'), not {kind_of(node)}"
            )
            return ()
        found: dict[int, tuple[int, str, int]] = {}
        for number_node, text_node in node.value:
            raw = str(number_node.value).strip() if isinstance(number_node, ScalarNode) else ""
            if not WHOLE_NUMBER.fullmatch(raw) or int(raw) == 0:
                self._problem(
                    number_node, f"each key of '{key}' must be a note number (1, 2, ...), not {kind_of(number_node)}"
                )
                continue
            number = int(raw)
            if number in found:
                self._problem(number_node, f"note {number} is given twice in '{key}'")
                continue
            text = self._text_of(text_node, f"note {number}", f"{number}: ")
            if text is not None:
                found[number] = (number, text, line_of(number_node, self.first_line))
        return tuple(found[n] for n in sorted(found))

    def text_mapping(self, key: str, known: Collection[str]) -> Fields | None:
        """A nested mapping read with its own set of keys."""
        if key not in self.nodes:
            return None
        return Fields(
            self.nodes[key][1],
            path=self.path,
            first_line=self.first_line,
            known=known,
            what=f"'{key}'",
            problems=self.problems,
        )

    def anything(self, key: str) -> Mapping[str, Any] | None:
        """A free-form mapping, passed through to templates as plain Python values."""
        if key not in self.nodes:
            return None
        node = self.nodes[key][1]
        if not isinstance(node, MappingNode):
            self._problem(node, f"'{key}' must be a mapping, not {kind_of(node)}")
            return None
        try:
            value = yaml.constructor.SafeConstructor().construct_document(node)
        except (yaml.YAMLError, ValueError, TypeError) as exc:
            self._problem(node, f"'{key}' has a value YAML cannot read: {exc}")
            return None
        if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
            self._problem(node, f"every key of '{key}' must be text")
            return None
        return value


def _unknown_key_hint(key: str, known: Collection[str], what: str) -> str:
    """The key it resembles; or else every key there is, and where they are described."""
    return nearest(key, known) or f": {what} may have {', '.join(known)} ('briefgen help format' describes them)"


def _as_quoted_text(node: Node) -> str | None:
    """What a one-pair mapping of texts was meant to be, in quotes: `Kharkiv: advanced` -> '"Kharkiv: advanced"'.

    YAML reads `- Kharkiv: Russian forces advanced` as a mapping, not as text
    with a colon in it; a situation report writes many such lines.
    """
    if not isinstance(node, MappingNode) or len(node.value) != 1:
        return None
    key, value = node.value[0]
    if not (isinstance(key, ScalarNode) and isinstance(value, ScalarNode)) or key.style or not key.value:
        return None
    return yaml_quoted(f"{key.value}: {value.value}".rstrip(" "))


def _example_item(key: str) -> str:
    return {"tags": "drones, air-defense", "places": "Kursk Oblast", "authors": "Jane Doe"}.get(key, "one, two")
