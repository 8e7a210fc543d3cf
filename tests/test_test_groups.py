"""The README's test command keeps each module's tests on one worker (tests/conftest.py).

A module-scoped fixture (a corpus built once for many tests) is built again on
every worker that runs one of its tests; when pytest 9.2 made xdist's own
`loadgroup` group nothing, every worker built every corpus and nothing said so.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import cast

import pytest
from hypothesis import settings

from tests.conftest import group_of, pytest_xdist_auto_num_workers
from tests.sitetools import REPO_ROOT


def test_a_modules_tests_are_one_group_but_where_spread_or_split() -> None:
    assert group_of("tests/test_urls.py::test_a[x]") == group_of("tests/test_urls.py::test_b") == "tests/test_urls.py"
    assert group_of("tests/test_incremental.py::test_a") != group_of("tests/test_incremental.py::test_b")
    pages = "tests/e2e/test_site.py::test_page_as_a_reader_gets_it[example-home]"
    assert (
        group_of(pages) == "e2e-pages" != group_of("tests/e2e/test_site.py::test_every_internal_link_resolves[corpus]")
    )
    assert (
        group_of("tests/e2e/test_search.py::test_x") == group_of("tests/e2e/test_search.py::test_y[a]") == "e2e-pages"
    )
    assert group_of("tests/e2e/test_checkers.py::test_x") == "e2e-test_checkers"


def test_two_workers_run_each_modules_tests_on_one_of_them() -> None:
    modules = ["tests/test_urls.py", "tests/test_installspec.py"]
    command = [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v", "-p", "no:cacheprovider"]
    ran = subprocess.run([*command, *modules], cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    workers: dict[str, set[str]] = defaultdict(set)
    for worker, module in re.findall(r"^\[(gw\d+)\] .*?PASSED (tests/[\w/]+\.py)::", ran.stdout, re.MULTILINE):
        workers[module].add(worker)
    assert sorted(workers) == sorted(modules), ran.stdout[-3000:]
    assert all(len(found) == 1 for found in workers.values()), dict(workers)


def test_auto_starts_a_worker_more_than_the_cores_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    """The README: `-n auto` starts a worker more than the cores; PYTEST_XDIST_AUTO_NUM_WORKERS still decides."""
    monkeypatch.delenv("PYTEST_XDIST_AUTO_NUM_WORKERS", raising=False)
    config = cast(pytest.Config, None)  # not read
    assert pytest_xdist_auto_num_workers(config) == len(os.sched_getaffinity(0)) + 1
    monkeypatch.setenv("PYTEST_XDIST_AUTO_NUM_WORKERS", "5")
    assert pytest_xdist_auto_num_workers(config) is None  # xdist's own hook reads it


def test_the_cpu_log_has_each_tests_group_and_times_and_a_nested_run_writes_none(tmp_path: Path) -> None:
    """BRIEFGEN_TEST_CPU=FILE, as the README says: CPU seconds, group, id, wall seconds and start, one line
    a test; a pytest started by a test of a logging run (it inherits the variables) writes nothing."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_installspec.py"]
    environment = {k: v for k, v in os.environ.items() if k != "BRIEFGEN_TEST_CPU_RUN"}
    log = tmp_path / "cpu"
    environment["BRIEFGEN_TEST_CPU"] = str(log)
    ran = subprocess.run(command, cwd=REPO_ROOT, env=environment, capture_output=True, text=True, check=False)
    assert ran.returncode == 0, ran.stdout[-3000:]
    lines = [line.split("\t") for line in (tmp_path / "cpu.main").read_text(encoding="utf-8").splitlines()]
    assert lines and all(len(fields) == 5 for fields in lines)
    assert {fields[1] for fields in lines} == {"tests/test_installspec.py"}
    assert all(float(fields[0]) >= 0 and float(fields[3]) >= 0 and float(fields[4]) > 1e9 for fields in lines)
    nested = tmp_path / "nested"
    environment.update(BRIEFGEN_TEST_CPU=str(nested), BRIEFGEN_TEST_CPU_RUN="1")  # another process's run
    ran = subprocess.run(command, cwd=REPO_ROOT, env=environment, capture_output=True, text=True, check=False)
    assert ran.returncode == 0, ran.stdout[-3000:]
    assert list(tmp_path.glob("nested*")) == []


def test_property_tests_have_no_deadline_to_miss_on_a_busy_machine() -> None:
    """tests/conftest.py's Hypothesis profile: a deadline is a clock bound, which a busy machine fails."""
    assert settings.default.deadline is None
