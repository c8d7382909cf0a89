"""Whether two reports are at the same place, from their structured places
(classifiers.locate.places): the duplicate check's candidate keys when there is no grid and
no coordinates, and its veto when a detail both give differs (和平路18号 vs 81号, 解放路 vs
解放北路, building 3 vs 8, east vs west gate, on a footbridge vs under it).

`same_place(a, b)`:
* "same"        they share a road, junction, compound or landmark and agree on every detail
                both give (number, building, unit, gate, side, exit, stretch), with the same
                precision;
* "compatible"  as "same", but one is less precise (和平路 against 和平路18号; a road against
                a junction on it; a building against a building and unit) — the vaguer
                second report of something;
* "different"   a detail both give differs, or both name a place of the same kind and the
                names differ;
* "unknown"     nothing to compare (one names no place, or they name places of different
                kinds, e.g. a compound and a road).
"""
from __future__ import annotations

import re

from rapidfuzz import fuzz

from classifiers.locate.places import GENERIC_LANDMARKS, Place

__all__ = ["place_keys", "same_place"]

DETAILS = ("number", "building", "unit", "gate", "exit", "stretch")
# What makes one report more precise than another about the same anchor.
PRECISION = ("number", "building", "unit", "exit", "gate")
_STATION_WORDS = re.compile(r"^地铁|(?:地铁)?\d{1,2}号线|地铁站$|站$")
_BRIDGE_WORDS = re.compile(r"过街天桥|人行天桥")


def _plain(place: Place | dict | None) -> dict:
    if not place:
        return {}
    return place if isinstance(place, dict) else place.as_dict()


def _compound_key(name: str) -> str:
    return name[:-2] if name.endswith("小区") and len(name) > 3 else name


def _landmark_key(p: dict) -> str:
    """A landmark as it is compared: stations without 地铁/line/站 (地铁2号线人民广场站 =
    人民广场地铁站 = 人民广场), footbridges as 天桥, an unnamed one (天桥, 公交站) only with
    its road."""
    name = p.get("landmark") or ""
    if not name:
        return ""
    name = _BRIDGE_WORDS.sub("天桥", name)
    if name in GENERIC_LANDMARKS or name in ("天桥",):
        return f"{p['road']}{name}" if p.get("road") else ""
    if name.endswith("站"):
        name = _STATION_WORDS.sub("", name) or name
    return name


def _junction(p: dict) -> tuple[str, ...]:
    if p.get("road") and p.get("cross_road"):
        return tuple(sorted((p["road"], p["cross_road"])))
    return ()


def place_keys(place: Place | dict | None, query: bool = False) -> set[str]:
    """Keys under which a case's place is indexed (``query`` False) or looked up: its road,
    the junction (either order) and each of its roads, its compound, its landmark. A road
    or compound is also indexed with its house number or building ("road:和平路#18"), or
    with none ("road:和平路#"); a report that gives one looks up only that and the cases
    that gave none, since another number is another place — so a long road's hundreds of
    cases at other numbers are never scored."""
    p = _plain(place)
    keys = set()
    junction = _junction(p)
    if junction:
        keys.add("junction:" + "|".join(junction))
        keys.update("road:" + r for r in junction)
    elif p.get("road"):
        keys |= _fine_keys("road:" + p["road"], p.get("number"), query)
    if p.get("between"):
        keys.add("between:" + "|".join(sorted(p["between"])))
    if p.get("compound"):
        keys |= _fine_keys("compound:" + _compound_key(p["compound"]), p.get("building"), query)
    landmark = _landmark_key(p)
    if landmark:
        keys.add("landmark:" + landmark)
    return keys


def _fine_keys(key: str, detail: str | None, query: bool) -> set[str]:
    if query:
        return {f"{key}#{detail}", f"{key}#"} if detail else {key}
    return {key, f"{key}#{detail or ''}"}


def _similar_names(a: str, b: str) -> bool:
    """城南农贸市场 / 城南市场: the same landmark said shorter (but 解放路 / 解放北路 are not
    compared here: roads must match exactly)."""
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 3 and (short in long_ or fuzz.partial_ratio(short, long_) >= 90) \
        and short[:2] == long_[:2]


def same_place(a: Place | dict | None, b: Place | dict | None) -> str:
    """See the module docstring."""
    a, b = _plain(a), _plain(b)
    if not a or not b:
        return "unknown"
    for k in ("district", "street"):  # 柳河镇张家村 is not 王庄镇张家村
        if a.get(k) and b.get(k) and a[k] != b[k]:
            return "different"
    anchors = 0  # shared places named by both
    partial = False  # one names only a part of the other's (a road of its junction)
    ja, jb = _junction(a), _junction(b)
    if ja and jb:
        if ja != jb:
            return "different"
        anchors += 1
    elif ja or jb:
        junction, other = (ja, b) if ja else (jb, a)
        if other.get("road"):
            if other["road"] not in junction:
                return "different"
            partial = True
    elif a.get("road") and b.get("road"):
        if a["road"] != b["road"]:
            return "different"
        anchors += 1
    if a.get("compound") and b.get("compound"):
        if _compound_key(a["compound"]) != _compound_key(b["compound"]):
            return "different"
        anchors += 1
    la, lb = _landmark_key(a), _landmark_key(b)
    if la and lb:
        if not _similar_names(la, lb):
            return "different"
        anchors += 1
    if a.get("between") and b.get("between"):
        if sorted(a["between"]) != sorted(b["between"]):
            return "different"
        anchors += 1
    if not anchors and not partial:
        return "unknown"
    for k in (*DETAILS, "side"):
        if a.get(k) and b.get(k) and a[k] != b[k]:
            return "different"
    if partial or any(bool(a.get(k)) != bool(b.get(k)) for k in PRECISION):
        return "compatible"
    return "same"
