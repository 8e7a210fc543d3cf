"""Pagefind's binary run as a service: documents fed through its pipe, one bundle given back.

`pagefind --service` reads requests from its standard input and answers on its
standard output, each a base64-encoded JSON message followed by a comma, one
after the other, in order. This speaks that protocol directly rather than
through the `pagefind` package's asynchronous client, which waits a tenth of a
second between reading two answers (ten minutes for 5,000 documents). A
service indexes on one core: a build runs a service per batch of documents, as many at once
as it has workers.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import ctypes.util
import functools
import io
import json
import os
import signal
import subprocess
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

_PR_SET_PDEATHSIG = 1


class ServiceError(Exception):
    """Pagefind could not run, or answered a request with an error."""


def start(executable: Path) -> subprocess.Popen[bytes]:
    """A Pagefind service, started from the build's main thread (a thread may then feed it: write_bundle)."""
    try:
        return subprocess.Popen(  # noqa: S603 - the binary the pagefind package ships, no shell
            [str(executable), "--service"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            # Threads may be feeding other services meanwhile: what runs in the child
            # is one C call through a library looked up beforehand (dies_with).
            preexec_fn=dies_with(os.getpid()),  # noqa: PLW1509
        )
    except OSError as exc:
        raise ServiceError(f"{executable} could not run ({exc})") from exc


def write_bundle(
    process: subprocess.Popen[bytes],
    documents: Iterable[tuple[str, str]],
    bundle: Path,
    exclude_selectors: Sequence[str] = (),
    leave_out: Sequence[str] = (),
) -> int:
    """Index `documents` ((address, HTML) pairs, numbered in that order) into a new bundle in the folder `bundle`,
    then end the service. Files named in `leave_out` are not written. Returns the number of pages indexed."""
    pages, files = bundle_files(process, documents, exclude_selectors)
    for name, content in files.items():
        if name in leave_out:
            continue
        target = bundle.joinpath(*PurePosixPath(name).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return pages


def bundle_files(
    process: subprocess.Popen[bytes], documents: Iterable[tuple[str, str]], exclude_selectors: Sequence[str] = ()
) -> tuple[int, dict[str, bytes]]:
    """Index `documents` ((address, HTML) pairs, numbered in that order), then end the service.
    Returns the number of pages indexed and the bundle's files (relative path -> bytes).

    The bundle's files come back through the pipe: a service asked to write
    them answers once its writes are queued, not done, and ends at the end of
    its input, which would cut them short."""
    try:
        session = Session(process)
        (created,) = session.ask([{"type": "NewIndex", "config": {"exclude_selectors": list(exclude_selectors)}}])
        index = created["index_id"]
        added = session.ask(
            {"type": "AddFile", "index_id": index, "url": url, "file_contents": html, "file_path": None}
            for url, html in documents
        )
        (answer,) = session.ask([{"type": "GetFiles", "index_id": index}])
        files = [(str(file["path"]), base64.b64decode(file["content"])) for file in answer["files"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise ServiceError(f"Pagefind answered something unreadable ({exc!r})") from exc
    finally:
        stop(process)
    named: dict[str, bytes] = {}
    for name, content in files:
        relative = PurePosixPath(name)
        if relative.is_absolute() or ".." in relative.parts or not relative.parts:
            raise ServiceError(f"Pagefind named a file outside its bundle: {name!r}")
        named[relative.as_posix()] = content
    return len(added), named


def stop(process: subprocess.Popen[bytes]) -> None:
    """End a service: at the end of its input it exits; one that does not is killed."""
    if process.stdin is not None and not process.stdin.closed:
        with contextlib.suppress(OSError):  # a service that died: its pipe is broken
            process.stdin.close()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()


class Session:
    """Requests sent in order, answers read in the same order."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self.sent = 0
        self.buffer = b""

    def ask(self, payloads: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """Send every request, then read their answers; raises ServiceError on the first error."""
        messages = []
        for payload in payloads:
            self.sent += 1
            text = json.dumps({"message_id": self.sent, "payload": payload}, ensure_ascii=False)
            messages.append(base64.b64encode(text.encode("utf-8")) + b",")
        failure: list[OSError] = []
        # Written from a thread while this one reads: a pipe holds 64 KiB, and the service
        # answers each request before it reads many more.
        writer = threading.Thread(target=self._write, args=(messages, failure), daemon=True)
        writer.start()
        answers = [self._read() for _ in messages]
        writer.join()
        if failure:
            raise ServiceError(f"Pagefind stopped reading ({failure[0]})")
        return answers

    def _write(self, messages: list[bytes], failure: list[OSError]) -> None:
        stdin = self.process.stdin
        assert stdin is not None
        try:
            for message in messages:
                stdin.write(message)
            stdin.flush()
        except OSError as exc:  # the service died: the reader says why
            failure.append(exc)

    def _read(self) -> dict[str, Any]:
        stdout = self.process.stdout
        assert isinstance(stdout, io.BufferedReader)
        while b"," not in self.buffer:
            chunk = stdout.read1(1 << 16)
            if not chunk:
                said = self.process.stderr.read().decode("utf-8", "replace") if self.process.stderr else ""
                said = "; ".join(line for line in said.splitlines() if line.strip())[-500:]
                raise ServiceError(f"Pagefind stopped (exit status {self.process.wait()}{': ' + said if said else ''})")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b",", 1)
        try:
            answer = json.loads(base64.b64decode(message))
            payload: dict[str, Any] = answer["payload"]
        except (ValueError, KeyError, TypeError) as exc:
            raise ServiceError(f"Pagefind answered something unreadable ({exc})") from exc
        if payload.get("type") == "Error":
            raise ServiceError(f"Pagefind refused a request: {payload.get('message')}")
        return payload


def dies_with(parent: int) -> Callable[[], None]:
    """For a child process: be killed with `parent`, so that no Pagefind writes on into a staging
    folder after its build was killed (the next build removes that folder).

    The C library is looked up here, in the parent: after a fork, the child of a
    process with threads should do no more than call into it."""
    prctl = _prctl()
    if prctl is None:  # not Linux
        return lambda: None

    def arrange() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the build died before the line above
            os._exit(1)

    return arrange


@functools.cache
def _prctl() -> Callable[..., int] | None:
    """The C library's prctl, looked up once (find_library may run ldconfig)."""
    try:
        found: Callable[..., int] = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True).prctl
    except (OSError, AttributeError, TypeError):
        return None
    return found
