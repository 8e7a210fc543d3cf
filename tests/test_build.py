"""`briefgen build`: addresses, citations, listings, feeds, sitemap, determinism, atomicity."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import feedparser
import lxml.etree
import lxml.html
import pytest
import yaml

from briefgen.build import build_site
from briefgen.errors import ArchiveError, BriefgenError
from briefgen.load import read_ahead
from briefgen.neighbours import MARKER
from tests.sitetools import REPO_ROOT, copy_example, crawl, element_ids, make_corpus, serve, snapshot

ISW_FILE = REPO_ROOT / "briefings/2025/06/26/isw-north-korean-troops.md"
ISW_PAGE = "briefings/2025/06/26/isw-north-korean-troops/index.html"
WILSON_PAGE = "briefings/2025/06/26/wilson-center-forced-displacement/index.html"
DATE_PAGE = "briefings/2025/06/26/index.html"
BASE = "https://example.org/conflict-archive/"


def page(site: Path, path: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((site / path).read_bytes())


def front_matter_and_body(path: Path) -> tuple[dict[str, object], str]:
    """A briefing file as an editor wrote it, read with plain YAML: what its page must show."""
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(front), body


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example") / "site"
    build_site(copy_example(out.parent / "root"), output=out, base_url=BASE)
    return out


EXPECTED_ADDRESSES = [
    "index.html",
    ISW_PAGE,
    WILSON_PAGE,
    DATE_PAGE,
    "briefings/2025/06/index.html",
    "briefings/2025/index.html",
    "briefings/index.html",
    "sources/index.html",
    "sources/isw/index.html",
    "sources/wilson-center/index.html",
    "tags/north-korea/index.html",
    "tags/index.html",
    "places/kursk-oblast/index.html",
    "places/index.html",
    "feed.xml",
    "sources/isw/feed.xml",
    "sources/wilson-center/feed.xml",
    "sitemap.xml",
    "404.html",
    ".nojekyll",
    "robots.txt",
    "assets/briefgen.css",
]


@pytest.mark.parametrize("address", EXPECTED_ADDRESSES)
def test_every_address_of_the_format_is_built(site: Path, address: str) -> None:
    assert (site / address).is_file()


def test_briefing_page_links_every_citation_to_its_note_and_back(site: Path) -> None:
    tree = page(site, ISW_PAGE)
    ids = set(tree.xpath("//@id"))
    citations = tree.xpath("//sup[@class='citation']/a")
    # The example's ISW report cites notes 1 to 12, each once, in order.
    _, body = front_matter_and_body(ISW_FILE)
    written = [int(n) for n in re.findall(r"\[(\d+)\]", body)]
    assert [int(a.text) for a in citations] == written == list(range(1, 13))
    for anchor in citations:
        note_id = anchor.get("href").removeprefix("#")
        assert note_id in ids, note_id
        note = tree.get_element_by_id(note_id)
        back_links = [a.get("href").removeprefix("#") for a in note.xpath(".//a[@class='backref']")]
        assert anchor.get("id") in back_links
    for href in tree.xpath("//a[starts-with(@href, '#')]/@href"):
        assert href[1:] in ids, f"in-page link {href} has no target"


def test_briefing_page_shows_takeaways_before_the_body(site: Path) -> None:
    tree = page(site, ISW_PAGE)
    takeaways = [li.text_content().strip() for li in tree.xpath("//section[@class='takeaways']//li")]
    front, _ = front_matter_and_body(ISW_FILE)
    assert takeaways == front["takeaways"]
    assert len(takeaways) == 6
    assert takeaways[-1].startswith("Ukrainian forces advanced near Novopavlivka. Russian forces advanced")
    article = tree.xpath("//article[@class='briefing']")[0]
    classes = [child.get("class") for child in article]
    assert classes.index("takeaways") < classes.index("body")


def test_briefing_page_has_date_source_and_neighbours(site: Path) -> None:
    tree = page(site, ISW_PAGE)
    assert tree.xpath("//h1")[0].text_content() == "Russia weighs deploying North Korean troops in Ukraine"
    assert len(tree.xpath("//h1")) == 1
    assert tree.xpath("//time/@datetime")[0] == "2025-06-26"
    assert "/conflict-archive/sources/isw/" in tree.xpath("//p[@class='kicker']/a/@href")
    same_day = tree.xpath("//nav[@class='neighbours']//a/@href")
    assert "/conflict-archive/briefings/2025/06/26/wilson-center-forced-displacement/" in same_day


def test_date_page_shows_every_source_side_by_side_with_unique_ids(site: Path) -> None:
    tree = page(site, DATE_PAGE)
    sources = [a.text_content() for a in tree.xpath("//article[@class='day-briefing']/p[@class='kicker']/a")]
    # The Wilson Center's piece, and its example translation into Arabic.
    assert sources == ["Institute for the Study of War", "Wilson Center", "Wilson Center"]
    assert len(tree.xpath("//article[@class='day-briefing']//section[@class='takeaways']//li")) == 6
    ids = tree.xpath("//@id")
    assert len(ids) == len(set(ids))


def test_source_page_lists_only_its_briefings(site: Path) -> None:
    tree = page(site, "sources/wilson-center/index.html")
    titles = [a.text_content() for a in tree.xpath("//article[@class='card']//h2/a")]
    assert titles == [
        "Forced displacement: one of the most pressing humanitarian issues of our time",
        "التهجير القسري: إحدى أكثر القضايا الإنسانية إلحاحًا في عصرنا",
    ]


def test_tag_and_place_pages_list_their_briefings(site: Path) -> None:
    for path in ("tags/north-korea/index.html", "places/kursk-oblast/index.html"):
        hrefs = page(site, path).xpath("//article[@class='card']//h2/a/@href")
        assert hrefs == ["/conflict-archive/briefings/2025/06/26/isw-north-korean-troops/"]


def test_feeds_parse_as_atom_with_absolute_links(site: Path) -> None:
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    links = sorted(entry.link for entry in feed.entries)
    assert links == [
        BASE + "briefings/2025/06/26/isw-north-korean-troops/",
        BASE + "briefings/2025/06/26/wilson-center-forced-displacement-ar/",
        BASE + "briefings/2025/06/26/wilson-center-forced-displacement/",
    ]
    isw = feedparser.parse((site / "sources/isw/feed.xml").read_bytes())
    assert not isw.bozo
    assert [e.title for e in isw.entries] == ["Russia weighs deploying North Korean troops in Ukraine"]
    assert "Patriot" in isw.entries[0].content[0].value


def test_sitemap_lists_every_page_with_absolute_addresses(site: Path) -> None:
    tree = lxml.etree.fromstring((site / "sitemap.xml").read_bytes())
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = tree.xpath("//s:url/s:loc/text()", namespaces=ns)
    assert len(locs) == len(set(locs))
    pages = {p.relative_to(site).as_posix() for p in site.rglob("index.html")}
    for loc in locs:
        assert loc.startswith(BASE)
        assert loc.removeprefix(BASE) + "index.html" in pages
    assert len(locs) == len(pages)


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "root")
    build_site(root, output=tmp_path / "one", base_url=BASE)
    build_site(root, output=tmp_path / "two", base_url=BASE)
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")


def test_a_failing_build_leaves_the_previous_site_unchanged(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "root")
    build_site(root)
    before = snapshot(root / "site")
    (root / "briefings" / "broken.md").write_text("---\ntitle: [unclosed\n---\nbody\n", encoding="utf-8")
    with pytest.raises(ArchiveError) as failure:
        build_site(root)
    assert "briefings/broken.md:2:" in str(failure.value)
    assert snapshot(root / "site") == before
    assert not list(tmp_path.glob("root/.site*")), "no staging folder is left behind"


def test_a_broken_template_leaves_the_previous_site_unchanged(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "root")
    build_site(root)
    before = snapshot(root / "site")
    (root / "templates").mkdir()
    (root / "templates" / "date.html").write_text("{% extends 'base.html' %}{% block content %}{{ nope(", "utf-8")
    with pytest.raises(BriefgenError, match=r"date\.html"):
        build_site(root)
    assert snapshot(root / "site") == before


def test_a_site_template_overrides_the_theme_file_by_file(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "root")
    (root / "templates").mkdir()
    (root / "templates" / "404.html").write_text("custom 404 for {{ site.title }}\n", encoding="utf-8")
    build_site(root)
    assert (root / "site" / "404.html").read_text(encoding="utf-8") == "custom 404 for Conflict Briefings Archive\n"
    assert "Key takeaways" in (root / "site" / ISW_PAGE).read_text(encoding="utf-8")


def test_a_sites_macros_and_context_functions_work_in_its_templates(tmp_path: Path) -> None:
    # Calls from templates take a shortcut for briefgen's own functions (render._Context):
    # a theme's macros, `caller()` and the loop's own functions must still go Jinja's way.
    root = copy_example(tmp_path / "root")
    (root / "templates").mkdir()
    (root / "templates" / "404.html").write_text(
        "{% macro link(path) %}<a href='{{ urls.page(path) }}'>{{ caller() }}</a>{% endmacro %}"
        "{% macro count() %}{{ varargs | length }}{% endmacro %}"
        "{% for item in ['a', 'b', 'c'] %}{{ loop.cycle('odd', 'even') }}:{{ urls.page(item) }}:{{ count(1, 2) }};"
        "{% endfor %}{% call link('d/') %}{{ 'x'.upper() }} {{ missing() }}{% endcall %}",
        encoding="utf-8",
    )
    with pytest.raises(BriefgenError, match="missing"):  # undefined names are errors, inside macros too
        build_site(root, search=False)
    text = (root / "templates" / "404.html").read_text(encoding="utf-8")
    (root / "templates" / "404.html").write_text(text.replace(" {{ missing() }}", ""), encoding="utf-8")
    build_site(root, search=False)
    assert (root / "site" / "404.html").read_text(encoding="utf-8") == "odd:/a:2;even:/b:2;odd:/c:2;<a href='/d/'>X</a>"


def test_pages_of_deleted_briefings_disappear(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "root")
    build_site(root)
    assert (root / "site" / WILSON_PAGE).is_file()
    (root / "briefings/2025/06/26/wilson-center-forced-displacement.md").unlink()
    build_site(root)
    assert not (root / "site" / WILSON_PAGE).exists()
    assert not (root / "site" / "sources/wilson-center/index.html").read_text("utf-8").count("Forced displacement")


def test_static_files_are_copied_and_the_output_is_marked(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "root")
    (root / "static").mkdir()
    (root / "static" / "CNAME").write_text("briefings.example.org\n", encoding="utf-8")
    build_site(root)
    assert (root / "site" / "CNAME").read_text(encoding="utf-8") == "briefings.example.org\n"
    assert (root / "site" / MARKER).is_file()


def test_images_beside_a_briefing_are_copied_next_to_its_page(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "root")
    folder = root / "briefings/2025/06/26"
    (folder / "toretsk.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    path = folder / "isw-north-korean-troops.md"
    path.write_text(path.read_text("utf-8") + "\n![Map of the Toretsk direction](toretsk.png)\n", "utf-8")
    build_site(root)
    out = root / "site/briefings/2025/06/26/isw-north-korean-troops"
    assert (out / "toretsk.png").read_bytes() == b"\x89PNG\r\n\x1a\nfake"
    images = page(root / "site", ISW_PAGE).xpath("//div[@class='body']//img")
    assert [(i.get("src"), i.get("alt")) for i in images] == [("toretsk.png", "Map of the Toretsk direction")]


def test_raw_html_is_escaped_unless_the_site_allows_it(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "root")
    path = root / "briefings/2025/06/26/wilson-center-forced-displacement.md"
    path.write_text(path.read_text("utf-8") + '\n<div class="map-embed">embedded</div>\n', "utf-8")
    build_site(root)
    html = (root / "site" / WILSON_PAGE).read_text("utf-8")
    assert "&lt;div class=&quot;map-embed&quot;&gt;embedded&lt;/div&gt;" in html
    assert '<div class="map-embed">' not in html
    with (root / "briefgen.yaml").open("a", encoding="utf-8") as settings:
        settings.write("allow_html: true\n")
    build_site(root)
    assert '<div class="map-embed">embedded</div>' in (root / "site" / WILSON_PAGE).read_text("utf-8")


def test_home_and_source_pages_are_paginated(tmp_path: Path) -> None:
    root = make_corpus(tmp_path / "corpus", briefings=45, sources=2, length=0.1)
    with (root / "briefgen.yaml").open("a", encoding="utf-8") as settings:
        settings.write("per_page: 10\n")
    build_site(root, search=False)
    site = root / "site"
    assert (site / "page/5/index.html").is_file()
    assert not (site / "page/6").exists()
    cards = page(site, "index.html").xpath("//article[@class='card']//time/@datetime")
    assert cards == sorted(cards, reverse=True)
    assert (site / "sources/isw/page/2/index.html").is_file()


def test_build_command_prints_one_summary_line(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "root")
    result = subprocess.run(
        [sys.executable, "-m", "briefgen", "build", "--root", str(root)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    summary = re.fullmatch(
        r"built 3 briefings, (\d+) pages \((\d+) rendered, 0 reused; (\d+) files written\) in \d+\.\d s\n",
        result.stdout,
    )
    assert summary is not None, result.stdout
    pages, rendered, written = (int(n) for n in summary.groups())
    assert pages == rendered
    assert written > pages  # the theme's assets are copied too
    again = subprocess.run(
        [sys.executable, "-m", "briefgen", "build", "--root", str(root)], capture_output=True, text=True, check=False
    )
    assert f", {pages} pages (0 rendered, {pages} reused; 0 files written) in" in again.stdout


def test_build_command_reports_errors_without_a_traceback(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "root")
    (root / "briefings" / "bad.md").write_text("---\ntitle: x\ndate: 2025-02-30\nsource: isw\n---\n", "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "briefgen", "build", "--root", str(root)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert "briefings/bad.md:3: 'date' 2025-02-30 is not a calendar date: February 2025 has 28 days" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (root / "site").exists()
    assert result.stderr.endswith("build failed: 1 error; no site was written\n")  # there was no previous one


def test_a_failing_build_says_the_previous_site_was_kept(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "root")
    build_site(root)
    (root / "briefings" / "bad.md").write_text("---\ntitle: x\ndate: 2025-02-30\nsource: isw\n---\n", "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "briefgen", "build", "--root", str(root)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert result.stderr.endswith("build failed: 1 error; the previous site was left as it was\n")


@pytest.mark.slow
def test_every_internal_link_resolves_under_a_sub_path(tmp_path: Path) -> None:
    root = make_corpus(tmp_path / "corpus", briefings=100, length=0.3)  # the text's links go to other sites
    build_site(root, base_url="https://example.github.io/conflict-archive/", search=False)
    with serve(root / "site", "/conflict-archive/") as address:
        pages, broken = crawl(address)
    assert broken == []
    built = len(list((root / "site").rglob("index.html")))
    assert len(pages) > built  # every page, plus feeds and assets
    assert element_ids  # the helper the crawler checks fragments with


def test_site_templates_get_what_the_readme_lists(tmp_path: Path) -> None:
    # README, "The format": the filters and functions a site's own templates may use.
    root = copy_example(tmp_path / "root")
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates" / "briefing.html").write_text(
        '{% extends "base.html" %}{% block content %}{% set b = briefing %}'
        "<p>{{ b.date | long_date }} {{ b.date.month | month_name }} {{ b.summary | excerpt(3) }}"
        " {{ b.date | atom_time }} {{ entry_id(b) }}</p>{% include 'partials/notes.html' %}"
        "<div>{{ content_html(b) }}</div>{% endblock %}\n",
        encoding="utf-8",
    )
    build_site(root, search=False)
    page = next((root / "site" / "briefings").glob("*/*/*/isw-*/index.html")).read_text(encoding="utf-8")
    assert "urn:uuid:" in page
    assert '<li id="fn:1" value="1">' in page
    assert "<h2>Key takeaways</h2>" in page


def test_a_site_restyles_both_feeds_content_and_a_rebuild_follows_an_edit(tmp_path: Path) -> None:
    # README, The theme: partials/feed-body.html is the whole briefing as the Atom feed and the JSON
    # Feed carry it. An edit of it renders both again, in the same process (briefgen serve), with the cache.
    root = copy_example(tmp_path / "root")
    template = root / "templates" / "partials" / "feed-body.html"
    template.parent.mkdir(parents=True)
    for label in ("Résumé", "Summary"):
        template.write_text(f"<h2>{label}</h2>{{{{ briefing.title }}}}", encoding="utf-8")
        build_site(root, search=False)
        atom = feedparser.parse((root / "site" / "feed.xml").read_bytes())
        items = json.loads((root / "site" / "feed.json").read_text(encoding="utf-8"))["items"]
        assert [e.content[0].value for e in atom.entries] == [f"<h2>{label}</h2>{e.title}" for e in atom.entries]
        assert [i["content_html"] for i in items] == [f"<h2>{label}</h2>{i['title']}" for i in items]
        assert len(items) == len(atom.entries) > 1


def test_reading_ahead_passes_over_files_it_cannot_open(tmp_path: Path) -> None:
    # A hint to the kernel before the workers parse: a file gone, a folder or an
    # unreadable name in the list is for the parse to report, not for read_ahead.
    note = tmp_path / "a.md"
    note.write_text("---\ntitle: T\n---\n", encoding="utf-8")
    read_ahead([tmp_path / "gone.md", tmp_path, note, tmp_path / ("x" * 300)])
    assert note.read_text(encoding="utf-8").startswith("---")
