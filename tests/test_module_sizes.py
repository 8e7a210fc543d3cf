"""No module over about 400 lines without a reason given in its docstring (issue 17).

A module that grows past MAX_LINES usually holds more than one idea: split it
along its seam, into a module placed in tests/test_layering.py's LAYERS and the
README's diagram. One that a split would only scatter says so in its docstring,
in a sentence that says "over 400 lines" and gives the reason. The modules
still waiting for their split are listed in NOT_SPLIT_YET, each with why; one
split is taken off the list, so that it cannot grow back unnoticed.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.test_layering import SOURCE, module_name

MAX_LINES = 400
REASON = "over 400 lines"
"""What a long module's docstring says, followed by why it is long."""

NOT_SPLIT_YET: dict[str, str] = {}
"""Modules over MAX_LINES with no reason in their docstring yet, each with what is to be done."""


def long_modules(source: Path = SOURCE) -> dict[str, int]:
    """Every module over MAX_LINES, with its length in lines."""
    found = {}
    for path in sorted(source.rglob("*.py")):
        lines = len(path.read_text("utf-8").splitlines())
        if lines > MAX_LINES:
            found[module_name(path, source)] = lines
    return found


def says_why_it_is_long(path: Path) -> bool:
    docstring = ast.get_docstring(ast.parse(path.read_text("utf-8"))) or ""
    return REASON in " ".join(docstring.lower().split())


def path_of(name: str, source: Path = SOURCE) -> Path:
    path = source.joinpath(*name.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def test_no_module_is_long_without_saying_why() -> None:
    unexplained = {
        name: lines
        for name, lines in long_modules().items()
        if name not in NOT_SPLIT_YET and not says_why_it_is_long(path_of(name))
    }
    assert unexplained == {}, f"split these along a seam, or say why in the docstring ('{REASON}...')"


def test_every_module_not_split_yet_is_still_long() -> None:
    # Split (or explained) at last: take it off NOT_SPLIT_YET.
    assert set(NOT_SPLIT_YET) <= set(long_modules())
    assert not [name for name in NOT_SPLIT_YET if says_why_it_is_long(path_of(name))]


def test_a_long_module_without_a_reason_fails(tmp_path: Path) -> None:
    package = tmp_path / "briefgen"
    package.mkdir()
    (package / "short.py").write_text('"""Short."""\n', "utf-8")
    body = "x = 1\n" * MAX_LINES
    (package / "grown.py").write_text('"""One job, and then another."""\n' + body, "utf-8")
    (package / "explained.py").write_text('"""One job.\n\nOver 400 lines: a table of cases.\n"""\n' + body, "utf-8")
    assert set(long_modules(package)) == {"grown", "explained"}
    assert not says_why_it_is_long(path_of("grown", package))
    assert says_why_it_is_long(path_of("explained", package))
