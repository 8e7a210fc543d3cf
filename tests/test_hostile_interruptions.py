"""Interruptions: a build killed at any moment loses nothing, and Ctrl-C is one line.

The fault-injection test kills real `briefgen build` processes with SIGKILL
at random moments, twenty times and more, and after each kill requires the
site to be exactly the previous good build or exactly the new one, never a
mix; then a last build must succeed and leave nothing behind.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

import briefgen as briefgen_package
from briefgen import cli
from briefgen.build import build_site
from briefgen.errors import BriefgenError
from briefgen.incremental.cache import CACHE_DIR
from briefgen.incremental.cacheindex import CacheState
from briefgen.incremental.searchentries import FOLDER as SEARCH_FOLDER
from briefgen.incremental.searchentries import KEPT_FILE
from briefgen.neighbours import MARKER, OLD_SUFFIX, STAGING_SUFFIX, TWIN_SUFFIX, UPDATE_SUFFIX, recover_interrupted
from briefgen.parallel import MIN_ITEMS_PER_WORKER
from tests.sites import MakeSite, briefing_text
from tests.sitetools import make_corpus

Snapshot = dict[str, str]


def snapshot(folder: Path) -> Snapshot:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def leftovers(root: Path) -> list[str]:
    """What a build keeps beside site/ only while it runs (the twin stays), and temporary files of the cache."""
    twin = f".site.{TWIN_SUFFIX}"
    found = [p.name for p in root.iterdir() if p.name.startswith(".site.briefgen-") and p.name != twin]
    cache = root / CACHE_DIR
    if cache.is_dir():
        found += [p.relative_to(root).as_posix() for p in cache.rglob(".tmp-*")]
    return found


def describe(site: Snapshot, expected: dict[str, Snapshot]) -> str:
    lines = []
    for name, wanted in expected.items():
        missing = sorted(set(wanted) - set(site))
        extra = sorted(set(site) - set(wanted))
        changed = sorted(p for p in set(site) & set(wanted) if site[p] != wanted[p])
        lines.append(
            f"vs {name}: {len(missing)} missing {missing[:3]}, {len(extra)} extra {extra[:3]}, "
            f"{len(changed)} different {changed[:3]}"
        )
    return "; ".join(lines)


def briefgen(*args: str) -> list[str]:
    return [sys.executable, "-m", "briefgen", *args]


class Inputs:
    """Two versions of a corpus's input: 'old', and 'new' with one briefing retitled and one added."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.retitled = sorted((root / "briefings").rglob("*.md"))[17]
        self.original = self.retitled.read_bytes()
        self.added = root / "briefings" / "2024" / "01" / "02" / "added-briefing.md"

    def write(self, version: str) -> None:
        if version == "old":
            self.retitled.write_bytes(self.original)
            self.added.unlink(missing_ok=True)
        else:
            text = self.original.decode("utf-8").replace("title:", "title: Retitled", 1)
            self.retitled.write_text(text + "\nA paragraph added later.\n", "utf-8")
            self.added.parent.mkdir(parents=True, exist_ok=True)
            self.added.write_text(briefing_text(title="Added", date="2024-01-02", source="isw"), "utf-8")


def both_versions_built(root: Path, base: Path) -> tuple[Inputs, dict[str, Snapshot]]:
    """Each version of the input written and built whole into base/<version>: the sites a build may leave."""
    inputs = Inputs(root)
    sites: dict[str, Snapshot] = {}
    for version in ("new", "old"):
        inputs.write(version)
        build_site(root, output=base / version, use_cache=False)
        sites[version] = snapshot(base / version)
    return inputs, sites


BRIEFINGS = 2 * MIN_ITEMS_PER_WORKER + 2
"""Just enough for two workers: most of this module's time is whole builds of this corpus, started and stopped."""
LENGTH = 0.15
"""Of an ISW-sized report: short briefings pass through every stage of a build as long ones do, in
less time (130 briefings with search, no cache: 4 s of CPU against 7)."""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, Snapshot], Inputs]]:
    """A corpus of BRIEFINGS briefings, the complete site of each version of its input, and a way to switch them.

    They are parsed and rendered by two workers (parallel.MIN_ITEMS_PER_WORKER), so that a kill or a
    Ctrl-C meets workers as well as the build, and a whole build takes a second or two.
    """
    base = tmp_path_factory.mktemp("kills")
    root = make_corpus(base / "corpus", briefings=BRIEFINGS, sources=4, length=LENGTH)
    inputs, sites = both_versions_built(root, base)
    assert sites["old"] != sites["new"]
    yield root, sites, inputs


def test_builds_killed_at_random_moments_never_leave_a_partial_site(
    corpus: tuple[Path, dict[str, Snapshot], Inputs],
) -> None:
    root, sites, inputs = corpus
    build_site(root)  # the last good site: 'old'
    site = root / "site"
    assert snapshot(site) == sites["old"]
    rng = random.Random(int(os.environ.get("BRIEFGEN_KILL_SEED", "8")))
    current, kills, finished = "old", 0, 0
    # How long each kind of build takes, so that kills land anywhere in it, end included.
    duration = {"cached": 1.0, "cold": 2.5}
    attempts = 0  # a count, not a clock: on a busy machine builds are slower, and as many are killed
    while kills < 24 and attempts < 40:
        attempts += 1
        target = "new" if current == "old" else "old"
        inputs.write(target)
        mode = rng.choice(["cached", "cached", "cold"])
        args = ["build", "--root", str(root)] + (["--no-cache"] if mode == "cold" else [])
        process = subprocess.Popen(
            briefgen(*args), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )
        delay = rng.uniform(0, duration[mode] * 1.1)
        begun = time.monotonic()
        time.sleep(delay)
        whole_group = rng.random() < 0.5
        if whole_group:
            os.killpg(process.pid, signal.SIGKILL)  # the build and its workers
        else:
            process.kill()  # the build alone: its workers must not write on
        _, errors = process.communicate(timeout=60)
        if process.returncode == 0:
            finished += 1
            duration[mode] = max(duration[mode], time.monotonic() - begun)
        else:
            assert process.returncode == -signal.SIGKILL, errors.decode()
            kills += 1
        now = snapshot(site)
        matches = [version for version in (current, target) if now == sites[version]]
        what = f"kill {kills} of the {'group' if whole_group else 'build alone'} after {delay:.2f} s ({mode})"
        assert matches, f"{what}: a partial site, {describe(now, sites)}; left beside it: {leftovers(root)}"
        assert process.returncode != 0 or matches == [target]
        current = matches[0]
    assert kills >= 20, f"only {kills} builds were killed before finishing ({finished} finished)"

    report = build_site(root)  # the inputs are at `target`: the next build finishes the work
    assert snapshot(site) == sites["new" if inputs.added.exists() else "old"]
    assert report.briefings in {BRIEFINGS, BRIEFINGS + 1}
    assert leftovers(root) == []
    # ... and one more with nothing to do changes nothing.
    assert build_site(root).written == 0


KILL_ON_RENAME = """
import os, runpy, signal, sys
where, after = os.path.realpath(sys.argv[1]), int(sys.argv[2])
renamed = 0
def dying(rename):
    def wrapper(source, target, *args, **kwargs):
        global renamed
        if os.path.realpath(os.fspath(target)).startswith(where):
            renamed += 1
            if renamed > after:  # `after` renames into `where` done, then the power goes
                os.kill(os.getpid(), signal.SIGKILL)
        return rename(source, target, *args, **kwargs)
    return wrapper
os.replace, os.rename = dying(os.replace), dying(os.rename)
sys.argv = ["briefgen", *sys.argv[3:]]
runpy.run_module("briefgen", run_name="__main__")
"""


@pytest.mark.parametrize(
    ("where", "after", "shows"),
    [
        (f".site.{TWIN_SUFFIX}/", 2, "the last site"),  # half-way through them
        (f".site.{TWIN_SUFFIX}/.briefgen-twin", 0, "the new site"),  # right after the exchange
        (f"{CACHE_DIR}/index-", 0, "the new site"),  # after the exchange, before the cache is saved
        (f"{CACHE_DIR}/{SEARCH_FOLDER}/", 0, "the last site"),  # a search entry kept, before the exchange
        (f"{CACHE_DIR}/{SEARCH_FOLDER}/{KEPT_FILE}", 0, "the new site"),  # the index's state saved, not the index
    ],
)
def test_a_rebuild_killed_while_changing_the_site_leaves_one_whole_site(
    corpus: tuple[Path, dict[str, Snapshot], Inputs], where: str, after: int, shows: str
) -> None:
    root, sites, inputs = corpus
    inputs.write("old")
    build_site(root)
    inputs.write("new")  # a change first, so that the twin has been mirrored before the build below
    build_site(root)
    inputs.write("old")
    killed = subprocess.run(
        [sys.executable, "-c", KILL_ON_RENAME, str(root / where), str(after), "build", "--root", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    # The build being killed goes from 'new' back to 'old'.
    assert snapshot(root / "site") == sites["new" if shows == "the last site" else "old"]
    build_site(root)  # the next build completes the work
    assert snapshot(root / "site") == sites["old"]
    assert leftovers(root) == []
    inputs.write("new")
    build_site(root)
    assert snapshot(root / "site") == sites["new"]


STOP_DEADLINE = 30.0
"""Seconds a build may take to stop after Ctrl-C (it takes a fraction of one): past it, it hangs."""
CTRL_C_MOMENTS = 30
"""Builds interrupted, at as many moments; a Ctrl-C that comes after the end is tried again."""


@pytest.mark.slow
def test_ctrl_c_at_any_moment_is_one_line_and_keeps_the_site(
    corpus: tuple[Path, dict[str, Snapshot], Inputs],
) -> None:
    """Ctrl-C at 30 moments spread over whole builds: loading, rendering, indexing, the swap, the end.

    Each build goes from one version of the input to the other, a whole build
    (--no-cache) every other time, a rebuild with the cache in between. The
    moments are stratified: each kind of build's length is cut into equal
    slices and each slice gets one moment, at random within it. The length is
    measured first, and shortened whenever a build finishes before its Ctrl-C
    (on a busy machine the first measure can be long); such a moment is tried
    again, so that 30 builds are interrupted.
    """
    root, sites, inputs = corpus
    site = root / "site"
    # Python's own start (site-packages) is beyond briefgen: Ctrl-C then gets Python's traceback.
    # From the import of briefgen on, it must be one line.
    start = max(_seconds(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True)) for _ in range(3))
    earliest = 3 * start
    lengths = {}  # how long each kind of build takes here, start-up included; it ends at 'old'
    for mode, version in (("cold", "new"), ("cached", "old")):
        inputs.write(version)
        command = _build_command(root, mode)
        lengths[mode] = _seconds(lambda command=command: subprocess.run(command, capture_output=True, check=True))
    assert snapshot(site) == sites["old"]
    rng = random.Random(int(os.environ.get("BRIEFGEN_CTRL_C_SEED", "5")))
    modes = ["cached" if i % 2 else "cold" for i in range(CTRL_C_MOMENTS)]
    moments = []  # (kind of build, where in it from 0 to 1)
    for mode in ("cold", "cached"):
        slices = modes.count(mode)
        moments += [(mode, (n + rng.random()) / slices) for n in range(slices)]
    rng.shuffle(moments)
    current, interrupted, finished = "old", 0, 0
    while moments:
        mode, fraction = moments.pop()
        delay = earliest + fraction * max(lengths[mode] - earliest, 0.1)
        target = "new" if current == "old" else "old"
        inputs.write(target)
        process = subprocess.Popen(
            _build_command(root, mode),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGINT)  # as a terminal sends it: to the build and its workers
        what = f"Ctrl-C after {delay:.2f} s of a {mode} build (of {lengths[mode]:.2f} s)"
        out, errors = _stopped(process, what)
        now = snapshot(site)
        assert "Traceback" not in errors, f"{what}:\n{errors}"
        assert process.returncode in {0, 130}, f"{what}: exit status {process.returncode}\n{errors}"
        assert leftovers(root) == [], what
        if process.returncode == 130:
            interrupted += 1
            assert errors == "briefgen: interrupted\n", what
            # Its summary is printed only once the new site is in place.
            assert out == "" or (out.startswith("built ") and now == sites[target]), what
            assert now in (sites[current], sites[target]), f"{what}: {describe(now, sites)}"
        else:  # it had finished: a whole new site
            finished += 1
            assert out.startswith("built "), f"{what}: {errors}"
            assert now == sites[target], f"{what}: {describe(now, sites)}"
            assert finished <= CTRL_C_MOMENTS, "builds keep finishing before their Ctrl-C"
            lengths[mode] = min(lengths[mode], delay)
            moments.insert(0, (mode, rng.random()))
        current = "new" if now == sites["new"] else "old"
    assert interrupted == CTRL_C_MOMENTS


@pytest.mark.parametrize("raised", [OSError(9, "Bad file descriptor"), BriefgenError("the index could not be made")])
def test_an_error_raised_while_a_ctrl_c_unwinds_the_build_is_still_an_interruption(
    raised: Exception, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The Ctrl-C test met 'briefgen: Bad file descriptor' and exit status 1 once: a clean-up that
    failed while the Ctrl-C unwound the build. The user pressed Ctrl-C; that is what they are told."""

    def interrupted_then_failing(root: Path, **_: object) -> None:
        try:
            raise KeyboardInterrupt
        finally:
            raise raised

    monkeypatch.setattr(cli, "build_site", interrupted_then_failing)
    assert cli.main(["build", "--root", str(tmp_path)]) == 130
    assert capsys.readouterr().err == "briefgen: interrupted\n"

    # The same error without a Ctrl-C behind it is an error.
    def failing(root: Path, **_: object) -> None:
        raise type(raised)(*raised.args)

    monkeypatch.setattr(cli, "build_site", failing)
    assert cli.main(["build", "--root", str(tmp_path)]) == 1
    assert capsys.readouterr().err.startswith("briefgen: ")


def test_no_finalizer_of_briefgen_can_swallow_a_ctrl_c() -> None:
    """A Ctrl-C that lands while Python runs an object's __del__ is printed as 'Exception ignored
    in ...' with a traceback, and lost: the Ctrl-C test met one in PackedBodies.__del__ at the end
    of a build. briefgen's objects hold files as file objects, which close in C, not in a __del__."""
    source = Path(briefgen_package.__file__).parent
    finalizers = [str(path.relative_to(source)) for path in source.rglob("*.py") if "def __del__(" in path.read_text()]
    assert finalizers == []


FINALIZER_INTERRUPTED = """
import sys, time
from briefgen.__main__ import main
import briefgen.cli

class Finalized:
    def __del__(self):
        raise KeyboardInterrupt  # where a Ctrl-C lands when it comes during a finalizer

def build(argv=None):
    Finalized()  # dropped at once: its finalizer runs here
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        time.sleep(0.01)
    print("the Ctrl-C was lost")
    return 0

briefgen.cli.main = build
sys.exit(main())
"""


def test_a_ctrl_c_that_lands_in_a_finalizer_still_stops_briefgen() -> None:
    """The CI's Ctrl-C test met a Ctrl-C inside the weak-reference callback that drops an
    import's module lock: Python printed 'Exception ignored in ... Traceback', lost the
    Ctrl-C, and the build went on. The entry point delivers such a Ctrl-C again."""
    done = subprocess.run(
        [sys.executable, "-c", FINALIZER_INTERRUPTED], check=False, capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout, done.stderr) == (130, "", "briefgen: interrupted\n")


CLASS_INTERRUPTED = """
import sys
from briefgen.__main__ import main
import briefgen.cli

class Field:
    def __set_name__(self, owner, name):
        raise KeyboardInterrupt  # where a Ctrl-C lands while a dataclass is made, as a module is imported

def build(argv=None):
    class Registry:
        terms = Field()
    print("the Ctrl-C was lost")
    return 0

briefgen.cli.main = build
sys.exit(main())
"""


def test_a_ctrl_c_while_a_class_is_made_is_one_line() -> None:
    """The Ctrl-C test met a Ctrl-C during the import of briefgen.gazetteer, in dataclasses'
    __set_name__: Python 3.11 raises it as 'RuntimeError: Error calling __set_name__', caused
    by the KeyboardInterrupt, and briefgen printed that traceback."""
    done = subprocess.run(
        [sys.executable, "-c", CLASS_INTERRUPTED], check=False, capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout, done.stderr) == (130, "", "briefgen: interrupted\n")


def test_dropped_pack_readers_and_writers_close_their_files(tmp_path: Path) -> None:
    from briefgen.incremental.packs import PackedBodies, PackWriter  # noqa: PLC0415

    def open_files() -> int:
        return len(os.listdir("/proc/self/fd"))

    before = open_files()
    writer = PackWriter(tmp_path)
    packed = writer.append(pickle.dumps(("<p>Text.</p>", ())), b"[]")
    reader = PackedBodies({"a.md": packed})
    assert reader.notes_json(SimpleNamespace(path="a.md")) == "[]"  # type: ignore[arg-type] # reads only .path
    assert open_files() == before + 2
    del writer, reader
    assert open_files() == before


def _seconds(action: Callable[[], object]) -> float:
    began = time.monotonic()
    action()
    return time.monotonic() - began


def _build_command(root: Path, mode: str) -> list[str]:
    return briefgen("build", "--root", str(root), *(["--no-cache"] if mode == "cold" else []))


def _stopped(process: subprocess.Popen[str], what: str) -> tuple[str, str]:
    """The output of a build sent Ctrl-C; a build that has not stopped by the deadline fails the test, its
    Python stacks shown when py-spy is installed."""
    try:
        return process.communicate(timeout=STOP_DEADLINE)
    except subprocess.TimeoutExpired:
        pass
    stacks = "(install py-spy to see where it hangs)"
    spy = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if spy is not None:
        dump = subprocess.run(
            [spy, "dump", "--pid", str(process.pid)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        stacks = dump.stdout + dump.stderr
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate()
    pytest.fail(f"{what}: the build had not stopped {STOP_DEADLINE:.0f} s later; it hung here:\n{stacks}")


# --- what a killed build leaves behind --------------------------------------------------


@pytest.fixture
def built(make_site: MakeSite) -> Path:
    root = make_site({"briefings/a.md": briefing_text(), "briefings/b.md": briefing_text(title="Second")})
    build_site(root)
    return root


def test_a_swap_killed_between_its_two_renames_gets_the_last_site_back(built: Path) -> None:
    # Without renameat2 the swap is two renames: site -> .site.briefgen-old, staging -> site.
    site = built / "site"
    before = snapshot(site)
    site.rename(built / f".site.{OLD_SUFFIX}")
    staging = built / f".site.{STAGING_SUFFIX}"
    (staging / "briefings").mkdir(parents=True)
    (staging / MARKER).write_text("")
    recover_interrupted(site)
    assert snapshot(site) == before
    assert leftovers(built) == []


@pytest.mark.parametrize("suffix", [STAGING_SUFFIX, UPDATE_SUFFIX, OLD_SUFFIX])
def test_leftovers_of_a_killed_build_are_removed_by_the_next(built: Path, suffix: str) -> None:
    before = snapshot(built / "site")
    leftover = built / f".site.{suffix}"
    (leftover / "briefings" / "half").mkdir(parents=True)
    (leftover / MARKER).write_text("")  # briefgen's: the marker is written first (test_hostile_neighbours)
    (leftover / "briefings" / "half" / "index.html").write_text("<p>half a page")
    (built / "elsewhere").mkdir()
    (built / f".site.{suffix}.link").symlink_to(built / "elsewhere")
    build_site(built)
    assert snapshot(built / "site") == before
    assert leftovers(built) == [f".site.{suffix}.link"]  # not briefgen's name: left alone
    assert (built / "elsewhere").is_dir()


def test_a_leftover_that_is_a_link_is_unlinked_never_followed(built: Path) -> None:
    precious = built / "precious"
    precious.mkdir()
    (precious / "work.md").write_text("an editor's work")
    (built / f".site.{STAGING_SUFFIX}").symlink_to(precious, target_is_directory=True)
    build_site(built)
    assert (precious / "work.md").read_text() == "an editor's work"
    assert leftovers(built) == []


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"not a pickle at all",
        pickle.dumps({"a": "dict"}),
        pickle.dumps(CacheState())[:-1],
        bytes(range(256)) * 4,
        b"\x80\x05\x95\xff\xff\xff\xff\xff\xff\xff\x7f",  # a frame claiming to be enormous
    ],
)
def test_a_damaged_cache_is_only_a_slower_build(built: Path, damage: bytes) -> None:
    before = snapshot(built / "site")
    index = next((built / CACHE_DIR).glob("index-*.pickle"))
    index.write_bytes(damage)
    (built / CACHE_DIR / ".tmp-left-by-a-kill").write_bytes(b"half an index")
    (built / "briefings" / "b.md").write_text(briefing_text(title="Second, corrected"))
    report = build_site(built)
    assert report.rendered == report.pages  # nothing was trusted
    assert snapshot(built / "site") != before
    assert leftovers(built) == []


def test_a_build_without_the_cache_is_never_mistaken_for_the_cached_one(built: Path, tmp_path: Path) -> None:
    # The cache described the site of 'Second'; a --no-cache build then put a site of 'Other'
    # in its place. Going back to 'Second' must not keep the 'Other' page (same size).
    (built / "briefings" / "b.md").write_text(briefing_text(title="Other!"))
    build_site(built, use_cache=False)
    (built / "briefings" / "b.md").write_text(briefing_text(title="Second"))
    build_site(built)
    build_site(built, output=tmp_path / "cold", use_cache=False)
    assert snapshot(built / "site") == snapshot(tmp_path / "cold")


def test_a_build_into_a_copy_of_the_site_is_rebuilt_whole(built: Path, tmp_path: Path) -> None:
    # A site restored by hand (from a backup, say) is not the folder the cache describes.
    site = built / "site"
    backup = tmp_path / "backup"
    shutil.copytree(site, backup)
    (built / "briefings" / "b.md").write_text(briefing_text(title="Newer"))
    build_site(built)
    shutil.rmtree(site)
    shutil.copytree(backup, site)  # the older site is back, the cache says 'Newer'
    build_site(built)
    build_site(built, output=tmp_path / "cold", use_cache=False)
    assert snapshot(site) == snapshot(tmp_path / "cold")
