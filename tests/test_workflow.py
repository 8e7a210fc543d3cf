"""The GitHub workflows: the Pages workflow (one copy in the package, the repository's own in step
with it, and what `init` writes from it), and the release workflow. All lint-clean."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from briefgen import __version__
from briefgen.installspec import default_spec, parse_spec
from briefgen.scaffold import INSTALL_PLACEHOLDER, PAGES_WORKFLOW, STARTER_DIR, pages_workflow

REPO_ROOT = Path(__file__).resolve().parents[1]
PACKAGED = REPO_ROOT / "src" / "briefgen" / STARTER_DIR / "pages.yml"
REPOSITORY_COPY = REPO_ROOT / PAGES_WORKFLOW
RELEASE = REPO_ROOT / ".github" / "workflows" / "release.yml"
INSTALL_CHECKOUT = "run: pip install ."
PINNED_ACTION = re.compile(r"[\w-]+/[\w-]+@v\d+(\.\d+)*")
"""An action at a released version: never a branch such as @main or @release/v1."""


def actionlint() -> str:
    """The actionlint binary the test extras install beside this Python."""
    beside = Path(sys.executable).parent / "actionlint"
    found = str(beside) if beside.is_file() else shutil.which("actionlint")
    assert found, "actionlint is missing: install the test extras, pip install -e '.[test]'"
    return found


def lint(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [actionlint(), "-no-color", *map(str, paths)], capture_output=True, text=True, timeout=60, check=False
    )


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def written(tmp_path: Path, spec: str | None = None) -> Path:
    """The Pages workflow as `init` writes it, by default or with `--install-from spec`."""
    path = tmp_path / "pages.yml"
    path.write_text(pages_workflow(default_spec() if spec is None else parse_spec(spec)), encoding="utf-8")
    return path


def test_the_repository_workflow_is_the_packaged_one_installing_this_checkout() -> None:
    packaged = PACKAGED.read_text(encoding="utf-8")
    assert packaged.count(INSTALL_PLACEHOLDER) == 1
    assert REPOSITORY_COPY.read_text(encoding="utf-8") == packaged.replace(INSTALL_PLACEHOLDER, INSTALL_CHECKOUT)


def test_init_writes_the_packaged_workflow_with_only_the_install_line_filled_in(tmp_path: Path) -> None:
    packaged = PACKAGED.read_text(encoding="utf-8")
    pinned = f"run: pip install briefgen=={__version__}"
    assert written(tmp_path).read_text(encoding="utf-8") == packaged.replace(INSTALL_PLACEHOLDER, pinned)
    assert "pip install briefgen\n" not in written(tmp_path).read_text(encoding="utf-8")


@pytest.mark.parametrize("path", [PACKAGED, REPOSITORY_COPY, RELEASE], ids=["packaged", "repository", "release"])
def test_actionlint_passes(path: Path) -> None:
    result = lint(path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "spec",
    [
        None,
        "vendor/briefgen-0.1.0-py3-none-any.whl",
        "git+https://github.com/org/briefgen@v0.2.0",
        "briefgen @ https://files.example.org/a;b&c/briefgen-0.2.0-py3-none-any.whl#sha256=ab",
    ],
    ids=["default", "wheel", "git", "quoted"],
)
def test_actionlint_passes_on_what_init_writes(tmp_path: Path, spec: str | None) -> None:
    result = lint(written(tmp_path, spec))
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_would_catch_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "pages.yml"
    text = PACKAGED.read_text(encoding="utf-8")
    broken.write_text(text.replace("steps.pages.outputs.base_url", "steps.page.outputs.base_url"), encoding="utf-8")
    result = lint(broken)
    assert result.returncode != 0
    assert "page" in result.stdout


def test_the_workflow_checks_builds_and_deploys_with_least_permissions(tmp_path: Path) -> None:
    workflow = load(written(tmp_path))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["concurrency"]["group"] == "pages"
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert build["permissions"] == {"contents": "read", "pages": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["needs"] == "build"

    steps = build["steps"] + deploy["steps"]
    uses = [step["uses"] for step in steps if "uses" in step]
    assert [re.sub(r"@.*", "", action) for action in uses] == [
        "actions/checkout",
        "actions/setup-python",
        "actions/configure-pages",
        "actions/cache",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    ]
    assert all(PINNED_ACTION.fullmatch(action) for action in uses), uses
    runs = [step["run"] for step in build["steps"] if "run" in step]
    assert runs == [
        f"pip install briefgen=={__version__}",
        "briefgen check --strict",
        'briefgen build --base-url "$BASE_URL"',
    ]
    (build_step,) = [step for step in build["steps"] if step.get("run", "").startswith("briefgen build")]
    assert build_step["env"] == {"BASE_URL": "${{ steps.pages.outputs.base_url }}"}
    (cache,) = [step for step in build["steps"] if step.get("uses", "").startswith("actions/cache@")]
    assert cache["with"]["path"] == ".briefgen-cache"  # what a build reuses: search entries above all
    assert cache["with"]["key"].startswith("briefgen-${{ hashFiles('briefings/**'")
    assert cache["with"]["restore-keys"] == "briefgen-"
    (upload,) = [step for step in build["steps"] if step.get("uses", "").startswith("actions/upload-pages-artifact")]
    assert upload["with"] == {"path": "site/"}


# The release workflow


def test_the_release_runs_on_a_version_tag_and_only_its_publish_job_may_publish() -> None:
    workflow = load(RELEASE)
    triggers = workflow.get("on", workflow.get(True))
    assert triggers == {"push": {"tags": ["v*"]}}
    assert workflow["permissions"] == {"contents": "read"}
    build, publish = workflow["jobs"]["build"], workflow["jobs"]["publish"]
    assert "permissions" not in build  # the workflow's read-only default
    assert publish["needs"] == "build"
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"

    uses = [step["uses"] for job in (build, publish) for step in job["steps"] if "uses" in step]
    assert all(PINNED_ACTION.fullmatch(action) for action in uses), uses
    (upload,) = [step for step in publish["steps"] if step.get("uses", "").startswith("pypa/gh-action-pypi-publish@")]
    assert upload is publish["steps"][-1]
    assert "with" not in upload  # no password nor token: PyPI trusts this workflow, in the pypi environment
    runs = [step["run"] for step in build["steps"] if "run" in step]
    assert "python -m build" in runs
    assert any("twine check --strict dist/*" in run for run in runs)


def tag_check(tag: str, checkout: Path) -> subprocess.CompletedProcess[str]:
    """The release's tag check, run as GitHub runs a step: bash -e, in the checkout, with the tag's name."""
    (step,) = [s for s in load(RELEASE)["jobs"]["build"]["steps"] if s.get("name", "").startswith("Check that the tag")]
    assert step["env"] == {"TAG": "${{ github.ref_name }}"}
    env = {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", "TAG": tag}
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_release_stops_when_the_tag_is_not_the_version_in_the_checkout(tmp_path: Path) -> None:
    # A checkout whose version differs from the installed briefgen's: the check must read the checkout.
    package = tmp_path / "src" / "briefgen"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('__version__ = "9.8.7"\n', encoding="utf-8")
    assert tag_check("v9.8.7", tmp_path).returncode == 0
    for wrong in (f"v{__version__}", "9.8.7", "v9.8.7.1", "v9.8"):
        refused = tag_check(wrong, tmp_path)
        assert refused.returncode == 1, wrong
        assert f"::error::tag {wrong} is not v9.8.7, the version in src/briefgen/__init__.py" in refused.stdout


def test_the_release_tag_check_passes_for_this_version() -> None:
    assert tag_check(f"v{__version__}", REPO_ROOT).returncode == 0
