"""The GitHub Pages workflow: one copy in the package, the repository's own in step with it,
and what `init` writes from it. All lint-clean."""

from __future__ import annotations

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


@pytest.mark.parametrize("path", [PACKAGED, REPOSITORY_COPY], ids=["packaged", "repository"])
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
    (upload,) = [step for step in build["steps"] if step.get("uses", "").startswith("actions/upload-pages-artifact")]
    assert upload["with"] == {"path": "site/"}
