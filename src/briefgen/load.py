"""Walk briefings/ and load every briefing, reusing what the parse cache kept from the last build.

`load_archive` returns every briefing, or raises ArchiveError carrying every
problem in the archive: one run tells an editor everything to fix. One file
becomes a briefing in parse.py; here are the archive's walk, the parse cache
(any ParseCache: the build passes the incremental engine's), the workers, and
what depends on more than one file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen import __version__
from briefgen.config import SETTINGS_FILE, SOURCES_FILE, read_settings
from briefgen.digests import digest
from briefgen.errors import ArchiveError, Problem, SiteRootError, error
from briefgen.filestate import FileState, current_state, root_relative
from briefgen.frontmatter import front_matter_keys
from briefgen.gazetteer import read_registry, read_sources
from briefgen.model import Archive, Bodies, BodiesInMemory, Body, Briefing, Settings
from briefgen.parallel import parallel_map
from briefgen.parse import ParseContext, SourceRegistry, briefing_from_bytes, read_briefing_bytes
from briefgen.parsecache import ParseCache, ParsedEntry
from briefgen.slugs import SlugStyle
from briefgen.translations import unknown_targets

if TYPE_CHECKING:
    from briefgen.markdown import MarkdownRenderer

BRIEFINGS_DIR = "briefings"


@dataclass(frozen=True, slots=True)
class LoadContext:
    """Everything loading one file needs; shared by forked workers as it is."""

    parse: ParseContext
    salt: str
    """Digest of what parsing depends on besides the file: version, settings, sources."""
    cache: ParseCache | None = None


def load_archive(
    root: Path,
    *,
    base_url: str | None = None,
    include_drafts: bool = False,
    today: dt.date | None = None,
    cache: ParseCache | None = None,
    workers: int = 1,
) -> tuple[Archive, tuple[Problem, ...]]:
    """Every briefing under root/briefings, and the warnings; raises ArchiveError on any error.

    With a cache, files unchanged since the last build are not parsed again,
    and briefing bodies are kept in the cache instead of in memory.
    """
    check_site_root(root)
    problems: list[Problem] = []
    settings = read_settings(root, problems, base_url)
    registry = source_registry(root, problems, settings.slugs)
    registries = {taxonomy.key: read_registry(root, taxonomy, problems) for taxonomy in settings.taxonomies}
    parse = ParseContext(
        root=root,
        registry=registry,
        today=today or dt.date.today(),
        allow_html=settings.allow_html,
        taxonomies=settings.taxonomies,
        registries=registries,
        known_keys=front_matter_keys(settings.taxonomies),
        slugs=settings.slugs,
    )
    context = LoadContext(parse, salt=parse_salt(root, settings), cache=cache)
    files = find_briefing_files(root, problems)
    briefings: list[Briefing] = []
    entries = parse_files(context, files, workers)
    for entry in entries:
        problems.extend(entry.problems)
        if entry.briefing is not None and (include_drafts or not entry.briefing.draft):
            briefings.append(entry.briefing)
    briefings = _with_canonical_sources(briefings, registry)
    problems.extend(find_collisions(briefings))
    # Against every briefing read, drafts too: a translation of a draft is not a mistake.
    problems.extend(unknown_targets([entry.briefing for entry in entries if entry.briefing is not None]))
    if any(p.is_error for p in problems):
        raise ArchiveError(problems, files_read=len(files))
    archive = Archive(
        settings=settings,
        sources=dict(sorted(registry.all_sources().items())),
        briefings=tuple(sorted(briefings, key=lambda b: b.sort_key)),
        bodies=_bodies(entries, cache),
        registries={key: registry.terms for key, registry in registries.items() if registry.terms},
    )
    return archive, tuple(sorted(problems))


def _bodies(entries: list[ParsedEntry], cache: ParseCache | None) -> Bodies:
    """The briefings' text: read from what the cache kept as pages need it, or held in memory."""
    if cache is not None:
        return cache.packed_bodies(entries)
    return BodiesInMemory(
        {e.briefing.path: e.body for e in entries if e.briefing is not None and isinstance(e.body, Body)}
    )


def source_registry(root: Path, problems: list[Problem], slugs: SlugStyle = SlugStyle.ASCII) -> SourceRegistry:
    """The sources of sources.yaml; a source it does not list is reported only when it could be read whole."""
    read: list[Problem] = []
    known = read_sources(root, read)
    problems.extend(read)
    listed = (root / SOURCES_FILE).is_file() and not any(p.is_error for p in read)
    return SourceRegistry(known, listed=listed, slugs=slugs)


def parse_salt(root: Path, settings: Settings) -> str:
    sources_file = root / SOURCES_FILE
    # An empty sources.yaml is not the same as none: with one, every unlisted source is reported.
    listed = sources_file.is_file()
    sources = sources_file.read_bytes() if listed else b""
    # The taxonomies decide which keys a briefing may have and what its terms are called.
    registries = [_bytes_or_nothing(root / t.registry) for t in settings.taxonomies if t.registry is not None]
    settings_read = (repr(settings.allow_html), repr(settings.taxonomies), settings.slugs.value)
    return digest(__version__, *settings_read, repr(listed), sources, *registries)


def _bytes_or_nothing(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def parse_files(context: LoadContext, files: list[Path], workers: int) -> list[ParsedEntry]:
    """Every file parsed, in order: from the cache where it is current, in parallel otherwise."""
    entries: list[ParsedEntry | None] = [_cached_entry(context, path) for path in files]
    missing = [i for i, entry in enumerate(entries) if entry is None]
    if missing:
        read_ahead([files[i] for i in missing])
        context.parse.markdown()  # made before the workers fork, so that each has it
    with parallel_map(parse_file, context, [files[i] for i in missing], workers) as results:
        for i, (state, key, entry) in zip(missing, results, strict=True):
            entries[i] = entry
            if context.cache is not None and state is not None:
                context.cache.remember(relative(context.parse.root, files[i]), context.salt, state, key, entry)
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


def _cached_entry(context: LoadContext, path: Path) -> ParsedEntry | None:
    if context.cache is None:
        return None
    rel = relative(context.parse.root, path)
    state = current_state(path)
    key = context.cache.known_key(rel, context.salt, state) if state is not None else None
    entry = _current(context, key)
    if entry is not None and state is not None and key is not None:
        context.cache.remember(rel, context.salt, state, key, entry)
    return entry


def _current(context: LoadContext, key: str | None) -> ParsedEntry | None:
    """The cached entry for `key`, unless it was parsed on another day with a date still ahead then."""
    if context.cache is None or key is None:
        return None
    entry = context.cache.entry(key)
    if entry is None:
        return None
    # The only problem that depends on the day: "the date is in the future".
    date_was_ahead = entry.briefing is None or entry.briefing.date > entry.parsed_on
    if entry.parsed_on != context.parse.today and date_was_ahead:
        return None
    return entry


def parse_file(context: LoadContext, path: Path) -> tuple[FileState | None, str, ParsedEntry]:
    """One file: its state when read, its cache key, and what it parses to."""
    rel = relative(context.parse.root, path)
    problems: list[Problem] = []
    state = current_state(path)
    data = read_briefing_bytes(path, rel, problems)
    key = digest(context.salt, rel, data or b"")
    reused = _current(context, key) if data is not None else None
    if reused is not None:
        return state, key, reused
    images: list[Path] = []
    made = briefing_from_bytes(context.parse, path, rel, data, key, problems, images) if data is not None else None
    briefing, body = made if made is not None else (None, None)
    image_states = tuple((root_relative(image, context.parse.root), current_state(image)) for image in images)
    entry = ParsedEntry(briefing, tuple(problems), body, image_states, parsed_on=context.parse.today)
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
    context = ParseContext(root=root, registry=registry, renderer=renderer, today=today)
    _, _, entry = parse_file(LoadContext(context, salt=""), path)
    problems.extend(entry.problems)
    return (entry.briefing, entry.body) if entry.briefing is not None and isinstance(entry.body, Body) else None


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
