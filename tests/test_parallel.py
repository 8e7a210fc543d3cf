"""The worker pool: results in input order, errors raised in the parent, and no worker outlives its block."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from briefgen.interrupts import uninterrupted
from briefgen.parallel import WorkerError, parallel_map, run_to_its_end

ITEMS = list(range(1000))


def square(offset: int, item: int) -> tuple[int, int]:
    return item * item + offset, os.getpid()


def fail_at_700(_: object, item: int) -> int:
    if item == 700:
        raise OSError(28, "No space left on device", f"page-{item}.html")
    return item


def kill_self_at_500(_: object, item: int) -> int:
    if item == 500:
        os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer would
    return item


def write_forever(folder: Path, item: int) -> None:
    while True:  # a worker still busy writing when the parent stops
        (folder / f"{item}-{time.monotonic_ns()}").write_bytes(b"x")


def test_results_come_in_input_order_from_several_processes() -> None:
    with parallel_map(square, 7, ITEMS, workers=2) as results:
        found = list(results)
    assert [value for value, _ in found] == [item * item + 7 for item in ITEMS]
    assert {pid for _, pid in found} - {os.getpid()}, "done by forked workers"


def test_a_workers_exception_is_raised_in_the_parent_after_the_results_before_it() -> None:
    seen = []
    with (
        pytest.raises(OSError, match="No space left on device") as raised,
        parallel_map(fail_at_700, None, ITEMS, workers=2) as results,
    ):
        seen.extend(results)
    assert seen == ITEMS[:700]
    assert raised.value.filename == "page-700.html"  # the CLI prints it as 'briefgen: ...: page-700.html'


def test_a_worker_killed_from_outside_is_an_error_not_a_hang() -> None:
    with (
        pytest.raises(WorkerError, match="killed by SIGKILL"),
        parallel_map(kill_self_at_500, None, ITEMS, workers=2) as results,
    ):
        list(results)


def test_no_worker_writes_after_the_block_is_left(tmp_path: Path) -> None:
    signal.signal(signal.SIGALRM, _time_out)
    try:
        with pytest.raises(TimeoutError), parallel_map(write_forever, tmp_path, ITEMS, workers=2) as results:
            signal.setitimer(signal.ITIMER_REAL, 0.5)  # the parent stops waiting, as on Ctrl-C
            next(results)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
    written = set(tmp_path.iterdir())
    assert written, "the workers had started writing"
    time.sleep(0.3)
    assert set(tmp_path.iterdir()) == written


def _time_out(signum: int, frame: object) -> None:
    raise TimeoutError


def test_a_ctrl_c_during_a_cleanup_comes_once_it_is_done() -> None:
    finished = False
    with pytest.raises(KeyboardInterrupt), uninterrupted():
        os.kill(os.getpid(), signal.SIGINT)  # the second Ctrl-C, pressed in a hurry
        time.sleep(0.05)
        finished = True
    assert finished


STUBBORN_CHILD = """
import os, pathlib, signal, sys, time
signal.signal(signal.SIGINT, signal.SIG_IGN)  # a command that takes its time to stop
pathlib.Path(sys.argv[1]).write_text(str(os.getpid()))
time.sleep(60)
"""


def test_a_command_stopped_by_ctrl_c_has_ended_before_the_build_goes_on(tmp_path: Path) -> None:
    """subprocess.run kills the command on a Ctrl-C but does not wait for it, so it could still be
    writing into the staging folder the build then removes (CI once found the folder left behind)."""
    started = tmp_path / "pid"

    def press_ctrl_c_once_started() -> None:
        deadline = time.monotonic() + 30
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(os.getpid(), signal.SIGINT)

    presser = threading.Thread(target=press_ctrl_c_once_started)
    presser.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            run_to_its_end([sys.executable, "-c", STUBBORN_CHILD, str(started)])
    finally:
        presser.join()
    child = int(started.read_text())
    with pytest.raises(ChildProcessError):  # waited for already: no longer this process's child at all
        os.waitpid(child, os.WNOHANG)
