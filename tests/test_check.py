"""`briefgen check`: the example archive passes, and every broken input is
reported as `path:line: message`, all of them in one run, never as a traceback.

Line numbers in the expectations are counted by hand from the fixture text
written next to them, not read back from the loader.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from briefgen.cli import main
from briefgen.errors import ArchiveError
from briefgen.load import load_archive
from tests.sites import REPO_ROOT, SOURCES_YAML, VALID_BRIEFING, MakeSite, SiteFiles, briefing_text


def check(capsys: pytest.CaptureFixture[str], root: Path, *options: str) -> tuple[int, str, str]:
    """Run `briefgen check` in-process: (exit code, stdout, stderr)."""
    code = main(["check", "--root", str(root), *options])
    out, err = capsys.readouterr()
    return code, out, err


def briefgen_script() -> Path:
    """The installed `briefgen` console script of the venv running the tests."""
    script = Path(sys.executable).parent / "briefgen"
    assert script.is_file(), f"the briefgen console script is not installed at {script}"
    return script


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(briefgen_script()), *args], capture_output=True, text=True, timeout=60, check=False, cwd=REPO_ROOT
    )


# --- the example archive -----------------------------------------------------


def test_example_archive_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = check(capsys, REPO_ROOT)
    assert code == 0, err
    assert out.strip() == "checked 3 briefings: 0 errors, 0 warnings"
    assert err == ""


def test_example_archive_passes_strict(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = check(capsys, REPO_ROOT, "--strict")
    assert code == 0
    assert "checked 3 briefings" in out


def test_console_script_checks_example_archive() -> None:
    result = run_script("check", "--root", str(REPO_ROOT))
    assert result.returncode == 0, result.stderr
    assert "checked 3 briefings: 0 errors, 0 warnings" in result.stdout
    assert "Traceback" not in result.stderr


def test_example_archive_content() -> None:
    archive, warnings = load_archive(REPO_ROOT, today=dt.date(2025, 7, 1))
    assert warnings == ()
    by_slug = {b.slug: b for b in archive.briefings}
    assert set(by_slug) == {
        "isw-north-korean-troops",
        "wilson-center-forced-displacement",
        "wilson-center-forced-displacement-ar",
    }
    isw = by_slug["isw-north-korean-troops"]
    assert isw.source.key == "isw"
    notes = archive.bodies.body(isw).footnotes
    assert len(notes) == 12
    assert all(note.citation_ids == (f"fnref:{note.number}:1",) for note in notes)
    # "source: Wilson Center" names the organisation, not its key.
    assert by_slug["wilson-center-forced-displacement"].source.key == "wilson-center"
    arabic = by_slug["wilson-center-forced-displacement-ar"]
    assert (arabic.language, arabic.translation_key) == ("ar", "wilson-center-forced-displacement")


# --- the table of broken inputs ------------------------------------------------
#
# Each case: the site's files, and the `path:line: message` lines (or their
# beginnings) that `briefgen check` must print. Every case exits 1.

BROKEN: list[tuple[str, SiteFiles, tuple[str, ...]]] = [
    (
        "bad-yaml-unclosed-list",
        {"briefings/a.md": "---\ntitle: T\ndate: 2025-06-26\nsource: [isw\n---\nBody.\n"},
        # Reported where the '[' that is never closed was opened.
        ("briefings/a.md:4: invalid YAML: did not find expected ',' or ']' while parsing a flow sequence",),
    ),
    (
        "bad-yaml-unquoted-colon",
        {"briefings/a.md": "---\ntitle: Kursk: the offensive\ndate: 2025-06-26\nsource: isw\n---\nBody.\n"},
        (
            "briefings/a.md:2: invalid YAML: mapping values are not allowed in this context"
            " (a value containing ': ' must be in quotes: write title: \"Kursk: the offensive\")",
        ),
    ),
    (
        "bad-date-month-13",
        {"briefings/a.md": "---\ntitle: T\ndate: 2025-13-01\nsource: isw\n---\nBody.\n"},
        ("briefings/a.md:3: 'date' 2025-13-01 is not a calendar date: there is no month 13 (months run 01 to 12)",),
    ),
    (
        "bad-date-day-31-in-june",
        {"briefings/a.md": "---\ntitle: T\ndate: 2025-06-31\nsource: isw\n---\nBody.\n"},
        ("briefings/a.md:3: 'date' 2025-06-31 is not a calendar date: June has 30 days",),
    ),
    (
        "bad-date-february-29-not-leap",
        {"briefings/a.md": "---\ntitle: T\nsource: isw\ndate: 2025-02-29\n---\nBody.\n"},
        ("briefings/a.md:4: 'date' 2025-02-29 is not a calendar date: February 2025 has 28 days (not a leap year)",),
    ),
    (
        "bad-date-day-00",
        {"briefings/a.md": "---\ntitle: T\ndate: 2025-06-00\nsource: isw\n---\nBody.\n"},
        ("briefings/a.md:3: 'date' 2025-06-00 is not a calendar date: there is no day 00 (days start at 01)",),
    ),
    (
        "bad-date-word",
        {"briefings/a.md": "---\ntitle: T\nsource: isw\ndate: yesterday\n---\nBody.\n"},
        ("briefings/a.md:4: 'date' must be a date written YYYY-MM-DD, not the text 'yesterday'",),
    ),
    (
        "bad-date-iso-week",
        {"briefings/a.md": "---\ntitle: T\ndate: 2025-W26-4\nsource: isw\n---\nBody.\n"},
        ("briefings/a.md:3: 'date' must be a date written YYYY-MM-DD, not the text '2025-W26-4'",),
    ),
    (
        "title-is-a-list",
        {"briefings/a.md": "---\ndate: 2025-06-26\ntitle: [Kursk, Sumy]\nsource: isw\n---\nBody.\n"},
        ("briefings/a.md:3: 'title' must be text, not a list",),
    ),
    (
        "tags-is-a-mapping",
        {"briefings/a.md": "---\ntitle: T\ndate: 2025-06-26\nsource: isw\ntags: {drones: yes}\n---\nBody.\n"},
        ("briefings/a.md:5: 'tags' must be a list, like [drones, air-defense], not a mapping",),
    ),
    (
        "footnotes-is-a-list",
        {
            "briefings/a.md": (
                "---\ntitle: T\ndate: 2025-06-26\nsource: isw\nfootnotes:\n  - Reuters, June 26\n---\nBody.[1]\n"
            )
        },
        # The list itself starts on line 6, under 'footnotes:'.
        ("briefings/a.md:6: 'footnotes' must be a mapping of numbers to text (like '1: Reuters, ...'), not a list",),
    ),
    (
        "not-utf8",
        {"briefings/a.md": b"---\ntitle: T\ndate: 2025-06-26\nsource: isw\nsummary: caf\xe9\n---\nBody.\n"},
        ("briefings/a.md:5: the file is not UTF-8 text (byte 0xe9): save it as UTF-8",),
    ),
    (
        "empty-file",
        {"briefings/a.md": ""},
        ("briefings/a.md:1: the file is empty: a briefing starts with front matter between '---' lines",),
    ),
    (
        "blank-file",
        {"briefings/a.md": "\n  \n\n"},
        ("briefings/a.md:1: the file is empty",),
    ),
    (
        "no-front-matter",
        {"briefings/a.md": "# Russia weighs deploying North Korean troops\n\nBody.\n"},
        ("briefings/a.md:1: no front matter: a briefing starts with a line '---', its title, date and source",),
    ),
    (
        "unclosed-front-matter",
        {"briefings/a.md": "---\ntitle: T\ndate: 2025-06-26\nsource: isw\n\nBody.\n"},
        ("briefings/a.md:1: the front matter is never closed: add a line '---' after its last key",),
    ),
    (
        "empty-front-matter",
        {"briefings/a.md": "---\n# nothing yet\n---\nBody.\n"},
        ("briefings/a.md:1: the front matter is empty: a briefing needs at least title, date and source",),
    ),
    (
        "slug-climbs-out",
        {"briefings/a.md": "---\ntitle: T\ndate: 2025-06-26\nsource: isw\nslug: ../x\n---\nBody.\n"},
        ("briefings/a.md:5: slug '../x' is not a plain name: use lowercase letters, digits and '-'",),
    ),
    (
        "slug-has-slash",
        {"briefings/a.md": "---\ntitle: T\ndate: 2025-06-26\nsource: isw\nslug: a/b\n---\nBody.\n"},
        ("briefings/a.md:5: slug 'a/b' is not a plain name",),
    ),
    (
        "same-date-and-slug",
        {
            "briefings/isw/report.md": briefing_text("slug: daily-assessment\n", source="isw"),
            "briefings/wilson/report.md": briefing_text("slug: daily-assessment\n", source="wilson-center"),
        },
        # briefing_text's front matter puts the slug on line 5 of both files.
        (
            "briefings/isw/report.md:5: has the same date (2025-06-26) and slug ('daily-assessment')"
            " as briefings/wilson/report.md:5: both would be published at one address;"
            " give one of them another 'slug:'",
            "briefings/wilson/report.md:5: has the same date (2025-06-26) and slug ('daily-assessment')"
            " as briefings/isw/report.md:5: both would be published at one address;"
            " give one of them another 'slug:'",
        ),
    ),
    (
        "same-date-and-file-name",
        {"briefings/a/assessment.md": VALID_BRIEFING, "briefings/b/assessment.md": VALID_BRIEFING},
        # No 'slug:': each is named after its file, so the problem is at the top of the file.
        (
            "briefings/a/assessment.md:1: has the same date (2025-06-26) and slug ('assessment', from the file name)"
            " as briefings/b/assessment.md: both would be published at one address; give one of them a 'slug:'",
            "briefings/b/assessment.md:1: has the same date (2025-06-26) and slug ('assessment', from the file name)"
            " as briefings/a/assessment.md: both would be published at one address; give one of them a 'slug:'",
        ),
    ),
    (
        "same-date-one-slug-written",
        {
            "briefings/a/daily.md": VALID_BRIEFING,
            "briefings/b/other.md": briefing_text("slug: daily\n"),
        },
        (
            "briefings/a/daily.md:1: has the same date (2025-06-26) and slug ('daily', from the file name)"
            " as briefings/b/other.md:5: both would be published at one address; give one of them another 'slug:'",
            "briefings/b/other.md:5: has the same date (2025-06-26) and slug ('daily')"
            " as briefings/a/daily.md: both would be published at one address; give one of them another 'slug:'",
        ),
    ),
    (
        "misspelt-key",
        {"briefings/a.md": "---\ntitle: T\ndate: 2025-06-26\nsource: isw\ntakaways:\n  - One.\n---\nBody.\n"},
        ("briefings/a.md:5: unknown key 'takaways' (did you mean 'takeaways'?)",),
    ),
    (
        "unknown-key-unlike-any",
        {"briefings/a.md": briefing_text("region: east\n")},
        # Nothing to suggest: every key there is, and where they are described.
        (
            "briefings/a.md:5: unknown key 'region': the front matter may have title, date, source, url, authors,"
            " summary, takeaways, footnotes, tags, places, slug, draft, extra, language, translation_key,"
            " translation_of ('briefgen help format' describes them)",
        ),
    ),
    (
        "missing-title-date-source",
        {"briefings/a.md": "---\nurl: https://www.understandingwar.org/r\n---\nBody.\n"},
        (
            "briefings/a.md:2: the front matter is missing 'title' (for example 'title: ",
            "briefings/a.md:2: the front matter is missing 'date' (for example 'date: 2025-06-26')",
            "briefings/a.md:2: the front matter is missing 'source' (for example 'source: isw')",
        ),
    ),
    (
        "dangling-citation",
        {
            "briefings/a.md": (
                "---\n"  # 1
                "title: T\n"  # 2
                "date: 2025-06-26\n"  # 3
                "source: isw\n"  # 4
                "footnotes:\n"  # 5
                "  1: Reuters, June 26, 2025\n"  # 6
                "---\n"  # 7
                "The first claim.[1]\n"  # 8
                "\n"  # 9
                "A second paragraph\n"  # 10
                "whose second line cites a note that is not there.[5]\n"  # 11
            )
        },
        (
            "briefings/a.md:11: citation [5] has no note 5 in 'footnotes'"
            " (write \\[5] for brackets that are not a citation)",
        ),
    ),
    (
        "footnote-syntax-of-other-tools",
        {
            "briefings/a.md": (
                "---\n"  # 1
                "title: T\n"  # 2
                "date: 2025-06-26\n"  # 3
                "source: isw\n"  # 4
                "---\n"  # 5
                "Russian forces advanced near Toretsk.[^1]\n"  # 6
                "\n"  # 7
                "> A quote whose second line\n"  # 8
                "> cites a named note.[^kyiv]\n"  # 9
                "\n"  # 10
                "[^1]: Reuters, June 26, 2025, https://www.reuters.com/x\n"  # 11
                "[^kyiv]: Kyiv Independent\n"  # 12
            )
        },
        (
            "briefings/a.md:6: '[^1]' is not how briefgen cites a note: write [1], with note 1 under"
            " 'footnotes:' in the front matter (or \\[^1] to show the brackets)",
            "briefings/a.md:9: '[^kyiv]' is not how briefgen cites a note: number it, write [1], with note 1 under"
            " 'footnotes:' in the front matter (or \\[^kyiv] to show the brackets)",
            "briefings/a.md:11: '[^1]:' is not how briefgen gives a note: move it into the front matter,"
            " under 'footnotes:', as 1: \"Reuters, June 26, 2025, https://www.reuters.com/x\"",
            "briefings/a.md:12: '[^kyiv]:' is not how briefgen gives a note: move it into the front matter,"
            " under 'footnotes:', numbered, as 1: \"Kyiv Independent\"",
        ),
    ),
    (
        "url-not-http",
        {"briefings/a.md": "---\ntitle: T\ndate: 2025-06-26\nsource: isw\nurl: ftp://example.org/r\n---\nBody.\n"},
        ("briefings/a.md:5: 'url' must be an http(s) address, not 'ftp://example.org/r'",),
    ),
    (
        "url-without-scheme",
        {"briefings/a.md": "---\ntitle: T\ndate: 2025-06-26\nsource: isw\nurl: www.example.org/r\n---\nBody.\n"},
        ("briefings/a.md:5: 'url' must be an http(s) address, not 'www.example.org/r'",),
    ),
    (
        "url-bad-ipv6-host",
        {"briefings/a.md": "---\ntitle: T\ndate: 2025-06-26\nsource: isw\nurl: http://[oops/r\n---\nBody.\n"},
        ("briefings/a.md:5: 'url' must be an http(s) address, not 'http://[oops/r'",),
    ),
    (
        "sources-is-a-list",
        {"sources.yaml": "- isw\n- wilson-center\n", "briefings/a.md": VALID_BRIEFING},
        ("sources.yaml:1: sources.yaml must be a mapping of source keys to their details, not a list",),
    ),
    (
        "source-without-name",
        {
            "sources.yaml": (
                "isw:\n"  # 1
                "  name: Institute for the Study of War\n"  # 2
                "rusi:\n"  # 3
                "  url: https://rusi.org\n"  # 4
            ),
            "briefings/a.md": VALID_BRIEFING,
        },
        # Reported where rusi's details start, not at the top of the file.
        ("sources.yaml:4: source 'rusi' is missing 'name' (for example 'name: Institute for the Study of War')",),
    ),
    (
        "settings-unknown-key",
        {"briefgen.yaml": "title: Archive\nper_pgae: 10\n", "briefings/a.md": VALID_BRIEFING},
        ("briefgen.yaml:2: unknown key 'per_pgae' (did you mean 'per_page'?)",),
    ),
    (
        "language-unknown",
        {"briefings/a.md": briefing_text("language: arabic\n")},
        ("briefings/a.md:5: 'language': 'arabic' is not a language tag Babel knows (did you mean 'ar'?)",),
    ),
    (
        "translation-of-nothing",
        {"briefings/a.md": briefing_text("translation_of: 2025/06/26/gone\n")},
        ("briefings/a.md:5: 'translation_of: 2025/06/26/gone' names no briefing of the archive",),
    ),
    (
        "settings-unknown-key-unlike-any",
        {"briefgen.yaml": "title: Archive\ntheme: dark\n", "briefings/a.md": VALID_BRIEFING},
        (
            "briefgen.yaml:2: unknown key 'theme': briefgen.yaml may have title, description, base_url, language,"
            " per_page, allow_html, feed_entries, taxonomies, slugs, labels ('briefgen help format' describes them)",
        ),
    ),
    (
        "taxonomies-not-a-mapping",
        {"briefgen.yaml": "title: Archive\ntaxonomies: [regions]\n", "briefings/a.md": VALID_BRIEFING},
        ("briefgen.yaml:2: 'taxonomies' must be a mapping, not a list",),
    ),
    (
        "taxonomy-new-without-labels",
        {"briefgen.yaml": "taxonomies:\n  regions:\n    path: regions\n", "briefings/a.md": VALID_BRIEFING},
        (
            "briefgen.yaml:3: taxonomy 'regions' is missing 'label' (for example 'label: Regions')",
            "briefgen.yaml:3: taxonomy 'regions' is missing 'plural' (for example 'plural: Regions')",
        ),
    ),
    (
        "taxonomy-new-given-true",
        {"briefgen.yaml": "taxonomies:\n  regions: true\n", "briefings/a.md": VALID_BRIEFING},
        ("briefgen.yaml:2: taxonomy 'regions' is new: give it a mapping with at least 'label' and 'plural'",),
    ),
    (
        "taxonomy-misspelt-field",
        {"briefgen.yaml": "taxonomies:\n  tags:\n    lable: Theme\n", "briefings/a.md": VALID_BRIEFING},
        ("briefgen.yaml:3: unknown key 'lable' (did you mean 'label'?)",),
    ),
    (
        "taxonomy-key-not-plain",
        {"briefgen.yaml": "taxonomies:\n  Regions:\n    label: Region\n", "briefings/a.md": VALID_BRIEFING},
        (
            "briefgen.yaml:2: taxonomy 'Regions' must be named by a plain front-matter key:"
            " lowercase letters, digits and '-'",
        ),
    ),
    (
        "taxonomy-takes-a-fixed-key",
        {"briefgen.yaml": "taxonomies:\n  summary: {label: S, plural: Ss}\n", "briefings/a.md": VALID_BRIEFING},
        (
            "briefgen.yaml:2: taxonomy 'summary' would take the front-matter key 'summary', which"
            " briefgen reads already",
        ),
    ),
    (
        # The JSON Feed's `_briefgen` extension has a field `locations` (the places, located) beside
        # each taxonomy's terms: a taxonomy by that key would have one overwrite the other.
        "taxonomy-takes-the-feeds-locations",
        {"briefgen.yaml": "taxonomies:\n  locations: {label: L, plural: Ls}\n", "briefings/a.md": VALID_BRIEFING},
        (
            "briefgen.yaml:2: taxonomy 'locations' would take the field 'locations' of the JSON Feed's"
            " _briefgen extension: name it otherwise",
        ),
    ),
    (
        "taxonomy-path-of-another",
        {
            "briefgen.yaml": "taxonomies:\n  regions: {label: Region, plural: Regions, path: places}\n",
            "briefings/a.md": VALID_BRIEFING,
        },
        ("briefgen.yaml:2: taxonomy 'regions' cannot be published: its path 'places/' is taxonomy 'places's",),
    ),
    (
        "taxonomy-path-of-the-site",
        {"briefgen.yaml": "taxonomies:\n  tags: {path: sources}\n", "briefings/a.md": VALID_BRIEFING},
        (
            "briefgen.yaml:2: taxonomy 'tags' cannot be published: its path 'sources/' is where the"
            " site has its sources already",
        ),
    ),
    (
        "taxonomy-search-filter-of-the-site",
        {"briefgen.yaml": "taxonomies:\n  tags:\n    search_filter: year\n", "briefings/a.md": VALID_BRIEFING},
        (
            "briefgen.yaml:2: taxonomy 'tags' cannot be published: its search_filter 'year' is a"
            " filter every briefing has already",
        ),
    ),
    (
        "taxonomy-path-not-plain",
        {"briefgen.yaml": "taxonomies:\n  tags:\n    path: ../up\n", "briefings/a.md": VALID_BRIEFING},
        ("briefgen.yaml:3: 'path' must be a plain name (lowercase letters, digits and '-'), not '../up'",),
    ),
    (
        "taxonomy-feeds-not-a-boolean",
        {"briefgen.yaml": "taxonomies:\n  tags:\n    feeds: sometimes\n", "briefings/a.md": VALID_BRIEFING},
        ("briefgen.yaml:3: 'feeds' must be true or false, not the text 'sometimes'",),
    ),
    (
        "taxonomy-registry-missing",
        {"briefgen.yaml": "taxonomies:\n  authors:\n    registry: people.yaml\n", "briefings/a.md": VALID_BRIEFING},
        ("briefgen.yaml:3: the registry people.yaml does not exist beside briefgen.yaml",),
    ),
    (
        "taxonomy-registry-outside",
        {"briefgen.yaml": "taxonomies:\n  authors:\n    registry: ../people.yaml\n", "briefings/a.md": VALID_BRIEFING},
        (
            "briefgen.yaml:3: 'registry' must name a .yaml file beside briefgen.yaml, such as"
            " authors.yaml, not '../people.yaml'",
        ),
    ),
    (
        "taxonomy-registry-bad-key",
        {
            "briefgen.yaml": "taxonomies:\n  authors:\n    registry: people.yaml\n",
            "people.yaml": "jane-doe:\n  name: Jane Doe\nJohn Roe:\n  name: John Roe\n",
            "briefings/a.md": VALID_BRIEFING,
        },
        ("people.yaml:3: key 'John Roe' must be a plain name: lowercase letters, digits and '-'",),
    ),
    (
        "taxonomy-removed-key-refused",
        {"briefgen.yaml": "taxonomies:\n  places: false\n", "briefings/a.md": briefing_text("places: [Kursk]\n")},
        ("briefings/a.md:5: unknown key 'places'",),
    ),
    (
        "taxonomy-new-key-misspelt",
        {
            "briefgen.yaml": "taxonomies:\n  regions: {label: Region, plural: Regions}\n",
            "briefings/a.md": briefing_text("region: [Donbas]\n"),
        },
        ("briefings/a.md:5: unknown key 'region' (did you mean 'regions'?)",),
    ),
    (
        "settings-negative-per-page",
        {"briefgen.yaml": "title: Archive\n\nper_page: -1\n", "briefings/a.md": VALID_BRIEFING},
        ("briefgen.yaml:3: 'per_page' must be a whole number of at least 1, not the text '-1'",),
    ),
    (
        "settings-superscript-per-page",
        {"briefgen.yaml": "per_page: ²\n", "briefings/a.md": VALID_BRIEFING},
        ("briefgen.yaml:1: 'per_page' must be a whole number of at least 1, not the text '²'",),
    ),
    (
        "yaml-alias",
        {
            "briefings/a.md": (
                "---\ntitle: &headline Kursk\ndate: 2025-06-26\nsource: isw\nsummary: *headline\n---\nBody.\n"
            )
        },
        # An alias is the very node its anchor made, so the anchor's line is reported.
        ("briefings/a.md:2: YAML aliases (*name) are not allowed here",),
    ),
    (
        "tab-indentation",
        {"briefings/a.md": "---\ntitle: T\ndate: 2025-06-26\nsource: isw\ntags:\n\t- drones\n---\nBody.\n"},
        ("briefings/a.md:6: invalid YAML:", "(YAML does not allow tabs for indentation: use spaces)"),
    ),
    (
        "takeaway-with-colon",
        {
            "briefings/a.md": (
                "---\n"  # 1
                "title: T\n"  # 2
                "date: 2025-06-26\n"  # 3
                "source: isw\n"  # 4
                "takeaways:\n"  # 5
                "  - Russian forces continued offensive operations.\n"  # 6
                "  - Kharkiv: Russian forces advanced\n"  # 7
                "---\nBody.\n"
            )
        },
        (
            "briefings/a.md:7: an item of 'takeaways' must be text, but its ': ' makes it a mapping:"
            ' put it in quotes, as in - "Kharkiv: Russian forces advanced"',
        ),
    ),
    (
        "tag-in-flow-list-with-colon",
        {"briefings/a.md": "---\ntitle: T\ndate: 2025-06-26\nsource: isw\ntags: [drones, front: east]\n---\nBody.\n"},
        (
            "briefings/a.md:5: an item of 'tags' must be text, but its ': ' makes it a mapping:"
            ' put it in quotes, as in "front: east"',
        ),
    ),
    (
        "author-with-colon",
        {"briefings/a.md": briefing_text("authors:\n  - Jane Doe\n  - Editor: John Roe\n")},
        (
            "briefings/a.md:7: an item of 'authors' must be text, but its ': ' makes it a mapping:"
            ' put it in quotes, as in - "Editor: John Roe"',
        ),
    ),
    (
        "footnote-with-colon",
        {
            "briefings/a.md": briefing_text(
                "footnotes:\n"  # 5
                "  1: Reuters, June 26\n"  # 6
                "  2: ISW: Russian Offensive Campaign Assessment, June 26\n",  # 7
                body="A claim.[1][2]\n",
            )
        },
        (
            "briefings/a.md:7: invalid YAML: mapping values are not allowed in this context (a value containing ': '"
            ' must be in quotes: write 2: "ISW: Russian Offensive Campaign Assessment, June 26")',
        ),
    ),
    (
        "footnote-value-is-a-mapping",
        {
            "briefings/a.md": briefing_text(
                "footnotes:\n"  # 5
                "  1:\n"  # 6
                "    ISW: Russian Offensive Campaign Assessment\n",  # 7
                body="A claim.[1]\n",
            )
        },
        (
            "briefings/a.md:7: note 1 must be text, but its ': ' makes it a mapping:"
            ' put it in quotes, as in 1: "ISW: Russian Offensive Campaign Assessment"',
        ),
    ),
    (
        "footnote-number-not-ascii",
        {
            "briefings/a.md": (
                "---\ntitle: T\ndate: 2025-06-26\nsource: isw\nfootnotes:\n  1: Reuters\n  ²: ISW\n---\nBody.[1]\n"
            )
        },
        ("briefings/a.md:7: each key of 'footnotes' must be a note number (1, 2, ...), not the text '²'",),
    ),
    (
        "image-missing",
        {
            "briefings/2025/a.md": (
                "---\ntitle: T\ndate: 2025-06-26\nsource: isw\n---\n"  # 1-5
                "Intro.\n"  # 6
                "\n"  # 7
                "The front line on June 25:\n"  # 8
                "![Map of the front line](maps/front.png)\n"  # 9
            )
        },
        ("briefings/2025/a.md:9: image 'maps/front.png' not found (looked for briefings/2025/maps/front.png)",),
    ),
    (
        "image-named-in-the-line-before",
        {
            "briefings/a.md": (
                "---\ntitle: T\ndate: 2025-06-26\nsource: isw\n---\n"  # 1-5
                "The map (front.png) shows the line:\n"  # 6
                "![Map of the front line](front.png)\n"  # 7
            )
        },
        ("briefings/a.md:7: image 'front.png' not found (looked for briefings/front.png)",),
    ),
    (
        "image-outside-root",
        {"briefings/a.md": briefing_text(body="![Map](../../../secret.png)\n")},
        ("briefings/a.md:6: image '../../../secret.png' is outside the site root",),
    ),
    (
        "image-name-with-nul",
        {"briefings/a.md": briefing_text(body="Intro.\n\n![Map](map%00.png)\n")},
        ("briefings/a.md:8: image 'map%00.png' cannot be read: embedded null byte",),
    ),
]


@pytest.mark.parametrize(("files", "expected"), [pytest.param(f, e, id=i) for i, f, e in BROKEN])
def test_broken_input_is_reported_at_its_line(
    capsys: pytest.CaptureFixture[str], make_site: MakeSite, files: SiteFiles, expected: tuple[str, ...]
) -> None:
    code, out, err = check(capsys, make_site(files))
    assert code == 1
    for line in expected:
        assert line in err, f"expected {line!r} in:\n{err}"
    assert "0 errors" not in out
    assert out.startswith("checked ")


def _namespaced(case: str, files: SiteFiles) -> dict[str, str | bytes]:
    return {name.replace("briefings/", f"briefings/{case}/", 1): content for name, content in files.items()}


def test_console_script_reports_every_broken_briefing_in_one_run(make_site: MakeSite) -> None:
    # Every case that only breaks briefings, each in its own folder of one
    # archive: the real console script reports all of them, without a traceback.
    cases = [
        (case, files, expected) for case, files, expected in BROKEN if all(n.startswith("briefings/") for n in files)
    ]
    files: dict[str, str | bytes] = {}
    for case, case_files, _ in cases:
        files.update(_namespaced(case, case_files))
    root = make_site(files)
    result = run_script("check", "--root", str(root))
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    for case, _, expected in cases:
        for line in expected:
            where = line.replace("briefings/", f"briefings/{case}/")
            assert where in result.stderr, f"{case}: expected {where!r}"
    assert result.stdout.startswith(f"checked {sum(len(f) for _, f, _ in cases)} briefings: ")


def test_missing_briefings_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "briefgen.yaml").write_text("title: A new archive\n", encoding="utf-8")  # a site root all the same
    code, _, err = check(capsys, tmp_path)
    assert code == 1
    assert "briefings:1: there is no briefings/ folder: briefings go in briefings/YYYY/MM/DD/" in err


# --- a folder that is not a site root, for every command that takes --root ---------------

COMMAND_OPTIONS = {
    "check": [],
    "build": [],
    "new": ["--source", "isw", "--title", "A report"],
    "serve": ["--port", "0"],
}
WRONG_ROOTS = {
    "missing": "does not exist",  # a mistyped --root
    "empty": "is not a briefgen site root (it has no briefgen.yaml and no briefings/ folder)",  # the wrong folder
    "file": "is a file, not a site root",
}


@pytest.mark.parametrize("wrong", WRONG_ROOTS)
@pytest.mark.parametrize("command", COMMAND_OPTIONS)
def test_a_wrong_root_is_one_line_and_creates_nothing(
    command: str, wrong: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    if wrong == "missing":
        args = ["--root", str(tmp_path / "no" / "such" / "folder")]
    elif wrong == "empty":  # run where no site root is, without --root
        args = []
        (tmp_path / "elsewhere").mkdir()
        monkeypatch.chdir(tmp_path / "elsewhere")
    else:
        (tmp_path / "notes.txt").write_text("not a folder", encoding="utf-8")
        args = ["--root", str(tmp_path / "notes.txt")]
    before = sorted(tmp_path.rglob("*"))
    if command == "serve":  # in a process of its own: before the fix it served for ever
        try:
            done = subprocess.run(
                [sys.executable, "-m", "briefgen", command, *args, *COMMAND_OPTIONS[command]],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except subprocess.TimeoutExpired:
            pytest.fail("briefgen serve started serving a folder that is not a site root")
        code, out, err = done.returncode, done.stdout, done.stderr
    else:
        code = main([command, *args, *COMMAND_OPTIONS[command]])
        out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert err.startswith("briefgen: ")
    assert err.count("\n") == 1, err
    assert WRONG_ROOTS[wrong] in err
    assert "give --root the site root, or set one up with 'briefgen init DIR'" in err
    assert sorted(tmp_path.rglob("*")) == before, "nothing may be created"


# --- one run reports everything ------------------------------------------------


def test_rest_of_archive_is_still_checked(capsys: pytest.CaptureFixture[str], make_site: MakeSite) -> None:
    root = make_site(
        {
            "sources.yaml": SOURCES_YAML,
            "briefings/2025/06/25/good.md": briefing_text(date="2025-06-25"),
            "briefings/2025/06/26/bad-date.md": "---\ntitle: T\ndate: 2025-06-31\nsource: isw\n---\nBody.\n",
            "briefings/2025/06/27/bad-key.md": "---\ntitle: T\ndate: 2025-06-27\nsource: isw\nplace: [Kursk]\n---\nB\n",
            "briefings/2025/06/28/good-too.md": briefing_text(date="2025-06-28"),
        }
    )
    code, out, err = check(capsys, root)
    assert code == 1
    assert err.splitlines() == [
        "briefings/2025/06/26/bad-date.md:3: 'date' 2025-06-31 is not a calendar date: June has 30 days",
        "briefings/2025/06/27/bad-key.md:5: unknown key 'place' (did you mean 'places'?)",
    ]
    assert out.strip() == "checked 4 briefings: 2 errors, 0 warnings"


def test_every_problem_in_one_file_is_reported(capsys: pytest.CaptureFixture[str], make_site: MakeSite) -> None:
    text = (
        "---\n"  # 1
        "title: [T]\n"  # 2
        "date: 2025-02-30\n"  # 3
        "source: isw\n"  # 4
        "url: example.org\n"  # 5
        "tags: drones\n"  # 6
        "---\n"  # 7
        "Body.[2]\n"  # 8
    )
    code, _, err = check(capsys, make_site({"briefings/a.md": text}))
    assert code == 1
    assert err.splitlines() == [
        "briefings/a.md:2: 'title' must be text, not a list",
        "briefings/a.md:3: 'date' 2025-02-30 is not a calendar date: February 2025 has 28 days",
        "briefings/a.md:5: 'url' must be an http(s) address, not 'example.org'",
        "briefings/a.md:6: 'tags' must be a list, like [drones, air-defense], not the text 'drones'",
        "briefings/a.md:8: citation [2] has no note 2 in 'footnotes'"
        " (write \\[2] for brackets that are not a citation)",
    ]


def test_settings_and_briefing_errors_are_reported_together(
    capsys: pytest.CaptureFixture[str], make_site: MakeSite
) -> None:
    root = make_site(
        {
            "briefgen.yaml": "title: Archive\nallow_html: maybe\n",
            "sources.yaml": "isw:\n  name: ISW\n  url: understandingwar.org\n",
            "briefings/a.md": "---\ntitle: T\ndate: 2025-06-26\n---\nBody.\n",
        }
    )
    code, _, err = check(capsys, root)
    assert code == 1
    assert err.splitlines() == [
        "briefgen.yaml:2: 'allow_html' must be true or false, not the text 'maybe'",
        "briefings/a.md:2: the front matter is missing 'source' (for example 'source: isw')",
        "sources.yaml:3: 'url' must be an http(s) address, not 'understandingwar.org'",
    ]


# --- warnings -------------------------------------------------------------------

WARNINGS_BRIEFING = (
    "---\n"  # 1
    "title: T\n"  # 2
    "date: 2999-01-01\n"  # 3
    "source: isw\n"  # 4
    "footnotes:\n"  # 5
    "  1: Cited below.\n"  # 6
    "  2: Never cited.\n"  # 7
    "---\n"  # 8
    "A claim.[1]\n"  # 9
    "\n"  # 10
    "![](map.png)\n"  # 11
)
EXPECTED_WARNINGS = [
    "briefings/a.md:3: warning: the date 2999-01-01 is in the future: is it a typo?",
    "briefings/a.md:7: warning: note 2 is never cited in the text",
    "briefings/a.md:11: warning: image 'map.png' has no alt text: describe it for readers who cannot see it",
]


def test_warnings_do_not_fail_check(capsys: pytest.CaptureFixture[str], make_site: MakeSite) -> None:
    root = make_site({"briefings/a.md": WARNINGS_BRIEFING, "briefings/map.png": b"\x89PNG\r\n\x1a\n"})
    code, out, err = check(capsys, root)
    assert code == 0
    assert err.splitlines() == EXPECTED_WARNINGS
    assert out.strip() == "checked 1 briefing: 0 errors, 3 warnings"


def test_warnings_fail_check_when_strict(capsys: pytest.CaptureFixture[str], make_site: MakeSite) -> None:
    root = make_site({"briefings/a.md": WARNINGS_BRIEFING, "briefings/map.png": b"\x89PNG\r\n\x1a\n"})
    code, out, err = check(capsys, root, "--strict")
    assert code == 1
    assert err.splitlines() == EXPECTED_WARNINGS
    # The summary says why a check with no error failed.
    assert out.strip() == "checked 1 briefing: 0 errors, 3 warnings (--strict: warnings fail the check)"


def test_strict_summary_with_errors_and_warnings(capsys: pytest.CaptureFixture[str], make_site: MakeSite) -> None:
    root = make_site({"briefings/a.md": WARNINGS_BRIEFING, "briefings/b.md": "no front matter\n"})
    code, out, err = check(capsys, root, "--strict")
    assert code == 1
    assert "briefings/a.md:7: warning: note 2 is never cited in the text" in err
    assert "briefings/b.md:1: no front matter" in err
    assert out.strip() == "checked 2 briefings: 2 errors, 3 warnings (--strict: warnings fail the check)"


def test_strict_without_warnings_says_nothing_of_them(capsys: pytest.CaptureFixture[str], make_site: MakeSite) -> None:
    code, out, _ = check(capsys, make_site({"briefings/a.md": "no front matter\n"}), "--strict")
    assert code == 1
    assert out.strip() == "checked 1 briefing: 1 error, 0 warnings"


def test_warnings_are_listed_with_errors(capsys: pytest.CaptureFixture[str], make_site: MakeSite) -> None:
    root = make_site({"briefings/a.md": WARNINGS_BRIEFING, "briefings/b.md": "no front matter\n"})
    code, out, err = check(capsys, root)
    assert code == 1
    assert "briefings/a.md:7: warning: note 2 is never cited in the text" in err
    # map.png is missing here, so the image is an error as well as a warning.
    assert "briefings/a.md:11: image 'map.png' not found (looked for briefings/map.png)" in err
    assert "briefings/b.md:1: no front matter" in err
    assert out.strip() == "checked 2 briefings: 2 errors, 3 warnings"


def test_source_not_in_sources_yaml_warns_and_fails_strict(
    capsys: pytest.CaptureFixture[str], make_site: MakeSite
) -> None:
    root = make_site({"sources.yaml": SOURCES_YAML, "briefings/a.md": briefing_text(source="Reuters")})
    expected = (
        "briefings/a.md:4: warning: source 'Reuters' is not in sources.yaml: add it there"
        " (as 'reuters:' with 'name: Reuters'), or it is published as a source of its own"
    )
    code, _, err = check(capsys, root)
    assert (code, err.strip()) == (0, expected)
    code, out, err = check(capsys, root, "--strict")
    assert (code, err.strip()) == (1, expected)
    assert out.strip() == "checked 1 briefing: 0 errors, 1 warning (--strict: warnings fail the check)"


def test_any_source_is_its_own_without_sources_yaml(capsys: pytest.CaptureFixture[str], make_site: MakeSite) -> None:
    root = make_site({"briefings/a.md": briefing_text(source="Reuters")})
    code, out, err = check(capsys, root, "--strict")
    assert (code, err) == (0, "")
    assert out.strip() == "checked 1 briefing: 0 errors, 0 warnings"


def test_empty_sources_yaml_still_lists_the_sources(capsys: pytest.CaptureFixture[str], make_site: MakeSite) -> None:
    # The file is there: the team keeps a list, which does not have this source yet.
    root = make_site({"sources.yaml": "# none yet\n", "briefings/a.md": briefing_text(source="isw")})
    code, _, err = check(capsys, root, "--strict")
    assert code == 1
    assert err.startswith("briefings/a.md:4: warning: source 'isw' is not in sources.yaml: add it there")


def test_unknown_source_like_a_key_warns(capsys: pytest.CaptureFixture[str], make_site: MakeSite) -> None:
    root = make_site({"sources.yaml": SOURCES_YAML, "briefings/a.md": briefing_text(source="iws")})
    code, _, err = check(capsys, root)
    assert code == 0
    assert err.strip() == (
        "briefings/a.md:4: warning: source 'iws' is not in sources.yaml (did you mean 'isw'?);"
        " it becomes a source of its own"
    )


# --- dates and the folders they are filed in ------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param(
            "briefings/2025/06/26/a.md",
            "briefings/2025/06/26/a.md:3: warning: the date 2025-06-27 does not match the folders"
            " 2025/06/26/ the file is in: correct the date, or move the file to briefings/2025/06/27/",
            id="day",
        ),
        pytest.param(
            "briefings/isw/2024/12/31/a.md",
            "briefings/isw/2024/12/31/a.md:3: warning: the date 2025-06-27 does not match the folders"
            " 2024/12/31/ the file is in: correct the date, or move the file to briefings/isw/2025/06/27/",
            id="below-a-source-folder",
        ),
    ],
)
def test_date_not_matching_its_folders_warns(
    capsys: pytest.CaptureFixture[str], make_site: MakeSite, path: str, expected: str
) -> None:
    root = make_site({path: briefing_text(date="2025-06-27")})
    code, _, err = check(capsys, root, "--strict")
    assert code == 1
    assert err.splitlines() == [expected]


@pytest.mark.parametrize(
    "path",
    [
        "briefings/2025/06/27/a.md",  # the folders agree
        "briefings/a.md",
        "briefings/2025/a.md",  # year folders only
        "briefings/2025/06/a.md",  # year and month only: filed by month, not by day
        "briefings/isw/2025-06-26/a.md",
        "briefings/2025/06/26/notes/a.md",  # the dated folders are not the file's own
    ],
)
def test_date_folders_are_compared_only_when_the_path_has_them(
    capsys: pytest.CaptureFixture[str], make_site: MakeSite, path: str
) -> None:
    code, _, err = check(capsys, make_site({path: briefing_text(date="2025-06-27")}), "--strict")
    assert (code, err) == (0, "")


# --- citations --------------------------------------------------------------------


def load_one(root: Path) -> tuple[object, tuple[str, ...]]:
    archive, warnings = load_archive(root, today=dt.date(2025, 7, 1))
    assert len(archive.briefings) == 1
    return archive.briefings[0], tuple(str(w) for w in warnings)


def test_escaped_and_code_brackets_are_not_citations(make_site: MakeSite) -> None:
    body = "Escaped \\[3] stays, and `[3]` is code.\n\n    [4] indented code\n\n```\n[5] fenced\n```\n"
    root = make_site({"briefings/a.md": briefing_text(body=body)})
    archive, warnings = load_archive(root, today=dt.date(2025, 7, 1))
    html = archive.bodies.body(archive.briefings[0]).html
    assert warnings == ()
    assert "citation" not in html
    assert "<p>Escaped [3] stays, and <code>[3]</code> is code.</p>" in html
    assert "<pre><code>[4] indented code" in html
    assert "<pre><code>[5] fenced" in html


def test_footnote_syntax_in_code_or_escaped_is_text(make_site: MakeSite) -> None:
    body = (
        "Escaped \\[^1] stays, and `[^2]` is code, ``a `[^3]` b`` too.\n"
        "\n"
        "    [^4]: indented code\n"
        "\n"
        "```\n"
        "[^5] fenced\n"
        "```\n"
        "\n"
        "A code span over `two\n"
        "[^6]` lines.\n"
    )
    archive, warnings = load_archive(make_site({"briefings/a.md": briefing_text(body=body)}), today=dt.date(2025, 7, 1))
    assert warnings == ()
    assert "<p>Escaped [^1] stays, and <code>[^2]</code> is code" in archive.bodies.body(archive.briefings[0]).html


def test_footnote_syntax_is_found_in_every_kind_of_block(make_site: MakeSite) -> None:
    body = (
        "# A heading[^h]\n"  # 6
        "\n"  # 7
        "| where | what |\n"  # 8
        "|---|---|\n"  # 9
        "| Kursk | advance[^t] |\n"  # 10
        "\n"  # 11
        "- an item\n"  # 12
        "- another[^2] and a second[^3]\n"  # 13
        "\n"  # 14
        "> [^q]: https://example.org/quoted\n"  # 15: a CommonMark link definition, inside a quote
        "\n"  # 16
        "[^4]: https://example.org/report\n"  # 17: the same, at the top level
        "[^5]:\n"  # 18: a definition with nothing after it
    )
    with pytest.raises(ArchiveError) as caught:
        load_archive(make_site({"briefings/a.md": briefing_text(body=body)}), today=dt.date(2025, 7, 1))
    assert [(p.line, p.message.split(" is not how")[0]) for p in caught.value.problems] == [
        (6, "'[^h]'"),
        (10, "'[^t]'"),
        (13, "'[^2]'"),
        (13, "'[^3]'"),
        (15, "'[^q]:'"),
        (17, "'[^4]:'"),
        (18, "'[^5]:'"),
    ]
    assert caught.value.problems[-1].message.endswith("under 'footnotes:', as 5: \"...\"")


def test_adjacent_citations_are_two(make_site: MakeSite) -> None:
    front = "footnotes:\n  1: Reuters\n  2: ISW\n"
    root = make_site({"briefings/a.md": briefing_text(front, body="Both say so.[1][2] Again.[1]\n")})
    archive, warnings = load_archive(root, today=dt.date(2025, 7, 1))
    body = archive.bodies.body(archive.briefings[0])
    notes = body.footnotes
    assert warnings == ()
    assert [(n.number, n.citation_ids) for n in notes] == [(1, ("fnref:1:1", "fnref:1:2")), (2, ("fnref:2:1",))]
    assert body.html.count('<sup class="citation">') == 3


def test_number_in_brackets_followed_by_address_is_a_link(make_site: MakeSite) -> None:
    root = make_site({"briefings/a.md": briefing_text(body="See [1](https://x.example/r) for more.\n")})
    archive, warnings = load_archive(root, today=dt.date(2025, 7, 1))
    html = archive.bodies.body(archive.briefings[0]).html
    assert warnings == ()
    assert '<a href="https://x.example/r" rel="noopener">1</a>' in html
    assert "citation" not in html


def test_bare_addresses_in_notes_become_links(make_site: MakeSite) -> None:
    front = (
        'footnotes:\n  1: Reuters, "Troops", June 26, 2025, https://www.reuters.com/world/x\n  2: "*ISW*, <b>x</b>"\n'
    )
    root = make_site({"briefings/a.md": briefing_text(front, body="A claim.[1][2]\n")})
    archive, warnings = load_archive(root, today=dt.date(2025, 7, 1))
    notes = archive.bodies.body(archive.briefings[0]).footnotes
    assert warnings == ()
    assert notes[0].html == (
        "Reuters, &quot;Troops&quot;, June 26, 2025, "
        '<a href="https://www.reuters.com/world/x" rel="noopener">https://www.reuters.com/world/x</a>'
    )
    assert notes[1].html == "<em>ISW</em>, &lt;b&gt;x&lt;/b&gt;"  # inline Markdown, never raw HTML


# --- sources ------------------------------------------------------------------------


def test_unknown_source_name_becomes_its_own_source(make_site: MakeSite) -> None:
    root = make_site({"sources.yaml": SOURCES_YAML, "briefings/a.md": briefing_text(source="Kyiv Independent")})
    archive, warnings = load_archive(root, today=dt.date(2025, 7, 1))
    assert [(w.line, w.message.split(":")[0]) for w in warnings] == [
        (4, "source 'Kyiv Independent' is not in sources.yaml")
    ]
    source = archive.briefings[0].source
    assert (source.key, source.name, source.url) == ("kyiv-independent", "Kyiv Independent", None)
    assert archive.sources["kyiv-independent"] is source
    assert set(archive.sources) == {"isw", "wilson-center", "kyiv-independent"}


def test_source_matched_by_organisation_name_ignoring_case(make_site: MakeSite) -> None:
    root = make_site(
        {
            "sources.yaml": SOURCES_YAML,
            "briefings/a.md": briefing_text(source="institute for the STUDY of war"),
            "briefings/b.md": briefing_text(source="Wilson Center"),
            "briefings/c.md": briefing_text(source="ISW"),
        }
    )
    archive, warnings = load_archive(root, today=dt.date(2025, 7, 1))
    assert warnings == ()
    assert {b.slug: b.source.key for b in archive.briefings} == {"a": "isw", "b": "wilson-center", "c": "isw"}
    assert set(archive.sources) == {"isw", "wilson-center"}


# --- encodings and line endings ------------------------------------------------------


BROKEN_CITATION_LINES = [
    "---",  # 1
    "title: T",  # 2
    "date: 2025-06-26",  # 3
    "source: isw",  # 4
    "footnotes:",  # 5
    "  1: Reuters",  # 6
    "  2: Never cited",  # 7
    "---",  # 8
    "A claim.[1]",  # 9
    "",  # 10
    "A paragraph",  # 11
    "with a dangling citation.[9]",  # 12
]


@pytest.mark.parametrize(
    ("prefix", "newline"),
    [
        pytest.param("", "\n", id="lf"),
        pytest.param("", "\r\n", id="crlf"),
        pytest.param("", "\r", id="cr"),
        pytest.param("\ufeff", "\n", id="bom-lf"),
        pytest.param("\ufeff", "\r\n", id="bom-crlf"),
    ],
)
def test_line_endings_and_bom_keep_line_numbers(make_site: MakeSite, prefix: str, newline: str) -> None:
    text = prefix + newline.join(BROKEN_CITATION_LINES) + newline
    root = make_site({"briefings/a.md": text.encode("utf-8")})
    with pytest.raises(ArchiveError) as caught:
        load_archive(root, today=dt.date(2025, 7, 1))
    assert [str(p) for p in caught.value.problems] == [
        "briefings/a.md:7: warning: note 2 is never cited in the text",
        "briefings/a.md:12: citation [9] has no note 9 in 'footnotes'"
        " (write \\[9] for brackets that are not a citation)",
    ]


@pytest.mark.parametrize("newline", ["\r\n", "\n"], ids=["crlf", "lf"])
def test_crlf_and_bom_file_loads(make_site: MakeSite, newline: str) -> None:
    text = "\ufeff" + VALID_BRIEFING.replace("\n", newline) + newline + "Second paragraph.[1]" + newline
    text = text.replace("source: isw", f"source: isw{newline}footnotes:{newline}  1: Reuters")
    root = make_site({"briefings/a.md": text})
    archive, warnings = load_archive(root, today=dt.date(2025, 7, 1))
    briefing = archive.briefings[0]
    assert warnings == ()
    assert briefing.title == "Russia weighs deploying North Korean troops in Ukraine"
    assert "\r" not in archive.bodies.body(briefing).html
    assert archive.bodies.body(briefing).footnotes[0].line == 6
    assert briefing.summary == "A report."


# --- images -------------------------------------------------------------------------


def test_image_beside_briefing_is_found(make_site: MakeSite) -> None:
    body = "Intro.\n\n![Map of Kursk](maps/kursk.png)\n"
    root = make_site(
        {"briefings/2025/a.md": briefing_text(body=body), "briefings/2025/maps/kursk.png": b"\x89PNG\r\n\x1a\n"}
    )
    archive, warnings = load_archive(root, today=dt.date(2025, 7, 1))
    images = archive.briefings[0].images
    assert warnings == ()
    assert [(Path(i.source_path).name, i.output_name) for i in images] == [("kursk.png", "maps/kursk.png")]


def test_missing_image_with_non_ascii_name_is_reported_at_its_line(make_site: MakeSite) -> None:
    body = (
        "Intro.\n"  # 6
        "\n"  # 7
        "A paragraph whose second line\n"  # 8
        "has a map: ![Карта](карта.png) and ![Map](<front line.png>)\n"  # 9
        "and a third line with ![Again](карта.png).\n"  # 10
    )
    root = make_site({"briefings/a.md": briefing_text(body=body)})
    with pytest.raises(ArchiveError) as caught:
        load_archive(root, today=dt.date(2025, 7, 1))
    assert [(p.line, p.message.split(" not found")[0]) for p in caught.value.problems] == [
        (9, "image '%D0%BA%D0%B0%D1%80%D1%82%D0%B0.png'"),
        (9, "image 'front%20line.png'"),
        (10, "image '%D0%BA%D0%B0%D1%80%D1%82%D0%B0.png'"),
    ]


# --- never a traceback ------------------------------------------------------------------


def test_unreadable_inputs_never_give_a_traceback(make_site: MakeSite) -> None:
    root = make_site(
        {
            "briefgen.yaml": "base_url: http://[broken\nper_page: " + "9" * 5000 + "\n",
            "sources.yaml": "isw:\n  name: ISW\n  url: https://[::1\n",
            "briefings/nul.md": b"---\ntitle: T\x00\n---\n",
            "briefings/deep.md": "---\ntitle: " + "[" * 5000 + "\n---\n",
            "briefings/huge-note.md": briefing_text("footnotes:\n  ? " + "1" * 5000 + "\n  : text\n"),
        }
    )
    (root / "briefings" / "loop.md").symlink_to("loop.md")
    result = run_script("check", "--root", str(root))
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    for expected in (
        "briefgen.yaml:1: base_url 'http://[broken' must be an http(s) address or a path starting with '/'",
        "briefgen.yaml:2: 'per_page' must be a whole number of at least 1",
        "sources.yaml:3: 'url' must be an http(s) address, not 'https://[::1'",
        "briefings/nul.md:2: the file contains a NUL character: is it a binary file?",
        "briefings/deep.md:2: YAML is nested more than 32 levels deep",
        "briefings/huge-note.md:6: each key of 'footnotes' must be a note number (1, 2, ...)",
        "briefings/loop.md:1: cannot read the file:",
    ):
        assert expected in result.stderr, f"expected {expected!r} in:\n{result.stderr}"
