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
