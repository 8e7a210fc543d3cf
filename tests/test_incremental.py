"""The build cache never serves stale output: every incremental build equals a cold one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from briefgen import build as build_module
from briefgen import publish, searchstate
from briefgen.build import build_site
from briefgen.errors import ArchiveError
from briefgen.incremental.cache import CACHE_DIR
from briefgen.incremental.packs import PackWriter
from briefgen.incremental.sealed import unseal
from briefgen.neighbours import MARKER, TWIN_SUFFIX, UPDATE_SUFFIX
from briefgen.parallel import MIN_ITEMS_PER_WORKER
from briefgen.write import TWIN_RECORD
from tests.sitetools import make_corpus, snapshot

BRIEFINGS = 60
"""Enough for every kind of page and shared terms; parsed in one process (see `parallel_corpus`)."""
LENGTH = 0.3
"""Of an ISW-sized report: what the cache keeps and finds stale does not depend on a text's length, and
these tests build whole sites four or five times each. `parallel_corpus`, whose packs fill up, stays full size."""


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """Built without search: most tests here are about the cache, and Pagefind would be a third of their time."""
    root = make_corpus(tmp_path / "corpus", briefings=BRIEFINGS, sources=3, length=LENGTH)
    build_site(root, search=False)
    return root


@pytest.fixture
def searched_corpus(tmp_path: Path) -> Path:
    """Built with search, as the publishing workflow builds: for the tests about the search index's updates."""
    root = make_corpus(tmp_path / "corpus", briefings=BRIEFINGS, sources=3, length=LENGTH)
    build_site(root)
    return root


@pytest.fixture
def parallel_corpus(tmp_path: Path) -> Path:
    """Large enough for two parsing processes (parallel.MIN_ITEMS_PER_WORKER each), each writing its packs."""
    root = make_corpus(tmp_path / "corpus", briefings=2 * MIN_ITEMS_PER_WORKER + 2, sources=3)
    build_site(root, search=False)  # what it tests is the cache's, not the search index's
    return root


def assert_same_as_cold(root: Path, tmp_path: Path, *, search: bool = False) -> None:
    cold = tmp_path / "cold"
    shutil.rmtree(cold, ignore_errors=True)
    build_site(root, output=cold, use_cache=False, search=search)
    assert snapshot(root / "site") == snapshot(cold)


def some_briefing(root: Path, index: int = 40) -> Path:
    return sorted((root / "briefings").rglob("*.md"))[index]


def edit_text(root: Path) -> None:
    path = some_briefing(root)
    path.write_text(path.read_text("utf-8") + "\nA correction was added.[1]\n", "utf-8")


def rename_source(root: Path) -> None:
    settings = root / "sources.yaml"
    settings.write_text(settings.read_text("utf-8").replace("Wilson Center", "The Wilson Center"), "utf-8")


def change_template(root: Path) -> None:
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates" / "404.html").write_text("{% extends 'base.html' %}{% block content %}gone{% endblock %}\n")


def change_setting(root: Path) -> None:
    with (root / "briefgen.yaml").open("a", encoding="utf-8") as settings:
        settings.write("per_page: 7\n")


def delete_briefing(root: Path) -> None:
    some_briefing(root).unlink()


def add_tag(root: Path) -> None:
    # One briefing gains a tag: its related briefings change, and it joins others' related lists,
    # the tag's page, counts per source and feeds (Atom and JSON), and the search filters.
    path = some_briefing(root, 30)
    text = path.read_text("utf-8")
    start = text.index("tags: [")
    path.write_text(text[:start] + "tags: [a-new-topic, " + text[start + len("tags: [") :], "utf-8")


def add_place(root: Path) -> None:
    path = some_briefing(root, 35)
    text = path.read_text("utf-8")
    start = text.index("places: [")
    path.write_text(text[:start] + 'places: ["Huliaipole", ' + text[start + len("places: [") :], "utf-8")


def add_briefing_on_a_new_day(root: Path) -> None:
    # A day with no briefing gains one: the calendars of its year and of all dates change.
    folder = root / "briefings" / "2022" / "03" / "05"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "isw-late.md").write_text(
        "---\ntitle: A late addition\ndate: 2022-03-05\nsource: isw\ntags: [drones]\n---\nText.\n", "utf-8"
    )


def retitle_briefing(root: Path, index: int = 45) -> None:
    path = some_briefing(root, index)
    text = path.read_text("utf-8")
    start = text.index("title: ")
    end = text.index("\n", start)
    path.write_text(text[:start] + 'title: "A new title"' + text[end:], "utf-8")


CHANGES = {
    "with search": (edit_text, add_tag),
    "without search": (
        rename_source,
        change_template,
        change_setting,
        delete_briefing,
        retitle_briefing,
        add_place,
        add_briefing_on_a_new_day,
    ),
}
"""Each kind of change, made one after the other to one corpus. Two are made with the search index: a text edit
(the everyday one, new words to find) and a new topic (a new filter value); the others change what the index is
made from no differently."""
RENDER_EVERYTHING = (change_template, change_setting, rename_source)
"""What every page may show: these changes render the whole site again."""


@pytest.mark.parametrize("kind", CHANGES)
def test_each_change_in_turn_builds_what_a_cold_build_builds(tmp_path: Path, kind: str) -> None:
    """After each change, the incremental build equals a cold build of the same input. The changes come one
    after the other, as an editor's do: each incremental build starts from the one before, not from a cold one."""
    search = kind == "with search"
    corpus = make_corpus(tmp_path / "corpus", briefings=BRIEFINGS, sources=3, length=LENGTH)
    build_site(corpus, search=search)
    for change in CHANGES[kind]:
        change(corpus)
        report = build_site(corpus, search=search)
        assert report.rendered < report.pages or change in RENDER_EVERYTHING, change.__name__
        cold = tmp_path / "cold"
        shutil.rmtree(cold, ignore_errors=True)
        build_site(corpus, output=cold, use_cache=False, search=search)
        assert snapshot(corpus / "site") == snapshot(cold), f"after {change.__name__}"


def test_a_no_op_build_renders_and_writes_nothing(searched_corpus: Path) -> None:
    corpus = searched_corpus
    before = {p: p.stat().st_mtime_ns for p in (corpus / "site").rglob("*") if p.is_file()}
    report = build_site(corpus)
    assert (report.rendered, report.written) == (0, 0)
    assert {p: p.stat().st_mtime_ns for p in (corpus / "site").rglob("*") if p.is_file()} == before


def test_unchanged_files_keep_their_modification_time(searched_corpus: Path, tmp_path: Path) -> None:
    corpus = searched_corpus
    site = corpus / "site"
    before = {p.relative_to(site): p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
    edit_text(corpus)
    report = build_site(corpus)
    after = {p.relative_to(site): p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
    changed = sorted(str(p) for p in after if after[p] != before.get(p) and p.name != MARKER)
    assert 0 < len(changed) == report.written
    # The briefing, its date, month, year, source and term pages, feeds and JSON indexes; and in
    # the search index the briefing's fragment, the index chunks and the metadata, not the rest.
    pages = [path for path in changed if not path.startswith("pagefind/")]
    index = [path for path in changed if path.startswith("pagefind/")]
    assert len(pages) < 30, pages
    assert 0 < len(index) < len(list((site / "pagefind").rglob("*"))) / 4
    assert any(path.endswith("/index.html") and "briefings/" in path for path in changed)
    assert_same_as_cold(corpus, tmp_path, search=True)


def test_the_related_briefings_of_other_pages_follow_a_new_tag(corpus: Path, tmp_path: Path) -> None:
    tagged = some_briefing(corpus, 30)
    text = tagged.read_text("utf-8")
    title = text.split("title: ", 1)[1].split("\n", 1)[0].strip('"')
    # A rare combination: the briefing gets every tag that two other briefings have.
    twins = sorted((corpus / "briefings").rglob("*.md"))[5:7]
    tags = sorted({t for twin in twins for t in _tags(twin.read_text("utf-8"))} | set(_tags(text)))
    start, end = text.index("tags: ["), text.index("]", text.index("tags: [")) + 1
    tagged.write_text(text[:start] + f"tags: [{', '.join(tags)}]" + text[end:], "utf-8")
    report = build_site(corpus, search=False)
    assert report.rendered < report.pages
    site = corpus / "site"
    relatives = [p for p in site.glob("briefings/*/*/*/*/index.html") if title in _related_titles(p)]
    assert relatives, "the briefing now shares tags with others, so it is related to some"
    assert_same_as_cold(corpus, tmp_path)


def _tags(text: str) -> list[str]:
    start = text.index("tags: [") + len("tags: [")
    return [t.strip() for t in text[start : text.index("]", start)].split(",") if t.strip()]


def _related_titles(page: Path) -> list[str]:
    import lxml.html  # noqa: PLC0415

    tree = lxml.html.fromstring(page.read_bytes())
    return [a.text_content() for a in tree.xpath("//ul[@class='related']//a")]


def test_turning_search_off_and_on_again_equals_cold_builds(searched_corpus: Path, tmp_path: Path) -> None:
    corpus = searched_corpus
    site = corpus / "site"
    assert (site / "pagefind" / "pagefind-entry.json").is_file()
    report = build_site(corpus, search=False)
    assert not report.search
    assert not (site / "pagefind").exists()
    assert not (site / "search").exists()
    assert "site-search" not in (site / "index.html").read_text("utf-8")
    cold = tmp_path / "cold-no-search"
    build_site(corpus, output=cold, use_cache=False, search=False)
    assert snapshot(site) == snapshot(cold)
    report = build_site(corpus)
    assert report.search
    assert_same_as_cold(corpus, tmp_path, search=True)


def test_a_search_index_lost_from_the_output_is_made_again(searched_corpus: Path, tmp_path: Path) -> None:
    corpus = searched_corpus
    shutil.rmtree(corpus / "site" / "pagefind")
    report = build_site(corpus)
    assert (report.rendered, report.written > 0) == (0, True)
    assert_same_as_cold(corpus, tmp_path, search=True)


@pytest.mark.parametrize(
    "lost",
    ["a page", "a page cut short", "a fragment and a chunk of the index", "a file of the index cut short"],
)
def test_a_file_removed_or_cut_from_the_output_by_hand_is_made_again(
    searched_corpus: Path, tmp_path: Path, lost: str
) -> None:
    """Nothing the site is made from changed, but the output lost a file: the build that would have stopped
    at once makes that file again, and only it (a page rendered; the index's files from the kept index)."""
    site = searched_corpus / "site"
    page = site / "sources" / "index.html"
    fragment = sorted((site / "pagefind" / "fragment").iterdir())[3]
    chunk = sorted((site / "pagefind" / "index").iterdir())[0]
    if lost == "a page":
        page.unlink()
    elif lost == "a page cut short":
        page.write_bytes(page.read_bytes()[:100])
    elif lost == "a fragment and a chunk of the index":
        fragment.unlink()
        chunk.unlink()
    else:
        fragment.write_bytes(fragment.read_bytes()[:-10])
    report = build_site(searched_corpus)
    assert report.rendered == (1 if "page" in lost else 0)
    assert report.written >= 1
    assert_same_as_cold(searched_corpus, tmp_path, search=True)
    again = build_site(searched_corpus)
    assert (again.rendered, again.written) == (0, 0)


def test_a_damaged_listing_of_the_index_makes_it_checked_again_not_trusted(
    searched_corpus: Path, tmp_path: Path
) -> None:
    """The listing of the index's files is sealed: altered (here, to leave out a fragment lost since), it is
    not believed, the index is made again where it differs, and a sound listing is written."""
    listing = searched_corpus / CACHE_DIR / searchstate.FILES_FILE
    fragment = sorted((searched_corpus / "site" / "pagefind" / "fragment").iterdir())[2]
    fragment.unlink()
    lines = bytes(unseal(listing.read_bytes())).decode("utf-8").splitlines(keepends=True)
    listing.write_text("".join(line for line in lines if fragment.name not in line), "utf-8")
    report = build_site(searched_corpus)
    assert report.written >= 1
    assert_same_as_cold(searched_corpus, tmp_path, search=True)
    assert searchstate.index_in_place(searched_corpus / "site", searched_corpus / CACHE_DIR)


def test_deleting_the_cache_is_safe(corpus: Path, tmp_path: Path) -> None:
    shutil.rmtree(corpus / CACHE_DIR)
    edit_text(corpus)
    build_site(corpus, search=False)
    assert_same_as_cold(corpus, tmp_path)


def test_a_rebuild_swaps_in_the_twin_which_shares_every_unchanged_file(searched_corpus: Path, tmp_path: Path) -> None:
    corpus = searched_corpus
    site, twin = corpus / "site", corpus / f".site.{TWIN_SUFFIX}"
    edit_text(corpus)
    build_site(corpus)  # mirrors the twin (the first build's old site) by hard links
    edit_text(corpus)
    before = {p.relative_to(site).as_posix(): p.stat() for p in site.rglob("*") if p.is_file()}
    report = build_site(corpus)
    assert_same_as_cold(corpus, tmp_path, search=True)
    after = {p.relative_to(site).as_posix(): p.stat() for p in site.rglob("*") if p.is_file()}
    changed = sorted(path for path in after if path not in before or after[path].st_ino != before[path].st_ino)
    removed = sorted(set(before) - set(after))  # search index files named by their content
    assert len(changed) == report.written > 0
    assert all(after[p].st_mtime_ns == before[p].st_mtime_ns for p in after if p not in changed)
    # The twin is now the previous site: the same files, the changed ones as they were, and a
    # record of where it differs, in which the site it pairs with is named by its inode.
    record = (twin / TWIN_RECORD).read_text("utf-8").splitlines()
    assert record[0].endswith(f":{site.stat().st_ino}") and record[1:] == sorted({*changed, *removed})
    for path, status in before.items():
        assert (twin / path).stat().st_ino == status.st_ino
    assert not (site / TWIN_RECORD).exists()


@pytest.mark.parametrize("damage", ["record removed", "files changed", "record names another site"])
def test_a_damaged_twin_is_mirrored_again(corpus: Path, tmp_path: Path, damage: str) -> None:
    twin = corpus / f".site.{TWIN_SUFFIX}"
    edit_text(corpus)
    build_site(corpus, search=False)
    assert (twin / TWIN_RECORD).is_file()
    if damage == "record removed":
        (twin / TWIN_RECORD).unlink()
        (twin / "404.html").unlink()
        (twin / "stray.html").write_text("not from any build")
    elif damage == "files changed":  # replaced, as an editor's tool would, but the record left as it was
        (twin / TWIN_RECORD).unlink()
        for page in sorted(twin.rglob("index.html"))[:20]:
            page.unlink()
            page.write_text("<p>stale")
        shutil.rmtree(twin / "tags")
        (twin / "tags").write_text("a file where a folder was")
    else:
        (twin / TWIN_RECORD).write_text("0:0\n", "utf-8")
        (twin / "robots.txt").unlink()
        (twin / "robots.txt").write_text("stale")
    add_tag(corpus)
    build_site(corpus, search=False)
    assert_same_as_cold(corpus, tmp_path)
    add_place(corpus)
    build_site(corpus, search=False)  # from the twin made whole again
    assert_same_as_cold(corpus, tmp_path)


def test_a_twin_that_is_a_link_is_unlinked_never_followed(corpus: Path, tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "work.md").write_text("an editor's work")
    twin = corpus / f".site.{TWIN_SUFFIX}"
    twin.symlink_to(precious, target_is_directory=True)
    edit_text(corpus)
    build_site(corpus, search=False)
    assert_same_as_cold(corpus, tmp_path)
    assert [p.name for p in precious.iterdir()] == ["work.md"]
    assert twin.is_dir() and not twin.is_symlink()


def test_what_a_killed_update_staged_is_discarded(corpus: Path, tmp_path: Path) -> None:
    update = corpus / f".site.{UPDATE_SUFFIX}"
    (update / "sub").mkdir(parents=True)
    (update / MARKER).write_text("")  # briefgen marks it first (test_hostile_neighbours)
    (update / "sub" / "index.html").write_bytes(b"never committed")
    before = snapshot(corpus / "site")
    build_site(corpus, search=False)
    assert not update.exists()
    assert snapshot(corpus / "site") == before


def test_a_changed_image_is_copied_again(tmp_path: Path) -> None:
    root = tmp_path / "root"
    folder = root / "briefings" / "2025" / "06" / "26"
    folder.mkdir(parents=True)
    (folder / "map.png").write_bytes(b"\x89PNG\r\n\x1a\nfirst")
    (folder / "isw-x.md").write_text(
        "---\ntitle: T\ndate: 2025-06-26\nsource: ISW\n---\nText.\n\n![Map of Toretsk](map.png)\n", "utf-8"
    )
    build_site(root, search=False)
    page = root / "site/briefings/2025/06/26/isw-x/map.png"
    assert page.read_bytes() == b"\x89PNG\r\n\x1a\nfirst"
    (folder / "map.png").write_bytes(b"\x89PNG\r\n\x1a\nsecond, longer")
    os.utime(folder / "map.png", ns=(1, 1))
    build_site(root, search=False)
    assert page.read_bytes() == b"\x89PNG\r\n\x1a\nsecond, longer"
    (folder / "map.png").unlink()
    with pytest.raises(ArchiveError, match=r"map\.png"):
        build_site(root, search=False)


def test_a_new_source_date_epoch_reaches_the_feeds(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1750000000")
    report = build_site(corpus, search=False)
    assert report.written > 0
    assert "<updated>2025-06-15T15:06:40Z</updated>" in (corpus / "site" / "feed.xml").read_text("utf-8")
    assert_same_as_cold(corpus, tmp_path)


def test_a_build_with_nothing_changed_plans_nothing(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def must_not_plan(*args: object, **kwargs: object) -> None:
        raise AssertionError("a no-op build planned the pages")

    monkeypatch.setattr(build_module, "_plan_pages", must_not_plan)
    monkeypatch.setattr(build_module, "page_records", must_not_plan)
    report = build_site(corpus, search=False)
    assert (report.rendered, report.written) == (0, 0)
    assert report.pages > len(list((corpus / "site").rglob("index.html")))  # pages, feeds and exports


def pack_files(root: Path) -> list[Path]:
    return sorted((root / CACHE_DIR / "bodies").iterdir())


def test_bodies_are_kept_in_a_few_pack_files_however_many_rebuilds(parallel_corpus: Path, tmp_path: Path) -> None:
    corpus = parallel_corpus
    assert 2 <= len(pack_files(corpus)) <= 3  # one per parsing process, not one per briefing
    for index in range(PackWriter.MAX_SMALL_PACKS + 4):  # each rebuild parses one other file into a new pack
        path = some_briefing(corpus, index)
        path.write_text(path.read_text("utf-8") + "\nA correction.\n", "utf-8")
        build_site(corpus, search=False)
    packs = pack_files(corpus)
    assert len(packs) <= PackWriter.MAX_SMALL_PACKS + 3, [p.name for p in packs]
    assert_same_as_cold(corpus, tmp_path, search=False)


def test_a_damaged_pack_is_only_a_slower_build(corpus: Path, tmp_path: Path) -> None:
    for pack in pack_files(corpus):
        with pack.open("r+b") as stream:
            stream.truncate(pack.stat().st_size // 2)
    change_template(corpus)  # so that pages are rendered again: their bodies are parsed again
    build_site(corpus, search=False)
    assert_same_as_cold(corpus, tmp_path)


def test_an_edit_to_a_briefings_text_leaves_briefings_json_alone(corpus: Path, tmp_path: Path) -> None:
    listing = corpus / "site" / "briefings.json"
    before = listing.stat()
    edit_text(corpus)  # a paragraph added after the first: neither its summary nor its takeaways change
    build_site(corpus, search=False)
    assert_same_as_cold(corpus, tmp_path)
    assert listing.stat().st_ino == before.st_ino
    retitle_briefing(corpus, index=40)  # the edited one
    build_site(corpus, search=False)
    assert_same_as_cold(corpus, tmp_path)
    assert listing.stat().st_ino != before.st_ino


def test_bodies_are_found_whichever_folder_the_build_runs_from(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(corpus)
    shutil.rmtree(CACHE_DIR)
    build_site(Path("."), search=False)  # the site root as a relative path: every body is parsed and recorded...
    packs = pack_files(corpus)
    monkeypatch.chdir(tmp_path)
    edit_text(corpus)
    build_site(corpus, search=False)  # ... and found from elsewhere: only the edited briefing is parsed again
    assert set(packs) <= set(pack_files(corpus)), "every briefing was parsed again"
    assert_same_as_cold(corpus, tmp_path)


def test_a_correction_to_a_briefings_text_renders_only_the_pages_that_show_it(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered: list[str] = []
    render_page = publish._render_page

    def spy(task: publish.RenderTask, index: int) -> object:
        rendered.append(task.jobs[index].path)
        return render_page(task, index)

    monkeypatch.setattr(publish, "_render_page", spy)
    edit_text(corpus)  # a paragraph added after the first: only the text changes
    build_site(corpus, search=False)
    assert_same_as_cold(corpus, tmp_path)
    # Its page, and the JSON indexes that carry its notes; not its date's, source's or topics'
    # pages, which list it by title, summary and takeaways only.
    pages = [path for path in rendered if path.endswith(".html")]
    assert len(pages) == 1 and pages[0].startswith("briefings/"), rendered
    assert all(path.endswith((".html", "index.json", "feed.json", "feed.xml")) for path in rendered), rendered


@pytest.mark.parametrize("shown", ["b.body_html", "b.footnotes | map(attribute='html') | join"])
def test_a_theme_that_shows_text_on_a_listing_page_has_it_corrected(corpus: Path, tmp_path: Path, shown: str) -> None:
    # The built-in date page shows no briefing's text; this one does, so a correction must reach it.
    (corpus / "templates").mkdir(exist_ok=True)
    (corpus / "templates" / "date.html").write_text(
        "{% extends 'base.html' %}{% block content %}"
        f"{{% for b in group.briefings %}}<div>{{{{ {shown} }}}}</div>{{% endfor %}}"
        "{% endblock %}\n",
        "utf-8",
    )
    build_site(corpus, search=False)
    path = some_briefing(corpus, 5)  # older than the site feed's newest entries, so not in it
    text = path.read_text("utf-8")
    path.write_text(text.replace('\n  1: "', '\n  1: "Corrected. ', 1) + "\nAdded.[1]\n", "utf-8")
    report = build_site(corpus, search=False)
    # Its page, its date's page and JSON, its source's feeds and listing JSON, and each of its
    # topics', places' and authors' two feeds: never the whole site.
    front = yaml.safe_load(text.split("---\n", 2)[1])
    terms = sum(len(front.get(key) or ()) for key in ("tags", "places", "authors"))
    assert 0 < report.rendered <= 6 + 2 * terms < report.pages / 10
    assert_same_as_cold(corpus, tmp_path)


def test_a_template_edited_twice_is_compiled_again_each_time(corpus: Path, tmp_path: Path) -> None:
    # Jinja keeps compiled templates in the cache, by name and source: the same file with
    # new text must not be served from the copy compiled for its old text.
    change_template(corpus)
    build_site(corpus, search=False)
    template = corpus / "templates" / "404.html"
    template.write_text(template.read_text("utf-8").replace("gone", "gone again"), "utf-8")
    build_site(corpus, search=False)
    assert "gone again" in (corpus / "site" / "404.html").read_text("utf-8")
    assert any((corpus / CACHE_DIR / "templates").iterdir()), "the compiled templates are kept in the cache"
    assert_same_as_cold(corpus, tmp_path)
