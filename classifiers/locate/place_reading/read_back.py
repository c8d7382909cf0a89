"""The place the operator read back and the caller confirmed (接线员：东四八条小区6号楼楼下，对吗？
来电人：对): what the dispatcher writes down, in the operator's clean words, where the caller's own
gave it in pieces, with stutters, homophones or a correction (南竹竿小区……北竹竿，瞧我这嘴)."""
from __future__ import annotations

import re
from collections.abc import Callable

from classifiers.locate.place_reading.patterns import CALLER, OPERATOR
from classifiers.locate.place_reading.place import NAMED_KINDS, Place

_TURN = re.compile(rf"(?:^|(?<=\s)|(?<=[。？！?!.]))({OPERATOR}|{CALLER})\s*[:：]")
# A read-back asks the caller to confirm, or states the place as a full sentence.
_ASKS_TO_CONFIRM = re.compile(r"[，,]?\s*(?:对吧|对吗|是吧|是吗|是不是|对不对)?\s*[？?。.！!]+\s*$")
_STATES = re.compile(r"(?:对吧|对吗|是吧|是吗|是不是|对不对)\s*[？?。.！!]*\s*$|[。.？?]\s*$")
_AFFIRMS = re.compile(r"\s*(?:对|是|嗯|没错|就是|对头|中|是嘞)(?![^。？！?!.]{0,5}不(?:对|是))")
# What the operator's words may leave out and the caller's still tell
_FROM_CALLER = ("district", "street", "side", "stretch")
_DETAILS = (*_FROM_CALLER, "number", "building", "unit", "gate", "exit")


def read_back(text: str) -> str | None:
    """The last place-bearing line the operator read back that the caller then confirmed."""
    labels = list(_TURN.finditer(text))
    turns = [(m.group(1), text[m.end():labels[i + 1].start() if i + 1 < len(labels) else len(text)])
             for i, m in enumerate(labels)]
    found = None
    for (who, said), (next_who, reply) in zip(turns, turns[1:]):
        if re.fullmatch(OPERATOR, who) and re.fullmatch(CALLER, next_who) \
                and _STATES.search(said) and _AFFIRMS.match(reply):
            found = _ASKS_TO_CONFIRM.sub("", said.strip())
    return found


def with_read_back(text: str, place: Place | None, read: Callable[[str], Place | None]) -> Place | None:
    """`place` as the operator read it back, where the caller confirmed a read-back naming a
    place; the district, street, side and stretch the operator left out are the caller's."""
    said = read_back(text)
    back = read(said) if said else None
    if back is None or not back.specific:
        return place
    if place is None:
        return back
    if (place.between and not back.between) or (place.cross_road and not back.cross_road):
        return place  # (a stretch or junction the read-back, said without 从 or 与, reads as less)
    # Of the thing the read-back names, the caller's details fill in what it left out (东四十条宿舍2号楼？
    # 对！2号楼，3单元); of another thing, only where it is.
    same = any(getattr(back, key) and getattr(back, key) == getattr(place, key) for key in NAMED_KINDS)
    for key in _DETAILS if same else _FROM_CALLER:
        if not getattr(back, key):
            setattr(back, key, getattr(place, key))
    # The operator says a long name short (江汉路站 for 地铁2号线江汉路站, 荆阳三中 for 荆阳市第三中学):
    # the caller's full name is the one written down.
    if place.landmark:
        for key in ("landmark", "compound"):
            short = getattr(back, key)
            if short and short != place.landmark and _shortened(short, place.landmark):
                back.compound = "" if key == "compound" else back.compound
                back.landmark = place.landmark
    back.text = place.text or back.text
    return back


def _shortened(short: str, full: str) -> bool:
    """Whether `short` is `full` with characters left out."""
    chars = iter(full)
    return all(c in chars for c in short)
