"""Spread independent work over the machine's cores, with results in input order.

Workers are forked, so they start with everything the parent had loaded
(settings, the Markdown renderer, the Jinja environment, the items themselves)
and nothing needs pickling but the results. Output stays deterministic: results
come back in input order and each item's result depends on that item alone.

The pool is a small one of briefgen's own, because a build must be able to stop
at any moment and at once. multiprocessing.Pool could not: its terminate() waits
on a result queue whose lock a worker holds while it is blocked writing into it,
and a Ctrl-C then hung the build for ever. Here the workers share nothing the
parent ever waits on:

- the work: the items are cut into numbered chunks, and every number is written
  into one pipe before the workers start; a free worker reads the next number
  (a read of a few bytes from a pipe is whole: the kernel locks the pipe for it);
- the results: each worker has a pipe of its own back to the parent, which
  reads whichever has something and puts the chunks back in order.

So stopping is the same whatever the workers are doing: SIGKILL them, wait for
them to end, close the pipes. When `parallel_map`'s block has ended, for any
reason, no worker is left to write into a staging folder that is being removed.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import fcntl
import functools
import os
import pickle
import select
import signal
import struct
import subprocess
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

from briefgen.errors import BriefgenError
from briefgen.interrupts import uninterrupted

Item = TypeVar("Item")
Result = TypeVar("Result")

MIN_ITEMS_PER_WORKER = 64
"""Below this, starting processes costs more than it saves."""
MAX_CHUNK = 64
MAX_CHUNKS = 1024
"""Chunk numbers are 4 bytes: 1,024 of them fit even the smallest pipe (4 KiB), so that
writing them all before the workers start never waits."""
RESULT_PIPE_BYTES = 1 << 20
"""Results a worker may have ready before the parent reads them. The parent reads only
when the build asks for the next result, and does other work meanwhile (fingerprints
while the pages render): a pipe of the usual 64 KiB would stop the workers then."""

_NUMBER = struct.Struct("<I")
_LENGTH = struct.Struct("<Q")
_PR_SET_PDEATHSIG = 1


class WorkerError(BriefgenError):
    """A worker process ended without finishing its work (killed from outside, out of memory)."""


@dataclass(frozen=True, slots=True)
class _Failure:
    """An exception raised in a worker, brought back to be raised in the parent."""

    exception: BaseException
    worker_traceback: str


_Chunk = tuple[list[Any], _Failure | None]
"""A chunk's results, and the exception that stopped it half-way, if one did."""


class _WorkerTracebackError(Exception):
    """Where in the worker the exception came from, shown as its cause."""

    def __str__(self) -> str:
        return f"\n\nin the worker process:\n{self.args[0]}"


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@contextlib.contextmanager
def parallel_map(
    function: Callable[[Any, Item], Result],
    shared: Any,
    items: Sequence[Item],
    workers: int,
    *,
    least_per_worker: int = MIN_ITEMS_PER_WORKER,
) -> Iterator[Iterator[Result]]:
    """`function(shared, item)` for every item, in order, over up to `workers` processes, a worker for
    each `least_per_worker` items (fewer items are worth no process; 1 for items of seconds each).

    `function` must be a module-level function; `shared` and `items` reach the
    workers by fork, unpickled, so they may hold anything. Use as
    `with parallel_map(...) as results:`: the workers are gone when the block ends.
    """
    usable = min(workers, len(items) // least_per_worker)
    if usable < 2 or not hasattr(os, "fork"):
        yield (function(shared, item) for item in items)
        return
    chunk = max(1, min(MAX_CHUNK, len(items) // (usable * 8)), -(-len(items) // MAX_CHUNKS))
    pool = _Pool(usable)
    try:
        pool.start(function, shared, items, chunk)
        yield pool.results()
    finally:
        pool.stop()


class _Pool:
    """Forked workers, each with a pipe of its own for its results."""

    def __init__(self, workers: int) -> None:
        self.size = workers
        self.pids: list[int] = []
        """Workers not yet waited for: once one has been, its number may belong to another process."""
        self.pipes: dict[int, int] = {}
        """Result pipe's reading end -> the worker writing into it, while it is open."""
        self.chunks = 0

    def start(self, function: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any], chunk: int) -> None:
        self.chunks = -(-len(items) // chunk)
        numbers, numbers_in = os.pipe()
        try:
            os.write(numbers_in, b"".join(_NUMBER.pack(n) for n in range(self.chunks)))
        finally:
            os.close(numbers_in)  # a worker that finds the pipe empty knows the work is all taken
        # Between fork and _worker_started a worker still has Python's own handler:
        # a Ctrl-C then would print a KeyboardInterrupt traceback from the worker.
        # Blocked here, it reaches the parent once the workers are forked, and the
        # workers ignore it.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            for _ in range(self.size):
                self._fork(lambda results: _work(function, shared, items, chunk, numbers, results))
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            os.close(numbers)

    def _fork(self, work: Callable[[int], NoReturn]) -> None:
        results, results_in = os.pipe()
        with contextlib.suppress(OSError, AttributeError):  # a smaller pipe only makes workers wait sooner
            fcntl.fcntl(results, fcntl.F_SETPIPE_SZ, RESULT_PIPE_BYTES)
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the worker: it never returns into the parent's code (its `finally` blocks, its atexit)
            try:
                os.close(results)
                _worker_started(parent)
                work(results_in)
            finally:
                os._exit(1)
        os.close(results_in)  # so that the pipe ends (reads b"") when the worker does
        self.pids.append(pid)
        self.pipes[results] = pid

    def results(self) -> Iterator[Any]:
        """Every result, in the order of the items."""
        arrived: dict[int, _Chunk] = {}
        poller = select.poll()
        for pipe in self.pipes:
            poller.register(pipe, select.POLLIN)
        for number in range(self.chunks):
            while number not in arrived:
                self._receive(poller, arrived)
            done, failure = arrived.pop(number)
            yield from done
            if failure is not None:  # raised where Python would have raised it: after the items before it
                raise failure.exception from _WorkerTracebackError(failure.worker_traceback)

    def _receive(self, poller: select.poll, arrived: dict[int, _Chunk]) -> None:
        """Wait for the next chunk from any worker."""
        if not self.pipes:
            raise WorkerError(f"a worker process ended before finishing its work ({self._endings()})")
        for pipe, _ in poller.poll():
            message = _read_message(pipe)
            if message is None:  # the worker has ended
                poller.unregister(pipe)
                del self.pipes[pipe]
                os.close(pipe)
            else:
                number, chunk = message
                arrived[number] = chunk

    def _endings(self) -> str:
        """How the workers ended; called once every result pipe has closed, which only ending does."""
        endings = []
        pids, self.pids = self.pids, []
        for pid in pids:
            with contextlib.suppress(ChildProcessError):
                _, status = os.waitpid(pid, 0)
                if os.WIFSIGNALED(status):
                    endings.append(f"killed by {signal.Signals(os.WTERMSIG(status)).name}")
                elif os.WIFEXITED(status) and os.WEXITSTATUS(status):
                    endings.append(f"exit status {os.WEXITSTATUS(status)}")
        return ", ".join(endings) or "no exit status"

    def stop(self) -> None:
        """Kill every worker and wait until each has ended: none writes anything after this."""
        with uninterrupted():
            for pid in self.pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            for pid in self.pids:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, 0)
            for pipe in self.pipes:
                os.close(pipe)
            self.pids, self.pipes = [], {}


def _worker_started(parent: int) -> None:
    # Ctrl-C reaches every process of the terminal's group: only the parent
    # stops the build (and the workers), so workers print no traceback of their own.
    # SIGINT was blocked across the fork (see _Pool.start), so one sent before this
    # line waits, and is dropped here with the rest.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    # A parent killed outright (SIGKILL, the OOM killer) takes its workers
    # with it, so that none keeps writing into a staging folder.
    _die_with_parent()
    if os.getppid() != parent:  # it died before the line above
        os._exit(1)


def _die_with_parent() -> None:
    prctl = _prctl()
    if prctl is not None:  # not Linux: workers end when their pipe breaks
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def dies_with(parent: int) -> Callable[[], None]:
    """For a child process started by subprocess (its preexec_fn): be killed with `parent`, so that no
    Pagefind writes on into a staging folder after its build was killed (the next build removes that folder).

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


def run_to_its_end(command: Sequence[str]) -> subprocess.CompletedProcess[str]:
    """Run `command` (killed with the build, see dies_with), its output captured as text.

    Whatever stops the build meanwhile (a Ctrl-C, an error), the command is
    killed and waited for before the build goes on to remove the staging
    folder it writes into. subprocess.run waits a quarter of a second after a
    Ctrl-C, kills the command and lets it go: a Pagefind killed but still
    writing its bundle then put files back into a folder being removed, and
    the build left that folder behind."""
    process: subprocess.Popen[str] | None = None
    try:
        with uninterrupted():  # a Ctrl-C while it starts comes once there is a process to kill
            process = subprocess.Popen(  # noqa: S603 - the caller's command, no shell
                command,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                preexec_fn=dies_with(os.getpid()),  # noqa: PLW1509 - only prctl, found before the fork
            )
        with process:
            out, errors = process.communicate()
    except BaseException:
        if process is not None:
            with uninterrupted():
                process.kill()
                process.wait()
        raise
    return subprocess.CompletedProcess(command, process.returncode, out, errors)


@functools.cache
def _prctl() -> Callable[..., int] | None:
    """The C library's prctl, looked up once (find_library may run ldconfig)."""
    try:
        found: Callable[..., int] = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True).prctl
    except (OSError, AttributeError, TypeError):
        return None
    return found


def _work(
    function: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any], chunk: int, numbers: int, results: int
) -> NoReturn:
    """A worker's life: take chunk numbers until none is left, send each chunk's results back."""
    code = 0
    try:
        while len(taken := os.read(numbers, _NUMBER.size)) == _NUMBER.size:
            (number,) = _NUMBER.unpack(taken)
            start = number * chunk
            done: list[Any] = []
            failure = None
            try:
                for item in items[start : start + chunk]:
                    done.append(function(shared, item))
            except Exception as exc:  # raised again in the parent, when its turn comes
                failure = _Failure(exc, traceback.format_exc())
            _send(results, number, (done, failure))
    except BaseException:  # the parent is gone, or sees this chunk missing and says so
        code = 1
    finally:
        os._exit(code)


def _send(results: int, number: int, chunk: _Chunk) -> None:
    try:
        data = pickle.dumps((number, chunk), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # what does not pickle is sent as text
        failure = chunk[1] or _Failure(exc, traceback.format_exc())
        failure = _Failure(RuntimeError(repr(failure.exception)), failure.worker_traceback)
        data = pickle.dumps((number, ([], failure)), protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_LENGTH.pack(len(data)) + data)
    while view:
        view = view[os.write(results, view) :]


def _read_message(pipe: int) -> tuple[int, _Chunk] | None:
    """The next message from a worker; None when it has ended (or ended half-way through one)."""
    header = _read_exactly(pipe, _LENGTH.size)
    if header is None:
        return None
    data = _read_exactly(pipe, _LENGTH.unpack(header)[0])
    if data is None:
        return None
    number, chunk = pickle.loads(data)  # noqa: S301 - written by our own forked worker
    return number, chunk


def _read_exactly(pipe: int, size: int) -> bytes | None:
    parts, missing = [], size
    while missing:
        part = os.read(pipe, min(missing, RESULT_PIPE_BYTES))
        if not part:
            return None
        parts.append(part)
        missing -= len(part)
    return b"".join(parts)
