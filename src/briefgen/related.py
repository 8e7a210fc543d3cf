"""What else covers this: related briefings, and how many briefings each source has on a topic or place.

Pure functions of the briefings, like index.py. Two briefings are related by
the terms they share of the taxonomies that count for it (`related` in the
settings: tags and places by default; terms match by slug, tags with tags and
places with places); a briefing's related briefings are the few that share
the most, the newest first among those that share as many, from any source.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from briefgen.index import newest_first
from briefgen.model import Briefing, Source, Taxonomy

RELATED_LIMIT = 5
"""Related briefings shown on a briefing's page."""


def _term_keys(briefing: Briefing, keys: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """(taxonomy key, term slug) of each of the briefing's terms in the taxonomies `keys`."""
    terms = briefing.terms
    return tuple(sorted({(key, term.slug) for key in keys.intersection(terms) for term in terms[key]}))


def related_briefings(
    briefings: Sequence[Briefing], taxonomies: Sequence[Taxonomy], limit: int = RELATED_LIMIT
) -> Mapping[str, tuple[Briefing, ...]]:
    """By briefing path: up to `limit` other briefings sharing the most terms with it.

    Ordered by the number of shared terms (of the taxonomies that count), most
    first, then newest first (ties of date by source key and slug): the same
    input always gives the same order. A briefing with no such terms has none.

    Each term is a bit set over the briefings in newest-first order, so that
    counting, for every briefing, how many of its terms each other briefing
    has is a handful of big-integer operations instead of a loop over pairs.
    """
    ordered = newest_first(briefings)
    keys = frozenset(taxonomy.key for taxonomy in taxonomies if taxonomy.related)
    bits: dict[tuple[str, str], bytearray] = defaultdict(lambda: bytearray(len(ordered) // 8 + 1))
    for rank, briefing in enumerate(ordered):
        for key in _term_keys(briefing, keys):
            bits[key][rank >> 3] |= 1 << (rank & 7)
    masks = {key: int.from_bytes(value, "little") for key, value in bits.items()}
    result: dict[str, tuple[Briefing, ...]] = {}
    for rank, briefing in enumerate(ordered):
        picked = _most_shared([masks[key] for key in _term_keys(briefing, keys)], exclude=rank, limit=limit)
        result[briefing.path] = tuple(ordered[i] for i in picked)
    return result


def _most_shared(masks: Sequence[int], *, exclude: int, limit: int) -> list[int]:
    """Ranks (newest first) of the briefings in the most of `masks`, `exclude` left out."""
    # at_least[n]: the briefings that are in at least n of the masks (-1 is every bit set).
    at_least = [-1] + [0] * len(masks)
    for mask in masks:
        for n in range(len(masks), 0, -1):
            at_least[n] |= at_least[n - 1] & mask
    at_least.append(0)
    picked: list[int] = []
    for n in range(len(masks), 0, -1):
        exactly = at_least[n] & ~at_least[n + 1] & ~(1 << exclude)
        while exactly and len(picked) < limit:
            lowest = exactly & -exactly  # the newest of those sharing exactly n terms
            picked.append(lowest.bit_length() - 1)
            exactly ^= lowest
        if len(picked) == limit:
            break
    return picked


@dataclass(frozen=True, slots=True)
class SourceCount:
    """How many of a listing's briefings one source published."""

    source: Source
    count: int


def count_by_source(briefings: Sequence[Briefing]) -> tuple[SourceCount, ...]:
    """Each source with its number of briefings among `briefings`: most first, then by name."""
    counts = Counter(briefing.source.key for briefing in briefings)
    sources = {briefing.source.key: briefing.source for briefing in briefings}
    return tuple(
        SourceCount(sources[key], count)
        for key, count in sorted(counts.items(), key=lambda kv: (-kv[1], sources[kv[0]].name.casefold(), kv[0]))
    )
