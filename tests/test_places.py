"""Places with a gazetteer, built: one page per place whatever its spelling, a warning for an unknown one,
a region's page listing what lies within it, maps where the coordinates say, and the exports' places."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from lxml import etree

from briefgen import maps
from briefgen.build import build_site
from briefgen.cli import main
from briefgen.maps import MapPlace, frame_for
from tests.sites import MakeSite, briefing_text
from tests.sitetools import snapshot

SVG = "{http://www.w3.org/2000/svg}"

GAZETTEER = """\
ukraine:
  name: Ukraine
  aliases: [Україна]
donetsk-oblast:
  name: Donetsk Oblast
  within: ukraine
kyiv:
  name: Kyiv
  aliases: [Київ, Киев, Kiev]
  latitude: 50.4501
  longitude: 30.5234
  within: ukraine
toretsk:
  name: Toretsk
  aliases: [Торецьк]
  latitude: 48.3978
  longitude: 37.8472
  within: donetsk-oblast
lyman:
  name: Lyman
  within: donetsk-oblast
"""
KYIV = MapPlace("Kyiv", 50.4501, 30.5234)
TORETSK = MapPlace("Toretsk", 48.3978, 37.8472)


def site_files(**places: str) -> dict[str, str | bytes]:
    """A site with the gazetteer and a briefing per keyword: its file name -> its `places:` list."""
    files: dict[str, str | bytes] = {"places.yaml": GAZETTEER}
    for day, (name, listed) in enumerate(places.items(), start=20):
        files[f"briefings/2025/06/{day}/{name}.md"] = briefing_text(
            f"places: [{listed}]\n", date=f"2025-06-{day}", title=f"Briefing {name}"
        )
    return files


def build(root: Path) -> Path:
    build_site(root, search=False)
    return root / "site"


def page(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def svg_of(html: str) -> etree._Element:
    (svg,) = re.findall(r"<svg .*?</svg>", html, flags=re.DOTALL)
    return etree.fromstring(svg.encode("utf-8"))


def dots(svg: etree._Element) -> dict[str, tuple[float, float]]:
    """Each dot's centre, by the name written beside it (the n-th label is the n-th dot's)."""
    circles, labels = svg.findall(f".//{SVG}circle"), svg.findall(f".//{SVG}text")
    assert len(circles) == len(labels)
    return {
        label.text or "": (float(c.get("cx")), float(c.get("cy"))) for c, label in zip(circles, labels, strict=True)
    }


def near(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) <= 0.05 and abs(a[1] - b[1]) <= 0.05  # the SVG writes one decimal


# One page per place.


def test_a_place_in_four_scripts_and_spellings_is_one_page(make_site: MakeSite) -> None:
    root = make_site(site_files(a="Київ", b="Kyiv", c="Киев", d="KIEV"))
    site = build(root)
    kyiv = page(site, "places/kyiv")
    assert kyiv.count('class="card"') == 4
    assert "<h1>Place: Kyiv</h1>" in kyiv
    assert sorted(p.name for p in (site / "places").iterdir() if p.is_dir()) == ["kyiv", "ukraine"]
    # Its other names, each written in its own direction.
    assert '<span dir="auto">Київ</span>, <span dir="auto">Киев</span>, <span dir="auto">Kiev</span>' in kyiv


def test_without_a_gazetteer_two_scripts_are_two_pages(make_site: MakeSite) -> None:
    files = site_files(a="Киев", b="Kyiv")  # Russian's spelling: transliterated, still another name
    del files["places.yaml"]
    site = build(make_site(files))
    assert sorted(p.name for p in (site / "places").iterdir() if p.is_dir()) == [
        "kiyev",
        "kyiv",
    ]  # е after a vowel is ye (BGN/PCGN)


def test_an_unknown_place_warns_at_its_line_with_the_nearest_name(
    make_site: MakeSite, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_site(site_files(a="Kyiv, Toretsk", b="Kyviv"))
    assert main(["check", "--root", str(root)]) == 0
    assert main(["check", "--strict", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "briefings/2025/06/21/b.md:5: warning: place 'Kyviv' is not in places.yaml (did you mean 'Kyiv'?)" in err
    assert err.count("warning:") == 2  # once for each of the two checks, nothing about the known places
    site = build(root)  # published as written all the same
    assert (site / "places" / "kyviv" / "index.html").is_file()


# A region and what lies within it.


def test_a_place_links_its_region_and_country_and_they_list_what_lies_within(make_site: MakeSite) -> None:
    site = build(make_site(site_files(a="Toretsk", b="Kyiv")))
    toretsk = page(site, "places/toretsk")
    assert re.search(
        r'<span class="label">In:</span> <a href="/places/donetsk-oblast/" dir="auto">Donetsk Oblast</a>,'
        r' <a href="/places/ukraine/" dir="auto">Ukraine</a>',
        toretsk,
    )
    ukraine = page(site, "places/ukraine")
    within = ukraine[ukraine.index("Places in Ukraine") :]
    assert re.findall(r'<li><a href="/places/([a-z-]+)/" dir="auto">', within) == ["donetsk-oblast", "kyiv"]
    assert ukraine.count('class="card"') == 2  # the country's page has the briefings of the places within it
    oblast = page(site, "places/donetsk-oblast")
    assert re.findall(r'<li><a href="/places/([a-z-]+)/" dir="auto">', oblast[oblast.index("Places in") :]) == [
        "toretsk"
    ]
    assert not (site / "places" / "lyman").exists()  # no briefing names it: no page


# Maps.


def test_a_place_page_locates_the_place_where_its_coordinates_say(make_site: MakeSite) -> None:
    site = build(make_site(site_files(a="Торецьк")))
    svg = svg_of(page(site, "places/toretsk"))
    frame = frame_for([TORETSK], maps.LOCATOR_EXTENT)
    assert near(dots(svg)["Toretsk"], frame.project(TORETSK.longitude, TORETSK.latitude))
    assert svg.get("class") == "briefgen-map briefgen-map-locator"
    assert svg.findtext(f"{SVG}title") == "Location of Toretsk"


def test_a_briefing_page_maps_its_places_that_have_coordinates(make_site: MakeSite) -> None:
    site = build(make_site(site_files(a="Kyiv, Toretsk, Lyman", b="Lyman")))
    svg = svg_of(page(site, "briefings/2025/06/20/a"))
    frame = frame_for([KYIV, TORETSK], maps.BRIEFING_EXTENT)
    found = dots(svg)
    assert sorted(found) == ["Kyiv", "Toretsk"]  # Lyman has no coordinates
    for place in (KYIV, TORETSK):
        assert near(found[place.name], frame.project(place.longitude, place.latitude))
    # Kyiv lies north-west of Toretsk: left of it, and above it.
    assert found["Kyiv"][0] < found["Toretsk"][0]
    assert found["Kyiv"][1] < found["Toretsk"][1]
    assert "<svg" not in page(site, "briefings/2025/06/21/b")  # no place with coordinates, no map


def test_the_places_index_maps_each_place_sized_by_its_briefings(make_site: MakeSite) -> None:
    site = build(make_site(site_files(a="Kyiv, Toretsk", b="Kyiv", c="Kyiv")))
    svg = svg_of(page(site, "places"))
    radii = {
        label.text: float(circle.get("r"))
        for circle, label in zip(svg.findall(f".//{SVG}circle"), svg.findall(f".//{SVG}text"), strict=True)
    }
    assert radii == {"Kyiv": maps.OVERVIEW_RADII[1], "Toretsk": pytest.approx(3 + 9 * (1 / 3) ** 0.5, abs=0.05)}


def test_the_maps_ask_nothing_of_another_host(make_site: MakeSite) -> None:
    site = build(make_site(site_files(a="Kyiv, Toretsk")))
    for path in ("places", "places/kyiv", "briefings/2025/06/20/a"):
        svg = svg_of(page(site, path))
        markup = etree.tostring(svg, encoding="unicode")
        assert re.findall(r"https?://[^\"' ]+", markup) == ["http://www.w3.org/2000/svg"]  # its namespace only
        names = {element.tag.removeprefix(SVG) for element in svg.iter()}
        assert names <= {"svg", "title", "desc", "g", "path", "circle", "text"}, names
        assert not any(name.startswith("on") or "href" in name for e in svg.iter() for name in e.attrib)


# Exports and incremental builds.


def test_the_exports_carry_each_places_key_name_and_coordinates(make_site: MakeSite) -> None:
    site = build(make_site(site_files(a="Київ, Lyman")))
    (record,) = json.loads((site / "briefings.json").read_text("utf-8"))["briefings"]
    assert record["places"] == [
        {"name": "Kyiv", "slug": "kyiv", "latitude": 50.4501, "longitude": 30.5234},
        {"name": "Lyman", "slug": "lyman"},
    ]
    (item,) = json.loads((site / "places" / "kyiv" / "feed.json").read_text("utf-8"))["items"]
    assert item["_briefgen"]["places"] == ["Kyiv", "Lyman"]
    assert item["_briefgen"]["locations"] == [
        {"key": "kyiv", "name": "Kyiv", "latitude": 50.4501, "longitude": 30.5234},
        {"key": "lyman", "name": "Lyman"},
    ]


@pytest.mark.parametrize(
    "edit",
    [
        ("latitude: 48.3978", "latitude: 48.5"),  # a dot moves on two maps
        ("  name: Ukraine\n", "  name: Ukraina\n"),  # a country no briefing names, shown on its places' pages
        ("lyman:\n  name: Lyman\n", "lyman:\n  name: Lyman\n  aliases: [Kyviv]\n"),  # an unknown place known
    ],
    ids=["coordinates", "country", "alias"],
)
def test_an_edit_to_the_gazetteer_rebuilds_what_shows_it(
    make_site: MakeSite, tmp_path: Path, edit: tuple[str, str]
) -> None:
    root = make_site(site_files(a="Toretsk", b="Kyviv"))
    build_site(root, search=False)
    gazetteer = root / "places.yaml"
    gazetteer.write_text(gazetteer.read_text("utf-8").replace(*edit), "utf-8")
    build_site(root, search=False)
    cold = tmp_path / "cold"
    shutil.rmtree(cold, ignore_errors=True)
    build_site(root, output=cold, use_cache=False, search=False)
    assert snapshot(root / "site") == snapshot(cold)
