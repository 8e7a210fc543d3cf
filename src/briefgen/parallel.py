"""Spread independent work over the machine's cores, with results in input order.

Workers are forked, so they start with everything the parent had loaded
(settings, the Markdown renderer, the Jinja environment) and nothing needs
pickling but the items and the results. Output stays deterministic: results
come back in input order and each item's result depends on that item alone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import multiprocessing.pool
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

MIN_ITEMS_PER_WORKER = 64
"""Below this, starting processes costs more than it saves."""

_task: tuple[Callable[[Any, Any], Any], Any] | None = None
_PR_SET_PDEATHSIG = 1


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _worker_started(parent: int) -> None:
    # Ctrl-C reaches every process of the terminal's group: only the parent
    # stops the build (and the pool), so workers print no traceback of their own.
    # SIGINT was blocked across the fork (see _pool), so one sent before this line
    # waits, and is dropped here with the rest.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    # A parent killed outright (SIGKILL, the OOM killer) takes its workers
    # with it, so that none keeps writing into a staging folder.
    _die_with_parent()
    if os.getppid() != parent:  # it died before the line above
        os._exit(1)


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError, TypeError):  # not Linux: workers end when their queue closes
        pass


def _run_one(item: Any) -> Any:
    assert _task is not None
    function, shared = _task
    return function(shared, item)


def parallel_map(
    function: Callable[[Any, Item], Result], shared: Any, items: Sequence[Item], workers: int
) -> Iterator[Result]:
    """`function(shared, item)` for every item, in order, over up to `workers` processes.

    `function` must be a module-level function; `shared` reaches the workers
    by fork, unpickled, so it may hold anything.
    """
    global _task  # noqa: PLW0603 - the one way to hand unpicklable state to forked workers
    usable = min(workers, len(items) // MIN_ITEMS_PER_WORKER)
    if usable < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield from (function(shared, item) for item in items)
        return
    _task = (function, shared)
    try:
        with _pool(usable) as pool:
            chunk = max(1, min(64, len(items) // (usable * 8)))
            yield from pool.imap(_run_one, items, chunksize=chunk)
    finally:
        _task = None


def _pool(workers: int) -> multiprocessing.pool.Pool:
    """Forked workers that never see Ctrl-C, even one sent while they start."""
    # Between fork and _worker_started a worker still has Python's own handler:
    # a Ctrl-C then would print a KeyboardInterrupt traceback from the worker.
    # Blocked here, it reaches the parent once the pool is up (its threads keep
    # it blocked, so the main thread takes it) and the workers ignore it.
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        return multiprocessing.get_context("fork").Pool(workers, _worker_started, (os.getpid(),))
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
