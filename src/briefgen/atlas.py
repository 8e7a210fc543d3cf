"""What the places' pages show of the gazetteer: where a place lies, what lies within it, and its maps.

Decided here, in Python, for plan.py to hand to the templates ready to print:
a place's region and country (nearest first), the places within a region
or country that have pages, and each map as inline SVG (maps.py) marked safe
(Markup: briefgen's own markup, every name in it escaped), so that a template
only writes `{% if map %}{{ map }}{% endif %}`:

- a place page: a locator of the place, when the gazetteer gives coordinates;
- a briefing page: its places that have coordinates, or no map;
- the places' index: every place with coordinates and briefings, sized by them.

Only the gazetteer's taxonomy (model.GAZETTEER_KEY) has any of this; every other
taxonomy's pages get nothing, and a site without places.yaml no map.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup

from briefgen import maps
from briefgen.index import TaxonomyIndex, TermGroup, containers
from briefgen.maps import MapPlace
from briefgen.model import GAZETTEER_KEY, Briefing, Term

MAP_ID = "bg-map"
"""The id prefix of the one map a page has (its title and text alternative: bg-map-title, bg-map-desc)."""


@dataclass(frozen=True, slots=True)
class PlaceDetails:
    """What a place's page shows besides its briefings."""

    within: tuple[Term, ...] = ()
    """The places it lies in, nearest first (region, country), each with a page."""
    places_within: tuple[TermGroup, ...] = ()
    """The places that lie directly within it, with their briefings, by name."""
    map: str | None = None
    """Its locator map (Markup), when the gazetteer gives its coordinates."""


NO_DETAILS = PlaceDetails()


@dataclass(slots=True)
class Atlas:
    """The gazetteer's part of every page, from the places' listing and registry."""

    listing: TaxonomyIndex | None
    """The places' listing (index.py), None when the site has no places taxonomy."""
    registered: Mapping[str, Term]
    """The gazetteer's places by slug (empty without places.yaml)."""
    _briefing_maps: dict[tuple[MapPlace, ...], str] = field(default_factory=dict)
    _within: dict[str, tuple[TermGroup, ...]] | None = None

    @classmethod
    def of(cls, taxonomies: Sequence[TaxonomyIndex], registries: Mapping[str, Mapping[str, Term]]) -> Atlas:
        listing = next((t for t in taxonomies if t.taxonomy.key == GAZETTEER_KEY), None)
        return cls(listing, registries.get(GAZETTEER_KEY, {}))

    def details(self, group: TermGroup) -> PlaceDetails:
        """A term's hierarchy and locator, when it is a place of the gazetteer."""
        if self.listing is None or group.taxonomy != self.listing.taxonomy or group.term.slug not in self.registered:
            return NO_DETAILS
        place = map_place(group.term)
        return PlaceDetails(
            within=containers(group.term, self.registered),
            places_within=self._places_within(self.listing).get(group.term.slug, ()),
            map=Markup(maps.locator(place, id_prefix=MAP_ID)) if place is not None else None,  # noqa: S704 - see above
        )

    def _places_within(self, listing: TaxonomyIndex) -> dict[str, tuple[TermGroup, ...]]:
        """The groups of the places with pages, by the slug of the place each lies directly within (once a build)."""
        if self._within is None:
            within: dict[str, list[TermGroup]] = {}
            for group in listing.groups:  # by name already: each list stays so
                if group.term.within is not None:
                    within.setdefault(group.term.within, []).append(group)
            self._within = {slug: tuple(groups) for slug, groups in within.items()}
        return self._within

    def briefing_map(self, briefing: Briefing) -> str | None:
        """A map of the briefing's places that have coordinates; None when none has."""
        if self.listing is None:
            return None
        places = tuple(p for p in map(map_place, briefing.terms_of(self.listing.taxonomy)) if p is not None)
        if not places:
            return None
        drawn = self._briefing_maps.get(places)
        if drawn is None:  # briefings naming the same places share one drawing
            drawn = self._briefing_maps[places] = Markup(maps.briefing_map(places, id_prefix=MAP_ID))  # noqa: S704
        return drawn

    def overview(self) -> str | None:
        """Every place with coordinates and briefings, each sized by its number of briefings; None when none."""
        if self.listing is None:
            return None
        places = [
            place
            for group in self.listing.groups
            if group.briefings and (place := map_place(group.term, len(group.briefings))) is not None
        ]
        return Markup(maps.overview(places, id_prefix=MAP_ID)) if places else None  # noqa: S704


def map_place(term: Term, weight: int = 1) -> MapPlace | None:
    """The term as maps.py draws it, when it has coordinates."""
    where = term.coordinates
    return MapPlace(term.name, where[0], where[1], weight) if where is not None else None
