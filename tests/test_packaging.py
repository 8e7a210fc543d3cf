"""The package as a newcomer gets it: built with `python -m build`, installed into a fresh
virtual environment outside the repository, then `briefgen init` and `briefgen build`."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import lxml.html
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
CLEAN_ENV = {key: value for key, value in os.environ.items() if key not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}}
"""Nothing of the test run's own environment may leak into the fresh one."""


def run(*args: str | Path, cwd: Path) -> str:
    result = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, cwd=cwd, env=CLEAN_ENV, timeout=300, check=False
    )
    assert result.returncode == 0, f"{' '.join(map(str, args))} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.mark.slow
def test_the_built_wheel_installs_and_builds_a_new_site(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "build", "--outdir", dist, REPO_ROOT, cwd=tmp_path)  # an sdist, then a wheel from it
    (wheel,) = dist.glob("briefgen-*.whl")
    (sdist,) = dist.glob("briefgen-*.tar.gz")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for packaged in (
        "briefgen/templates/base.html",
        "briefgen/templates/assets/briefgen.css",
        "briefgen/serve_files/reload.js",
        "briefgen/serve_files/serve.css",
    ):
        assert packaged in names
    for starter in ("briefgen.yaml", "sources.yaml", "gitignore", "pages.yml", "example-briefing.md"):
        assert f"briefgen/starter/{starter}" in names
    with tarfile.open(sdist) as archive:
        assert any(name.endswith("src/briefgen/starter/pages.yml") for name in archive.getnames())

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    run(venv / "bin" / "pip", "install", "--quiet", wheel, cwd=tmp_path)
    installed = run(venv / "bin" / "python", "-c", "import briefgen; print(briefgen.__file__)", cwd=tmp_path)
    assert Path(installed.strip()).is_relative_to(venv)
    briefgen = venv / "bin" / "briefgen"
    assert run(briefgen, "--version", cwd=tmp_path).startswith("briefgen 0.")

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
