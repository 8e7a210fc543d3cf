"""Typed reads of YAML mapping fields, each problem at its line, every problem collected.

`Fields` reads one mapping composed by yamlnodes.py (whose nodes keep their
line numbers): text, booleans, whole numbers, dates, lists and numbered notes,
each checked as it is read, each bad value recorded as `path:line: message`
and read as missing, so that one pass reports everything. A briefing's notes,
most of its front matter, may be read without composing them
(compose_with_numbered_texts, with fast/yamlfields.py).
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
from collections.abc import Collection, Mapping
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from briefgen.errors import Problem, error
from briefgen.fast import switch as fastpaths
from briefgen.fast import yamlfields as fast_yamlfields
from briefgen.yamlnodes import BOOL_TAG, NULL_TAG, YamlError, compose, line_of, yaml_quoted

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# ASCII digits only (str.isdigit() also accepts '²', which int() refuses), and few
# enough of them that int() never meets Python's limit on digits in a conversion.
WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")
UNSHOWABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""Characters XML 1.0 forbids: one in a title would break every feed that carries it."""


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
        return tuple(text for text, _ in self.text_items(key))

    def text_items(self, key: str) -> tuple[tuple[str, int], ...]:
        """A list of texts, each with its file line (for a problem about one item, such as an unknown place)."""
        if key not in self.nodes:
            return ()
        node = self.nodes[key][1]
        if isinstance(node, ScalarNode) and node.tag == NULL_TAG:
            return ()
        if not isinstance(node, SequenceNode):
            self._problem(node, f"'{key}' must be a list, like [{_example_item(key)}], not {kind_of(node)}")
            return ()
        written_after = "" if node.flow_style else "- "
        items = ((self._text_of(item, f"an item of '{key}'", written_after), item) for item in node.value)
        return tuple((text, line_of(item, self.first_line)) for text, item in items if text is not None)

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
    examples = {"tags": "drones, air-defense", "places": "Kursk Oblast", "authors": "Jane Doe", "aliases": "Київ, Kiev"}
    return examples.get(key, "one, two")
