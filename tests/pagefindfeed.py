"""Pagefind's service fed documents through its pipe, its bundle read back: the oracle of the assembly tests.

`pagefind --service` reads base64-encoded JSON requests, each followed by a
comma, and answers each in order in the same form. This is the small
synchronous client the tests and benchmarks need (the build runs the `pagefind`
command instead: searchrun.py); a thread writes while this one reads, as a pipe
holds only 64 KiB. Its pages are numbered in the order they are fed, which the
command's are not: the oracle of the assembly, which numbers them the same way.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def pagefind_executable() -> Path:
    from pagefind.service import get_executable  # noqa: PLC0415 - the tests' only use of the package

    found = get_executable()
    assert found is not None, "pip install 'pagefind[bin]'"
    return Path(found)


@dataclass(frozen=True, slots=True)
class FeedTimes:
    """CPU seconds of the service (user + system, from /proc) in each phase, and the wall time."""

    add: float
    build: float
    files: float
    wall: float


class Service:
    def __init__(self, chunk_size: int | None = None) -> None:
        env = dict(os.environ)
        if chunk_size is not None:  # Pagefind's own switch (options.rs)
            env["PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE"] = str(chunk_size)
        self.process = subprocess.Popen(
            [str(pagefind_executable()), "--service"],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.sent = 0
        self.buffer = b""

    def ask(self, payloads: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        messages = []
        for payload in payloads:
            self.sent += 1
            text = json.dumps({"message_id": self.sent, "payload": payload}, ensure_ascii=False)
            messages.append(base64.b64encode(text.encode("utf-8")) + b",")
        writer = threading.Thread(target=self._write, args=(messages,), daemon=True)
        writer.start()
        answers = [self._read() for _ in messages]
        writer.join()
        return answers

    def _write(self, messages: list[bytes]) -> None:
        assert self.process.stdin is not None
        for message in messages:
            self.process.stdin.write(message)
        self.process.stdin.flush()

    def _read(self) -> dict[str, Any]:
        stdout = self.process.stdout
        assert stdout is not None
        while b"," not in self.buffer:
            chunk = stdout.read1(1 << 16)  # type: ignore[attr-defined]
            if not chunk:
                raise RuntimeError(f"Pagefind stopped: {self.process.stderr.read()!r}")  # type: ignore[union-attr]
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b",", 1)
        payload: dict[str, Any] = json.loads(base64.b64decode(message))["payload"]
        if payload.get("type") == "Error":
            raise RuntimeError(f"Pagefind refused a request: {payload.get('message')}")
        return payload

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def bundle_of(
    documents: Sequence[tuple[str, str]], exclude_selectors: Sequence[str] = (), chunk_size: int | None = None
) -> tuple[dict[str, bytes], FeedTimes]:
    """Pagefind's bundle (relative path -> bytes) for (address, HTML) documents, numbered in that order."""
    service = Service(chunk_size)
    try:
        start = time.perf_counter()
        (created,) = service.ask([{"type": "NewIndex", "config": {"exclude_selectors": list(exclude_selectors)}}])
        index = created["index_id"]
        service.ask(
            {"type": "AddFile", "index_id": index, "url": url, "file_contents": html, "file_path": None}
            for url, html in documents
        )
        added = service.cpu_seconds()
        service.ask([{"type": "BuildIndex", "index_id": index}])
        built = service.cpu_seconds()
        (answer,) = service.ask([{"type": "GetFiles", "index_id": index}])
        done = service.cpu_seconds()
        wall = time.perf_counter() - start
    finally:
        service.close()
    files = {str(file["path"]): base64.b64decode(file["content"]) for file in answer["files"]}
    return files, FeedTimes(add=added, build=built - added, files=done - built, wall=wall)


def write_bundle(
    documents: Sequence[tuple[str, str]], bundle: Path, exclude_selectors: Sequence[str], leave_out: Sequence[str]
) -> None:
    """Pagefind's bundle of the (address, HTML) documents, numbered in that order, written into the folder
    `bundle`, but for the files named in `leave_out`."""
    files, _times = bundle_of(documents, exclude_selectors)
    for name, content in files.items():
        if name not in leave_out:
            target = bundle.joinpath(*name.split("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
