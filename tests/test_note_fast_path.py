"""The fast paths for plain notes and plain inline text render exactly what markdown-it renders."""

from __future__ import annotations

import re
import sys

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from briefgen.fast.markdown import WHITE_SPACE_BUT_SPACE, is_plain_inline, plain_note_html
from briefgen.markdown import MarkdownRenderer
from tests.properties import examples

RENDERER = MarkdownRenderer(allow_html=False)

hosts = st.from_regex(r"[A-Za-z0-9.-]{1,20}", fullmatch=True)
url_paths = st.from_regex(r"(/[A-Za-z0-9._~/%-]{0,20})?", fullmatch=True)
addresses = st.builds(
    lambda scheme, host, path: f"{scheme}://{host}{path}", st.sampled_from(["http", "https"]), hosts, url_paths
)
words = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from(list(" ,.;:'\"()?-/’“”")),
    max_size=25,
)
notes = st.lists(st.one_of(words, addresses), min_size=1, max_size=6).map(" ".join)


@settings(max_examples=examples(1000), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(notes)
@example('Reuters, "North Korea may send more troops", June 26, 2025, https://www.reuters.com/world/asia/')
@example("ISW: Russian Offensive Campaign Assessment, June 25, 2025")
@example("https://example.org/cite/12/3")
def test_fast_path_matches_markdown_it(text: str) -> None:
    fast = plain_note_html(text)
    if fast is not None:
        assert fast == RENDERER.render_note_reference(text)


@settings(max_examples=examples(1000), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words, addresses)
@example("Reuters, June 26, 2025,", "https://www.reuters.com/world/asia/")
@example("A\u00a0B,", "https://x.org")
@example("a  ", "https://x.org/")
def test_a_source_and_its_address_render_as_markdown_it_renders_them(name: str, address: str) -> None:
    # The commonest note, a name then one address, has a shortcut of its own.
    text = f"{name} {address}"
    fast = plain_note_html(text)
    if fast is not None:
        assert fast == RENDERER.render_note_reference(text)


def test_white_space_but_space_is_every_character_that_str_calls_space() -> None:
    listed = re.compile(f"[{WHITE_SPACE_BUT_SPACE}]")
    for code in range(sys.maxunicode + 1):
        character = chr(code)
        assert (listed.match(character) is not None) == (character.isspace() and character != " "), hex(code)


def test_corpus_like_notes_take_the_fast_path() -> None:
    note = "Artillery Forces Ballistic Donetsk Kursk, https://example.org/cite/123/45"
    assert plain_note_html(note) == RENDERER.render_note_reference(note)
    assert "<a href=" in (plain_note_html(note) or "")


def test_markup_in_a_note_goes_to_the_full_parser() -> None:
    for text in (
        "*emphasis* here",
        "`code`",
        "a <b>tag</b>",
        "AT&amp;T",
        "[link](https://x.org)",
        "see https://x.org/a.",
    ):
        assert plain_note_html(text) is None
        assert RENDERER.render_note(text) == RENDERER.render_note_reference(text)


inline_texts = st.lists(words, min_size=1, max_size=8).map(" ".join)


@settings(max_examples=examples(1000), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inline_texts)
@example("Russia’s forces: 1,200 km/h; Kyiv/Kharkiv, “advances” (June).")
@example("a  b")
def test_inline_fast_path_matches_markdown_it(text: str) -> None:
    # Takeaways and summaries: the same plain words, without addresses (inline text links none).
    if is_plain_inline(text):
        assert RENDERER.render_inline(text) == RENDERER.render_inline_reference(text)
        assert RENDERER.inline_text(text) == RENDERER.inline_text_reference(text)


def test_corpus_like_takeaways_take_the_inline_fast_path() -> None:
    takeaway = "Russia’s forces likely advanced near Pokrovsk, per “geolocated” footage: 1/3 of it."
    assert is_plain_inline(takeaway)
    assert RENDERER.render_inline(takeaway) == RENDERER.render_inline_reference(takeaway)
    for marked in ("*emphasis*", "a `code` span", "AT&amp;T", "<b>", "[x](https://x.org)", "~~gone~~", "a\\*b"):
        assert not is_plain_inline(marked)
        assert RENDERER.render_inline(marked) == RENDERER.render_inline_reference(marked)
