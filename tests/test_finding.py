"""Finding briefings: the calendars, related briefings, counts per source, facet feeds and JSON exports."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import lxml.html
import pytest

from briefgen.build import build_site
from briefgen.calendars import SHADES, shade
from briefgen.exports import JSON_FEED_VERSION
from briefgen.filters import entry_id
from briefgen.model import DEFAULT_TAXONOMIES, Briefing, Source, Term
from briefgen.related import count_by_source, related_briefings
from tests.sitetools import copy_example, make_corpus

BASE = "https://example.org/conflict-archive/"


def page(site: Path, path: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((site / path).read_bytes())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A 200-briefing corpus over about two months, built without search (not what is tested here).

    Its texts are a third of ISW's length: what is tested is how briefings are found (calendars,
    feeds, related briefings, listings), and every feed and page here is parsed."""
    root = make_corpus(tmp_path_factory.mktemp("finding") / "root", briefings=200, sources=4, length=0.3)
    out = root / "site"
    build_site(root, output=out, base_url=BASE, search=False)
    return root, out


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example") / "site"
    build_site(copy_example(out.parent / "root"), output=out, base_url=BASE, search=False)
    return out


def dates_on_disk(site: Path) -> Counter[dt.date]:
    """Briefings per date, counted from the built briefing pages."""
    days: Counter[dt.date] = Counter()
    for index in site.glob("briefings/*/*/*/*/index.html"):
        year, month, day = index.parts[-5:-2]
        days[dt.date(int(year), int(month), int(day))] += 1
    return days


# ------------------------------------------------------------------ calendars


def test_shades_grow_with_the_count_up_to_the_busiest_day() -> None:
    assert shade(0, 6) == 0
    assert [shade(n, 8) for n in range(1, 9)] == [1, 1, 2, 2, 3, 3, 4, 4]
    assert shade(3, 3) == SHADES
    assert shade(1, 100) == 1


@pytest.mark.parametrize("where", ["briefings/index.html", "briefings/2022/index.html"])
def test_calendar_cells_match_the_archive_and_link_to_their_dates(corpus: tuple[Path, Path], where: str) -> None:
    _, site = corpus
    tree = page(site, where)
    expected = dates_on_disk(site)
    if where != "briefings/index.html":
        expected = Counter({day: n for day, n in expected.items() if day.year == 2022})
    busiest = max(dates_on_disk(site).values())
    seen: Counter[dt.date] = Counter()
    for cell in tree.xpath("//table[@class='calendar']//td[a]"):
        link = cell.find("a")
        year, month, day = urlsplit(link.get("href")).path.split("/")[-4:-1]
        date = dt.date(int(year), int(month), int(day))
        count = int(re.fullmatch(r"\w+ \d+, \d+: (\d+) briefings?", link.get("aria-label")).group(1))
        assert link.get("aria-label").startswith(f"{date:%B} {date.day}, {date.year}: ")
        assert link.text_content() == str(date.day)
        assert cell.get("class") == f"shade-{shade(count, busiest)}"
        assert (site / urlsplit(link.get("href")).path.removeprefix("/conflict-archive/") / "index.html").is_file()
        seen[date] = count
    assert seen == expected
    # A day with none is a plain cell: its number, no link, no shade.
    plain = tree.xpath("//table[@class='calendar']//td[not(a) and normalize-space()]")
    assert plain
    assert all(cell.get("class") is None and cell.text.strip().isdigit() for cell in plain)


def test_a_calendar_month_is_laid_out_from_monday(example: Path) -> None:
    table = page(example, "briefings/2025/index.html").xpath("//table[@class='calendar']")[0]
    assert table.xpath("caption")[0].text_content() == "June 2025"
    headings = [th.xpath("span[@class='visually-hidden']")[0].text for th in table.xpath(".//th")]
    assert headings == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    rows = [[td.text_content() for td in row.xpath("td")] for row in table.xpath("tbody/tr")]
    assert rows[0] == ["", "", "", "", "", "", "1"]  # June 1, 2025 was a Sunday
    assert rows[-1][0] == "30"
    label = table.xpath(".//td/a")[0].get("aria-label")
    assert label == "June 26, 2025: 3 briefings"


def test_the_dates_listings_are_kept_beside_the_calendars(example: Path) -> None:
    tree = page(example, "briefings/index.html")
    assert tree.xpath("//ul[@class='date-links']//a/@href") == ["/conflict-archive/briefings/2025/06/26/"]


# ------------------------------------------------------------------ related briefings and counts


def briefing(
    slug: str, day: int, tags: tuple[str, ...] = (), places: tuple[str, ...] = (), source: str = "a"
) -> Briefing:
    return Briefing(
        path=f"{slug}.md",
        title=slug,
        date=dt.date(2025, 1, day),
        source=Source(source, source.upper()),
        slug=slug,
        summary="",
        terms={
            key: terms
            for key, terms in (
                ("tags", tuple(Term(t, t) for t in tags)),
                ("places", tuple(Term(p, p.lower()) for p in places)),
            )
            if terms
        },
    )


def test_related_briefings_share_the_most_terms_newest_first_among_ties() -> None:
    me = briefing("me", 1, ("drones", "air"), ("Kursk",))
    briefings = [
        me,
        briefing("all-three", 2, ("drones", "air"), ("kursk",)),
        briefing("two-old", 3, ("drones", "air")),
        briefing("two-new", 9, ("air",), ("Kursk",), source="b"),
        briefing("one-newest", 20, ("drones",)),
        briefing("one-older", 10, ("drones",), source="b"),
        briefing("one-same-day-b", 10, (), ("Kursk",), source="c"),
        briefing("none", 25, ("sanctions",)),
        briefing("place-named-like-a-tag", 26, (), ("drones",)),
    ]
    related = related_briefings(briefings, DEFAULT_TAXONOMIES)
    titles = [b.title for b in related[me.path]]
    # 3 shared, then 2 (newest first), then 1: the newest, then by source key on the same day.
    assert titles == ["all-three", "two-new", "two-old", "one-newest", "one-older"]
    assert [b.title for b in related_briefings(briefings, DEFAULT_TAXONOMIES, limit=7)[me.path]][5:] == [
        "one-same-day-b"
    ]
    assert related[briefings[7].path] == ()
    assert related_briefings(list(reversed(briefings)), DEFAULT_TAXONOMIES) == related, (
        "the order of input does not matter"
    )


def test_a_briefing_without_terms_has_no_related_briefings() -> None:
    lone = briefing("lone", 1)
    assert related_briefings([lone, briefing("other", 2, ("x",))], DEFAULT_TAXONOMIES)[lone.path] == ()


def test_related_briefings_on_the_pages_are_deterministic(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    root, site = corpus
    again = tmp_path / "again"
    build_site(root, output=again, base_url=BASE, search=False, use_cache=False)
    pages = sorted(site.glob("briefings/*/*/*/*/index.html"))
    with_related = 0
    for path in pages:
        ours = page(site, path.relative_to(site).as_posix()).xpath("//ul[@class='related']//a/@href")
        theirs = page(again, path.relative_to(site).as_posix()).xpath("//ul[@class='related']//a/@href")
        assert ours == theirs
        assert len(ours) <= 5
        assert path.parent.name not in {href.rstrip("/").rsplit("/", 1)[-1] for href in ours}
        with_related += bool(ours)
    assert with_related > len(pages) / 2


def test_term_pages_count_briefings_per_source(corpus: tuple[Path, Path]) -> None:
    _, site = corpus
    for term_page in sorted(site.glob("tags/*/index.html"))[:3] + sorted(site.glob("places/*/index.html"))[:3]:
        tree = lxml.html.fromstring(term_page.read_bytes())
        sources = [a.text_content() for a in tree.xpath("//article[@class='card']/p[@class='byline']/a")]
        listed = [
            (li.xpath("a")[0].text_content(), int(li.xpath("span")[0].text_content().strip("()")))
            for li in tree.xpath("//section[@class='by-source']//li")
        ]
        assert dict(listed) == Counter(sources)
        assert [n for _, n in listed] == sorted((n for _, n in listed), reverse=True)


def test_count_by_source_orders_by_count_then_name() -> None:
    counts = count_by_source([briefing("x", 1, source="b"), briefing("y", 2, source="a"), briefing("z", 3, source="b")])
    assert [(c.source.key, c.count) for c in counts] == [("b", 2), ("a", 1)]


# ------------------------------------------------------------------ feeds for every facet


def test_every_tag_and_place_has_an_atom_feed_that_parses(corpus: tuple[Path, Path]) -> None:
    _, site = corpus
    for kind in ("tags", "places"):
        folders = sorted(p.parent for p in site.glob(f"{kind}/*/index.html"))
        assert folders
        for folder in folders:
            feed = read_atom(folder / "feed.xml")
            assert not feed.bozo, (folder, feed.get("bozo_exception"))
            assert feed.version == "atom10"
            cards = page(site, f"{folder.relative_to(site).as_posix()}/index.html").xpath(
                "//article[@class='card']//h2/a/@href"
            )
            assert [entry.link for entry in feed.entries] == [
                BASE.removesuffix("/conflict-archive/") + h for h in cards
            ][:50]
            assert feed.feed.link == BASE + folder.relative_to(site).as_posix() + "/"


@functools.cache
def read_atom(path: Path) -> feedparser.FeedParserDict:
    """An Atom feed as feedparser reads it, once per module: two tests read every feed.

    Entries' HTML is not sanitised nor its addresses resolved (a reader's own safety,
    which cannot fail): what is checked is the feed's structure, ids and links."""
    return feedparser.parse(path.read_bytes(), sanitize_html=False, resolve_relative_uris=False)


def json_feeds(site: Path) -> list[Path]:
    return sorted(site.rglob("feed.json"))


def test_json_feeds_have_the_required_fields_and_atom_ids(corpus: tuple[Path, Path]) -> None:
    _, site = corpus
    feeds = json_feeds(site)
    atom = {p.with_suffix(".json") for p in site.rglob("feed.xml")}
    assert set(feeds) == atom, "a JSON Feed beside every Atom feed"
    for path in feeds:
        feed = json.loads(path.read_text("utf-8"))
        assert feed["version"] == JSON_FEED_VERSION
        assert isinstance(feed["title"], str) and feed["title"]
        assert feed["feed_url"] == BASE + path.relative_to(site).as_posix()
        assert isinstance(feed["items"], list) and feed["items"]
        xml = read_atom(path.with_suffix(".xml"))
        assert [item["id"] for item in feed["items"]] == [entry.id for entry in xml.entries]
        for item in feed["items"]:
            assert isinstance(item["id"], str) and item["id"].startswith("urn:uuid:")
            assert isinstance(item.get("content_html") or item.get("content_text"), str)
            assert item["url"].startswith(BASE)
            assert (site / item["url"].removeprefix(BASE) / "index.html").is_file()
            dt.datetime.fromisoformat(item["date_published"])


def test_json_exports_are_deterministic_json(corpus: tuple[Path, Path]) -> None:
    _, site = corpus
    for path in [*json_feeds(site)[:5], site / "briefings.json", *sorted(site.rglob("index.json"))[:5]]:
        raw = path.read_bytes()
        document = json.loads(raw)
        assert raw == json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


def test_entry_ids_do_not_change_with_base_url(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    root = copy_example(tmp_path / "root")
    build_site(root, output=one, base_url="https://example.org/a/", search=False)
    build_site(root, output=two, base_url="/b/", search=False)
    for name in ("feed.json", "briefings.json"):
        first, second = (json.loads((site / name).read_text("utf-8")) for site in (one, two))
        key = "items" if name == "feed.json" else "briefings"
        assert [i["id"] for i in first[key]] == [i["id"] for i in second[key]]
        assert first[key][0]["url"].startswith("https://example.org/a/")
        assert second[key][0]["url"].startswith("/b/")


# ------------------------------------------------------------------ the JSON index


def test_the_json_index_lists_every_briefing_with_its_metadata(example: Path) -> None:
    index = json.loads((example / "briefings.json").read_text("utf-8"))
    assert index["version"] == "briefgen-index/1"
    records = index["briefings"]
    assert [r["path"] for r in records] == [
        "briefings/2025/06/26/isw-north-korean-troops/",
        "briefings/2025/06/26/wilson-center-forced-displacement/",
        "briefings/2025/06/26/wilson-center-forced-displacement-ar/",
    ]
    assert [r["language"] for r in records] == ["en", "en", "ar"]
    isw = records[0]
    assert isw["title"] == "Russia weighs deploying North Korean troops in Ukraine"
    assert isw["date"] == "2025-06-26"
    assert isw["source"] == {
        "key": "isw",
        "name": "Institute for the Study of War",
        "url": "https://www.understandingwar.org",
    }
    assert isw["url"] == BASE + isw["path"]
    assert len(isw["takeaways_html"]) == 6
    assert {"name": "Kursk Oblast", "slug": "kursk-oblast", "latitude": 51.7304, "longitude": 36.1926} in isw["places"]
    assert "notes" not in isw, "the whole archive's index leaves notes to the date and source indexes"
    assert isw["date_index_url"] == BASE + "briefings/2025/06/26/index.json"


def test_date_and_source_indexes_carry_the_notes(example: Path) -> None:
    day = json.loads((example / "briefings/2025/06/26/index.json").read_text("utf-8"))
    assert [r["source"]["key"] for r in day["briefings"]] == ["isw", "wilson-center", "wilson-center"]
    notes = day["briefings"][0]["notes"]
    assert [n["number"] for n in notes] == list(range(1, 13))
    assert notes[0]["html"].startswith("Reuters report of June 26, 2025")
    source = json.loads((example / "sources/isw/index.json").read_text("utf-8"))
    assert source["briefings"] == day["briefings"][:1]
    assert source["home_page_url"] == BASE + "sources/isw/"


def test_every_address_in_the_json_indexes_resolves(corpus: tuple[Path, Path]) -> None:
    _, site = corpus
    everything = json.loads((site / "briefings.json").read_text("utf-8"))["briefings"]
    assert len(everything) == 200
    in_pages: list[str] = []
    for path in sorted(site.rglob("index.json")):
        document = json.loads(path.read_text("utf-8"))
        assert document["index_url"] == BASE + path.relative_to(site).as_posix()
        for key in ("previous_url", "next_url"):
            if key in document:
                assert (site / document[key].removeprefix(BASE)).is_file()
        for record in document["briefings"]:
            assert "notes" in record
            in_pages.append(record["id"])
    for record in everything:
        assert (site / record["path"] / "index.html").is_file()
        assert record["url"] == BASE + record["path"]
        assert (site / record["date_index_url"].removeprefix(BASE)).is_file()
    # Each briefing is in its date's index and in one page of its source's.
    assert Counter(in_pages) == Counter({record["id"]: 2 for record in everything})


def test_the_record_id_is_the_feed_entry_id(example: Path) -> None:
    records = json.loads((example / "briefings.json").read_text("utf-8"))["briefings"]
    atom = feedparser.parse((example / "feed.xml").read_bytes())
    assert {r["id"] for r in records} == {e.id for e in atom.entries}
    assert all(r["id"].startswith("urn:uuid:") for r in records)
    assert callable(entry_id)
