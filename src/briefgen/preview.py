"""The preview server's HTTP side: the last good build served on this computer, with what serving adds.

What serving adds lives only in the HTTP responses: before `</body>` of every
HTML page, a small script that asks this server four times a second whether the
site was rebuilt and reloads the page when it was, and, after a change that did
not build, a banner listing its `path:line: message` problems. serve.py builds,
watches and rebuilds, and tells this server what to serve (a SiteState).

The script and the banner's style are files this server answers for
(`__briefgen__/` under the base path), never inline, so that the pages'
Content-Security-Policy lets them in; the values they need are in data-
attributes, escaped as any attribute is. Only this computer is answered: the
server listens on 127.0.0.1, and answers only requests addressed to it by that
name or `localhost` (a page elsewhere cannot reach it by DNS rebinding); a
silent connection is dropped after IDLE_TIMEOUT seconds, and there are at most
MAX_CONNECTIONS at once.
"""

from __future__ import annotations

import dataclasses
import errno
import functools
import html
import http.server
import json
import mimetypes
import sys
import threading
from importlib.resources import files
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, unquote, urlsplit

from briefgen.errors import BriefgenError

HOST = "127.0.0.1"
"""Only this computer: a preview is not a publication."""
OWN_PATH = "__briefgen__/"
"""Under the base path: what this server adds, which the built site never has."""
STATE_PATH = OWN_PATH + "state"
"""The JSON the reload script polls."""
RELOAD_SCRIPT_PATH = OWN_PATH + "reload.js"
BANNER_STYLE_PATH = OWN_PATH + "serve.css"
OWN_FILES = {
    RELOAD_SCRIPT_PATH: ("reload.js", "text/javascript; charset=utf-8"),
    BANNER_STYLE_PATH: ("serve.css", "text/css; charset=utf-8"),
}
"""Path under the base path -> (file in the package's serve_files/, its Content-Type)."""
POLL_MS = 250
LOCAL_NAMES = ("127.0.0.1", "localhost", "[::1]")
"""The names a request may address this server by (the Host header, with the port)."""
IDLE_TIMEOUT = 10.0
"""Seconds a connection may stay silent before it is closed, freeing its thread."""
MAX_CONNECTIONS = 64
"""Connections answered at once; more are closed at once (a browser opens six)."""
INJECTED_START = b"<!-- briefgen serve: added while serving, not in the built site -->"
INJECTED_END = b"<!-- /briefgen serve -->"
BANNER_ID = "briefgen-serve-problems"
TEXT_TYPES = ("text/", "application/xml", "application/atom+xml", "application/javascript", "image/svg+xml")


class ServeError(BriefgenError):
    """The preview server cannot start."""


@dataclasses.dataclass(frozen=True, slots=True)
class SiteState:
    """What the server is serving: the last good build, and the problems of the newest attempt."""

    version: str
    """Changes on every build attempt, good or bad; open pages reload when it does."""
    base_path: str
    """The path part of base_url, e.g. '/archive/'."""
    problems: tuple[str, ...] = ()
    """The newest build's errors, as path:line: message; empty when it succeeded."""
    folder: Path | None = None
    """The last good build; None until a first build succeeds."""

    @property
    def has_site(self) -> bool:
        return self.folder is not None


class ServedSite(Protocol):
    """What the server serves from: serve.LiveSite, which builds the site and keeps its state."""

    @property
    def state(self) -> SiteState: ...


def injected_html(state: SiteState) -> bytes:
    """The reload script, and the problems banner when the newest build failed.

    Nothing here is inline code: the script and the style are files of this server,
    and every value (base_url's path above all, which may hold anything) is an
    attribute value or text, escaped for HTML.
    """
    parts = []
    if state.problems:
        heading = (
            "This change did not build; the page shows the last good version."
            if state.has_site
            else "The site did not build."
        )
        lines = "\n".join(html.escape(p) for p in state.problems)
        parts += [
            f'<link rel="stylesheet" href="{_attribute(state.base_path + BANNER_STYLE_PATH)}">',
            f'<div id="{BANNER_ID}" role="alert"><strong>briefgen: {html.escape(heading)}</strong>\n{lines}</div>',
        ]
    parts.append(
        f'<script src="{_attribute(state.base_path + RELOAD_SCRIPT_PATH)}" '
        f'data-state="{_attribute(state.base_path + STATE_PATH)}" '
        f'data-version="{_attribute(state.version)}" data-every="{POLL_MS}"></script>'
    )
    return INJECTED_START + "".join(parts).encode("utf-8") + INJECTED_END


def _attribute(value: str) -> str:
    return html.escape(value, quote=True)


@functools.cache
def own_file(name: str) -> bytes:
    """One of the files this server adds (serve_files/ in the package)."""
    return files("briefgen").joinpath("serve_files", name).read_bytes()


def inject(page: bytes, state: SiteState) -> bytes:
    """`page` with the serve-time additions before its last </body> (or at its end)."""
    snippet = injected_html(state)
    at = page.lower().rfind(b"</body>")
    return page + snippet if at == -1 else page[:at] + snippet + page[at:]


class PreviewHandler(http.server.BaseHTTPRequestHandler):
    """Serves the built site under its base path, adding the serve-time HTML."""

    server: PreviewServer
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        pass  # a request log would drown the build messages

    def _respond(self, *, send_body: bool) -> None:
        if not self._addressed_to_this_computer():
            # Another name for 127.0.0.1 is a page elsewhere reaching in by DNS rebinding.
            allowed = " or ".join(f"{name}:{self.server.server_address[1]}" for name in LOCAL_NAMES[:2])
            body = f"briefgen serve answers only requests to {allowed}\n".encode()
            self._send(421, "text/plain; charset=utf-8", body, send_body)
            return
        state = self.server.live.state
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        if not path.startswith(state.base_path):
            if path in {"/", "/index.html", state.base_path.rstrip("/")}:
                self._redirect(state.base_path)
            else:
                self._not_found(state, send_body)
            return
        relative = path[len(state.base_path) :]
        if relative.startswith(OWN_PATH):
            self._send_own(relative, state, send_body)
            return
        if state.folder is None:
            self._send(503, "text/html; charset=utf-8", inject(self._waiting_page(), state), send_body)
            return
        segments = [s for s in relative.split("/") if s]
        file = self._file_for(state.folder, segments)
        if file is None:
            self._not_found(state, send_body)
        elif file.is_dir():
            if not path.endswith("/"):
                # Built from the segments, never from the path as asked: '/%2Fbriefings' would
                # otherwise send the browser to '//briefings/', a host of that name.
                folder = state.base_path + "".join(f"{segment}/" for segment in segments)
                self._redirect(folder, parts.query)
            elif (file / "index.html").is_file():
                self._send_file(file / "index.html", state, send_body)
            else:
                self._not_found(state, send_body)
        else:
            self._send_file(file, state, send_body)

    def _send_own(self, relative: str, state: SiteState, send_body: bool) -> None:
        """What this server adds under OWN_PATH: the state the reload script polls, and its files."""
        if relative == STATE_PATH:
            body = json.dumps({"version": state.version, "problems": list(state.problems)}).encode("utf-8")
            self._send(200, "application/json", body, send_body)
        elif relative in OWN_FILES:
            name, kind = OWN_FILES[relative]
            self._send(200, kind, own_file(name), send_body)
        else:
            self._not_found(state, send_body)

    def _addressed_to_this_computer(self) -> bool:
        host = (self.headers.get("Host") or "").strip().lower()
        port = self.server.server_address[1]
        return any(host in {f"{name}:{port}", *([name] if port == 80 else [])} for name in LOCAL_NAMES)

    @staticmethod
    def _file_for(folder: Path, segments: list[str]) -> Path | None:
        """The file or folder of the built site at the path made of `segments`, never outside it."""
        if any(s in {".", ".."} or "\\" in s or "\x00" in s for s in segments):
            return None
        target = folder.joinpath(*segments)
        try:
            return target if target.exists() else None
        except OSError:  # a name too long for the file system (ENAMETOOLONG), say: no such page
            return None

    def _send_file(self, file: Path, state: SiteState, send_body: bool, status: int = 200) -> None:
        try:
            content = file.read_bytes()
        except OSError:  # replaced by a rebuild between the check and the read
            self._send(503, "text/plain; charset=utf-8", b"rebuilding; reload the page\n", send_body)
            return
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if kind == "text/html":
            content = inject(content, state)
        if kind.startswith(TEXT_TYPES):
            kind += "; charset=utf-8"
        self._send(status, kind, content, send_body)

    def _not_found(self, state: SiteState, send_body: bool) -> None:
        page = state.folder / "404.html" if state.folder is not None else None
        if page is not None and page.is_file():
            self._send_file(page, state, send_body, status=404)
            return
        body = inject(
            f"<!doctype html><title>Not found</title><body><p>Nothing here. The site is served at "
            f'<a href="{html.escape(state.base_path)}">{html.escape(state.base_path)}</a>.</p></body>'.encode(),
            state,
        )
        self._send(404, "text/html; charset=utf-8", body, send_body)

    @staticmethod
    def _waiting_page() -> bytes:
        return (
            b"<!doctype html><meta charset=utf-8><title>briefgen serve</title><body>"
            b"<p>The site has not built yet; this page reloads by itself once it does.</p></body>"
        )

    def _redirect(self, path: str, query: str = "") -> None:
        """Redirect to a path of this server (unquoted; `query` as it came): never to '//...',
        which a browser reads as another host."""
        location = "/" + quote(path).lstrip("/") + (f"?{query}" if query else "")
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: int, kind: str, body: bytes, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if send_body:
            self.wfile.write(body)


class PreviewServer(http.server.ThreadingHTTPServer):
    """A thread per connection, at most MAX_CONNECTIONS of them; one more is closed unanswered."""

    daemon_threads = True

    def __init__(self, port: int, live: ServedSite) -> None:
        self.live = live
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        super().__init__((HOST, port), PreviewHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return  # a browser that went away mid-answer, or a silent connection: nothing to report
        super().handle_error(request, client_address)


def open_server(port: int, live: ServedSite) -> PreviewServer:
    """Listen on 127.0.0.1:port, or say clearly why not."""
    try:
        return PreviewServer(port, live)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ServeError(
                f"port {port} is already in use on {HOST} (another 'briefgen serve'?): "
                f"stop that server or choose another port with --port"
            ) from exc
        if exc.errno == errno.EACCES:
            raise ServeError(f"not allowed to listen on port {port}: choose one above 1023 with --port") from exc
        raise ServeError(f"cannot listen on {HOST}:{port}: {exc.strerror}") from exc
