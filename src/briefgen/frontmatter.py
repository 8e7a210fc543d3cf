"""The front matter: which keys a briefing may have, and where it ends and the text begins.

briefgen splits a file itself rather than with python-frontmatter (README,
Development): parse.py composes the front matter into YAML nodes that keep
their line numbers (yamlfields.py), and the body keeps the number of its first
line, so that every problem is reported at the file's own line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefgen.config import FIXED_BRIEFING_KEYS
from briefgen.errors import Problem, error
from briefgen.model import Taxonomy

BRIEFING_KEYS = (
    "title", "date", "source", "url", "authors", "summary", "takeaways",
    "footnotes", "tags", "places", "slug", "draft", "extra", "language", "translation_key", "translation_of",
)  # fmt: skip
"""Every key a briefing's front matter may have with the default taxonomies (docs/format.md lists each;
a test compares the two): FIXED_BRIEFING_KEYS and the taxonomies' keys, in the order messages list them."""
REQUIRED_KEYS = {"title": "Russian Offensive Campaign Assessment", "date": "2025-06-26", "source": "isw"}
"""The keys every briefing must have, each with the example its error shows."""
FRONT_MATTER_FENCE = "---"
TERM_KEYS = tuple(key for key in BRIEFING_KEYS if key not in FIXED_BRIEFING_KEYS)
"""The default taxonomies' front-matter keys; a site's are those of its settings (front_matter_keys)."""


def front_matter_keys(taxonomies: tuple[Taxonomy, ...]) -> tuple[str, ...]:
    """The keys a site's briefings may have: the fixed ones and its taxonomies', the defaults where they always were."""
    configured = {taxonomy.key for taxonomy in taxonomies}
    kept = tuple(key for key in BRIEFING_KEYS if key in FIXED_BRIEFING_KEYS or key in configured)
    return kept + tuple(taxonomy.key for taxonomy in taxonomies if taxonomy.key not in BRIEFING_KEYS)


@dataclass(frozen=True, slots=True)
class SplitFile:
    """A briefing file cut into its front matter and body."""

    front_matter: str
    body: str
    body_first_line: int
    """File line of the body's first line."""


# A line '---' or '...' (trailing white space allowed) closing the front matter.
_CLOSING_FENCE = re.compile(r"^(?:---|\.\.\.)[^\S\n]*$", re.MULTILINE)


def split_front_matter(text: str, rel: str, problems: list[Problem]) -> SplitFile | None:
    """The file cut at its fences, or None with the reason in `problems` (no front matter, or one never closed)."""
    if not text.strip():
        problems.append(error(rel, 1, "the file is empty: a briefing starts with front matter between '---' lines"))
        return None
    first_end = text.find("\n")
    if (text if first_end < 0 else text[:first_end]).rstrip() != FRONT_MATTER_FENCE:
        problems.append(
            error(
                rel,
                1,
                "no front matter: a briefing starts with a line '---', its title, date and source, and another '---'",
            )
        )
        return None
    fence = _CLOSING_FENCE.search(text, first_end + 1) if first_end >= 0 else None
    if fence is None:
        problems.append(error(rel, 1, "the front matter is never closed: add a line '---' after its last key"))
        return None
    # Cut with find and one search rather than splitting a 30 KB file into lines and joining them again.
    fence_line = text.count("\n", 0, fence.start())
    return SplitFile(
        front_matter=text[first_end + 1 : fence.start()] or "\n",
        body=text[fence.end() + 1 :],
        body_first_line=fence_line + 2,
    )
