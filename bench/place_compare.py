"""Comparing a structured place with the one a person wrote down (docs/places.md): the
rules both the place benchmark and its tests use."""
from __future__ import annotations

from classifiers.normalize import to_simplified

_FOOTBRIDGES = ("过街天桥", "人行天桥")
FIELDS = ("district", "street", "road", "number", "cross_road", "between", "stretch", "compound",
          "building", "unit", "gate", "landmark", "exit", "side")


def canonical(place: dict | None) -> dict:
    """The fields that were said, in the form they are compared: in simplified characters, a
    junction is an unordered pair, a trailing 小区 does not count, an unnamed footbridge is 天桥."""
    if not place:
        return {}
    # One name in two scripts is one name: 東四九條 written down from a message in traditional
    # characters is the 东四九条 the reader (and the registry) writes.
    out = {k: _simplified(place[k]) for k in FIELDS if place.get(k)}
    if out.get("landmark") in _FOOTBRIDGES:
        out["landmark"] = "天桥"  # an unnamed footbridge is written 天桥 (docs/places.md), however it is called
    if out.get("compound", "").endswith("小区") and len(out["compound"]) > 3:
        out["compound"] = out["compound"][:-2]
    if out.get("cross_road"):
        out["road"], out["cross_road"] = sorted((out.get("road", ""), out["cross_road"]))
    if out.get("between"):
        out["between"] = sorted(out["between"])
    return out


def field_errors(expected: dict | None, got: dict | None) -> list[str]:
    """The fields that differ, as "field: expected → got"."""
    e, g = canonical(expected), canonical(got)
    return [f"{k}: {e.get(k, '')} → {g.get(k, '')}" for k in FIELDS if e.get(k) != g.get(k)]


def _simplified(value):
    return [to_simplified(v) for v in value] if isinstance(value, list) else to_simplified(str(value))
