"""The README's test command keeps each module's tests on one worker (tests/conftest.py).

A module-scoped fixture (a corpus built once for many tests) is built again on
every worker that runs one of its tests; when pytest 9.2 made xdist's own
`loadgroup` group nothing, every worker built every corpus and nothing said so.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import defaultdict

from tests.conftest import group_of
from tests.sitetools import REPO_ROOT


def test_a_modules_tests_are_one_group_but_where_spread_or_split() -> None:
    assert group_of("tests/test_urls.py::test_a[x]") == group_of("tests/test_urls.py::test_b") == "tests/test_urls.py"
    assert group_of("tests/test_incremental.py::test_a") != group_of("tests/test_incremental.py::test_b")
    pages = "tests/e2e/test_site.py::test_page_as_a_reader_gets_it[example-home]"
    assert (
        group_of(pages) == "e2e-pages" != group_of("tests/e2e/test_site.py::test_every_internal_link_resolves[corpus]")
    )
    assert group_of("tests/e2e/test_search.py::test_x") == group_of("tests/e2e/test_search.py::test_y[a]")


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
