"""The checkers of the end-to-end suite catch what they are there to catch.

The example archive is built with a site templates/ folder that overrides the
built-in theme file by file, each override the theme's own template with one
thing broken. Every check of test_site.py, run on the page it concerns, must
then report that breakage, so that a green end-to-end run means something.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from briefgen.build import build_site
from tests.e2e.conftest import NOT_FOUND_PATH, PREFIX
from tests.e2e.readers import (
    axe_violations,
    browse,
    citation_round_trips,
    feed_problems,
    horizontal_overflow,
    sitemap_problems,
    vnu_errors,
)
from tests.sitetools import REPO_ROOT, copy_example, crawl, serve

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.e2e

THEME = REPO_ROOT / "templates"
DATE = "briefings/2025/06/26/"
BRIEFING = "briefings/2025/06/26/isw-north-korean-troops/"
MISSING = "briefings/1999/"

# template: (text of the built-in template to replace, what replaces it)
BREAKAGES = {
    "sources.html": (
        '<h1>{{ _("Sources") }}</h1>\n',
        '<h1>{{ _("Sources") }}</h1>\n<div class="unclosed"><p>An element never closed.\n',
    ),
    "partials/card.html": (
        "</h2>\n",
        '</h2>\n  <img src="{{ urls.asset(\'favicon.svg\') }}" width="32" height="32">\n',
    ),
    "year.html": ("</ul>\n", f"</ul>\n<p><a href=\"{{{{ urls.page('{MISSING}') }}}}\">Briefings of 1999</a></p>\n"),
    "404.html": (
        '<h1>{{ _("Page not found") }}</h1>\n',
        '<h1>{{ _("Page not found") }}</h1>\n<p><img src="https://maps.example.com/front.png" alt="The front"></p>\n',
    ),
    "terms.html": (
        "<h1>{{ heading }}</h1>\n",
        '<h1>{{ heading }}</h1>\n<p><img src="{{ urls.asset(\'favicon.svg\') }}" width="640" height="16" alt=""></p>\n',
    ),
    "month.html": (
        "month.month) }}</h1>\n",
        "month.month) }}</h1>\n<script src=\"{{ urls.asset('broken.js') }}\"></script>\n",
    ),
    "source.html": (  # what the Content-Security-Policy refuses: an inline script, handler and style
        "{% block content %}\n",
        "{% block content %}\n<script>document.title = 'inline';</script>\n"
        '<p style="color: red"><img src="{{ urls.asset(\'favicon.svg\') }}" alt="" onload="this.alt = \'ran\'"></p>\n',
    ),
    "dates.html": (
        '{% extends "base.html" %}\n',
        '{% extends "base.html" %}\n'
        '{% block head %}<link rel="stylesheet" href="{{ urls.asset(\'dark.css\') }}">{% endblock %}\n',
    ),
    "briefing.html": (  # a theme that writes the notes itself, under other ids
        '{% include "partials/notes.html" %}',
        '<ol>{% for note in briefing.footnotes %}<li id="note-{{ note.number }}">{{ note.html | safe }}</li>'
        "{% endfor %}</ol>",
    ),
    "sitemap.xml": (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"  <url><loc>{{{{ urls.absolute('{MISSING}') }}}}</loc><lastmod>1999-13-01</lastmod></url>\n",
    ),
    "feed.xml": ("<title>{{ briefing.title }}</title>", "<title>{{ briefing.title }}</titel>"),
}
# The site's own theme files (in templates/assets/) that the breakages above use.
ASSETS = {
    "broken.js": "alert('a script ran');\nwindow.briefgenNothing.run();\n",
    "dark.css": "@media (prefers-color-scheme: dark) { main h1 { color: #2a2d31; } }\n",
}


@dataclass(frozen=True)
class BrokenSite:
    output: Path
    address: str
    vnu: dict[Path, list[str]]

    def url(self, path: str) -> str:
        return self.address + path

    def html_errors(self, path: str) -> list[str]:
        return self.vnu.get(self.output / path / "index.html", [])


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokenSite]:
    root = copy_example(tmp_path_factory.mktemp("e2e-broken") / "root")
    for name, (old, new) in BREAKAGES.items():
        theme_text = (THEME / name).read_text(encoding="utf-8")
        assert theme_text.count(old) == 1, f"the theme's {name} no longer has {old!r} to break"
        (root / "templates" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "templates" / name).write_text(theme_text.replace(old, new), encoding="utf-8")
    for name, text in ASSETS.items():
        (root / "templates" / "assets").mkdir(parents=True, exist_ok=True)
        (root / "templates" / "assets" / name).write_text(text, encoding="utf-8")
    output = root / "site"
    with serve(output, PREFIX) as address:
        build_site(root, output=output, base_url=address)
        checked = [p for p in output.rglob("*") if p.suffix in {".html", ".css", ".svg"}]
        yield BrokenSite(output, address, vnu_errors(checked))


def test_the_html_checker_reports_an_unclosed_tag(broken: BrokenSite) -> None:
    errors = broken.html_errors("sources/")
    assert any("Unclosed element" in error or "open elements" in error for error in errors), errors


def test_the_html_checker_passes_what_was_not_broken(broken: BrokenSite) -> None:
    assert broken.html_errors(DATE) == []
    assert broken.vnu.get(broken.output / "assets" / "briefgen.css") is None


def test_the_html_checker_and_axe_report_an_image_without_alt_text(broken: BrokenSite, browser: Browser) -> None:
    assert any("alt" in error for error in broken.html_errors("")), broken.html_errors("")
    with browse(browser, broken.url("")) as visit:
        violations = axe_violations(visit.page)
    assert any(" image-alt:" in violation for violation in violations), violations


def test_the_link_check_reports_a_link_to_a_missing_page(broken: BrokenSite) -> None:
    _, broken_links = crawl(broken.address)
    assert f"{broken.url(MISSING)}: HTTP 404" in broken_links
    # The renamed notes of briefing.html leave its citations pointing at nothing, and the crawl sees that too.
    assert f"{broken.url(BRIEFING)} -> {broken.url(BRIEFING)}#fn:1: no element with id 'fn:1'" in broken_links


def test_the_browser_check_reports_a_request_to_another_host(broken: BrokenSite, browser: Browser) -> None:
    with browse(browser, broken.url(NOT_FOUND_PATH), expected_status=404, settle=True) as visit:
        pass
    assert "request to another host: https://maps.example.com/front.png" in visit.problems


def test_the_browser_check_reports_a_script_error(broken: BrokenSite, browser: Browser) -> None:
    with browse(browser, broken.url("briefings/2025/06/")) as visit:
        pass
    assert any(problem.startswith("uncaught exception:") for problem in visit.problems), visit.problems


def test_the_browser_check_reports_a_dialog(broken: BrokenSite, browser: Browser) -> None:
    with browse(browser, broken.url("briefings/2025/06/")) as visit:
        pass
    assert "a script opened a dialog: alert('a script ran')" in visit.problems


def test_the_browser_check_reports_what_the_content_security_policy_refused(
    broken: BrokenSite, browser: Browser
) -> None:
    source = next(p for p in broken.output.glob("sources/*/index.html"))
    with browse(browser, broken.url(source.parent.relative_to(broken.output).as_posix() + "/"), settle=True) as visit:
        refused = [problem for problem in visit.problems if problem.startswith("Content-Security-Policy violation:")]
        assert visit.page.title() != "inline"
        assert visit.page.locator("main img").first.get_attribute("alt") == ""
    directives = sorted(problem.split()[2] for problem in refused)
    assert directives == ["script-src-attr", "script-src-elem", "style-src-attr"], refused


def test_the_browser_check_reports_an_error_status(broken: BrokenSite, browser: Browser) -> None:
    with browse(browser, broken.url(MISSING)) as visit:
        pass
    assert f"{broken.url(MISSING)}: HTTP 404, expected 200" in visit.problems


def test_the_phone_check_reports_a_page_wider_than_the_screen(broken: BrokenSite, browser: Browser) -> None:
    with browse(browser, broken.url("tags/")) as visit:
        overflow = horizontal_overflow(visit.page, 360)
    assert overflow
    assert "img (right edge" in overflow[0]


def test_axe_in_the_dark_reports_text_readable_only_in_the_light(broken: BrokenSite, browser: Browser) -> None:
    with browse(browser, broken.url("briefings/")) as visit:
        light = axe_violations(visit.page)
        visit.page.emulate_media(color_scheme="dark")
        dark = axe_violations(visit.page)
    assert light == []
    assert any(" color-contrast:" in violation for violation in dark), dark


def test_the_citation_check_reports_a_citation_whose_note_is_missing(broken: BrokenSite, browser: Browser) -> None:
    with browse(browser, broken.url(BRIEFING)) as visit:
        tried, problems = citation_round_trips(visit.page, limit=1)
    assert tried == 1
    assert any("which no element has as its id" in problem for problem in problems), problems


def test_the_sitemap_check_reports_an_invalid_entry_and_a_missing_page(broken: BrokenSite) -> None:
    _, problems = sitemap_problems(broken.url("sitemap.xml"))
    assert any("lastmod" in problem for problem in problems), problems
    assert f"{broken.url('sitemap.xml')} lists {broken.url(MISSING)}: HTTP 404" in problems


def test_the_feed_check_reports_a_malformed_feed(broken: BrokenSite) -> None:
    _, problems = feed_problems(broken.url("feed.xml"))
    assert any("not a well-formed feed" in problem for problem in problems), problems
