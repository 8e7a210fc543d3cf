"""`briefgen` and `python -m briefgen`: the command line, Ctrl-C included from the first instant.

Importing the pipeline takes a third of a second; Ctrl-C in that time must end
briefgen as it does later on, with one line and no traceback.
"""

import signal
import sys


def main() -> int:
    try:
        try:
            from briefgen.cli import main as run  # noqa: PLC0415 - imported here, so that Ctrl-C during it is caught

            return run()
        finally:
            # The work is done: a Ctrl-C from here on would only cut Python's own exit short,
            # killing it without a word or printing a traceback from an atexit handler.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
    except KeyboardInterrupt:  # while importing, or parsing the arguments, before cli's own handler
        print("briefgen: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
