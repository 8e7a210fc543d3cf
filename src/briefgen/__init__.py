"""briefgen: a static-site generator for conflict briefings."""

from __future__ import annotations

import functools


def __getattr__(name: str) -> str:
    # Read on first use rather than at import: importlib.metadata takes a
    # tenth of briefgen's start-up, during which Ctrl-C would get a traceback.
    if name == "__version__":
        return _version()
    raise AttributeError(f"module 'briefgen' has no attribute {name!r}")


@functools.cache
def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415 - see __getattr__

    try:
        return version("briefgen")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0+unknown"
