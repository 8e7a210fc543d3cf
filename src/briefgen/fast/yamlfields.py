"""The fast path of yamlfields.py: a briefing's notes read with a regular expression when written plainly.

A briefing's notes are most of its front matter, and composing them with
PyYAML cost a node and two marks a scalar. yamlfields.compose_with_numbered_texts,
the reference, takes this shortcut while the switch (fast/switch.py) is on, and
checks afterwards that the placeholder it leaves composes where the notes were;
tests/test_front_matter_shortcut.py holds it to composing everything.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from briefgen.yamlfields import NumberedTexts

# One entry of a numbered mapping in its plainest form, `  12: "Reuters, https://…"`: a number
# and a one-line double-quoted text holding no escape, no quote and no character YAML refuses
# or briefgen replaces (controls, C1 controls, BOM, non-characters; a tab too, to keep it simple).
PLAIN_NUMBERED_ENTRY = re.compile(r'( +)([0-9]{1,18}): "([^"\\\x00-\x1f\x7f-\x9f\ufeff\ufffe\uffff]*)" *')


def plain_numbered_entries(text: str, key: str) -> tuple[str, int, NumberedTexts] | None:
    """The text with `key`'s plain entries blanked, the key's line (0-based), and the entries with theirs."""
    lines = text.split("\n")
    key_line = lines.index(f"{key}:") if f"\n{key}:\n" in f"\n{text}" else -1
    read = _plain_entries(lines, key_line + 1) if key_line >= 0 else None
    if read is None:
        return None
    entries, end = read
    lines[key_line:end] = [f"{key}: {{}}", *[""] * (end - key_line - 1)]
    return "\n".join(lines), key_line, entries


def _plain_entries(lines: list[str], start: int) -> tuple[NumberedTexts, int] | None:
    """The plain entries from lines[start] to the next line that is not indented, and that line's index."""
    entries: dict[int, tuple[int, str, int]] = {}
    indent = ""
    end = start
    while end < len(lines) and lines[end].startswith(" "):
        match = PLAIN_NUMBERED_ENTRY.fullmatch(lines[end])
        indent = indent or (match.group(1) if match else "")
        if match is None or match.group(1) != indent:
            return None
        number, value = int(match.group(2)), match.group(3).strip()
        if number == 0 or number in entries or not value:
            return None
        entries[number] = (number, value, end)
        end += 1
    return (tuple(entries[n] for n in sorted(entries)), end) if entries else None
