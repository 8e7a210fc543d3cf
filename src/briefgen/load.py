"""Walk briefings/, split front matter keeping line numbers, validate, build Briefings.

`load_archive` returns every briefing, or raises ArchiveError carrying every
problem in the archive: one run tells an editor everything to fix.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen import __version__
from briefgen.config import (
    FIXED_BRIEFING_KEYS,
    SETTINGS_FILE,
    SOURCES_FILE,
    decode,
    is_web_address,
    read_registry,
    read_settings,
    read_sources,
)
from briefgen.errors import ArchiveError, Problem, SiteRootError, error, warning
from briefgen.incremental.cache import BuildCache, FileState, ParsedEntry, current_state, root_relative
from briefgen.incremental.fingerprint import digest, fields_digest
from briefgen.model import (
    DEFAULT_TAXONOMIES,
    Archive,
    Bodies,
    BodiesInMemory,
    Body,
    Briefing,
    Footnote,
    Settings,
    Source,
    Taxonomy,
    Term,
    notes_as_json,
)
from briefgen.parallel import parallel_map
from briefgen.published import briefing_images
from briefgen.slugs import is_plain_slug, slug_of
from briefgen.yamlfields import (
    Fields,
    NumberedTexts,
    YamlError,
    compose_with_numbered_texts,
    nearest,
    yaml_quoted,
)

if TYPE_CHECKING:
    from briefgen.markdown import MarkdownRenderer, ParsedBody

BRIEFINGS_DIR = "briefings"
BRIEFING_KEYS = (
    "title", "date", "source", "url", "authors", "summary", "takeaways",
    "footnotes", "tags", "places", "slug", "draft", "extra",
)  # fmt: skip
"""Every key a briefing's front matter may have with the default taxonomies (docs/format.md lists each;
a test compares the two): FIXED_BRIEFING_KEYS and the taxonomies' keys, in the order messages list them."""
REQUIRED_KEYS = {"title": "Russian Offensive Campaign Assessment", "date": "2025-06-26", "source": "isw"}
"""The keys every briefing must have, each with the example its error shows."""
FRONT_MATTER_FENCE = "---"
MAX_BRIEFING_BYTES = 20 * 1024 * 1024
"""Far beyond any real report; a bigger file is a mistake (a PDF renamed .md, say)."""
MAX_TERMS = 100
"""Tags, places or authors in one briefing: real reports have a handful. Each tag and place
is a page of the site: 100,000 of them in one file made a build of 300,000 files."""
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


@dataclass(slots=True)
class SourceRegistry:
    """Resolves `source:` values: registry keys, organisation names, or new sources."""

    known: Mapping[str, Source]
    listed: bool = False
    """Whether the site has a sources.yaml: then a source it does not list is a mistake to report."""
    named: dict[str, Source] = field(default_factory=dict)
    """Sources that exist only because a briefing named them."""

    def resolve(self, value: str) -> tuple[Source, str | None]:
        """The source, and, for one that sources.yaml does not list, what to say about it."""
        if value in self.known:
            return self.known[value], None
        folded = value.casefold()
        for source in self.known.values():
            if folded in {source.key.casefold(), source.name.casefold()}:
                return source, None
        key = slug_of(value)
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
    """Everything parsing one file needs; shared by forked workers as it is."""

    root: Path
    registry: SourceRegistry
    today: dt.date
    salt: str
    """Digest of what parsing depends on besides the file: version, settings, sources."""
    cache: BuildCache | None = None
    allow_html: bool = False
    renderer: MarkdownRenderer | None = None
    """None: the site's own, made for the first file parsed (see markdown())."""
    taxonomies: tuple[Taxonomy, ...] = DEFAULT_TAXONOMIES
    registries: Mapping[str, Mapping[str, Term]] = field(default_factory=dict)
    """By taxonomy key: the registered terms by slug (config.read_registry)."""
    known_keys: tuple[str, ...] = BRIEFING_KEYS
    """front_matter_keys(taxonomies)."""

    def markdown(self) -> MarkdownRenderer:
        return self.renderer if self.renderer is not None else site_markdown(self.allow_html)


@functools.cache
def site_markdown(allow_html: bool) -> MarkdownRenderer:
    """The Markdown renderer, made when a file is to be parsed: a build with every
    briefing in the cache (a no-op rebuild) need not even import markdown-it."""
    from briefgen.markdown import MarkdownRenderer  # noqa: PLC0415 - see above

    return MarkdownRenderer(allow_html=allow_html)


def load_archive(
    root: Path,
    *,
    base_url: str | None = None,
    include_drafts: bool = False,
    today: dt.date | None = None,
    cache: BuildCache | None = None,
    workers: int = 1,
) -> tuple[Archive, tuple[Problem, ...]]:
    """Every briefing under root/briefings, and the warnings; raises ArchiveError on any error.

    With a cache, files unchanged since the last build are not parsed again,
    and briefing bodies are kept in the cache instead of in memory.
    """
    check_site_root(root)
    problems: list[Problem] = []
    settings = read_settings(root, problems, base_url)
    registry = source_registry(root, problems)
    context = ParseContext(
        root=root,
        registry=registry,
        today=today or dt.date.today(),
        salt=parse_salt(root, settings),
        cache=cache,
        allow_html=settings.allow_html,
        taxonomies=settings.taxonomies,
        registries={taxonomy.key: read_registry(root, taxonomy, problems) for taxonomy in settings.taxonomies},
        known_keys=front_matter_keys(settings.taxonomies),
    )
    files = find_briefing_files(root, problems)
    briefings: list[Briefing] = []
    entries = parse_files(context, files, workers)
    for entry in entries:
        problems.extend(entry.problems)
        if entry.briefing is not None and (include_drafts or not entry.briefing.draft):
            briefings.append(entry.briefing)
    briefings = _with_canonical_sources(briefings, registry)
    problems.extend(find_collisions(briefings))
    if any(p.is_error for p in problems):
        raise ArchiveError(problems, files_read=len(files))
    archive = Archive(
        settings=settings,
        sources=dict(sorted(registry.all_sources().items())),
        briefings=tuple(sorted(briefings, key=lambda b: b.sort_key)),
        bodies=_bodies(entries, cache),
    )
    return archive, tuple(sorted(problems))


def _bodies(entries: list[ParsedEntry], cache: BuildCache | None) -> Bodies:
    """The briefings' text: read from the cache's packs as pages need it, or held in memory."""
    if cache is not None:
        return cache.packed_bodies(entries)
    return BodiesInMemory(
        {e.briefing.path: e.body for e in entries if e.briefing is not None and isinstance(e.body, Body)}
    )


def source_registry(root: Path, problems: list[Problem]) -> SourceRegistry:
    """The sources of sources.yaml; a source it does not list is reported only when it could be read whole."""
    read: list[Problem] = []
    known = read_sources(root, read)
    problems.extend(read)
    listed = (root / SOURCES_FILE).is_file() and not any(p.is_error for p in read)
    return SourceRegistry(known, listed=listed)


def parse_salt(root: Path, settings: Settings) -> str:
    sources_file = root / SOURCES_FILE
    # An empty sources.yaml is not the same as none: with one, every unlisted source is reported.
    listed = sources_file.is_file()
    sources = sources_file.read_bytes() if listed else b""
    # The taxonomies decide which keys a briefing may have and what its terms are called.
    registries = [_bytes_or_nothing(root / t.registry) for t in settings.taxonomies if t.registry is not None]
    return digest(__version__, repr(settings.allow_html), repr(listed), sources, repr(settings.taxonomies), *registries)


def _bytes_or_nothing(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def parse_files(context: ParseContext, files: list[Path], workers: int) -> list[ParsedEntry]:
    """Every file parsed, in order: from the cache where it is current, in parallel otherwise."""
    entries: list[ParsedEntry | None] = [_cached_entry(context, path) for path in files]
    missing = [i for i, entry in enumerate(entries) if entry is None]
    if missing:
        read_ahead([files[i] for i in missing])
        context.markdown()  # made before the workers fork, so that each has it
    with parallel_map(parse_file, context, [files[i] for i in missing], workers) as results:
        for i, (state, key, entry) in zip(missing, results, strict=True):
            entries[i] = entry
            if context.cache is not None and state is not None:
                context.cache.remember(relative(context.root, files[i]), context.salt, state, key, entry)
    return [entry for entry in entries if entry is not None]


def read_ahead(paths: list[Path]) -> None:
    """Ask the kernel to start reading these files into its cache, and return at once.

    Files not read for a while are often out of the page cache (reading 5,000
    briefings from this machine's disk took a second, from the cache a tenth
    of that). Each worker reads its files one at a time and waits for each;
    asked for all at once, the kernel reads them while the workers parse.
    A few microseconds a file when they are cached already.
    """
    if not hasattr(os, "posix_fadvise"):  # pragma: no cover - not on Linux
        return
    for path in paths:
        try:
            descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            continue  # parse_file reports it
        try:
            os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_WILLNEED)
        except OSError:
            pass
        finally:
            os.close(descriptor)


def _cached_entry(context: ParseContext, path: Path) -> ParsedEntry | None:
    if context.cache is None:
        return None
    rel = relative(context.root, path)
    state = current_state(path)
    key = context.cache.known_key(rel, context.salt, state) if state is not None else None
    entry = _current(context, key)
    if entry is not None and state is not None and key is not None:
        context.cache.remember(rel, context.salt, state, key, entry)
    return entry


def _current(context: ParseContext, key: str | None) -> ParsedEntry | None:
    """The cached entry for `key`, unless it was parsed on another day with a date still ahead then."""
    if context.cache is None or key is None:
        return None
    entry = context.cache.entry(key)
    if entry is None:
        return None
    # The only problem that depends on the day: "the date is in the future".
    date_was_ahead = entry.briefing is None or entry.briefing.date > entry.parsed_on
    if entry.parsed_on != context.today and date_was_ahead:
        return None
    return entry


def parse_file(context: ParseContext, path: Path) -> tuple[FileState | None, str, ParsedEntry]:
    """One file: its state when read, its cache key, and what it parses to."""
    rel = relative(context.root, path)
    problems: list[Problem] = []
    state = current_state(path)
    data = _read_briefing_bytes(path, rel, problems)
    key = digest(context.salt, rel, data or b"")
    reused = _current(context, key) if data is not None else None
    if reused is not None:
        return state, key, reused
    images: list[Path] = []
    made = _briefing_from_bytes(context, path, rel, data, key, problems, images) if data is not None else None
    briefing, body = made if made is not None else (None, None)
    image_states = tuple((root_relative(image, context.root), current_state(image)) for image in images)
    entry = ParsedEntry(briefing, tuple(problems), body, image_states, parsed_on=context.today)
    return state, key, context.cache.store_body(entry) if context.cache is not None else entry


def _with_canonical_sources(briefings: list[Briefing], registry: SourceRegistry) -> list[Briefing]:
    # Files parsed in other processes each met their unknown sources afresh;
    # the first file, in path order, names a source for all of them.
    result: list[Briefing] = []
    for briefing in sorted(briefings, key=lambda b: b.path):
        source = briefing.source
        if source.key not in registry.known:
            source = registry.named.setdefault(source.key, source)
        result.append(briefing if source == briefing.source else dataclasses.replace(briefing, source=source))
    return result


def check_site_root(root: Path) -> None:
    """Refuse a folder that is not a site root, before anything is read from it or written into it.

    A site root holds briefgen.yaml or a briefings/ folder (`briefgen init` writes
    both). Any other folder is a mistyped --root, or briefgen run from the wrong
    folder: a build there would create its cache and its site where they have no
    business, and report problems in files that were never meant to exist.
    """
    shown = f"the current folder ({Path.cwd()})" if root == Path() else str(root)
    hint = "give --root the site root, or set one up with 'briefgen init DIR'"
    if not root.exists():
        raise SiteRootError(f"{shown} does not exist: {hint}")
    if not root.is_dir():
        raise SiteRootError(f"{shown} is a file, not a site root: {hint}")
    if not ((root / SETTINGS_FILE).exists() or (root / BRIEFINGS_DIR).is_dir()):
        raise SiteRootError(
            f"{shown} is not a briefgen site root (it has no {SETTINGS_FILE} and no {BRIEFINGS_DIR}/ folder): {hint}"
        )


def find_briefing_files(root: Path, problems: list[Problem]) -> list[Path]:
    """Every .md file below briefings/, in a stable order; links that leave the root are refused."""
    folder = root / BRIEFINGS_DIR
    if not folder.is_dir():
        problems.append(
            error(
                BRIEFINGS_DIR,
                1,
                f"there is no {BRIEFINGS_DIR}/ folder: briefings go in {BRIEFINGS_DIR}/YYYY/MM/DD/ "
                "('briefgen new' writes one there)",
            )
        )
        return []
    real_root = root.resolve()
    if not _inside(folder, real_root):  # its images would all be refused as outside: refuse it all, and say why
        problems.append(error(BRIEFINGS_DIR, 1, f"{BRIEFINGS_DIR}/ is a link to a folder outside the site root"))
        return []
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in list(dirnames):
            if (here / name).is_symlink():
                dirnames.remove(name)
                if not _inside(here / name, real_root):
                    problems.append(
                        error(relative(root, here / name), 1, "a link to a folder outside the site root is not read")
                    )
                else:
                    problems.append(
                        error(relative(root, here / name), 1, "links to folders are not followed: move the folder here")
                    )
        for name in sorted(filenames):
            path = here / name
            if not name.endswith(".md") or name.startswith("."):
                continue
            if path.is_symlink() and not _inside(path, real_root):
                problems.append(error(relative(root, path), 1, "a link to a file outside the site root is not read"))
                continue
            found.append(path)
    return found


def _inside(path: Path, real_root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(real_root)
    except RuntimeError:  # a symlink loop leads nowhere; reading it reports why
        return True


def relative(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def load_briefing(
    root: Path,
    path: Path,
    *,
    registry: SourceRegistry,
    renderer: MarkdownRenderer,
    today: dt.date,
    problems: list[Problem],
) -> tuple[Briefing, Body] | None:
    """One briefing and its body, or None with its problems added to `problems`."""
    context = ParseContext(root=root, registry=registry, renderer=renderer, today=today, salt="")
    _, _, entry = parse_file(context, path)
    problems.extend(entry.problems)
    return (entry.briefing, entry.body) if entry.briefing is not None and isinstance(entry.body, Body) else None


def _briefing_from_bytes(
    context: ParseContext,
    path: Path,
    rel: str,
    data: bytes,
    fingerprint: str,
    problems: list[Problem],
    images: list[Path],
) -> tuple[Briefing, Body] | None:
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


def _read_briefing_bytes(path: Path, rel: str, problems: list[Problem]) -> bytes | None:
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


# A line '---' or '...' (trailing white space allowed) closing the front matter.
_CLOSING_FENCE = re.compile(r"^(?:---|\.\.\.)[^\S\n]*$", re.MULTILINE)


def split_front_matter(text: str, rel: str, problems: list[Problem]) -> SplitFile | None:
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
    slug = _slug(fields, path, rel, problems)
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
    listed = {taxonomy.key: fields.text_list(taxonomy.key) for taxonomy in context.taxonomies}
    draft = fields.boolean("draft", False)
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
        terms={key: _terms(names, context.registries.get(key, {})) for key, names in listed.items() if names},
        draft=draft,
        images=images.images,
        extra=extra or {},
        fingerprint=fingerprint,
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


def _slug(fields: Fields, path: Path, rel: str, problems: list[Problem]) -> str | None:
    given = fields.text("slug")
    if given is None:
        return slug_of(path.stem)
    if not is_plain_slug(given):
        problems.append(
            error(
                rel,
                fields.value_line("slug"),
                f"slug '{given}' is not a plain name: use lowercase letters, digits and '-'",
            )
        )
        return None
    return given


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
    from briefgen.markdown import MAX_TABLE_CELLS  # noqa: PLC0415 - markdown-it is imported only to parse

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
    return tuple(
        Footnote(number, renderer.render_note(text), line, tuple(cited.get(number, ())))
        for number, (text, line) in notes.items()
    )


def _terms(names: tuple[str, ...], registered: Mapping[str, Term]) -> tuple[Term, ...]:
    """The terms named, once each by slug; a registered term (by its key or a spelling of it) as its registry has it."""
    terms: dict[str, Term] = {}
    for name in names:
        term = registered.get(name) or registered.get(slug_of(name)) or Term(name=name, slug=slug_of(name))
        terms.setdefault(term.slug, term)
    return tuple(terms.values())


def find_collisions(briefings: list[Briefing]) -> list[Problem]:
    """Two briefings that would be published at the same address: each reported at its slug."""
    first: dict[tuple[dt.date, str], Briefing] = {}
    problems: list[Problem] = []
    for briefing in sorted(briefings, key=lambda b: b.path):
        key = (briefing.date, briefing.slug)
        if key in first:
            other = first[key]
            problems.append(_collision(briefing, other))
            problems.append(_collision(other, briefing))
        else:
            first[key] = briefing
    return problems


def _collision(briefing: Briefing, other: Briefing) -> Problem:
    """At `briefing`'s `slug:` line, or its first line when its file name gave the slug."""

    def where(b: Briefing) -> str:
        return b.path if b.slug_line is None else f"{b.path}:{b.slug_line}"

    from_name = ", from the file name" if briefing.slug_line is None else ""
    fix = "a 'slug:'" if briefing.slug_line is None and other.slug_line is None else "another 'slug:'"
    return error(
        briefing.path,
        briefing.slug_line or 1,
        f"has the same date ({briefing.date}) and slug ('{briefing.slug}'{from_name}) as {where(other)}:"
        f" both would be published at one address; give one of them {fix}",
    )
