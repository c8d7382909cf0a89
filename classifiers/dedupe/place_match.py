"""Whether two reports are at the same place, from their structured places
(classifiers.locate.places): the duplicate check's candidate keys when there is no grid and
no coordinates, and its veto when a detail both give differs (和平路18号 vs 81号, 解放路 vs
解放北路, building 3 vs 8, east vs west gate, on a footbridge vs under it).

`same_place(a, b)`:
* "same"        they share a road, junction, compound or landmark and agree on every detail
                both give (number, building, unit, gate, side, exit, stretch), with the same
                precision;
* "compatible"  as "same", but one is less precise (和平路 against 和平路18号; a road against
                a junction on it, or against a landmark named after it, 北山路农贸市场; a
                building against a building and unit; a landmark against the same one said
                after a house number, 华山路48号华山小学) — the vaguer second report of something;
* "different"   a detail both give differs, or both name a place of the same kind and the
                names differ;
* "unknown"     nothing to compare (one names no place, or they name places of different
                kinds, e.g. a compound and a road).
"""
from __future__ import annotations

import functools
import re

from pypinyin import lazy_pinyin
from rapidfuzz import fuzz

from classifiers.locate.place_reading.words import division_names
from classifiers.locate.places import (
    BRANDS,
    CITY_METRO,
    COMPOUND_SUFFIXES,
    GENERIC_LANDMARKS,
    LANDMARK_SUFFIXES,
    Place,
    station_key,
    stretch_end,
)
from classifiers.normalize import chinese_numeral

__all__ = ["place_keys", "same_place"]

DETAILS = ("number", "building", "unit", "gate", "exit", "stretch")
# What makes one report more precise than another about the same anchor.
PRECISION = ("number", "building", "unit", "exit", "gate")
_STATION_WORDS = re.compile(r"^地铁|(?:地铁)?\d{1,2}号线|地铁站$|公交车?站$|(?<![火汽])车站$|站$")
_BRIDGE_WORDS = re.compile(r"过街天桥|人行天桥")
# a road's unnamed underpass, however it is called (地下通道 = 过街地道 = 人行地道 = 下穿人行地道)
_PROJECT = re.compile(r"(?<=[\u4e00-\u9fff]{2})项目(?=工地$)")
_UNDERPASS_WORDS = re.compile(r"^(?:下穿)?(?:过街地道|人行地道|地下过街通道|地下人行通道|过街通道|人行通道|地下通道|地道)$")


_NAME_FIELDS = ("road", "cross_road", "compound", "landmark", "near")
_NUMERALS = re.compile(r"[零〇一二两三四五六七八九十百]+")
_NUMBER_IN_NAME = re.compile(r"[\d零〇一二两三四五六七八九十百]")


def _digits(name: str) -> str:
    """Numbers in a name as digits: 经二路 = 经2路, 锦溪二桥 = 锦溪2桥."""
    return _NUMERALS.sub(lambda m: str(v) if (v := chinese_numeral(m.group())) is not None else m.group(), name)


def _plain(place: Place | dict | None) -> dict:
    if not place:
        return {}
    p = place if isinstance(place, dict) else place.as_dict()
    office = p.get("landmark") or ""
    if office.endswith("站") and (metro := CITY_METRO.match(office)) and metro.end():
        # 九江地铁1号线甘棠湖站 = 地铁1号线甘棠湖站: the city's metro off before numbers are read (九 is no 9)
        p = {**p, "landmark": CITY_METRO.sub("", office)}
        office = p["landmark"]
    elif _CITY_BEFORE.match(office):  # 九江市第三中学 = 第三中学 (= 三中), likewise
        p = {**p, "landmark": _CITY_BEFORE.sub("", office)}
        office = p["landmark"]
    elif (owned := _OWNED_SCHOOL.match(office)) and owned.group(1) in _places_as_said():
        p = {**p, "landmark": owned.group(2)}  # 九江三中 = 三中, likewise
        office = p["landmark"]
    if not p.get("compound") and office.endswith(_VILLAGE_OFFICES) and len(office) > 4:
        # 王家庄村委会 = 王家庄村 + 村委会, as the reader takes 王家庄村村委会
        p = {**p, "compound": office[:-2], "landmark": office[-3:]}
    branch = None if p.get("road") else _BRANCH_ON_ROAD.match(office)
    if branch:  # 百汇便利店织锦路店 = 织锦路 + 百汇便利店, as 织锦路百汇便利店 says it
        p = {**p, "road": branch.group(2), "landmark": branch.group(1)}
    if not any(_NUMERALS.search(p.get(k) or "") for k in _NAME_FIELDS) \
            and not any(_NUMERALS.search(b) for b in p.get("between") or ()):
        return p
    p = {**p, **{k: _digits(p[k]) for k in _NAME_FIELDS if p.get(k)}}
    if p.get("between"):
        p["between"] = [_digits(b) for b in p["between"]]
    return p


_PHASE = re.compile(r"([零〇一二两三四五六七八九十]{1,3})(?=期|区)")
# A shop's branch named after its road (农业银行青年路支行, 永辉超市文化路店)
_BRANCH_ON_ROAD = re.compile(r"^(.{2,})([\u4e00-\u9fff]{2,3}(?:大街|大道|胡同|路|街|巷))(?:分店|店|支行|分行|营业厅)$")


_PHASE_END = re.compile(r"(?:\d{1,2}期(?:[A-Z东西南北中甲乙丙丁]区)?|[A-Z东西南北中甲乙丙丁\d]区)$")  # 3期, 3期C区, 南区
_WORKS_HOUSING = re.compile(r"^(.{2,})[厂局所](宿舍|家属院|家属区|大院|家属楼)$")
_NO_BRACKETS = str.maketrans("", "", "()（）")


def _compound_key(name: str) -> str:
    name = name.replace("邨", "村").translate(_NO_BRACKETS).upper()  # 祈福新邨 = 祈福新村; 三期(C区) = 三期C区
    if name.endswith(("屯村", "庄村")):  # 柳树屯村 = 柳树屯
        return name[:-1]
    # 凤凰城小区三期 = 凤凰城3期; 碧水湾小区中心花园 = 碧水湾中心花园
    name = _PHASE.sub(lambda m: str(chinese_numeral(m.group(1)) or m.group(1)), name)
    if name.endswith("社区") and len(name) > 4:  # 桑榆里社区 = 桑榆里: the estate the community is named after
        name = name[:-2]
    return name.replace("小区", "") if len(name) > 3 and name.replace("小区", "") else name


# Developers put their name before an estate's (龙湖春江郦城 = 春江郦城, 绿城桂花园 = 桂花园,
# 万科金域蓝湾 = 金域蓝湾): an estate is the same when one name is the other's with at least
# two characters before it, and the shorter still has three.
_MIN_ESTATE = 3
_MIN_PREFIX = 2


def _same_compound(a: str, b: str) -> bool:
    a, b = _compound_key(a), _compound_key(b)
    # 棉纺厂宿舍 = 棉纺宿舍, 电力局大院 = 电力大院: a works' housing said without 厂 / 局 (and
    # 水电八局宿舍 = 八局宿舍 as it is said)
    return _same_compound_key(a, b) or _same_compound_key(_without_works(a), _without_works(b)) \
        or _one_homophone(a, b)


def _one_homophone(a: str, b: str) -> bool:
    """灯心草家园 / 灯芯草家园: one character written as another that sounds the same (a typo,
    or speech recognition), in a name of four characters or more."""
    if len(a) != len(b) or len(a) < _MIN_HOMOPHONE_NAME:
        return False
    diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
    if len(diff) != 1 or a[diff[0]] in _SUFFIX_CHARACTERS or b[diff[0]] in _SUFFIX_CHARACTERS:
        return False  # (玉兰苑 / 玉兰园: two suffixes, two estates)
    return lazy_pinyin(a[diff[0]]) == lazy_pinyin(b[diff[0]])


_MIN_HOMOPHONE_NAME = 4
_SUFFIX_CHARACTERS = frozenset("".join(COMPOUND_SUFFIXES))


def _without_works(key: str) -> str:
    return _WORKS_HOUSING.sub(r"\1\2", key)


def _same_compound_key(a: str, b: str) -> bool:
    short, long_ = sorted((a, b), key=len)
    if a == b or (len(short) >= _MIN_ESTATE and len(long_) - len(short) >= _MIN_PREFIX
                  and long_.endswith(short)):
        return True
    if short + "村" == long_ and len(short) >= _MIN_ESTATE:
        return True  # 王家湾村 = 王家湾: a village said with or without 村
    if long_.startswith(short) and long_[len(short):] in _ESTATE_WORDS and len(short) >= _MIN_ESTATE \
            and _bare_core(short) != short:
        return True  # 翡翠湾花园 = 翡翠湾: a name that is an estate's already, said with 花园 or without
    # 恒泰花园小区三期 = 恒泰三期: one phase of an estate said by its bare name (but 玉兰苑二期
    # is not 玉兰园二期: two estates' names that differ only in their suffixes)
    pa, pb = _PHASE_END.search(a), _PHASE_END.search(b)
    if not (pa and pb and pa.group() == pb.group()):
        return False
    ca, cb = a[:pa.start()], b[:pb.start()]
    return _bare_core(ca) == _bare_core(cb) != "" and (ca == cb or _bare_core(ca) in (ca, cb))


_ESTATE_WORDS = frozenset({"花园", "家园", "新村", "公寓", "社区"})
# Places inside an estate that the place reader takes as part of its name (杏坛小区中心花园).
_IN_ESTATE = ("中心花园", "中心广场", "小花园", "花园", "广场", "停车场", "地下车库", "车库", "会所", "游乐场",
              "篮球场", "喷泉")


def _inside_estate(a: str, b: str) -> bool:
    """Is one the other estate with a place in it after its name (杏坛小区 / 杏坛小区中心花园;
    紫薇苑 / 紫薇苑小区中心花园, 翰林苑花园 / 翰林苑小区中心花园)?"""
    short, long_ = sorted((a, b), key=len)
    if short.endswith(("小区", "花园", "家园", "苑", "公寓", "新村")) and long_.startswith(short) \
            and long_[len(short):] in _IN_ESTATE:
        return True
    for x, y in ((a, b), (b, a)):
        estate = _estate_around(_compound_key(x))
        if estate and _compound_key(y) != _compound_key(x) and estate in (_compound_key(y), _bare_core(_compound_key(y))):
            return True
    return False


# A place inside an estate that only an estate has (not 花园 or 广场, which end estates' names too)
_ONLY_IN_ESTATE = tuple(sorted((w for w in _IN_ESTATE if w not in ("花园", "广场")), key=len, reverse=True))


def _estate_around(key: str) -> str:
    """The estate a place inside it is named after (紫薇苑中心花园 → 紫薇苑), or ""."""
    inner = next((w for w in _ONLY_IN_ESTATE if key.endswith(w)), "")
    return key[: -len(inner)] if inner and len(key) - len(inner) >= _MIN_ESTATE else ""


def _bare_of(a: str, b: str) -> bool:
    """Is one estate the other said by its bare name (金桥 / 金桥家园, 锦绣 / 锦绣花园)?"""
    ka, kb = _compound_key(a), _compound_key(b)
    # said with no suffix at all (旭日小区 is named with one: not 旭日花园小区's bare name)
    return any(len(x) >= _MIN_BARE_COMPOUND and _bare_core(raw) == raw == x != y and _bare_core(y) == x
               for raw, x, y in ((a, ka, kb), (b, kb, ka)))


def _phase_of(a: str, b: str) -> bool:
    """Is one estate a phase or section of the other (软件园B区 / 软件园, 恒泰花园三期 / 恒泰花园)?"""
    for x, y in ((a, b), (b, a)):
        kx, ky = _compound_key(x), _compound_key(y)
        phase = _PHASE_END.search(kx)
        if phase and phase.start() > 0 and not _PHASE_END.search(ky) and _same_compound(kx[:phase.start()], ky):
            return True
    return False


_MIN_BARE_COMPOUND = 2
_COMPOUND_SUFFIXES = sorted(COMPOUND_SUFFIXES, key=len, reverse=True)


def _bare_core(name: str) -> str:
    """An estate's name without its suffix (恒泰花园 → 恒泰), at least two characters."""
    for suffix in _COMPOUND_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= _MIN_BARE_COMPOUND:
            return name[: -len(suffix)]
    return name if len(name) >= _MIN_BARE_COMPOUND else ""


def _compound_names(name: str) -> list[str]:
    """The compound's key and the shorter names it may be said by (without a developer)."""
    key = _compound_key(name)
    names = [key] + [key[i:] for i in range(_MIN_PREFIX, len(key) - _MIN_ESTATE + 1)]
    phase = _PHASE_END.search(key)
    if phase and (core := _bare_core(key[:phase.start()])):
        names.append(core + phase.group())  # 恒泰花园3期: also 恒泰3期
        names.append(key[:phase.start()])  # and 恒泰花园, said without its phase
    bare = _bare_core(key)
    if bare and bare != key:
        names.append(bare)  # 金桥家园: also 金桥, its bare name
    if _without_works(key) != key:
        names.append(_without_works(key))  # 棉纺厂宿舍: also 棉纺宿舍
    if estate := _estate_around(key):
        names.append(estate)  # 紫薇苑中心花园: also 紫薇苑
    county = next((k for k in (4, 3, 2) if len(key) - k >= 2 and key[:k] in _districts_as_said()), 0)
    if county:
        names.append(key[county:])  # 宁阳金阳小区: also 金阳, said without its county
    return names


# Gates said two ways: the main gate is 大门 or 正门.
_GATE_SAME = {"大门": "正门"}
# Sides that do not tell two spots apart: at the gate, outside it, beside it. Any other two
# different sides do (上 / 下, 内 / 外, 东侧 / 西侧, 门口 / 对面).
_NEAR_SIDES = frozenset({"门口", "外", "旁"})
_BUILDING_NEAR_SIDES = _NEAR_SIDES | {"下"}
# Beside (旁) names no side: it agrees with any one compass side (幼儿园旁 / 幼儿园东侧).
_COMPASS_SIDES = frozenset({"东侧", "西侧", "南侧", "北侧"})
# Kinds of landmark said short or long, in turn: 城东菜场 = 城东菜市场 = 城东农贸市场 = 城东市场,
# 晴川大桥 = 晴川桥, 垃圾中转站 = 垃圾站, 火车桥 = 铁路桥.
_LANDMARK_SAME = (("农贸市场", "菜市场"), ("菜场", "菜市场"), ("菜市场", "市场"), ("公厕", "公共厕所"), ("大桥", "桥"),
                  ("垃圾中转站", "垃圾站"), ("火车桥", "铁路桥"))


# Sides that are never one spot, however much more one report says than the other (not the compass
# sides: 凤鸣路口往西一点的路东, 光荣路南头 … 路北边 — a way walked or a road's end read as a side).
_OPPOSITE_SIDES = ({"内", "外"}, {"上", "下"})
# Gates that are not the front one: "门口" alone means the front, not these (8号院门口 / 8号院后门).
_NOT_FRONT_GATES = frozenset({"后门", "侧门"})


def _front_and_back(a: dict, b: dict) -> bool:
    """One says at the gate (门口, no gate named), the other at a back or side gate."""
    return any(x.get("side") == "门口" and not x.get("gate") and y.get("gate") in _NOT_FRONT_GATES
               for x, y in ((a, b), (b, a)))


_VILLAGE_OFFICES = ("村委会",)
# A division's suffix said again by the office after it (白鹭镇镇政府, 王庄村村委会).
_SAID_TWICE = re.compile(r"([镇村乡区县街])\1")
_RANGE = re.compile(r"(\d+)-(\d+)")


def _is_range(number: str | None) -> bool:
    """41-45 (but 18-2 is house 18's second door, not a range)."""
    m = _RANGE.fullmatch(number or "")
    return bool(m) and int(m.group(1)) < int(m.group(2))


def _in_range(a: str, b: str) -> bool:
    """红星路41号 / 红星路41-45号: one number within the other's range."""
    for one, other in ((a, b), (b, a)):
        if one.isdigit() and _is_range(other):
            low, high = other.split("-")
            if int(low) <= int(one) <= int(high):
                return True
    return False


def _road_part(p: dict) -> str:
    """Which part of a road a place is, as a direction: its stretch (中段 → 中), or the side
    said of a road with nothing finer (滨河东路最东头 → 东)."""
    if p.get("stretch"):
        return p["stretch"][0]
    if p.get("road") and p.get("side") in _COMPASS_SIDES and not any(p.get(k) for k in _FINER_THAN_ROAD):
        return p["side"][0]
    return ""


_FINER_THAN_ROAD = ("number", "cross_road", "between", "compound", "building", "landmark")


def _road_parts_differ(a: dict, b: dict) -> bool:
    """青年大街中段 / 青年大街最南头, 望湖路最北头 / 望湖路南头: two parts of one road."""
    pa, pb = _road_part(a), _road_part(b)
    return bool(pa and pb and pa != pb)


def _detail(p: dict, k: str) -> str:
    value = p.get(k) or ""
    return _GATE_SAME.get(value, value) if k == "gate" else value


def _sides_differ(a: str, b: str, building: bool = False) -> bool:
    # (a compass side and on or under: 鹭江大桥北桥头 / 桥上 — the bridge's north end is on it)
    # Under a building is at its door and beside it (4栋楼下 / 4号楼门口 / 2号楼旁; 18号楼下 / 18号门口).
    near = _BUILDING_NEAR_SIDES if building else _NEAR_SIDES
    return bool(a and b and a != b and not (a in near and b in near)
                and {a, b} - _COMPASS_SIDES not in ({"旁"}, {"上"}, {"下"}))


# A chain's shortest name first: 永辉超市, 永辉 → 永辉; 瑞幸咖啡 → 瑞幸.
_BRANDS = sorted(BRANDS, key=len)
# What may follow a brand and still name the same shop: a landmark suffix, or the rest of a
# longer listed name of the brand (瑞幸 + 咖啡).
_BRAND_TAILS = LANDMARK_SUFFIXES | {b[len(a):] for a in BRANDS for b in BRANDS if b != a and b.startswith(a)}


def _brand(name: str) -> str:
    return next((b for b in _BRANDS if name.startswith(b)), "")


def _landmark_key(p: dict) -> str:
    """A landmark as it is indexed: as compared, a chain's shop by the chain alone."""
    name = _landmark_name(p)
    return _brand(name) or name


def _same_shop(a: str, b: str) -> bool:
    """永辉 / 永辉超市, 瑞幸 / 瑞幸咖啡: a chain's shop said with and without its kind (but
    永辉超市东四店 is not 永辉超市朝阳店)."""
    brand = _brand(a)
    if not brand or brand != _brand(b):
        return False
    tails = {a[len(brand):], b[len(brand):]} - {""}
    return len(tails) <= 1 and tails <= _BRAND_TAILS


# A landmark inside an estate, named with it (桃源小区中心广场, 清水湾社区篮球场).
_INNER_COMPOUND = re.compile(r"^(.{2,8}?(?:小区|社区))(.{2,})$")


def _landmark_name(p: dict) -> str:
    """A landmark as it is compared: stations without 地铁/line/站 (地铁2号线人民广场站 =
    人民广场地铁站 = 人民广场), footbridges as 天桥, an unnamed one (天桥, 公交站) only with
    its road."""
    name = p.get("landmark") or ""
    if not name:
        return ""
    generic = name in GENERIC_LANDMARKS
    name = _SAID_TWICE.sub(r"\1", name)  # 白鹭镇镇政府 = 白鹭镇政府, 王庄村村委会 = 王庄村委会
    for short, full in _LANDMARK_SAME:
        if name.endswith(short):
            name = name[: -len(short)] + full
    name = _BRIDGE_WORDS.sub("天桥", name)
    name = _UNDERPASS_WORDS.sub("地下通道", name)
    name = _PROJECT.sub("", name)  # 万和府项目工地 = 万和府工地
    if generic or name in GENERIC_LANDMARKS or name in ("天桥", "地下通道"):
        return f"{p['road']}{name}" if p.get("road") else ""
    if name.endswith("站"):
        name = _STATION_WORDS.sub("", station_key(name)) or name
    # 市儿童医院 = 儿童医院, 市二院 = 二院 (but 市政府, 市府, 市民中心 are names of their own)
    if name.startswith("市") and len(name) >= 3 and not name.startswith(("市政", "市府", "市民")):
        name = name[1:]
    name = _CITY_BEFORE.sub("", name)  # 澜州市枫渡医院 = 枫渡医院
    name = _TRIAL_SCHOOL.sub(lambda m: f"{m.group(1) or m.group(3)}实{m.group(2) or m.group(4)}", name)  # 第三实验小学 = 实验三小
    name = _NUMBERED_SCHOOL.sub(r"\1\2", name)  # 第三小学 = 三小, 第五十五中学 = 五十五中
    name = _NUMBERED_HOSPITAL.sub(r"\1医院", name)  # 第一人民医院 = 一医院 (市一医院), 第二医院 = 二医院
    m = _INNER_COMPOUND.match(name)  # 清水湾社区篮球场 = 清水湾篮球场
    return _compound_key(m.group(1)) + m.group(2) if m else name


# A school said short with its city or county (九江三中, 东安一中)
_OWNED_SCHOOL = re.compile(r"^([\u4e00-\u9fff]{2,3}?)([一二三四五六七八九十\d]{1,3}实?[中小])$")


@functools.cache
def _places_as_said() -> frozenset[str]:
    """The division table's cities, districts and counties, in full and short (九江市, 九江; 东河区, 东河)."""
    cities = division_names("cities")
    return _districts_as_said() | cities | {c[:-1] for c in cities if len(c) >= 3 and c.endswith("市")}


# A school by its number, said in full or short as callers do (第三小学 / 三小)
_NUMBERED_HOSPITAL = re.compile(r"^第?([一二三四五六七八九十\d]{1,2})(?:人民)?医院$")
_TRIAL_SCHOOL = re.compile(r"(?:第?([一二三四五六七八九十\d]{1,3})实验([小中])学|实验([一二三四五六七八九十\d]{1,3})([小中]))$")
_NUMBERED_SCHOOL = re.compile(r"第?([一二三四五六七八九十\d]{1,3})([小中])学$")
# A city's name before a landmark's (not 超市, 城市, 菜市, 夜市 … nor 市场, 市民, 市政, 市府)
_CITY_BEFORE = re.compile(r"^[\u4e00-\u9fff]{1,2}[^超城菜夜集门股黑早花鱼\W]市(?![场民政府])(?=[\u4e00-\u9fff\d]{3})")


# …or a village's or estate's place named with it (渡口村码头, 霞光里篮球场, 芦苇湾生态公园).
_INNER_PLACE = re.compile(r"^(.{2,6}?(?:小区|社区|新村|花园|家园|村|庄|屯|里|湾|苑))(.{2,})$")


def _inner_compound(p: dict) -> str:
    """The estate or village a landmark is named inside of, when no compound is said besides it."""
    m = None if p.get("compound") else _INNER_PLACE.match(p.get("landmark") or "")
    return m.group(1) if m else ""


_ROAD_IN_NAME = re.compile(r"(.{1,6}?(?:大道|大街|路|街))..")


def _road_of_landmark(p: dict) -> str:
    """The road a landmark is named after, when no road is said besides it (北山路农贸市场:
    北山路): a report at the road and one at the landmark may be about one spot."""
    if p.get("road") or not p.get("landmark"):
        return ""
    m = _ROAD_IN_NAME.match(p["landmark"])
    return m.group(1) if m else ""


def _ends(p: dict) -> list[str]:
    """A stretch's ends as compared: 蒲桥 (from 蒲桥路口) and 蒲桥路 (said with 中间) are one."""
    return sorted(stretch_end(end) for end in p["between"])


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
    elif p.get("road"):  # (a range of numbers is found as a road without one: 41-45 by 41)
        number = p.get("number")
        for road in _road_as_said(p):
            keys |= _fine_keys("road:" + road, None if _is_range(number) else number, query)
    if p.get("between"):
        keys.add("between:" + "|".join(_ends(p)))
    if p.get("compound"):
        for name in _compound_names(p["compound"]) + _compound_without_town(p):
            keys |= _fine_keys("compound:" + name, p.get("building"), query)
    landmark = _landmark_key(p)
    if landmark:
        keys.add("landmark:" + landmark)
        if len(landmark) >= _MIN_HEAD + _MIN_KIND:  # 芦汀公园 / 芦汀湿地公园: compared by same_place
            keys.add("landmark_head:" + landmark[:_MIN_HEAD])
        bare = _without_district(landmark)
        if bare:  # 东河区人民公园: found from 人民公园 too
            keys.add("landmark:" + bare)
        for full, short in _divisions_said(p):  # 沙河镇中心小学 (in 沙河镇): found from 中心小学 too
            prefix = full if landmark.startswith(full) else short if landmark.startswith(short) else ""
            if prefix and len(landmark) - len(prefix) >= 2:
                keys.add("landmark:" + landmark[len(prefix):])
    inner = _inner_compound(p)
    if inner:  # 桃源小区中心广场: found from 桃源小区 too
        keys |= _fine_keys("compound:" + _compound_key(inner), None, query)
    if p.get("near"):  # 光明路218号光明农贸市场: found from the landmark too
        keys.add("landmark:" + _landmark_key({"landmark": p["near"]}))
    named_after = _road_of_landmark(p)
    if named_after:
        keys |= _fine_keys("road:" + named_after, None, query)
    return keys


def _compound_without_town(p: dict) -> list[str]:
    """An estate said with its town before it (索镇红莲小区, 南麻河东小区): also its name alone, by the
    town either names or any town of the division table said bare."""
    key = _compound_key(p["compound"])
    said = [short for _, short in _divisions_said(p) if key.startswith(short)]
    said += [key[:k] for k in (3, 2) if key[:k] in _bare_towns()]
    return [key[len(short):] for short in said if len(key) - len(short) >= 2]


@functools.cache
def _bare_towns() -> frozenset[str]:
    """The division table's towns and street offices said bare (索镇, 南麻), two characters or more."""
    return frozenset(bare for name in division_names("streets")
                     if len(bare := _DIVISION_SUFFIX.sub("", name)) >= 2)


def _road_as_said(p: dict) -> set[str]:
    """A road's name, and said with or without its district, county or town before it (羊山新七大道 /
    羊山新区的新七大道, 城关小罗山路 / 小罗山路), as `same_place` compares roads."""
    road = p["road"]
    said = {road}
    bare = _without_district(road)
    if bare.endswith(_ROAD_SUFFIXES):
        said.add(bare)
    for full, short in _divisions_said(p):
        if road.startswith(short) and len(road) - len(short) >= 3:
            said.add(road[len(full) if road.startswith(full) else len(short):])
        elif full != _SEAT_TOWN:
            said.add(short + road)
    return said


_ROAD_SUFFIXES = ("路", "街", "大街", "大道", "巷", "胡同")


def _same_road_name(a: str, b: str) -> bool:
    """One road's name left once a division is taken off (not a bare 北路 or 东街)."""
    return a == b and len(a) >= 3


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
    if len(long_) == len(short) + 1 and "村" in long_ and long_.replace("村", "", 1) == short:
        return True  # 土门墩村菜市场 / 土门墩菜市场: the village's market said with 村 or without
    return len(short) >= 3 and (short in long_ or fuzz.partial_ratio(short, long_) >= 90) \
        and short[:2] == long_[:2]


_MIN_HEAD = 2
_MIN_KIND = 2
_MAX_INSERTED = 4


# Kinds of landmark a word before the kind does not make another one of (芦汀湿地公园 is
# 芦汀公园; but 聚福建材市场 is not 聚福市场, nor 人民中医院 人民医院).
_LOOSE_KINDS = ("公园", "小学", "中学", "幼儿园")
# …and the words that may be inserted: what kind of park or school, not another name
# (白鹭湖湿地公园 is not 白鹭公园; 实验一小 / 实验二小 are two schools).
_INSERTED_WORDS = frozenset({"湿地", "生态", "森林", "体育", "文化", "主题", "中心", "城市", "国际", "实验",
                             "遗址", "郊野", "滨江", "滨河", "滨湖", "湿地生态", "生态湿地", "儿童"})


def _word_inserted(a: str, b: str) -> bool:
    """Is one park or school the other with a word inserted before its kind (芦汀公园 /
    芦汀湿地公园)? Not when the word holds a number (实验一小 / 实验二小 are two schools)."""
    short, long_ = sorted((a, b), key=len)
    extra = len(long_) - len(short)
    if not 0 < extra <= _MAX_INSERTED or len(short) < _MIN_HEAD + _MIN_KIND or not short.endswith(_LOOSE_KINDS):
        return False
    for head in range(_MIN_HEAD, len(short) - _MIN_KIND + 1):
        if long_.startswith(short[:head]) and long_.endswith(short[head:]):
            word = long_[head:head + extra]
            # (霁虹路幼儿园 / 霁虹路霁虹幼儿园: a school named after the road it is on)
            return word in _INSERTED_WORDS or short.startswith(word)
    return False


_DIVISION_SUFFIX = re.compile(r"(?:街道|镇|乡|新区|区|县|市)$")
# A county's seat, which many counties call 城关镇 and their people 城关 (城关小罗山路 / 小罗山路)
_SEAT_TOWN = "城关镇"


def _divisions_said(*places: dict, digits: bool = False) -> list[tuple[str, str]]:
    """The districts and towns the places name, and a county's 城关, each in full and short (羊山新区,
    羊山); `digits`: numerals as digits, as names are compared."""
    out = []
    for full in {p.get(k) for p in places for k in ("street", "district")} - {None, ""} | {_SEAT_TOWN}:
        full = _digits(full) if digits else full
        short = _DIVISION_SUFFIX.sub("", full)
        if len(short) >= 2:
            out.append((full, short))
        if short.endswith("街") and len(short) >= 3:
            out.append((full, short[:-1]))  # 沙河街镇 said 沙河 (沙河中心小学)
    return out


def _division_said_before(x: str, y: str, a: dict, b: dict, same=str.__eq__) -> bool:
    """One name said with its district or town before it, or that said short, the other not:
    a district of the division table (东河区人民公园 / 人民公园, 青山万达广场 / 万达广场), a county's
    城关, or the district or town either report names (襄安老街小学 / 襄安镇的老街小学, 六郎镇中学 /
    六郎中学, 羊山新五大街 / 羊山新区的新五大街); `same`: how the names left are compared."""
    short, long_ = sorted((x, y), key=len)
    bare = _without_district(long_) if len(short) >= 3 else ""
    if bare and same(bare, short):
        # (陵城区…东关小学 / 临邑东关小学: the other county's school of that name)
        said = long_[:len(long_) - len(bare)]
        other = (a if long_ == y else b).get("district") or ""
        if not other or other.startswith(said) or said.startswith(other) or said == _SEAT_TOWN[:-1]:
            return True
    for full, short in _divisions_said(a, b, digits=True):  # (as the landmark's name is compared: 六郎镇 → 6郎镇)
        said = [n[len(full):] if n.startswith(full) else n[len(short):] if n.startswith(short) else n for n in (x, y)]
        if said != [x, y] and len(said[0]) >= 2 and len(said[1]) >= 2 and same(said[0], said[1]):  # (中学: the town's own school)
            return True
    return False


@functools.cache
def _districts_as_said() -> frozenset[str]:
    """The division table's districts, counties and county-level cities, in full and short (东河区, 东河)."""
    areas = division_names("areas")
    return frozenset(areas | {a[:-1] for a in areas if len(a) >= 3 and a[-1] in "区县市"})


def _without_district(name: str) -> str:
    """The landmark's name without a district said before it ("" when none is)."""
    return next((name[k:] for k in (4, 3, 2) if len(name) - k >= 3 and name[:k] in _districts_as_said()), "")


def _with_road(p: dict, name: str) -> tuple[str, ...]:
    """A landmark's name, and with its road before it when said apart (桤木路 + 实验小学)."""
    road = p.get("road") or ""
    return (name, road + name) if road and not name.startswith(road) else (name,)


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
        if a["road"] != b["road"] and not _division_said_before(a["road"], b["road"], a, b, _same_road_name):
            return "different"
        anchors += 1
    else:  # 北山路 / 北山路农贸市场: the road, and a landmark on it named after it
        ra, rb = a.get("road") or _road_of_landmark(a), b.get("road") or _road_of_landmark(b)
        if ra and ra == rb and bool(a.get("landmark")) != bool(b.get("landmark")):
            partial = True
    if a.get("compound") and b.get("compound"):
        if _same_compound(a["compound"], b["compound"]):
            anchors += 1
        elif _division_said_before(a["compound"], b["compound"], a, b, _same_compound):
            anchors += 1  # 光山龙山小区 / 光山县的龙山小区: the estate said with its county
        elif _phase_of(a["compound"], b["compound"]) or _bare_of(a["compound"], b["compound"]) \
                or _inside_estate(a["compound"], b["compound"]):
            # 软件园B区5号楼 / 软件园, 金桥7栋 / 金桥家园7号楼: the estate said more loosely;
            # 杏坛小区 / 杏坛小区中心花园: the estate, and a place in it
            partial = True
        else:
            return "different"
    elif (a.get("compound") or b.get("compound")) and (inner := _inner_compound(b if a.get("compound") else a)):
        # 桃源小区 / 桃源小区中心广场: the estate, and a place in it
        partial = partial or _same_compound(a.get("compound") or b["compound"], inner)
    la, lb = _landmark_name(a), _landmark_name(b)
    if la and lb:
        if _similar_names(la, lb) or _same_shop(la, lb) or _division_said_before(la, lb, a, b):
            anchors += 1
        elif any(_word_inserted(x, y) for x in _with_road(a, la) for y in _with_road(b, lb)):
            partial = True  # 芦汀公园 / 芦汀湿地公园, 桤木路小学 / 桤木路实验小学: said more loosely
        else:
            return "different"
    elif la or lb:  # 华山路48号华山小学门口 / 华山小学门口: the landmark said after the number
        near = _landmark_name({"landmark": (b if la else a).get("near", "")})
        if near and (_similar_names(la or lb, near) or _same_shop(la or lb, near)):
            partial = True
    if a.get("between") and b.get("between"):
        if _ends(a) != _ends(b):
            return "different"
        anchors += 1
    if not anchors and not partial:
        return "unknown"
    for k in DETAILS:
        if _detail(a, k) and _detail(b, k) and _detail(a, k) != _detail(b, k) \
                and not (k == "number" and _in_range(_detail(a, k), _detail(b, k))):
            return "different"
    if _front_and_back(a, b) or _road_parts_differ(a, b):
        return "different"
    vaguer = partial or any(bool(a.get(k)) != bool(b.get(k)) for k in PRECISION)
    # A side is said of the finest part named: 12号楼东边 and 小区里头 are not sides of one thing.
    building = bool(a.get("building") and b.get("building") or a.get("number") and b.get("number")) \
        and not (a.get("landmark") or b.get("landmark"))
    if not vaguer and _sides_differ(a.get("side") or "", b.get("side") or "", building):
        return "different"
    if {a.get("side"), b.get("side")} in _OPPOSITE_SIDES:
        return "different"  # (鑫源农贸市场正门外头 / 市场里头卖鱼那一排: however vaguer one is, inside is not outside)
    return "compatible" if vaguer else "same"


# A vaguer report may say a place's name bare, which the place reader cannot take for a place
# (青桐南门那塌了个洞 for 青桐小区南门外, 霁月湾那个 for 霁月湾小区, 玫瑰湾喷泉 for 玫瑰湾社区文化广场):
# an estate's or village's name without its suffix or phase (`_bare_core`); a landmark's
# first three characters or more.
_MIN_BARE_LANDMARK = 3
_MIN_BARE_ROAD = 3  # (金鱼塘路 said 金鱼塘那边)
_ROAD_END = re.compile(r"(?:[东西南北中]?(?:路|街|大街|大道|巷))$")


def named_bare(place: Place | dict | None, said: str) -> bool:
    """Does `said` (a report's normalised text, in which no place was read) say `place`'s
    estate, village or landmark by its bare name?"""
    p = _plain(place)
    compound = p.get("compound") or ""
    if compound:
        key = _compound_key(compound)
        core = _bare_core(_PHASE_END.sub("", key) or key)  # 锦绣花城3期: 锦绣花城 said alone
        if core and core in said:
            return True
    road = p.get("road") or ""
    core = _ROAD_END.sub("", road)
    if len(core) >= _MIN_BARE_ROAD and core != road and core in said:
        return True  # 金鱼塘路 said 金鱼塘那边
    landmark = p.get("landmark") or ""
    return (len(landmark) >= _MIN_BARE_LANDMARK and landmark not in GENERIC_LANDMARKS
            and landmark[:_MIN_BARE_LANDMARK] in said)
