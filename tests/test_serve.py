"""`briefgen serve` as an editor runs it: a real process, real HTTP, real edits on disk.

Every wait polls with a deadline; none is a fixed sleep.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import pytest
import watchfiles

from briefgen import preview
from briefgen.build import build_site
from briefgen.preview import (
    BANNER_ID,
    INJECTED_END,
    INJECTED_START,
    STATE_PATH,
    PreviewHandler,
    PreviewServer,
    SiteState,
    inject,
    open_server,
)
from briefgen.serve import LiveSite, _TopLevelFilter

REPO_ROOT = Path(__file__).resolve().parents[1]
BASE_URL = "https://example.org/conflict-archive/"
ISW_FILE = "briefings/2025/06/26/isw-north-korean-troops.md"
ISW_PAGE = "briefings/2025/06/26/isw-north-korean-troops/"
ISW_TITLE = "Russia weighs deploying North Korean troops in Ukraine"
DEADLINE = 15.0


def copy_example(to: Path) -> Path:
    """The example archive, published under a sub-path."""
    to.mkdir()
    shutil.copytree(REPO_ROOT / "briefings", to / "briefings")
    shutil.copy(REPO_ROOT / "sources.yaml", to / "sources.yaml")
    settings = (REPO_ROOT / "briefgen.yaml").read_text(encoding="utf-8")
    (to / "briefgen.yaml").write_text(re.sub(r"(?m)^base_url:.*$", f"base_url: {BASE_URL}", settings), "utf-8")
    return to


def wait_for(what: str, check: Callable[[], object], deadline: float = DEADLINE) -> object:
    """Poll `check` until it returns something true; fail naming `what` after `deadline` seconds."""
    end = time.monotonic() + deadline
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > end:
            pytest.fail(f"timed out after {deadline:.0f} s waiting for {what}")
        time.sleep(0.05)


def get(url: str) -> tuple[int, str, str]:
    """(status, final URL after redirects, body)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.url, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, url, exc.read().decode("utf-8")


def page_when(url: str, ready: Callable[[str], object]) -> Callable[[], str | None]:
    """For wait_for: the page at `url` once `ready(page)` is true, else None."""

    def check() -> str | None:
        page = get(url)[2]
        return page if ready(page) else None

    return check


def without_injection(html: str) -> str:
    start, end = html.find(INJECTED_START.decode()), html.find(INJECTED_END.decode())
    assert 0 <= start < end, "no serve-time snippet in the page"
    return html[:start] + html[end + len(INJECTED_END) :]


def banner_text(html: str) -> str | None:
    found = lxml.html.fromstring(html).xpath(f'//*[@id="{BANNER_ID}"]')
    return found[0].text_content() if found else None


def title_of(html: str) -> str:
    return str(lxml.html.fromstring(html).findtext(".//h1")).strip()


def reload_script(html: str) -> lxml.html.HtmlElement:
    """The one script serve adds: a file of its own, its values in data- attributes."""
    (script,) = lxml.html.fromstring(html).xpath("//script[@data-version]")
    return script


def seen_version(html: str) -> str:
    return str(reload_script(html).get("data-version"))


def state_version(server: Server) -> str:
    """The version the reload script polls for."""
    return str(json.loads(get(server.address + STATE_PATH)[2])["version"])


@dataclass
class Server:
    """A running `briefgen serve` and everything it printed so far."""

    process: subprocess.Popen[str]
    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)
    address: str = ""

    def read(self, stream: object, lines: list[str]) -> None:
        for line in stream:  # type: ignore[attr-defined]
            lines.append(line.rstrip("\n"))

    def printed(self, pattern: str, where: str = "err") -> str | None:
        lines = self.err if where == "err" else self.out
        return next((line for line in list(lines) if re.search(pattern, line)), None)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            self.process.kill()
            pytest.fail("briefgen serve did not stop within 15 s of Ctrl-C")


def start_serve(root: Path, *options: str) -> Server:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "briefgen", "serve", "--root", str(root), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=root,
    )
    server = Server(process)
    for stream, lines in ((process.stdout, server.out), (process.stderr, server.err)):
        threading.Thread(target=server.read, args=(stream, lines), daemon=True).start()
    return server


@pytest.fixture
def serving(tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    root = copy_example(tmp_path / "root")
    server = start_serve(root, "--port", "0")
    try:
        line = wait_for(
            "the 'serving' line", lambda: server.printed(r"^serving http://", "out") or server.process.poll()
        )
        assert isinstance(line, str), f"serve exited early: {server.err}"
        server.address = line.split()[1]
        yield server, root
    finally:
        server.stop()


def test_serves_the_built_site_under_its_base_path(serving: tuple[Server, Path], tmp_path: Path) -> None:
    server, root = serving
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/conflict-archive/", server.address)
    origin = server.address.removesuffix("conflict-archive/")

    status, final, home = get(origin)
    assert (status, final) == (200, server.address)  # the bare host sends a browser to the site
    assert home.count(INJECTED_START.decode()) == 1

    built = build_site(root, output=tmp_path / "built").output  # serve has search, as the built site
    status, _, page = get(server.address + ISW_PAGE)
    assert status == 200
    assert without_injection(page) == (built / ISW_PAGE / "index.html").read_text(encoding="utf-8")
    with urllib.request.urlopen(server.address + "assets/briefgen.css", timeout=10) as response:
        assert response.read() == (built / "assets/briefgen.css").read_bytes()

    assert get(server.address + "briefings/1999/")[0] == 404
    assert get(server.address + "../../etc/passwd")[0] == 404
    assert get(origin + "briefings/")[0] == 404  # outside the base path
    assert not (root / "site").exists()  # the editor's own site/ is never touched


def test_edits_appear_and_broken_edits_keep_the_last_good_page(serving: tuple[Server, Path]) -> None:
    server, root = serving
    page_url = server.address + ISW_PAGE
    briefing = root / ISW_FILE
    original = briefing.read_text(encoding="utf-8")
    first = get(page_url)[2]
    assert title_of(first) == ISW_TITLE

    started = time.monotonic()
    briefing.write_text(original.replace(f"title: {ISW_TITLE}", "title: Edited while serving"), encoding="utf-8")
    edited = wait_for("the edited title", page_when(page_url, lambda page: "Edited while serving" in page))
    print(f"edit visible over HTTP after {time.monotonic() - started:.2f} s")  # shown with pytest -s
    assert isinstance(edited, str)
    assert banner_text(edited) is None
    # The reload script compares the version it was served with to the state endpoint's: once the
    # state has moved on from the first page's, pages are served with the new one.
    version = wait_for("a new version", lambda: state_version(server) != seen_version(first) and state_version(server))
    assert seen_version(get(page_url)[2]) == version
    assert server.printed(r"isw-north-korean-troops\.md changed: built 3 briefing\(s\), \d+ of \d+ pages", "out")

    briefing.write_text(original.replace("takeaways:", "takaways:"), encoding="utf-8")
    broken = wait_for("the problems banner", page_when(page_url, banner_text))
    assert isinstance(broken, str)
    line = original.splitlines().index("takeaways:") + 1  # the misspelt key's own line
    message = f"{ISW_FILE}:{line}: unknown key 'takaways' (did you mean 'takeaways'?)"
    assert message in str(banner_text(broken))
    assert title_of(broken) == "Edited while serving"  # the last good page
    wait_for("the problem in the terminal", lambda: server.printed(re.escape(message)))
    assert server.printed(r"build failed: 1 error\(s\); still serving the last good site")
    assert banner_text(get(server.address)[2]), "every page shows the banner"

    briefing.write_text(original, encoding="utf-8")
    wait_for("the fixed page", page_when(page_url, lambda page: title_of(page) == ISW_TITLE and not banner_text(page)))

    assert server.stop() == 0
    assert server.out[-1] == "stopped serving"
    assert not server.printed("Traceback")


def test_a_site_that_does_not_build_at_first_is_served_once_fixed(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "root")
    briefing = root / ISW_FILE
    original = briefing.read_text(encoding="utf-8")
    briefing.write_text(original.replace("date: 2025-06-26", "date: 2025-06-31"), encoding="utf-8")
    server = start_serve(root, "--port", "0")
    try:
        line = wait_for("the 'serving' line", lambda: server.printed(r"^serving http://", "out"))
        address = str(line).split()[1]
        assert server.printed(rf"{re.escape(ISW_FILE)}:3: ")
        assert server.printed(r"build failed: .*nothing to serve yet")
        status, _, waiting = get(address + ISW_PAGE)
        assert status == 503
        assert f"{ISW_FILE}:3:" in str(banner_text(waiting))

        briefing.write_text(original, encoding="utf-8")
        wait_for("the page once fixed", lambda: get(address + ISW_PAGE)[0] == 200)
    finally:
        assert server.stop() == 0


def test_a_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "root")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "briefgen", "serve", "--root", str(root), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"briefgen: port {port} is already in use on 127.0.0.1 (another 'briefgen serve'?): "
        "stop that server or choose another port with --port\n"
    )


@pytest.mark.parametrize(
    ("page", "expected_end"),
    [
        (b"<html><body><p>x</p></body>\n</html>\n", b"</body>\n</html>\n"),
        (b"<p>x</p></BODY>", b"</BODY>"),
        (b"<p>no body end</p>", INJECTED_END),
    ],
)
def test_the_snippet_goes_before_the_end_of_the_body(page: bytes, expected_end: bytes) -> None:
    state = SiteState(version="v-1", base_path="/archive/", problems=("a.md:1: <bad> & worse",), folder=Path("/x"))
    served = inject(page, state)
    assert served.endswith(expected_end)
    assert served.count(INJECTED_START) == 1
    assert b"a.md:1: &lt;bad&gt; &amp; worse" in served
    script = reload_script(served.decode())
    assert script.get("src") == "/archive/__briefgen__/reload.js"
    assert script.get("data-state") == "/archive/__briefgen__/state"


# ------------------------------------------------------------ hostile requests and names


def test_a_base_url_made_of_markup_stays_in_attribute_values() -> None:
    base = "/x</script><script>alert(document.domain)</script>/"
    problem = "a.md:1: </div><script>alert(1)</script><img src=x onerror=alert(2)>"
    state = SiteState(version='v"1</script>', base_path=base, problems=(problem,), folder=Path("/x"))
    tree = lxml.html.fromstring(inject(b"<html><body><p>x</p></body></html>", state).decode())
    (script,) = tree.xpath("//script")
    assert not (script.text or "").strip(), "no inline script: the site's Content-Security-Policy refuses one"
    assert script.get("src") == base + "__briefgen__/reload.js"
    assert (script.get("data-state"), script.get("data-version")) == (base + "__briefgen__/state", 'v"1</script>')
    assert tree.xpath("//link[@rel='stylesheet']/@href") == [base + "__briefgen__/serve.css"]
    assert problem in str(banner_text(lxml.html.tostring(tree, encoding="unicode")))
    assert not tree.xpath("//img | //@style | //@*[starts-with(name(), 'on')]")


def request(address: str, path: str, host: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """One GET on a connection of its own, with the Host header given (or http.client's)."""
    parts = urlsplit(address)
    connection = http.client.HTTPConnection(str(parts.hostname), parts.port, timeout=10)
    try:
        connection.request("GET", path, headers={} if host is None else {"Host": host})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_serve_answers_only_requests_addressed_to_this_computer(serving: tuple[Server, Path]) -> None:
    server, _ = serving
    port = urlsplit(server.address).port
    assert port is not None
    answered = [f"127.0.0.1:{port}", f"localhost:{port}", f"LocalHost:{port}"]
    # DNS rebinding: another site's name, now resolving to 127.0.0.1, in the Host header.
    refused = ["attacker.example", f"attacker.example:{port}", f"localhost.attacker.example:{port}"]
    refused += [f"127.0.0.1.nip.io:{port}", f"localhost:{port + 1}", "localhost", ""]
    for path in ("/conflict-archive/", "/conflict-archive/" + STATE_PATH, "/conflict-archive/assets/briefgen.css"):
        for host in answered:
            assert request(server.address, path, host)[0] == 200, (path, host)
        for host in refused:
            status, _, body = request(server.address, path, host)
            assert status == 421, (path, host)
            assert b"version" not in body and b"<" not in body


def test_a_name_too_long_for_the_file_system_is_not_found(serving: tuple[Server, Path]) -> None:
    server, _ = serving
    parts = urlsplit(server.address)
    connection = http.client.HTTPConnection(str(parts.hostname), parts.port, timeout=10)
    try:
        for path in ("a" * 300, "briefings/" + "%C3%A9" * 200 + "/", "/".join(["b" * 255] * 20)):
            connection.request("GET", parts.path + path)
            response = connection.getresponse()
            response.read()
            assert response.status == 404, path
        connection.request("GET", parts.path)  # the same connection, still answered
        assert connection.getresponse().status == 200
    finally:
        connection.close()
    assert not server.printed("Traceback")


def test_names_printed_cannot_rewrite_the_terminal(serving: tuple[Server, Path]) -> None:
    server, root = serving
    name = "evil\x1b]0;PWNED\x07\x1b[2J.md"
    (root / "briefings" / "2025" / "06" / "26" / name).write_text("Not a briefing.\n", encoding="utf-8")
    line = wait_for("the 'changed' line", lambda: server.printed(" changed: ") or server.printed(" changed: ", "out"))
    assert "evil\\x1b]0;PWNED\\x07\\x1b[2J.md changed: " in str(line)
    everything = server.out + server.err
    assert not [printed for printed in everything if re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", printed)]


@contextlib.contextmanager
def serving_here(root: Path, output: Path) -> Iterator[tuple[PreviewServer, str]]:
    """`briefgen serve`'s server in this process, over real sockets, after one build of `root`."""
    live = LiveSite(root, output, include_drafts=False, out=io.StringIO(), err=io.StringIO())
    assert live.rebuild()
    server = open_server(0, live)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("base_url", ["/", "/conflict-archive/"])
def test_a_folder_asked_without_its_slash_is_redirected_on_this_host(tmp_path: Path, base_url: str) -> None:
    root = copy_example(tmp_path / "root")
    settings = (root / "briefgen.yaml").read_text(encoding="utf-8")
    (root / "briefgen.yaml").write_text(re.sub(r"(?m)^base_url:.*$", f"base_url: {base_url}", settings), "utf-8")
    with serving_here(root, tmp_path / "out" / "site") as (_, origin):
        for asked in ("%2Fbriefings", "%2F%2Fbriefings", "/briefings", "briefings", "%2F%2Fbriefings%2F2025"):
            status, headers, _ = request(origin, base_url + asked)
            expected = base_url + ("briefings/2025/" if asked.endswith("2025") else "briefings/")
            assert (status, headers.get("Location")) == (302, expected), asked
        status, headers, _ = request(origin, base_url + "briefings?q=a%20b")
        assert headers.get("Location") == base_url + "briefings/?q=a%20b"


def test_silent_connections_are_few_and_dropped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(preview, "MAX_CONNECTIONS", 8)
    monkeypatch.setattr(PreviewHandler, "timeout", 6.0)
    root = copy_example(tmp_path / "root")
    with serving_here(root, tmp_path / "out" / "site") as (server, origin):
        threads = threading.active_count()
        silent = [socket.create_connection(("127.0.0.1", server.server_address[1])) for _ in range(20)]
        try:
            # Those beyond 8 are closed as soon as they are accepted; the 8 stay open, each with its thread,
            # until they have been silent for the (shortened) timeout.
            wait_for("the connections beyond 8 closed", lambda: sum(map(closed, silent)) >= 12, deadline=4)
            assert sum(map(closed, silent)) == 12
            assert threading.active_count() - threads <= 8
            wait_for("the 8 silent ones dropped", lambda: all(map(closed, silent)))
            assert request(origin, "/conflict-archive/")[0] == 200
        finally:
            for connection in silent:
                connection.close()


def closed(connection: socket.socket) -> bool:
    """Whether the other end closed `connection` (without waiting)."""
    try:
        return connection.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def test_serve_serves_its_own_script_and_style(serving: tuple[Server, Path]) -> None:
    server, _ = serving
    for name, kind in (("reload.js", "text/javascript"), ("serve.css", "text/css")):
        status, headers, body = request(server.address, urlsplit(server.address).path + "__briefgen__/" + name)
        assert (status, headers["Content-Type"]) == (200, f"{kind}; charset=utf-8")
        assert body == (REPO_ROOT / "src" / "briefgen" / "serve_files" / name).read_bytes()


@pytest.mark.parametrize(
    ("name", "watched"),
    [("places.yaml", True), ("authors.yml", True), ("sources.yaml", True), ("notes.txt", False), (".x.yaml", False)],
)
def test_the_registries_beside_the_settings_are_watched(tmp_path: Path, name: str, watched: bool) -> None:
    # Editing places.yaml while serving rebuilds the places' pages, as editing sources.yaml does the sources'.
    assert _TopLevelFilter()(watchfiles.Change.modified, str(tmp_path / name)) is watched
