"""The gazetteer and every registry (gazetteer.py): names folded, aliases in any script, coordinates and
`within` checked, each problem at its line in the registry; a briefing's place found by any of its names."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from briefgen.errors import ArchiveError, Problem
from briefgen.gazetteer import Registry, fold, read_registry
from briefgen.load import load_archive
from briefgen.model import DEFAULT_TAXONOMIES, GAZETTEER_KEY, Taxonomy
from tests.sites import MakeSite, briefing_text

PLACES = next(t for t in DEFAULT_TAXONOMIES if t.key == GAZETTEER_KEY)
TODAY = dt.date(2025, 7, 1)

GAZETTEER = """\
ukraine:
  name: Ukraine
kyiv:
  name: Kyiv
  aliases: [Київ, Киев, Kiev]
  latitude: 50.4501
  longitude: 30.5234
  within: ukraine
"""


def registry(root: Path, text: str, taxonomy: Taxonomy = PLACES) -> tuple[Registry, list[str]]:
    """The registry `text` makes for `taxonomy`, and its problems as `briefgen check` prints them."""
    name = taxonomy.registry or "places.yaml"
    root.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(text, encoding="utf-8")
    problems: list[Problem] = []
    found = read_registry(root, Taxonomy(**{**_fields(taxonomy), "registry": name}), problems)
    return found, [str(problem) for problem in problems]


def _fields(taxonomy: Taxonomy) -> dict[str, object]:
    return {name: getattr(taxonomy, name) for name in Taxonomy.__dataclass_fields__}


# Folding.


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("KYIV", "kyiv"),
        ("Kyïv", "kyiv"),
        ("  Kursk   Oblast ", "kursk oblast"),
        ("Марʼїнка", "мар'їнка"),  # the modifier letter apostrophe Ukrainian uses, as a typed one
        ("ＫＹＩＶ", "kyiv"),  # full-width letters
        ("Straße", "strasse"),
    ],
)
def test_names_fold_case_and_latin_accents_away(written: str, folded: str) -> None:
    assert fold(written) == folded


@pytest.mark.parametrize(("letter", "base"), [("й", "и"), ("ї", "і"), ("ё", "е"), ("Й", "И")])
def test_a_cyrillic_letter_with_a_mark_stays_itself(letter: str, base: str) -> None:
    # NFKD splits й into и and a breve: dropping every mark would make Київ 'киів' and Край 'краи'.
    assert fold(letter) == letter.lower() != fold(base)
    assert fold("Київ") == "київ"


# Reading.


def test_the_gazetteer_reads_names_aliases_coordinates_and_within(tmp_path: Path) -> None:
    found, problems = registry(tmp_path, GAZETTEER)
    assert problems == []
    kyiv = found.terms["kyiv"]
    assert (kyiv.name, kyiv.aliases, kyiv.coordinates, kyiv.within) == (
        "Kyiv",
        ("Київ", "Киев", "Kiev"),
        (50.4501, 30.5234),
        "ukraine",
    )
    assert found.complete


@pytest.mark.parametrize("written", ["Kyiv", "kyiv", "KYIV", "Kiev", "Київ", "Киев", "КИЇВ", "Kyïv"])
def test_a_place_resolves_by_key_name_or_any_alias(tmp_path: Path, written: str) -> None:
    found, _ = registry(tmp_path, GAZETTEER)
    resolved = found.resolve(written)
    assert resolved is not None
    assert resolved.slug == "kyiv"


def test_an_unknown_place_resolves_to_nothing_and_has_a_nearest_name(tmp_path: Path) -> None:
    found, _ = registry(tmp_path, GAZETTEER)
    assert found.resolve("Kharkiv") is None
    assert found.nearest("Kyviv") == " (did you mean 'Kyiv'?)"
    assert found.nearest("Киів") == " (did you mean 'Kyiv'?)"
    assert found.nearest("Zaporizhzhia") == ""


def test_every_registry_takes_aliases_but_only_the_gazetteer_coordinates(tmp_path: Path) -> None:
    authors = Taxonomy("authors", "Author", "Authors", "authors", "author", registry="authors.yaml")
    text = "jane-doe:\n  name: Jane Doe\n  aliases: [J. Doe]\n  latitude: 50\n"
    found, problems = registry(tmp_path, text, authors)
    assert found.resolve("j. doe") is not None
    assert not found.complete
    assert problems == [
        "authors.yaml:4: unknown key 'latitude': 'jane-doe' may have name, description, aliases"
        " ('briefgen help format' describes them)"
    ]


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (
            "  latitude: 95.2\n  longitude: 30\n",
            "places.yaml:4: 'latitude' must be a number of degrees from -90 to 90 (north is positive,"
            " as in 'latitude: 48.3978'), not 95.2",
        ),
        (
            "  latitude: 50\n  longitude: -181\n",
            "places.yaml:5: 'longitude' must be a number of degrees from -180 to 180 (east is positive,"
            " as in 'longitude: 37.8472'), not -181",
        ),
        (
            "  latitude: 50°27′N\n  longitude: 30\n",
            "places.yaml:4: 'latitude' must be a number of degrees from -90 to 90 (north is positive,"
            " as in 'latitude: 48.3978'), not the text '50°27′N'",
        ),
        ("  latitude: .nan\n  longitude: 30\n", "places.yaml:4: 'latitude' must be a number"),
        ("  latitude: true\n  longitude: 30\n", "places.yaml:4: 'latitude' must be a number"),
        ("  latitude: 50\n", "places.yaml:4: 'kyiv' has a latitude but no longitude: give both, or neither"),
        ("  within: ukrane\n", "places.yaml:4: 'kyiv' lies within 'ukrane', which is not a key of places.yaml"),
        ("  aliases: [Ukraine]\n", "places.yaml:4: 'Ukraine' of 'kyiv' is already a name of 'ukraine' (Ukraine)"),
        ("  aliases: Kiev\n", "places.yaml:4: 'aliases' must be a list, like [Київ, Kiev], not the text 'Kiev'"),
    ],
)
def test_a_bad_place_is_an_error_at_its_line(tmp_path: Path, entry: str, problem: str) -> None:
    _, problems = registry(tmp_path, "ukraine:\n  name: Ukraine\nkyiv:\n" + entry)
    assert len(problems) == 1, problems
    assert problems[0].startswith(problem), problems


def test_a_place_within_itself_is_one_error_and_no_loop(tmp_path: Path) -> None:
    text = "a:\n  name: A\n  within: b\nb:\n  name: B\n  within: c\nc:\n  name: C\n  within: a\nd:\n  within: d\n"
    found, problems = registry(tmp_path, text)
    assert problems == [
        "places.yaml:3: 'a' lies within itself: a -> b -> c -> a",
        "places.yaml:11: 'd' lies within itself: d -> d",
    ]
    assert all(term.within is None for term in found.terms.values())


def test_places_yaml_beside_briefgen_yaml_is_the_gazetteer(make_site: MakeSite) -> None:
    root = make_site({"places.yaml": GAZETTEER, "briefings/a.md": briefing_text("places: [Київ]\n")})
    archive, warnings = load_archive(root, today=TODAY)
    assert warnings == ()
    assert [t.name for t in archive.briefings[0].terms["places"]] == ["Kyiv"]
    assert next(t for t in archive.settings.taxonomies if t.key == GAZETTEER_KEY).registry == "places.yaml"


def test_a_named_registry_overrides_places_yaml(make_site: MakeSite) -> None:
    root = make_site(
        {
            "briefgen.yaml": "taxonomies:\n  places:\n    registry: world.yaml\n",
            "places.yaml": "kyiv:\n  name: Wrong\n",
            "world.yaml": GAZETTEER,
            "briefings/a.md": briefing_text("places: [Kiev]\n"),
        }
    )
    archive, _ = load_archive(root, today=TODAY)
    assert [t.name for t in archive.briefings[0].terms["places"]] == ["Kyiv"]


def test_a_broken_gazetteer_stops_the_build_with_every_problem(make_site: MakeSite) -> None:
    text = "kyiv:\n  latitude: 91\n  longitude: 30\n  within: nowhere\n"
    root = make_site({"places.yaml": text, "briefings/a.md": briefing_text("places: [Kyiv]\n")})
    with pytest.raises(ArchiveError) as caught:
        load_archive(root, today=TODAY)
    assert [(p.path, p.line) for p in caught.value.problems] == [("places.yaml", 2), ("places.yaml", 4)]
