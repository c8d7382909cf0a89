"""What a place says beyond its name, in the order a dispatcher reads it: house number,
building, unit, gate, exit, stretch and side. Numbers only count where they are expected, so
dates, times, phone numbers, floors and counts never become house numbers."""
from __future__ import annotations

import re

from classifiers.locate.place_reading.junctions import junction_word
from classifiers.locate.place_reading.patterns import BUILDING, EXIT, NUMBER, PHASE, STRETCH, STRETCH_AFTER, UNIT
from classifiers.locate.place_reading.place import Place
from classifiers.locate.place_reading.vocabulary import Vocabulary

_LANE = re.compile(r"\d{1,4}(?:弄|巷)")  # 长乐路123弄5号: the lane, then the house
_SECTION = re.compile(r"[一二三四五六七八九十]段(?!时间|日子|路)")
_ROAD_BUILDING = re.compile(r"(\d{1,5})号楼")
_END_OF_ROAD = re.compile(r"(?:那头|这头|尽头)")
_BRIDGE_HEAD = re.compile(r"([东西南北])桥头|桥([东西南北])头")  # 东桥头, 桥西头
_GABLE = re.compile(r"([东西南北])(?:山墙|墙)")
_CAMPUS = re.compile(r"[东西南北中新老本]?(?:校区|院区|分校|分院)")
# 天桥靠东那头: the end of a bridge or a junction one leans to (but "路口往北一点" is a side to
# some annotators and nothing to others: not read)
_LEANING_END = re.compile(r"靠([东西南北])(?:边儿?|面|头|侧)?(?:那头|这头|那边|那侧|那块)")
_LANE_END = re.compile(r"([东西南北])口(?![a-z\d])")
_EXIT_SAID_AGAIN = re.compile(r"(?:[,.\s]*(?:[a-z]\d?|\d{1,2}|[一二三四五六七八九十]{1,2})号?)*[,.\s]*(?:出口|口)(?:出来)?(?:外面|外边儿?|外头|外)")
# 朝阳门站，那个出口，C口: the word for an exit said before which one
_EXIT_WORD_FIRST = re.compile(r"(?:出口|出站口)[,\s]*(?=[a-z]\d?口|\d{1,2}号?口)")
_GATE_SAID_AGAIN = re.compile(r"(?:那儿|那里)?,?(?:就是)?(?:[东西南北]边儿?|[东西南北]{1,2}角|挨着[\u4e00-\u9fff]{1,4}?|靠着?[\u4e00-\u9fff]{1,4}?)?"
                              r"(?:小?门儿?,)?(?:门口|门前)儿?")  # (the reader has taken 那个 out)
# A shop's branch said after it, in brackets or after a pause (（人民路店）, ，就是船板胡同店, ，朝内那个店)
_BRANCHED = ("超市", "便利店", "药房", "药店", "商场", "百货", "餐厅", "酒店")
_BRANCH = re.compile(r"[(,\s]?(?:就是)?([\u4e00-\u9fff]{2,6}?)(?:那个|这个)?店\)?")
_BRANCH_BEHIND = re.compile(r"\(([\u4e00-\u9fff]{2,6}?)店\)[,.\s]*$")


def _branch(vocab: Vocabulary, t: str, pos: int, place: Place) -> int:
    """A shop's branch said after it, in brackets or after a pause (万家福超市（人民路店）, 物美超市，
    朝内那个店, 华联超市，就是船板胡同店): part of its name, as the labellers all write it."""
    name = place.landmark
    if not name or not (name.endswith(_BRANCHED) or name in vocab.brands) \
            or name.endswith("店") and not name.endswith(_BRANCHED):  # (物美超市朝内店: said already)
        return 0
    behind = _BRANCH_BEHIND.search(t, 0, pos)  # (the reader passes over a bracket before it looks here)
    if behind and t.startswith(name, behind.start() - len(name)):
        place.landmark += behind.group(1) + "店"
        return pos
    start = pos - 1 if t[pos - 1:pos] in (",", "(", " ") else pos
    m = _BRANCH.match(t, pos) if t.startswith(name, start - len(name)) else None
    if m and (start < pos or m.group().startswith(("(", ",", " "))):
        place.landmark += _without_brand(vocab, name, m.group(1)) + "店"
        return m.end()
    return 0


def _without_brand(vocab: Vocabulary, name: str, branch: str) -> str:
    """物美超市，物美雅宝店: the branch's own name (雅宝), said after the chain's again."""
    brand = next((b for b in vocab.brands if name.startswith(b) and branch.startswith(b)), "")
    return branch[len(brand):] if len(branch) - len(brand) >= 2 else branch
# A little way off a junction or a gate in one direction: the side of it the labellers write
# (14 of 20 development texts that say so, all at junctions and gates; 5 write none)
_OFFSET_SIDE = re.compile(r"[,\s]*(?:再)?[往向朝]([东西南北])(?:边|面)?(?:走|拐)?[,\s]*(?:约|大约|大概|差不多)?"
                          r"(?:[\d一二三四五六七八九十百几两]+多?米|一点儿?|一些|不远|没多远|那一?块|那边|那一?段)(?:左右)?")
# 路口往北约50米, 往南一点: a little way along the road (which side of it may follow). Not
# _OFFSET_SIDE's distances: with a road side after a longer way (往南大概一百米，路东边) the
# labellers write the way as the side, which _OFFSET_SIDE then reads
_OFFSET = re.compile(r"[往向以]?[东西南北](?:约|大约|大概)?(?:\d+米|一点儿?|一些|那?一?段)?[,\s]?(?=路[东西南北])")


def details_from(vocab: Vocabulary, t: str, pos: int, place: Place) -> int:
    """Every detail of the place said from pos on (8号楼东侧: the side after the building);
    the position after the last one."""
    while after := detail_at(vocab, t, pos, place):
        pos = after
    return pos


def detail_at(vocab: Vocabulary, t: str, pos: int, place: Place) -> int:
    """A detail of the place at pos (number, building, unit, gate, exit, stretch, side):
    the position after it, or 0."""
    if place.compound and not place.building and not PHASE.search(place.compound):
        m = PHASE.match(t, pos)
        if m and not t.startswith(("区域", "期间"), m.start()):
            place.compound += m.group()  # 书香门第，二期，12号楼: the phase, said after a pause
            return m.end()
    if place.landmark and t.startswith(place.landmark, pos - len(place.landmark)):
        m = _CAMPUS.match(t, pos)
        if m:  # 实验小学西校区, 人民医院东院区: which of its sites, part of its name
            place.landmark += m.group()
            return m.end()

    end = _branch(vocab, t, pos, place)
    if end:
        return end
    m = _EXIT_SAID_AGAIN.match(t, pos) if place.exit and not place.side else None
    if m:  # 4号口，四，那个出口外边儿; F口，F口外边儿: the exit said again, then outside it
        place.side = "外"
        return m.end()
    m = _GATE_SAID_AGAIN.match(t, pos) if place.gate and not place.side else None
    if m:  # 东南门，就是东南角那个小门，门口: the gate described again, then where at it
        place.side = "门口"
        return m.end()
    if place.road and not place.compound and not place.landmark and not place.cross_road:
        junction = junction_word(vocab, t, pos) if t.startswith(place.road, pos - len(place.road)) else 0
        if junction and not place.number:
            return pos + junction  # 文化路口那个天桥: the road's crossing, no other road named
        m = NUMBER.match(t, pos)
        if m:
            if place.number and place.number != m.group(1):
                return 0
            place.number = m.group(1)
            return m.end()
        m = _SECTION.match(t, pos)
        if (m and not place.number and not place.stretch and not place.road.endswith("段")
                and t.startswith(place.road, pos - len(place.road))):  # right after the name
            place.road += m.group()  # 锦华路一段: a numbered section is part of the road's name
            return m.end()
        m = _ROAD_BUILDING.match(t, pos)
        if m and not place.number:
            place.number = m.group(1)  # 朝晖路88号楼东侧: the house at that number
            return m.end()
        m = STRETCH.match(t, pos)
        if m and not place.number:
            if place.between and not m.group(1):
                return m.end()  # 从A路口到B路口之间，中间这一段: that stretch, said again
            stretch = m.group() if m.group(1) else "中段"
            if place.stretch and place.stretch != stretch:
                return 0
            place.stretch = stretch
            return m.end()
        if t.startswith("上", pos) and not place.number and not place.side and not t.startswith(place.road, pos):
            return pos + 1  # 青年路上: on the road
        m = _LANE.match(t, pos)
        if m and not place.number:
            return m.end()
    if place.compound or place.number:
        m = BUILDING.match(t, pos)
        if m and place.number == m.group(1) and place.road and not place.compound and not place.building:
            return m.end()  # 青年路54号，54号那个楼门口: the house at the number, said again
        if m and not place.unit:
            if place.building and place.building != m.group(1).upper():
                return 0
            place.building = m.group(1).upper()
            place.side = ""
            return m.end()
        m = UNIT.match(t, pos)
        if m and (place.building or place.compound):
            if place.unit and place.unit != m.group(1):
                return 0
            place.unit = m.group(1)
            place.side = ""
            return m.end()
    if place.compound or place.landmark or place.number:
        m = vocab.gate_re.match(t, pos)
        if m and "入口" in m.group() and vocab.is_station(place.landmark):
            m = None  # (a station's 东入口 is one of its exits)
        if m:
            gate = (m.group(1) + "门") if m.group(1) else m.group(2)
            if place.gate and gate in vocab.undirected_gates and m.group(3):
                place.side = "门口"  # 南大门，大门口儿: the gate said again, and at it
                return m.end()
            if place.gate and place.gate != gate:
                return 0
            place.gate = gate
            place.side = "门口" if m.group(3) else place.side  # 小区门口，南门: both kept
            return m.end()
    if place.landmark and vocab.is_station(place.landmark):
        first = _EXIT_WORD_FIRST.match(t, pos) if not place.exit else None
        m = EXIT.match(t, first.end() if first else pos)
        if m:
            exit_ = m.group(1).upper()
            if place.exit and place.exit != exit_:
                return 0
            end = m.end()
            lettered = _LETTER_SAID_TOO.match(t, end) if exit_[0] in "东西南北" else None
            if lettered:  # 西南口（即C口）, 东北口 就是 A口: the exit's letter, as its sign has it
                exit_, end = lettered.group(1).upper(), lettered.end()
            place.exit = exit_
            return end
    return _side(vocab, t, pos, place)


# A direction exit said again by its letter or number
_LETTER_SAID_TOO = re.compile(r"[\s,(]*(?:即|也就是|就是)?[\s,]*([a-z]\d?|\d{1,2})号?(?:出入口|出口|口)\)?")


def _side(vocab: Vocabulary, t: str, pos: int, place: Place) -> int:
    if not place.specific:
        return 0
    m = _GABLE.match(t, pos)
    if m and (place.building or place.compound) and not place.side:
        place.side = m.group(1) + "侧"  # 二号楼西山墙: its west wall
        return m.end()
    if place.landmark.endswith(vocab.bridges) and not place.side:
        m = _BRIDGE_HEAD.match(t, pos)
        if m:  # 锦江大桥东桥头: the bridge's east end
            place.side = (m.group(1) or m.group(2)) + "侧"
            return m.end()
    village = place.compound.endswith(vocab.village_suffixes) and not place.landmark
    if village:
        m = vocab.village_side_re.match(t, pos) or vocab.village_bare_side_re.match(t, pos)
        if m and (m.group(1) or _right_after_village(vocab, t, pos, place)):
            place.side = (m.group(1) + "侧") if m.group(1) else "内"
            return m.end()
    # a road (or a junction) with nothing finer said: its side or stretch may follow
    road_only = place.road and not (place.number or place.landmark or place.compound or place.stretch)
    if place.road and not (place.number or place.landmark or place.compound or place.side):
        m = vocab.road_side_re.match(t, pos)  # 长乐大道中段路东边儿: the stretch's side too
        offset = _OFFSET.match(t, pos) if m is None and place.cross_road else None
        if offset:  # 交叉口往北约50米路东: the side of the road a little way from the junction
            m = vocab.road_side_re.match(t, offset.end())
        said_right_before = t.startswith(place.road, pos - len(place.road)) \
            or t[pos - 1:pos] == "," and t.startswith(place.road, pos - 1 - len(place.road))  # 云杉路，路北
        after_junction = t[pos - 1:pos] == "口" or t[pos - 2:pos] == "口,"  # (路口，呃，路东边)
        if m and (said_right_before or place.cross_road and after_junction
                  or place.stretch and t.startswith("段", pos - 1)):
            place.side = m.group(1) + "侧"
            return m.end()
        m = _LANE_END.match(t, pos)
        if road_only and m and not place.cross_road and t.startswith(place.road, pos - len(place.road)):
            place.side = m.group(1) + "侧"  # 遂安伯胡同东口: the lane's east end
            return m.end()
    if place.road and place.landmark and not (place.number or place.compound or place.side):
        offset = _OFFSET.match(t, pos)  # 长青路新华书店以南路西侧: the road's side, south of the shop
        m = vocab.road_side_re.match(t, offset.end()) if offset else None
        if m:
            place.side = m.group(1) + "侧"
            return m.end()
    # 路口往西走大概五十米, 幼儿园门口往东一点儿: that side of it, a little way off (not of a metro exit
    # or a bus stop said alone: D口出来往东一点, 公交站往西一百米 — the labellers write no side there)
    off = not place.side and place.cross_road or place.side == "门口" and not place.exit
    m = _OFFSET_SIDE.match(t, pos) if off else None
    if m and not vocab.road_side_re.match(t, m.end()):
        place.side = m.group(1) + "侧"
        return m.end()
    if (place.cross_road or place.landmark.endswith(vocab.bridges)) and not place.side:
        m = _LEANING_END.match(t, pos)
        if m:
            place.side = m.group(1) + "侧"
            return m.end()
    lean = 1 if road_only and t.startswith("靠", pos) else 0  # 锦江大道靠东头那段
    most = 1 if t.startswith("最", pos) and not lean else 0  # 滨河东路最东头: its east end
    m = vocab.direction_re.match(t, pos + lean + most)
    if m and not t.startswith(("门", "大门"), m.end()):
        stretch = STRETCH_AFTER.match(t, m.end())
        if stretch and road_only:
            place.stretch = m.group(1) + "段"  # 滨河路北边那一段: the road's north stretch
            return stretch.end()
        if stretch and place.stretch == m.group(1) + "段":
            return stretch.end()  # 朝阳门南小街，北段，北头那一截儿: that stretch said again
        end_of = _END_OF_ROAD.match(t, m.end()) if lean else None
        if not lean or end_of:
            place.side = m.group(1) + "侧"  # (栖霞路靠西边儿那头: its west end)
            return end_of.end() if end_of else m.end()
    m = vocab.side_words.match(t, pos)
    if m:
        word = m.group()
        value = vocab.side_of[word]
        if value == "上" or word == "下":  # 桥上, 桥下: a bridge's own sides
            bridge = place.landmark.endswith(vocab.bridges)
            below_building = word == "下" and place.building and t[pos - 1:pos] == "楼"  # 3号楼下
            if not bridge and not below_building:
                return 0
        if value in ("上", "下") and place.side.endswith("侧"):
            return pos + len(word)  # 跃进桥东侧桥下: the east side tells it from the west
        if vocab.not_sides.match(t, pos):
            return 0
        if value == "内" and village and not _right_after_village(vocab, t, pos, place):
            return 0
        place.side = value
        return pos + len(word)
    return 0


def _right_after_village(vocab: Vocabulary, t: str, pos: int, place: Place) -> bool:
    """王庄村里的路, 秦家屯村村内: inside the village. 我是石桥村村民，村里的自来水 says
    nothing finer than the village."""
    name_at = t.rfind(place.compound, 0, pos)
    between = t[name_at + len(place.compound):pos] if name_at >= 0 else ","
    return all(c.isspace() or c in vocab.village_suffixes for c in between)
