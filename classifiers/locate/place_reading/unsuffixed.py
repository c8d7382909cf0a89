"""Estates named without a suffix: a name right before a building (绿地新都会3号楼), a phase
(新港明珠一期), a gate at the start of a phrase (柳岸西大门) or alone in an address field
(地址：翡翠湾), when the text names no compound or landmark otherwise."""
from __future__ import annotations

import re

from classifiers.locate.place_reading.name_start import name_start
from classifiers.locate.place_reading.patterns import CJK, estate_name
from classifiers.locate.place_reading.place import Name
from classifiers.locate.place_reading.vocabulary import Vocabulary

_FIELD_GATE = re.compile(rf"(?:地址|地点|位置):([{CJK}]{{2,6}}?)(?=[东西南北]{{1,2}}(?:大)?门|正门|后门|侧门)")
# 地址：翡翠湾 / 地址是……水岸星城: a bare name as the whole of an address field
# (not a question: 哪个位置比较严重)
_FIELD_NAME = re.compile(rf"(?<![个么哪])(?:地址|地点|位置)(?:是|在)?[:.\s]*([{CJK}]{{2,8}})")
# 柳岸西大门, 盛世南门道闸故障: a short bare name and a gate at the start of a phrase
_GATE_WORD = re.compile(r"[东西南北]{1,2}(?:边|面)?大?门|正门|后门|侧门")
_BARE_GATE = re.compile(rf"([{CJK}]{{2,4}}?)(?={_GATE_WORD.pattern})")
_PHRASE_END = frozenset(" \t\n,.;:!?()[]\"'~-")
_PHASE_AHEAD = re.compile(r"(?<=[\u4e00-\u9fff])[一二三四五六七八九十\d]期(?!工程|项目|间|限|刊)")
_BUILDING_AHEAD = re.compile(r"(?<=[\u4e00-\u9fffA-Za-z0-9 ])(?:\d{1,3}(?:号楼|栋|幢|#)|(?<=[\u4e00-\u9fff])\s?[a-z](?:栋|座|幢))")


def unsuffixed_compound(vocab: Vocabulary, t: str, names: list[Name],
                        phrases: frozenset[int] = frozenset()) -> list[Name]:
    """绿地新都会3号楼, 阳光100 7号楼: a name with no suffix is a compound when a
    building is said right after it and nothing before it is a name; so is one with a
    gate after it in an address field (地址：锦绣南门外面) or at the start of a phrase
    (柳岸西大门井盖没了)."""
    m = _BUILDING_AHEAD.search(t)
    phase = _PHASE_AHEAD.search(t)
    if phase is not None and (m is None or phase.start() < m.start()):
        # 新港明珠一期12号楼, 恒泰公馆一期的地下车库: a phase names an estate too
        end = phase.start()
        i = name_start(vocab, t, end, 0, end, 8, False, phrases=phrases)
        name = t[i:end]
        if len(name) >= 2 and i > end - 8 and name not in vocab.kinds \
                and not any(n.start < phase.end() and n.end > i for n in names):
            return sorted([*names, Name("compound", name + phase.group(), i, phase.end())], key=lambda n: n.start)
    if m is None:
        g = _FIELD_GATE.search(t) or _bare_gate_name(vocab, t, phrases)
        if g and g.group(1) not in vocab.kinds and g.group(1) not in vocab.not_names["compound"] \
                and not any(n.start < g.end(1) and n.end > g.start(1) for n in names):
            return sorted([*names, Name("compound", g.group(1), g.start(1), g.end(1))], key=lambda n: n.start)
        field = None if names else _field_name(vocab, t, phrases)
        return [field] if field else names
    end = m.start() - (1 if t[m.start() - 1:m.start()] == " " else 0)
    i = name_start(vocab, t, end, 0, end, 10, False, latin=True, phrases=phrases)
    if 0 < i == end - 10:
        return names  # ran into the limit: part of a sentence, not a name
    name = t[i:end]
    if len(name) < 2 or not any("\u4e00" <= c <= "\u9fff" for c in name) or name[0].isdigit() \
            or any(n.start < end and n.end > i for n in names):
        return names
    return sorted([*names, Name("compound", estate_name(name), i, end)], key=lambda n: n.start)


def _field_name(vocab: Vocabulary, t: str, phrases: frozenset[int]) -> Name | None:
    """地址：翡翠湾, 地址是……水岸星城: a form's or a caller's address that is a bare name
    and nothing else (up to the next phrase, punctuation or field), read as the estate."""
    m = _FIELD_NAME.search(t)
    if m is None:
        return None
    start, end = m.span(1)
    end = min([end, *(p for p in phrases if start < p < end)])
    label = vocab.form_labels.search(t, start, end)
    end = label.start() if label else end
    name = t[start:end]
    if t[end:end + 1].isascii() and t[end:end + 1].isalnum() or t[end:end + 1] == ":" or _GATE_WORD.search(name) \
            or name[:2] in vocab.kinds or not 2 <= len(name) <= 6 or name in vocab.kinds or name in vocab.not_names["compound"] \
            or vocab.side_words.search(name) or vocab.crosses_boundary(name) or name.endswith(vocab.admin_suffixes) \
            or name in vocab.city_short or name in vocab.district_short:
        return None  # 地址：河州市 (or 问题地点：湖州) names a city (or a district, a town), not an estate
    return Name("compound", estate_name(name), start, end)


def _bare_gate_name(vocab: Vocabulary, t: str, phrases: frozenset[int]) -> re.Match | None:
    """The first short name right before a gate at the start of a phrase that crosses
    no boundary word (not 昨天西门, 我家后门)."""
    for gate in _GATE_WORD.finditer(t):
        for p in range(max(0, gate.start() - 4), gate.start() - 1):
            if not (p == 0 or p in phrases or t[p - 1] in _PHRASE_END):
                continue
            m = _BARE_GATE.match(t, p, gate.end())
            if m is None or m.end(1) != gate.start():
                continue
            if not vocab.crosses_boundary(m.group(1)):
                return m
    return None
