"""bench/corpus.py, the corpus the benchmarks and the tests build: the same for the same arguments, and clean."""

from __future__ import annotations

import datetime as dt
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.corpus import END, SOURCES, START, THEATRES, schedule, write_corpus
from briefgen.load import load_archive
from briefgen.model import Archive
from briefgen.slugs import slug_of
from tests.sitetools import REPO_ROOT, snapshot

CYRILLIC = re.compile("[\u0400-\u04ff]")
ARABIC = re.compile("[\u0600-\u06ff]")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Archive]:
    """150 briefings from every source, loaded as a build loads them, with the warnings checked."""
    root = write_corpus(tmp_path_factory.mktemp("corpus") / "root", 150, sources=len(SOURCES))
    archive, problems = load_archive(root, today=dt.date(2026, 1, 1))
    assert [str(p) for p in problems] == []  # a note never cited would be a warning
    return root, archive


def test_the_same_arguments_write_the_same_bytes(tmp_path: Path) -> None:
    first = snapshot(write_corpus(tmp_path / "a", 25, sources=3))
    assert first == snapshot(write_corpus(tmp_path / "b", 25, sources=3))
    assert first != snapshot(write_corpus(tmp_path / "c", 25, sources=3, seed=2))
    assert {"briefgen.yaml", "sources.yaml"} <= set(first)
    assert len([name for name in first if name.endswith(".md")]) == 25


def test_a_shorter_length_shortens_the_texts_and_keeps_the_schedule(tmp_path: Path) -> None:
    full, short = (
        write_corpus(tmp_path / name, 30, sources=3, length=length) for name, length in (("a", 1), ("b", 0.1))
    )
    archives = [load_archive(root, today=dt.date(2026, 1, 1)) for root in (full, short)]
    assert [str(p) for _, problems in archives for p in problems] == []  # every note still cited
    (whole, _), (brief, _) = archives
    assert [(b.date, b.source) for b in whole.briefings] == [(b.date, b.source) for b in brief.briefings]
    # The text's generator draws less for shorter texts, so the n-th briefings differ: compare the totals.
    (notes, text), (short_notes, short_text) = notes_and_text(whole), notes_and_text(brief)
    assert short_notes <= notes / 5 and len(short_text) <= len(text) / 5
    assert all(brief.bodies.body(b).footnotes for b in brief.briefings)


def notes_and_text(archive: Archive) -> tuple[int, str]:
    bodies = [archive.bodies.body(briefing) for briefing in archive.briefings]
    return sum(len(body.footnotes) for body in bodies), "".join(body.html for body in bodies)


def test_every_note_is_cited_and_sizes_are_report_sized(corpus: tuple[Path, Archive]) -> None:
    _, archive = corpus
    assert len(archive.briefings) == 150
    long_reports = 0
    for briefing in archive.briefings:
        body = archive.bodies.body(briefing)
        notes = body.footnotes
        assert all(note.citation_ids for note in notes), briefing.path
        assert 10 <= len(notes) <= 60 or 100 <= len(notes) <= 160, briefing.path
        assert 3 <= len(briefing.takeaways_html) <= 7
        words = len(re.sub(r"<[^>]+>", " ", body.html).split())
        assert 800 <= words <= 9000, (briefing.path, words)
        long_reports += len(notes) >= 100
        assert briefing.terms["authors"] and briefing.terms["tags"] and briefing.url
    assert 5 <= long_reports <= 30  # about one in ten


def test_the_text_has_every_kind_of_block(corpus: tuple[Path, Archive]) -> None:
    _, archive = corpus
    html = "".join(archive.bodies.body(briefing).html for briefing in archive.briefings)
    for element in ("<h2", "<h3", "<ul>", "<ol>", "<blockquote>", "<table>", "<strong>", '<a href="https://'):
        assert element in html, element


def test_names_come_in_cyrillic_and_arabic(corpus: tuple[Path, Archive]) -> None:
    _, archive = corpus
    for script in (CYRILLIC, ARABIC):
        assert any(script.search(b.title) for b in archive.briefings)
        assert any(script.search(name) for b in archive.briefings for name in (a.name for a in b.terms["authors"]))
        assert any(script.search(place.name) for b in archive.briefings for place in b.terms.get("places", ()))
        assert any(script.search(source.name) for source in archive.sources.values())
        assert any(script.search(archive.bodies.body(b).html) for b in archive.briefings)


def test_every_tag_and_place_has_a_slug_of_its_own() -> None:
    # Names that slug alike would share one page (index.py): the corpus would test less than it seems.
    for kind in ("tags", "places"):
        names = {name for theatre in THEATRES.values() for name in getattr(theatre, kind)}
        slugs = {slug_of(name) for name in names}
        assert len(slugs) == len(names), kind


def test_the_dates_start_on_the_first_day_and_never_pass_the_last() -> None:
    for briefings, sources in ((1, 1), (200, 4), (5000, 6), (10_000, 6), (10_000, 1)):
        planned = schedule(briefings, SOURCES[:sources], random.Random(1))
        days = [day for day, _ in planned]
        assert len(planned) == briefings
        assert days[0] == START and days == sorted(days) and days[-1] <= END
    # The tests' corpora stay within 2022 (test_finding.py reads its calendar).
    assert schedule(200, SOURCES[:4], random.Random("schedule 1"))[-1][0].year == 2022


def test_the_command_writes_a_corpus_and_refuses_to_mix_two(tmp_path: Path) -> None:
    command = [sys.executable, str(REPO_ROOT / "bench" / "corpus.py"), str(tmp_path / "out"), "--briefings", "3"]
    first = subprocess.run([*command, "--sources", "2"], capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr
    assert first.stdout == f"wrote 3 briefings into {tmp_path / 'out'}\n"
    assert len(list((tmp_path / "out" / "briefings").rglob("*.md"))) == 3
    again = subprocess.run(command, capture_output=True, text=True, check=False)
    assert again.returncode == 1
    assert "already has briefings" in again.stderr and "Traceback" not in again.stderr
