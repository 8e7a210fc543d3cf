"""Property tests of the loader: whatever an editor (or a broken disk) puts in
a site root, loading it either succeeds or raises ArchiveError whose every
problem names a file and a line inside it. Never any other exception.

Each example writes its own site in a fresh temporary folder: function-scoped
fixtures such as tmp_path are not reset between hypothesis examples.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen.config import SETTINGS_KEYS, SOURCE_KEYS, decode
from briefgen.errors import ArchiveError, Problem
from briefgen.frontmatter import BRIEFING_KEYS
from briefgen.load import load_archive, load_briefing
from briefgen.markdown import MarkdownRenderer
from briefgen.model import Archive, Source
from briefgen.parse import SourceRegistry
from briefgen.slugs import is_plain_slug
from briefgen.yamlfields import UNSHOWABLE
from tests.properties import examples
from tests.sites import SOURCES_YAML, write_site

TODAY = dt.date(2025, 7, 1)
PROPERTY_SETTINGS = settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- strategies -------------------------------------------------------------------

# Text an editor might type, plus the characters that trip parsers up.
awkward_text = st.text(
    alphabet=st.one_of(
        st.characters(exclude_categories=("Cs",)),
        st.sampled_from(list("\t\r\n\x00\ufeff\u2028\x85 :-#[]{}&*!|>'\"%@`\\²٣")),
    ),
    max_size=40,
)

yaml_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.datetimes(),
    awkward_text,
    st.sampled_from(["2025-06-26", "2025-13-01", "yesterday", "2025-W26-4", "isw", "Wilson Center", "../x", "a/b"]),
    st.sampled_from(["https://example.org/r", "http://[x", "ftp://x.org", "javascript:alert(1)", "www.x.org"]),
)

yaml_values = st.recursive(
    yaml_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(awkward_text, st.integers(0, 20)), children, max_size=4),
    ),
    max_leaves=16,
)

front_matter_keys = st.one_of(st.sampled_from([*BRIEFING_KEYS, "takaways", "Title", "tag"]), awkward_text)
front_matters = st.dictionaries(front_matter_keys, yaml_values, max_size=12)

plausible_front_matter = st.fixed_dictionaries(
    {
        "title": st.one_of(awkward_text, yaml_values),
        "date": st.one_of(st.dates().map(dt.date.isoformat), yaml_scalars),
        "source": st.one_of(st.sampled_from(["isw", "Wilson Center", "institute for the study of war"]), awkward_text),
    },
    optional={
        "footnotes": st.one_of(
            st.dictionaries(st.integers(-2, 12), st.one_of(awkward_text, yaml_values), max_size=6), yaml_values
        ),
        "slug": st.one_of(st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True), awkward_text),
        "tags": st.one_of(st.lists(awkward_text, max_size=4), yaml_values),
        "places": st.lists(awkward_text, max_size=4),
        "takeaways": st.lists(awkward_text, max_size=3),
        "url": yaml_scalars,
        "extra": yaml_values,
        "draft": st.one_of(st.booleans(), yaml_scalars),
    },
)

body_fragments = st.sampled_from(
    [
        "[1]", "[2][3]", "\\[4]", "`[5]`", "[6](https://x.org)", "[7]: https://ref", "![alt](map.png)",
        "![](missing.png)", "![a](http://[x)", "![a](%00.png)", "![a](<a b.png>)", "![a](../../../../etc/x.png)",
        "![a](" + "a" * 300 + ".png)", "| a | b |\n|---|---|\n| 1 [1] | 2 |", "```\n[1]\n```", "    [2]",
        "## Heading [1]", "> quote [2]", "<b>x</b>", "<script>x</script>", "https://x.org/[1]", "~~x~~",
        "\n", "\n\n", "\r\n", "\r", "\t", "\ufeff", "\x00", "---", "...", "- item [3]\n  more",
    ]
)  # fmt: skip
bodies = st.one_of(
    awkward_text,
    st.lists(st.one_of(body_fragments, awkward_text), max_size=12).map(" ".join),
)


def dump(value: Any, flow: bool, unicode: bool) -> str:
    return yaml.safe_dump(value, default_flow_style=flow, allow_unicode=unicode, sort_keys=False)


@st.composite
def briefing_files(draw: st.DrawFn) -> bytes:
    """A briefing file: dumped YAML front matter, raw text between fences, or anything at all."""
    body = draw(bodies)
    kind = draw(st.sampled_from(["plausible", "random-yaml", "raw-front-matter", "text", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    if kind == "text":
        text = draw(awkward_text)
    elif kind == "raw-front-matter":
        text = f"---\n{draw(awkward_text)}\n---\n{body}"
    else:
        front = draw(plausible_front_matter if kind == "plausible" else st.one_of(front_matters, yaml_values))
        text = f"---\n{dump(front, draw(st.booleans()), draw(st.booleans()))}---\n{body}"
    if draw(st.booleans()):
        text = text.replace("\n", draw(st.sampled_from(["\r\n", "\r"])))
    if draw(st.booleans()):
        text = "\ufeff" + text
    return text.encode("utf-8")


file_names = st.one_of(
    st.sampled_from(["a", "b", "isw-daily", "2025/06/26/report", "Über Kursk", "con", "...", "x/y/z"]),
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="/\x00"), min_size=1, max_size=12),
).filter(lambda name: name not in {".", ".."})

settings_files = st.one_of(
    st.builds(
        dump,
        st.dictionaries(st.one_of(st.sampled_from([*SETTINGS_KEYS, "per_pgae"]), awkward_text), yaml_values),
        st.booleans(),
        st.booleans(),
    ),
    st.builds(dump, yaml_values, st.booleans(), st.booleans()),
    awkward_text,
)

source_entries = st.one_of(
    st.dictionaries(st.one_of(st.sampled_from([*SOURCE_KEYS, "nmae"]), awkward_text), yaml_values, max_size=4),
    yaml_values,
)
sources_files = st.one_of(
    st.builds(
        dump,
        st.dictionaries(
            st.one_of(st.sampled_from(["isw", "wilson-center", "Bad Key", "con"]), awkward_text), source_entries
        ),
        st.booleans(),
        st.booleans(),
    ),
    st.builds(dump, yaml_values, st.booleans(), st.booleans()),
    awkward_text,
    st.just(SOURCES_YAML),
)


# --- the properties -------------------------------------------------------------------


def lines_in(root: Path, rel: str) -> int:
    """How many lines the file has, counting '\\r\\n', '\\r' and '\\n' as line ends."""
    data = (root / rel).read_bytes()
    text = data.decode("utf-8", errors="replace")
    return len(re.split(r"\r\n|\r|\n", text))


def assert_well_placed(root: Path, problems: tuple[Problem, ...]) -> None:
    for problem in problems:
        assert problem.path, problem
        assert problem.message.strip(), problem
        assert not problem.path.startswith("/"), problem
        assert (root / problem.path).exists(), problem
        assert problem.line >= 1, problem
        if (root / problem.path).is_file():
            assert problem.line <= lines_in(root, problem.path) + 1, problem


def load_or_problems(root: Path) -> tuple[Archive | None, tuple[Problem, ...]]:
    try:
        archive, warnings = load_archive(root, today=TODAY, include_drafts=True)
    except ArchiveError as exc:
        assert exc.errors, "ArchiveError without an error"
        return None, exc.problems
    return archive, warnings


def assert_safe_addresses(archive: Archive) -> None:
    for briefing in archive.briefings:
        assert is_plain_slug(briefing.slug), briefing.slug
        assert is_plain_slug(briefing.source.key), briefing.source.key
        for term in (term for terms in briefing.terms.values() for term in terms):
            assert is_plain_slug(term.slug), term


@PROPERTY_SETTINGS
@given(files=st.dictionaries(file_names, briefing_files(), min_size=1, max_size=3))
def test_any_briefings_load_or_fail_with_placed_problems(files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = write_site(
            Path(folder),
            {"sources.yaml": SOURCES_YAML, **{f"briefings/{name}.md": data for name, data in files.items()}},
        )
        archive, problems = load_or_problems(root)
        assert_well_placed(root, problems)
        if archive is not None:
            assert_safe_addresses(archive)


@PROPERTY_SETTINGS
@given(settings_text=settings_files, sources_text=sources_files, briefing=briefing_files())
def test_any_settings_and_sources_load_or_fail_with_placed_problems(
    settings_text: str, sources_text: str, briefing: bytes
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = write_site(
            Path(folder),
            {"briefgen.yaml": settings_text, "sources.yaml": sources_text, "briefings/a.md": briefing},
        )
        archive, problems = load_or_problems(root)
        assert_well_placed(root, problems)
        if archive is not None:
            assert archive.settings.per_page >= 1
            assert archive.settings.base_url.endswith("/")
            assert all(is_plain_slug(key) for key in archive.sources)


@PROPERTY_SETTINGS
@given(data=briefing_files())
def test_load_briefing_collects_problems_and_never_raises(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = write_site(Path(folder), {"briefings/a.md": data})
        problems: list[Problem] = []
        registry = SourceRegistry({"isw": Source(key="isw", name="Institute for the Study of War")})
        briefing = load_briefing(
            root,
            root / "briefings" / "a.md",
            registry=registry,
            renderer=MarkdownRenderer(allow_html=False),
            today=TODAY,
            problems=problems,
        )
        assert_well_placed(root, tuple(problems))
        assert all(p.path == "briefings/a.md" for p in problems)
        # A briefing comes back exactly when none of its problems is an error.
        assert (briefing is None) == any(p.is_error for p in problems)
        if briefing is not None:
            assert briefing[0].title.strip()
            assert briefing[0].path == "briefings/a.md"


@settings(max_examples=examples(800), deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=60))
def test_every_control_character_is_replaced_and_reported(text: str) -> None:
    # decode() looks for them in the bytes first, and with the regular expression only then.
    problems: list[Problem] = []
    decoded = decode(text.encode("utf-8"), "a.md", problems)
    assert decoded is not None
    assert UNSHOWABLE.search(decoded) is None
    expected = UNSHOWABLE.search(text.replace("\r", "\n")) is not None
    assert any("invisible control character" in p.message for p in problems) == expected
