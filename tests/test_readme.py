"""The README's promises that CI depends on."""

from __future__ import annotations

import re

from tests.sitetools import REPO_ROOT


def fenced_commands(text: str) -> list[str]:
    return re.findall(r"```sh\n(.+?)\n```", text)


def test_readme_starts_with_the_build_and_the_test_command() -> None:
    commands = fenced_commands((REPO_ROOT / "README.md").read_text(encoding="utf-8"))
    assert "briefgen build" in commands[0]
    assert "scripts/install-test-deps.sh" in commands[1]
    assert "pytest" in commands[1]
    # The install script sets up the test extras, besides the browser and the checkers.
    script = (REPO_ROOT / "scripts" / "install-test-deps.sh").read_text(encoding="utf-8")
    assert "-e '.[test]'" in script


def test_ci_runs_the_readme_test_command_word_for_word() -> None:
    test_command = fenced_commands((REPO_ROOT / "README.md").read_text(encoding="utf-8"))[1]
    ci_lines = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test_command in ci_lines


def test_every_file_the_readme_links_to_is_in_the_repository() -> None:
    """Links and images to the repository's own files (docs/format.md, the screenshots): a moved file breaks them."""
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    targets = {match.split("#", 1)[0] for match in re.findall(r"\]\(([^)\s]+)\)", text)}
    local = sorted(t for t in targets if t and not re.match(r"[a-z]+:", t))
    assert "docs/images/place-page.png" in local and "docs/images/arabic-briefing.png" in local
    assert [t for t in local if not (REPO_ROOT / t).is_file()] == []
