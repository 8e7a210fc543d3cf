"""Maps of places drawn as inline SVG at build time: no tiles, no script, no font, no other host.

Three maps, each a string of SVG markup to put into a page as it is:

- `locator(place)`: where one place lies, for its place page;
- `briefing_map(places)`: the places one briefing names;
- `overview(places)`: every place of the archive, each dot's area growing with its
  number of briefings (its `weight`).

Each is cropped to its places with a margin, and never to less than a minimum
extent, so that a single place is shown among its neighbours rather than alone
on a blank square. The basemap is Natural Earth's countries (public domain):
its 1:50m outlines for a map up to DETAILED_UP_TO degrees tall, its 1:110m ones
for a larger map, which could not show the finer detail and would carry it all
into the page. Both are shipped in data/ and made by scripts/make_basemap.py,
which records their source and what it changed (data/NOTICE.md).

The projection is equirectangular with its standard parallel at the middle of
the map: longitudes are shortened by the cosine of that latitude, so a map of
Ukraine is not stretched east to west. Good enough at the scale of a country;
a map spanning the antimeridian is not drawn well (its places sit at both ends).

Colours come from currentColor and CSS classes (`briefgen-map`, `map-land`,
`map-place`, `map-label`, ...), so the theme's dark mode and print styles restyle
them; the presentation attributes are only defaults that any CSS rule overrides.
Numbers are written with one decimal, so the same places give the same bytes.
Names come from editors: every one is escaped as XML text, and characters that
XML cannot hold (control characters) are dropped.

The map's title and text alternative are found by ids, `{id_prefix}-title` and
`{id_prefix}-desc`: a page with two maps gives each its own `id_prefix`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from briefgen.basemap import Frame, clipped, countries_in

WIDTH = 480.0
"""The viewBox's width. The SVG has no width of its own: it fills its container, keeping its shape."""
ASPECT_RANGE = (0.5, 0.75)
"""Height over width: a row of places along one parallel still gets a map, not a strip."""
MARGIN = 0.2
"""Added on every side, as a share of the places' extent (or of the minimum extent)."""
CLIP_PAD = 4.0
"""Country outlines are clipped this far outside the viewBox, so that the clipping's own edges are never seen."""
OUTLINE_GRID = 0.5
"""Country outlines are drawn on a grid of half a viewBox unit: finer than a screen shows the map."""
FONT_SIZE = 13.0
DOT_RADIUS = 4.5
OVERVIEW_RADII = (3.0, 12.0)
"""The smallest and largest dot of the overview; area grows with the number of briefings."""

# Degrees of latitude that a map shows at the least. A locator shows a place among its region;
# a briefing's map is at least a day's drive across.
LOCATOR_EXTENT = 10.0
BRIEFING_EXTENT = 4.0
OVERVIEW_EXTENT = 4.0

NOT_IN_XML = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(chr(plane + 0xFFFE) + chr(plane + 0xFFFF) for plane in range(0, 0x110000, 0x10000))
    + "]"
)
"""What XML cannot hold (C0 controls, lone surrogates) and what HTML calls a parse error in a
page (C1 controls such as the terminal's CSI, noncharacters): dropped from names."""
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"})
"""XML's five escapes, as xml.sax.saxutils would write them with quotes added (not imported: it brings
urllib.request, http.client and ssl, 30 ms of every briefgen process's start)."""


@dataclass(frozen=True, slots=True)
class MapPlace:
    """A place to draw: its name as the reader sees it, where it lies, and how often it is named."""

    name: str
    latitude: float
    """Degrees north, -90 to 90."""
    longitude: float
    """Degrees east, -180 to 180."""
    weight: int = 1
    """The number of briefings that name it; sizes its dot on the overview map."""

    def __post_init__(self) -> None:
        if not (math.isfinite(self.latitude) and -90 <= self.latitude <= 90):
            raise ValueError(f"{self.name}: latitude {self.latitude} is not between -90 and 90")
        if not (math.isfinite(self.longitude) and -180 <= self.longitude <= 180):
            raise ValueError(f"{self.name}: longitude {self.longitude} is not between -180 and 180")
        if self.weight < 0:
            raise ValueError(f"{self.name}: weight {self.weight} is negative")


def locator(place: MapPlace, *, id_prefix: str = "map") -> str:
    """Where one place lies, among its region."""
    return _drawn(
        [place],
        title=f"Location of {place.name}",
        describe=_position,
        min_extent=LOCATOR_EXTENT,
        radius=lambda _: DOT_RADIUS,
        kind="locator",
        id_prefix=id_prefix,
    )


def briefing_map(places: Sequence[MapPlace], *, id_prefix: str = "map") -> str:
    """The places one briefing names."""
    names = ", ".join(place.name for place in places)
    return _drawn(
        places,
        title=f"Map of the places named: {names}",
        describe=_position,
        min_extent=BRIEFING_EXTENT,
        radius=lambda _: DOT_RADIUS,
        kind="briefing",
        id_prefix=id_prefix,
    )


def overview(places: Sequence[MapPlace], *, id_prefix: str = "map") -> str:
    """Every place, each dot's area growing with its number of briefings."""
    heaviest = max((place.weight for place in places), default=1) or 1
    smallest, largest = OVERVIEW_RADII

    def radius(place: MapPlace) -> float:
        return smallest + (largest - smallest) * math.sqrt(place.weight / heaviest)

    # The largest dots first, so that a small one is never hidden under a large one.
    drawn = sorted(places, key=lambda place: (-place.weight, place.name))
    return _drawn(
        drawn,
        title="Map of the places, each sized by its number of briefings",
        describe=_briefing_count,
        min_extent=OVERVIEW_EXTENT,
        radius=radius,
        kind="overview",
        id_prefix=id_prefix,
    )


def frame_for(places: Sequence[MapPlace], min_extent: float) -> Frame:
    """The frame that shows every place with a margin, at least `min_extent` degrees of latitude
    tall and as wide in kilometres, its shape within ASPECT_RANGE."""
    if not places:
        raise ValueError("a map needs at least one place")
    south = min(place.latitude for place in places)
    north = max(place.latitude for place in places)
    west = min(place.longitude for place in places)
    east = max(place.longitude for place in places)
    middle = (south + north) / 2
    shrink = max(math.cos(math.radians(middle)), 0.2)  # near a pole the parallels would vanish
    # In 'projected degrees': degrees of latitude, and degrees of longitude times `shrink`.
    across = max((east - west) * shrink, min_extent)
    tall = max(north - south, min_extent)
    across, tall = across * (1 + 2 * MARGIN), tall * (1 + 2 * MARGIN)
    low, high = ASPECT_RANGE
    tall = min(max(tall, across * low), 180.0)
    across = max(across, tall / high)
    centre_x = (west + east) / 2 * shrink
    centre_y = min(max(middle, -90 + tall / 2), 90 - tall / 2)
    scale = WIDTH / across
    return Frame(
        west=(centre_x - across / 2) / shrink,
        north=centre_y + tall / 2,
        x_scale=scale * shrink,
        y_scale=scale,
        width=WIDTH,
        height=_rounded(tall * scale),
    )


def _drawn(
    places: Sequence[MapPlace],
    *,
    title: str,
    describe: Callable[[MapPlace], str],
    min_extent: float,
    radius: Callable[[MapPlace], float],
    kind: str,
    id_prefix: str,
) -> str:
    frame = frame_for(places, min_extent)
    prefix = _identifier(id_prefix)
    lines = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="briefgen-map briefgen-map-{kind}" '
        f'viewBox="0 0 {_number(frame.width)} {_number(frame.height)}" role="img" '
        f'aria-labelledby="{prefix}-title" aria-describedby="{prefix}-desc">',
        f'<title id="{prefix}-title">{_text(title)}</title>',
        f'<desc id="{prefix}-desc">{_text(" ".join(describe(place) for place in places))}</desc>',
        '<g class="map-land" fill="currentColor" fill-opacity="0.08" fill-rule="evenodd" '
        'stroke="currentColor" stroke-opacity="0.45" stroke-width="0.8" stroke-linejoin="round">',
        *(f'<path d="{path}"/>' for path in _country_paths(frame)),
        "</g>",
        '<g class="map-places" fill="currentColor">',
        *(_place_marker(place, frame, radius(place)) for place in places),
        "</g>",
        # direction="ltr": 'start' is the left end of every label, so that an Arabic or Hebrew name
        # is still placed beside its dot rather than over it; its letters still run right to left.
        f'<g class="map-labels" fill="currentColor" font-size="{_number(FONT_SIZE)}" direction="ltr" '
        'stroke="Canvas" stroke-width="3" stroke-linejoin="round" paint-order="stroke">',
        *_labels(places, frame, radius),
        "</g>",
        "</svg>",
    ]
    return "\n".join(lines)


def _position(place: MapPlace) -> str:
    north_south = "N" if place.latitude >= 0 else "S"
    east_west = "E" if place.longitude >= 0 else "W"
    return f"{place.name}: {abs(place.latitude):.2f}° {north_south}, {abs(place.longitude):.2f}° {east_west}."


def _briefing_count(place: MapPlace) -> str:
    return f"{place.name}: {place.weight} briefing{'' if place.weight == 1 else 's'}."


def _place_marker(place: MapPlace, frame: Frame, radius: float) -> str:
    x, y = frame.project(place.longitude, place.latitude)
    return f'<circle class="map-place" cx="{_number(x)}" cy="{_number(y)}" r="{_number(radius)}"/>'


@dataclass(frozen=True, slots=True)
class _Label:
    """Where a name is written: its anchor point, which end is anchored, and the box it covers (estimated)."""

    x: float
    y: float
    anchor_end: bool
    box: tuple[float, float, float, float]
    """left, top, right, bottom."""


def _labels(places: Sequence[MapPlace], frame: Frame, radius: Callable[[MapPlace], float]) -> list[str]:
    """Each place's name beside its dot, on the first side that covers no earlier name and no dot.

    The sides tried: right, left (left first when the dot is near the right edge), above,
    below, then right and left a line higher or lower. A name's width is estimated from its
    length, as no font is known at build time; when every side is taken, the first is used
    all the same: a name is never left out.
    """
    dots = []
    for place in places:
        x, y = frame.project(place.longitude, place.latitude)
        dots.append((x - radius(place), y - radius(place), x + radius(place), y + radius(place)))
    taken: list[tuple[float, float, float, float]] = []
    written = []
    for place, dot in zip(places, dots, strict=True):
        candidates = _label_sides(place, frame, radius(place))
        others = [box for box in dots if box is not dot]
        chosen = next(
            (c for c in candidates if _within(c.box, frame) and not any(_overlap(c.box, b) for b in taken + others)),
            candidates[0],
        )
        taken.append(chosen.box)
        anchor = ' text-anchor="end"' if chosen.anchor_end else ""
        at = f'x="{_number(chosen.x)}" y="{_number(chosen.y)}"'
        written.append(f'<text class="map-label" {at}{anchor}>{_text(place.name)}</text>')
    return written


def _label_sides(place: MapPlace, frame: Frame, radius: float) -> list[_Label]:
    x, y = frame.project(place.longitude, place.latitude)
    width = len(place.name) * FONT_SIZE * 0.6
    gap = radius + 3
    baseline = FONT_SIZE * 0.35  # from the dot's centre down to the baseline of a name beside it
    ascent, descent = FONT_SIZE * 0.8, FONT_SIZE * 0.25

    def beside(left: float, base: float, anchor_end: bool) -> _Label:
        start = left - width if anchor_end else left
        return _Label(left, base, anchor_end, (start, base - ascent, start + width, base + descent))

    line = FONT_SIZE * 1.1
    right = [beside(x + gap, y + baseline + shift, anchor_end=False) for shift in (0, -line, line)]
    left = [beside(x - gap, y + baseline + shift, anchor_end=True) for shift in (0, -line, line)]
    above = [beside(x - radius, y - gap - descent, False), beside(x + radius, y - gap - descent, True)]
    below = [beside(x - radius, y + gap + ascent, False), beside(x + radius, y + gap + ascent, True)]
    nearest = [right[0], left[0]] if x <= frame.width * 0.65 else [left[0], right[0]]
    return [*nearest, *above, *below, *right[1:], *left[1:]]


def _within(box: tuple[float, float, float, float], frame: Frame) -> bool:
    left, top, right, bottom = box
    return left >= 0 and top >= 0 and right <= frame.width and bottom <= frame.height


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _country_paths(frame: Frame) -> Iterator[str]:
    """A path per country in the frame, its rings clipped to it."""
    box = (-CLIP_PAD, -CLIP_PAD, frame.width + CLIP_PAD, frame.height + CLIP_PAD)
    for country in countries_in(frame):
        rings = [clipped([frame.project(x, y) for x, y in ring], box) for ring in country.rings_within(frame.bounds)]
        path = "".join(_ring_path(ring) for ring in rings if len(ring) >= 3)
        if path:
            yield path


def _ring_path(ring: list[tuple[float, float]]) -> str:
    """A closed subpath on the OUTLINE_GRID, the points that fall on the one before left out.

    A small-scale map (the overview of a continent) so drops the detail it cannot show. Snapping
    to a grid, unlike thinning each ring, keeps the same points of a border whichever of its two
    countries it is drawn for, so neighbours still meet.
    """
    parts: list[str] = []
    last = ""
    for x, y in ring:
        point = f"{_number(_snapped(x))} {_number(_snapped(y))}"
        if point != last:
            parts.append(point)
            last = point
    if len(parts) < 3:
        return ""
    return "M" + "L".join(parts) + "Z"


# Writing numbers and text.


def _snapped(value: float) -> float:
    return round(value / OUTLINE_GRID) * OUTLINE_GRID


def _rounded(value: float) -> float:
    return round(value, 1)


def _number(value: float) -> str:
    """One decimal, no '-0', no '.0': '12.3', '4', '-0.5'."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def _text(text: str) -> str:
    """`text` fit for XML character data and attribute values: escaped, and without what XML cannot hold."""
    return NOT_IN_XML.sub("", text).translate(_XML_ESCAPES)


def _identifier(prefix: str) -> str:
    """`prefix` as the start of an XML id: letters, digits, '-' and '_' kept, starting with a letter."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "-", prefix)
    return cleaned if cleaned[:1].isalpha() else f"map-{cleaned}"
