"""The versions of one report in other languages: which briefings are translations of each other.

A briefing names its group with `translation_key:` (the same text in every
version), or points at another version with `translation_of:` (that file's path,
or its slug); either joins it to the other's group, so that a translation can
be added without editing the original. Pure functions of the briefings: load.py
reports a `translation_of:` that names no briefing, index.py groups them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from briefgen.errors import Problem, error
from briefgen.model import Briefing
from briefgen.yamlfields import nearest

BRIEFINGS_PREFIX = "briefings/"


def _names(briefing_path: str) -> tuple[str, ...]:
    """What `translation_of:` may call a file: its path from the site root or from briefings/, with or without .md."""
    inside = briefing_path.removeprefix(BRIEFINGS_PREFIX)
    return tuple(dict.fromkeys((briefing_path, briefing_path.removesuffix(".md"), inside, inside.removesuffix(".md"))))


class TargetFinder:
    """Finds the briefing a `translation_of:` value names, by path or by slug."""

    def __init__(self, paths_and_slugs: Iterable[tuple[str, str]]) -> None:
        self.by_name: dict[str, str] = {}
        self.by_slug: dict[str, list[str]] = defaultdict(list)
        for path, slug in paths_and_slugs:
            for name in _names(path):
                self.by_name[name] = path
            self.by_slug[slug].append(path)

    def find(self, value: str) -> tuple[str | None, str]:
        """The path of the briefing `value` names, or None and why not."""
        value = value.strip().lstrip("/")
        if value in self.by_name:
            return self.by_name[value], ""
        found = self.by_slug.get(value, [])
        if len(found) == 1:
            return found[0], ""
        if found:
            listed = ", ".join(sorted(found))
            return None, f"the slug '{value}' is several briefings' ({listed}): give the file's path instead"
        hint = nearest(value, [*self.by_name, *self.by_slug])
        return None, f"'translation_of: {value}' names no briefing of the archive{hint}: give its path or its slug"


def unknown_targets(briefings: Sequence[Briefing]) -> list[Problem]:
    """An error at each `translation_of:` that names no briefing (drafts count: they are briefings), or itself."""
    finder = TargetFinder((b.path, b.slug) for b in briefings)
    problems: list[Problem] = []
    for briefing in briefings:
        if briefing.translation_of is None:
            continue
        target, why = finder.find(briefing.translation_of)
        line = briefing.translation_line or 1
        if target is None:
            problems.append(error(briefing.path, line, why))
        elif target == briefing.path:
            problems.append(
                error(briefing.path, line, "'translation_of' names this briefing itself: name the original")
            )
    return problems


def translation_groups(briefings: Sequence[Briefing]) -> Mapping[str, tuple[str, ...]]:
    """Each briefing with versions in other languages, by path: its group's paths, itself included, in path order.

    Briefings sharing a `translation_key`, or linked by `translation_of` (either way, and
    through each other), are one group; a target that is not published (a draft) links nothing.
    """
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def join(one: str, other: str) -> None:
        parent[root(one)] = root(other)

    finder = TargetFinder((b.path, b.slug) for b in briefings)
    for briefing in briefings:
        if briefing.translation_key is not None:
            join(briefing.path, "key:" + briefing.translation_key)
        if briefing.translation_of is not None:
            target, _ = finder.find(briefing.translation_of)
            if target is not None:
                join(briefing.path, target)
    members: dict[str, list[str]] = defaultdict(list)
    for briefing in briefings:
        members[root(briefing.path)].append(briefing.path)
    return {path: tuple(sorted(group)) for group in members.values() if len(group) > 1 for path in group}
