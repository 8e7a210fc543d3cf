"""What readers' clients make of a built site: a real browser, the Nu HTML Checker, axe-core, feed readers.

Each check returns the problems it found as lines of text, so the end-to-end
tests assert `== []`, and the tests of the checkers themselves (a theme broken
on purpose) assert that the same functions do find something.

The tools are Debian's chromium driven by Playwright, Java running vnu.jar from
the npm package vnu-jar, and axe-core from npm; `scripts/install-test-deps.sh`
installs them all.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin, urlsplit

import feedparser
import lxml.etree

from tests.sitetools import REPO_ROOT, fetch

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Request, Route

NODE_MODULES = REPO_ROOT / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
CHROMIUM = Path(os.environ.get("BRIEFGEN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SITEMAP_XSD = REPO_ROOT / "tests" / "data" / "sitemap-0.9.xsd"
ARTIFACTS = REPO_ROOT / "test-artifacts"
LOCAL_HOST = "127.0.0.1"
SERIOUS = ("serious", "critical")
"""The axe-core impacts that fail a page."""


def missing_tools() -> list[str]:
    """The tools the end-to-end tests need that this machine lacks, each with where it comes from."""
    missing = []
    if not CHROMIUM.is_file():
        missing.append(f"Chromium at {CHROMIUM} (Debian's package chromium)")
    if shutil.which("java") is None:
        missing.append("a Java runtime, `java` on PATH (Debian's package default-jre-headless)")
    if not VNU_JAR.is_file():
        missing.append(f"the Nu HTML Checker, {VNU_JAR.relative_to(REPO_ROOT)} (npm ci)")
    if not AXE_JS.is_file():
        missing.append(f"axe-core, {AXE_JS.relative_to(REPO_ROOT)} (npm ci)")
    if importlib.util.find_spec("playwright") is None:
        missing.append("the Python package playwright (pip install -e '.[test]')")
    return missing


# ------------------------------------------------------------ the HTML checker


def vnu_errors(files: Iterable[Path]) -> dict[Path, list[str]]:
    """The Nu HTML Checker's errors by file, as 'line:column: message', from one JVM run over all files.

    HTML files are checked as HTML, .css as CSS and .svg as SVG.
    """
    # Java's first compiler only (C1): the optimising one spent half of the run's CPU compiling code that
    # a run of a few hundred files never pays back (22 s of CPU against 10 s, the same report, on 246 pages).
    # The checker needs a larger thread stack than C1 code gives by default; it says so and stops without it.
    # No performance-data file (-XX:-UsePerfData): the JVM would write it under /tmp/hsperfdata_USER.
    java = ["java", "-Xss4m", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData"]
    command = [*java, "-jar", str(VNU_JAR), "--errors-only", "--also-check-css", "--also-check-svg"]
    command += ["--format", "json", "--stdout", *(str(path) for path in sorted(files))]
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=900)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError as exc:
        raise AssertionError(f"vnu gave no report (exit {result.returncode}): {result.stderr[-2000:]}") from exc
    errors: dict[Path, list[str]] = defaultdict(list)
    for message in report["messages"]:
        if message["type"] == "info":
            continue
        where = f"{message.get('lastLine', '?')}:{message.get('firstColumn', message.get('lastColumn', '?'))}"
        path = Path(unquote(urlsplit(message.get("url", "")).path))
        errors[path].append(f"{where}: {message['message']}")
    return dict(errors)


# ------------------------------------------------------------ the browser


REPORT_VIOLATIONS = """document.addEventListener("securitypolicyviolation", (event) => {
    window.briefgenReportViolation(`${event.effectiveDirective} blocked ${event.blockedURI || "(inline)"}`
        + ` in ${event.sourceFile || event.documentURI}:${event.lineNumber}: ${event.sample}`);
});"""
"""Run in every page before its own scripts: each CSP violation is reported to the test."""


@dataclass
class Visit:
    """One page open in its own browser context, and every problem a reader's browser met on it."""

    url: str
    page: Page
    problems: list[str] = field(default_factory=list)


@contextmanager
def browse(
    browser: Browser,
    url: str,
    *,
    width: int = 1280,
    height: int = 1400,
    color_scheme: str = "light",
    expected_status: int = 200,
    settle: bool = False,
) -> Iterator[Visit]:
    """Open `url` in a fresh context; its Visit records console errors, uncaught exceptions,
    failed requests, HTTP errors, any request to a host other than 127.0.0.1 (which is
    refused, so that nothing leaves the machine), every dialog a script opened (alert(),
    confirm(), prompt(): the usual proof that injected script ran) and every violation of
    the page's Content-Security-Policy (what was blocked, and where).

    `settle` waits for the network to go quiet, so that late requests such as the
    page's icon are seen too.
    """
    context = browser.new_context(
        viewport={"width": width, "height": height},
        color_scheme=color_scheme,  # type: ignore[arg-type]
        service_workers="block",
    )
    page = context.new_page()
    visit = Visit(url, page)

    def route(route: Route, request: Request) -> None:
        if urlsplit(request.url).hostname == LOCAL_HOST:
            route.continue_()
        else:
            visit.problems.append(f"request to another host: {request.url}")
            route.abort("blockedbyclient")

    def on_console(message: Any) -> None:
        if message.type != "error":
            return
        # The browser logs the 404 page's own status as an error; that one is expected.
        if expected_status != 200 and message.location.get("url") == url and "404" in message.text:
            return
        visit.problems.append(f"console error: {message.text} ({message.location.get('url')})")

    def on_response(response: Any) -> None:
        if response.status >= 400 and not (response.url == url and response.status == expected_status):
            visit.problems.append(f"HTTP {response.status}: {response.url}")

    def on_request_failed(request: Any) -> None:
        # net::ERR_ABORTED is the browser cancelling a request of a page it leaves (a click on a result while
        # the favicon still loads, on a busy machine), not a failure: a missing file is an HTTP status above,
        # a blocked one a violation.
        if request.failure != "net::ERR_ABORTED":
            visit.problems.append(f"failed request: {request.url} ({request.failure})")

    def on_dialog(dialog: Any) -> None:
        visit.problems.append(f"a script opened a dialog: {dialog.type}({dialog.message!r})")
        dialog.dismiss()

    def on_violation(source: Any, report: str) -> None:
        visit.problems.append(f"Content-Security-Policy violation: {report}")

    context.expose_binding("briefgenReportViolation", on_violation)
    context.add_init_script(REPORT_VIOLATIONS)
    context.route("**/*", route)
    page.on("dialog", on_dialog)
    page.on("console", on_console)
    page.on("pageerror", lambda error: visit.problems.append(f"uncaught exception: {error}"))
    page.on("requestfailed", on_request_failed)
    page.on("response", on_response)
    try:
        response = page.goto(url, wait_until="load")
        status = response.status if response is not None else None
        if status != expected_status:
            visit.problems.append(f"{url}: HTTP {status}, expected {expected_status}")
        if settle:
            page.wait_for_load_state("networkidle")
        yield visit
    finally:
        context.close()


def horizontal_overflow(page: Page, width: int) -> list[str]:
    """At `width` CSS pixels, whether the page scrolls sideways, naming the widest elements."""
    page.set_viewport_size({"width": width, "height": 800})
    scroll_width, client_width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if scroll_width <= client_width:
        return []
    culprits = page.evaluate(
        """(limit) => [...document.body.querySelectorAll('*')]
            .filter(e => e.getBoundingClientRect().right > limit + 0.5)
            .slice(0, 5)
            .map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '')
                 + ' (right edge ' + Math.round(e.getBoundingClientRect().right) + 'px)')""",
        client_width,
    )
    return [f"at {width} px the page is {scroll_width} px wide: {', '.join(culprits)}"]


COLOUR_RULES = ("color-contrast", "link-in-text-block")
"""axe-core's rules that read the page's colours: what a change of colours alone can break."""


def axe_violations(page: Page, impacts: tuple[str, ...] = SERIOUS, rules: tuple[str, ...] | None = None) -> list[str]:
    """axe-core's violations of the given impacts on the page as it is now shown (of `rules` only, if given)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        # Evaluated by the test's side channel, which a page's Content-Security-Policy does not
        # govern: a <script> added to the page would be refused, and reported as a violation.
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    options: dict[str, object] = {"resultTypes": ["violations"]}
    if rules is not None:
        options["runOnly"] = {"type": "rule", "values": list(rules)}
    violations = page.evaluate(
        """async (options) => (await axe.run(document, options)).violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(' ') + (n.failureSummary ? ' [' + n.failureSummary + ']' : ''))
        }))""",
        options,
    )
    return [
        f"{v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])}x) e.g. {v['nodes'][0]}"
        for v in violations
        if v["impact"] in impacts
    ]


IN_VIEWPORT = """e => { const r = e.getBoundingClientRect();
    return r.bottom > 0 && r.top < window.innerHeight && r.right > 0 && r.left < window.innerWidth; }"""


def citation_round_trips(page: Page, limit: int | None = None) -> tuple[int, list[str]]:
    """Click each citation (the first `limit`): the address must become #fn:N with note N in
    view; then click the note's back link: back to the citation, in view. Returns (tried, problems)."""
    citations: list[list[str]] = page.locator("sup.citation a").evaluate_all(
        "anchors => anchors.map(a => [a.id, a.getAttribute('href')])"
    )
    problems: list[str] = []
    for citation_id, href in citations[:limit]:
        page.locator(f'[id="{citation_id}"]').click()
        problems += _arrived(page, href, f"citation {citation_id}")
        note = page.locator(f'[id="{href.removeprefix("#")}"]')
        back = note.locator(f'a[href="#{citation_id}"]')
        if note.count() != 1 or back.count() != 1:
            problems.append(f"note {href} has no link back to citation {citation_id}")
            continue
        back.click()
        problems += _arrived(page, f"#{citation_id}", f"the back link of note {href}")
    return len(citations[:limit]), problems


def _arrived(page: Page, fragment: str, clicked: str) -> list[str]:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: PLC0415 - playwright may be missing

    try:
        page.wait_for_function("(h) => location.hash === h", arg=fragment, timeout=3000)
    except PlaywrightTimeout:
        return [f"clicking {clicked} went to {page.evaluate('location.hash')!r}, not {fragment!r}"]
    target = page.locator(f'[id="{fragment.removeprefix("#")}"]')
    if target.count() != 1:
        return [f"clicking {clicked} went to {fragment}, which no element has as its id"]
    if not target.evaluate(IN_VIEWPORT):
        return [f"clicking {clicked} went to {fragment}, but it is not in view"]
    return []


def save_screenshot(page: Page, name: str) -> Path:
    """A screenshot of what is in view, kept as a test artifact under test-artifacts/."""
    path = ARTIFACTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    return path


# ------------------------------------------------------------ feeds and the sitemap


def feed_problems(feed_url: str, statuses: dict[str, int] | None = None) -> tuple[int, list[str]]:
    """A feed as a feed reader takes it: well-formed Atom, and every entry's link a page
    that answers 200. Returns (entries, problems).

    `statuses` keeps the answer to each address asked for, for the caller to share
    between the feeds of one site, where the same briefing is an entry of many."""
    # Over HTTP, taking the server's Content-Type as a reader does. Entries' HTML is not
    # sanitised nor its addresses resolved: that is a reader's own safety and cannot fail,
    # and on feeds of fifty whole reports it is three quarters of the parse.
    feed = feedparser.parse(feed_url, sanitize_html=False, resolve_relative_uris=False)
    if feed.get("status") != 200:
        return 0, [f"{feed_url}: HTTP {feed.get('status')}"]
    problems = []
    if feed.bozo:
        problems.append(f"{feed_url}: not a well-formed feed: {feed.get('bozo_exception')}")
    if feed.version != "atom10":
        problems.append(f"{feed_url}: read as {feed.version or 'nothing'!r}, not Atom 1.0")
    addresses = [link.href for link in feed.feed.get("links", [])]
    addresses += [entry.get("link", "") for entry in feed.entries]
    for address in addresses:
        problems += _resolves(urljoin(feed_url, address), f"{feed_url} links to", statuses)
    return len(feed.entries), problems


def sitemap_problems(sitemap_url: str) -> tuple[int, list[str]]:
    """A sitemap valid against the sitemaps.org 0.9 schema, each address a page that
    answers 200. Returns (addresses, problems)."""
    status, body, _ = fetch(sitemap_url)
    if status != 200:
        return 0, [f"{sitemap_url}: HTTP {status}"]
    schema = lxml.etree.XMLSchema(lxml.etree.parse(str(SITEMAP_XSD)))
    try:
        document = lxml.etree.fromstring(body)
    except lxml.etree.XMLSyntaxError as exc:
        return 0, [f"{sitemap_url}: not well-formed XML: {exc}"]
    problems = [f"{sitemap_url}:{error.line}: {error.message}" for error in _schema_errors(schema, document)]
    locations = document.xpath("//s:loc/text()", namespaces={"s": "http://www.sitemaps.org/schemas/sitemap/0.9"})
    for location in locations:
        problems += _resolves(str(location), f"{sitemap_url} lists")
    return len(locations), problems


def _schema_errors(schema: lxml.etree.XMLSchema, document: Any) -> list[Any]:
    return [] if schema.validate(document) else list(schema.error_log)


def _resolves(url: str, said: str, statuses: dict[str, int] | None = None) -> list[str]:
    if urlsplit(url).hostname != LOCAL_HOST:
        return [f"{said} {url!r}, not an address of this site"]
    statuses = {} if statuses is None else statuses
    if url not in statuses:
        statuses[url] = fetch(url)[0]
    status = statuses[url]
    if status != 200:
        return [f"{said} {url}: HTTP {status}"]
    return []
