"""A caller correcting himself or corrected by the operator (东四七条，哦不对，东四八条;
大雅宝胡同（来电人随后更正为小雅宝胡同）; 三十一号，不对不对，是三十二号): the name or the
detail said after the correction replaces the one before it."""
from __future__ import annotations

import re

from classifiers.locate.place_reading.passed_over import skip_soft
from classifiers.locate.place_reading.patterns import (
    BUILDING,
    CJK,
    EXIT,
    NUMBER,
    PAUSE_ONLY,
    SENTENCE_ENDS,
    STRETCH,
    THEN_IS,
)
from classifiers.locate.place_reading.place import Name, Place
from classifiers.locate.place_reading.text import PHRASE_BREAK
from classifiers.locate.place_reading.vocabulary import Vocabulary
from classifiers.normalize import chinese_numeral

# How far after a correction word the corrected house number may come (不对不对，不是十八号，是十六号).
_CORRECTION_REACH = 16
_CJK_OR_PUNCT = re.compile(rf"[{CJK}\d,.;:!?\s]*")
_IS_INSTEAD = re.compile(r"[,\s]*(?:而|就|应该|应当|实际上|其实)?是")  # (不是建国门站，应该是东四地铁站)
# A caller's own "不是" right after a house number: 七号 不是七 是十七号 (the number said bare,
# then the one meant after 是), 四十八号 不是 四十六号 四十六号 (the one meant, said twice).
_BREAKS = rf"[{PHRASE_BREAK}\s,]*"
_NUMBER_DENIED = re.compile(rf"{_BREAKS}不是{_BREAKS}")
_BREAKS_RE = re.compile(_BREAKS)
_BARE_NUMBER = re.compile(r"(\d{1,5}|[零一二三四五六七八九十百两]{1,5})(?![号\d])")
_DENIED_BARE_THEN_IS = re.compile(rf"(?:\d{{1,5}}|[零一二三四五六七八九十百两]{{1,5}})号?{_BREAKS}是")  # (七号不是七号是十七号)

# A name denied by its kind (不是村, 不是街道, 不是小区), the one meant said next
_KIND_DENIED = re.compile(rf"[?,.\s{PHRASE_BREAK}]*(?:[\u4e00-\u9fff]{{2,3}}:)?[\s{PHRASE_BREAK}]*(?:哦|噢|啊)?不是"
                          rf"(?:村|村子|小区|街道|镇|乡|路|街|胡同|公园|超市|医院|学校)[,.\s{PHRASE_BREAK}]*(?:而?是|就是)?[\s{PHRASE_BREAK}]*(?:那个)?")


_RENAMED_REACH = 80  # from a name to its name put right a line or two on
_RENAMED_FROM = 20  # …and not at once
_NEW_NAME_NEAR = 8  # from the correction word to the name meant (超市名字打错了 是佰嘉超市)
_SAME_NAME_CHARS = 2  # characters two names of a thing put right share (百佳超市 / 佰嘉超市, 渚阳路 / 渚阳大道)


def renamed_later(vocab: Vocabulary, t: str, names: list[Name]) -> list[Name]:
    """阳光水岸小区 / 小区西门外面… / 不是阳光水岸 是阳光水郡; 百佳超市门口… / 超市名字打错了 是佰嘉超市;
    渚阳路 路灯一半不亮… / 哦 路名打错了 是渚阳大道 不是渚阳路: a road, estate or landmark whose name the
    caller puts right a line or two on, the thing and what he said of it the same — the name meant in the
    place of the one said, where it was said (the divisions before it and the details after it stay)."""
    for i, said in enumerate(names):
        if said.kind not in ("road", "compound", "landmark"):
            continue
        for j in range(i + 1, len(names)):
            meant = names[j]
            if meant.start > said.end + _RENAMED_REACH:
                break
            if meant.start < said.end + _RENAMED_FROM:
                continue  # (东四九条，后更正为东四八条，56号院门前: said at once, read by after_corrections)
            if meant.kind != said.kind or meant.value == said.value \
                    or len(set(meant.value) & set(said.value)) < _SAME_NAME_CHARS:
                continue
            before = t[max(said.end, meant.start - _NEW_NAME_NEAR):meant.start]
            after = t[meant.end:meant.end + len(said.value) + 4]
            if vocab.corrections_re.search(before) or f"不是{said.value}" in before \
                    or _DENIED_AFTER.match(after) and said.value in after:
                renamed = Name(meant.kind, meant.value, said.start, said.end)
                return [renamed if n is said else n for k, n in enumerate(names)
                        if k != j and not (k > i and n.value == said.value)]
    return names


_DENIED_AFTER = re.compile(rf"[\s,{PHRASE_BREAK}]*不是")


def after_corrections(vocab: Vocabulary, t: str, names: list[Name]) -> list[Name]:
    """东四七条,哦不对,东四八条: the name before a correction and all before it go."""
    for i in range(len(names) - 1, -1, -1):
        if vocab.corrections_re.match(t, names[i].end):
            first = _said_first(t, names, i)
            if first is not None:  # 东四六条68号门前…（来电人先称东四七条，后更正为东四六条）: as said first
                return [n for n in names[first:] if n is not names[i]]
            return names[i + 1:]
        # 不是胜利南路 是胜利北路, said first: the name after 是 (a junction's second road put right
        # that way — 干面胡同和北小街，不是北小街，是南小街 — is read with the junction)
        # (or said, then denied by name: 文星路 不是文星路 是文星北路)
        # (or said, then denied by name a sentence on: 北总布胡同有个广告牌要掉了… 更正一下，不是北总布胡同，是西总布胡同)
        said_then_denied = i > 0 and (names[i - 1].value == names[i].value
                                      and PAUSE_ONLY.fullmatch(t, names[i - 1].end, names[i].start - 2)
                                      or names[0].value == names[i].value)
        if (i == 0 or said_then_denied) and i + 1 < len(names) and t.endswith("不是", 0, names[i].start) \
                and _IS_INSTEAD.fullmatch(t, names[i].end, names[i + 1].start):
            return names[i + 1:]
        if i + 1 < len(names) and _KIND_DENIED.fullmatch(t, names[i].end, names[i + 1].start):
            return names[i + 1:]  # 古现村？不是村 是古现新区, 温泉街道？来电人：不是街道，温泉路
        later = i + 1 < len(names) and vocab.corrections_later.match(t, names[i].end, names[i + 1].start)
        if later and not _detail_said_again(vocab, t, later.end()):
            return names[i + 1:]
    return names


_MEANT_NAMES = 2  # (后更正为“新桥，就是梅林大桥”: the name meant may be said again in other words first)


def _said_first(t: str, names: list[Name], i: int) -> int | None:
    """泾县泾川镇城南小学东门外…来电人先说“城南中学”，后更正为“城南小学…”: where the name the correction
    after names[i] means was said before it, with the divisions said right before that (or the road whose
    stretch it ends), as an operator's summary states the place first; None when it was not."""
    for meant in names[i + 1:i + 1 + _MEANT_NAMES]:
        if meant.kind not in ("road", "compound", "landmark"):
            continue
        first = next((j for j in range(i) if names[j].value == meant.value
                      or names[j].kind == "between" and meant.value in names[j].ends), None)
        if first is None:
            continue
        while first > 0 and (names[first - 1].kind in ("district", "street")
                             or names[first].kind == "between" and names[first - 1].kind == "road") \
                and names[first].start - names[first - 1].end <= _DIVISION_GAP \
                and not any(c in SENTENCE_ENDS for c in t[names[first - 1].end:names[first].start]):
            first -= 1
        return first
    return None


_DIVISION_GAP = 8  # (宁国市梅林镇东津河上的梅林大桥: a river or a road's side may come between)


def divisions_denied_with(before: list[Name], kept: list[Name]) -> dict[str, str]:
    """云溪县那个白石镇，不对，白石乡 / 乐清城南 金溪花园 … 打错了 是金溪苑: the district and street said right
    before a town or a place the caller put right, which the correction does not take back (none when
    one is said again)."""
    if not kept:
        return {}
    dropped = [n for n in before if n.end <= kept[0].start]
    out: dict[str, str] = {}
    follows = dropped[-1] if dropped else None
    for n in reversed(dropped[:-1]):
        # (right before it, one after another: not the district of where the caller lives)
        if n.kind not in ("district", "street") or n.kind in out or follows.start - n.end > 4:
            break
        if n.kind == "street" and follows.kind == "street" or n.kind == "district" and follows.kind == "district":
            break
        out[n.kind] = n.value
        follows = n
    said_again = {n.kind for n in kept} | ({"street"} if dropped and dropped[-1].kind == "street" else set())
    return {kind: value for kind, value in out.items() if kind not in said_again}


def _detail_said_again(vocab: Vocabulary, t: str, pos: int) -> bool:
    """民生路106号，不对，是160号: what the correction puts right is the number (building,
    exit) — `corrected_number` replaces it; the road stays."""
    after = skip_soft(vocab, t, pos)
    after += t.startswith("是", after)
    return bool(NUMBER.match(t, after) or BUILDING.match(t, after) or EXIT.match(t, after))


def corrected_number(vocab: Vocabulary, t: str, pos: int, place: Place) -> int:
    """三十一号，不对不对，是三十二号: the house number, building, exit or gate said again
    after a correction replaces the first. The position after it, or 0."""
    if place.number and (q := _number_denied(t, pos, place) or _number_put_right_later(vocab, t, pos, place)):
        return q
    if place.building and (q := _building_denied(t, pos, place)):
        return q
    if place.exit and (q := _exit_denied_by_name(t, pos, place)):
        return q
    m = vocab.corrections_re.match(t, pos)
    bare = m is None and place.specific and not _affirmed_before(t, pos) and _BARE_DENIAL.match(t, pos)
    if bare:  # 西段 不是 东段, C口 不是 D口, 后面 啊不是 是旁边: a caller's 不是 with no pause in the text
        return _detail_denied(vocab, t, skip_soft(vocab, t, bare.end()), place)
    if not m or not (place.number or place.building or place.exit or place.gate or place.stretch):
        return 0
    after = skip_soft(vocab, t, m.end())
    after += t.startswith("是", after)
    if place.number:
        # 不是十八号，是十六号 / 啊不是，我看错门牌了，是三十八号: the first other number
        # said soon after the correction
        n = next((n for n in NUMBER.finditer(t, after, after + _CORRECTION_REACH)
                  if n.group(1) != place.number), None)
        if n and _CJK_OR_PUNCT.fullmatch(t, after, n.start()):
            place.number, place.side = n.group(1), ""
            return n.end()
    b = BUILDING.match(t, after)
    if b and place.building:
        place.building, place.unit, place.side = b.group(1).upper(), "", ""
        return b.end()
    e = EXIT.match(t, after)
    if e and place.exit:  # A口，哦不对，是B口
        place.exit, place.side = e.group(1).upper(), ""
        return e.end()
    g = vocab.gate_re.match(t, after)
    if g and place.gate:  # 北门，哎不对，东北门
        place.gate = (g.group(1) + "门") if g.group(1) else g.group(2)
        place.side = "门口" if g.group(3) else ""
        return g.end()
    s = STRETCH.match(t, after)
    if s and s.group(1) and place.stretch:  # 中段，不是，是西段
        place.stretch = s.group(1) + "段"
        return s.end()
    g = next(vocab.gate_re.finditer(t, after, after + _CORRECTION_REACH), None) if place.gate else None
    if g and _CJK_OR_PUNCT.fullmatch(t, after, g.start()):  # 北门 不对 我记岔了 是西门
        gate = (g.group(1) + "门") if g.group(1) else g.group(2)
        if gate and gate != place.gate:
            place.gate, place.side = gate, "门口" if g.group(3) else ""
            return g.end()
    if place.stretch:  # 西段 哦不对 它是南北的 是南段, 南段 不对 我说反了 北段: said after a reason
        s = next((s for s in STRETCH.finditer(t, after, after + _CORRECTION_REACH) if s.group(1)), None)
        if s and s.group(1) + "段" != place.stretch and _CJK_OR_PUNCT.fullmatch(t, after, s.start()):
            place.stretch = s.group(1) + "段"
            return s.end()
    return 0


# (后面 is no side a dispatcher writes, but a caller may put it right: 金沙影城后面 啊不是 是旁边)
# (北门 啊不 东门: 啊 is read as a filler, and a lone 不 before another direction is the denial)
_BARE_DENIAL = re.compile(r"(?:它|他)?(?:[前后](?:面|边儿?|头))?(?:啊|哦|哎|呃|噢)?(?:不是(?!不是)|不(?=[东西南北]))(?:它|他)?")
_AFFIRMED = re.compile(r"(?<![不就也还要但可于总都老凡我俺咱这])是")  # (not 就是, 还是, 但是, 我是 …)


def _affirmed_before(t: str, pos: int) -> bool:
    """是A口不是B口, 是光明大道中段，不是东段: the caller said which one first; the 不是 after it denies
    another (also after a pause written as a comma)."""
    if t[pos - 1:pos] in (",", ".", ";", ":", "!", "?"):
        return True
    start = max(0, pos - 12)
    stop = max((t.rfind(c, start, pos) for c in ",.;:!?"), default=-1)
    return bool(_AFFIRMED.search(t, max(start, stop + 1), pos))


def _detail_denied(vocab: Vocabulary, t: str, after: int, place: Place) -> int:
    """The exit, gate, stretch or side said right after a caller's bare 不是 replaces the one
    said before it — unless the first is said again right after (东门 不是西门啊 东门). The
    position after it, or 0."""
    after += t.startswith("是", after)
    for kind, rx in (("exit", EXIT), ("gate", vocab.gate_re), ("stretch", STRETCH), ("side", vocab.side_words)):
        old = getattr(place, kind)
        m = rx.match(t, after)
        if m is None or not m.group() or (kind != "side" and not old) or (kind == "stretch" and not m.group(1)):
            continue
        if kind == "exit":
            new = m.group(1).upper()
        elif kind == "gate":
            new = (m.group(1) + "门") if m.group(1) else m.group(2)
        elif kind == "stretch":
            new = m.group(1) + "段"
        else:
            new = vocab.side_of[m.group()]
        again = skip_soft(vocab, t, m.end())
        if new == old or old and t.startswith(old.lower() + ("口" if kind == "exit" else ""), again):
            return 0  # (南门 不是北门啊 南门: his own said again)
        setattr(place, kind, new)
        if kind != "side":
            place.side = ""
        return m.end()
    return 0


def _number_denied(t: str, pos: int, place: Place) -> int:
    """七号 不是七 是十七号 / 四十八号 不是 四十六号 四十六号: the house number the caller meant
    replaces the one he denied. The position after it, or 0."""
    m = _NUMBER_DENIED.match(t, pos)
    if not m:
        return 0
    bare = _DENIED_BARE_THEN_IS.match(t, m.end())
    n = NUMBER.match(t, bare.end() if bare else m.end())
    if not n or n.group(1) == place.number:
        return 0
    end = n.end()
    if not bare:  # said again at once (七十七号 七十七 may lack its 号), or the caller said no 是 before it
        at = end + _BREAKS_RE.match(t, end).end() - end
        again = NUMBER.match(t, at) or _BARE_NUMBER.match(t, at)
        if again and (again.group(1) == n.group(1) or str(chinese_numeral(again.group(1))) == n.group(1)):
            end = again.end()
        elif _affirmed_before(t, pos):
            return 0  # (是18号，不是16号: which one was said first)
    place.number, place.side = n.group(1), ""
    return end


# 五号楼 不是五号 是六号楼: the building denied (by its number, perhaps bare), then the one meant
_DENIED_BUILDING_THEN_IS = re.compile(rf"(?:\d{{1,4}}|[零一二三四五六七八九十百两]{{1,4}})?(?:号楼|号|栋|幢)?{_BREAKS}是")


def _building_denied(t: str, pos: int, place: Place) -> int:
    """翠湖家园5号楼 不是5号 是6号楼: the building the caller meant replaces the one he denied.
    The position after it, or 0."""
    m = _NUMBER_DENIED.match(t, pos)
    is_ = _DENIED_BUILDING_THEN_IS.match(t, m.end()) if m else None
    b = BUILDING.match(t, is_.end()) if is_ else None
    if not b or b.group(1).upper() == place.building:
        return 0
    place.building, place.unit, place.side = b.group(1).upper(), "", ""
    return b.end()


_LATER_REACH = 10  # 北环路二百号那个加油站旁边，不对，是202号: what may come before the correction


def _number_put_right_later(vocab: Vocabulary, t: str, pos: int, place: Place) -> int:
    """北环路二百号那个加油站旁边，不对，是202号: the caller puts the number right a few words on,
    before the sentence ends. The position after it, or 0."""
    for i in range(pos, min(len(t), pos + _LATER_REACH)):
        if t[i] in SENTENCE_ENDS:
            return 0
        m = vocab.corrections_re.match(t, i) if t[i] in f",{PHRASE_BREAK} " else None
        if m:
            after = skip_soft(vocab, t, m.end())
            after += t.startswith("是", after)
            n = NUMBER.match(t, after)
            if n and n.group(1) != place.number:
                place.number, place.side = n.group(1), ""
                return n.end()
            return 0
    return 0


_NAMED_DENIAL_REACH = 30  # 建国门站B口电梯坏了 刚看了一下 不是B口 是C口: how far on the exit may be denied


# (建国门站 电梯坏了 B口 刚看了一下 是C口 不是B口: the one meant said first, then the one denied)
_EXIT_THEN_DENIED = re.compile(rf"是([a-z]\d?|\d{{1,2}})(?:号)?(?:出口|口){_BREAKS}不是")


def _exit_denied_by_name(t: str, pos: int, place: Place) -> int:
    """建国门站 电梯坏了 / B口 / 刚看了一下 是C口 不是B口: the caller denies the very exit he said, a
    sentence on, and says the one he meant. The position after it, or 0."""
    said = place.exit.lower()
    for denied in (f"不是{said}口", f"不是{said}号口"):
        at = t.find(denied, pos, pos + _NAMED_DENIAL_REACH)
        if at < 0:
            continue
        before = _EXIT_THEN_DENIED.search(t, max(pos, at - 8), at + 2)
        if before and before.end() == at + 2:
            place.exit, place.side = before.group(1).upper(), ""
            return at + len(denied)
        is_ = THEN_IS.match(t, at + len(denied))
        e = EXIT.match(t, is_.end()) if is_ else None
        if e and e.group(1).upper() != place.exit:
            place.exit, place.side = e.group(1).upper(), ""
            return e.end()
    return 0
