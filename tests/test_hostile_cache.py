"""A cache that cannot lie: damaged, altered, cut short, copied or moved, it never changes what is published.

Every kind of file in .briefgen-cache/ is damaged in turn (random bytes, edited
text, truncation, a pack gone). Each build must then succeed, say once that
the cache was damaged, and publish exactly what a build without a cache
publishes, byte for byte. A copied site root must never read the original's
cache, and a moved one must keep its own.
"""

from __future__ import annotations

import copyreg
import dataclasses
import hashlib
import os
import random
import shutil
import signal
import struct
import tempfile
import zlib
from pathlib import Path

import pytest

from briefgen.build import BuildReport, build_site
from briefgen.incremental import cacheindex, sealed
from briefgen.incremental.cache import CACHE_DIR, BuildCache
from briefgen.incremental.cacheindex import FORMAT_VERSION, schema_of
from briefgen.incremental.packs import PackedBody
from briefgen.incremental.templates import COMPILED_SUFFIX
from briefgen.model import Briefing
from tests.sitetools import make_corpus, snapshot

IMAGE_BRIEFING = 5
"""The briefing (in path order) that shows an image kept beside it."""


def png(rgb: tuple[int, int, int]) -> bytes:
    """A valid one-pixel PNG of that colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes([0, *rgb])))
        + chunk(b"IEND", b"")
    )


LENGTH = 0.3
"""Of an ISW-sized report: a cache is damaged and mended alike whatever the texts' length."""


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus's files, written once: each test copies them and builds its own cache."""
    root = make_corpus(tmp_path_factory.mktemp("sources") / "root", briefings=40, sources=3, length=LENGTH)
    path = briefing(root, IMAGE_BRIEFING)
    (path.parent / "map.png").write_bytes(png((200, 0, 0)))
    path.write_text(path.read_text("utf-8") + "\n![A map of the front](map.png)\n", "utf-8")
    return root


@pytest.fixture
def built(sources: Path, tmp_path: Path) -> Path:
    root = tmp_path / "site1"
    shutil.copytree(sources, root)
    build_site(root, search=False)
    return root


def briefing(root: Path, index: int) -> Path:
    return sorted((root / "briefings").rglob("*.md"))[index]


def edit(root: Path, index: int = 20) -> None:
    path = briefing(root, index)
    path.write_text(path.read_text("utf-8") + "\nA correction was added.\n", "utf-8")


def change_template(root: Path) -> None:
    """So that every page is rendered again, each briefing's body read from the cache."""
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates" / "404.html").write_text("{% extends 'base.html' %}{% block content %}gone{% endblock %}\n")


def cache_notices(report: BuildReport) -> list[str]:
    return [notice for notice in report.notices if CACHE_DIR in notice]


_cold_sites: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}
"""The site a build without a cache publishes, by the inputs it was built from: most tests damage
a cache and leave the inputs as the corpus has them, so one cold build serves them all."""


def inputs_of(root: Path) -> tuple[tuple[str, str], ...]:
    """The site root's files by digest, but the output, its twin and the cache, which are not read."""
    digests = {}
    for entry in sorted(root.iterdir()):
        if entry.name in {"site", CACHE_DIR} or entry.name.startswith(".site."):
            continue
        if entry.is_dir():
            digests.update({f"{entry.name}/{path}": digest for path, digest in snapshot(entry).items()})
        else:
            digests[entry.name] = hashlib.sha256(entry.read_bytes()).hexdigest()
    return tuple(sorted(digests.items()))


def cold_site(root: Path, tmp_path: Path) -> dict[str, str]:
    inputs = inputs_of(root)
    if inputs not in _cold_sites:
        cold = tmp_path / "cold"
        shutil.rmtree(cold, ignore_errors=True)
        build_site(root, output=cold, use_cache=False, search=False)
        _cold_sites[inputs] = snapshot(cold)
    return _cold_sites[inputs]


def assert_same_as_cold(root: Path, tmp_path: Path) -> None:
    assert snapshot(root / "site") == cold_site(root, tmp_path)


def assert_heals(root: Path, tmp_path: Path, report: BuildReport) -> None:
    """The build after damage: one warning, the site a cold build makes; the next build finds nothing wrong."""
    assert len(cache_notices(report)) == 1, report.notices
    assert_same_as_cold(root, tmp_path)
    again = build_site(root, search=False)
    assert cache_notices(again) == [], "the damaged entries were not replaced"
    assert (again.rendered, again.written) == (0, 0)


def packs(root: Path) -> list[Path]:
    return sorted((root / CACHE_DIR / "bodies").iterdir())


def index_file(root: Path) -> Path:
    return next((root / CACHE_DIR).glob(f"index-{FORMAT_VERSION}-*"))


def compiled_templates(root: Path) -> list[Path]:
    return sorted((root / CACHE_DIR / "templates").iterdir())


def stored_bodies(root: Path) -> list[PackedBody]:
    cache = BuildCache(root / CACHE_DIR)
    bodies = []
    for key in sorted(cache.state.entries):
        entry = cache.entry(key)
        assert entry is not None and entry.briefing is not None
        assert isinstance(entry.body, PackedBody)
        bodies.append(entry.body)
    return bodies


def overwrite(path: Path, start: int, data: bytes, *, keep_time: bool = False) -> None:
    """Write `data` over the file's bytes at `start`, in place (the same inode and size)."""
    before = path.stat()
    with path.open("r+b") as stream:
        stream.seek(start)
        stream.write(data)
    if keep_time:
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def random_bytes(size: int, seed: int = 16) -> bytes:
    return random.Random(seed).randbytes(size)


def test_random_bytes_in_a_pack_file_plus_one_edit(built: Path, tmp_path: Path) -> None:
    for pack in packs(built):
        overwrite(pack, 0, random_bytes(pack.stat().st_size))
    edit(built)
    report = build_site(built, search=False)
    assert "damaged" in cache_notices(report)[0]
    assert_heals(built, tmp_path, report)


@pytest.mark.parametrize("part", ["html", "notes"])
@pytest.mark.parametrize("keep_time", [False, True], ids=["pack-time-changed", "pack-time-put-back"])
def test_altered_text_in_a_pack_is_never_published(built: Path, tmp_path: Path, part: str, keep_time: bool) -> None:
    # A word of one body (or of its notes) changed in place, the pack's size kept; with its time put
    # back too, the pack looks untouched: the body's digest finds it as a page reads it.
    body = stored_bodies(built)[12]
    start, end = (body.offset, body.offset + body.size) if part == "html" else (body.offset + body.size, None)
    pack = Path(body.path)
    data = pack.read_bytes()
    word = next(w for w in (b"Russian", b"Ukraine", b"forces", b"source") if w in data[start:end])
    at = data.index(word, start)
    overwrite(pack, at, b"PWNED!!"[: len(word)].ljust(len(word), b"!"), keep_time=keep_time)
    change_template(built)  # every page is rendered again, and reads its body
    report = build_site(built, search=False)
    assert not any(b"PWNED" in file.read_bytes() for file in (built / "site").rglob("*") if file.is_file())
    assert_heals(built, tmp_path, report)


def kind_of_file(root: Path, kind: str) -> Path:
    return {
        "index": lambda: index_file(root),
        "pack": lambda: packs(root)[0],
        "compiled template": lambda: compiled_templates(root)[0],
        "last build": lambda: root / CACHE_DIR / "last-build",
    }[kind]()


KINDS = ["index", "pack", "compiled template", "last build"]


@pytest.mark.parametrize("kind", KINDS)
def test_random_bytes_in_every_kind_of_cache_file(built: Path, tmp_path: Path, kind: str) -> None:
    file = kind_of_file(built, kind)
    overwrite(file, 0, random_bytes(file.stat().st_size))
    edit(built)
    report = build_site(built, search=False)
    assert_heals(built, tmp_path, report)


@pytest.mark.parametrize("kind", KINDS)
def test_a_cache_file_cut_short(built: Path, tmp_path: Path, kind: str) -> None:
    file = kind_of_file(built, kind)
    with file.open("r+b") as stream:
        stream.truncate(file.stat().st_size // 2)
    edit(built)
    change_template(built)
    report = build_site(built, search=False)
    assert_heals(built, tmp_path, report)


def test_damage_to_a_few_entries_of_the_index_costs_those_entries_only(built: Path, tmp_path: Path) -> None:
    index = index_file(built)
    size = index.stat().st_size
    overwrite(index, size - 3000, random_bytes(100))  # among the last entries, the state before them intact
    edit(built)
    report = build_site(built, search=False)
    notice = cache_notices(report)[0]
    assert "1 damaged entry" in notice or "2 damaged entries" in notice, notice
    assert_heals(built, tmp_path, report)


def test_an_index_that_names_a_missing_pack(built: Path, tmp_path: Path) -> None:
    for pack in packs(built):
        pack.unlink()
    edit(built)
    report = build_site(built, search=False)
    assert "39 damaged entries" in cache_notices(report)[0]  # the edited one is parsed anew: its entry is not read
    assert_heals(built, tmp_path, report)


def test_a_copied_site_root_never_reads_the_originals_cache(built: Path, tmp_path: Path) -> None:
    copy = tmp_path / "site2"
    shutil.copytree(built, copy, symlinks=True)  # as `cp -a`: the cache and site come along
    # The original changes under the copy: its packs are now other bytes, its image another picture.
    for pack in packs(built):
        overwrite(pack, 0, random_bytes(pack.stat().st_size))
    image = briefing(built, IMAGE_BRIEFING).parent / "map.png"
    original = image.stat()
    image.write_bytes(png((0, 0, 200)))
    os.utime(image, ns=(original.st_atime_ns, original.st_mtime_ns))  # the image looks as it was
    before = snapshot(built)
    edit(copy)
    report = build_site(copy, search=False)
    assert cache_notices(report) == []  # its own cache is intact
    assert snapshot(built) == before, "the copy's build wrote into the original"
    assert_same_as_cold(copy, tmp_path)
    published = next((copy / "site" / "briefings").rglob("map.png"))
    assert published.read_bytes() == png((200, 0, 0))


def test_a_moved_site_root_keeps_its_cache(built: Path, tmp_path: Path) -> None:
    moved = tmp_path / "moved"
    built.rename(moved)
    names = [pack.name for pack in packs(moved)]
    report = build_site(moved, search=False)
    assert (report.rendered, report.written) == (0, 0)
    edit(moved)
    report = build_site(moved, search=False)
    assert report.rendered < report.pages / 10
    assert set(names) <= {pack.name for pack in packs(moved)}, "briefings were parsed again"
    assert cache_notices(report) == []
    assert_same_as_cold(moved, tmp_path)


def test_a_cache_of_the_previous_format_is_discarded_quietly(built: Path, tmp_path: Path) -> None:
    cache = built / CACHE_DIR
    old_index = cache / f"index-{int(FORMAT_VERSION) - 1}-0.1.0.pickle"
    old_template = cache / "templates" / "__jinja2_0123.cache"
    old_index.write_bytes(random_bytes(1000))
    old_template.write_bytes(random_bytes(1000))
    edit(built)
    report = build_site(built, search=False)
    assert cache_notices(report) == []
    assert not old_index.exists() and not old_template.exists()
    assert all(file.name.endswith(COMPILED_SUFFIX) for file in compiled_templates(built))
    assert_same_as_cold(built, tmp_path)


def test_the_schema_changes_with_the_fields_of_a_pickled_class() -> None:
    def shaped(*fields: str) -> type:
        return dataclasses.make_dataclass("Briefing", [(name, str) for name in fields], frozen=True)

    assert schema_of([shaped("title", "date")]) == schema_of([shaped("title", "date")])
    assert schema_of([shaped("title", "date")]) != schema_of([shaped("title", "authors", "date")])
    assert schema_of([shaped("title", "date")]) != schema_of([shaped("date", "title")])


def test_the_schema_changes_with_the_module_of_a_pickled_class() -> None:
    # A pickle names its class's module: a cache written before a class moved (as CacheState and PageRecord
    # left cache.py for cacheindex.py) would look for it where it was, and is set aside instead.
    def placed(module: str) -> type:
        cls = dataclasses.make_dataclass("CacheState", [("files", str)])
        cls.__module__ = module
        return cls

    assert schema_of([placed("briefgen.incremental.cache")]) == schema_of([placed("briefgen.incremental.cache")])
    assert schema_of([placed("briefgen.incremental.cache")]) != schema_of([placed("briefgen.incremental.cacheindex")])


def older_briefing(briefing: Briefing) -> tuple[type[Briefing], tuple[object, ...]]:
    """A briefing as a briefgen whose Briefing had one more field after `source` pickled it."""
    values = tuple(getattr(briefing, f.name) for f in dataclasses.fields(Briefing))
    return Briefing, (*values[:4], "a field since removed", *values[4:-1])


@pytest.mark.parametrize("older", ["__version__", "SCHEMA"])
def test_a_cache_written_by_an_older_briefgen_or_schema_is_rebuilt(
    sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, older: str
) -> None:
    # The facet change: a field added to Briefing, FORMAT_VERSION left as it was.
    # Read with the new classes, the old pickles put every value after `source` one field off.
    root = tmp_path / "site1"
    shutil.copytree(sources, root)
    with monkeypatch.context() as patch:
        patch.setattr(cacheindex, older, "older")
        patch.setitem(copyreg.dispatch_table, Briefing, older_briefing)
        build_site(root, search=False, workers=1)  # one process: the briefings reach the build unpickled
    report = build_site(root, search=False)
    assert report.rendered == report.pages  # nothing of the older cache was used
    assert cache_notices(report) == []
    assert [index.name for index in (root / CACHE_DIR).glob("index-*")] == [index_file(root).name]
    assert_same_as_cold(root, tmp_path)


def test_a_ctrl_c_just_as_a_cache_file_is_begun_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache file is written into a temporary file renamed over it; a Ctrl-C that came once the
    temporary file was made but before its name was known left it behind."""
    made = tempfile.mkstemp

    def made_then_ctrl_c(**where: str) -> tuple[int, str]:
        found = made(**where)
        os.kill(os.getpid(), signal.SIGINT)
        return found

    monkeypatch.setattr(sealed.tempfile, "mkstemp", made_then_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        sealed.write_sealed(tmp_path / "entry", b"data")
    assert list(tmp_path.iterdir()) == []
