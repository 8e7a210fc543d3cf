"""The stages know no cache: load.py reuses parses through any ParseCache, and render.py keeps compiled
templates in whatever jinja2.BytecodeCache it is handed. The engine's own caches, which a build hands
them, are tested in test_incremental.py and test_hostile_cache.py; here each stage is given a few dicts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import jinja2
import pytest

from briefgen import load
from briefgen.filestate import FileState
from briefgen.index import build_index
from briefgen.load import load_archive
from briefgen.model import Bodies, BodiesInMemory, Body
from briefgen.parsecache import ParseCache, ParsedEntry
from briefgen.plan import SitePlan
from briefgen.render import SiteRenderer
from tests.sitetools import copy_example

TODAY = dt.date(2026, 1, 1)


class MemoryParseCache:
    """A ParseCache in two dicts: all that loading asks of a cache, nothing of the engine's packs or files."""

    def __init__(self) -> None:
        self.keys: dict[tuple[str, str], tuple[FileState, str]] = {}
        self.entries: dict[str, ParsedEntry] = {}
        self.stored = 0

    def known_key(self, rel: str, salt: str, state: FileState) -> str | None:
        known = self.keys.get((rel, salt))
        return known[1] if known is not None and known[0] == state else None

    def entry(self, key: str) -> ParsedEntry | None:
        return self.entries.get(key)

    def remember(self, rel: str, salt: str, state: FileState, key: str, entry: ParsedEntry) -> None:
        self.keys[(rel, salt)] = (state, key)
        self.entries[key] = entry

    def store_body(self, entry: ParsedEntry) -> ParsedEntry:
        self.stored += 1
        return entry

    def packed_bodies(self, entries: Iterable[ParsedEntry]) -> Bodies:
        return BodiesInMemory(
            {e.briefing.path: e.body for e in entries if e.briefing is not None and isinstance(e.body, Body)}
        )


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files parse.py turns into briefings, as load.py asks it to."""
    parsed: list[str] = []
    parse = load.briefing_from_bytes

    def counted(*args: object, **kwargs: object) -> object:
        parsed.append(str(args[2]))
        return parse(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(load, "briefing_from_bytes", counted)
    return parsed


def test_loading_reuses_what_any_parse_cache_kept(tmp_path: Path, parses: list[str]) -> None:
    root = copy_example(tmp_path / "site")
    cache: ParseCache = MemoryParseCache()
    first, _ = load_archive(root, today=TODAY, cache=cache)
    files = len(parses)
    assert files == len(first.briefings) > 0
    assert isinstance(cache, MemoryParseCache) and cache.stored == files  # every body offered to the cache

    again, _ = load_archive(root, today=TODAY, cache=cache)
    assert len(parses) == files  # nothing parsed again
    assert again.briefings == first.briefings
    assert [again.bodies.body(b) for b in again.briefings] == [first.bodies.body(b) for b in first.briefings]


def test_a_file_changed_is_parsed_again_and_only_it(tmp_path: Path, parses: list[str]) -> None:
    root = copy_example(tmp_path / "site")
    cache = MemoryParseCache()
    first, _ = load_archive(root, today=TODAY, cache=cache)
    edited = first.briefings[0]
    path = root / edited.path
    path.write_text(path.read_text("utf-8") + "\nA sentence added.\n", "utf-8")
    parses.clear()

    again, _ = load_archive(root, today=TODAY, cache=cache)
    assert parses == [edited.path]
    assert "A sentence added." in again.bodies.body(again.briefings[0]).html


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates in a dict, counting what Jinja found there."""

    def __init__(self) -> None:
        self.kept: dict[str, bytes] = {}
        self.found = 0

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.kept:
            bucket.bytecode_from_string(self.kept[bucket.key])
            self.found += 1

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.kept[bucket.key] = bucket.bytecode_to_string()


def test_rendering_keeps_compiled_templates_in_the_cache_it_is_handed(tmp_path: Path) -> None:
    archive, _ = load_archive(copy_example(tmp_path / "site"), today=TODAY)
    compiled = MemoryBytecodeCache()

    def home_page() -> bytes:
        renderer = SiteRenderer(archive, None, bytecode_cache=compiled)
        job = next(job for job in SitePlan(archive, build_index(archive)).jobs() if job.path == "index.html")
        return renderer.render(job).content

    page = home_page()
    assert compiled.kept and compiled.found == 0  # compiled once, and kept where the caller said
    assert home_page() == page
    assert compiled.found > 0  # a second environment read them back
