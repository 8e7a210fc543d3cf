"""briefgen.yaml and sources.yaml -> typed Settings and Sources, every problem collected.

The taxonomies' settings are read here too (issue 17); their registries,
the gazetteer among them, are gazetteer.py's.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

from yaml.nodes import MappingNode, Node, ScalarNode

from briefgen.errors import Problem, error, warning
from briefgen.labelconfig import read_labels
from briefgen.model import DEFAULT_TAXONOMIES, GAZETTEER_FILE, GAZETTEER_KEY, Settings, Taxonomy
from briefgen.slugs import SlugStyle, is_plain_slug
from briefgen.yamlfields import UNSHOWABLE, Fields, kind_of
from briefgen.yamlnodes import BOOL_TAG, YamlError, compose, line_of

SETTINGS_FILE = "briefgen.yaml"
SOURCES_FILE = "sources.yaml"
FIXED_BRIEFING_KEYS = (
    "title", "date", "source", "url", "summary", "takeaways", "footnotes", "slug", "draft", "extra",
    "language", "translation_key", "translation_of",
)  # fmt: skip
"""The front-matter keys that are not a taxonomy's (parse.py adds the taxonomies' keys)."""
SETTINGS_KEYS = (
    "title", "description", "base_url", "language", "per_page", "allow_html", "feed_entries", "taxonomies", "slugs",
    "labels",
)  # fmt: skip
SOURCE_KEYS = ("name", "url", "description")
TAXONOMY_KEYS = ("label", "plural", "path", "search_filter", "feeds", "related", "registry")
"""What a taxonomy in briefgen.yaml may say; its key in `taxonomies:` is its front-matter key."""
RESERVED_PATHS = frozenset({"briefings", "sources", "search", "page", "assets", "pagefind"})
"""First address segments the site uses already: a taxonomy there would publish over them."""
RESERVED_FILTERS = frozenset({"source", "year"})
"""Search filters every briefing has besides its taxonomies'."""
RECORD_KEYS = frozenset({"id", "path", "notes"})
"""Fields of a briefing's record in the JSON indexes (exports.py) that a plain name could take:
a taxonomy's terms are written under its key beside them."""
LOCATIONS = "locations"
"""The JSON Feed extension's field for the places of an item, each by its key, name and coordinates (exports.py)."""
FEED_EXTENSION_KEYS = frozenset({LOCATIONS})
"""Fields of the JSON Feed's `_briefgen` extension (exports.py) that a plain name could take, besides
the front matter's: a taxonomy's terms are written there under its key too."""

# A well-formed language tag: RFC 5646's grammar (section 2.1), letter for letter.
# Whether its subtags are registered is not checked: that needs IANA's registry, and a
# tag the registry does not know still reaches the page as harmless text. One that is
# not well-formed ('en"') broke Pagefind's index, and with it every search.
_ALPHANUM = "[a-z0-9]"
_LANGTAG = rf"""
    (?:[a-z]{{2,3}}(?:-[a-z]{{3}}){{0,3}} | [a-z]{{4}} | [a-z]{{5,8}})  # language, with its extlang
    (?:-[a-z]{{4}})?                                                 # script
    (?:-(?:[a-z]{{2}}|[0-9]{{3}}))?                                  # region
    (?:-(?:{_ALPHANUM}{{5,8}}|[0-9]{_ALPHANUM}{{3}}))*                # variants
    (?:-[0-9a-wyz](?:-{_ALPHANUM}{{2,8}})+)*                         # extensions
    (?:-x(?:-{_ALPHANUM}{{1,8}})+)?                                  # private use
"""
_PRIVATE_USE = rf"x(?:-{_ALPHANUM}{{1,8}})+"
_GRANDFATHERED = (
    "en-GB-oed|i-ami|i-bnn|i-default|i-enochian|i-hak|i-klingon|i-lux|i-mingo|i-navajo|i-pwn|i-tao|i-tay|i-tsu"
    "|sgn-BE-FR|sgn-BE-NL|sgn-CH-DE|art-lojban|cel-gaulish|no-bok|no-nyn|zh-guoyu|zh-hakka|zh-min|zh-min-nan|zh-xiang"
)
LANGUAGE_TAG = re.compile(rf"(?:{_LANGTAG}|{_PRIVATE_USE}|{_GRANDFATHERED})", re.IGNORECASE | re.VERBOSE | re.ASCII)
"""A BCP 47 language tag, well-formed: `en`, `uk`, `en-GB`, `sr-Latn-RS`, `zh-Hant`."""


def read_text(root: Path, name: str, problems: list[Problem]) -> str | None:
    """The file's text, or None when it is absent or unreadable (with a problem)."""
    path = root / name
    if not path.is_file():
        return None
    try:
        return decode(path.read_bytes(), name, problems)
    except OSError as exc:
        problems.append(error(name, 1, f"cannot read the file: {exc.strerror}"))
        return None


_CONTROL_BYTES = bytes(range(0x09)) + b"\x0b\x0c" + bytes(range(0x0E, 0x20))
_ALL_BUT_CONTROL_BYTES = bytes(sorted(set(range(256)) - set(_CONTROL_BYTES)))
_NONCHARACTER_FFFE, _NONCHARACTER_FFFF = "\ufffe".encode(), "\uffff".encode()


def _may_hold_unshowable(data: bytes) -> bool:
    # UNSHOWABLE's characters, looked for in the bytes at C speed (deleting every other
    # byte): three times faster than the regular expression over a 30 KB text, which
    # runs only when one is there.
    return (
        bool(data.translate(None, _ALL_BUT_CONTROL_BYTES)) or _NONCHARACTER_FFFE in data or _NONCHARACTER_FFFF in data
    )


def decode(data: bytes, path: str, problems: list[Problem]) -> str | None:
    """UTF-8 text with any byte-order mark dropped and line endings made '\\n'."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.append(
            error(path, line, f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x}): save it as UTF-8")
        )
        return None
    if b"\x00" in data:  # UTF-8 has no NUL or CR byte inside another character: searching the bytes is faster
        line = text.count("\n", 0, text.index("\x00")) + 1
        problems.append(error(path, line, "the file contains a NUL character: is it a binary file?"))
        return None
    text = text.removeprefix("\ufeff")
    if b"\r" in data:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    unshowable = UNSHOWABLE.search(text) if _may_hold_unshowable(data) else None
    if unshowable is not None:
        # Text pasted from PDFs and word processors carries form feeds and
        # vertical tabs; XML forbids them, so one would break every feed.
        line = text.count("\n", 0, unshowable.start()) + 1
        count = len(UNSHOWABLE.findall(text))
        problems.append(
            warning(
                path,
                line,
                f"{count} invisible control character{'s' if count > 1 else ''} "
                f"(U+{ord(unshowable.group()):04X}) replaced by spaces: pages and feeds cannot carry them",
            )
        )
        text = UNSHOWABLE.sub(" ", text)
    return text


def read_settings(root: Path, problems: list[Problem], base_url: str | None = None) -> Settings:
    """Settings from briefgen.yaml (all defaults when it is absent); `base_url` overrides the file."""
    text = read_text(root, SETTINGS_FILE, problems)
    defaults = Settings(taxonomies=with_gazetteer(DEFAULT_TAXONOMIES, root))
    fields = _top_mapping(text, SETTINGS_FILE, problems, SETTINGS_KEYS, "briefgen.yaml")
    if fields is None:
        return _with_base_url(defaults, base_url, problems)
    language = _language(fields) or defaults.language
    settings = Settings(
        title=fields.text("title") or defaults.title,
        description=fields.text("description") or defaults.description,
        base_url=defaults.base_url,
        language=language,
        per_page=fields.integer("per_page", defaults.per_page),
        allow_html=fields.boolean("allow_html", defaults.allow_html),
        feed_entries=fields.integer("feed_entries", defaults.feed_entries),
        taxonomies=with_gazetteer(_taxonomies(fields, root), root),
        slugs=_slug_style(fields) or defaults.slugs,
        labels=read_labels(fields.nodes["labels"][1], SETTINGS_FILE, 1, language, problems)
        if fields.has("labels")
        else (),
    )
    configured = fields.text("base_url")
    if base_url is None and configured is not None:
        base_url, where = configured, (SETTINGS_FILE, fields.value_line("base_url"))
    else:
        where = ("command line", 1)
    return _with_base_url(settings, base_url, problems, where)


def with_gazetteer(taxonomies: tuple[Taxonomy, ...], root: Path) -> tuple[Taxonomy, ...]:
    """The taxonomies, the places' registry being places.yaml when the site has that file and names no other."""
    if not (root / GAZETTEER_FILE).is_file():
        return taxonomies
    return tuple(
        dataclasses.replace(t, registry=GAZETTEER_FILE) if t.key == GAZETTEER_KEY and t.registry is None else t
        for t in taxonomies
    )


def _taxonomies(fields: Fields, root: Path) -> tuple[Taxonomy, ...]:
    """The defaults, with what `taxonomies:` changes: each entry overrides a default's fields,
    adds a taxonomy (`label` and `plural` required), or with `false` removes a default."""
    if not fields.has("taxonomies"):
        return DEFAULT_TAXONOMIES
    node = fields.nodes["taxonomies"][1]
    if not isinstance(node, MappingNode):
        fields.problems.append(
            error(fields.path, fields.value_line("taxonomies"), f"'taxonomies' must be a mapping, not {kind_of(node)}")
        )
        return DEFAULT_TAXONOMIES
    taxonomies = {taxonomy.key: taxonomy for taxonomy in DEFAULT_TAXONOMIES}
    seen: set[str] = set()
    for key_node, value_node in node.value:
        key = str(key_node.value) if isinstance(key_node, ScalarNode) else ""
        line = line_of(key_node, fields.first_line)
        problem = _taxonomy_key_problem(key, seen)
        if problem:
            fields.problems.append(error(fields.path, line, problem))
            continue
        seen.add(key)
        if isinstance(value_node, ScalarNode) and value_node.tag == BOOL_TAG:
            if str(value_node.value).lower() in {"false", "no", "off", "n"}:
                taxonomies.pop(key, None)
            elif key not in taxonomies:
                message = f"taxonomy '{key}' is new: give it a mapping with at least 'label' and 'plural'"
                fields.problems.append(error(fields.path, line, message))
            continue  # `true`: the default as it is
        taxonomy = _taxonomy(key, value_node, taxonomies.get(key), fields, root)
        if taxonomy is not None:
            taxonomies[key] = taxonomy
    return _without_clashes(tuple(taxonomies.values()), fields, line_of(node, fields.first_line))


def _taxonomy_key_problem(key: str, seen: set[str]) -> str:
    if not is_plain_slug(key):
        return f"taxonomy '{key}' must be named by a plain front-matter key: lowercase letters, digits and '-'"
    if key in seen:
        return f"taxonomy '{key}' is given twice"
    if key in FIXED_BRIEFING_KEYS:
        return f"taxonomy '{key}' would take the front-matter key '{key}', which briefgen reads already"
    if key in RECORD_KEYS:
        return f"taxonomy '{key}' would take the field '{key}' of the JSON indexes' records: name it otherwise"
    if key in FEED_EXTENSION_KEYS:
        where = "the JSON Feed's _briefgen extension"
        return f"taxonomy '{key}' would take the field '{key}' of {where}: name it otherwise"
    return ""


def _taxonomy(key: str, node: Node, default: Taxonomy | None, parent: Fields, root: Path) -> Taxonomy | None:
    """One taxonomy's fields, over its default's when it has one."""
    fields = Fields(
        node, path=parent.path, first_line=parent.first_line, known=TAXONOMY_KEYS,
        what=f"taxonomy '{key}'", problems=parent.problems,
    )  # fmt: skip
    if not isinstance(node, MappingNode):
        return None
    if default is None:
        fields.require("label", key.capitalize())
        fields.require("plural", key.capitalize())
    path, search_filter = _plain_name(fields, "path"), _plain_name(fields, "search_filter")
    label, plural = fields.text("label"), fields.text("plural")
    if default is None and (label is None or plural is None):
        return None
    return Taxonomy(
        key=key,
        label=label or (default.label if default else key),
        plural=plural or (default.plural if default else key),
        path=path or (default.path if default else key),
        search_filter=search_filter or (default.search_filter if default else key),
        feeds=fields.boolean("feeds", default.feeds if default else True),
        related=fields.boolean("related", default.related if default else True),
        registry=_registry_name(fields, root) or (default.registry if default else None),
    )


def _plain_name(fields: Fields, key: str) -> str | None:
    value = fields.text(key)
    if value is None or is_plain_slug(value):
        return value
    fields.problems.append(
        error(
            fields.path,
            fields.value_line(key),
            f"'{key}' must be a plain name (lowercase letters, digits and '-'), not '{value}'",
        )
    )
    return None


def _registry_name(fields: Fields, root: Path) -> str | None:
    """A YAML file's name beside briefgen.yaml: no folder, so that it cannot be read from outside the site."""
    value = fields.text("registry")
    if value is None:
        return None
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*\.ya?ml", value):
        problem = f"'registry' must name a .yaml file beside {SETTINGS_FILE}, such as authors.yaml, not '{value}'"
    elif not (root / value).is_file():
        problem = f"the registry {value} does not exist beside {SETTINGS_FILE}"
    else:
        return value
    fields.problems.append(error(fields.path, fields.value_line("registry"), problem))
    return None


def _without_clashes(taxonomies: tuple[Taxonomy, ...], fields: Fields, line: int) -> tuple[Taxonomy, ...]:
    """The taxonomies, or the defaults with an error when two would share an address or a search filter."""
    paths: dict[str, str] = {}
    filters: dict[str, str] = {}
    for taxonomy in taxonomies:
        clash = ""
        if taxonomy.path in RESERVED_PATHS:
            clash = f"its path '{taxonomy.path}/' is where the site has its {taxonomy.path} already"
        elif taxonomy.path in paths:
            clash = f"its path '{taxonomy.path}/' is taxonomy '{paths[taxonomy.path]}'s"
        elif taxonomy.search_filter in RESERVED_FILTERS:
            clash = f"its search_filter '{taxonomy.search_filter}' is a filter every briefing has already"
        elif taxonomy.search_filter in filters:
            clash = f"its search_filter '{taxonomy.search_filter}' is taxonomy '{filters[taxonomy.search_filter]}'s"
        if clash:
            fields.problems.append(error(fields.path, line, f"taxonomy '{taxonomy.key}' cannot be published: {clash}"))
            return DEFAULT_TAXONOMIES
        paths[taxonomy.path], filters[taxonomy.search_filter] = taxonomy.key, taxonomy.key
    return taxonomies


def _language(fields: Fields) -> str | None:
    """The `language` setting when it is a well-formed BCP 47 tag; otherwise None, with an error at its line."""
    language = fields.text("language")
    if language is None or LANGUAGE_TAG.fullmatch(language):
        return language
    fields.problems.append(
        error(
            fields.path,
            fields.value_line("language"),
            f"'language' must be a BCP 47 language tag such as en, uk or en-GB, not '{language}'",
        )
    )
    return None


def _slug_style(fields: Fields) -> SlugStyle | None:
    """The `slugs` setting (ascii or unicode); otherwise None, with an error at its line."""
    value = fields.text("slugs")
    styles = {style.value: style for style in SlugStyle}
    if value is None or value in styles:
        return styles.get(value) if value is not None else None
    fields.problems.append(
        error(fields.path, fields.value_line("slugs"), f"'slugs' must be {' or '.join(styles)}, not '{value}'")
    )
    return None


def _with_base_url(
    settings: Settings, base_url: str | None, problems: list[Problem], where: tuple[str, int] = ("command line", 1)
) -> Settings:
    if base_url is None:
        return settings
    normalized = normalize_base_url(base_url)
    if normalized is None:
        problems.append(
            error(where[0], where[1], f"base_url '{base_url}' must be an http(s) address or a path starting with '/'")
        )
        return settings
    return dataclasses.replace(settings, base_url=normalized)


def normalize_base_url(value: str) -> str | None:
    """'https://x.github.io/repo' -> 'https://x.github.io/repo/'; 'repo' -> None."""
    value = value.strip()
    parts = split_url(value)
    if parts is None:
        return None
    if parts.scheme in {"http", "https"} and parts.netloc:
        pass
    elif parts.scheme or parts.netloc or not value.startswith("/"):
        return None
    if "\\" in value or UNSHOWABLE.search(value):
        return None  # browsers read '/\\host/' as '//host/': every link would point at another site
    return value if value.endswith("/") else value + "/"


def _top_mapping(
    text: str | None, path: str, problems: list[Problem], known: tuple[str, ...], what: str
) -> Fields | None:
    if text is None:
        return None
    try:
        node = compose(text, path, 1)
    except YamlError as exc:
        problems.append(exc.problem)
        return None
    if node is None:
        return None
    return Fields(node, path=path, first_line=1, known=known, what=what, problems=problems)


def is_web_address(value: str) -> bool:
    parts = split_url(value)
    return parts is not None and parts.scheme in {"http", "https"} and bool(parts.netloc)


def split_url(value: str) -> SplitResult | None:
    """The parts of an address, or None when urlsplit refuses it ('http://[x' is a bad IPv6 host)."""
    try:
        return urlsplit(value)
    except ValueError:
        return None
