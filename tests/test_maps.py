"""The maps (maps.py): places where their coordinates say, the basemap cropped to them, and
SVG that is well-formed, safe, accessible, escaped and the same bytes every time."""

from __future__ import annotations

import importlib.util
import json
import math
import re
from importlib import resources
from pathlib import Path
from types import ModuleType

import pytest
from lxml import etree

from briefgen import basemap as basemap_module
from briefgen import maps
from briefgen.basemap import basemap, countries_in
from briefgen.maps import MapPlace, briefing_map, frame_for, locator, overview
from briefgen.svg import svg_hazard

SVG = "{http://www.w3.org/2000/svg}"
REPO_ROOT = Path(__file__).resolve().parents[1]

KYIV = MapPlace("Kyiv", 50.4501, 30.5234, weight=12)
LVIV = MapPlace("Lviv", 49.8397, 24.0297, weight=3)
ODESA = MapPlace("Odesa", 46.4825, 30.7233, weight=1)
TORETSK = MapPlace("Toretsk", 48.3978, 37.8473, weight=7)
UKRAINE = [KYIV, LVIV, ODESA, TORETSK]

EVERY_MAP = {
    "locator": lambda places: locator(places[0]),
    "briefing": briefing_map,
    "overview": overview,
}

HOSTILE_NAMES = [
    "</text><script>alert(1)</script>",
    '" onload="alert(1)',
    "Tom & Jerry's <b>",
    "]]><!-- -->",
    "bell\x07 escape\x1b[31m nul\x00 end",
    "C1\x9b31m next line\x85 nonchar\ufdd0\U0010ffff end",
    "\u202egnp.exe",
    "غزة",
    "&amp; &#x3c; &lt;",
]


def parsed(svg: str) -> etree._Element:
    return etree.fromstring(svg.encode("utf-8"))


def positions(svg: str) -> dict[str, tuple[float, float]]:
    """Each place's dot, by its label: the n-th label names the n-th dot."""
    root = parsed(svg)
    dots = root.findall(f".//{SVG}circle")
    labels = root.findall(f".//{SVG}text")
    assert len(dots) == len(labels)
    return {
        label.text or "": (float(dot.get("cx")), float(dot.get("cy"))) for dot, label in zip(dots, labels, strict=True)
    }


def view_box(svg: str) -> tuple[float, float]:
    _, _, width, height = (float(n) for n in parsed(svg).get("viewBox").split())
    return width, height


# Positions.


@pytest.mark.parametrize(
    "places",
    [
        [KYIV],
        UKRAINE,
        [MapPlace("North Pole", 90, 0)],
        [MapPlace("South", -89.5, 179.9), MapPlace("Other", -80, 179)],
        [MapPlace("Date line west", 10, -180), MapPlace("Date line east", 10, 180)],
        [MapPlace("Along a parallel", 0, -60), MapPlace("far east", 0, 60)],
        [MapPlace("Along a meridian", -60, 10), MapPlace("far north", 70, 10)],
    ],
)
def test_every_place_projects_inside_the_box(places: list[MapPlace]) -> None:
    for name, draw in EVERY_MAP.items():
        svg = draw(places)
        width, height = view_box(svg)
        for x, y in positions(svg).values():
            assert 0 <= x <= width, (name, x)
            assert 0 <= y <= height, (name, y)


def test_kyiv_lies_east_of_lviv_and_north_of_odesa() -> None:
    found = positions(briefing_map(UKRAINE))
    assert found["Kyiv"][0] > found["Lviv"][0]  # east: further right
    assert found["Kyiv"][1] < found["Odesa"][1]  # north: higher up
    assert found["Toretsk"][0] > found["Kyiv"][0]


def test_each_dot_is_where_its_coordinates_say() -> None:
    svg = briefing_map(UKRAINE)
    frame = frame_for(UKRAINE, maps.BRIEFING_EXTENT)
    for place in UKRAINE:
        x, y = frame.project(place.longitude, place.latitude)
        assert positions(svg)[place.name] == pytest.approx((x, y), abs=0.06)
    # and, back from the drawing, within a hundredth of a degree
    west, _, _, north = frame.bounds
    for place in UKRAINE:
        x, y = positions(svg)[place.name]
        assert west + x / frame.x_scale == pytest.approx(place.longitude, abs=0.01)
        assert north - y / frame.y_scale == pytest.approx(place.latitude, abs=0.01)


def test_one_place_is_shown_among_its_region_not_zoomed_in_on() -> None:
    frame = frame_for([KYIV], maps.LOCATOR_EXTENT)
    west, south, east, north = frame.bounds
    assert north - south >= maps.LOCATOR_EXTENT
    assert west < KYIV.longitude < east and south < KYIV.latitude < north
    near = [KYIV, MapPlace("Next door", 50.4502, 30.5235)]
    _, south, _, north = frame_for(near, maps.BRIEFING_EXTENT).bounds
    assert north - south >= maps.BRIEFING_EXTENT


def test_a_place_alone_gets_as_much_room_east_to_west_as_north_to_south() -> None:
    for place in (KYIV, MapPlace("Equator", 0, 30), MapPlace("Tromso", 69.65, 18.96)):
        west, south, east, north = frame_for([place], maps.LOCATOR_EXTENT).bounds
        shrink = math.cos(math.radians(place.latitude))
        assert (east - west) * shrink >= maps.LOCATOR_EXTENT - 1e-9
        assert north - south >= maps.LOCATOR_EXTENT


def test_a_degree_east_is_drawn_shorter_than_a_degree_north_away_from_the_equator() -> None:
    # Kyiv lies at 50.45° N, where a degree of longitude is cos(50.45°) = 0.64 of a degree of latitude.
    east = MapPlace("East", KYIV.latitude, KYIV.longitude + 1)
    north = MapPlace("North", KYIV.latitude + 1, KYIV.longitude)
    found = positions(briefing_map([KYIV, east, north]))
    across = found["East"][0] - found["Kyiv"][0]
    up = found["Kyiv"][1] - found["North"][1]
    assert across / up == pytest.approx(math.cos(math.radians(KYIV.latitude + 0.5)), abs=0.01)


def test_the_places_keep_a_margin_from_the_edges() -> None:
    svg = briefing_map(UKRAINE)
    width, height = view_box(svg)
    for x, y in positions(svg).values():
        assert width * 0.1 < x < width * 0.9
        assert height * 0.1 < y < height * 0.9


def test_the_overview_sizes_each_dot_by_its_briefings() -> None:
    root = parsed(overview(UKRAINE))
    radii = {
        label.text: float(dot.get("r"))
        for dot, label in zip(root.findall(f".//{SVG}circle"), root.findall(f".//{SVG}text"), strict=True)
    }
    assert radii["Kyiv"] > radii["Toretsk"] > radii["Lviv"] > radii["Odesa"]
    assert radii["Kyiv"] == maps.OVERVIEW_RADII[1]
    same = parsed(overview([MapPlace("A", 50, 30, 4), MapPlace("B", 49, 31, 4)]))
    assert len({dot.get("r") for dot in same.findall(f".//{SVG}circle")}) == 1


def test_the_overview_draws_small_dots_over_large_ones() -> None:
    root = parsed(overview([ODESA, KYIV, LVIV]))
    assert [label.text for label in root.findall(f".//{SVG}text")] == ["Kyiv", "Lviv", "Odesa"]


# The basemap.


def test_the_crop_of_places_in_ukraine_holds_ukraines_border() -> None:
    frame = frame_for(UKRAINE, maps.BRIEFING_EXTENT)
    codes = {country.code for country in countries_in(frame)}
    assert {"UKR", "RUS", "POL", "MDA", "BLR"} <= codes
    assert not codes & {"USA", "FRA", "CHN", "AUS"}
    paths = parsed(briefing_map(UKRAINE)).findall(f".//{SVG}path")
    assert len(paths) == len(codes)  # each neighbour drawn once, nothing from elsewhere


def test_the_basemap_is_clipped_to_the_box() -> None:
    svg = briefing_map(UKRAINE)
    width, height = view_box(svg)
    for path in parsed(svg).findall(f".//{SVG}path"):
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path.get("d"))]
        xs, ys = numbers[0::2], numbers[1::2]
        assert min(xs) >= -maps.CLIP_PAD and max(xs) <= width + maps.CLIP_PAD
        assert min(ys) >= -maps.CLIP_PAD and max(ys) <= height + maps.CLIP_PAD
    assert len(svg) < 20_000  # the world's other outlines are not carried along


@pytest.mark.parametrize("scale", ["50m", "110m"])
def test_ukraine_holds_kyiv_and_crimea(scale: str) -> None:
    # Crimea is drawn inside Ukraine's border (scripts/make_basemap.py, RECOGNISED_BORDERS).
    def holders(longitude: float, latitude: float) -> set[str]:
        return {
            country.code for country in basemap(scale) if any(_inside(longitude, latitude, r) for r in country.rings)
        }

    assert holders(KYIV.longitude, KYIV.latitude) == {"UKR"}
    assert holders(34.1, 45.0) == {"UKR"}  # Simferopol
    assert holders(36.0, 45.2) == {"UKR"}  # Kerch peninsula
    assert holders(37.6, 55.75) == {"RUS"}  # Moscow
    assert holders(31.0, 43.0) == set()  # the Black Sea


def _inside(x: float, y: float, ring: tuple[tuple[float, float], ...]) -> bool:
    crossings = False
    for (x1, y1), (x2, y2) in zip(ring, ring[-1:] + ring[:-1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            crossings = not crossings
    return crossings


@pytest.mark.parametrize("scale", ["50m", "110m"])
def test_the_basemap_records_its_source_and_licence(scale: str) -> None:
    data = resources.files("briefgen").joinpath("data", f"basemap-{scale}.json")
    source = json.loads(data.read_text(encoding="utf-8"))["source"]
    assert f"Natural Earth 1:{scale}" in source["dataset"]
    assert re.fullmatch(r"[0-9a-f]{40}", source["commit"])
    assert source["licence"] == "public domain"
    assert any("Crimea" in change for change in source["changes"])
    notice = resources.files("briefgen").joinpath("data", "NOTICE.md").read_text(encoding="utf-8")
    for recorded in (source["commit"], source["terms"], source["repository"], source["file"].split()[0]):
        assert recorded in notice
    assert "public domain" in notice


@pytest.mark.parametrize("scale", ["50m", "110m"])
def test_every_outline_lies_on_the_globe_and_is_a_ring(scale: str) -> None:
    countries = basemap(scale)
    assert len(countries) > 150 and len({country.code for country in countries}) == len(countries)
    for country in countries:
        assert re.fullmatch(r"[A-Z0-9]{3}", country.code)
        for ring in country.rings:
            assert len(ring) >= 3 and ring[0] != ring[-1]  # closed implicitly, not by a repeated point
            assert all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in ring), country.code


def test_a_region_is_drawn_in_detail_and_a_continent_in_general() -> None:
    region = frame_for(UKRAINE, maps.BRIEFING_EXTENT)
    continent = frame_for([KYIV, MapPlace("Khartoum", 15.5, 32.56)], maps.OVERVIEW_EXTENT)
    assert basemap_module.scale_for(region) == basemap_module.DETAILED
    assert basemap_module.scale_for(continent) == basemap_module.GENERAL
    assert len(overview([KYIV, MapPlace("Khartoum", 15.5, 32.56)])) < 40_000
    with pytest.raises(ValueError, match="no basemap"):
        basemap("10m")


# The markup.


@pytest.mark.parametrize("kind", sorted(EVERY_MAP))
def test_the_svg_is_well_formed_and_passes_the_svg_check(kind: str) -> None:
    svg = EVERY_MAP[kind](UKRAINE)
    assert parsed(svg).tag == f"{SVG}svg"
    assert svg_hazard(svg.encode("utf-8")) is None


@pytest.mark.parametrize("kind", sorted(EVERY_MAP))
def test_the_svg_asks_nothing_of_another_host(kind: str) -> None:
    svg = EVERY_MAP[kind](UKRAINE)
    root = parsed(svg)
    for element in root.iter():
        assert etree.QName(element).localname not in {"script", "image", "use", "a", "style", "foreignObject"}
        for name, value in element.attrib.items():
            assert "href" not in name and "url(" not in value and "://" not in value, (name, value)
    assert "font-family" not in svg and "@font-face" not in svg


@pytest.mark.parametrize("kind", sorted(EVERY_MAP))
def test_the_svg_is_an_image_with_a_title_and_a_text_alternative(kind: str) -> None:
    root = parsed(
        EVERY_MAP[kind](UKRAINE, id_prefix="place-kyiv") if kind != "locator" else locator(KYIV, id_prefix="place-kyiv")
    )
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert root[0] is title and title.get("id") == root.get("aria-labelledby") == "place-kyiv-title"
    assert title.text
    desc = root.find(f"{SVG}desc")
    assert desc.get("id") == root.get("aria-describedby") == "place-kyiv-desc"
    for place in UKRAINE if kind != "locator" else [KYIV]:
        assert place.name in (desc.text or "")


def test_colours_come_from_the_text_colour_and_classes() -> None:
    root = parsed(overview(UKRAINE))
    assert {"briefgen-map", "briefgen-map-overview"} <= set(root.get("class").split())
    for element in root.iter(f"{SVG}g", f"{SVG}circle", f"{SVG}path", f"{SVG}text"):
        for attribute in ("fill", "stroke"):
            assert element.get(attribute) in {None, "currentColor", "Canvas"}, etree.tostring(element)
    classes = {element.get("class") for element in root.iter() if element.get("class")}
    assert {"map-land", "map-places", "map-place", "map-labels", "map-label"} <= classes


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_hostile_name_is_text_and_nothing_else(name: str) -> None:
    place = MapPlace(name, 50.45, 30.52, 2)
    for svg in (locator(place), briefing_map([place, ODESA]), overview([place, ODESA])):
        root = parsed(svg)
        assert svg_hazard(svg.encode("utf-8")) is None
        assert not root.findall(f".//{SVG}script") and not root.findall(".//script")
        assert all(not attribute.startswith("on") for element in root.iter() for attribute in element.attrib)
        shown = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0\U0010ffff]", "", name)
        assert shown in [text.text for text in root.iter(f"{SVG}text")]
        assert shown in root.find(f"{SVG}desc").text


def test_names_of_places_close_together_do_not_cover_each_other() -> None:
    cluster = [MapPlace("Gaza", 31.5, 34.47), MapPlace("Rafah", 31.29, 34.25), MapPlace("Khan Younis", 31.34, 34.3)]
    root = parsed(briefing_map(cluster))
    width, height = view_box(briefing_map(cluster))
    size = maps.FONT_SIZE
    boxes = []
    for text in root.iter(f"{SVG}text"):
        x, y, length = float(text.get("x")), float(text.get("y")), len(text.text) * size * 0.6
        left = x - length if text.get("text-anchor") == "end" else x
        boxes.append((left, y - size * 0.8, left + length, y + size * 0.25))
    for index, (left, top, right, bottom) in enumerate(boxes):
        assert left >= 0 and right <= width and top >= 0 and bottom <= height
        for other in boxes[index + 1 :]:
            assert not (left < other[2] and other[0] < right and top < other[3] and other[1] < bottom)


def test_a_right_to_left_name_is_placed_as_a_left_to_right_one() -> None:
    # In SVG, text-anchor 'start' is the right end of right-to-left text: the label would cover its dot.
    root = parsed(briefing_map([MapPlace("غزة", 31.5, 34.47), MapPlace("Rafah", 31.29, 34.25)]))
    (labels,) = root.findall(f"{SVG}g[@class='map-labels']")
    assert labels.get("direction") == "ltr"
    gaza = root.findall(f".//{SVG}text")[0]
    assert gaza.text == "غزة" and gaza.get("text-anchor") in {None, "start"}
    assert float(gaza.get("x")) > float(root.findall(f".//{SVG}circle")[0].get("cx"))


def test_a_hostile_id_prefix_stays_an_id() -> None:
    root = parsed(locator(KYIV, id_prefix='1" onload="x'))
    assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", root.get("aria-labelledby"))
    assert all(not attribute.startswith("on") for attribute in root.attrib)


@pytest.mark.parametrize("kind", sorted(EVERY_MAP))
def test_the_same_places_give_the_same_bytes(kind: str) -> None:
    first = EVERY_MAP[kind](UKRAINE)
    basemap_module.basemap.cache_clear()  # read the data again, as a new build would
    assert EVERY_MAP[kind](list(UKRAINE)) == first
    geometry = parsed(first).xpath("//@d | //@cx | //@cy | //@r | //@x | //@y")
    numbers = re.findall(r"-?\d+\.\d+", " ".join(geometry))
    assert numbers and all(re.fullmatch(r"-?\d+\.\d", number) for number in numbers)
    assert "-0 " not in first and '"-0"' not in first


@pytest.mark.parametrize(
    ("latitude", "longitude"), [(91, 0), (-90.5, 0), (0, 180.01), (0, -181), (float("nan"), 0), (0, float("inf"))]
)
def test_a_place_off_the_globe_is_refused(latitude: float, longitude: float) -> None:
    with pytest.raises(ValueError, match="between"):
        MapPlace("Nowhere", latitude, longitude)


def test_a_map_of_no_places_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one place"):
        briefing_map([])


# The script that makes the basemap.


def make_basemap() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_basemap", REPO_ROOT / "scripts" / "make_basemap.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_scripts_encoding_is_what_maps_reads() -> None:
    script = make_basemap()
    ring = [(3052, 5045), (3060, 5040), (3000, 4990), (-17999, -8999)]
    assert list(basemap_module._decoded(script.delta_encoded(ring), 100)) == [(x / 100, y / 100) for x, y in ring]


def test_the_script_dissolves_two_polygons_along_their_shared_edge() -> None:
    script = make_basemap()
    left = [(0, 0), (10, 0), (10, 10), (0, 10)]
    right = [(10, 0), (20, 0), (20, 10), (10, 10)][::-1]  # turning the other way: made to agree
    merged = script.dissolved(left, right)
    assert sorted(merged) == [(0, 0), (0, 10), (10, 0), (10, 10), (20, 0), (20, 10)]
    assert abs(script.signed_area(merged)) == 2 * 200
    assert script.dissolved(left, [(30, 30), (40, 30), (40, 40)]) is None


def test_the_script_writes_a_file_that_maps_reads(tmp_path: Path) -> None:
    script = make_basemap()
    square = [[[30.0, 45.0], [31.0, 45.0], [31.0, 46.0], [30.0, 46.0], [30.0, 45.0]]]
    collection = {
        "type": "FeatureCollection",
        "features": [{"properties": {"ADM0_A3": "AAA"}, "geometry": {"type": "Polygon", "coordinates": square}}],
    }
    source = tmp_path / "countries.json"
    source.write_text(json.dumps(collection), encoding="utf-8")
    monkeypatched = script.RECOGNISED_BORDERS
    script.RECOGNISED_BORDERS = ()
    try:
        assert script.main(["110m", str(source), "--output", str(tmp_path / "basemap.json")]) == 0
    finally:
        script.RECOGNISED_BORDERS = monkeypatched
    data = json.loads((tmp_path / "basemap.json").read_text(encoding="utf-8"))
    assert data["countries"] == {"AAA": [[3000, 4500, 100, 0, 0, 100, -100, 0]]}
    assert data["source"]["commit"] == script.COMMIT
    assert data["source"]["changes"] == []
