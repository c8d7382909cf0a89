"""Whether two reports are at the same place, from their structured places
(classifiers.locate.places): the duplicate check's candidate keys when there is no grid and
no coordinates, and its veto when a detail both give differs (和平路18号 vs 81号, 解放路 vs
解放北路, building 3 vs 8, east vs west gate, on a footbridge vs under it)."""
from __future__ import annotations

from classifiers.locate.places import GENERIC_LANDMARKS, Place

__all__ = ["place_keys", "same_place"]


def place_keys(place: Place | dict | None) -> set[str]:
    """Index keys under which a report's place is found again: its road (with number),
    its junction (either order), its compound, its landmark."""
    if not place:
        return set()
    p = place if isinstance(place, dict) else place.as_dict()
    keys = set()
    if p.get("road") and p.get("cross_road"):
        keys.add("junction:" + "|".join(sorted((p["road"], p["cross_road"]))))
    elif p.get("road"):
        keys.add("road:" + p["road"])
    if p.get("between"):
        keys.add("between:" + "|".join(sorted(p["between"])))
    if p.get("compound"):
        keys.add("compound:" + _compound_key(p["compound"]))
    if p.get("landmark") and p["landmark"] not in GENERIC_LANDMARKS:
        keys.add("landmark:" + p["landmark"])
    return keys


def same_place(a: dict | None, b: dict | None) -> str:
    """"same" when the two places agree on everything both say (and share a road, a
    junction, a compound or a landmark), "different" when any detail both give differs
    (a house number, a building, a unit, a gate, a side, an exit, a road's suffix), else
    "unknown"."""
    if not a or not b:
        return "unknown"
    if not place_keys(a) & place_keys(b):
        # Sharing nothing: different when both name something of the same kind.
        for k in ("road", "compound", "landmark"):
            if a.get(k) and b.get(k) and not (k == "road" and (a.get("cross_road") or b.get("cross_road"))):
                return "different"
        return "unknown"
    for k in ("number", "building", "unit", "gate", "side", "exit", "stretch"):
        if a.get(k) and b.get(k) and a[k] != b[k]:
            return "different"
    if a.get("landmark") and b.get("landmark") and a["landmark"] != b["landmark"]:
        return "different"
    return "same"


def _compound_key(name: str) -> str:
    return name[:-2] if name.endswith("小区") and len(name) > 3 else name
