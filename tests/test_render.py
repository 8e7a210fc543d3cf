"""render.py and the theme, one page kind at a time: a hand-made context rendered, its HTML read with lxml."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import lxml.etree
import lxml.html
import pytest

from briefgen.contexts import BriefingContext, Context, DateContext, FeedContext, SourceContext, TermContext
from briefgen.exports import RENDERERS, JsonFeedContext
from briefgen.index import DateGroup, Neighbours, Pagination, TermGroup
from briefgen.model import (
    DEFAULT_TAXONOMIES,
    Archive,
    BodiesInMemory,
    Body,
    Briefing,
    Footnote,
    Settings,
    Source,
    Taxonomy,
    Term,
)
from briefgen.plan import PageJob
from briefgen.related import SourceCount
from briefgen.render import SiteRenderer, TemplateError
from briefgen.urls import SiteUrls

BASE = "https://example.org/archive/"
ISW = Source(key="isw", name="ISW")
DAY = dt.date(2025, 6, 26)
TAGS, PLACES, AUTHORS = DEFAULT_TAXONOMIES
NOTES = (
    Footnote(1, "Reuters, <em>June 26</em>.", 10, ("fnref:1",)),
    Footnote(2, "A second note.", 11, ("fnref:2", "fnref:2:2")),
    Footnote(3, "Never cited.", 12, ()),
)


BODIES: dict[str, Body] = {}
"""The text of each briefing made below, by path: what the renderer reads (model.Bodies)."""


TEXT = Body("<p>Text.<sup><a href='#fn:1' id='fnref:1'>1</a></sup></p>", NOTES)


def briefing(slug: str = "north-korea", body: Body = TEXT, **fields: object) -> Briefing:
    BODIES[f"briefings/{slug}.md"] = body
    values: dict[str, object] = {
        "path": f"briefings/{slug}.md",
        "title": "North Korean troops",
        "date": DAY,
        "source": ISW,
        "slug": slug,
        "summary": "A summary.",
        "takeaways_html": ("First <em>point</em>.",),
        "terms": {
            "tags": (Term("Air defense", "air-defense"),),
            "places": (Term("Kursk Oblast", "kursk-oblast"),),
        },
    }
    values.update(fields)
    return Briefing(**values)  # type: ignore[arg-type]


def renderer(site_templates: Path | None = None) -> SiteRenderer:
    settings = Settings(title="Archive", base_url=BASE)
    archive = Archive(
        settings=settings, sources={"isw": ISW}, briefings=(briefing("in-the-archive"),), bodies=BodiesInMemory(BODIES)
    )
    return SiteRenderer(archive, site_templates, python_renderers=RENDERERS)


def render(context: Context, site_templates: Path | None = None) -> str:
    return renderer(site_templates).render(PageJob("page/index.html", context)).content.decode("utf-8")


def page(context: Context, site_templates: Path | None = None) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(render(context, site_templates))


def briefing_context(**fields: object) -> BriefingContext:
    values: dict[str, object] = {
        "page_path": "briefings/2025/06/26/north-korea/",
        "search": False,
        "byline": None,
        "listed_taxonomies": (TAGS, PLACES),
        "neighbours": Neighbours(None, None, ()),
        "related": (),
    }
    values.update(fields)
    if "briefing" not in values:  # not made when given: it would put its own text in BODIES
        values["briefing"] = briefing()
    return BriefingContext(**values)  # type: ignore[arg-type]


def hrefs(root: lxml.html.HtmlElement, xpath: str) -> list[str]:
    return [str(a.get("href")) for a in root.xpath(xpath)]


def test_a_briefing_page_shows_its_text_takeaways_terms_and_addresses() -> None:
    root = page(briefing_context())
    assert root.findtext(".//h1") == "North Korean troops"
    assert root.xpath("string(//section[@class='takeaways']//li)") == "First point."
    assert root.xpath("//link[@rel='canonical']/@href") == [BASE + "briefings/2025/06/26/north-korea/"]
    assert hrefs(root, "//footer[@class='terms']//a") == ["/archive/tags/air-defense/", "/archive/places/kursk-oblast/"]
    assert hrefs(root, "//head/link[@type='application/atom+xml']") == [
        "/archive/feed.xml",
        "/archive/sources/isw/feed.xml",
    ]
    assert hrefs(root, "//p[@class='kicker']/a") == ["/archive/sources/isw/"]


def test_the_notes_partial_links_each_note_back_to_every_citation() -> None:
    root = page(briefing_context())
    items = root.xpath("//section[@class='notes']//li")
    assert [(li.get("id"), li.get("value")) for li in items] == [("fn:1", "1"), ("fn:2", "2"), ("fn:3", "3")]
    assert items[0].xpath("string(em)") == "June 26"  # a note's html is printed as HTML
    assert hrefs(items[0], "a[@class='backref']") == ["#fnref:1"]
    assert items[0].xpath("a/@aria-label") == ["Back to citation 1 of note 1"]
    assert items[0].xpath("a/sup") == []  # cited once: one arrow, not numbered
    assert hrefs(items[1], "a[@class='backref']") == ["#fnref:2", "#fnref:2:2"]
    assert items[1].xpath("a/sup/text()") == ["1", "2"]
    assert items[1].xpath("a/@aria-label") == ["Back to citation 1 of note 2", "Back to citation 2 of note 2"]
    assert items[2].xpath("a") == []


def test_the_notes_are_written_as_notes_html_wrote_them() -> None:
    # Byte for byte what render.notes_html made before the partial took its place.
    html = render(briefing_context())
    assert (
        '    <ol>\n      <li id="fn:1" value="1">Reuters, <em>June 26</em>.\n'
        '<a class="backref" href="#fnref:1" role="doc-backlink" aria-label="Back to citation 1 of note 1">\u21a9</a>'
        '       </li>\n      <li id="fn:2" value="2">A second note.\n'
        '<a class="backref" href="#fnref:2" role="doc-backlink" aria-label="Back to citation 1 of note 2">'
        "\u21a9<sup>1</sup></a> "
        '<a class="backref" href="#fnref:2:2" role="doc-backlink" aria-label="Back to citation 2 of note 2">'
        "\u21a9<sup>2</sup></a>       </li>\n"
        '      <li id="fn:3" value="3">Never cited.\n      </li>\n    </ol>\n'
    ) in html


def test_a_briefing_without_notes_has_no_notes_section() -> None:
    root = page(briefing_context(briefing=briefing(body=Body("<p>Text.</p>"))))
    assert root.xpath("//section[@class='notes']") == []


REGIONS = Taxonomy(key="regions", label="Region", plural="Regions", path="areas", search_filter="region")
"""No taxonomy of the site, its path not its key."""


def test_a_term_page_of_any_taxonomy_is_addressed_by_its_segment() -> None:
    # 'regions' is no taxonomy of the site: the page needs no code to be addressed under its path.
    term = Term("Donbas", "donbas")
    context = TermContext(
        page_path="areas/donbas/",
        search=False,
        taxonomy=REGIONS,
        group=TermGroup(REGIONS, term, (briefing(),)),
        by_source=(SourceCount(ISW, 1),),
        feeds=SiteUrls(Settings(base_url=BASE)).term_feeds(REGIONS.path, term),
    )
    root = page(context)
    assert root.findtext(".//h1") == "Region: Donbas"
    assert hrefs(root, "//head/link[@type='application/feed+json']") == [
        "/archive/feed.json",
        "/archive/areas/donbas/feed.json",
    ]
    assert "/archive/areas/donbas/feed.xml" in hrefs(root, "//main//p[@class='muted']/a")
    assert hrefs(root, "//section[@class='by-source']//a") == ["/archive/sources/isw/"]
    assert hrefs(root, "//article[@class='card']//h2/a") == ["/archive/briefings/2025/06/26/north-korea/"]


def test_a_source_listing_links_its_other_pages_and_its_json() -> None:
    pagination = Pagination(2, 3, (briefing(),), "sources/isw/page/2/", "sources/isw/", "sources/isw/page/3/")
    root = page(SourceContext(page_path=pagination.path, search=True, source=ISW, pagination=pagination))
    assert hrefs(root, "//nav[@class='pagination']/a") == ["/archive/sources/isw/", "/archive/sources/isw/page/3/"]
    assert hrefs(root, "//head/link[@type='application/json']") == ["/archive/sources/isw/page/2/index.json"]
    assert root.findtext(".//h1") == "ISW, page 2"
    assert root.xpath("//form[@class='site-search']/@action") == ["/archive/search/"]  # search: True


def test_a_date_page_shows_each_briefing_in_a_day_card() -> None:
    other = briefing("other", takeaways_html=(), summary="Only a summary.")
    group = DateGroup(DAY, (briefing(), other), dt.date(2025, 6, 25), None)
    root = page(DateContext(page_path="briefings/2025/06/26/", search=False, group=group))
    cards = root.xpath("//article[@class='day-briefing']")
    assert [card.get("aria-labelledby") for card in cards] == ["bg:briefing:north-korea", "bg:briefing:other"]
    assert cards[0].xpath("section[@class='takeaways']/@aria-labelledby") == ["bg:takeaways:north-korea"]
    assert cards[1].xpath("string(p[@class='summary'])") == "Only a summary."
    assert hrefs(root, "//nav[@class='date-nav']/a[@rel='prev']") == ["/archive/briefings/2025/06/25/"]


def test_an_atom_feed_is_rendered_from_its_context() -> None:
    context = dataclasses.replace(
        feed_context((briefing(),)),
        feed_path="sources/isw/feed.xml",
        feed_title="ISW: Archive",
        alternate_path="sources/isw/",
        categories=TAGS,
    )
    feed = lxml.etree.fromstring(render(context).encode("utf-8"))
    atom = {"a": "http://www.w3.org/2005/Atom"}
    assert feed.xpath("a:link[@rel='self']/@href", namespaces=atom) == [BASE + "sources/isw/feed.xml"]
    assert feed.xpath("a:entry/a:link/@href", namespaces=atom) == [BASE + "briefings/2025/06/26/north-korea/"]
    assert feed.xpath("a:entry/a:category/@term", namespaces=atom) == ["isw", "air-defense"]


@pytest.mark.parametrize(
    ("block", "kept"),
    [
        ("header", "//footer[@class='site-footer']"),
        ("navigation", "//header//a[@class='site-title']"),
        ("footer", "//header[@class='site-header']"),
    ],
)
def test_a_site_template_replaces_one_block_of_base_html(tmp_path: Path, block: str, kept: str) -> None:
    (tmp_path / "briefing.html").write_text(
        '{% extends "base.html" %}{% block ' + block + ' %}<p id="mine">mine</p>{% endblock %}', encoding="utf-8"
    )
    root = page(briefing_context(), tmp_path)
    assert root.xpath("//p[@id='mine']/text()") == ["mine"]
    assert root.xpath(kept)  # the rest of the frame stays
    if block == "navigation":
        assert root.xpath("//nav[@aria-label='Archive']") == []


def test_a_term_page_of_a_taxonomy_without_feeds_links_none() -> None:
    term = Term("Donbas", "donbas")
    root = page(
        TermContext(
            page_path="areas/donbas/",
            search=False,
            taxonomy=REGIONS,
            group=TermGroup(REGIONS, term, (briefing(),)),
            by_source=(),
            feeds=None,
        )
    )
    assert hrefs(root, "//head/link[@type='application/feed+json']") == ["/archive/feed.json"]
    assert hrefs(root, "//main//p[@class='muted']/a") == []


def test_a_briefing_page_links_its_byline_and_lists_only_the_taxonomies_it_is_given() -> None:
    authored = briefing("authored", terms={"authors": (Term("A. Author", "a-author"),), "places": ()})
    root = page(briefing_context(briefing=authored, byline=AUTHORS, listed_taxonomies=(PLACES,)))
    assert hrefs(root, "//p[@class='byline']/a[@rel='author']") == ["/archive/authors/a-author/"]
    assert root.xpath("//footer[@class='terms']//span[@class='label']/text()") == ["Places:"]


def test_an_atom_entry_has_an_author_per_byline_term() -> None:
    authored = briefing("authored", terms={"authors": (Term("A. Author", "a-author"),)})
    context = FeedContext(
        entries=(authored,),
        feed_path="feed.xml",
        feed_title="Archive",
        updated="2025-06-26T00:00:00Z",
        feed_id="urn:uuid:1",
        alternate_path="",
        byline=AUTHORS,
        categories=None,
    )
    feed = lxml.etree.fromstring(render(context).encode("utf-8"))
    atom = {"a": "http://www.w3.org/2005/Atom"}
    assert feed.xpath("a:entry/a:author/a:uri/text()", namespaces=atom) == [BASE + "authors/a-author/"]
    assert feed.xpath("a:entry/a:category/@term", namespaces=atom) == ["isw"]


def feed_context(entries: tuple[Briefing, ...]) -> FeedContext:
    return FeedContext(
        entries=entries,
        feed_path="feed.xml",
        feed_title="Archive",
        updated="2025-06-26T00:00:00Z",
        feed_id="urn:uuid:1",
        alternate_path="",
        byline=None,
        categories=None,
    )


def feeds_content(entry: Briefing, site_templates: Path | None = None) -> tuple[str, str]:
    """The entry's content in the Atom feed and in the JSON Feed, rendered by one renderer as a build does."""
    site = renderer(site_templates)
    atom = site.render(PageJob("feed.xml", feed_context((entry,)))).content
    content = lxml.etree.fromstring(atom).find(
        "{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}content"
    )
    json_feed = JsonFeedContext(feed_path="feed.json", page_path="", title="Archive", items=(entry,))
    item = json.loads(site.render(PageJob("feed.json", json_feed)).content)["items"][0]
    return content.text, item["content_html"]


def test_both_feeds_carry_takeaways_text_and_notes_as_one_fragment() -> None:
    atom, json_feed = feeds_content(briefing())
    notes = (
        '<li value="1">Reuters, <em>June 26</em>.</li><li value="2">A second note.</li><li value="3">Never cited.</li>'
    )
    expected = f"<h2>Key takeaways</h2><ul><li>First <em>point</em>.</li></ul>{TEXT.html}<h2>Notes</h2><ol>{notes}</ol>"
    assert atom == json_feed == expected
    assert feeds_content(briefing("bare", Body("<p>Bare.</p>\n"), takeaways_html=())) == ("<p>Bare.</p>\n",) * 2


def test_a_site_template_restyles_the_content_of_both_feeds(tmp_path: Path) -> None:
    # partials/feed-body.html makes the fragment, as the pages' partials do theirs (issue 18 translates its labels).
    (tmp_path / "partials").mkdir()
    (tmp_path / "partials" / "feed-body.html").write_text(
        "<h2>Points clés</h2>{{ briefing.takeaways_html | length }} · {{ site.title }}"
        "{% for note in briefing.footnotes %}<p>{{ note.number }}</p>{% endfor %}",
        encoding="utf-8",
    )
    assert feeds_content(briefing(), tmp_path) == ("<h2>Points clés</h2>1 · Archive<p>1</p><p>2</p><p>3</p>",) * 2


def test_the_next_renderer_reads_an_edited_content_template(tmp_path: Path) -> None:
    # Content is kept while recent, by briefing and by renderer: a build after an edit (briefgen serve, in one
    # process) renders the template again, though the briefing is the same.
    (tmp_path / "partials").mkdir()
    template = tmp_path / "partials" / "feed-body.html"
    for label in ("First", "Second"):
        template.write_text(f"<h2>{label}</h2>", encoding="utf-8")
        assert feeds_content(briefing(), tmp_path) == (f"<h2>{label}</h2>",) * 2


def test_a_broken_content_template_is_named_with_its_line_by_either_feed(tmp_path: Path) -> None:
    (tmp_path / "partials").mkdir()
    (tmp_path / "partials" / "feed-body.html").write_text("<h2>Notes</h2>\n{% for x in %}", encoding="utf-8")
    json_feed = JsonFeedContext(feed_path="feed.json", page_path="", title="Archive", items=(briefing(),))
    for job in (PageJob("feed.xml", feed_context((briefing(),))), PageJob("feed.json", json_feed)):
        with pytest.raises(TemplateError, match=r"partials/feed-body\.html:2: "):
            renderer(tmp_path).render(job)
