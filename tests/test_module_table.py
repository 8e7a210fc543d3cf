"""The README's Development section names every module: in its diagram of the layers, and a row of the table.

tests/test_layering.py holds the code to the layers; this holds the README to
the code, so that a module added (or split off another) is described where a
newcomer looks first.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.sitetools import REPO_ROOT
from tests.test_layering import SOURCE

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def modules(source: Path = SOURCE) -> list[str]:
    """Every module by its path in the package ('write.py', 'fast/markdown.py'), packages' __init__ left out."""
    paths = sorted(path.relative_to(source).as_posix() for path in source.rglob("*.py"))
    return [path for path in paths if path != "__init__.py" and not path.endswith("/__init__.py")]


def diagram(readme: str = README) -> str:
    development = readme[readme.index("## Development") :]
    return development[development.index("```\n") + 4 : development.index("\n```", development.index("```\n") + 4)]


def table_rows(readme: str = README) -> set[str]:
    return set(re.findall(r"^\| `([^`]+\.py)` \|", readme, flags=re.MULTILINE))


def test_every_module_has_a_row_in_the_table() -> None:
    assert [module for module in modules() if module not in table_rows()] == []
    assert sorted(table_rows() - set(modules())) == [], "a row for a module that is gone"


def test_every_module_is_in_the_diagram() -> None:
    words = set(re.findall(r"[A-Za-z_]+", diagram()))
    assert [module for module in modules() if Path(module).stem not in words] == []
