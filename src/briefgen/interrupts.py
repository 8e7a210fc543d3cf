"""Ctrl-C held back while briefgen cleans up after itself, then delivered as usual.

The first Ctrl-C stops a build wherever it is, and the build then undoes what it
started: it kills its workers and removes its staging folder. A second Ctrl-C,
pressed in a hurry, must not cut that short and leave a worker writing or a
half-removed staging folder behind. It waits until the cleanup is done, a matter
of milliseconds, and then interrupts as the first one did.
"""

from __future__ import annotations

import _thread
import contextlib
import signal
import sys
import threading
import time
from collections.abc import Iterator
from types import FrameType

EXIT_INTERRUPTED = 130
"""Ctrl-C's exit status, as a shell reports a process stopped by SIGINT (cli.py, and __main__.py during the imports)."""


def deliver_interrupts_lost_in_finalizers() -> None:
    """From now on, a Ctrl-C that lands in a finalizer stops briefgen as any other does.

    Python cannot raise from a finalizer (an object's ``__del__``, a weak reference's
    callback, such as the one that drops an import's module lock): it prints the
    exception as "Exception ignored in ... Traceback" and carries on, so the Ctrl-C
    would print a traceback and be lost, and the build would go on to its end.
    """
    sys.unraisablehook = _deliver_again_if_interrupt


def _deliver_again_if_interrupt(unraisable: sys.UnraisableHookArgs) -> None:
    if unraisable.exc_type is None or not issubclass(unraisable.exc_type, KeyboardInterrupt):
        sys.__unraisablehook__(unraisable)
        return
    # Delivered from another thread once this hook has returned: interrupting the main thread
    # from here would raise inside this hook, which is itself a finalizer's caller, and lose it
    # again. A timer of a millisecond was not enough: on a busy machine it fired while this
    # thread still waited in Thread.start (the test met it with the suite running beside it).
    # If it lands in another finalizer, it comes back here and is sent once more.
    returned = threading.Event()
    later = threading.Thread(target=_interrupt_once_set, args=(returned,), daemon=True)
    with contextlib.suppress(RuntimeError):  # Python is shutting down: there is no build left to stop
        later.start()
    returned.set()  # the hook's last step: nothing checks for a pending interrupt between it and the return


def _interrupt_once_set(returned: threading.Event) -> None:
    returned.wait()
    time.sleep(0.001)  # the main thread back in the code the finalizer interrupted
    _thread.interrupt_main()


@contextlib.contextmanager
def uninterrupted() -> Iterator[None]:
    """Run the block to its end; a Ctrl-C that comes meanwhile is delivered after it."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread sees Ctrl-C: nothing to hold back here
        return
    held: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        held.append(signum)

    previous = signal.getsignal(signal.SIGINT)
    if previous is None:  # a handler set outside Python: it could not be put back
        yield
        return
    signal.signal(signal.SIGINT, hold)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if held:  # delivered again, to whatever handles Ctrl-C outside the block
            signal.raise_signal(signal.SIGINT)
