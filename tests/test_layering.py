"""The pipeline's direction, enforced: every import in src/briefgen goes down the README's diagram.

The layers below are the README's diagram (Development), lowest first. A
module may import from a lower layer, never from its own or a higher one,
with one exception: a fast path and the reference it accelerates import each
other (fast/markdown.py reads markdown.py's types). The stages know no cache:
load.py asks a ParseCache (parsecache.py), which the engine's cache satisfies,
and render.py takes the Jinja bytecode cache it is handed. A new import
against the direction fails here; so does a module missing from the layers,
so that the diagram stays the code's.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "briefgen"

LAYERS: tuple[frozenset[str], ...] = tuple(
    frozenset(layer.split())
    for layer in (
        # foundations: no stage of the pipeline
        "__init__",
        "errors slugs links svg basemap interrupts installspec searchbundle fast.switch fast filestate "
        "languages pagefindformat",
        "maps pagefindwords pagefindmarshal",
        "pagefindcolumns",
        "model pagefindassembly",
        "pagefindkept",
        "model",
        "digests fast.exports",
        # reading: files -> typed briefings
        "yamlnodes",
        "yamlfields fast.yamlfields",
        "labelconfig",
        "config",
        "gazetteer",
        "markdown_rules",
        "markdown_checks fast.bodygate",
        "markdown fast.markdown",
        "published",
        "parallel parsecache frontmatter translations",
        "parse",
        "load",
        # shaping: briefings -> listings -> pages
        "urls",
        "index",
        "calendars related filters atlas",
        "searchdocs",
        "searchrun fast.searchrun",
        "contexts",
        "plan",
        "render",
        "exports",
        # writing: pages -> files on disk
        "neighbours",
        "write lock",
        # the incremental engine, wrapping the pipeline; search, which it feeds
        "incremental.sealed",
        "incremental.packs incremental.searchentries",
        "incremental.pickling incremental.reads incremental.fingerprint",
        "incremental",
        "incremental.templates",
        "incremental.cacheindex",
        "incremental.cache",
        "searchstate",
        "search",
        "incremental.site",
        # the pipeline read top to bottom (its rendering and writing in workers below it), and what drives it
        "publish",
        "build",
        "progress preview scaffold",
        "serve",
        "cli",
        "__main__",
    )
)

PAIRS = {
    pair
    for reference in ("markdown", "yamlfields", "searchrun")
    for pair in ((reference, f"fast.{reference}"), (f"fast.{reference}", reference))
}
"""A fast path and its reference: the reference takes the shortcut; the shortcut reads the reference's types."""


def module_name(path: Path, source: Path = SOURCE) -> str:
    parts = path.relative_to(source).with_suffix("").parts
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    """The briefgen modules a file imports, by name within the package (`from briefgen.fast import switch`
    is fast.switch; `from briefgen import __version__` is the package itself, __init__)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name.removeprefix("briefgen.") for a in node.names if a.name.startswith("briefgen."))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and _in_briefgen(node.module):
            base = str(node.module).removeprefix("briefgen").removeprefix(".")
            for alias in node.names:
                candidate = f"{base}.{alias.name}" if base else alias.name
                found.add(candidate if is_module(candidate) else base or "__init__")
    return found


def _in_briefgen(module: str | None) -> bool:
    return module is not None and (module == "briefgen" or module.startswith("briefgen."))


def is_module(name: str) -> bool:
    path = SOURCE.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def layer_of(name: str) -> int:
    for number, layer in enumerate(LAYERS):
        if name in layer:
            return number
    raise AssertionError(f"{name} is in no layer: add it to LAYERS and to the README's diagram")


def against_the_direction(source: Path = SOURCE) -> list[str]:
    """Every import of a module from its own layer or a higher one, as 'importer -> imported'."""
    wrong = []
    for path in sorted(source.rglob("*.py")):
        importer = module_name(path, source)
        for imported in sorted(imported_modules(path)):
            if imported == importer or (importer, imported) in PAIRS:
                continue
            if importer.startswith(f"{imported}.") and imported != "__init__":
                continue  # a subpackage's module and its own package docstring
            if layer_of(imported) >= layer_of(importer):
                wrong.append(f"{importer} -> {imported}")
    return wrong


def test_every_import_goes_down_the_pipeline() -> None:
    assert against_the_direction() == []


def test_every_module_is_in_a_layer() -> None:
    for path in SOURCE.rglob("*.py"):
        layer_of(module_name(path))


@pytest.mark.parametrize(
    ("importer", "line"),
    [
        ("index.py", "from briefgen.render import SiteUrls\n"),  # sideways, and up: shaping reads rendering
        ("model.py", "from briefgen import config\n"),  # the model reads nothing
        ("load.py", "from briefgen.write import MARKER\n"),  # reading reaches into writing
        ("render.py", "from briefgen.incremental.reads import RecordingBodies\n"),  # the engine is above render
        ("load.py", "from briefgen.incremental.cache import BuildCache\n"),  # loading knows a ParseCache only
        ("load.py", "from briefgen.incremental.fingerprint import digest\n"),  # digests.py is below both
        ("render.py", "from briefgen.incremental.sealed import read_sealed\n"),  # the bytecode cache is handed in
        ("parse.py", "from briefgen.load import relative\n"),  # one file knows nothing of the archive's walk
        ("parsecache.py", "from briefgen.incremental.packs import PackedBody\n"),  # the protocol is below the engine
    ],
)
def test_an_import_against_the_direction_fails(tmp_path: Path, importer: str, line: str) -> None:
    copy = tmp_path / "briefgen"
    for path in SOURCE.rglob("*.py"):
        target = copy / path.relative_to(SOURCE)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text("utf-8"), "utf-8")
    (copy / importer).write_text((copy / importer).read_text("utf-8") + line, "utf-8")
    assert against_the_direction(copy) != []
