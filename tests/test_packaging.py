"""The package as a newcomer gets it: built with `python -m build`, installed into a fresh
virtual environment outside the repository, then `briefgen init` and `briefgen build`; the
release's check of the sdist and wheel; and the install line that `init` writes, run offline."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import lxml.html
import pytest
import yaml

from briefgen import __version__
from briefgen.cli import main
from briefgen.scaffold import PAGES_WORKFLOW

REPO_ROOT = Path(__file__).resolve().parents[1]
CLEAN_ENV = {key: value for key, value in os.environ.items() if key not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}}
"""Nothing of the test run's own environment may leak into the fresh one."""


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=CLEAN_ENV if env is None else env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"{' '.join(map(str, args))} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def fresh_venv(folder: Path) -> Path:
    """A fresh virtual environment, without the pip that `venv` installs by default: that install is 8 s of
    CPU a venv here, and these tests make three. pip comes from this environment instead (see the tests)."""
    run(sys.executable, "-m", "venv", "--without-pip", folder, cwd=folder.parent)
    return folder


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """briefgen's sdist and wheel, built once for this module as the release workflow builds them.

    `python -m build` makes the sdist, then the wheel from the sdist, each in an isolated
    environment that gets hatchling from the configured package index.
    """
    folder = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--outdir", folder, REPO_ROOT, cwd=folder)
    return folder


@pytest.mark.slow
def test_the_built_wheel_installs_and_builds_a_new_site(tmp_path: Path, dist: Path) -> None:
    (wheel,) = dist.glob("briefgen-*.whl")
    (sdist,) = dist.glob("briefgen-*.tar.gz")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for packaged in (
        "briefgen/templates/base.html",
        "briefgen/templates/assets/briefgen.css",
        "briefgen/serve_files/reload.js",
        "briefgen/serve_files/serve.css",
        "briefgen/data/basemap-50m.json",  # the maps' country outlines (maps.py), with their source and licence
        "briefgen/data/basemap-110m.json",
        "briefgen/data/NOTICE.md",
        # The theme's labels (languages.py), read as .po: a wheel without them renders no page.
        *(f"briefgen/locales/{code}/LC_MESSAGES/briefgen.po" for code in ("ar", "en", "fr", "ru", "uk")),
    ):
        assert packaged in names
    for starter in ("briefgen.yaml", "sources.yaml", "gitignore", "pages.yml", "example-briefing.md"):
        assert f"briefgen/starter/{starter}" in names
    assert "briefgen/format.md" in names  # `briefgen help format`: an installed briefgen has no docs/
    with tarfile.open(sdist) as archive:
        assert any(name.endswith("src/briefgen/starter/pages.yml") for name in archive.getnames())

    venv = fresh_venv(tmp_path / "venv")
    # This environment's pip, installing into the fresh venv (`--python`): the wheel and its dependencies.
    run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--quiet", wheel, cwd=tmp_path)
    installed = run(venv / "bin" / "python", "-c", "import briefgen; print(briefgen.__file__)", cwd=tmp_path)
    assert Path(installed.strip()).is_relative_to(venv)
    briefgen = venv / "bin" / "briefgen"
    assert run(briefgen, "--version", cwd=tmp_path).startswith("briefgen 0.")

    assert run(briefgen, "help", "format", cwd=tmp_path) == (REPO_ROOT / "docs/format.md").read_text(encoding="utf-8")

    run(briefgen, "init", "archive", cwd=tmp_path)
    site_root = tmp_path / "archive"
    run(briefgen, "check", "--strict", cwd=site_root)
    run(briefgen, "build", cwd=site_root)
    site = site_root / "site"
    page = site / "briefings/2025/06/26/example-desk-how-a-briefing-is-written/index.html"
    for built in (site / "index.html", page, site / "feed.xml", site / ".nojekyll"):
        assert built.is_file(), built
    stylesheets = lxml.html.fromstring(page.read_bytes()).xpath("//link[@rel='stylesheet']/@href")
    assert "/assets/briefgen.css" in stylesheets
    assert (site / "assets/briefgen.css").read_bytes() == (REPO_ROOT / "templates/assets/briefgen.css").read_bytes()


@pytest.mark.slow
def test_the_sdist_and_wheel_pass_the_release_check(dist: Path) -> None:
    """What .github/workflows/release.yml checks before it publishes: metadata whole, README renders on PyPI."""
    files = sorted(dist.glob("briefgen-*"))
    assert [path.name for path in files] == [
        f"briefgen-{__version__}-py3-none-any.whl",
        f"briefgen-{__version__}.tar.gz",
    ]
    out = run(sys.executable, "-m", "twine", "check", "--strict", *files, cwd=dist)
    assert out.count("PASSED") == 2, out


# The install line that `init` writes, run offline.

DECOY_VERSION = "99.0.0"
PIP_COMMAND = """#!{python}
import sys
from pip._internal.cli.main import main
sys.exit(main())
"""
"""The `pip` command as pip installs it in a venv's bin/."""


def dependencies_of_this_environment(folder: Path) -> Path:
    """This environment's installed distributions but briefgen, as symlinks in `folder`."""
    folder.mkdir()
    site_packages = Path(sysconfig.get_paths()["purelib"])
    for distribution in importlib.metadata.distributions(path=[str(site_packages)]):
        if distribution.metadata["Name"].lower() == "briefgen":
            continue
        for top in {file.parts[0] for file in distribution.files or ()} - {".."}:
            link = folder / top
            if not link.is_symlink() and (site_packages / top).exists():
                link.symlink_to(site_packages / top)
    return folder


def decoy_wheel(folder: Path) -> None:
    """A briefgen wheel with a higher version and nothing in it: what an unpinned line would install."""
    info = f"briefgen-{DECOY_VERSION}.dist-info"
    files = {
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: briefgen\nVersion: {DECOY_VERSION}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    files[f"{info}/RECORD"] = "".join(f"{name},,\n" for name in [*files, f"{info}/RECORD"])
    with zipfile.ZipFile(folder / f"briefgen-{DECOY_VERSION}-py3-none-any.whl", "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)


def install_line(archive: Path) -> str:
    (step,) = [
        step
        for step in yaml.safe_load((archive / PAGES_WORKFLOW).read_text(encoding="utf-8"))["jobs"]["build"]["steps"]
        if step.get("name") == "Install briefgen"
    ]
    line = step["run"]
    assert isinstance(line, str)
    return line


@pytest.mark.slow
@pytest.mark.parametrize(
    "install_from", [None, f"vendor/briefgen-{__version__}-py3-none-any.whl"], ids=["pinned", "wheel"]
)
def test_the_install_line_init_writes_installs_this_briefgen_offline(
    tmp_path: Path, dist: Path, capsys: pytest.CaptureFixture[str], install_from: str | None
) -> None:
    """The `pip install ...` line of the workflow `init` wrote, run as GitHub runs it, with no network.

    The line runs as `bash -eo pipefail -c LINE` in the archive (the checkout in CI), its `pip`
    being a fresh venv's (the `pip` command that pip installs, run by the venv's Python). pip
    reads no configuration file (PIP_CONFIG_FILE=/dev/null: a machine's may point at package
    indexes) and no index at all (PIP_NO_INDEX), only a local folder of wheels (PIP_FIND_LINKS)
    standing in for PyPI: the wheel just built, when the line pins this version, and in any case
    a decoy briefgen 99.0.0 with nothing in it, as a squatter's would be, which an unpinned
    `pip install briefgen` picks and then fails on.

    briefgen's dependencies must resolve offline too. `venv --system-site-packages` cannot give
    them: a venv made from this test environment's Python sees the base interpreter's packages,
    not this environment's. Nor can a wheel folder of them, which only an index could fill.
    So every distribution installed here but briefgen is symlinked into one folder that the fresh
    venv reads through a .pth file: pip finds the dependencies already installed, and must install
    briefgen itself from what the line names, which the last asserts check. pip itself comes the
    same way (a venv's own pip is 8 s of CPU to install), with the `pip` command pip would write.
    """
    (wheel,) = dist.glob("briefgen-*.whl")
    package_index = tmp_path / "index"
    package_index.mkdir()
    decoy_wheel(package_index)
    archive = tmp_path / "archive"
    if install_from is None:
        shutil.copy(wheel, package_index)
        assert main(["init", str(archive)]) == 0
    else:
        (archive / install_from).parent.mkdir(parents=True)
        shutil.copy(wheel, archive / install_from)
        assert main(["init", str(archive), "--install-from", install_from]) == 0
    capsys.readouterr()
    line = install_line(archive)

    venv = fresh_venv(tmp_path / "venv")
    fresh_site = run(
        venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path
    )
    dependencies = dependencies_of_this_environment(tmp_path / "dependencies")
    (Path(fresh_site.strip()) / "briefgen-test-dependencies.pth").write_text(f"{dependencies}\n", encoding="utf-8")
    pip_command = venv / "bin" / "pip"
    pip_command.write_text(PIP_COMMAND.format(python=venv / "bin" / "python"), encoding="utf-8")
    pip_command.chmod(0o755)

    offline = {key: value for key, value in CLEAN_ENV.items() if not key.startswith("PIP_")}
    offline |= {
        "PATH": f"{venv / 'bin'}{os.pathsep}{offline['PATH']}",
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(package_index),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_CACHE_DIR": "1",  # nothing written outside tmp_path
    }
    run("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", line, cwd=archive, env=offline)

    installed = run(venv / "bin" / "python", "-c", "import briefgen; print(briefgen.__file__)", cwd=tmp_path)
    assert Path(installed.strip()).is_relative_to(venv)
    assert run(venv / "bin" / "briefgen", "--version", cwd=archive) == f"briefgen {__version__}\n"
