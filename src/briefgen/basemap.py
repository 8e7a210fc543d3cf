"""Natural Earth's countries as briefgen ships them, and the geometry of a map: its frame and clipping.

maps.py draws; this module knows where things are. A Frame is the part of the
world a map shows and its projection (equirectangular, longitudes shortened by
the cosine of the middle latitude). The basemap is read from data/ once per
scale (scripts/make_basemap.py makes it; data/NOTICE.md says from what), and
a map takes only the countries, and the rings, whose box meets its frame;
`clipped` cuts a projected ring to a box.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources

DETAILED, GENERAL = "50m", "110m"
"""Natural Earth's two scales that briefgen ships (data/basemap-50m.json, data/basemap-110m.json)."""
DETAILED_UP_TO = 30.0
"""The tallest map, in degrees of latitude, drawn on the detailed basemap."""


@dataclass(frozen=True, slots=True)
class Frame:
    """The part of the world a map shows, and how degrees become the viewBox's units."""

    west: float
    north: float
    """The top left corner, in degrees."""
    x_scale: float
    y_scale: float
    """viewBox units per degree of longitude and of latitude (x_scale is y_scale times the cosine)."""
    width: float
    height: float
    """The viewBox's size."""

    def project(self, longitude: float, latitude: float) -> tuple[float, float]:
        return (longitude - self.west) * self.x_scale, (self.north - latitude) * self.y_scale

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) in degrees."""
        return (
            self.west,
            self.north - self.height / self.y_scale,
            self.west + self.width / self.x_scale,
            self.north,
        )


@dataclass(frozen=True, slots=True)
class Country:
    """One country of the basemap: its code, and its rings in degrees with the box round each."""

    code: str
    """Natural Earth's ADM0_A3 code, as 'UKR'."""
    rings: tuple[tuple[tuple[float, float], ...], ...]
    """Each ring a closed outline of (longitude, latitude); outer rings and holes alike (filled even-odd)."""
    ring_bounds: tuple[tuple[float, float, float, float], ...]
    """The box round each ring, (west, south, east, north) in degrees: France's overseas
    departments are not looked at for a map of Ukraine."""

    def rings_within(self, bounds: tuple[float, float, float, float]) -> list[tuple[tuple[float, float], ...]]:
        """The rings whose box meets `bounds` (west, south, east, north)."""
        west, south, east, north = bounds
        return [
            ring
            for ring, (ring_west, ring_south, ring_east, ring_north) in zip(self.rings, self.ring_bounds, strict=True)
            if ring_west <= east and ring_east >= west and ring_south <= north and ring_north >= south
        ]


@functools.cache
def basemap(scale: str) -> tuple[Country, ...]:
    """The countries of data/basemap-{scale}.json ('50m' or '110m'), read once."""
    if scale not in {DETAILED, GENERAL}:
        raise ValueError(f"no basemap at scale {scale!r}")
    text = resources.files("briefgen").joinpath("data", f"basemap-{scale}.json").read_text(encoding="utf-8")
    data = json.loads(text)
    units = float(data["scale"])  # per degree
    countries = []
    for code, encoded_rings in data["countries"].items():
        rings = tuple(tuple(_decoded(ring, units)) for ring in encoded_rings)
        countries.append(Country(code=code, rings=rings, ring_bounds=tuple(_bounds(ring) for ring in rings)))
    return tuple(countries)


def _bounds(ring: tuple[tuple[float, float], ...]) -> tuple[float, float, float, float]:
    longitudes = [x for x, _ in ring]
    latitudes = [y for _, y in ring]
    return min(longitudes), min(latitudes), max(longitudes), max(latitudes)


def _decoded(flat: list[int], units: float) -> Iterator[tuple[float, float]]:
    """A ring's points from its flat list: the first absolute, each next one the difference, in 1/units degree."""
    x = y = 0
    for index in range(0, len(flat), 2):
        x += flat[index]
        y += flat[index + 1]
        yield x / units, y / units


def scale_for(frame: Frame) -> str:
    """The basemap a map is drawn on: the detailed one for a map of a region, the general one beyond."""
    return DETAILED if frame.height / frame.y_scale <= DETAILED_UP_TO else GENERAL


def countries_in(frame: Frame) -> list[Country]:
    """The countries with a ring whose box meets the frame's, from the basemap of its scale."""
    return [country for country in basemap(scale_for(frame)) if country.rings_within(frame.bounds)]


def clipped(ring: list[tuple[float, float]], box: tuple[float, float, float, float]) -> list[tuple[float, float]]:
    """The part of a closed ring inside the box (Sutherland-Hodgman: one box edge at a time).

    Where the ring leaves the box it follows the box's edge; those edges lie in the
    CLIP_PAD outside the viewBox, so they are cut off by the SVG's own bounds.
    """
    left, top, right, bottom = box
    points = ring
    for axis, bound, keep_above in ((0, left, True), (0, right, False), (1, top, True), (1, bottom, False)):
        points = _clipped_at(points, axis, bound, keep_above)
        if not points:
            break
    return points


def _clipped_at(
    points: list[tuple[float, float]], axis: int, bound: float, keep_above: bool
) -> list[tuple[float, float]]:
    """The ring cut at one line of the box (x or y = bound), the side kept being above or below it."""

    def inside(point: tuple[float, float]) -> bool:
        return point[axis] >= bound if keep_above else point[axis] <= bound

    kept: list[tuple[float, float]] = []
    previous = points[-1]
    for point in points:
        if inside(point):
            if not inside(previous):
                kept.append(_crossing(previous, point, axis, bound))
            kept.append(point)
        elif inside(previous):
            kept.append(_crossing(previous, point, axis, bound))
        previous = point
    return kept


def _crossing(a: tuple[float, float], b: tuple[float, float], axis: int, bound: float) -> tuple[float, float]:
    """Where the segment from a to b meets the line (one point on each side of it, so never parallel)."""
    other = 1 - axis
    along = a[other] + (bound - a[axis]) / (b[axis] - a[axis]) * (b[other] - a[other])
    return (bound, along) if axis == 0 else (along, bound)
