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
    builds is built once; the end-to-end suite is one group, so its browser and
    its built sites are made once. Without xdist the marks change nothing.
    """
    for item in items:
        path = item.path
        if "e2e" in path.parts:
            group = "e2e"
        elif path.name in SPREAD_MODULES:
            continue
        else:
            group = path.stem
        item.add_marker(pytest.mark.xdist_group(group))
