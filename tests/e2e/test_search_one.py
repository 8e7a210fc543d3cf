"""One search index assembled from per-briefing entries, in a real browser: it ranks as Pagefind's own index
of the same documents, and it is current after an edit.

The 300-briefing corpus is built by briefgen, its entries made by three
runs of Pagefind and assembled into one index (search.py). A copy
of that site gets instead the bundle one Pagefind run writes over the same
documents fed in the same order (what `pagefind --site` makes of a site
whose pages are those documents). The same 20 queries, run on both through
the search page, give the same number of results and the same first ten, in
the same order: Pagefind ranks with statistics over a language's whole
index, and the assembled index is that index. (The index in parts merged by
the search page, which issue 19 rejected, shared 0.575 of the first ten on
average.) Then a briefing is edited and the site rebuilt: the new word is
found, and only the index's files that changed were moved in.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from briefgen import searchrun
from briefgen.build import build_site
from briefgen.load import load_archive
from briefgen.search import SearchStep
from briefgen.searchbundle import UNUSED_FILES, make_reproducible
from briefgen.searchdocs import EXCLUDED
from briefgen.searchrun import find_pagefind
from tests.e2e.conftest import PREFIX
from tests.e2e.readers import browse
from tests.e2e.test_search import result_count, results
from tests.pagefindfeed import write_bundle
from tests.sitetools import make_corpus, serve

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.e2e

BRIEFINGS = 300
LENGTH = 0.5
"""Of an ISW report's length: each query still finds more than ten briefings, and the builds take half the time."""
QUERIES = (
    "ammunition", "Mobilization", "Shelter", "Western", "Technological", "Narratives", "Occupied", "Industrial",
    "Adaptations", "Generation", "Pokrovsk", "Gaza", "sanctions", "missile", "displacement", "famine", "grain",
    "drone", "air defense", "negotiations",
)  # fmt: skip
"""Words of the corpus's reports, each found in more than ten of the 300 briefings."""


@pytest.fixture(scope="module")
def two_sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[Path, str]]]:
    """The corpus built by briefgen ("assembled"), and a copy with Pagefind's own one-run bundle ("pagefind")."""
    root = make_corpus(tmp_path_factory.mktemp("e2e-one") / "root", briefings=BRIEFINGS, length=LENGTH)
    served: dict[str, tuple[Path, str]] = {}
    with ExitStack() as stack:
        outputs = {name: tmp_path_factory.mktemp(f"e2e-one-{name}") / "site" for name in ("assembled", "pagefind")}
        addresses = {name: stack.enter_context(serve(output, PREFIX)) for name, output in outputs.items()}
        # The same base URL for both: the pages are the same; each is served under its own port.
        # The entries come from three runs of Pagefind, as a build of 2,000 to 3,000 briefings makes them.
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(searchrun, "BATCH_MOST", 100)
            build_site(root, output=outputs["assembled"], base_url=PREFIX, use_cache=False)
        shutil.copytree(outputs["assembled"], outputs["pagefind"], dirs_exist_ok=True)
        one_run_bundle(root, outputs["pagefind"] / "pagefind")
        served = {name: (outputs[name], addresses[name]) for name in outputs}
        yield served


def one_run_bundle(root: Path, bundle: Path) -> None:
    """Pagefind's own bundle of every briefing's document, fed in the index's order in one run."""
    pagefind = find_pagefind()
    assert not isinstance(pagefind, str), pagefind
    archive, _ = load_archive(root, base_url=PREFIX)
    step = SearchStep(pagefind, bundle.parent, None, archive=archive)
    shutil.rmtree(bundle)
    documents = [(document.url, document.html) for document in step.documents]
    write_bundle(documents, bundle, EXCLUDED, UNUSED_FILES)
    make_reproducible(bundle)


def first_results(browser: Browser, address: str) -> dict[str, tuple[list[str], int]]:
    """For each query, the search page's results (their addresses) and its count of them. One visit types
    query after query into the page's box, as a reader does (a page load or a browser context for each
    was most of the suite's longest test)."""
    found = {}
    with browse(browser, f"{address}search/?q={QUERIES[0]}") as visit:
        box = visit.page.locator(".search-input")
        for number, words in enumerate(QUERIES):
            if number:
                box.fill(words)
                box.press("Enter")
            found[words] = ([r["href"] for r in results(visit.page)], result_count(visit.page))
            assert visit.page.url.endswith(f"?q={words.replace(' ', '%20')}"), "the page searched for another query"
    assert visit.problems == []
    return found


def test_the_assembled_index_ranks_as_pagefinds_own_index_of_the_same_documents(
    two_sites: dict[str, tuple[Path, str]], browser: Browser
) -> None:
    assembled, pagefind = (two_sites[name][0] / "pagefind" for name in ("assembled", "pagefind"))
    assert sorted(p.name for p in (assembled / "index").iterdir()) == sorted(
        p.name for p in (pagefind / "index").iterdir()
    ), "the word chunks are Pagefind's own, named by their bytes"
    one = first_results(browser, two_sites["pagefind"][1])
    ours = first_results(browser, two_sites["assembled"][1])
    differ = {words: (one[words], ours[words]) for words in QUERIES if ours[words] != one[words]}
    assert differ == {}, "(Pagefind's own, assembled): " + repr(differ)
    assert [words for words in QUERIES if len(one[words][0]) != 10] == []


def test_an_excerpt_starts_at_the_text_not_the_byline(two_sites: dict[str, tuple[Path, str]], browser: Browser) -> None:
    with browse(browser, f"{two_sites['assembled'][1]}search/?q=famine") as visit:
        excerpts = [r["excerpt"] for r in results(visit.page)]
    assert excerpts
    for excerpt in excerpts:
        assert "famine" in excerpt.lower()
        assert not re.search(r"\b(by|Read the original|Key takeaways|Notes)\b", excerpt[:60]), excerpt


def test_a_word_added_by_an_edit_is_found_after_the_rebuild(tmp_path: Path, browser: Browser) -> None:
    root = make_corpus(tmp_path / "root", briefings=120, length=0.3)
    output = root / "site"
    with serve(output, PREFIX) as address:
        build_site(root, output=output, base_url=address)
        before = files_and_times(output / "pagefind")
        edited = sorted((root / "briefings").rglob("*.md"))[60]
        edited.write_text(edited.read_text("utf-8") + "\nThe zanzibarite convoy was seen.\n", "utf-8")
        build_site(root, output=output, base_url=address)
        with browse(browser, f"{address}search/?q=zanzibarite") as visit:
            found = results(visit.page)
        assert visit.problems == []
    assert len(found) == 1
    assert "zanzibarite" in found[0]["excerpt"]
    after = files_and_times(output / "pagefind")
    fragments = [name for name in after if name.startswith("fragment/") and before.get(name) != after[name]]
    assert len(fragments) == 1, fragments  # the edited page's; every other fragment was left as it was


def files_and_times(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}
