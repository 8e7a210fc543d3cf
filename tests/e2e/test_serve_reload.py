"""`briefgen serve` in a real browser: its reload script and problems banner work under the pages'
Content-Security-Policy, and a base_url made of markup runs nothing.

Every visit fails on a CSP violation or a dialog (tests/e2e/readers.browse).
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest

from tests.e2e.readers import browse
from tests.sitetools import REPO_ROOT
from tests.test_serve import ISW_FILE, ISW_PAGE, ISW_TITLE, Server, start_serve, wait_for

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.e2e

WAIT_MS = 15_000


@pytest.fixture(params=["/conflict-archive/", "/x</script><script>alert(document.domain)</script>/"])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Server, Path, str]]:
    """`briefgen serve` on a copy of the example whose base_url is the parameter; yields the
    server, the site root and the address of the site, as a browser asks for it."""
    with serving_example(tmp_path, request.param) as found:
        yield found


@pytest.fixture
def served_plain(tmp_path: Path) -> Iterator[tuple[Server, Path, str]]:
    """As `served`, under the plain base path only: what search is tested under."""
    with serving_example(tmp_path, "/conflict-archive/") as found:
        yield found


@contextlib.contextmanager
def serving_example(tmp_path: Path, base_path: str) -> Iterator[tuple[Server, Path, str]]:
    root = tmp_path / "root"
    shutil.copytree(REPO_ROOT / "briefings", root / "briefings")
    shutil.copy(REPO_ROOT / "sources.yaml", root / "sources.yaml")
    settings = (REPO_ROOT / "briefgen.yaml").read_text(encoding="utf-8")
    settings = re.sub(r"(?m)^base_url:.*$", lambda _: f"base_url: {json.dumps(base_path)}", settings)
    (root / "briefgen.yaml").write_text(settings, encoding="utf-8")
    server = start_serve(root, "--port", "0")
    try:
        line = wait_for(
            "the 'serving' line", lambda: server.printed(r"^serving http://", "out") or server.process.poll()
        )
        assert isinstance(line, str), f"serve exited early: {server.err}"
        port = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert port is not None
        yield server, root, f"http://127.0.0.1:{port.group(1)}{quote(base_path)}"
    finally:
        server.stop()


def test_serve_reloads_an_edited_page_and_shows_problems_under_the_policy(
    served: tuple[Server, Path, str], browser: Browser
) -> None:
    server, root, address = served
    briefing = root / ISW_FILE
    original = briefing.read_text(encoding="utf-8")
    with browse(browser, address + ISW_PAGE) as visit:
        page = visit.page
        assert page.locator("h1").text_content() == ISW_TITLE
        briefing.write_text(original.replace(f"title: {ISW_TITLE}", "title: Edited while serving"), encoding="utf-8")
        # Nothing but the reload script brings the new title into this open page.
        page.wait_for_function(
            "() => document.querySelector('h1')?.textContent === 'Edited while serving'", timeout=WAIT_MS
        )
        briefing.write_text(original.replace("takeaways:", "takaways:"), encoding="utf-8")
        banner = page.locator("#briefgen-serve-problems")
        banner.wait_for(timeout=WAIT_MS)
        assert "unknown key 'takaways'" in (banner.text_content() or "")
        # Styled by serve's own stylesheet, since the policy refuses a style attribute.
        assert banner.evaluate("b => getComputedStyle(b).position") == "fixed"
    assert visit.problems == []
    assert not server.printed("Traceback")


def test_serve_has_search_and_finds_a_word_added_while_serving(
    served_plain: tuple[Server, Path, str], browser: Browser
) -> None:
    server, root, address = served_plain
    briefing = root / ISW_FILE
    with browse(browser, address + "search/?q=zanzibarite") as visit:
        visit.page.wait_for_function(
            "() => /No results/.test(document.querySelector('.search-message').textContent)", timeout=WAIT_MS
        )
        briefing.write_text(briefing.read_text("utf-8") + "\nA zanzibarite convoy was seen.\n", encoding="utf-8")
        # The reload script brings the rebuilt site, its index with it, into the open search page.
        visit.page.wait_for_function(
            "() => /1 result/.test(document.querySelector('.search-message')?.textContent)", timeout=4 * WAIT_MS
        )
        assert visit.page.locator(".search-result-link").first.text_content() == ISW_TITLE
    assert visit.problems == []
    assert not server.printed("Traceback")
