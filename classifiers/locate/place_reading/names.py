"""Step 1 of reading a place: every road, compound, landmark, district and street named in the
text, found by its suffix (路, 胡同, 小区, 村, 超市, 地铁站, 街道 …) with the name read
backwards from it (name_start.py). A bare suffix right after a name takes the name in, except
for the unnamed things that belong to what is before them (长江路 + 天桥, 后营村 + 村委会)."""
from __future__ import annotations

import re

from classifiers.locate.place_reading.divisions import division_name, named_like_a_kind, short_district
from classifiers.locate.place_reading.junctions import junction_word
from classifiers.locate.place_reading.name_start import name_start
from classifiers.locate.place_reading.passed_over import skip_soft
from classifiers.locate.place_reading.patterns import (
    ALIAS,
    BUS_ROUTE,
    CJK,
    ESTATE_WORDS,
    LINE_NUMBER,
    NUMBER,
    PHASE,
    RAIL,
    estate_name,
)
from classifiers.locate.place_reading.place import NAMED_KINDS, Name
from classifiers.locate.place_reading.quoted import quoted_shops
from classifiers.locate.place_reading.short_schools import short_schools
from classifiers.locate.place_reading.towns import name_of_its_own, with_bare_towns, with_town_institutions
from classifiers.locate.place_reading.unsuffixed import unsuffixed_compound
from classifiers.locate.place_reading.vocabulary import Vocabulary

_LINE = re.compile(rf"(?:{RAIL})?(?:{LINE_NUMBER})?")  # 地铁2号线人民广场站: the line before a station
_LINE_BEFORE = re.compile(rf"(?:{RAIL}|轨道交通)?(?:{LINE_NUMBER})?$")
# 桑榆里3号楼: building 3 of an estate, not house 3 of a lane
_BUILDING_NUMBER = re.compile(r"[甲乙丙]?\d{1,5}号楼")
_LANE_NUMERAL = re.compile("[一二三四五六七八九十头]$")
# 坐三十二路, 乘12路: a bus route, not a road (but 五一路, 八一路 are roads)
_NUMBERED_HOUSE = re.compile(r"\d{1,3}(?:号楼|栋|幢|号)")
# After a district's name, the start of the name of one of its own institutions.
_GLUED_DISTRICT = re.compile(rf"([{CJK}]{{2,3}}区)(?=[{CJK}]{{3,}})")
# A name whose last two or more characters come twice (a caller's repeat glued to it)
_SAID_TWICE = re.compile(r"^(.*?(.{2,}))\2$")
_LANE_ROAD_NOT = frozenset("口边面过段灯旁牙上")
_ROAD_NUMERALS = frozenset("一二三四五六七八九十")
_ROAD_NAMED_ESTATE_SUFFIXES = frozenset(("苑", "园", "府", "庭", "城", "湾", "里", "坊"))
_ROAD_GOES_ON = re.compile(r"路(?:口|与|和|跟|交叉|十字|\d)")
_NOT_ONE_CHARACTER_ROAD = frozenset("上走在过到去沿国省县乡村的是有从往向")
_WORKS_HOUSING_AFTER = re.compile(r"[矿厂站场局校院所](?:老|新)?(?:宿舍|家属院|家属区|家属楼)")
_TOWN_GOES_ON = re.compile(rf"[{CJK}]?(?:镇|乡|街道)")
_DISTRICT_INSTITUTION = re.compile(r"人民|第[一二三四五六七八九十\d]|中心|妇幼|中医|实验|政府|委|图书馆|文化馆|体育")


def find_names(vocab: Vocabulary, t: str, limit: int | None = None,
               phrases: frozenset[int] = frozenset()) -> tuple[list[Name], int]:
    """Every name in t, and how far t was read: with `limit`, only up to that many
    characters after the first road, compound or landmark; `phrases`: where a phrase
    starts after a space (a name does not reach back over it)."""
    out: list[Name] = []
    stop = len(t)
    for m in vocab.suffix_re.finditer(t):
        suffix, s0, end = m.group(), m.start(), m.end()
        if s0 > stop:
            break
        if any(s0 < p < end for p in phrases):
            continue  # 占道施工|地址: a suffix (工地) across two phrases is none
        kind = vocab.kinds[suffix]
        if suffix in vocab.bridges and _TOWN_GOES_ON.match(t, end):
            continue  # 桥头镇, 大桥乡: the bridge is in a town's name
        if suffix == "站" and t[s0 - 1:s0] == "站" and t.startswith("前", end):
            continue  # 火车站站前广场: the station's forecourt, not a station said twice
        if suffix == "巷" and t.startswith("路", end) and t[end + 1:end + 2] not in _LANE_ROAD_NOT:
            continue  # 卢家巷路8号: a road named after the lane (but 卢家巷路口, 巷路边: the lane's)
        if kind == "compound" and suffix in _ROAD_NAMED_ESTATE_SUFFIXES and _ROAD_GOES_ON.match(t, end):
            continue  # 黄河路高苑路口: a road named like an estate (高苑路), at its junction
        if suffix == "村" and _WORKS_HOUSING_AFTER.match(t, end):
            continue  # 齐村矿老宿舍: a works' housing named after the village, one name
        last = out[-1] if out else None
        floor = last.end if last else 0
        if last is not None and last.kind == "road" and floor < s0:
            if t.startswith("上", floor):
                floor += 1  # 东风路上|第三小学: "on the road"
            else:
                floor += junction_word(vocab, t, floor)  # 文化路口|天桥, 交汇处|天桥
        joined = last is not None and last.kind in NAMED_KINDS
        start = name_start(vocab, t, s0, floor, end, 12 if kind == "landmark" else 10, joined,
                           numbered=kind in ("road", "landmark"), phrases=phrases)
        if kind == "landmark" and suffix in vocab.stations:
            start = _station_prefix(vocab, t, start)
        name = t[start:end]
        if (start > 0 and vocab.vague_end.search(t, max(0, start - 4), start)
                or vocab.vague_start.match(t, start, end)) and not _ROADS_FOOTBRIDGE.match(t, last.end if last else 0, end):
            continue  # 某网店, 有个废品站, (近期)多家餐馆: no particular one (but 建国门北大街有个天桥: the road's)
        found = None
        if kind in ("district", "street"):
            found = division_name(vocab, t, kind, start, s0, end, last, phrases)
        elif suffix in vocab.brands:
            if any((m := vocab.suffix_re.match(t, i)) and m.end() > end and vocab.kinds[m.group()] == "landmark"
                   and not t.startswith("生", m.end()) for i in range(s0 + 1, end)):
                continue  # 东安区第一中学: a known short name (一中) inside a longer one's kind (中学; not 一中学生)
            found = Name("landmark", name, start, end)  # 肯德基, 朝内物美: a name by itself
        elif start == s0 or (kind == "landmark" and _LINE.fullmatch(t, start, s0)):
            found = _bare_suffix(vocab, t, kind, suffix, start, end, last)
        elif kind == "road":
            found = _road_name(vocab, t, suffix, name, start, s0, end, last, phrases)
        elif kind == "compound":
            found = _compound_name(vocab, t, suffix, name, start, s0, end, last)
        else:
            found = _landmark_name(vocab, t, name, start, s0, end, last)
        if found is None:
            continue
        found = _without_car_park(vocab, found)
        if found.kind == "landmark" and found.value.endswith(("出站", "进站")) and t.startswith("口", found.end):
            found = Name("landmark", found.value + "口", found.start, found.end + 1)  # 火车站出站口东侧
        if found.kind == "landmark" and suffix in vocab.stations and not _LINE.match(found.value).group():
            found = _line_said_apart(t, found)
        if found.kind == "landmark" and suffix in vocab.stations and t.endswith("brt", 0, found.start):
            found = Name("landmark", "BRT" + found.value, found.start - 3, found.end)  # BRT港窑路站: a bus rapid transit stop
        said_twice = _SAID_TWICE.match(found.value) if found.kind in NAMED_KINDS else None
        if said_twice and found.kind == "road" and t.startswith(vocab.compound_suffixes, found.end):
            # 东四七条 七条小区: the road, then the estate named after it (not 东四七条 said twice)
            found = Name("road", said_twice.group(1), found.start, found.start + len(said_twice.group(1)))
        elif said_twice:  # 体育中心站 体育中心站, 东四十条宿舍 宿舍院里, 花园北街 花园北街: one name, said again
            found = Name(found.kind, said_twice.group(1), found.start, found.end, attached=found.attached)
        if found.kind == "compound" and suffix in vocab.village_suffixes and s0 in phrases \
                and found.start < s0 and vocab.village_side_re.match(t, s0):
            # 李家庄 村南: the village named, a pause, then its side (村南) — the name as said
            found = Name("compound", t[found.start:s0], found.start, found.end)
        if found.start < floor and last is not None:
            out.pop()  # the name took in the one before it
            if last.kind in ("district", "street") and found.start <= last.start and last.end <= found.end - 2 \
                    and not (t[last.end:found.end] in vocab.kinds or _DISTRICT_INSTITUTION.match(t, last.end)):
                # 临江区和平桥: a district the gazetteer does not hold, then a landmark (but
                # 城东区图书馆, 临江区人民医院: the district's own institution, one name)
                out.append(last)
                found = Name(found.kind, t[last.end:found.end], last.end, found.end)
            elif last.start < found.start and t[last.start:found.start] in vocab.districts:
                out.append(Name("district", t[last.start:found.start], last.start, found.start))
        before = out[-1] if out else None
        if found.kind == "compound" and before is not None and before.kind == "compound" and not before.attached \
                and before.end == found.start and (before.value.endswith(tuple(vocab.need_context))
                                                   or len(found.value) == 2 and found.value[-1] in "园苑"
                                                   and before.value.endswith(vocab.village_suffixes)):
            # 蓝湾雅苑, 翠岗新苑: an estate whose name holds a suffix (湾, 岗) of its own; 方村佳园:
            # a village's name, then a suffix with one character (no estate 佳园 on its own)
            out.pop()
            found = Name("compound", before.value + found.value, before.start, found.end)
        shop = out[-1] if out else None
        if found.kind == "landmark" and shop is not None and shop.kind == "landmark" and not shop.attached \
                and (found.value.endswith(vocab.branches) or _AFFILIATED.match(found.value)) \
                and not t[shop.end:found.start].strip():
            # (师范大学附属小学, 医科大学第一附属医院: the university's school or hospital, one name)
            # 永辉超市文化路店, 农业银行 青年路支行: the shop's branch, named after a road
            out.pop()
            found = Name("landmark", shop.value + found.value, shop.start, found.end)
        glued = _GLUED_DISTRICT.match(found.value) if found.kind in ("landmark", "compound") else None
        if glued and (not glued.group(1).endswith(vocab.not_districts) or named_like_a_kind(glued.group(1))) \
                and not _DISTRICT_INSTITUTION.match(found.value, glued.end()):
            # 石湾区枇杷岭社区文化广场: a district the gazetteer does not hold, then the name
            cut = found.start + glued.end()
            out.append(Name("district", glued.group(1), found.start, cut))
            found = Name(found.kind, found.value[glued.end():], cut, found.end)
        if found.kind in NAMED_KINDS:
            found = _without_city(vocab, t, found)
        if found.kind == "landmark" and found.value.endswith("桥桥") and t[found.end:found.end + 1] in _ON_OR_UNDER:
            found = Name("landmark", found.value[:-1], found.start, found.end - 1)  # 南桥|桥面, 南桥|桥下: the bridge's side
        if found.kind in ("road", "street") and not any(n.kind == "district" for n in out):
            district, found = _without_short_district(vocab, found, phrases)
            if district is not None:
                out.append(district)
        elif found.kind in ("compound", "landmark") and not any(n.kind in ("district", "street") for n in out):
            district, found = _county_before_name(vocab, t, found)
            if district is not None:
                out.append(district)
        out.append(found)
        if limit is not None and stop == len(t) and found.kind in NAMED_KINDS:
            stop = found.start + limit
    out = short_schools(vocab, t, out)
    out = _underpasses_of_roads(vocab, out)
    out = quoted_shops(vocab, t, out) if '"' in t else out
    if not any(n.kind in ("compound", "landmark") for n in out):
        out = unsuffixed_compound(vocab, t, out, phrases)
    out = with_bare_towns(vocab, t, out, phrases)  # (通州金沙的: the district and its town, before 金沙 alone is read as 金沙县)
    if not any(n.kind == "district" for n in out):
        short = short_district(vocab, t, out, phrases)
        if short is not None and not any(n.start <= short.start < n.end for n in out):
            out = sorted([*out, short], key=lambda n: n.start)
            out = with_bare_towns(vocab, t, out, phrases)  # (崇川区，就在文峰这边: a town after the district said short)
    out = with_town_institutions(vocab, t, out)
    return out, stop


_UNDERPASSES = ("地下通道", "过街地道", "地下过街通道", "地下人行通道")
_ON_OR_UNDER = "面上下底头洞"
# A direction after an avenue that names its half (人民大道南56号, 人民大道北中段, 海滨大道南与观海路), not a
# side, a stretch or an end of it (人民大道南侧, 南段, 南边, 南头, 南口, 往南)
_AVENUE_HALF = re.compile(r"[东西南北](?=\d|与|跟|和|同|交|路口|十字|中段|[,.;!?\s]|$)")
_CROSSING = ("过街", "人行")
_CROSSING_UNDER = ("过街地下通道", "过街地道", "过街通道")


def _underpasses_of_roads(vocab: Vocabulary, names: list[Name]) -> list[Name]:
    """中华路地下通道: the road, and its unnamed underpass (written as 地下通道, as 长江路天桥 is
    the road and its 天桥)."""
    out: list[Name] = []
    for n in names:
        under = next((u for u in _UNDERPASSES if n.kind == "landmark" and n.value.endswith(u)), "")
        road = n.value[:-len(under)] if under else ""
        if road.endswith(_CROSSING):  # 过街地下通道, 人行地下通道: the road's unnamed underpass all the same
            road = road[:-2]
            under = n.value[len(road):]
        if road and len(road) >= 3 and road.endswith(vocab.road_suffixes):
            cut = n.start + len(road)
            out += [Name("road", road, n.start, cut), Name("landmark", _UNDERPASSES[0], cut, n.end, attached=True)]
        elif not road and n.value.endswith(_UNDERPASSES) and n.value.startswith(_CROSSING):
            out.append(Name("landmark", _UNDERPASSES[0], n.start, n.end, attached=n.attached))
        else:
            out.append(n)
    return out


def _bare_suffix(vocab: Vocabulary, t: str, kind: str, suffix: str, start: int, end: int,
                 last: Name | None) -> Name | None:
    """A suffix with no name of its own: part of the name before it, or an unnamed
    thing that belongs to it, or nothing."""
    if kind == "landmark" and suffix in vocab.footbridges:
        return Name("landmark", vocab.words["landmarks.footbridge"], start, end, attached=True)
    if kind == "landmark" and suffix in vocab.attached:
        return Name("landmark", suffix, start, end, attached=True)
    if kind == "landmark" and suffix in vocab.named_alone and (last is None or last.end < start or last.kind in ("district", "street")):
        return Name("landmark", suffix, start, end)  # 百货大楼东边: the town's one department store
    if kind == "landmark" and last is not None and last.kind == "road" and t[last.end:start] in ("上", "上的") \
            and vocab.side_words.match(t, end) and not vocab.not_sides.match(t, end):
        return Name("landmark", suffix, start, end, attached=True)  # 华山路上那个网吧门口
    if last is None or last.end != start or last.attached:
        return None
    if kind == "landmark" and suffix in vocab.road_bridges and last.kind in ("road", "junction"):
        return Name("landmark", suffix, start, end, attached=True)  # 北环路立交桥: the road's own bridge
    if kind == "landmark" and suffix in vocab.stations and vocab.suffix_in_other_word.match(t, start):
        return None  # 公交站站牌: the station's sign, not a second 站
    if kind == "road":
        cut = next((k for k in (4, 3, 2) if last.kind == "landmark" and last.value[:k] in vocab.districts
                    and last.value[k:] in vocab.kinds), 0)
        if cut:  # 博山区中心路: the district, then a road named like a kind (中心), not 博山区中心's road
            return Name("road", last.value[cut:] + suffix, last.start + cut, end)
        # 中关村大街, 王府井大街: a road named after a village or a landmark
        if last.kind in ("compound", "landmark") and suffix not in vocab.need_number \
                and not t.startswith("口", end) and not vocab.not_before.match(t, start):
            return Name("road", last.value + suffix, last.start, end)
        return None
    if last.kind == "district" and kind == "landmark":
        if len(suffix) == 1 and _CJK_NEXT.match(t, end) and not vocab.side_words.match(t, end):
            return None  # 肥乡区站前街, 鼎城区桥南市场: a name that starts like a kind, in the district
        return Name(kind, last.value + suffix, last.start, end)  # 东安区图书馆
    if last.kind not in NAMED_KINDS:
        return None
    if (kind == "compound" and len(suffix) < 2 or vocab.side_words.match(t, start)) \
            and last.value.endswith(suffix):
        return None  # 李家村村东头, 光明桥桥下: the name said again before its side
    if suffix in vocab.bridges and last.value.endswith(suffix):
        return None  # 通济桥桥面
    if kind == "compound" and suffix in vocab.need_context and not _compound_context(vocab, t, end):
        return None
    if kind == "compound" and (m := PHASE.match(t, end)):
        end = m.end()  # 恒泰花园小区三期: the phase is part of the name here too
    value = last.value + estate_name(t[start:end])
    if kind == "landmark" and t[last.start:last.start + 2] != "地铁":
        # 东四十条地铁站, 北京站, 火车站站: a station may carry its line before it
        new_start = _station_prefix(vocab, t, last.start) if suffix in vocab.stations else last.start
        value = t[new_start:end]
        return Name(kind, value, new_start, end)
    return Name(kind, value, last.start, end)


# What follows a county town's one-character street (南街) for it to be one: a number or a junction
_AT_TOWN_STREET = re.compile(r"\d|十字路口|丁字路口|路口|交叉口")
_BANK_STREET = re.compile(r"[\u4e00-\u9fff]?[河江湖海溪塘]沿街")
_CJK_NEXT = re.compile(r"[\u4e00-\u9fff]")
# 东四九条 九条家园: an estate named right after a lane, across a pause
_ESTATE_NEXT = re.compile(rf"[\u4e00-\u9fff]{{1,4}}?(?:{ESTATE_WORDS})")
_NUMBERED_LANE_AFTER = re.compile(r"(?:[一二三四五六七八九十]{1,3}|\d{1,3})(?:巷|弄)")
_NUMBERED_MALU = re.compile(r"[一二三四五六七八九十东西南北]马路")
# 新马路21号 (镇江, 汕头, 澳门): a road named New Road, told from a new road by its number or its junction
_NEW_MALU_AT = re.compile(r"\d|[一二三四五六七八九十百]+号|与|和|跟|交叉|路口|十字")
# 海晏北路灯塔路口: a road glued to the junction's other road, which starts like 路灯 or 路面
# (but not 开车路过一个路口: 路过 is passing by)
_GLUED_PARTNER = re.compile(r"(?!过|[\u4e00-\u9fff]{0,2}个)[\u4e00-\u9fff]{1,3}?(?:路|街|大道|巷)(?:口|交叉|十字|与|和|跟)")


def _road_name(vocab: Vocabulary, t: str, suffix: str, name: str, start: int, s0: int, end: int,
               last: Name | None, phrases: frozenset[int] = frozenset()) -> Name | None:
    """A road whose suffix starts at s0 (`name` = t[start:end]), or None when it is none: a
    word that only ends like a road, a numbered lane without its numeral."""
    if s0 - start == 1 and t[start] in "东西南北" and last is not None and last.end == start \
            and last.kind in ("compound", "landmark") and not last.attached:
        return Name("road", last.value + name, last.start, end)  # 北京站东街
    if s0 - start == 1 and t[start] in "东西南北中" and len(suffix) == 2 and (last is None or last.end <= start):
        return Name("road", name, start, end)  # 南小街, 北大街, 东大道: a direction names the road
    if s0 - start == 1 and t[start] in "东西南北" and suffix == "街" and _AT_TOWN_STREET.match(t, end) \
            and (last is None or last.end <= start):
        return Name("road", name, start, end)  # 城关镇南街45号, 人民路与南街十字路口: a county town's street
    if s0 - start == 1 and suffix in ("街", "路") and last is not None and last.kind == "road" \
            and t[last.end:start] in _JUNCTION_CONNECTORS and _JUNCTION_AFTER.match(t, end):
        return Name("road", name, start, end)  # 中州东路跟新街交叉口: a short road as a junction's partner
    if name.endswith(("十字路", "丁字路")) and t.startswith("口", end) and name[:-3].endswith(vocab.road_suffixes) \
            and len(name) >= 5:
        return Name("road", name[:-3], start, end - 3)  # 新街十字路口: a short road's junction
    if _BANK_STREET.fullmatch(name):
        return Name("road", name, start, end)  # 河沿街 (the riverbank's street), not 沿街 (along the street)
    if _NUMBERED_MALU.fullmatch(name):
        return Name("road", name, start, end)  # 二马路 (沈阳), 北马路 (烟台): a numbered or a directed road, not 马路
    if name in ("新马路", "老马路") and _NEW_MALU_AT.match(t, end):
        return Name("road", name, start, end)  # 新马路21号: a road so named (修了条新马路: no number, no road)
    if suffix == "公路" and s0 - start == 1 and t[start] not in _NOT_ONE_CHARACTER_ROAD and name not in vocab.not_names["road"]:
        return Name("road", name, start, end)  # 桓公路与齐兴路: 桓公 and 路, not a highway of one character
    if s0 - start < 2 or name in vocab.not_names["road"] or name.endswith(vocab.not_road_endings) \
            or BUS_ROUTE.fullmatch(name):
        return None
    if vocab.not_before.match(t, s0) and not vocab.suffix_re.match(t, end) and not _GLUED_PARTNER.match(t, end) \
            and not t.startswith(_CROSSING_UNDER, end):  # (黄河北路过街地下通道: 路过 is no verb here)
        return None
    if suffix in vocab.numbered:
        if s0 - start < 3 or not _LANE_NUMERAL.search(t, start, s0):
            return None  # 东四十条: a name, then the lane's number
        following = t[end:end + 1]
        if "\u4e00" <= following <= "\u9fff" and not vocab.numbered_followers.match(t, end) \
                and not (end in phrases and (_FIELD_LABEL.match(t, end) or _ESTATE_NEXT.match(t, end))):
            return None  # (问题地点：东四十条 / 问题描述：…: the field ends after the lane)
    if suffix in vocab.need_number and not t[end:end + 1].isdigit() \
            and not (suffix == "道" and s0 - start >= 3 and t[s0 - 1] in _ROAD_NUMERALS and not t.startswith("街", end)):
        return None  # (but 滨海二道, 滨海五道: a numbered avenue)
    if t.startswith("社区", end) or suffix == "街" and t.startswith("镇", end) and not t.startswith(("镇上", "镇里"), end):
        return None  # 三里街社区: a community named after its street; 沙河街镇: a town
    if lane := _NUMBERED_LANE_AFTER.match(t, end):
        return Name("road", t[start:lane.end()], start, lane.end())  # 鹅峰路二巷15号: the road's numbered lane
    if suffix == "大道" and _AVENUE_HALF.match(t, end):
        return Name("road", name + t[end], start, end + 1)  # 人民大道南56号: an avenue's named half
    return Name("road", name, start, end)


def _compound_name(vocab: Vocabulary, t: str, suffix: str, name: str, start: int, s0: int, end: int,
                   last: Name | None) -> Name | None:
    """A compound (estate, village) whose suffix starts at s0, a lane with house numbers
    (as a road), or None when the name goes on or is no place."""
    if name in vocab.not_names["compound"]:
        return None
    after_admin = last is not None and last.kind in ("district", "street") and last.end == start
    following = vocab.suffix_re.match(t, end)
    if suffix in vocab.need_context and (not after_admin and not _compound_context(vocab, t, end) or following
                                         and (vocab.kinds[following.group()] in ("compound", "street")
                                              or following.start() == end and vocab.kinds[following.group()] == "road")):
        return None  # 刘庄村, 和平里街道, 金沙区铁匠营胡同: the name goes on to its last suffix
    if after_admin and suffix in vocab.need_context and any(t[start:start + n] in vocab.streets for n in range(3, 9)):
        return None  # 禹城市十里望回族镇: a town of the table, named on past a suffix (十里)
    if vocab.not_compound_before.match(t, s0):
        return None  # 村民, 村干部: people, not the village
    if len(suffix) == 1 and suffix not in vocab.village_suffixes and vocab.road_goes_on.match(t, end) \
            and not PHASE.match(t, end):
        return None  # 天府三街: the name goes on to a road's suffix
    if m := PHASE.match(t, end):
        # 锦绣花园二期, 金穗花园南区: the phase or section is part of the name
        return Name("compound", estate_name(t[start:m.end()]), start, m.end())
    if suffix in vocab.lanes and NUMBER.match(t, end) and not _BUILDING_NUMBER.match(t, end):
        # 宝华里21号: a lane with house numbers (but 桑榆里3号楼后面: building 3 of an estate)
        return Name("road", t[start:end], start, end)
    return Name("compound", t[start:end], start, end)


def _compound_context(vocab: Vocabulary, t: str, end: int) -> bool:
    """Whether what follows a suffix that is an everyday word too (里, 城, 院, 庄 …) makes it
    a compound: a building, a gate, a house number, the village said again."""
    rest = t[end:end + 6]
    if t[end - 1] in vocab.village_suffixes and vocab.village_again.match(t, end):
        return True  # 李家庄的,庄西头: the village is spoken of again
    if _NUMBERED_HOUSE.match(rest) or vocab.context_followers.match(rest):
        return True
    # 阳光城的,我们5号楼: a building said right after it; 翡翠城的大门口, 丽水湾东边大门
    after = skip_soft(vocab, t, end)
    return bool(_NUMBERED_HOUSE.match(t, after) or vocab.context_followers.match(t, after)
                or vocab.gate_re.match(t, after))


def _landmark_name(vocab: Vocabulary, t: str, name: str, start: int, s0: int, end: int,
                   last: Name | None) -> Name | None:
    """A landmark whose suffix starts at s0, with a district or a bank said right before it
    taken in, or None."""
    if s0 - start < 2 and t[start:s0] not in vocab.own or name in vocab.not_names["landmark"] \
            or name.endswith(vocab.not_landmark_endings):
        return None
    if vocab.suffix_in_other_word.match(t, end - 1):
        return None  # 老人站不稳: the verb, not a station
    if name.endswith(("中学", "小学")) and t.startswith("生", end) and s0 - start >= 3:
        return None  # 东安一中学生家长: 一中's pupils, not a school named 东安一中学
    if last is not None and last.kind == "district" and last.end == start:
        return Name("landmark", t[last.start:end], last.start, end)  # 东安区人民医院
    if last is not None and last.kind == "landmark" and last.end == start \
            and name.endswith(vocab.branches) and not last.attached:
        return Name("landmark", t[last.start:end], last.start, end)  # 中国工商银行东四支行
    return Name("landmark", name, start, end)


# 八号线，八号线，叫……柏溪路站; 地铁，四号线，呃，叫什么站，槐序街站: the line said a pause before its station
_LINE_APART = re.compile(rf"({RAIL})?[,.]*({LINE_NUMBER})(?:[,.]*{LINE_NUMBER})?(?:[,.]*(?:叫什么站|叫啥站|叫|的|对))*[,.]*$")


def _without_city(vocab: Vocabulary, t: str, found: Name) -> Name:
    """A name without the city said before it (天津大光明桥, 成都天府大道, 青岛山东路): the city is
    not a part a dispatcher writes down. A name that is the city's own (北京路, 广州市场, 北京站东街)
    keeps it: what follows the city must be a name of its own, of three characters or more."""
    value = found.value
    for k in (2, 3, 4):
        rest = value[k:]
        if value[:k] not in vocab.city_short or len(rest) < 3 or rest.endswith(_CITY_OWN_KINDS) \
                or _part_of_the_name(vocab, rest):
            continue  # (苏州胡同公厕, 朝阳门内大街, 南京东路站: the city's name is the name's)
        if vocab.residence_end.search(t, max(0, found.start - 8), found.start):
            return found  # (我家住在合肥滨湖世纪城: where he lives is read as one name, and passed over)
        suffix = max((s for s in vocab.kinds if rest.endswith(s)), key=len, default="")
        if len(rest) - len(suffix) >= 2:
            return Name(found.kind, rest, found.start + k, found.end, attached=found.attached)
    return found


def _part_of_the_name(vocab: Vocabulary, rest: str) -> bool:
    """Does what follows a city or district said before a name make it part of the name (门内大街,
    东路站, 北路: not a name of its own)?"""
    return rest.startswith(_CITY_OWN) or any(rest.startswith(s, 0 if rest[0] not in _DIRECTIONS else 1)
                                             for s in vocab.kinds)


def _without_short_district(vocab: Vocabulary, found: Name,
                            phrases: frozenset[int] = frozenset()) -> tuple[Name | None, Name]:
    """A road with its district said short before it (涧西长安路 → 涧西区, 长安路): what follows
    the district must be a road's name of its own (not 朝阳门内大街, 中山北路) unless a pause
    parts them (芝罘 南大街); a town with its county or district said short before it (汝阳上店镇 →
    汝阳县, 上店镇), when the table holds the town."""
    value = found.value
    if found.kind == "street":  # 淮阴区码头镇 (码头 read as a wharf): the district in full, then its town
        for k in (3, 4, 5):
            if value[:k] in vocab.districts and value[k:] in vocab.streets:
                cut = found.start + k
                return Name("district", value[:k], found.start, cut), Name("street", value[k:], cut, found.end)
    for k in (2, 3):
        full, rest = vocab.district_short.get(value[:k]), value[k:]
        if full and found.kind == "road" and found.start + k in phrases and len(rest) >= 3:
            cut = found.start + k
            return Name("district", full, found.start, cut), Name("road", rest, cut, found.end)
        if full and found.kind == "street" and rest in vocab.streets and rest.endswith(("镇", "乡")) \
                and (len(rest) >= 3 or rest in vocab.towns_of(full)):  # (陵城滋镇: a town of two characters, of that county)
            # 汝阳上店镇 → 汝阳县, 上店镇 (a town; 新华街道 is no 新华区 and 街道)
            cut = found.start + k
            return Name("district", full, found.start, cut), Name("street", rest, cut, found.end)
        if found.kind == "street" or not full or _part_of_the_name(vocab, rest):
            continue
        suffix = max((s for s in vocab.road_suffixes if rest.endswith(s)), key=len, default="")
        if suffix and (len(rest) - len(suffix) >= 2 or suffix == "公路" and len(rest) == 3):  # (临淄桓公路: 桓公|路; not 东方|红大道)
            cut = found.start + k
            return Name("district", full, found.start, cut), Name("road", rest, cut, found.end)
    return None, found


_BEFORE_COUNTY = frozenset("是在住的")


def _county_before_name(vocab: Vocabulary, t: str, found: Name) -> tuple[Name | None, Name]:
    """An estate or landmark with its county or district said short before it, at the start of a
    phrase (廉江城南花园十栋, 吴川鉴江大桥, 霞山国贸公交站 → 廉江市, 城南花园): what follows must be
    a name of its own, not a kind (吴川大桥)."""
    if found.start > 0 and _CJK_NEXT.match(t, found.start - 1) and t[found.start - 1] not in _BEFORE_COUNTY:
        return None, found
    value = found.value
    for k in (3, 2):
        full, rest = vocab.district_short.get(value[:k]), value[k:]
        if not full or len(rest) < 3 or _part_of_the_name(vocab, rest) or not vocab.said_short_only(value[:k]) \
                or any(rest.startswith(bare) and name_of_its_own(vocab, rest[len(bare):]) for bare in vocab.bare_towns(full)):
            continue  # (龙湖春江郦城, 东湖明珠: a word many places are named with; 界炮水口村: its town, then the village)
        if found.kind == "landmark" and not rest.endswith((*vocab.bridges, *vocab.stations)):
            continue  # (芦淞服饰市场, 淮阴师范学院: an institution named after its district)
        suffix = max((s for s in vocab.kinds if rest.endswith(s) and s != rest), key=len, default="")
        if suffix and len(rest) - len(suffix) >= 2 and rest not in vocab.kinds:
            cut = found.start + k
            return Name("district", full, found.start, cut), Name(found.kind, rest, cut, found.end)
    return None, found


# a road's footbridge said as "there is one" right after the road (建国门北大街有个天桥, 贡院东街，有个过街的天桥)
_ROADS_FOOTBRIDGE = re.compile(r"[,\s]*(?:上)?有(?:个|一个|座|一座)(?:过街的|过街)?(?:人行)?天桥$")
_JUNCTION_CONNECTORS = ("跟", "和", "与", "同")
_JUNCTION_AFTER = re.compile("交叉|交汇|十字|丁字|路口|口")
_FIELD_LABEL = re.compile(r"[\u4e00-\u9fff]{2,6}:")
_AFFILIATED = re.compile("(?:第[一二三四五六七八九]|[一二三四五六七八九])?附属")
_CITY_OWN_KINDS = ("大学", "学院", "医院")  # 洛阳师范学院: a college named after its city keeps it
_CITY_OWN = ("市", "站", "南站", "北站", "东站", "西站", "大学", "门", "地铁", "轨道交通", "汽车", "火车", "客运", "高铁", "长途")
_DIRECTIONS = "东西南北中"


def _line_said_apart(t: str, found: Name) -> Name:
    m = _LINE_APART.search(t, max(0, found.start - 20), found.start)
    if m is None or m.end() - m.start() == len(m.group(1) or "") + len(m.group(2)):
        return found  # (said right before: _station_prefix has it)
    return Name("landmark", (m.group(1) or "") + m.group(2) + found.value, m.start(), found.end)


_CAR_PARK = "停车场"


def _without_car_park(vocab: Vocabulary, found: Name) -> Name:
    """东单体育中心停车场, 东安区人民医院停车场: the car park of a landmark named before it is a part
    of that landmark (passed over on the way to its side), not a landmark of its own."""
    base = found.value.removesuffix(_CAR_PARK)
    if found.kind != "landmark" or base == found.value or len(base) < 3 \
            or not any(vocab.kinds[k] == "landmark" for k in vocab.kinds_ending(base)):
        return found
    return Name("landmark", base, found.start, found.end - len(_CAR_PARK))


def _station_prefix(vocab: Vocabulary, t: str, start: int) -> int:
    """Where a station's name starts with its line said before it (地铁2号线人民广场站), and
    the city's metro with it (广州地铁3号线珠江新城站, 重庆轨道交通3号线观音桥站: the system's
    name, which labellers keep)."""
    m = _LINE_BEFORE.search(t, max(0, start - 9), start)
    if not m or not m.group():
        return start
    if not m.group()[0].isdigit():
        for k in (3, 2):
            city = t[max(0, m.start() - k):m.start()]
            if len(city) == k and (city in vocab.city_short or city[-1] == "市" and city[:-1] in vocab.city_short):
                return m.start() - k
    return m.start()


def without_aliases(t: str, names: list[Name]) -> list[Name]:
    """The names, less those said in brackets as another name of the one before."""
    spans = [m.span() for m in ALIAS.finditer(t) if m.start() > 0]
    if not spans:
        return names
    return [n for n in names if not any(s < n.start and n.end < e for s, e in spans)]
