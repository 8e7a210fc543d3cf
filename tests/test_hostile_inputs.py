"""Odd and hostile input files: each works, or is one clear `path:line` error, in bounded time and memory.

Byte-order marks, CRLF, tabs, a 10 MB briefing, 5,000 notes, 100,000 file
names, an empty archive, dates from year 1 to 9999, YAML alias bombs, and
nesting (YAML and Markdown) deep enough to overflow a C stack. Whatever might
crash the process runs in a subprocess, so a crash is a failure and not the
end of the test run.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import lxml.etree
import lxml.html
import pytest
import yaml

from briefgen import yamlnodes
from briefgen.build import build_site
from briefgen.errors import ArchiveError, BriefgenError
from briefgen.load import find_briefing_files, load_archive
from tests.sites import SOURCES_YAML, MakeSite, briefing_text, cpu_seconds, run_limited


def assert_clean(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode in {0, 1}, f"exit {result.returncode} (a signal is negative): {result.stderr[-2000:]}"
    assert "Traceback" not in result.stderr, result.stderr[-3000:]


def problems_of(root: Path) -> list[str]:
    try:
        _, warnings = load_archive(root)
    except ArchiveError as exc:
        return [str(p) for p in exc.problems]
    return [str(p) for p in warnings]


# --- encodings and line endings ---------------------------------------------------------


def test_byte_order_marks_and_crlf_everywhere_build_as_if_they_were_not_there(
    make_site: MakeSite, tmp_path: Path
) -> None:
    front = "takeaways:\n  - One.\nfootnotes:\n  1: A note.\ntags: [drones]\n"
    plain = {
        "briefgen.yaml": "title: Archive\nbase_url: https://example.org/a/\n",
        "sources.yaml": SOURCES_YAML,
        "briefings/a.md": briefing_text(front, body="First paragraph.[1]\n\n## Heading\n\nSecond.\n"),
    }

    def dressed(text: str, newline: str) -> bytes:
        return b"\xef\xbb\xbf" + text.replace("\n", newline).encode("utf-8")

    build_site(make_site(plain), output=tmp_path / "plain", search=False)
    for newline in ("\r\n", "\r"):
        root = make_site({name: dressed(text, newline) for name, text in plain.items()})
        build_site(root, output=tmp_path / "dressed", search=False)
        for page in ("index.html", "briefings/2025/06/26/a/index.html", "feed.xml"):
            assert (tmp_path / "dressed" / page).read_bytes() == (tmp_path / "plain" / page).read_bytes()


def test_a_tab_used_for_indentation_is_one_error_at_its_line(make_site: MakeSite) -> None:
    root = make_site({"briefings/a.md": briefing_text("takeaways:\n\t- One.\n")})
    problems = problems_of(root)
    assert len(problems) == 1
    assert problems[0].startswith("briefings/a.md:6: invalid YAML")
    assert "tabs" in problems[0]


def test_tabs_inside_values_and_the_body_are_kept(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"briefings/a.md": briefing_text("summary: 'A\ttab'\n", body="Text\twith a tab.\n")})
    build_site(root, output=tmp_path / "out", search=False)


def test_text_that_is_not_utf8_is_one_error_at_its_line(make_site: MakeSite) -> None:
    root = make_site({"briefings/a.md": briefing_text(body="Fine.\n").encode() + "Caf\xe9\n".encode("latin-1")})
    assert problems_of(root) == ["briefings/a.md:7: the file is not UTF-8 text (byte 0xe9): save it as UTF-8"]


# --- size -----------------------------------------------------------------------------


def test_a_10_mb_briefing_builds_in_bounded_time_and_memory(make_site: MakeSite, tmp_path: Path) -> None:
    paragraph = " ".join(["Russian forces continued offensive operations near Pokrovsk."] * 8)
    notes = "".join(f"  {n}: Source {n}, https://example.org/{n}\n" for n in range(1, 201))
    body = "".join(f"## Part {i}\n\n{paragraph}[{i % 200 + 1}]\n\n" for i in range(21_000))
    root = make_site({"briefings/big.md": briefing_text("footnotes:\n" + notes, body=body)})
    assert (root / "briefings/big.md").stat().st_size > 10 * 2**20
    started = cpu_seconds()
    result = run_limited("build", "--root", str(root), "--output", str(tmp_path / "out"), "--no-search")
    assert_clean(result)
    assert result.returncode == 0, result.stderr[-2000:]
    assert cpu_seconds() - started < 60
    page = tmp_path / "out/briefings/2025/06/26/big/index.html"
    assert len(lxml.html.fromstring(page.read_bytes()).xpath("//h2")) >= 21_000


def test_a_file_over_the_size_limit_is_one_error(make_site: MakeSite) -> None:
    root = make_site({"briefings/a.md": briefing_text()})
    with (root / "briefings/huge.md").open("wb") as stream:
        stream.truncate(21 * 2**20)  # sparse: 21 MB of NUL bytes that cost no disk
    assert problems_of(root) == ["briefings/huge.md:1: the file is larger than 20 MB: is it really a briefing?"]


def test_5000_notes_in_one_briefing(make_site: MakeSite, tmp_path: Path) -> None:
    notes = "".join(f"  {n}: Report {n}, https://example.org/r/{n}\n" for n in range(1, 5001))
    body = "".join(f"Sentence {n} of the assessment.[{n}]\n" for n in range(1, 5001))
    root = make_site({"briefings/a.md": briefing_text("footnotes:\n" + notes, body=body)})
    started = cpu_seconds()
    build_site(root, output=tmp_path / "out", search=False)
    assert cpu_seconds() - started < 60
    tree = lxml.html.fromstring((tmp_path / "out/briefings/2025/06/26/a/index.html").read_bytes())
    assert len(tree.xpath("//sup[@class='citation']/a")) == 5000
    assert len(tree.xpath("//section[@role='doc-endnotes']/ol/li")) == 5000
    assert tree.xpath("//li[@id='fn:5000']//a[@class='backref']/@href") == ["#fnref:5000:1"]


def test_100000_file_names_are_walked_in_bounded_time(tmp_path: Path) -> None:
    briefings = tmp_path / "briefings"
    count = 0
    for year in range(2000, 2025):
        # Names of one empty file a year (hard links: a new file each was 30 s of CPU, most of this test,
        # and a walk sees names, whatever file they name).
        empty = tmp_path / f"empty-{year}"
        empty.touch()
        for month in range(1, 13):
            for day in range(1, 29):
                folder = briefings / f"{year}/{month:02d}/{day:02d}"
                folder.mkdir(parents=True)
                for source in range(12):
                    os.link(empty, folder / f"source-{source}-report.md")
                    count += 1
    (briefings / "2000/01/01/notes.txt").write_text("not a briefing")
    (briefings / "2000/01/01/.hidden.md").write_text("")
    assert count >= 100_000
    started = cpu_seconds()
    problems: list = []
    found = find_briefing_files(tmp_path, problems)
    assert cpu_seconds() - started < 30
    assert (len(found), problems) == (count, [])
    assert found == sorted(found, key=lambda p: p.relative_to(briefings).parts)


def test_an_empty_archive_builds_an_empty_site(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({})
    result = run_limited("check", "--root", str(root))
    assert (result.returncode, result.stdout) == (0, "checked 0 briefings: 0 errors, 0 warnings\n")
    build_site(root, output=tmp_path / "out", search=False)
    assert (tmp_path / "out/index.html").is_file()
    feed = lxml.etree.fromstring((tmp_path / "out/feed.xml").read_bytes())
    assert feed.findall("{http://www.w3.org/2005/Atom}entry") == []


# --- dates ----------------------------------------------------------------------------


def test_dates_from_year_1_to_9999_build_under_four_digit_years(make_site: MakeSite, tmp_path: Path) -> None:
    dates = ["0001-01-01", "0999-12-31", "1900-01-01", "1900-02-28", "2000-02-29", "2100-12-31", "9999-12-31"]
    root = make_site({f"briefings/r{d}.md": briefing_text(date=d) for d in dates})
    report = build_site(root, output=tmp_path / "out", search=False)
    assert [str(w) for w in report.warnings] == [
        f"briefings/r{d}.md:3: warning: the date {d} is in the future: is it a typo?" for d in dates[-2:]
    ]
    for date in dates:
        year, month, day = date.split("-")
        assert (tmp_path / f"out/briefings/{year}/{month}/{day}/r{date}/index.html").is_file()
        assert (tmp_path / f"out/briefings/{year}/{month}/index.html").is_file()
        assert (tmp_path / f"out/briefings/{year}/index.html").is_file()
    lxml.etree.fromstring((tmp_path / "out/feed.xml").read_bytes())


@pytest.mark.parametrize(
    ("date", "why"),
    [
        ("0000-01-01", "is not a calendar date: there is no year 0000"),
        ("1900-02-29", "is not a calendar date: February 1900 has 28 days (not a leap year)"),
        ("2025-13-01", "is not a calendar date: there is no month 13 (months run 01 to 12)"),
        ("2025-06-31", "is not a calendar date: June has 30 days"),
        ("20250-01-01", "must be a date written YYYY-MM-DD, not the text '20250-01-01'"),
        ("-2025-01-01", "must be a date written YYYY-MM-DD, not the text '-2025-01-01'"),
    ],
)
def test_a_date_that_does_not_exist_is_one_error_at_its_line(make_site: MakeSite, date: str, why: str) -> None:
    root = make_site({"briefings/a.md": briefing_text(date=f"'{date}'")})
    written = "" if why.startswith("must") else f" {date}"
    assert problems_of(root) == [f"briefings/a.md:3: 'date'{written} {why}"]


# --- YAML bombs and nesting -------------------------------------------------------------

BILLION_LAUGHS = "".join(
    f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]\n" if i else 'l0: &l0 "lol"\n' for i in range(10)
)


@pytest.mark.parametrize("where", ["briefings/a.md", "sources.yaml", "briefgen.yaml"])
def test_a_yaml_alias_bomb_is_one_error_in_no_time(make_site: MakeSite, where: str) -> None:
    files = {"briefings/a.md": briefing_text()}
    if where == "briefings/a.md":
        files[where] = (
            "---\ntitle: T\ndate: 2025-06-26\nsource: isw\nextra:\n"
            + "".join("  " + line + "\n" for line in BILLION_LAUGHS.splitlines())
            + "---\nText.\n"
        )
    else:
        files[where] = BILLION_LAUGHS
    root = make_site(files)
    started = cpu_seconds()
    problems = problems_of(root)
    assert cpu_seconds() - started < 5
    assert [p for p in problems if "aliases" in p] == problems
    assert len(problems) == 1 and problems[0].startswith(where + ":")


DEEP_YAML = {
    "block-dashes-on-one-line": ("tags:\n  " + "- " * 100_000 + "x\n", 6),
    "block-indentation": (
        "extra:\n" + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(3000)) + " " * 3001 + "x\n",
        37,
    ),
    "flow-brackets": ("tags: " + "[" * 100_000 + "]" * 100_000 + "\n", 5),
    "flow-braces": ("extra: " + "{a: " * 50_000 + "1" + "}" * 50_000 + "\n", 5),
    "unclosed-brackets": ("title: " + "[" * 100_000 + "\n", 5),
    "complex-keys": ("extra:\n  " + "? " * 50_000 + "x\n", 6),
    "block-then-flow": (
        "extra:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(20)) + "  " * 21 + "[" * 20 + "]" * 20 + "\n",
        26,
    ),
}


@pytest.mark.parametrize("name", list(DEEP_YAML))
def test_deep_yaml_nesting_is_one_error_at_its_line_and_never_a_crash(make_site: MakeSite, name: str) -> None:
    front, line = DEEP_YAML[name]
    root = make_site({"briefings/deep.md": "---\ntitle: T\ndate: 2025-06-26\nsource: isw\n" + front + "---\nText.\n"})
    result = run_limited("check", "--root", str(root), seconds=60)
    assert_clean(result)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("briefings/")]
    assert len(errors) == 1, result.stderr[-2000:]
    assert errors[0].startswith(f"briefings/deep.md:{line}: "), errors[0]
    assert "nested more than 32 levels deep" in errors[0] or "invalid YAML" in errors[0], errors[0]


def test_deep_nesting_never_reaches_the_recursive_python_composer(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without libyaml PyYAML composes in Python: deep nesting would be a RecursionError.
    monkeypatch.setattr(yamlnodes, "_Loader", yaml.SafeLoader)
    for name, (front, line) in DEEP_YAML.items():
        root = make_site({"briefings/deep.md": "---\ntitle: T\ndate: 2025-06-26\nsource: isw\n" + front + "---\nT.\n"})
        problems = problems_of(root)
        assert len(problems) == 1 and problems[0].startswith(f"briefings/deep.md:{line}: "), (name, problems)


def test_brackets_inside_quotes_are_text_not_nesting(make_site: MakeSite) -> None:
    title = "[" * 40 + "Brackets" + "]" * 40
    root = make_site({"briefings/a.md": briefing_text(title=f"'{title}'", body="Text.\n")})
    archive, _ = load_archive(root)
    assert archive.briefings[0].title == title


def test_nesting_up_to_the_limit_is_read(make_site: MakeSite) -> None:
    extra = "extra:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(30)) + "  " * 31 + "leaf\n"
    root = make_site({"briefings/a.md": briefing_text(extra)})
    archive, _ = load_archive(root)
    value = archive.briefings[0].extra
    for i in range(30):
        value = value[f"k{i}"]
    assert value == "leaf"


# Each is tens of thousands of levels or items deep, hundreds of times past markdown-it's nesting
# limit (100): a parser quadratic in the depth anywhere takes many minutes on one of them, past the
# test's bound; briefgen takes about a second on each. (Fifty thousand found nothing more, at twice the time.)
DEEP = 20_000
DEEP_MARKDOWN = {
    "block-quotes": "> " * 50_000 + "x\n",
    "block-quotes-unspaced": ">" * 100_000 + "x\n",
    "bullets": "- " * 50_000 + "x\n",
    "stars": "* " * 50_000 + "x\n",
    "ordered": "1. " * 30_000 + "x\n",
    "quotes-and-lists": "> - " * 30_000 + "x\n",
    "indented-lists": "".join(" " * (2 * i) + "- x\n" for i in range(1500)),
    "emphasis": "*a " * DEEP + "b" + " c*" * DEEP + "\n",
    "strong": "**a " * DEEP + "b" + " c**" * DEEP + "\n",
    "strikethrough": "~~a " * DEEP + "b" + " c~~" * DEEP + "\n",
    "stars-around": "*" * (2 * DEEP) + "x" + "*" * (2 * DEEP) + "\n",
    "links": "[a " * DEEP + "b" + "](https://example.org)" * DEEP + "\n",
    "unclosed-links": "[a](" * DEEP + "\n",
    "unclosed-images": "![a](" * DEEP + "\n",
    "angle-brackets": "<a " * 50_000 + "\n",
    "backticks": "`a ``b " * 50_000 + "\n",
    "entities": "&amp;&#x41;&#65;&nbsp;" * DEEP + "\n",
    "table": "| a | b |\n|---|---|\n" + "| x | y |\n" * 24_000,  # 48,002 cells: just under the limit
}


def test_deeply_nested_markdown_builds_in_bounded_time_and_memory(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({f"briefings/{name}.md": briefing_text(body=body) for name, body in DEEP_MARKDOWN.items()})
    started = cpu_seconds()
    result = run_limited("build", "--root", str(root), "--output", str(tmp_path / "out"), "--no-search", seconds=300)
    assert_clean(result)
    assert result.returncode == 0, result.stderr[-3000:]
    assert cpu_seconds() - started < 240
    for name in DEEP_MARKDOWN:
        page = (tmp_path / f"out/briefings/2025/06/26/{name}/index.html").read_bytes()
        lxml.html.fromstring(page)


@pytest.mark.parametrize("epoch", ["99999999999999999999", "999999999999"])
def test_a_source_date_epoch_beyond_any_calendar_is_one_clear_error(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, epoch: str
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    with pytest.raises(BriefgenError, match=f"SOURCE_DATE_EPOCH={epoch} is not a time briefgen can use"):
        build_site(make_site({"briefings/a.md": briefing_text()}), output=tmp_path / "out", search=False)
    assert not (tmp_path / "out").exists()
