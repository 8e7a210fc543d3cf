"""Make briefgen's basemap (src/briefgen/data/basemap.json) from Natural Earth's countries.

Run by hand, never at build or test time: briefgen ships the result, so that a
build draws its maps with no request to another host.

    python scripts/make_basemap.py path/to/ne_110m_admin_0_countries.json

The input is Natural Earth's 1:110m Cultural Vectors, Admin 0 - Countries,
version 4.0.0, as GeoJSON (converted from Natural Earth's shapefile with GDAL's
ogr2ogr), taken from the repository and commit named in SOURCE below.
Natural Earth is in the public domain (https://www.naturalearthdata.com/about/terms-of-use/).

What the script does to it, and nothing else:

- keeps only each country's rings (its ADM0_A3 code and its polygons; the
  attribute table is left behind);
- rounds every coordinate to a hundredth of a degree (about 1 km, finer than
  the 1:110m data's own detail) and drops the points that rounding repeats;
- draws Crimea as part of Ukraine, its internationally recognised border (UN
  General Assembly resolution 68/262), where Natural Earth's default layer
  follows who controls the ground. Natural Earth offers the same view as its
  Ukrainian point-of-view layer; here the Crimean polygon is moved from RUS to
  UKR and dissolved into Ukraine's mainland along the edges they share.
  RECOGNISED_BORDERS below is the whole of that change: empty it to ship
  Natural Earth's default view.

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

SOURCE = {
    "dataset": "Natural Earth 1:110m Cultural Vectors, Admin 0 - Countries, version 4.0.0",
    "repository": "https://github.com/martynafford/natural-earth-geojson",
    "commit": "0b9a6ceb0a7032713abd9460ac1e995a9c60cd1e",
    "file": "110m/cultural/ne_110m_admin_0_countries.json",
    "licence": "public domain",
    "terms": "https://www.naturalearthdata.com/about/terms-of-use/",
}
"""Where the input came from. Natural Earth's own repository (nvkelso/natural-earth-vector) is
too large to fetch whole; this one holds Natural Earth's release converted to GeoJSON and nothing else."""

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
    parser.add_argument("geojson", type=Path, help="Natural Earth's ne_110m_admin_0_countries as GeoJSON")
    parser.add_argument(
        "--output",
        type=Path,
        default=Path(__file__).resolve().parents[1] / "src" / "briefgen" / "data" / "basemap.json",
    )
    arguments = parser.parse_args(argv)
    collection = json.loads(arguments.geojson.read_text(encoding="utf-8"))
    countries = quantised_countries(collection)
    changes = [move_polygon(countries, change) for change in RECOGNISED_BORDERS]
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(encoded(countries, changes), encoding="utf-8")
    points = sum(len(ring) for polygons in countries.values() for polygon in polygons for ring in polygon)
    print(f"{arguments.output}: {len(countries)} countries, {points} points", file=sys.stderr)
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


def encoded(countries: dict[str, list[list[Ring]]], changes: list[str]) -> str:
    lines = [
        "{",
        f'"source":{json.dumps({**SOURCE, "changes": changes}, ensure_ascii=False, separators=(",", ":"))},',
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
