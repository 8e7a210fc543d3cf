"""Make briefgen's basemaps (src/briefgen/data/basemap-*.json) from Natural Earth's countries.

Run by hand, never at build or test time: briefgen ships the result, so that a
build draws its maps with no request to another host.

    python scripts/make_basemap.py 50m path/to/ne_50m_admin_0_countries.json
    python scripts/make_basemap.py 110m path/to/ne_110m_admin_0_countries.json

Two scales, because a map of a region and a map of a continent want different
detail: maps.py draws a map a few degrees across over the 1:50m outlines, and a
larger one over the 1:110m outlines, which are a fifth of the size.

The inputs are Natural Earth's 1:50m and 1:110m Cultural Vectors, Admin 0 -
Countries, version 4.0.0, as GeoJSON (converted from Natural Earth's shapefiles
with GDAL's ogr2ogr), from the repository, commit and files named in SOURCES
below (the 1:50m file is kept there 7-zipped: unpack it first, with 7z or py7zr).
Natural Earth is in the public domain (https://www.naturalearthdata.com/about/terms-of-use/).

What the script does to them, and nothing else:

- keeps only each country's rings (its ADM0_A3 code and its polygons; the
  attribute table is left behind);
- rounds every coordinate to a hundredth of a degree (about 1 km) and drops the
  points that rounding repeats;
- draws Crimea as part of Ukraine, its internationally recognised border (UN
  General Assembly resolution 68/262), where Natural Earth's default layer
  follows who controls the ground. Natural Earth offers the same view as its
  Ukrainian point-of-view layer; here the Crimean polygon is moved from RUS to
  UKR and dissolved into Ukraine's mainland along the edges they share.
  RECOGNISED_BORDERS below is the whole of that change: empty it to ship
  Natural Earth's default view;
- simplifies the 1:50m outlines to within TOLERANCES["50m"] (the 1:110m ones are general
  enough as they are), keeping neighbours' shared borders identical.

The output: {"source": {...}, "scale": 100, "countries": {"UKR": [ring, ...], ...}},
each ring a flat list of integers, its first point absolute (longitude, latitude,
in hundredths of a degree) and each next one the difference from the one before;
the ring closes on its first point, which is not repeated. One country a line,
sorted by code, so that a new version of the data reads as a diff.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path
from typing import Any

REPOSITORY = "https://github.com/martynafford/natural-earth-geojson"
"""Natural Earth's own repository (nvkelso/natural-earth-vector) is too large to fetch whole;
this one holds Natural Earth's release converted to GeoJSON and nothing else (CC0)."""
COMMIT = "0b9a6ceb0a7032713abd9460ac1e995a9c60cd1e"
TERMS = "https://www.naturalearthdata.com/about/terms-of-use/"

SOURCES = {
    "50m": {
        "dataset": "Natural Earth 1:50m Cultural Vectors, Admin 0 - Countries, version 4.0.0",
        "file": "50m/cultural/ne_50m_admin_0_countries.7z (ne_50m_admin_0_countries.json in it)",
    },
    "110m": {
        "dataset": "Natural Earth 1:110m Cultural Vectors, Admin 0 - Countries, version 4.0.0",
        "file": "110m/cultural/ne_110m_admin_0_countries.json",
    },
}
"""Where each input came from, recorded in the output with REPOSITORY, COMMIT and TERMS."""

TOLERANCES = {"50m": 3, "110m": 0}
"""Outlines are simplified to within this many hundredths of a degree. 0.03 degree is about
2 px on the smallest map drawn at 1:50m (basemap.DETAILED_UP_TO) and halves the data."""

DATA = Path(__file__).resolve().parents[1] / "src" / "briefgen" / "data"

SCALE = 100
"""Coordinates are stored in hundredths of a degree."""

RECOGNISED_BORDERS: tuple[dict[str, Any], ...] = (
    {
        "what": "Crimea drawn as part of Ukraine (UN General Assembly resolution 68/262)",
        "from": "RUS",
        "to": "UKR",
        "within": (32.0, 44.0, 37.0, 46.5),
    },
)
"""Polygons moved from one country to another: each a polygon of `from` lying wholly within the
box (west, south, east, north, in degrees), dissolved into `to`."""

Point = tuple[int, int]
Ring = list[Point]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scale", choices=sorted(SOURCES), help="which of Natural Earth's scales the input is")
    parser.add_argument("geojson", type=Path, help="Natural Earth's ne_*_admin_0_countries as GeoJSON")
    parser.add_argument("--output", type=Path, help="default: src/briefgen/data/basemap-SCALE.json")
    parser.add_argument("--tolerance", type=int, help="in hundredths of a degree, 0: none (default: TOLERANCES)")
    arguments = parser.parse_args(argv)
    output = arguments.output or DATA / f"basemap-{arguments.scale}.json"
    tolerance = TOLERANCES[arguments.scale] if arguments.tolerance is None else arguments.tolerance
    collection = json.loads(arguments.geojson.read_text(encoding="utf-8"))
    countries = quantised_countries(collection)
    changes = [move_polygon(countries, change) for change in RECOGNISED_BORDERS]
    if tolerance > 0:
        countries = simplified(countries, tolerance)
        changes.append(f"simplified to within {tolerance / SCALE} degree, shared borders kept identical")
    source = {
        **SOURCES[arguments.scale],
        "repository": REPOSITORY,
        "commit": COMMIT,
        "licence": "public domain",
        "terms": TERMS,
        "changes": changes,
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(encoded(countries, source), encoding="utf-8")
    points = sum(len(ring) for polygons in countries.values() for polygon in polygons for ring in polygon)
    print(f"{output}: {len(countries)} countries, {points} points", file=sys.stderr)
    return 0


def quantised_countries(collection: dict[str, object]) -> dict[str, list[list[Ring]]]:
    """Each country's polygons (outer ring, then holes), rounded to the grid."""
    countries: dict[str, list[list[Ring]]] = {}
    for feature in collection["features"]:  # type: ignore[attr-defined]
        code = feature["properties"]["ADM0_A3"]
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for polygon in polygons:
            rings = [ring for ring in (rounded(raw) for raw in polygon) if len(ring) >= 3]
            if rings:
                countries.setdefault(code, []).append(rings)
    return countries


def rounded(raw: list[list[float]]) -> Ring:
    ring: Ring = []
    for longitude, latitude in raw:
        point = (round(longitude * SCALE), round(latitude * SCALE))
        if not ring or ring[-1] != point:
            ring.append(point)
    while len(ring) > 1 and ring[-1] == ring[0]:
        ring.pop()
    return ring


def move_polygon(countries: dict[str, list[list[Ring]]], change: dict[str, Any]) -> str:
    """Apply one of RECOGNISED_BORDERS; its description, for the output's record of changes."""
    what, source, to, within = change["what"], change["from"], change["to"], change["within"]
    west, south, east, north = (round(edge * SCALE) for edge in within)
    moved = [
        polygon
        for polygon in countries[source]
        if all(west <= x <= east and south <= y <= north for x, y in polygon[0])
    ]
    if len(moved) != 1:
        raise SystemExit(f"{what}: expected one polygon of {source} in {within}, found {len(moved)}")
    countries[source].remove(moved[0])
    for index, polygon in enumerate(countries[to]):
        merged = dissolved(polygon[0], moved[0][0])
        if merged is not None:
            countries[to][index] = [merged, *polygon[1:], *moved[0][1:]]
            return what
    raise SystemExit(f"{what}: the polygon shares no edge with {to}")


def dissolved(first: Ring, second: Ring) -> Ring | None:
    """The two rings as one, their shared edges taken out; None when they share none.

    The rings are made to turn the same way, so that an edge they share runs one way
    in one and the other way in the other: those pairs cancel, and what is left is
    followed round from point to point.
    """
    if signed_area(first) * signed_area(second) < 0:
        second = second[::-1]
    edges = [*ring_edges(first), *ring_edges(second)]
    shared = {edge for edge in edges if (edge[1], edge[0]) in edges}
    if not shared:
        return None
    following = {start: end for start, end in edges if (start, end) not in shared}
    if len(following) != len([edge for edge in edges if edge not in shared]):
        raise SystemExit("the rings touch at a point as well as along an edge: not dissolved")
    start = min(following)
    ring = [start]
    while following[ring[-1]] != start:
        ring.append(following[ring[-1]])
    if len(ring) != len(following):
        raise SystemExit("the dissolved rings make more than one ring")
    return ring


def ring_edges(ring: Ring) -> list[tuple[Point, Point]]:
    return [(ring[index], ring[(index + 1) % len(ring)]) for index in range(len(ring))]


def signed_area(ring: Ring) -> int:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in ring_edges(ring))


def simplified(countries: dict[str, list[list[Ring]]], tolerance: int) -> dict[str, list[list[Ring]]]:
    """Every ring simplified (Douglas-Peucker) without opening gaps between neighbours.

    A border is in two countries' rings, once each way. Simplified ring by ring, the two
    copies could keep different points and no longer meet. So each ring is cut into chains
    at its junctions (where the set of rings a point belongs to changes), and each chain is
    simplified once, in one direction, whichever ring it is met in: both neighbours get the
    same border. Islands, with no junction, are cut at their first point and the point
    farthest from it. A ring left with fewer than 3 points (a speck of an island) is dropped.
    """
    rings = [ring for polygons in countries.values() for polygon in polygons for ring in polygon]
    owners: dict[Point, set[int]] = {}
    for number, ring in enumerate(rings):
        for point in ring:
            owners.setdefault(point, set()).add(number)
    done: dict[tuple[Point, ...], list[Point]] = {}

    def chain_simplified(chain: list[Point]) -> list[Point]:
        forward, backward = tuple(chain), tuple(reversed(chain))
        key = min(forward, backward)
        if key not in done:
            done[key] = douglas_peucker(list(key), tolerance)
        return done[key] if key == forward else done[key][::-1]

    result: dict[str, list[list[Ring]]] = {}
    for code, polygons in countries.items():
        for polygon in polygons:
            outer, *holes = (simplified_ring(ring, owners, chain_simplified) for ring in polygon)
            if outer:  # a hole without its outline would be drawn as land
                result.setdefault(code, []).append([outer, *(hole for hole in holes if hole)])
    return result


def simplified_ring(ring: Ring, owners: dict[Point, set[int]], chain_simplified: Any) -> Ring:
    junctions = [
        index
        for index, point in enumerate(ring)
        if owners[point] != owners[ring[index - 1]] or owners[point] != owners[ring[(index + 1) % len(ring)]]
    ]
    if not junctions:
        first = ring[0]
        farthest = max(range(len(ring)), key=lambda i: (ring[i][0] - first[0]) ** 2 + (ring[i][1] - first[1]) ** 2)
        junctions = [0, farthest] if farthest else [0]
    out: Ring = []
    for position, start in enumerate(junctions):
        end = junctions[(position + 1) % len(junctions)]
        chain = ring[start : end + 1] if end > start else [*ring[start:], *ring[: end + 1]]
        out += chain_simplified(chain)[:-1]
    return out if len(out) >= 3 else []


def douglas_peucker(points: list[Point], tolerance: int) -> list[Point]:
    """The points of an open chain that keep it within `tolerance` of itself; both ends always kept."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        distance, farthest = max((_distance(points[i], points[first], points[last]), i) for i in range(first + 1, last))
        if distance > tolerance:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def _distance(point: Point, start: Point, end: Point) -> float:
    """From the point to the segment start-end."""
    (px, py), (ax, ay), (bx, by) = point, start, end
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    share = 0.0 if length == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length))
    return float(((px - ax - share * dx) ** 2 + (py - ay - share * dy) ** 2) ** 0.5)


def encoded(countries: dict[str, list[list[Ring]]], source: dict[str, Any]) -> str:
    lines = [
        "{",
        f'"source":{json.dumps(source, ensure_ascii=False, separators=(",", ":"))},',
        f'"scale":{SCALE},',
        '"countries":{',
    ]
    codes = sorted(countries)
    for position, code in enumerate(codes):
        rings = [delta_encoded(ring) for polygon in countries[code] for ring in polygon]
        comma = "," if position < len(codes) - 1 else ""
        lines.append(f"{json.dumps(code)}:{json.dumps(rings, separators=(',', ':'))}{comma}")
    lines += ["}", "}", ""]
    return "\n".join(lines)


def delta_encoded(ring: Ring) -> list[int]:
    flat = [*ring[0]]
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        flat += [x2 - x1, y2 - y1]
    return flat


if __name__ == "__main__":
    sys.exit(main())
