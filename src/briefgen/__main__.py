"""`briefgen` and `python -m briefgen`: the command line, Ctrl-C included from the first instant.

Importing the pipeline takes a third of a second; Ctrl-C in that time must end
briefgen as it does later on, with one line and no traceback.
"""

import sys


def main() -> int:
    try:
        from briefgen.cli import main as run  # noqa: PLC0415 - imported here, so that Ctrl-C during it is caught

        return run()
    except KeyboardInterrupt:  # while importing, or parsing the arguments, before cli's own handler
        print("briefgen: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
