"""Fixtures shared by every test module: site roots written inline in tmp_path."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from tests.sites import MakeSite, SiteFiles, write_site


@pytest.fixture
def make_site(tmp_path: Path) -> MakeSite:
    """`make_site(files) -> root`: a fresh site root under tmp_path for each call."""
    counter = itertools.count(1)

    def make(files: SiteFiles) -> Path:
        return write_site(tmp_path / f"site{next(counter)}", files)

    return make


SPREAD_MODULES = frozenset({"test_incremental.py"})
"""Modules whose tests build their own corpus each, with no module-scoped fixture: spread over workers."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Groups for pytest-xdist's `--dist loadgroup` (the README's test command).

    A module's tests stay on one worker, so a corpus its module-scoped fixture
    builds is built once. The end-to-end suite is a group per module, and its
    pages' browser checks one more: each worker that runs them starts its own
    browser and builds the sites it needs (some seconds), so that no worker
    carries the whole suite (ten minutes of it, on two cores) while the other
    waits. Without xdist the marks change nothing.
    """
    for item in items:
        path = item.path
        if "e2e" in path.parts:
            pages = getattr(item, "originalname", "") == "test_page_as_a_reader_gets_it"
            group = "e2e-pages" if pages else f"e2e-{path.stem}"
        elif path.name in SPREAD_MODULES:
            continue
        else:
            group = path.stem
        item.add_marker(pytest.mark.xdist_group(group))
