"""What the reader gives: the place a dispatcher writes down (docs/places.md), and a name
found in the text on the way to it."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

# The kinds of name a place is read from and said again by (not a district or street)
NAMED_KINDS = ("road", "compound", "landmark")


@dataclass
class Place:
    """A place as a dispatcher writes it down (see docs/places.md). Empty fields were not said."""

    district: str = ""
    street: str = ""
    road: str = ""
    number: str = ""
    cross_road: str = ""
    between: list[str] = field(default_factory=list)
    stretch: str = ""
    compound: str = ""
    building: str = ""
    unit: str = ""
    gate: str = ""
    landmark: str = ""
    exit: str = ""
    side: str = ""
    # A landmark said right after a house number (光明路218号光明农贸市场南门口): a dispatcher
    # writes down the road and number, but a neighbour may name only the landmark.
    near: str = ""
    text: str = ""  # the citizen's own words for it

    def as_dict(self) -> dict:
        """The fields that were said (the work order's `location.place`)."""
        return {k: v for k, v in asdict(self).items() if v}

    def respell(self, spellings: dict[str, str]) -> None:
        """Names as the registry spells them, where the citizen's words were a homophone of
        one (东寺六条 → 东四六条); `text` keeps the citizen's words."""
        def fixed(value: str) -> str:
            for said, meant in spellings.items():
                if said and said in value:
                    value = value.replace(said, meant)
            return value
        for key in ("street", "road", "cross_road", "compound", "landmark", "near"):
            setattr(self, key, fixed(getattr(self, key)))
        self.between = [fixed(end) for end in self.between]

    def named_in_full(self, written_name: Callable[[str], str]) -> None:
        """Names said by a registry alias written as the registry's name (朝内大街 → 朝阳门内大街,
        地铁朝阳门站 → 朝阳门地铁站), as a dispatcher writes them down; only whole names.
        `written_name`: the registry's `written_names()`."""
        for key in ("road", "cross_road", "compound", "landmark", "near"):
            if value := getattr(self, key):
                setattr(self, key, written_name(value))
        self.between = [written_name(end) for end in self.between]

    @property
    def precision(self) -> str:
        """"spot" (enough to send someone to), "road" (a road or compound alone, which can
        be long or large), "area" (a district or street alone)."""
        if self.number or self.cross_road or self.between or self.landmark or self.building or self.gate \
                or self.stretch or (self.compound and self.side):
            return "spot"
        if self.road or self.compound:
            return "road"
        return "area"

    @property
    def specific(self) -> bool:
        """Enough to send someone: more than a district or street alone."""
        return bool(self.road or self.compound or self.landmark or self.between or self.cross_road)

    def label(self) -> str:
        """A short address for the work order, from the structured parts."""
        parts = [self.district, self.street]
        if self.between:
            parts.append(f"{self.road}{self.between[0]}至{self.between[1]}之间")
        elif self.cross_road:
            parts.append(f"{self.road}与{self.cross_road}交叉口")
        else:
            parts.append(self.road + (f"{self.number}号" if self.number else "") + self.stretch)
        parts.append(self.compound + (f"{self.building}号楼" if self.building else "")
                     + (f"{self.unit}单元" if self.unit else ""))
        parts.append(self.landmark + (f"{self.exit}口" if self.exit else ""))
        parts.append(self.gate)
        return "".join(p for p in parts if p) + self.side


@dataclass
class Name:
    """A name found in the text: kind is district, street, road, compound, landmark,
    junction (value and cross) or between (ends)."""

    kind: str
    value: str
    start: int
    end: int
    cross: str = ""
    ends: tuple[str, ...] = ()
    attached: bool = False  # an unnamed 天桥/村委会 that belongs to what precedes it
