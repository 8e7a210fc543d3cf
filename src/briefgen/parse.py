"""One briefing file -> its Briefing and Body, or the problems that keep it from being one.

Reads the file's bytes, splits its front matter keeping line numbers, reads
each field and checks it, renders its text and notes: everything that depends
on one file and the site's settings only. load.py walks the archive, reuses
what its parse cache kept, and settles what depends on several files (sources
named by more than one, two briefings at one address).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.config import SOURCES_FILE, decode, is_web_address
from briefgen.digests import fields_digest
from briefgen.errors import Problem, error, warning
from briefgen.frontmatter import BRIEFING_KEYS, REQUIRED_KEYS, SplitFile, split_front_matter
from briefgen.gazetteer import Registry, terms_named
from briefgen.languages import tag_problem
from briefgen.model import (
    DEFAULT_TAXONOMIES,
    Body,
    Briefing,
    Footnote,
    Source,
    Taxonomy,
    notes_as_json,
)
from briefgen.published import briefing_images
from briefgen.slugs import SlugStyle, is_plain_slug, is_slug, slug_for
from briefgen.yamlfields import Fields, NumberedTexts, compose_with_numbered_texts, nearest
from briefgen.yamlnodes import YamlError, yaml_quoted

if TYPE_CHECKING:
    from briefgen.markdown import MarkdownRenderer, ParsedBody

MAX_BRIEFING_BYTES = 20 * 1024 * 1024
"""Far beyond any real report; a bigger file is a mistake (a PDF renamed .md, say)."""
MAX_TERMS = 100
"""Tags, places or authors in one briefing: real reports have a handful. Each tag and place
is a page of the site: 100,000 of them in one file made a build of 300,000 files."""


@dataclass(slots=True)
class SourceRegistry:
    """Resolves `source:` values: registry keys, organisation names, or new sources."""

    known: Mapping[str, Source]
    listed: bool = False
    """Whether the site has a sources.yaml: then a source it does not list is a mistake to report."""
    named: dict[str, Source] = field(default_factory=dict)
    """Sources that exist only because a briefing named them."""
    slugs: SlugStyle = SlugStyle.ASCII
    """How the key of a source named only by briefings is made from its name."""

    def resolve(self, value: str) -> tuple[Source, str | None]:
        """The source, and, for one that sources.yaml does not list, what to say about it."""
        if value in self.known:
            return self.known[value], None
        folded = value.casefold()
        for source in self.known.values():
            if folded in {source.key.casefold(), source.name.casefold()}:
                return source, None
        key = slug_for(value, self.slugs)
        if key in self.known:
            return self.known[key], None
        source = self.named.setdefault(key, Source(key=key, name=value))
        hint = nearest(value, self.known) if self.known and is_plain_slug(value) else ""
        if hint:
            return source, f"source '{value}' is not in {SOURCES_FILE}{hint}; it becomes a source of its own"
        if self.listed:
            return source, (
                f"source '{value}' is not in {SOURCES_FILE}: add it there (as '{key}:' with"
                f" 'name: {value}'), or it is published as a source of its own"
            )
        return source, None

    def all_sources(self) -> dict[str, Source]:
        return {**self.named, **self.known}


@dataclass(frozen=True, slots=True)
class ParseContext:
    """Everything parsing one file needs besides the file: the site root, its settings and registries."""

    root: Path
    registry: SourceRegistry
    today: dt.date
    allow_html: bool = False
    renderer: MarkdownRenderer | None = None
    """None: the site's own, made for the first file parsed (see markdown())."""
    taxonomies: tuple[Taxonomy, ...] = DEFAULT_TAXONOMIES
    registries: Mapping[str, Registry] = field(default_factory=dict)
    """By taxonomy key: its registry (gazetteer.read_registry), when it has one."""
    known_keys: tuple[str, ...] = BRIEFING_KEYS
    """front_matter_keys(taxonomies)."""
    slugs: SlugStyle = SlugStyle.ASCII
    """How a file's name and a term's name become address segments (briefgen.yaml's `slugs`)."""

    def markdown(self) -> MarkdownRenderer:
        return self.renderer if self.renderer is not None else site_markdown(self.allow_html)


@functools.cache
def site_markdown(allow_html: bool) -> MarkdownRenderer:
    """The Markdown renderer, made when a file is to be parsed: a build with every
    briefing in the cache (a no-op rebuild) need not even import markdown-it."""
    from briefgen.markdown import MarkdownRenderer  # noqa: PLC0415 - see above

    return MarkdownRenderer(allow_html=allow_html)


def read_briefing_bytes(path: Path, rel: str, problems: list[Problem]) -> bytes | None:
    """The file's bytes, or None with the reason in `problems` (unreadable, or far too large for a briefing)."""
    try:
        if path.stat().st_size > MAX_BRIEFING_BYTES:
            problems.append(
                error(rel, 1, f"the file is larger than {MAX_BRIEFING_BYTES // 2**20} MB: is it really a briefing?")
            )
            return None
        return path.read_bytes()
    except OSError as exc:
        problems.append(error(rel, 1, f"cannot read the file: {exc.strerror}"))
        return None


def briefing_from_bytes(
    context: ParseContext,
    path: Path,
    rel: str,
    data: bytes,
    fingerprint: str,
    problems: list[Problem],
    images: list[Path],
) -> tuple[Briefing, Body] | None:
    """The briefing a file's bytes make and its body, or None with its problems added to `problems`.

    `fingerprint` is the briefing's (what it was made from: load.py's parse key); the
    images it links are added to `images`, so that the cache can tell when one changes."""
    text = decode(data, rel, problems)
    if text is None:
        return None
    split = split_front_matter(text, rel, problems)
    if split is None:
        return None
    try:
        node, plain_notes = compose_with_numbered_texts(split.front_matter, rel, 2, "footnotes")
    except YamlError as exc:
        problems.append(exc.problem)
        return None
    if node is None:
        problems.append(error(rel, 1, "the front matter is empty: a briefing needs at least title, date and source"))
        return None
    own: list[Problem] = []
    fields = Fields(node, path=rel, first_line=2, known=context.known_keys, what="the front matter", problems=own)
    notes = plain_notes if plain_notes is not None else fields.numbered_texts("footnotes")
    made = _briefing_from_fields(context, path, rel, fields, notes, split, fingerprint, own, images)
    problems.extend(own)
    return None if any(p.is_error for p in own) else made


def _briefing_from_fields(
    context: ParseContext,
    path: Path,
    rel: str,
    fields: Fields,
    numbered: NumberedTexts,
    split: SplitFile,
    fingerprint: str,
    problems: list[Problem],
    images_read: list[Path],
) -> tuple[Briefing, Body] | None:
    """The briefing its fields describe; `numbered`: its footnotes, read already (yamlfields)."""
    renderer = context.markdown()
    for key, example in REQUIRED_KEYS.items():
        fields.require(key, example)
    title, date, source_value = fields.text("title"), fields.date("date"), fields.text("source")
    if date is not None and date > context.today:
        problems.append(
            warning(rel, fields.value_line("date"), f"the date {date.isoformat()} is in the future: is it a typo?")
        )
    if date is not None:
        problems.extend(_date_against_folders(rel, date, fields.value_line("date")))
    source = _resolve_source(source_value, context.registry, rel, fields, problems)
    url = fields.text("url")
    if url is not None and not is_web_address(url):
        problems.append(error(rel, fields.value_line("url"), f"'url' must be an http(s) address, not '{url}'"))
        url = None
    slug = _slug(fields, path, rel, context.slugs, problems)
    problems.extend(_foreign_notes(renderer, split, rel))
    parsed = renderer.parse_body(split.body, note_numbers={number for number, _, _ in numbered})
    problems.extend(_too_many_cells(parsed, rel, split.body_first_line))
    problems.extend(warning(rel, split.body_first_line + found.line, found.message) for found in parsed.warnings)
    footnotes = _footnotes(parsed, numbered, rel, split.body_first_line, renderer, problems)
    images = briefing_images(context.root, path, rel, parsed, split.body_first_line, problems, images_read)
    summary = fields.text("summary")
    extra = fields.anything("extra")
    # Read every field before giving up on the briefing, so that one run
    # reports all of its problems, not only those of the fields read so far.
    problems.extend(_too_many_terms(fields, rel, context.taxonomies))
    takeaways = fields.text_list("takeaways")
    listed = {taxonomy.key: fields.text_items(taxonomy.key) for taxonomy in context.taxonomies}
    draft = fields.boolean("draft", False)
    language = _language(fields, rel, problems)
    translation_key, translation_of = fields.text("translation_key"), fields.text("translation_of")
    briefing_parts = (title, date, source, slug)
    if any(part is None for part in briefing_parts) or any(p.is_error for p in problems):
        return None
    assert title is not None and date is not None and source is not None and slug is not None
    body = Body(renderer.render_body(parsed, images.names), footnotes, notes_as_json(footnotes))
    briefing = Briefing(
        path=rel,
        title=title,
        date=date,
        source=source,
        slug=slug,
        slug_line=fields.value_line("slug") if fields.has("slug") else None,
        summary=renderer.inline_text(summary) if summary else parsed.first_paragraph,
        url=url,
        takeaways_html=tuple(renderer.render_inline(t) for t in takeaways),
        terms={
            taxonomy.key: terms_named(
                listed[taxonomy.key], context.registries.get(taxonomy.key), taxonomy, rel, problems, context.slugs
            )
            for taxonomy in context.taxonomies
            if listed[taxonomy.key]
        },
        draft=draft,
        images=images.images,
        extra=extra or {},
        fingerprint=fingerprint,
        language=language,
        translation_key=translation_key,
        translation_of=translation_of,
        translation_line=fields.value_line("translation_of") if translation_of is not None else None,
    )
    return dataclasses.replace(briefing, fields_digest=fields_digest(briefing)), body


# A file filed by day: briefings/[...]/YYYY/MM/DD/name.md, as `briefgen new` writes them.
_DAY_FOLDERS = re.compile(r"(.*/)?([0-9]{4}/[0-9]{2}/[0-9]{2})/[^/]+")


def _date_against_folders(rel: str, date: dt.date, line: int) -> list[Problem]:
    """A warning when the file sits in YYYY/MM/DD folders that are not its date: one of the two is wrong."""
    match = _DAY_FOLDERS.fullmatch(rel)
    if match is None:
        return []
    above, folders = match.group(1) or "", match.group(2)
    dated = f"{date.year:04d}/{date.month:02d}/{date.day:02d}"
    if folders == dated:
        return []
    return [
        warning(
            rel,
            line,
            f"the date {date.isoformat()} does not match the folders {folders}/ the file is in:"
            f" correct the date, or move the file to {above}{dated}/",
        )
    ]


def _resolve_source(
    value: str | None, registry: SourceRegistry, rel: str, fields: Fields, problems: list[Problem]
) -> Source | None:
    if value is None:
        return None
    source, unlisted = registry.resolve(value)
    if unlisted:
        problems.append(warning(rel, fields.value_line("source"), unlisted))
    return source


def _slug(fields: Fields, path: Path, rel: str, style: SlugStyle, problems: list[Problem]) -> str | None:
    given = fields.text("slug")
    if given is None:
        return slug_for(path.stem, style)
    if not is_slug(given, style):
        if style is SlugStyle.ASCII:
            advice = "use lowercase letters, digits and '-'"
        else:
            advice = f"use lowercase letters of any script, digits and '-' (as '{slug_for(given, style)}')"
        problems.append(error(rel, fields.value_line("slug"), f"slug '{given}' is not a plain name: {advice}"))
        return None
    return given


def _language(fields: Fields, rel: str, problems: list[Problem]) -> str | None:
    """The `language:` tag when Babel knows the language (its direction and name come from there); else an error."""
    tag = fields.text("language")
    if tag is None:
        return None
    problem = tag_problem(tag)
    if problem is not None:
        problems.append(error(rel, fields.value_line("language"), f"'language': {problem}"))
        return None
    return tag


def _too_many_terms(fields: Fields, rel: str, taxonomies: tuple[Taxonomy, ...]) -> list[Problem]:
    """An error for each taxonomy (authors, tags, places...) listing more than MAX_TERMS items, at its key."""
    problems: list[Problem] = []
    for key in (taxonomy.key for taxonomy in taxonomies):
        count = fields.length(key)
        if count > MAX_TERMS:
            problems.append(
                error(rel, fields.line(key), f"'{key}' lists {count:,} items: a briefing may have at most {MAX_TERMS}")
            )
    return problems


def _too_many_cells(parsed: ParsedBody, rel: str, body_first_line: int) -> list[Problem]:
    """An error at the table that takes the body's tables over the markdown module's limit on cells."""
    from briefgen.markdown_rules import MAX_TABLE_CELLS  # noqa: PLC0415 - markdown-it is imported only to parse

    if parsed.too_many_cells is None:
        return []
    line, cells = parsed.too_many_cells
    return [
        error(
            rel,
            body_first_line + line,
            f"this table brings the text's tables to {cells:,} cells, more than the {MAX_TABLE_CELLS:,}"
            " a briefing may have (every row has a cell for each column of the header, empty or not):"
            " shorten the table, or link to the full data",
        )
    ]


def _foreign_notes(renderer: MarkdownRenderer, split: SplitFile, rel: str) -> list[Problem]:
    """Footnotes written as other Markdown tools write them: an error, showing briefgen's way.

    They would otherwise be published as they are, brackets and all. Reading
    them as notes instead would give notes two homes and two numberings (and
    `[^name]` labels no number), so the editor is shown the one way.
    """
    problems: list[Problem] = []
    for note in renderer.foreign_notes(split.body):
        line = split.body_first_line + note.line
        number = int(note.label) if _NOTE_NUMBER.fullmatch(note.label) else None
        if note.definition is None:
            cite = f"write [{number}]" if number else "number it, write [1]"
            message = (
                f"'[^{note.label}]' is not how briefgen cites a note: {cite}, with note {number or 1} under"
                f" 'footnotes:' in the front matter (or \\[^{note.label}] to show the brackets)"
            )
        else:
            numbered = "" if number else " numbered,"
            message = (
                f"'[^{note.label}]:' is not how briefgen gives a note: move it into the front matter,"
                f" under 'footnotes:',{numbered} as {number or 1}: {yaml_quoted(note.definition or '...')}"
            )
        problems.append(error(rel, line, message))
    return problems


_NOTE_NUMBER = re.compile(r"0*[1-9][0-9]{0,5}")


def _footnotes(
    parsed: ParsedBody,
    numbered: tuple[tuple[int, str, int], ...],
    rel: str,
    body_first_line: int,
    renderer: MarkdownRenderer,
    problems: list[Problem],
) -> tuple[Footnote, ...]:
    notes = {number: (text, line) for number, text, line in numbered}
    cited: dict[int, list[str]] = {}
    for citation in parsed.citations:
        if citation.number not in notes:
            problems.append(
                error(
                    rel,
                    body_first_line + citation.line,
                    f"citation [{citation.number}] has no note {citation.number} in 'footnotes'"
                    f" (write \\[{citation.number}] for brackets that are not a citation)",
                )
            )
        cited.setdefault(citation.number, []).append(citation.element_id)
    for number, (_, line) in notes.items():
        if number not in cited:
            problems.append(warning(rel, line, f"note {number} is never cited in the text"))
    htmls = renderer.render_notes(text for text, _ in notes.values())
    return tuple(
        Footnote(number, html, line, tuple(cited.get(number, ())))
        for (number, (_, line)), html in zip(notes.items(), htmls, strict=True)
    )
