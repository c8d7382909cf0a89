"""Registry where possible, the citizen's place always: every Location carries the place as
the citizen named it (classifiers.locate.places), and when the registry does not know it the
work order still says where — the structured place as its address, the district and street
when the division names give them, and a review reason saying the place is not registered
(a dispatcher assigns the grid) instead of "no place"."""
from __future__ import annotations

from classifiers.locate.places import Place
from gateway.models import PLACE_NOT_REGISTERED, GridLevel, Location

# What the locator says when it found no place in the text at all (written from here, so the
# words have one owner); replaced when the place reader found one the registry does not hold.
NO_PLACE = "未识别到地点，请补充具体位置（如小区、楼号、门牌号或附近地标）"
NO_GRID = "未定位到网格"


def not_registered(address: str) -> str:
    return f"地址“{address}”不在本区网格登记中，请核实"


NOT_FOUND_PREFIXES = (NO_PLACE, NO_GRID, not_registered("").split("”")[0])
__all__ = ["with_place"]


def with_place(loc: Location, place: Place | None, registry=None) -> Location:
    """`loc` with the citizen's place added, and, when no grid was found, its address and
    review reasons made from that place."""
    if loc.grid_code or loc.point is not None:
        loc.precision = "spot"
    if place is None:
        return loc
    loc.place = place.as_dict()
    if not loc.precision:
        loc.precision = place.precision
    label = place.label()
    if loc.grid_code:
        # The registry's address, plus what the citizen said finer than it (gate, side).
        extra = "".join(x for x in (place.gate, _side_words(place)) if x and x not in loc.address)
        loc.address = (loc.address + extra) if loc.address else label
        return loc
    if loc.grid_path:
        return loc  # the registry narrowed it to a street or community and says what it lacks
    if registry is not None:
        loc.grid_path = _division_path(registry, place)
    loc.address = label or loc.address
    kept = [r for r in loc.review_reasons if not r.startswith(NOT_FOUND_PREFIXES)]
    loc.missing = [r for r in loc.missing if r in kept]
    if place.precision == "spot":
        reason = f"{PLACE_NOT_REGISTERED}：{label}，请核实后指派网格"
    else:
        if place.precision == "road":
            reason = f"只知道{label}，请核实具体位置（门牌、路口、楼号或附近地标）"
        else:
            reason = f"只知道{place.street or place.district}，请补充具体位置（如道路门牌、小区楼号或附近地标）"
        loc.missing = [reason, *loc.missing]  # the citizen can say more precisely where
    loc.review_reasons = [reason, *kept]
    loc.needs_review = True
    loc.evidence = [*loc.evidence, f"文字中的地点：{label}"]
    return loc


def _side_words(place: Place) -> str:
    return {"上": "上", "下": "下", "内": "内", "外": "外", "旁": "旁", "门口": "门口", "对面": "对面"}.get(
        place.side, place.side)


def _division_path(registry, place: Place) -> list[GridLevel]:
    """The registry's street (or district) the citizen named, when it has one by that name."""
    for wanted, level in ((place.street, "street"), (place.district, "district")):
        if not wanted:
            continue
        for admin in registry.admins.values():
            if admin.level == level and (admin.name == wanted or wanted in admin.aliases):
                return registry.grid_path(admin.code)
    return []

