"""briefgen.yaml's `labels:`: a site's own text for any of the theme's labels, in any language.

    labels:
      Key takeaways: Main points        # in the site's language
      ar:
        Key takeaways: أبرز النقاط       # on pages in Arabic

A label is the theme's English text, as the source catalogue has it
(locales/en/LC_MESSAGES/briefgen.po; docs/format.md names the usual ones); one
the theme does not have is a warning naming it, so that a misspelt label is
noticed rather than silently ignored.
"""

from __future__ import annotations

import re

from yaml.nodes import MappingNode, Node, ScalarNode

from briefgen.errors import Problem, error, warning
from briefgen.languages import LabelOverrides, tag_problem, theme_labels, unknown_label_hint
from briefgen.yamlfields import kind_of
from briefgen.yamlnodes import NULL_TAG, line_of


def read_labels(node: Node, path: str, first_line: int, site_language: str, problems: list[Problem]) -> LabelOverrides:
    """The overrides `labels:` gives, by language tag, those for the site's language under its tag."""
    if not isinstance(node, MappingNode):
        problems.append(
            error(
                path, line_of(node, first_line), f"'labels' must be a mapping of labels to texts, not {kind_of(node)}"
            )
        )
        return ()
    by_language: dict[str, dict[str, str]] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value) if isinstance(key_node, ScalarNode) else ""
        line = line_of(key_node, first_line)
        if isinstance(value_node, MappingNode):
            problem = tag_problem(key)
            if problem is not None:
                problems.append(error(path, line, f"'labels': {problem}"))
                continue
            by_language.setdefault(key, {}).update(_texts(value_node.value, path, first_line, problems))
        else:
            by_language.setdefault(site_language, {}).update(
                _texts([(key_node, value_node)], path, first_line, problems)
            )
    return tuple((tag, tuple(texts.items())) for tag, texts in by_language.items() if texts)


def _texts(pairs: list[tuple[Node, Node]], path: str, first_line: int, problems: list[Problem]) -> dict[str, str]:
    texts: dict[str, str] = {}
    labels = theme_labels()
    for key_node, value_node in pairs:
        label = str(key_node.value) if isinstance(key_node, ScalarNode) else ""
        line = line_of(key_node, first_line)
        if not isinstance(value_node, ScalarNode) or value_node.tag == NULL_TAG or not str(value_node.value).strip():
            problems.append(error(path, line, f"label '{label}' must be given a text, not {kind_of(value_node)}"))
            continue
        if label not in labels:
            problems.append(
                warning(path, line, f"'{label}' is not a label of the theme{unknown_label_hint(label)}: it is ignored")
            )
            continue
        text = str(value_node.value)
        if "%" in label and not _same_placeholders(label, text):
            problems.append(
                error(path, line, f"the text for '{label}' must keep its placeholders ({_placeholders(label)})")
            )
            continue
        texts[label] = text
    return texts


def _placeholders(text: str) -> str:
    return ", ".join(sorted(set(re.findall(r"%\([a-z]+\)[sd]", text))))


def _same_placeholders(label: str, text: str) -> bool:
    # A text losing '%(date)s' would drop the date; one with a stray '%' would break the page's rendering.
    return _placeholders(label) == _placeholders(text) and text.count("%") == label.count("%")
