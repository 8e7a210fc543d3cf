"""Test helpers for built sites: a real HTTP server under a sub-path, and a link crawler."""

from __future__ import annotations

import functools
import hashlib
import http.server
import shutil
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import lxml.html

from bench.corpus import write_corpus

REPO_ROOT = Path(__file__).resolve().parents[1]


def copy_example(to: Path) -> Path:
    """The example archive's own files (not its theme), as a fresh site root."""
    to.mkdir(parents=True, exist_ok=True)
    for name in ("briefgen.yaml", "sources.yaml", "places.yaml"):
        shutil.copy(REPO_ROOT / name, to / name)
    shutil.copytree(REPO_ROOT / "briefings", to / "briefings")
    return to


def snapshot(folder: Path) -> dict[str, str]:
    """Every file below `folder` by relative path, as a digest of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def make_corpus(out: Path, briefings: int, sources: int = 6, length: float = 1.0) -> Path:
    """A synthetic site root from the project's corpus generator (bench/corpus.py), written in this process."""
    return write_corpus(out, briefings, sources, length=length)


class _SubPathHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a built site as GitHub Pages does: under a sub-path, with its 404.html for a missing page."""

    prefix = "/"

    def translate_path(self, path: str) -> str:
        path = urlsplit(path).path
        if not path.startswith(self.prefix):
            # A file that cannot exist, so the request gets a plain 404 (such as a
            # browser's /favicon.ico, which a site under a sub-path does not own).
            return str(Path(self.directory) / ".outside-the-sub-path" / "none")
        return super().translate_path("/" + path[len(self.prefix) :])

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not urlsplit(self.path).path.startswith(self.prefix) or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404, message)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean


@contextmanager
def serve(directory: Path, prefix: str = "/") -> Iterator[str]:
    """Serve `directory` over HTTP on localhost under `prefix`; yields the site's address."""
    handler = type("Handler", (_SubPathHandler,), {"prefix": prefix})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


def fetch(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), response.headers.get_content_type()
    except urllib.error.HTTPError as exc:
        return exc.code, b"", ""


def element_ids(html: bytes) -> set[str]:
    return set(lxml.html.fromstring(html).xpath("//@id"))


def links_of(html: bytes, page_url: str) -> list[str]:
    """Every address a page refers to (links, images, stylesheets), made absolute."""
    tree = lxml.html.fromstring(html)
    found = [str(v) for v in tree.xpath("//a/@href | //link/@href | //img/@src | //script/@src")]
    return [urljoin(page_url, value) for value in found]


@functools.lru_cache(maxsize=4096)
def _ids_at(url: str) -> frozenset[str]:
    status, body, kind = fetch(url)
    return frozenset(element_ids(body)) if status == 200 and kind == "text/html" else frozenset()


def crawl(start: str) -> tuple[set[str], list[str]]:
    """Follow every internal link from `start`: (pages visited, broken links as 'page -> link')."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(start))
    seen: set[str] = set()
    broken: list[str] = []
    queue = [start]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        status, body, kind = fetch(url)
        if status != 200:
            broken.append(f"{url}: HTTP {status}")
            continue
        if kind != "text/html":
            continue
        for link in links_of(body, url):
            if not link.startswith(origin):
                continue
            target, fragment = urldefrag(link)
            if fragment and unquote(fragment) not in _ids_at(target):
                broken.append(f"{url} -> {link}: no element with id {unquote(fragment)!r}")
            if target not in seen:
                queue.append(target)
    return seen, broken
