"""The fast paths of exports.py: JSON written by hand where the json module is slow.

exports.py, the reference, writes every JSON file with model.json_text; while
the switch (fast/switch.py) is on it takes these instead, which promise the
same bytes: tests/test_json_fast_paths.py holds them to it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from briefgen.model import json_text


def json_text_with(document: Mapping[str, Any], key: str, value_json: str) -> str:
    """json_text of the document with `key` added, given that value's JSON, made apart.

    With keys sorted, `key` goes between the keys before it and those after."""
    before = json_text({k: v for k, v in document.items() if k < key})[1:-1]
    after = json_text({k: v for k, v in document.items() if k > key})[1:-1]
    return "{" + ",".join(part for part in (before, f'"{key}":{value_json}', after) if part) + "}"


# Characters json.dumps writes as an escape other than the four json_string does itself.
_RARE_IN_JSON = re.compile(r"[\x00-\x08\x0b-\x1f]")


def json_string(text: str) -> str | None:
    """json.dumps(text, ensure_ascii=False), made with str.replace; None for a text with a rarer
    control character, which is left to the json module.

    The json module escapes non-ASCII text a character at a time: the 2,000 entries
    of a 5,000-briefing site's JSON feeds, 30 KB each, took a third of a second.
    replace() runs at memory speed."""
    if _RARE_IN_JSON.search(text) is not None:
        return None
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'
