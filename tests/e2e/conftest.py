"""Fixtures of the end-to-end suite: its tools, one browser, and built sites served over HTTP.

Every test here is marked `e2e` (see pytestmark in each module). When a tool is
missing the tests fail, saying which and how to install it: they are never
skipped. `python -m pytest -m "not e2e"` leaves them out for a quick local run.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from briefgen.build import build_site
from tests.e2e.readers import CHROMIUM, CHROMIUM_ARGS, missing_tools
from tests.sitetools import copy_example, make_corpus, serve

if TYPE_CHECKING:
    from playwright.sync_api import Browser

PREFIX = "/conflict-archive/"
"""Every site is served under a sub-path, as GitHub Pages serves a project's site."""
CORPUS_BRIEFINGS = 200
CORPUS_LENGTH = 0.5
"""Of an ISW-sized report (tens of notes each): the corpus is for an archive's many pages (pagination,
terms, dates), and the example archive has the long reports; whole-length, the corpus's pages were a
third of the suite's HTML checking and feed parsing."""

PAGE_TYPES = (
    "home",
    "briefing",
    "date",
    "month",
    "year",
    "all-dates",
    "sources",
    "source",
    "topics",
    "topic",
    "places",
    "place",
    "404",
)
PAGINATED_TYPES = ("home-page-2", "source-page-2")
"""Only a large archive has these."""
NOT_FOUND_PATH = "no-such-page/"


@dataclass(frozen=True)
class ServedSite:
    name: str
    output: Path
    address: str
    """Where it is served, such as http://127.0.0.1:PORT/conflict-archive/."""
    pages: Mapping[str, str]
    """One page of each type, by type: its path under the site."""

    def url(self, path: str) -> str:
        return self.address + path

    def checked_files(self) -> list[Path]:
        """What the HTML checker reads: every HTML page, and the theme's CSS and SVG."""
        return sorted(p for p in self.output.rglob("*") if p.suffix in {".html", ".css", ".svg"} and p.is_file())


def representative_pages(output: Path) -> dict[str, str]:
    """A page of each type: a briefing with citations, the date with the most briefings, the first of the rest."""

    def pages(pattern: str) -> list[str]:
        return sorted(f"{p.parent.relative_to(output).as_posix()}/" for p in output.glob(pattern))

    def html(path: str) -> str:
        return (output / path / "index.html").read_text(encoding="utf-8")

    cited = [path for path in pages("briefings/*/*/*/*/index.html") if 'class="citation"' in html(path)]
    dates = pages("briefings/*/*/*/index.html")
    found = {
        "home": "",
        "briefing": cited[0] if cited else "",
        "date": max(dates, key=lambda path: html(path).count('class="day-briefing"')) if dates else "",
        "month": pages("briefings/*/*/index.html")[0],
        "year": pages("briefings/*/index.html")[0],
        "all-dates": "briefings/",
        "sources": "sources/",
        "source": pages("sources/*/index.html")[0],
        "topics": "tags/",
        "topic": pages("tags/*/index.html")[0],
        "places": "places/",
        "place": pages("places/*/index.html")[0],
        "404": NOT_FOUND_PATH,
    }
    right_to_left = [path for path in pages("briefings/*/*/*/*/index.html") if ' dir="rtl">' in html(path)[:200]]
    if right_to_left:  # the example's Arabic briefing: a page laid out right to left
        found["rtl-briefing"] = right_to_left[0]
    if (output / "page/2/index.html").is_file():
        found["home-page-2"] = "page/2/"
    second_pages = pages("sources/*/page/2/index.html")
    if second_pages:
        found["source-page-2"] = second_pages[0]
    return found


@pytest.fixture(scope="session", autouse=True)
def reader_tools() -> None:
    missing = missing_tools()
    if missing:
        pytest.fail(
            "the end-to-end tests need tools this machine lacks:\n  - "
            + "\n  - ".join(missing)
            + "\nInstall them with `bash scripts/install-test-deps.sh`, "
            'or leave these tests out with `python -m pytest -m "not e2e"`.',
            pytrace=False,
        )


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole run."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only once the tools are known to be there

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ServedSite]]:
    """Built sites, each served over HTTP under /conflict-archive/:

    - "example": the example archive, and "corpus": a 200-briefing corpus, both
      built with the full address of the local server as base_url, as the
      publishing workflow builds with the site's address;
    - "example-path": the example archive built with the path base_url
      '/conflict-archive/', as a site that does not name its host is built.
    """
    corpus_root = make_corpus(
        tmp_path_factory.mktemp("e2e-corpus") / "root", briefings=CORPUS_BRIEFINGS, length=CORPUS_LENGTH
    )
    # A copy of the example archive: a build of the repository itself would lock its cache
    # folder against the other workers' tests.
    example_root = copy_example(tmp_path_factory.mktemp("e2e-example") / "root")
    builds = {"example": (example_root, None), "corpus": (corpus_root, None), "example-path": (example_root, PREFIX)}
    served = {}
    with ExitStack() as stack:
        for name, (root, base_url) in builds.items():
            output = tmp_path_factory.mktemp(f"e2e-{name}") / "site"
            address = stack.enter_context(serve(output, PREFIX))
            build_site(root, output=output, base_url=base_url or address)
            served[name] = ServedSite(name, output, address, representative_pages(output))
        yield served
