"""`briefgen` and `python -m briefgen`: the command line, Ctrl-C included from the first instant.

Importing the pipeline takes a third of a second; Ctrl-C in that time must end
briefgen as it does later on, with one line and no traceback.
"""

import os
import signal
import sys

from briefgen.interrupts import (  # standard library only: nothing slow before the try
    EXIT_INTERRUPTED,
    deliver_interrupts_lost_in_finalizers,
)


def main() -> int:
    """The process's entry point: it may end the process itself."""
    deliver_interrupts_lost_in_finalizers()
    try:
        try:
            from briefgen.cli import main as run  # noqa: PLC0415 - imported here, so that Ctrl-C during it is caught

            code = run()
        finally:
            # The work is done: a Ctrl-C from here on would only cut Python's own exit short,
            # killing it without a word or printing a traceback from an atexit handler.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
    except BaseException as exc:  # while importing, or parsing the arguments, before cli's own handler
        if not _interrupted(exc):
            raise
        print("briefgen: interrupted", file=sys.stderr)
        code = EXIT_INTERRUPTED
    if code == EXIT_INTERRUPTED:
        # A Ctrl-C that came while a compiled extension was being imported makes Python end
        # by killing itself with SIGINT once it has exited, even though it was handled here:
        # exit 130 now, as every other interrupted build does.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(EXIT_INTERRUPTED)
    return code


def _interrupted(exc: BaseException) -> bool:
    """Whether `exc` is a Ctrl-C, or was raised because of one: Python 3.11 wraps a KeyboardInterrupt
    raised while a class is made (dataclasses' __set_name__, as a module is imported) in a RuntimeError."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, KeyboardInterrupt):
            return True
        cause = cause.__cause__
    return False


if __name__ == "__main__":
    sys.exit(main())
