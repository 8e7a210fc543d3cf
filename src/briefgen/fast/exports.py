"""The fast path of exports.py: a JSON document assembled by hand from parts made once.

exports.py, the reference, writes every JSON file with model.json_text; while
the switch (fast/switch.py) is on it places a record's notes or a feed item's
content, made once, into the document's JSON instead of decoding and encoding
them again, which promises the same bytes: tests/test_json_fast_paths.py holds
it to it. (A shortcut for escaping a JSON string with str.replace was here too;
the json module's C encoder, measured side by side, was over twice as fast.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from briefgen.model import json_text


def json_text_with(document: Mapping[str, Any], key: str, value_json: str) -> str:
    """json_text of the document with `key` added, given that value's JSON, made apart.

    With keys sorted, `key` goes between the keys before it and those after."""
    before = json_text({k: v for k, v in document.items() if k < key})[1:-1]
    after = json_text({k: v for k, v in document.items() if k > key})[1:-1]
    return "{" + ",".join(part for part in (before, f'"{key}":{value_json}', after) if part) + "}"
