"""`briefgen serve`: build, serve on this computer, rebuild on every change, reload the page.

The site is built into a temporary folder, never into the site root's site/,
exactly as `briefgen build` builds it, and with the same build cache, so a
rebuild renders only the pages a change touched. A build that fails leaves the
last good site in place, so the page keeps showing it, with a banner of its
problems. preview.py answers the browser: the last good build, with the reload
script and the banner added to its pages (LiveSite.state says what to serve);
this module builds, watches what the site is made from, and builds again.
Every name it prints has its control characters escaped, as problems are.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import secrets
import signal
import sys
import tempfile
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import TextIO
from urllib.parse import urlsplit

import watchfiles

from briefgen.build import OUTPUT_DIR, STATIC_DIR, TEMPLATES_DIR, build_site
from briefgen.config import SETTINGS_FILE, SOURCES_FILE, read_settings
from briefgen.errors import ArchiveError, BriefgenError, Problem, printable, summarised
from briefgen.load import BRIEFINGS_DIR, check_site_root
from briefgen.preview import HOST, SiteState, open_server

WATCHED_DIRS = (BRIEFINGS_DIR, TEMPLATES_DIR, STATIC_DIR)
WATCHED_FILES = (SETTINGS_FILE, SOURCES_FILE)
REGISTRY_SUFFIXES = (".yaml", ".yml")
"""A taxonomy's registry is any YAML file beside briefgen.yaml (places.yaml, the gazetteer, by default):
which ones, the settings say, and they may change while serving; a stray YAML file costs a rebuild."""


class LiveSite:
    """Builds the site into `output` on request, and tells the server what to serve."""

    def __init__(
        self, root: Path, output: Path, *, include_drafts: bool, out: TextIO, err: TextIO, search: bool = True
    ) -> None:
        self.root = root
        self.output = output
        self.include_drafts = include_drafts
        # On by default, as readers get it: a rebuild feeds Pagefind only the edited briefing, and
        # the index kept from the last build in this process is updated in place (search.py).
        self.search = search
        self.out, self.err = out, err
        self._instance = secrets.token_hex(4)
        self._attempts = 0
        self._lock = threading.Lock()
        self._state = SiteState(version=self._instance + "-0", base_path=self._base_path())

    @property
    def state(self) -> SiteState:
        with self._lock:
            return self._state

    def _base_path(self) -> str:
        settings = read_settings(self.root, [])
        return urlsplit(settings.base_url).path or "/"

    def rebuild(self, reason: str = "") -> bool:
        """Build once; print the outcome; True when the build succeeded."""
        problems: tuple[Problem, ...] = ()
        failure: list[str] = []
        errors = 0
        try:
            report = build_site(self.root, output=self.output, include_drafts=self.include_drafts, search=self.search)
        except ArchiveError as exc:
            problems, failure = exc.problems, [str(p) for p in summarised(exc.errors)]
            errors = len(exc.errors)  # failure counts only a few of each kind
        except BriefgenError as exc:
            failure = [str(exc)]
        except Exception as exc:  # a bug must not stop the preview: report it and keep serving
            traceback.print_exc(file=self.err)
            failure = [f"briefgen failed unexpectedly: {exc!r}"]
        self._attempts += 1
        with self._lock:
            previous = self._state
            version = f"{self._instance}-{self._attempts}"
            if failure:
                self._state = dataclasses.replace(previous, version=version, problems=tuple(failure))
            else:
                # The new site is in place before its version is announced: a page may be served new
                # with the old version (and reload once more), never old with the new one.
                self._state = SiteState(version=version, base_path=self._base_path(), folder=self.output)
        stamp = f"[{dt.datetime.now():%H:%M:%S}]"
        if failure:
            for line in [str(p) for p in summarised(problems)] or failure:
                say(line, self.err)
            kept = "still serving the last good site" if previous.has_site else "nothing to serve yet"
            say(f"{stamp} {reason}build failed: {errors or len(failure)} error(s); {kept}", self.err)
            return False
        for warning in summarised(report.warnings):
            say(str(warning), self.err)
        say(
            f"{stamp} {reason}built {report.briefings} briefing(s), {report.rendered} of {report.pages} pages "
            f"rendered anew, in {report.seconds:.2f} s",
            self.out,
        )
        if self._state.base_path != previous.base_path and previous.has_site:
            say(f"the site moved to {self._state.base_path} (base_url changed)", self.out)
        return True


def say(line: str, stream: TextIO) -> None:
    """Print a line to the editor's terminal with its control characters escaped: a file
    named with an escape sequence must not rewrite the terminal."""
    print(printable(line), file=stream, flush=True)


class _Either:
    """Set when either event is: stops a watcher on quit or on restart."""

    def __init__(self, first: threading.Event, second: threading.Event) -> None:
        self.first, self.second = first, second

    def is_set(self) -> bool:
        return self.first.is_set() or self.second.is_set()


class _TopLevelFilter(watchfiles.DefaultFilter):
    """At the site root, only the files and folders the site is built from."""

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        name = Path(path).name
        registry = name.endswith(REGISTRY_SUFFIXES) and not name.startswith(".")
        return (registry or name in (*WATCHED_FILES, *WATCHED_DIRS)) and super().__call__(change, path)


class SourceWatcher:
    """Watches what the site is built from and collects the changed paths.

    Two watchers, because watching the whole site root recursively would also
    watch site/, .git/ and any virtual environment there: one watches the root
    itself (not its sub-folders) for briefgen.yaml, sources.yaml, the
    registries (places.yaml...) and the source folders coming and going; the other watches inside the source
    folders that exist, and starts again when one appears or disappears.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.stop = threading.Event()
        self.changed = threading.Event()
        self._restart = threading.Event()
        self._lock = threading.Lock()
        self._changes: dict[str, set[watchfiles.Change]] = {}
        self._threads = [
            threading.Thread(target=target, daemon=True, name=f"briefgen-{target.__name__}")
            for target in (self._watch_root, self._watch_folders)
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def close(self) -> None:
        self.stop.set()
        for thread in self._threads:
            if thread.is_alive():
                thread.join(timeout=2)

    def take_changes(self) -> list[str]:
        """The paths changed since the last call, relative to the root; an editor's short-lived temporary
        files (written, then renamed or deleted) are left out."""
        with self._lock:
            changes, self._changes = self._changes, {}
            self.changed.clear()
        return sorted(
            path
            for path, kinds in changes.items()
            if watchfiles.Change.added not in kinds or (self.root / path).exists()
        )

    def _record(self, changes: set[tuple[watchfiles.Change, str]]) -> None:
        with self._lock:
            for kind, path in changes:
                with contextlib.suppress(ValueError):
                    self._changes.setdefault(Path(path).relative_to(self.root).as_posix(), set()).add(kind)
            self.changed.set()

    def _watch_root(self) -> None:
        for changes in watchfiles.watch(
            self.root, watch_filter=_TopLevelFilter(), recursive=False, stop_event=self.stop, raise_interrupt=False
        ):
            if any(Path(path).name in WATCHED_DIRS for _, path in changes):
                self._restart.set()
            self._record(changes)

    def _watch_folders(self) -> None:
        while not self.stop.is_set():
            self._restart.clear()
            folders = [self.root / name for name in WATCHED_DIRS if (self.root / name).is_dir()]
            if not folders:
                self._restart.wait(0.5)
                continue
            with contextlib.suppress(FileNotFoundError, OSError):
                for changes in watchfiles.watch(
                    *folders, stop_event=_Either(self.stop, self._restart), raise_interrupt=False
                ):
                    self._record(changes)


def serve_site(
    root: Path,
    *,
    port: int,
    include_drafts: bool = False,
    search: bool = True,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """Serve the site root `root` until Ctrl-C (or SIGTERM); returns the exit code."""
    check_site_root(root)
    root = root.resolve()
    with tempfile.TemporaryDirectory(prefix="briefgen-serve-") as scratch, _stop_on_signals():
        live = LiveSite(
            root, Path(scratch) / OUTPUT_DIR, include_drafts=include_drafts, out=out, err=err, search=search
        )
        server = open_server(port, live)
        http_thread = threading.Thread(target=server.serve_forever, daemon=True, name="briefgen-http")
        watcher = SourceWatcher(root)
        try:
            watcher.start()  # before the first build, so that no edit made during it is missed
            live.rebuild()
            http_thread.start()
            address = f"http://{HOST}:{server.server_address[1]}{live.state.base_path}"
            say(f"serving {address} (Ctrl-C to stop)", out)
            _rebuild_on_changes(live, watcher)
        except KeyboardInterrupt:
            print("stopped serving", file=out, flush=True)
        finally:
            watcher.close()
            if http_thread.is_alive():  # shutdown() would wait forever for a loop that never started
                server.shutdown()
            server.server_close()
    return 0


def _rebuild_on_changes(live: LiveSite, watcher: SourceWatcher) -> None:
    while True:
        if not watcher.changed.wait(timeout=0.5):
            continue
        changed = watcher.take_changes()
        if not changed:
            continue  # only an editor's temporary files came and went
        shown = ", ".join(changed[:3]) + (
            f" and {len(changed) - 3} more" if len(changed) > 3 else ""
        )  # escaped by say()
        live.rebuild(f"{shown} changed: ")


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[None]:
    """Ctrl-C and SIGTERM stop the server cleanly, temporary folder removed.

    Set explicitly because a shell starts background jobs with SIGINT ignored.
    """

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.signal(number, interrupt) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
