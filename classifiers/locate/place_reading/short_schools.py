"""Schools said short, by their number (三中, 五十五中, 实验二小, 二实小, 一附小): no suffix
gives them away, so they are read only where a place goes on after them (a gate, a side, a
pause) and where nothing before them makes them part of another word (初三中考, 一小时)."""
from __future__ import annotations

import re

from classifiers.locate.place_reading.place import Name
from classifiers.locate.place_reading.vocabulary import Vocabulary

_NUMERAL = r"[一二三四五六七八九十\d]{1,3}"
_GOES_ON = (r"(?=校门|[东西南北正后侧大]?门|对面|对过|旁|附近|边上|周边|后面|前面|[东西南北](?:侧|边|面|头)"
            r"|那|的|[\s,.;!?]|$)")
_SHORT_SCHOOL = re.compile(rf"(?:实验{_NUMERAL}小|{_NUMERAL}(?:实小|附小|附中|中|小)){_GOES_ON}")
# (市二中, 县一中, 区实验二小: the city's or county's own, said with it)
_OWNER = "市县区"


def short_schools(vocab: Vocabulary, t: str, names: list[Name]) -> list[Name]:
    """`names` with the schools said short that start a phrase, follow a boundary word or
    come right after another name (青山区三中, 岚溪路上实验二小)."""
    found = []
    for m in _SHORT_SCHOOL.finditer(t):
        s, e = m.span()
        if s > 0 and t[s - 1] in _OWNER and not ("\u4e00" <= t[s - 2:s - 1] <= "\u9fff"):
            s -= 1  # 市二中
        before = t[s - 1:s]
        owner = next((k for k in (3, 2) if s >= k and (t[s - k:s] in vocab.city_short or t[s - k:s] in vocab.district_short)), 0)
        if owner and not any(n.start < e and n.end > s - owner for n in names):
            found.append(Name("landmark", t[s - owner:e], s - owner, e))  # 湛江一中, 东安一中: the city's or county's own
            continue
        if any(n.start < e and n.end > s for n in names):
            continue
        if s == 0 or not ("\u4e00" <= before <= "\u9fff") or before in vocab.single_boundaries \
                or any(t[s - n:s] in words for n, words in vocab.longer_boundaries) \
                or any(n.end == s or n.kind == "road" and n.end == s - 1 and before == "上" for n in names):
            found.append(Name("landmark", t[s:e], s, e))
    return sorted([*names, *found], key=lambda n: n.start) if found else names


_SHORT_FORM = re.compile(rf"[{_OWNER}]?(?:实验)?({_NUMERAL})(?:实|附)?([中小])")


def short_for(short: str, school: str) -> bool:
    """Is `short` (二实小, 三中, 实验二小) the school `school` (东安区第二实验小学, 第三中学) said short?"""
    m = _SHORT_FORM.fullmatch(short)
    return bool(m) and school.endswith(m.group(2) + "学") and m.group(1) in school
