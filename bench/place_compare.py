"""Comparing a structured place with the one a person wrote down (docs/places.md): the
rules both the place benchmark and its tests use."""
from __future__ import annotations

import functools
from collections.abc import Callable

from classifiers.normalize import to_simplified

_FOOTBRIDGES = ("过街天桥", "人行天桥")
FIELDS = ("district", "street", "road", "number", "cross_road", "between", "stretch", "compound",
          "building", "unit", "gate", "landmark", "exit", "side")


_NAMES = ("road", "cross_road", "compound", "landmark")


@functools.cache
def registry_names() -> Callable[[str], str]:
    """The demo registry's way of writing a name said by its alias (朝内大街 → 朝阳门内大街;
    `Registry.written_names`, the locator's own): for comparing with labellers who wrote a
    registered place by its alias and those who wrote its name — the same place either way."""
    from classifiers.locate.registry import load_registry
    return load_registry().written_names()


def canonical(place: dict | None, names: Callable[[str], str] | None = None) -> dict:
    """The fields that were said, in the form they are compared: in simplified characters, a
    junction is an unordered pair, a trailing 小区 does not count, an unnamed footbridge is 天桥;
    with `names` (`registry_names()`), a registry alias is its name."""
    if not place:
        return {}
    # One name in two scripts is one name: 東四九條 written down from a message in traditional
    # characters is the 东四九条 the reader (and the registry) writes.
    out = {k: _simplified(place[k]) for k in FIELDS if place.get(k)}
    if names:
        out.update({k: names(out[k]) for k in _NAMES if k in out})
        if out.get("between"):
            out["between"] = [names(end) for end in out["between"]]
    if out.get("landmark") in _FOOTBRIDGES:
        out["landmark"] = "天桥"  # an unnamed footbridge is written 天桥 (docs/places.md), however it is called
    if out.get("compound", "").endswith("小区") and len(out["compound"]) > 3:
        out["compound"] = out["compound"][:-2]
    if out.get("cross_road"):
        out["road"], out["cross_road"] = sorted((out.get("road", ""), out["cross_road"]))
    if out.get("between"):
        out["between"] = sorted(out["between"])
    return out


def field_errors(expected: dict | None, got: dict | None, names: Callable[[str], str] | None = None) -> list[str]:
    """The fields that differ, as "field: expected → got" (`names`: as in `canonical`)."""
    e, g = canonical(expected, names), canonical(got, names)
    return [f"{k}: {e.get(k, '')} → {g.get(k, '')}" for k in FIELDS if e.get(k) != g.get(k)]


def _simplified(value):
    return [to_simplified(v) for v in value] if isinstance(value, list) else to_simplified(str(value))
