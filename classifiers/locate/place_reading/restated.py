"""A name said again at once in other words — a homophone the caller puts right, the name in
full after a short start, a correction (龙福花园 隆福 隆福花园, 李氏公园 就是礼士公园, 杨树屯 就是
杨树屯村, 东堂紫胡同 不是 东堂子胡同): the last saying is the place's name, and its details follow
it."""
from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from classifiers.locate.place_reading.junctions import without_short_name
from classifiers.locate.place_reading.place import NAMED_KINDS, Name

# What a caller says between two sayings of one name (the reader has taken 那个/嗯 out already)
_GAP = re.compile(r"(?:[,.\s]|就是|不对|不是|是|啊|好像|反正|对)*")
_CORRECTING = re.compile("不对|不是")
# 西江桥啊就是洗江桥啊我也不知道哪个字: the caller is unsure how it is written; the first saying stands
_UNSURE = re.compile(r"[,.\s啊呀]*(?:\?|(?:我也|也)?(?:不知道|不晓得|搞不清)(?:是)?哪个字)")


def restated(t: str, names: list[Name]) -> list[Name]:
    """The names with a name said again at once in other words made one: the last saying,
    from where the first began."""
    out: list[Name] = []
    for n in names:
        prev = out[-1] if out else None
        if prev is not None and prev.kind == n.kind and n.kind in NAMED_KINDS and prev.value != n.value \
                and not prev.attached and not n.attached:
            gap = without_short_name(t[prev.end:n.start], n.value)
            # (but 是解放路，不是解放北路 denies the second)
            correcting = _CORRECTING.search(gap) and not (t.endswith("是", 0, prev.start) and "不对" not in gap)
            # (北小街，不是南小街啊，北小街: the first said again after the second denied)
            again = t.find(prev.value, n.end, n.end + len(prev.value) + 6) >= 0
            if _GAP.fullmatch(gap) and not _UNSURE.match(t, n.end) and not again \
                    and (correcting or sounds(prev.value) == sounds(n.value) or prev.value in n.value):
                out[-1] = Name(n.kind, n.value, prev.start, n.end)
                continue
        out.append(n)
    return out


@lru_cache(maxsize=4096)
def sounds(name: str) -> tuple[str, ...]:
    """A name's syllables without tones (homophones sound alike)."""
    return tuple(lazy_pinyin(name, style=Style.NORMAL, errors="default"))  # (digits and letters kept: 2号线 ≠ 3号线)
