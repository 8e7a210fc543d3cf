"""briefgen: a static-site generator for conflict briefings."""

__version__ = "0.1.0"
"""Also the package's version (pyproject.toml reads it here), and part of every cache key."""
