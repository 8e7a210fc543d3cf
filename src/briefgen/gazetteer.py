"""The registries beside briefgen.yaml, sources.yaml and each taxonomy's (the gazetteer among them):
YAML files -> sources and terms, and a term found by any of its names.

A registry (`registry:` in briefgen.yaml; places.yaml for places by default)
gives each term a key (its slug), a display name, a description and aliases,
its other names in any script or spelling. Every taxonomy's registry takes
aliases: an author is written 'J. Doe' and 'Jane Doe', a topic 'UAVs' and
'drones', as a place is 'Kyiv' and 'Київ'. Only the places' registry, the
gazetteer, takes `latitude`/`longitude` and `within` (the region or country a
place lies in): a topic has no position, and a hierarchy of topics would want
pages this module does not plan.

A briefing's term is found by key, name or alias, case and Latin accents aside
(`fold`). Only the gazetteer is taken as complete: a place it does not know
is a warning with the nearest name, so that `check --strict` stops a typo;
another registry may name only the few terms it describes, the others being
published as written. Read here, apart from config.py, which reads settings.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode

from briefgen.config import SETTINGS_FILE, SOURCE_KEYS, SOURCES_FILE, is_web_address, read_text
from briefgen.errors import Problem, error, warning
from briefgen.model import GAZETTEER_KEY, Source, Taxonomy, Term
from briefgen.slugs import SlugStyle, is_plain_slug, slug_for, slug_of
from briefgen.yamlfields import Fields, kind_of, nearest
from briefgen.yamlnodes import BOOL_TAG, NULL_TAG, YamlError, compose, line_of

REGISTRY_KEYS = ("name", "description", "aliases")
"""What a term of any taxonomy's registry may say."""
PLACE_KEYS = ("latitude", "longitude", "within")
"""What a place of the gazetteer may say besides."""
LATITUDE_RANGE, LONGITUDE_RANGE = (-90.0, 90.0), (-180.0, 180.0)

# Typographic apostrophes and the modifier letter Ukrainian uses (Мар'їнка, Марʼїнка) read as one.
_APOSTROPHES = str.maketrans(dict.fromkeys("\u2019\u02bc\u2018\u0060\u00b4\u02b9\u2032", "'"))


def fold(name: str) -> str:
    """A name as compared: case folded, compatibility forms unified, accents of Latin letters dropped.

    'Kyïv', 'KYIV' and 'kyiv' fold alike. Only marks on Latin letters go: in
    Cyrillic й and ї are letters of their own, not и and і with an accent
    (NFKD would split them), so 'Київ' stays 'київ'. Spaces are collapsed."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    kept: list[str] = []
    latin = False
    for char in decomposed:
        if unicodedata.combining(char):
            if latin:
                continue
        else:
            latin = unicodedata.name(char, "").startswith("LATIN ")
        kept.append(char)
    return " ".join(unicodedata.normalize("NFC", "".join(kept)).translate(_APOSTROPHES).split())


@dataclass(frozen=True, slots=True)
class Registry:
    """One taxonomy's registered terms, and every spelling a briefing may list one by."""

    file: str = ""
    """The registry's file name; '' when the taxonomy has none."""
    terms: Mapping[str, Term] = field(default_factory=dict)
    """By slug, in the file's order."""
    spellings: Mapping[str, str] = field(default_factory=dict)
    """fold() of each key, name and alias -> the slug of its term."""
    complete: bool = False
    """Whether a term it does not know is a mistake to report (the gazetteer)."""

    def resolve(self, name: str, style: SlugStyle = SlugStyle.ASCII) -> Term | None:
        """The registered term `name` is a key, a name or an alias of (or, as before aliases, slugs to).

        A registry's keys are ASCII: with unicode slugs, the name's transliteration may still be one."""
        spelled = self.spellings.get(fold(name))
        if spelled is not None:
            return self.terms.get(spelled)
        return self.terms.get(name) or self.terms.get(slug_for(name, style)) or self.terms.get(slug_of(name))

    def nearest(self, name: str) -> str:
        """' (did you mean 'Kyiv'?)' for the term with the spelling closest to `name`, or ''."""
        match = difflib.get_close_matches(fold(name), sorted(self.spellings), n=1, cutoff=0.6)
        return f" (did you mean '{self.terms[self.spellings[match[0]]].name}'?)" if match else ""


def read_registry(root: Path, taxonomy: Taxonomy, problems: list[Problem]) -> Registry:
    """A taxonomy's registry, every problem of it at its line; an empty Registry when it has none.

    Written like sources.yaml: `slug: {name: ..., description: ..., aliases: [...]}`,
    and for a place `latitude`, `longitude` and `within: <slug>` besides."""
    if taxonomy.registry is None:
        return Registry()
    name = taxonomy.registry
    text = read_text(root, name, problems)
    if text is None:
        if not (root / name).is_file():
            problems.append(
                error(SETTINGS_FILE, 1, f"the registry of taxonomy '{taxonomy.key}', {name}, does not exist")
            )
        return Registry(name)
    gazetteer = taxonomy.key == GAZETTEER_KEY
    known = REGISTRY_KEYS + PLACE_KEYS if gazetteer else REGISTRY_KEYS
    terms: dict[str, Term] = {}
    within_lines: dict[str, int] = {}
    spelling_lines: dict[str, list[tuple[str, int]]] = {}
    for key_node, value_node in _registry_mapping(text, name, problems):
        slug = str(key_node.value) if isinstance(key_node, ScalarNode) else ""
        if not is_plain_slug(slug):
            message = f"key '{slug}' must be a plain name: lowercase letters, digits and '-'"
            problems.append(error(name, line_of(key_node, 1), message))
            continue
        fields = Fields(value_node, path=name, first_line=1, known=known, what=f"'{slug}'", problems=problems)
        if not isinstance(value_node, MappingNode):
            continue
        aliases = fields.text_items("aliases")
        terms[slug] = Term(
            name=fields.text("name") or slug,
            slug=slug,
            description=fields.text("description"),
            aliases=tuple(alias for alias, _ in aliases),
        )
        spelling_lines[slug] = [(slug, line_of(key_node, 1)), (terms[slug].name, fields.line("name")), *aliases]
        if gazetteer:
            terms[slug] = _placed(terms[slug], fields)
            if fields.has("within"):
                within_lines[slug] = fields.value_line("within")
    terms = _with_checked_hierarchy(terms, within_lines, name, problems)
    return Registry(name, terms, _spellings(spelling_lines, terms, name, problems), complete=gazetteer)


def _registry_mapping(text: str, name: str, problems: list[Problem]) -> list[tuple[Node, Node]]:
    try:
        node = compose(text, name, 1)
    except YamlError as exc:
        problems.append(exc.problem)
        return []
    if node is None:
        return []
    if not isinstance(node, MappingNode):
        problems.append(error(name, 1, f"{name} must be a mapping of term slugs to their details, not {kind_of(node)}"))
        return []
    return list(node.value)


def _placed(term: Term, fields: Fields) -> Term:
    """The term with its coordinates (both, or neither) and the slug it lies within."""
    latitude = _degrees(fields, "latitude", LATITUDE_RANGE, "north")
    longitude = _degrees(fields, "longitude", LONGITUDE_RANGE, "east")
    if fields.has("latitude") != fields.has("longitude"):
        given, missing = ("latitude", "longitude") if fields.has("latitude") else ("longitude", "latitude")
        message = f"'{term.slug}' has a {given} but no {missing}: give both, or neither"
        fields.problems.append(error(fields.path, fields.mapping_line, message))
        latitude = longitude = None
    return dataclasses.replace(term, latitude=latitude, longitude=longitude, within=fields.text("within"))


def _degrees(fields: Fields, key: str, allowed: tuple[float, float], positive: str) -> float | None:
    """A number of degrees within `allowed`; None with a problem at its line for anything else."""
    if not fields.has(key):
        return None
    node = fields.nodes[key][1]
    low, high = allowed
    value = _number(node)
    if value is not None and low <= value <= high:
        return value
    shown = kind_of(node) if value is None else f"{value:g}"
    message = (
        f"'{key}' must be a number of degrees from {low:g} to {high:g} ({positive} is positive,"
        f" as in '{key}: {48.3978 if key == 'latitude' else 37.8472}'), not {shown}"
    )
    fields.problems.append(error(fields.path, fields.value_line(key), message))
    return None


def _number(node: Node) -> float | None:
    if not isinstance(node, ScalarNode) or node.tag in {BOOL_TAG, NULL_TAG}:
        return None
    try:
        value = float(str(node.value))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _with_checked_hierarchy(
    terms: dict[str, Term], within_lines: Mapping[str, int], name: str, problems: list[Problem]
) -> dict[str, Term]:
    """The terms, each `within` naming a term of the registry and leading to no cycle; a bad one is
    reported at its line and dropped, so that nothing downstream walks a loop or a missing place."""
    dropped: set[str] = set()
    for slug, term in terms.items():
        if term.within is not None and term.within not in terms:
            message = f"'{slug}' lies within '{term.within}', which is not a key of {name}{nearest(term.within, terms)}"
            problems.append(error(name, within_lines[slug], message))
            dropped.add(slug)
    for slug in terms:
        chain = [slug]
        while (parent := terms[chain[-1]].within) is not None and parent in terms:
            if parent in chain:
                cycle = [*chain[chain.index(parent) :], parent]
                if slug in cycle:
                    dropped.add(slug)
                if slug == min(cycle):  # one problem for each cycle, at the first of its places by key
                    message = f"'{slug}' lies within itself: {' -> '.join(cycle[cycle.index(slug) :])}"
                    problems.append(error(name, within_lines[slug], message))
                break
            chain.append(parent)
    return {slug: dataclasses.replace(term, within=None) if slug in dropped else term for slug, term in terms.items()}


def _spellings(
    lines: Mapping[str, list[tuple[str, int]]], terms: Mapping[str, Term], name: str, problems: list[Problem]
) -> dict[str, str]:
    """fold() of every key, name and alias -> its term's slug; one two terms share is an error at its second."""
    spellings: dict[str, str] = {}
    for slug, written in lines.items():
        for spelling, line in written:
            folded = fold(spelling)
            other = spellings.setdefault(folded, slug)
            if other != slug:
                message = (
                    f"'{spelling}' of '{slug}' is already a name of '{other}' ({terms[other].name}):"
                    " a briefing listing it could mean either"
                )
                problems.append(error(name, line, message))
    return spellings


def read_sources(root: Path, problems: list[Problem]) -> dict[str, Source]:
    """The sources registry by key; empty when sources.yaml is absent."""
    text = read_text(root, SOURCES_FILE, problems)
    if text is None:
        return {}
    try:
        node = compose(text, SOURCES_FILE, 1)
    except YamlError as exc:
        problems.append(exc.problem)
        return {}
    if node is None:
        return {}
    if not isinstance(node, MappingNode):
        problems.append(
            error(
                SOURCES_FILE, 1, f"sources.yaml must be a mapping of source keys to their details, not {kind_of(node)}"
            )
        )
        return {}
    sources: dict[str, Source] = {}
    for key_node, value_node in node.value:
        line = 1 + key_node.start_mark.line
        key = str(key_node.value) if isinstance(key_node, ScalarNode) else ""
        if not is_plain_slug(key):
            problems.append(
                error(SOURCES_FILE, line, f"source key '{key}' must be a plain name: lowercase letters, digits and '-'")
            )
            continue
        fields = Fields(
            value_node, path=SOURCES_FILE, first_line=1, known=SOURCE_KEYS, what=f"source '{key}'", problems=problems
        )
        if not isinstance(value_node, MappingNode):
            continue
        fields.require("name", "Institute for the Study of War")
        name = fields.text("name")
        url = fields.text("url")
        if url is not None and not is_web_address(url):
            problems.append(
                error(SOURCES_FILE, fields.value_line("url"), f"'url' must be an http(s) address, not '{url}'")
            )
            url = None
        if name is not None:
            sources[key] = Source(key=key, name=name, url=url, description=fields.text("description"))
    return sources


def terms_named(
    names: tuple[tuple[str, int], ...],
    registry: Registry | None,
    taxonomy: Taxonomy,
    rel: str,
    problems: list[Problem],
    style: SlugStyle,
) -> tuple[Term, ...]:
    """The terms named, once each by slug: a registered one (by its key, name or an alias) as its registry has it.

    A name a complete registry (the gazetteer) does not know is published as written,
    with a warning at its line naming the nearest it knows: most are typos."""
    terms: dict[str, Term] = {}
    for name, line in names:
        term = registry.resolve(name, style) if registry is not None else None
        if term is None:
            term = Term(name=name, slug=slug_for(name, style))
            if registry is not None and registry.complete:
                problems.append(warning(rel, line, _unknown_term(name, registry, taxonomy)))
        terms.setdefault(term.slug, term)
    return tuple(terms.values())


def _unknown_term(name: str, registry: Registry, taxonomy: Taxonomy) -> str:
    kind = taxonomy.label.lower()
    return (
        f"{kind} '{name}' is not in {registry.file}{registry.nearest(name)}: add it there"
        f" (or as an alias of a {kind} it lists), or it is published as a {kind} of its own"
    )
