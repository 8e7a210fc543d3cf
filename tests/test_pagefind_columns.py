"""The kept words as columns (pagefindcolumns.py), changed and read in runs, against a plain dict of the
same words: what a chunk joins, the sizes the chunking counts and the columns saved are the dict's.

The runs between changed words are found by bisection; an off-by-one there would join a word twice or
drop one, and a fresh assembly would not notice what a kept index read back then wrote (the kept
index's own tests go through it on one corpus)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen.pagefindcolumns import KeptWords
from briefgen.pagefindwords import KeptWord


def kept_word(word: str, version: int) -> KeptWord:
    encoded = f"<{word}:{version}>".encode()
    pages = bytes([version % 7, 0, 0, 0])
    return (encoded, 1, len(encoded) - 1, pages, bytes(8), len(word) + version, ())


words = st.lists(st.text("abcdefgh", min_size=1, max_size=4), min_size=1, max_size=60, unique=True)


@settings(max_examples=300, deadline=None)
@given(
    words=words, changes=st.lists(st.tuples(st.text("abcdefgh", min_size=1, max_size=4), st.booleans())), data=st.data()
)
def test_runs_of_changed_columns_read_as_the_plain_words(
    words: list[str], changes: list[tuple[str, bool]], data: st.DataObject
) -> None:
    plain = {word: kept_word(word, 0) for word in sorted(words)}
    saved = KeptWords.of(plain).columns(sorted(plain))
    kept = KeptWords(saved)
    for version, (word, put) in enumerate(changes, start=1):
        if put:
            kept[word] = plain[word] = kept_word(word, version)
        elif word in plain:
            del kept[word], plain[word]
    order = sorted(plain)
    assert sorted(kept) == order
    start = data.draw(st.integers(0, len(order)))
    end = data.draw(st.integers(start, len(order)))
    run = order[start:end]
    assert kept.joined(run) == b"".join(plain[word][0] for word in run)
    assert kept.sizes(run) == [plain[word][5] for word in run]
    again = KeptWords(kept.columns(order))
    assert [again[word] for word in order] == [plain[word] for word in order]
