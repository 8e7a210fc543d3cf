"""The JSON exports' shortcuts write exactly what the json module writes."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen.exports import _json_text_with
from briefgen.model import json_text
from tests.properties import examples

texts = st.text(
    alphabet=st.one_of(st.characters(exclude_categories=("Cs",)), st.sampled_from(list('"\\\n\t\r\x00\x1f\x7f’<>&')))
)
keys = st.text(alphabet=st.sampled_from(list("_abcnotesz")), min_size=1, max_size=8)
values = st.recursive(st.none() | st.booleans() | st.integers() | texts, lambda inner: st.lists(inner, max_size=3))


@settings(max_examples=examples(500), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys, values, max_size=6), keys, values)
def test_a_value_placed_by_hand_lands_where_sorted_keys_put_it(document: dict[str, Any], key: str, value: Any) -> None:
    document.pop(key, None)
    placed = _json_text_with(document, key, json_text(value))
    assert placed == json_text({**document, key: value})
    assert json.loads(placed) == {**document, key: value}
