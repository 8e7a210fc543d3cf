"""Fixtures shared by every test module: site roots written inline in tmp_path."""

from __future__ import annotations

import itertools
import os
import resource
import time
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from hypothesis import settings

from tests.sites import MakeSite, SiteFiles, write_site

# No property test has a deadline: Hypothesis's default (200 ms an example) failed a test whose example took
# 391 ms once, with the suite's three workers and another run on two cores. Each test's time is the suite's to keep.
settings.register_profile("briefgen", deadline=None)
settings.load_profile("briefgen")


@pytest.fixture
def make_site(tmp_path: Path) -> MakeSite:
    """`make_site(files) -> root`: a fresh site root under tmp_path for each call."""
    counter = itertools.count(1)

    def make(files: SiteFiles) -> Path:
        return write_site(tmp_path / f"site{next(counter)}", files)

    return make


SPREAD_MODULES = frozenset({"test_incremental.py"})
"""Modules whose tests build their own corpus each, with no module-scoped fixture: spread over workers."""
E2E_PAGES_TEST = "test_page_as_a_reader_gets_it"
"""The end-to-end test that visits every page: a group of its own, beside the rest of its module."""
E2E_WITH_PAGES = frozenset({"test_search"})
"""End-to-end modules in the pages' group: they use the same built sites, which a group builds once."""


def group_of(nodeid: str) -> str:
    """The group a test runs in under the README's test command: tests of one group share a worker.

    A module's tests stay on one worker, so that a corpus its module-scoped
    fixture builds is built once. The end-to-end suite is two groups of about
    four minutes each, the pages' browser checks with the search page's, and
    the rest of test_site; then the small modules, a group each. Each worker that
    runs them starts its own browser and builds the sites it needs (9 s of CPU),
    so that no worker carries the whole suite while the others wait.
    """
    path, _, name = nodeid.partition("::")
    module = PurePosixPath(path)
    if "e2e" in module.parts:
        in_pages = name.split("[")[0] == E2E_PAGES_TEST or module.stem in E2E_WITH_PAGES
        return "e2e-pages" if in_pages else f"e2e-{module.stem}"
    if module.name in SPREAD_MODULES:
        return nodeid
    return path


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadgroup` by test_group, the slowest groups first (see pytest_collection_modifyitems).

    xdist's own loadgroup reads `xdist_group` marks through the tests' ids,
    which pytest 9.2 no longer lets it change (pytest-dev/pytest-xdist#1386):
    it then groups nothing, and every worker builds every module's corpus. This
    scheduler takes the groups from the ids as they are.
    """
    if config.getoption("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling  # noqa: PLC0415 - only under xdist

    class ByTestGroup(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return group_of(nodeid)

    config.option.loadscopereorder = False  # keep the collection's order: slowest first
    return ByTestGroup(config, log)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto`: a worker more than the cores. The tests wait on browsers, servers, Java and the
    builds they start, and a third worker fills some of those waits: on the 2-core machine the
    README's command took 9 min 0 s with three workers against 10 min 5 s with two, run one after
    the other (the README gives every run). PYTEST_XDIST_AUTO_NUM_WORKERS, when set, still decides."""
    del config
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    return len(os.sched_getaffinity(0)) + 1


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The modules with a slow or end-to-end test first (a stable sort: each module's tests keep
    their order), so that the longest groups start at once and the short ones fill in at the end."""

    def has_slow_tests(item: pytest.Item) -> bool:
        return item.get_closest_marker("slow") is not None or item.get_closest_marker("e2e") is not None

    slow_modules = {item.path for item in items if has_slow_tests(item)}
    items.sort(key=lambda item: item.path not in slow_modules)


_RUN = "BRIEFGEN_TEST_CPU_RUN"
"""The process id of the pytest run that logs: its xdist workers are its children. A pytest that a
test starts (test_test_groups, test_plain_clone) inherits the variables and must not log over it."""
os.environ.setdefault(_RUN, str(os.getpid()))
CPU_LOG = os.environ.get("BRIEFGEN_TEST_CPU", "") if os.environ[_RUN] in {str(os.getpid()), str(os.getppid())} else ""
"""A file to which each test's CPU seconds are written (one file per xdist worker, suffixed with its name),
with its group, id, wall seconds and start (Unix time).

Wall times under xdist depend on what the other worker runs at the same moment;
CPU time (this process and the builds, Pagefind and Java it waited for) does
not, so it is what to compare when making the suite fit its time budget."""
_cpu_spent: dict[str, tuple[float, float, float]] = {}
"""Each test's CPU seconds, and its wall-clock start and length, which show where a worker waited."""


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    before, started = (_cpu_seconds(), time.time()) if CPU_LOG else (0.0, 0.0)
    yield
    if CPU_LOG:
        _cpu_spent[item.nodeid] = (_cpu_seconds() - before, started, time.time() - started)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if CPU_LOG and _cpu_spent:
        # xdist's worker id from its config, not PYTEST_XDIST_WORKER: a pytest that a worker's test
        # starts inherits that variable, and would write over the worker's file.
        worker = getattr(session.config, "workerinput", {}).get("workerid", "main")
        lines = [
            f"{cpu:.2f}\t{group_of(nodeid)}\t{nodeid}\t{wall:.2f}\t{started:.2f}"
            for nodeid, (cpu, started, wall) in sorted(_cpu_spent.items())
        ]
        Path(f"{CPU_LOG}.{worker}").write_text("\n".join(lines) + "\n", encoding="utf-8")
