"""Place extraction that needs no registry: the place phrase a dispatcher would write down,
as a structured place (docs/places.md), from any text.

    extract_place("和平路十八号门口的井盖没了") ->
        Place(road="和平路", number="18", side="门口", text="和平路18号门口")

A real city's registry never holds every shop, gate and stretch of road citizens name, so
the place is read from the words themselves, in two steps:

1. Names. Every road, compound, landmark, district and street named in the text, found by
   its suffix (路, 胡同, 小区, 村, 超市, 地铁站, 街道 …) with the name read backwards from
   it up to a word that cannot be part of a name (住在, 反映, 那家 …). A bare suffix right
   after a name takes the name in (和平路 + 小区 → the compound 和平路小区, 东安区 + 人民医院
   → the hospital 东安区人民医院), except for the unnamed things that belong to what is
   before them (长江路 + 天桥, 后营村 + 村委会). Two roads and a junction word make a
   junction; "从A到B之间" a stretch between two points.
2. The place. From the first name on, the text is read forward as long as it says more
   about that place: house number, building, unit, gate, exit, stretch, side, in that
   order, passing over what a caller says in between (对, 我们, a repeated name, a date,
   a phone number, "不是15号", "礼貌的礼"). The first thing that is about something else
   ends the place. Numbers only count where they are expected, so dates, times, phone
   numbers, floors and counts never become house numbers.

The vocabulary (suffixes, words that are not names, fillers, side words) is data:
classifiers/data/place_words.toml, checked when it is loaded. No I/O after loading, no
registry; a few dozen regular expressions, well under a millisecond a report.
"""
from __future__ import annotations

import functools
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from classifiers.datafile import read_toml
from classifiers.normalize import chinese_numeral, normalize

__all__ = ["BRANDS", "GENERIC_LANDMARKS", "LANDMARK_SUFFIXES", "Place", "PlaceReader", "PlaceWords", "PlaceWordsError", "extract_place",
           "load_place_words"]

DATA = Path(__file__).resolve().parents[1] / "data"
GAZETTEER = DATA / "gazetteer"
WORDS_PATH = DATA / "place_words.toml"
SIDE_VALUES = ("东侧", "西侧", "南侧", "北侧", "对面", "上", "下", "门口", "旁", "内", "外")
CJK = "\u4e00-\u9fff"
MAX_WORD = 12
WINDOW = 80  # characters read after the first name before the place is looked at

# -- the vocabulary file ----------------------------------------------------------------------

# section → key → "list" (of words), "str" or "map" (word → word); every key is required.
_SCHEMA: dict[str, dict[str, str]] = {
    "names": {"boundaries": "list", "connectors": "list", "vague": "list"},
    "roads": {"suffixes": "list", "numbered": "list", "need_number": "list", "numbered_followers": "list",
              "not_before": "list", "not_names": "list", "not_endings": "list"},
    "compounds": {"suffixes": "list", "need_context": "list", "context_followers": "list", "not_before": "list",
                  "not_names": "list", "lanes": "list"},
    "landmarks": {"suffixes": "list", "footbridges": "list", "footbridge": "str", "road_bridges": "list",
                  "attached": "list",
                  "stations": "list", "not_stations": "list", "generic": "list", "not_names": "list",
                  "parts": "list", "bridges": "list", "not_endings": "list", "brands": "list",
                  "verb_after_station": "list", "branches": "list"},
    "admin": {"district_suffixes": "list", "street_suffixes": "list", "own": "list", "not_streets": "list",
              "not_districts": "list"},
    "phrases": {"fillers": "list", "roles": "list", "back_references": "list", "corrections": "list",
                "junctions": "list", "between_ends": "list", "descriptions": "list", "not_sides": "list",
                "residence": "list", "turns": "list", "not_here": "list", "misheard": "map"},
    "gates": {"directions": "list", "named": "list", "undirected": "list"},
    "directions": {"words": "list", "endings": "list", "village_suffixes": "list"},
}


class PlaceWordsError(ValueError):
    """The vocabulary file is missing or invalid; the message names the file, key and problem."""


@dataclass(frozen=True)
class PlaceWords:
    """The checked vocabulary: `sections[section][key]` as in the file; `sides` maps each
    side value to its words."""

    sections: dict[str, dict[str, Any]]
    sides: dict[str, tuple[str, ...]]
    source: str = "<place words>"

    def __getitem__(self, key: str) -> Any:
        section, name = key.split(".")
        return self.sections[section][name]


def load_place_words(path: str | Path | None = None) -> PlaceWords:
    """Read and check the vocabulary file (default: classifiers/data/place_words.toml)."""
    p = Path(path) if path is not None else WORDS_PATH
    return parse_place_words(read_toml(p, PlaceWordsError, "place vocabulary"), str(p))


def parse_place_words(data: dict[str, Any], source: str = "<place words>") -> PlaceWords:
    unknown = set(data) - set(_SCHEMA) - {"sides"}
    if unknown:
        raise PlaceWordsError(f"{source}: unknown section(s) {sorted(unknown)}; "
                              f"expected {sorted([*_SCHEMA, 'sides'])}")
    sections: dict[str, dict[str, Any]] = {}
    for section, keys in _SCHEMA.items():
        table = data.get(section)
        if not isinstance(table, dict):
            raise PlaceWordsError(f"{source}: [{section}]: missing section")
        extra = set(table) - set(keys)
        if extra:
            raise PlaceWordsError(f"{source}: [{section}]: unknown key(s) {sorted(extra)}; allowed: {', '.join(keys)}")
        out: dict[str, Any] = {}
        for key, kind in keys.items():
            where = f"{source}: [{section}].{key}"
            if key not in table:
                raise PlaceWordsError(f"{where}: missing")
            value = table[key]
            out[key] = (_checked_word(value, where) if kind == "str" else _checked_map(value, where) if kind == "map"
                        else _checked_words(value, where))
        sections[section] = out
    sides_table = data.get("sides")
    if not isinstance(sides_table, dict):
        raise PlaceWordsError(f"{source}: [sides]: missing section")
    sides: dict[str, tuple[str, ...]] = {}
    for value, words in sides_table.items():
        if value not in SIDE_VALUES:
            raise PlaceWordsError(f"{source}: [sides].{value}: not a side value of docs/places.md "
                                  f"(one of {', '.join(SIDE_VALUES)})")
        sides[value] = _checked_words(words, f"{source}: [sides].{value}")
    for key in ("landmarks.footbridges", "landmarks.road_bridges", "landmarks.attached"):
        section, name = key.split(".")
        missing = [w for w in sections[section][name] if w not in sections["landmarks"]["suffixes"]]
        if missing:
            raise PlaceWordsError(f"{source}: [{section}].{name}: {missing} not in [landmarks].suffixes")
    for key in ("roads.numbered", "roads.need_number"):
        section, name = key.split(".")
        missing = [w for w in sections[section][name] if w not in sections["roads"]["suffixes"]]
        if missing:
            raise PlaceWordsError(f"{source}: [{section}].{name}: {missing} not in [roads].suffixes")
    return PlaceWords(sections, sides, source)


def _checked_word(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PlaceWordsError(f"{where}: must be a non-empty string")
    if len(value) > MAX_WORD:
        raise PlaceWordsError(f"{where}: {value!r} is longer than {MAX_WORD} characters")
    return value


def _checked_words(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise PlaceWordsError(f"{where}: must be a list of words")
    for i, word in enumerate(value):
        _checked_word(word, f"{where}[{i}]")
        if word in value[:i]:
            raise PlaceWordsError(f"{where}[{i}]: {word!r} is given twice")
    return tuple(value)


def _checked_map(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise PlaceWordsError(f"{where}: must be a table of words, each = the word meant")
    for heard, meant in value.items():
        _checked_word(heard, f"{where}: key")
        _checked_word(meant, f"{where}.{heard}")
    return dict(value)


# -- the structured place -----------------------------------------------------------------------


@dataclass
class Place:
    """A place as a dispatcher writes it down (see docs/places.md). Empty fields were not said."""

    district: str = ""
    street: str = ""
    road: str = ""
    number: str = ""
    cross_road: str = ""
    between: list[str] = field(default_factory=list)
    stretch: str = ""
    compound: str = ""
    building: str = ""
    unit: str = ""
    gate: str = ""
    landmark: str = ""
    exit: str = ""
    side: str = ""
    # A landmark said right after a house number (光明路218号光明农贸市场南门口): a dispatcher
    # writes down the road and number, but a neighbour may name only the landmark.
    near: str = ""
    text: str = ""  # the citizen's own words for it

    def as_dict(self) -> dict:
        """The fields that were said (the work order's `location.place`)."""
        return {k: v for k, v in asdict(self).items() if v}

    def respell(self, spellings: dict[str, str]) -> None:
        """Names as the registry spells them, where the citizen's words were a homophone of
        one (东寺六条 → 东四六条); `text` keeps the citizen's words."""
        def fixed(value: str) -> str:
            for said, meant in spellings.items():
                if said and said in value:
                    value = value.replace(said, meant)
            return value
        for key in ("road", "cross_road", "compound", "landmark", "near"):
            setattr(self, key, fixed(getattr(self, key)))
        self.between = [fixed(end) for end in self.between]

    @property
    def precision(self) -> str:
        """"spot" (enough to send someone to), "road" (a road or compound alone, which can
        be long or large), "area" (a district or street alone)."""
        if self.number or self.cross_road or self.between or self.landmark or self.building or self.gate \
                or self.stretch or (self.compound and self.side):
            return "spot"
        if self.road or self.compound:
            return "road"
        return "area"

    @property
    def specific(self) -> bool:
        """Enough to send someone: more than a district or street alone."""
        return bool(self.road or self.compound or self.landmark or self.between or self.cross_road)

    def label(self) -> str:
        """A short address for the work order, from the structured parts."""
        parts = [self.district, self.street]
        if self.between:
            parts.append(f"{self.road}{self.between[0]}至{self.between[1]}之间")
        elif self.cross_road:
            parts.append(f"{self.road}与{self.cross_road}交叉口")
        else:
            parts.append(self.road + (f"{self.number}号" if self.number else "") + self.stretch)
        parts.append(self.compound + (f"{self.building}号楼" if self.building else "")
                     + (f"{self.unit}单元" if self.unit else ""))
        parts.append(self.landmark + (f"{self.exit}口" if self.exit else ""))
        parts.append(self.gate)
        return "".join(p for p in parts if p) + self.side


@dataclass
class _Name:
    """A name found in the text: kind is district, street, road, compound, landmark,
    junction (value and cross) or between (ends)."""

    kind: str
    value: str
    start: int
    end: int
    cross: str = ""
    ends: tuple[str, ...] = ()
    attached: bool = False  # an unnamed 天桥/村委会 that belongs to what precedes it


_NUM = "[零〇一幺二两三四五六七八九十百]+"
# Spoken numbers before the words that count: 十八号 → 18号, 五号楼 → 5号楼, 二号线 → 2号线.
_SPOKEN_NUMBER = re.compile(rf"({_NUM})(?=号|栋|幢|单元|座|楼(?![下上道顶前后梯房里])|出口|口(?![子气]))")
# Another name said in brackets right after a name (永济桥（老石桥）, 红旗路（老207国道）)
# (but not a stretch, a position or an address said in brackets: 学府路（育才街至文化路段）,
# 芦荻桥以西约100米, 金樽KTV（滨江路103号）, 桂馥路58号（老红光电影院门口）)
_ALIAS = re.compile(rf"\s*\((?![^)]*(?:至|到|段|之间|以[东西南北]|约|米|附近|旁|对面|侧|号|门口|门前|边))[{CJK}\w]{{1,12}}\)")
_PUNCT = re.compile(r"[\s,.;:!?~\"'\[\]()\-/、]+")
_PUNCT_RUN = re.compile(r"的?[\s,.;:!?~、]+")  # 东安区的，东安区: a pause between a name and itself
# 18号, 18号院, 9号楼下 (below No. 9); not 18号楼 (a building), 2号线, 4号口.
_BUILDING_NUMBER = re.compile(r"[甲乙丙]?\d{1,5}号楼")
_NUMBER = re.compile(r"[甲乙丙]?(\d{1,5}(?:-\d{1,4})?)号(?:院儿?|院子)?(?!楼(?![下上道顶前后])|线|口|栋)")
_LANE = re.compile(r"\d{1,4}(?:弄|巷)")  # 长乐路123弄5号: the lane, then the house
_FLAT = re.compile(r"(?:我家)?(?:门牌号?是?)?\d{3,4}(?:室|房|号房|户)?(?!\d)")
_BUILDING = re.compile(r"第?(\d{1,3})(?:号楼|栋|幢|座|#|号(?=\d{1,2}单元))(?:楼(?![下上道顶前后梯里]))?")
_UNIT = re.compile(r"(\d{1,2})单元")
_EXIT = re.compile(r"([A-Za-z]\d?|\d{1,2}|[东西][南北]|[东西南北])号?(?:出入口|出口|口)")  # A口, 2号口, 东南口
_STRETCH = re.compile(r"(东|西|南|北|中)段|中间(?:那|这)?一?段")  # 中间那一段: 中段
_HEADING = re.compile(r"(?:由|从|自)?[东南西北]向[东南西北](?:方向|行驶方向)?(?:的)?")  # 由东向西方向
_SECTION = re.compile(r"[一二三四五六七八九十]段(?!时间|日子|路)")
_ROAD_BUILDING = re.compile(r"(\d{1,5})号楼")
_FLOOR = re.compile(r"\d{1,2}(?:楼|层)(?![下道])|顶楼|顶层")
_SPOKEN_DIGITS = re.compile(r"[零〇幺一二两三四五六七八九十百]{2,8}(?=[\s,.;:!?]|$)")
_DATE = re.compile(r"(?:从|就是|是|在)?(?:(?:今年|去年)?\d{1,2}月(?:\d{1,2}[号日])?|(?:上个?月|这个?月|本月)\d{1,2}[号日])"
                   r"(?:那天|那日|那会儿|晚上|早上|上午|下午)?(?:起|开始|以来)?")
_TIME = re.compile(r"(?:早上|上午|中午|下午|晚上|凌晨|半夜)?\d{1,2}点(?:\d{1,2}分?|半|多)?(?:左右)?")
_PHONE = re.compile(r"(?:你们记一下)?(?:我的?)?(?:联系)?(?:电话|手机)(?:号码|号)?(?:是|:)?"
                    r"(?:[\d\-零〇幺一二三四五六七八九]+(?![\d\-零〇幺一二三四五六七八九号栋幢单])[,\s]*)*")
_DENIAL = re.compile(r"不是[^,.;!?]{1,12}")
_SPELLED = re.compile(rf"[{CJK}]{{1,3}}的([{CJK}]{{1,2}})(?=[\s,.;:!?]|$)")
_PLAUSIBLE_STREET = re.compile(rf"[{CJK}]{{2,4}}(?:街道|镇|乡)")
_ADMIN_ALONE = re.compile(r"(?:的)?(?:那边|这边|那块|这块|一带|那一块|这一块|这片|那片|这一片|那一片|辖区)|的(?=[\s,.;:!?])")
_VILLAGE_AFTER = re.compile(rf"[{CJK}]{{1,4}}村")
_COMMUNITY = re.compile(rf"[{CJK}]{{1,6}}社区")
_PROBLEM_LABEL = re.compile("问题|诉求|内容|情况|描述|事项|事由|反映")
_FORM_LABEL = re.compile(rf"[{CJK}]{{1,4}}:")  # 问题: …
_LINE = re.compile(r"(?:地铁)?(?:\d{1,2}号线)?")  # 地铁2号线人民广场站: the line before a station
_LINE_BEFORE = re.compile(r"(?:地铁)?(?:\d{1,2}号线)?$")
_BUS_AFTER = re.compile(r"车|公交|线|口公交")  # 2路车, 2路公交: a bus route, not a road
_BUS_BEFORE = ("公交", "坐", "乘", "搭", "趟")  # 公交2路, 坐2路: likewise
# An estate's phase or section is part of its name: 锦绣花园二期, 金穗花园南区, 嘉禾苑三期（C区）
_ESTATE_SECTION = r"[A-Za-z东西南北中]区(?!域)"
_PHASE = re.compile(rf"[一二三四五六七八九十\d]{{1,2}}期(?:{_ESTATE_SECTION}|[（(]{_ESTATE_SECTION}[）)])?|{_ESTATE_SECTION}")
_SECTION_LETTER = re.compile(r"[（(]?([a-z])区[）)]?")  # (c区) as normalised text has it
_LANE_NUMERAL = re.compile("[一二三四五六七八九十头]$")
_STRETCH_AFTER = re.compile(r"(?:那一段|这一段|那段|这段|一段|那一截|这一截|那截|这截|一截)")
_END_OF_ROAD = re.compile(r"(?:那头|这头|尽头)")
_FIELD_GATE = re.compile(rf"(?:地址|地点|位置):([{CJK}]{{2,6}}?)(?=[东西南北]{{1,2}}(?:大)?门|正门|后门|侧门)")
# 地址：翡翠湾 / 地址是……水岸星城: a bare name as the whole of an address field
_FIELD_NAME = re.compile(rf"(?:地址|地点|位置)(?:是|在)?[:.\s]*([{CJK}]{{2,8}})")
_FIELD_LABEL = re.compile(r"内容|问题|标题|描述|时间|诉求|情况")
# 具体位置在… / 内容：具体在…: the place said more precisely, right after it was named
_MORE_PRECISELY = re.compile(r"[.,]?(?:(?:内容|描述|问题描述|情况|诉求):)?具体(?:(?:位置|地点|地址|方位)(?:在|是|为|:)?|在|是)")
# A form's address field: the place it names is the problem's, whatever the title said before
# it (标题：烧烤店油烟熏人 地址：砚池路88号老秦家烧烤)
_ADDRESS_FIELD = re.compile(r"(?:事发|问题)?(?:地址|地点|位置):")
# 致枫岭区政府：…, 致岚溪区农业农村局：: whom a letter is addressed to, not a place
_ADDRESSEE = re.compile(rf"^(?:致|尊敬的)[{CJK}]{{2,16}}?:")
# How far after a correction word the corrected house number may come (不对不对，不是十八号，是十六号).
_CORRECTION_REACH = 16
_CJK_OR_PUNCT = re.compile(rf"[{CJK}\d,.;:!?\s]*")
# 长青路地铁A出口: the station named after the road, said without 站
_METRO_AFTER_ROAD = re.compile(r"(?<=[路街道])地铁(?=[a-z]?\d{0,2}号?(?:出入口|出口|口))")
# 柳岸西大门, 盛世南门道闸故障: a short bare name and a gate at the start of a phrase
_GATE_WORD = re.compile(r"[东西南北]{1,2}(?:边|面)?大?门|正门|后门|侧门")
_BARE_GATE = re.compile(rf"([{CJK}]{{2,4}}?)(?={_GATE_WORD.pattern})")
_PHRASE_END = frozenset(" \t\n,.;:!?()[]\"'~-")
_PHASE_AHEAD = re.compile(r"(?<=[\u4e00-\u9fff])[一二三四五六七八九十\d]期(?!工程|项目|间|限|刊)")
_BUILDING_AHEAD = re.compile(r"(?<=[\u4e00-\u9fffA-Za-z0-9 ])\d{1,3}(?:号楼|栋|幢|#)")
_NUMBERED_HOUSE = re.compile(r"\d{1,3}(?:号楼|栋|幢|号)")
_JUNCTION_GAP = re.compile(r"^[东西南北]口|就是|[,、 ]")
_BEFORE_JUNCTION = re.compile(r",?的?(?:那个|这个)?")  # (跟朝阳门南小街，交汇那块)
_TURN = re.compile(r"(?:拐|转)(?:弯)?(?:的)?(?:路口|口)")
_CJK_RUN = re.compile(f"[{CJK}]+")
# 我住在礼士胡同那边。史家胡同24号对面…: the sentence about one's home ends, the problem's place follows
_SENTENCE_AFTER = re.compile(rf"[{CJK}]{{0,4}}[.!?;]")
_SHORT_NAME = re.compile(rf"[{CJK}]{{2,8}}(?=[,.\s])")
_OFFICE = re.compile(r"(办事处|办)$")
_BUILDING_AGAIN = re.compile(r"(\d{1,3})(?:号楼|号|栋|幢)(?!\d)")
_TO = re.compile(r"到|至|(?<=[\u4e00-\u9fff])[-—](?=[\u4e00-\u9fff])")  # (北竹竿胡同口—大方家胡同口段)
_BRIDGE_HEAD = re.compile(r"([东西南北])桥头|桥([东西南北])头")  # 东桥头, 桥西头
_GABLE = re.compile(r"([东西南北])(?:山墙|墙)")
_CAMPUS = re.compile(r"[东西南北中新老本]?(?:校区|院区|分校|分院)")
# What makes a place more than a name; how far after it the name may be said again with them.
_DETAILS = ("number", "cross_road", "between", "stretch", "building", "unit", "gate", "exit", "side")
_SAID_AGAIN_REACH = 40
_NOT_HERE_REACH = 90  # how far after where the caller lives "not here" may be said
_LANE_END = re.compile(r"([东西南北])口(?![a-z\d])")
_LEFT_END_FILL = re.compile(r"(?:(?:往|向)[东西南北]走?|进来|出来|进去|过来)?[,\s]*(?:一直)?走?[,\s]*$")
_RIGHT_START_FILL = re.compile(r"[,\s]*(?:到[,\s]*)?")
_BARE_JUNCTION_END = re.compile(rf"([{CJK}]{{1,8}}?(?:大道|大街|胡同|路|街|巷|道))口")
_THING_NEAR = re.compile(rf"([{CJK}]{{2,4}}?)(?:旁边儿?|附近|边上)")
_COUNTERS = set("点号日月年时分岁块元米区县市省镇乡路线")


class PlaceReader:
    """Reads places from text. `districts`/`streets`: the division table's names (national
    or one city's), so that "朝阳区" and "和平街道" are recognised as such; `words`: the
    vocabulary (default: classifiers/data/place_words.toml)."""

    def __init__(self, districts: set[str] | None = None, streets: set[str] | None = None,
                 words: PlaceWords | None = None):
        self.districts = districts if districts is not None else _load_names("areas")
        self.streets = streets if streets is not None else _load_names("streets")
        self.words = w = words if words is not None else _bundled_words()
        boundaries = w["names.boundaries"]
        self._single_boundaries = {b for b in boundaries if len(b) == 1}
        lengths = sorted({len(b) for b in boundaries if len(b) > 1})
        self._longer_boundaries = [(n, {b for b in boundaries if len(b) == n}) for n in lengths]
        self._connectors = set(w["names.connectors"])
        self._vague_end = re.compile(f"(?:{_alternation(w['names.vague'])})$")
        self._vague_start = re.compile(f"(?:{_alternation(w['names.vague'])})(?=[{CJK}]{{2}})")
        kinds: dict[str, str] = {}
        for suffix in w["roads.suffixes"]:
            kinds[suffix] = "road"
        # 天府|三街, 万达城|南路: a one-character estate suffix inside a road's name
        self._road_goes_on = re.compile(rf"[{CJK}]{{1,2}}(?:{_alternation(w['roads.suffixes'])})")
        for suffix in w["compounds.suffixes"]:
            kinds.setdefault(suffix, "compound")
        for suffix in w["landmarks.suffixes"]:
            kinds.setdefault(suffix, "landmark")
        self._not_streets = set(w["admin.not_streets"])
        self._not_districts = tuple(w["admin.not_districts"])
        self._brands = set(w["landmarks.brands"])
        for brand in self._brands:
            kinds.setdefault(brand, "landmark")
        for suffix in w["admin.district_suffixes"]:
            kinds.setdefault(suffix, "district")
        for suffix in w["admin.street_suffixes"]:
            kinds[suffix] = "street"
        self._kinds = kinds
        self._ending_cache: dict[str, tuple[str, ...]] = {}
        self._kind_suffixes = tuple(k for k in _longest_first(kinds) if len(k) >= 2
                                    and kinds[k] in ("compound", "landmark"))
        first_chars = "".join(sorted({k[0] for k in kinds}))
        self._suffix_re = re.compile(f"(?=[{first_chars}])(?:{_suffix_alternation(kinds)})")
        self._not_names = {"road": set(w["roads.not_names"]), "compound": set(w["compounds.not_names"]),
                           "landmark": set(w["landmarks.not_names"])}
        self._not_before = _words_re(w["roads.not_before"])
        self._not_road_endings = w["roads.not_endings"]
        self._not_landmark_endings = w["landmarks.not_endings"]
        self._own = set(w["admin.own"])
        self._numbered = set(w["roads.numbered"])
        self._numbered_followers = _words_re(w["roads.numbered_followers"])
        self._need_number = set(w["roads.need_number"])
        self._need_context = set(w["compounds.need_context"])
        self._context_followers = _words_re(w["compounds.context_followers"])
        self._not_compound_before = _words_re(w["compounds.not_before"])
        self._lanes = set(w["compounds.lanes"])
        self._footbridges = set(w["landmarks.footbridges"])
        self._road_bridges = set(w["landmarks.road_bridges"])
        self._attached = set(w["landmarks.attached"])
        self._stations = w["landmarks.stations"]
        self._not_stations = w["landmarks.not_stations"]
        self._parts = _words_re(w["landmarks.parts"])
        self._station_verb = _words_re(w["landmarks.verb_after_station"])
        self._branches = tuple(w["landmarks.branches"])
        self._residence_end = re.compile(f"(?:{_alternation(w['phrases.residence'])})$")
        self._turn_re = re.compile(_alternation(w["phrases.turns"]))
        self._not_here = re.compile(_alternation(w["phrases.not_here"]))
        self._fillers = _words_re(w["phrases.fillers"])
        self._roles = _words_re(w["phrases.roles"])
        self._back_refs = _words_re(w["phrases.back_references"])
        self._descriptions = re.compile(f"(?:{_alternation(w['phrases.descriptions'])})[^,.;!?]{{1,10}}")
        self._correction_words = w["phrases.corrections"]
        misheard = w["phrases.misheard"]
        self._misheard = (re.compile("|".join(map(re.escape, _longest_first(misheard)))), misheard) if misheard else None
        words = _alternation(w["phrases.corrections"])
        # (…不是本司，我说错了，是演乐胡同: the name denied first, then the correction)
        correction = (rf"(?:吗|吧|啊|呀|呢|哎呀|哎|哦)?[\s,.;:!?]*(?:不是[^,.;!?]{{1,6}}[,.;!?]+)?(?:我|俺)?(?:{words})"
                      rf"(?:[\s,.;:!?]*(?:我|俺)?(?:{words}))*")
        # (also an operator's, in brackets or not: 大雅宝胡同（来电人随后更正为小雅宝胡同）26号,
        # 礼士小区，来电人随后更正为礼士花园; 苏州胡同，经来电人更正为船板胡同15号)
        bracket = r"\(?经?(?:来电人|市民|其)(?:随后|后来|后|又)?|\((?:随后|后来|后|又)?"
        self._corrections_re = re.compile(rf"[\s,.;:!?]*(?:{bracket})?{correction}")
        # …or after the name's details (康宁路十号楼下，不是，康宁路十号门口)
        self._corrections_later = re.compile(rf"[^,.;!?]{{0,8}}?(?:[,.;!?]+\s*|{bracket}){correction}")
        self._junctions = _words_re(w["phrases.junctions"])
        ends = "|".join(map(re.escape, _longest_first(w["phrases.between_ends"])))
        self._between_ends = re.compile(f"(?:的)?(?:{ends})")
        self._between_tail = re.compile(rf"([{CJK}]{{2,10}}?)口?[,\s]*(?:的)?(?:{ends})(?:的|{_STRETCH_AFTER.pattern})?")
        dirs = _alternation(w["gates.directions"])
        named = _alternation(w["gates.named"] + w["gates.undirected"])
        self._gate_re = re.compile(rf"(?:({dirs})(?:边|面|侧)?大?门|({named}))(口)?")
        self._undirected_gates = frozenset(w["gates.undirected"])
        self._side_of = {word: value for value, words_ in w.sides.items() for word in words_}
        self._side_words = _words_re(self._side_of)
        self._not_sides = _words_re(w["phrases.not_sides"])
        self._bridges = tuple(w["landmarks.bridges"])
        d = "".join(w["directions.words"])
        endings = "|".join(_longest_first(w["directions.endings"]))
        self._direction_re = re.compile(rf"([{d}])(?:{endings})")
        # 丰乐路路南, 路北侧: the side of the road; 李家村南这边: a village's side said bare
        self._road_side_re = re.compile(rf"路([{d}])(?:{endings})?(?![路街道巷大])")
        self._village_bare_side_re = re.compile(rf"([{d}])(?=这边|那边|这块|那块|这里|那里|一带|有(?!限)|的|[,.;!?\s]|$)")
        self._village_suffixes = tuple(w["directions.village_suffixes"])
        vs = "".join(self._village_suffixes)
        self._village_again = re.compile(rf"的?[,.\s]*(?:俺们|我们|咱们|俺|我|咱)?[{vs}][{d}里口]")
        self._village_side_re = re.compile(
            rf"(?:俺们|我们|咱们|俺|我|咱)?[{vs}](?:([{d}])(?:{endings})?|(里头|里面|里|内))")
        # 上河村二组，村南边 / 三合村，就是村子东头: the village's side said a few words later
        # (or after a pause: 桃坞村，桃坞村后头，北边儿)
        self._village_side_later = re.compile(
            rf"[^.!?;]{{0,14}}?(?:(?:俺们|我们|咱们|俺|我|咱)?[{vs}]子?([{d}])(?:{endings}|口)|,([{d}])(?:{endings}))")
        # 西城那边 → 西城区: a district said without its suffix, where the words make it clear
        # (sorted, a city's 区 last so that it wins over a county of the same short name: 东安区, not
        # 东安县 — whatever the hash order of the set)
        self._district_short = {name[:-1]: name for name in sorted(self.districts, key=lambda n: (n[-1] == "区", n))
                                if len(name) >= 3 and name[-1] in "区县"}
        self._short_context = re.compile("那边|这边|那块|这块|一带")

    # -- the whole ---------------------------------------------------------------------------

    def read(self, text: str) -> Place | None:
        t = prepare(text, phrase_breaks=True)
        if not t:
            return None
        if self._misheard:  # a place word as speech recognition or a typo gave it (东堂子湖同)
            pattern, meant = self._misheard
            t = pattern.sub(lambda m: meant[m.group()], t)
        t = _METRO_AFTER_ROAD.sub("地铁站", t)
        t, phrases = _phrase_starts(t)
        # Names far after the first one cannot change the place, unless the caller corrects
        # himself or the place runs on: read the rest only then (long letters run twice as fast).
        limit = None if any(w in t for w in self._correction_words) else WINDOW
        while True:
            names, read_to = self._names(t, limit, phrases)
            names = _without_repeated_admin(t, _without_aliases(t, names))
            names = self._after_corrections(t, self._junctions_and_betweens(t, names))
            place, end = self._place(t, names)
            if read_to == len(t) or end < read_to - WINDOW // 4:
                return place
            limit = None

    # -- step 1: names -------------------------------------------------------------------------

    def _names(self, t: str, limit: int | None = None,
               phrases: frozenset[int] = frozenset()) -> tuple[list[_Name], int]:
        """Every name in t, and how far t was read: with `limit`, only up to that many
        characters after the first road, compound or landmark; `phrases`: where a phrase
        starts after a space (a name does not reach back over it)."""
        out: list[_Name] = []
        stop = len(t)
        for m in self._suffix_re.finditer(t):
            suffix, s0, end = m.group(), m.start(), m.end()
            if s0 > stop:
                break
            if any(s0 < p < end for p in phrases):
                continue  # 占道施工|地址: a suffix (工地) across two phrases is none
            kind = self._kinds[suffix]
            last = out[-1] if out else None
            floor = last.end if last else 0
            if last is not None and last.kind == "road" and floor < s0:
                if t.startswith("上", floor):
                    floor += 1  # 东风路上|第三小学: "on the road"
                else:
                    floor += self._junction_word(t, floor)  # 文化路口|天桥, 交汇处|天桥
            joined = last is not None and last.kind in ("road", "compound", "landmark")
            start = self._name_start(t, s0, floor, end, 12 if kind == "landmark" else 10, joined,
                                     numbered=kind in ("road", "landmark"), phrases=phrases)
            if kind == "landmark" and suffix in self._stations:
                start = self._station_prefix(t, start)
            name = t[start:end]
            if start > 0 and self._vague_end.search(t, max(0, start - 4), start) \
                    or self._vague_start.match(t, start, end):
                continue  # 某网店, 有个废品站, (近期)多家餐馆: no particular one
            found = None
            if kind in ("district", "street"):
                found = self._admin(t, kind, start, s0, end, last, phrases)
            elif suffix in self._brands:
                found = _Name("landmark", name, start, end)  # 肯德基, 朝内物美: a name by itself
            elif start == s0 or (kind == "landmark" and _LINE.fullmatch(t, start, s0)):
                found = self._bare(t, kind, suffix, start, end, last)
            elif kind == "road":
                found = self._road(t, suffix, name, start, s0, end, last)
            elif kind == "compound":
                found = self._compound(t, suffix, name, start, s0, end, last)
            else:
                found = self._landmark(t, name, start, s0, end, last)
            if found is None:
                continue
            if found.start < floor and last is not None:
                out.pop()  # the name took in the one before it
                if last.kind in ("district", "street") and found.start <= last.start and last.end <= found.end - 2 \
                        and not (t[last.end:found.end] in self._kinds or _DISTRICT_INSTITUTION.match(t, last.end)):
                    # 临江区和平桥: a district the gazetteer does not hold, then a landmark (but
                    # 城东区图书馆, 临江区人民医院: the district's own institution, one name)
                    out.append(last)
                    found = _Name(found.kind, t[last.end:found.end], last.end, found.end)
                elif last.start < found.start and t[last.start:found.start] in self.districts:
                    out.append(_Name("district", t[last.start:found.start], last.start, found.start))
            glued = _GLUED_DISTRICT.match(found.value) if found.kind in ("landmark", "compound") else None
            if glued and not glued.group(1).endswith(self._not_districts) \
                    and not _DISTRICT_INSTITUTION.match(found.value, glued.end()):
                # 石湾区枇杷岭社区文化广场: a district the gazetteer does not hold, then the name
                cut = found.start + glued.end()
                out.append(_Name("district", glued.group(1), found.start, cut))
                found = _Name(found.kind, found.value[glued.end():], cut, found.end)
            out.append(found)
            if limit is not None and stop == len(t) and found.kind in ("road", "compound", "landmark"):
                stop = found.start + limit
        if not any(n.kind in ("compound", "landmark") for n in out):
            out = self._unsuffixed_compound(t, out, phrases)
        if not any(n.kind == "district" for n in out):
            short = self._short_district(t)
            if short is not None and not any(n.start <= short.start < n.end for n in out):
                out = sorted([*out, short], key=lambda n: n.start)
        return out, stop

    def _unsuffixed_compound(self, t: str, names: list[_Name],
                             phrases: frozenset[int] = frozenset()) -> list[_Name]:
        """绿地新都会3号楼, 阳光100 7号楼: a name with no suffix is a compound when a
        building is said right after it and nothing before it is a name; so is one with a
        gate after it in an address field (地址：锦绣南门外面) or at the start of a phrase
        (柳岸西大门井盖没了)."""
        m = _BUILDING_AHEAD.search(t)
        phase = _PHASE_AHEAD.search(t)
        if phase is not None and (m is None or phase.start() < m.start()):
            # 新港明珠一期12号楼, 恒泰公馆一期的地下车库: a phase names an estate too
            end = phase.start()
            i = self._name_start(t, end, 0, end, 8, False, phrases=phrases)
            name = t[i:end]
            if len(name) >= 2 and i > end - 8 and name not in self._kinds \
                    and not any(n.start < phase.end() and n.end > i for n in names):
                return sorted([*names, _Name("compound", name + phase.group(), i, phase.end())], key=lambda n: n.start)
        if m is None:
            g = _FIELD_GATE.search(t) or self._bare_gate_name(t, phrases)
            if g and g.group(1) not in self._kinds and g.group(1) not in self._not_names["compound"] \
                    and not any(n.start < g.end(1) and n.end > g.start(1) for n in names):
                return sorted([*names, _Name("compound", g.group(1), g.start(1), g.end(1))], key=lambda n: n.start)
            field = None if names else self._field_name(t, phrases)
            return [field] if field else names
        end = m.start() - (1 if t[m.start() - 1:m.start()] == " " else 0)
        i = self._name_start(t, end, 0, end, 10, False, latin=True, phrases=phrases)
        if 0 < i == end - 10:
            return names  # ran into the limit: part of a sentence, not a name
        name = t[i:end]
        if len(name) < 2 or not any("\u4e00" <= c <= "\u9fff" for c in name) or name[0].isdigit() \
                or any(n.start < end and n.end > i for n in names):
            return names
        return sorted([*names, _Name("compound", _estate_name(name), i, end)], key=lambda n: n.start)

    def _field_name(self, t: str, phrases: frozenset[int]) -> _Name | None:
        """地址：翡翠湾, 地址是……水岸星城: a form's or a caller's address that is a bare name
        and nothing else (up to the next phrase, punctuation or field), read as the estate."""
        m = _FIELD_NAME.search(t)
        if m is None:
            return None
        start, end = m.span(1)
        end = min([end, *(p for p in phrases if start < p < end)])
        label = _FIELD_LABEL.search(t, start, end)
        end = label.start() if label else end
        name = t[start:end]
        if t[end:end + 1].isascii() and t[end:end + 1].isalnum() or _GATE_WORD.search(name) \
                or name[:2] in self._kinds or not 2 <= len(name) <= 6 or name in self._kinds or name in self._not_names["compound"] \
                or self._side_words.search(name) or self._crosses_boundary(name):
            return None
        return _Name("compound", _estate_name(name), start, end)

    def _bare_gate_name(self, t: str, phrases: frozenset[int]) -> re.Match | None:
        """The first short name right before a gate at the start of a phrase that crosses
        no boundary word (not 昨天西门, 我家后门)."""
        for gate in _GATE_WORD.finditer(t):
            for p in range(max(0, gate.start() - 4), gate.start() - 1):
                if not (p == 0 or p in phrases or t[p - 1] in _PHRASE_END):
                    continue
                m = _BARE_GATE.match(t, p, gate.end())
                if m is None or m.end(1) != gate.start():
                    continue
                if not self._crosses_boundary(m.group(1)):
                    return m
        return None

    def _crosses_boundary(self, name: str) -> bool:
        """Does a would-be name hold a word that ends the text before a name (昨天, 我家)?"""
        return bool(self._single_boundaries.intersection(name)) or any(
            name[i:i + n] in words for n, words in self._longer_boundaries for i in range(len(name) - n + 1))

    def _short_district(self, t: str) -> _Name | None:
        for m in self._short_context.finditer(t):
            j = m.start()
            for k in (4, 3, 2):
                full = self._district_short.get(t[j - k:j]) if j >= k else None
                if full:
                    return _Name("district", full, j - k, j)
        return None

    def _name_start(self, t: str, s0: int, floor: int, end: int, max_len: int, joined: bool,
                    latin: bool = False, numbered: bool = False, phrases: frozenset[int] = frozenset()) -> int:
        """Where the name whose suffix starts at s0 begins: the longest run of Chinese
        characters before it that crosses no boundary word and starts at or after floor;
        `joined`: a joining word right after the name before it (胜利路跟|和平路) ends it;
        `latin`: letters and digits belong to the name too (阳光100); `numbered`: a number
        right before the suffix does, after a Chinese character (经2路 = 经二路, 锦溪2桥) but
        not before a bus or a line (坐2路车, 2号线); `phrases`: where a phrase starts after a
        space: a name of two or more characters before its suffix starts there at the latest
        (冒水了 丰乐路 → 丰乐路; but 和平 路18号 → 和平路)."""
        i = s0
        lowest = floor if floor > end - max_len else end - max_len
        single, longer = self._single_boundaries, self._longer_boundaries
        if numbered and s0 >= 2 and t[s0 - 1].isdigit() and not _BUS_AFTER.match(t, end):
            j = s0 - 1
            if j > lowest and t[j - 1].isdigit():
                j -= 1
            if j > lowest and "\u4e00" <= t[j - 1] <= "\u9fff" and t[j - 1] not in single \
                    and not t.endswith(_BUS_BEFORE, 0, j):
                i = j
        while i > lowest:
            if i in phrases and s0 - i >= 2:
                break
            c = t[i - 1]
            if not ("\u4e00" <= c <= "\u9fff" or latin and c.isascii() and c.isalnum()) or c in single:
                break
            if any(t[i - n:i] in words for n, words in longer if n <= i):
                break
            if c in self._connectors and (joined and i - 1 == floor or t[i - 2:i - 1] == ")"):
                break  # 红旗路和|胜利路口, 红旗路（老207国道）和|胜利路口
            i -= 1
        if i > 0 and t[i - 1].isascii() and t[i - 1].isalnum() and t[i] in _COUNTERS and i < s0:
            i += 1  # 10点以后长江中路, A3区实验中学: the name starts after the time or the code
        return i

    def _station_prefix(self, t: str, start: int) -> int:
        m = _LINE_BEFORE.search(t, max(0, start - 7), start)
        return start - len(m.group()) if m else start

    def _admin(self, t: str, kind: str, start: int, s0: int, end: int, last: _Name | None,
               phrases: frozenset[int] = frozenset()) -> _Name | None:
        known = self.districts if kind == "district" else self.streets
        if last is not None and last.end == s0 and last.kind in ("landmark", "compound") and start == s0:
            glued = t[last.start:end]  # 观音桥街道, 李家村镇: the name read as a landmark is the street's
            if glued in known or (kind == "street" and 3 <= len(glued) <= 6 and _VILLAGE_AFTER.match(t, end)):
                return _Name(kind, glued, last.start, end)
        if last is not None and last.kind in ("landmark", "compound", "road") and s0 - last.end <= 2 \
                and _CJK_RUN.fullmatch(t, last.start, end):
            # 丰台区卢沟桥|街道, 怀柔区桥|梓镇, 海淀区学院路|街道: a district and the street,
            # read as a bridge or a road
            for cut in range(last.start, s0 - 1):
                if t[cut:end] in known and (cut == last.start or t[last.start:cut] in self.districts):
                    return _Name(kind, t[cut:end], cut, end)
        if kind == "street" and last is not None and last.kind == "district" and last.end == start \
                and 3 <= end - start <= 6 and t[start:end].endswith(("街道", "镇", "乡")):
            return _Name(kind, t[start:end], start, end)  # 海淀区西北旺镇: not 北旺镇, a town elsewhere
        for cut in range(start, s0):
            name = t[cut:end]
            if name in known and not (cut > start and _NAMED_CITY_DISTRICT.fullmatch(t, cut - 1, end)):
                return _Name(kind, _OFFICE.sub("", name), cut, end)  # (苇城区 is not 城区)
        name = _OFFICE.sub("", t[start:end])  # 东单街道办事处辖区: the street office's street
        if not 3 <= len(name) <= 6 or kind == "district" and name.endswith(self._not_districts) \
                and not _NAMED_CITY_DISTRICT.fullmatch(name):
            return None
        after = _PUNCT.match(t, end)
        after = after.end() if after else end  # 城南区，桃园街道: said with a pause between
        if kind == "district" and t[end:end + 1] not in ("市",) and _PLAUSIBLE_STREET.match(t, after):
            return _Name(kind, name, start, end)  # 南山县石桥镇: a county, by the town after it
        if kind == "street" and last is not None and last.kind == "district" \
                and (last.end == start or _PUNCT.fullmatch(t, last.end, start)) \
                and name.endswith(("街道", "镇", "乡")):
            return _Name(kind, name, start, end)
        if kind == "street" and name.endswith(("镇", "乡")) and _VILLAGE_AFTER.match(t, end):
            return _Name(kind, name, start, end)  # 东坡镇红岩村: a town, by the village after it
        if kind == "district" and _VILLAGE_AFTER.match(t, after):
            return _Name(kind, name, start, end)  # 双桥县张家湾村, 临江区，东沟村: by the village after it
        if kind == "district" and name.endswith("区") and (end in phrases or t.startswith("的", end)):
            return _Name(kind, name, start, end)  # 南塘区的公交车, 高新区 晚上…: a district said alone
        if _ADMIN_ALONE.match(t, end):
            return _Name(kind, name, start, end)  # 我是临江区的, 青石乡那边: named as where one is
        if kind == "district" and name.endswith("区") and self._named_right_after(t, end):
            return _Name(kind, name, start, end)  # 高新区科技路: a district, by the road after it
        if kind == "street" and name.endswith("街道") and end - start >= 4 and name not in self._not_streets:
            return _Name(kind, name, start, end)  # 东单街道最近老停水, 华大街道湖东路: a street office
        return None

    def _named_right_after(self, t: str, pos: int) -> bool:
        """A road, compound or landmark named right at pos: a name of at least two Chinese
        characters whose suffix starts within 8 characters of pos."""
        for m in self._suffix_re.finditer(t, pos, pos + 10):  # (环城|西路: past a suffix inside the name)
            if not all("\u4e00" <= c <= "\u9fff" for c in t[pos:m.start()]):
                return False
            if m.start() - pos >= 2:
                return self._kinds[m.group()] in ("road", "compound", "landmark")
        return False

    def _bare(self, t: str, kind: str, suffix: str, start: int, end: int, last: _Name | None) -> _Name | None:
        """A suffix with no name of its own: part of the name before it, or an unnamed
        thing that belongs to it, or nothing."""
        if kind == "landmark" and suffix in self._footbridges:
            return _Name("landmark", self.words["landmarks.footbridge"], start, end, attached=True)
        if kind == "landmark" and suffix in self._attached:
            return _Name("landmark", suffix, start, end, attached=True)
        if kind == "landmark" and last is not None and last.kind == "road" and t[last.end:start] in ("上", "上的") \
                and self._side_words.match(t, end) and not self._not_sides.match(t, end):
            return _Name("landmark", suffix, start, end, attached=True)  # 华山路上那个网吧门口
        if last is None or last.end != start or last.attached:
            return None
        if kind == "landmark" and suffix in self._road_bridges and last.kind in ("road", "junction"):
            return _Name("landmark", suffix, start, end, attached=True)  # 北环路立交桥: the road's own bridge
        if kind == "landmark" and suffix in self._stations and self._station_verb.match(t, start):
            return None  # 公交站站牌: the station's sign, not a second 站
        if kind == "road":
            # 中关村大街, 王府井大街: a road named after a village or a landmark
            if last.kind in ("compound", "landmark") and suffix not in self._need_number \
                    and not t.startswith("口", end) and not self._not_before.match(t, start):
                return _Name("road", last.value + suffix, last.start, end)
            return None
        if last.kind == "district" and kind == "landmark":
            return _Name(kind, last.value + suffix, last.start, end)  # 东安区图书馆
        if last.kind not in ("road", "compound", "landmark"):
            return None
        if (kind == "compound" and len(suffix) < 2 or self._side_words.match(t, start)) \
                and last.value.endswith(suffix):
            return None  # 李家村村东头, 光明桥桥下: the name said again before its side
        if suffix in self._bridges and last.value.endswith(suffix):
            return None  # 通济桥桥面
        if kind == "compound" and suffix in self._need_context and not self._compound_context(t, end):
            return None
        if kind == "compound" and (m := _PHASE.match(t, end)):
            end = m.end()  # 恒泰花园小区三期: the phase is part of the name here too
        value = last.value + _estate_name(t[start:end])
        if kind == "landmark" and t[last.start:last.start + 2] != "地铁":
            # 东四十条地铁站, 北京站, 火车站站: a station may carry its line before it
            new_start = self._station_prefix(t, last.start) if suffix in self._stations else last.start
            value = t[new_start:end]
            return _Name(kind, value, new_start, end)
        return _Name(kind, value, last.start, end)

    def _road(self, t: str, suffix: str, name: str, start: int, s0: int, end: int,
              last: _Name | None) -> _Name | None:
        if s0 - start == 1 and t[start] in "东西南北" and last is not None and last.end == start \
                and last.kind in ("compound", "landmark") and not last.attached:
            return _Name("road", last.value + name, last.start, end)  # 北京站东街
        if s0 - start == 1 and t[start] in "东西南北中" and len(suffix) == 2 and (last is None or last.end <= start):
            return _Name("road", name, start, end)  # 南小街, 北大街, 东大道: a direction names the road
        if s0 - start < 2 or name in self._not_names["road"] or name.endswith(self._not_road_endings):
            return None
        if self._not_before.match(t, s0) and not self._suffix_re.match(t, end):
            return None
        if suffix in self._numbered:
            if s0 - start < 3 or not _LANE_NUMERAL.search(t, start, s0):
                return None  # 东四十条: a name, then the lane's number
            following = t[end:end + 1]
            if "\u4e00" <= following <= "\u9fff" and not self._numbered_followers.match(t, end):
                return None
        if suffix in self._need_number and not t[end:end + 1].isdigit():
            return None
        return _Name("road", name, start, end)

    def _compound(self, t: str, suffix: str, name: str, start: int, s0: int, end: int,
                  last: _Name | None) -> _Name | None:
        if name in self._not_names["compound"]:
            return None
        after_admin = last is not None and last.kind in ("district", "street") and last.end == start
        following = self._suffix_re.match(t, end)
        if suffix in self._need_context and (not after_admin and not self._compound_context(t, end) or following
                                             and self._kinds[following.group()] in ("compound", "street")):
            return None  # 刘庄村, 和平里街道: the name goes on to its last suffix
        if self._not_compound_before.match(t, s0):
            return None  # 村民, 村干部: people, not the village
        if len(suffix) == 1 and suffix not in self._village_suffixes and self._road_goes_on.match(t, end) \
                and not _PHASE.match(t, end):
            return None  # 天府三街: the name goes on to a road's suffix
        if m := _PHASE.match(t, end):
            # 锦绣花园二期, 金穗花园南区: the phase or section is part of the name
            return _Name("compound", _estate_name(t[start:m.end()]), start, m.end())
        if suffix in self._lanes and _NUMBER.match(t, end) and not _BUILDING_NUMBER.match(t, end):
            # 宝华里21号: a lane with house numbers (but 桑榆里3号楼后面: building 3 of an estate)
            return _Name("road", t[start:end], start, end)
        return _Name("compound", t[start:end], start, end)

    def _compound_context(self, t: str, end: int) -> bool:
        rest = t[end:end + 6]
        if t[end - 1] in self._village_suffixes and self._village_again.match(t, end):
            return True  # 李家庄的,庄西头: the village is spoken of again
        if _NUMBERED_HOUSE.match(rest) or self._context_followers.match(rest):
            return True
        # 阳光城的,我们5号楼: a building said right after it; 翡翠城的大门口, 丽水湾东边大门
        after = self._skip_soft(t, end)
        return bool(_NUMBERED_HOUSE.match(t, after) or self._context_followers.match(t, after)
                    or self._gate_re.match(t, after))

    def _landmark(self, t: str, name: str, start: int, s0: int, end: int, last: _Name | None) -> _Name | None:
        if s0 - start < 2 and t[start:s0] not in self._own or name in self._not_names["landmark"] \
                or name.endswith(self._not_landmark_endings):
            return None
        if self._station_verb.match(t, end - 1):
            return None  # 老人站不稳: the verb, not a station
        if last is not None and last.kind == "district" and last.end == start:
            return _Name("landmark", t[last.start:end], last.start, end)  # 东安区人民医院
        if last is not None and last.kind == "landmark" and last.end == start \
                and name.endswith(self._branches) and not last.attached:
            return _Name("landmark", t[last.start:end], last.start, end)  # 中国工商银行东四支行
        return _Name("landmark", name, start, end)

    def _junctions_and_betweens(self, t: str, names: list[_Name]) -> list[_Name]:
        out: list[_Name] = []
        i = 0
        while i < len(names):
            a = names[i]
            b = names[i + 1] if i + 1 < len(names) else None
            if a.kind == "road" and b is not None and b.kind == "road":
                gap = _ALIAS.sub("", t[a.end:b.start])
                if b.value[0] in self._connectors and gap and not _JUNCTION_GAP.sub("", gap) \
                        and len(b.value) >= 4 and self._junction_word(t, b.end):
                    # 内务部街西口，跟东四南大街的丁字路口: the name was read with its 跟
                    b = _Name("road", b.value[1:], b.start + 1, b.end)
                    gap += t[b.start - 1]
                # 内务部街西口，跟东四南大街的丁字路口: the lane's end, then the road it meets
                core = _JUNCTION_GAP.sub("", gap) if any(c in self._connectors for c in gap) else gap
                joined = gap == "" or (len(core) <= 2 and all(c in self._connectors or c in ",、的 " for c in core))
                junction = self._junction_word(t, b.end)
                c = names[i + 2] if i + 2 < len(names) else None
                # 湘江北路与岳麓大道立交桥: the bridge of their junction, no junction word
                bridge = c is not None and c.start == b.end and c.value in self._road_bridges
                if junction and _TO.match(t, b.end + junction):
                    junction = 0  # 自光华路口至兴业路口: the first end of a stretch
                if (junction or bridge) and joined and a.value != b.value:
                    out.append(_Name("junction", a.value, a.start, b.end + junction, cross=b.value))
                    i += 2
                    continue
                tail = self._between_ends.match(t, b.end)
                if tail and joined and gap and a.value != b.value:  # 长征路与民主路之间 (not 石板街，石板街中间)
                    out.append(_Name("between", "", a.start, tail.end(), ends=(a.value, b.value)))
                    i += 2
                    continue
                # 从解放路往胜利路拐的路口
                m = gap in ("往", "向")
                turn = _TURN.match(t, b.end)
                if m and turn:
                    start = a.start - 1 if t[a.start - 1:a.start] == "从" else a.start
                    out.append(_Name("junction", a.value, start, b.end + turn.end(), cross=b.value))
                    i += 2
                    continue
            out.append(a)
            i += 1
        for m in _TO.finditer(t):
            out = self._between(t, m.start(), out)
        return out

    def _between(self, t: str, i: int, names: list[_Name]) -> list[_Name]:
        """A stretch between two points around the 到/至 at i: 从A(路口)到B(路口)之间, or
        A路口到B路口之间 with A a name read already."""
        # 从(,)朝内大街路口(往南)(,)(一直)到(,)(到)金宝街路口: what is said around the ends
        left_end = _LEFT_END_FILL.search(t, max(0, i - 16), i).start()
        left_end -= 1 if t[left_end - 1:left_end] == "口" else 0
        k = max(t.rfind("从", max(0, i - 16), left_end), t.rfind("自", max(0, i - 16), left_end))
        right = _RIGHT_START_FILL.match(t, i + 1).end()
        tail = self._between_tail.match(t, right)
        if not tail and k >= 0:  # 从渡江路口到徽州大道口 路灯全不亮: said from a junction to a junction
            tail = _BARE_JUNCTION_END.match(t, right)
        if not tail:
            return names
        first_start = _PUNCT.match(t, k + 1).end() if k >= 0 and _PUNCT.match(t, k + 1) else k + 1
        if k >= 0 and left_end - first_start >= 2 and _CJK_RUN.fullmatch(t, first_start, left_end):
            start, first = k, t[first_start:left_end]
        else:
            named = [n for n in names if n.end in (left_end, left_end + 1) and n.kind in ("road", "landmark")]
            if not named:
                return names
            first, start = named[0].value, named[0].start
            if t[start - 1:start] == "从":
                start -= 1
        inner = [n for n in names if n.start >= start and n.end <= tail.end()]
        kept = [n for n in names if n not in inner]
        second = tail.group(1)
        if tail.group().endswith("路段") and not second.endswith(("路", "街", "道", "巷", "胡同")):
            second += "路"  # 至知春路段: 知春路, then 段
        kept.append(_Name("between", "", start, tail.end(), ends=(end_as_said(first), end_as_said(second))))
        return sorted(kept, key=lambda n: n.start)

    def _junction_word(self, t: str, pos: int) -> int:
        p = _BEFORE_JUNCTION.match(t, pos).end()
        m = self._junctions.match(t, p)
        return p - pos + len(m.group()) if m else 0

    def _after_corrections(self, t: str, names: list[_Name]) -> list[_Name]:
        """东四七条,哦不对,东四八条: the name before a correction and all before it go."""
        for i in range(len(names) - 1, -1, -1):
            if self._corrections_re.match(t, names[i].end):
                return names[i + 1:]
            later = i + 1 < len(names) and self._corrections_later.match(t, names[i].end, names[i + 1].start)
            if later and not self._detail_said_again(t, later.end()):
                return names[i + 1:]
        return names

    def _detail_said_again(self, t: str, pos: int) -> bool:
        """民生路106号，不对，是160号: what the correction puts right is the number (building,
        exit) — `_corrected_number` replaces it; the road stays."""
        after = self._skip_soft(t, pos)
        after += t.startswith("是", after)
        return bool(_NUMBER.match(t, after) or _BUILDING.match(t, after) or _EXIT.match(t, after))

    # -- step 2: the place -------------------------------------------------------------------------

    def _place(self, t: str, names: list[_Name]) -> tuple[Place | None, int]:
        """The place from the first name on, and where its words end."""
        starters = [n for n in names if not n.attached]
        if not starters:
            return None, 0
        first = self._problem_place(t, starters)
        if first is None:
            return None, 0
        by_start = {n.start: n for n in names if n.start >= first.start}
        place = Place()
        said: list[str] = []
        self._take(place, first, said)
        pos = end = first.end
        while pos < len(t):
            p = self._skip_soft(t, pos)
            n = by_start.get(p)
            if n is not None and n is not first and n.kind in ("road", "compound", "landmark") and n.value in said:
                pos = end = n.end  # 在外交部街，外交部街33号: said again (外 is no side here)
                continue
            phase = _PHASE.match(t, p)
            if phase and place.compound.endswith(phase.group()):
                pos = phase.end()  # 幸福里小区西区，西区大门口: the section said again (no district)
                continue
            q = self._part(t, p, place)
            if q:
                pos = end = q
                continue
            if n is not None and n is not first:
                if self._take(place, n, said, adjacent=p == pos) is None:
                    number = _NUMBER.match(t, n.end)
                    if n.kind == "road" and number and place.landmark and not place.road \
                            and t[n.start - 1:n.start] == "(":  # 金樽KTV（滨江路103号）: the shop's address
                        place.road, place.number = n.value, number.group(1)
                        said.append(n.value)
                        pos = end = number.end()
                        continue
                    if n.kind == "landmark" and place.number and not place.near and not place.side:
                        place.near = n.value  # 金宝街88号，就金宝汇门口那儿: its gate or side still follow
                        if t[n.start - 1:n.start] != "(":  # (but not in brackets: 58号（老红光电影院门口）)
                            pos = end = n.end
                            continue
                    break
                pos = end = n.end
                continue
            q = self._corrected_number(t, p, place)
            if q:
                pos = end = q
                continue
            q = self._skip_hard(t, p, place, said, names)  # (after: 不是 is also a denial)
            if q:
                pos = q
                continue
            break
        if place.compound.endswith(self._village_suffixes) and not (
                place.side or place.road or place.landmark or place.building):
            m = self._village_side_later.match(t, end)
            if m and not any(end <= n.start < m.end() for n in names):
                place.side = (m.group(1) or m.group(2)) + "侧"
        if not place.specific:
            place.side = ""
            if not (place.district or place.street):
                return None, end
        place.text = t[first.start:end]
        return self._said_again_with_details(t, names, place, end) or place, end

    def _said_again_with_details(self, t: str, names: list[_Name], place: Place, end: int) -> Place | None:
        """每天都会去滨湖公园晨练。滨湖公园东门里头…: a name said with nothing finer, then
        said again soon after with its gate, side or number: the place as said the second time
        (with what only the first said), or None. Also a place with details but no side said
        again with the same details and a side (主题：方巾巷小区二号楼外墙… 方巾巷小区二号楼西侧外墙…)."""
        detailed = [k for k in _DETAILS if getattr(place, k)]
        if place.side:
            return None
        main = place.landmark or place.compound or place.road
        if not main:
            return None
        again = next((n for n in names if end <= n.start <= end + _SAID_AGAIN_REACH
                      and (n.value.endswith(main) or n.value.startswith(main))), None)  # (一号线建国门站)
        if again is None:
            return None
        later, _ = self._place(t, [n for n in names if n.start >= again.start])
        if later is None or not any(getattr(later, k) for k in _DETAILS) \
                or (later.landmark or later.compound or later.road) != again.value:
            return None
        if detailed and not (later.side and all(getattr(later, k) == getattr(place, k) for k in detailed)
                             and (later.landmark or later.compound or later.road) == main):
            return None  # (the same name: 申请修剪汀雨巷14号门口 is no road 修剪汀雨巷)
        for k in ("district", "street", "road", "compound"):
            if not getattr(later, k) and getattr(place, k) and not (k == "road" and later.cross_road):
                setattr(later, k, getattr(place, k))
        for n in names:  # 标题：刘家洼村…  正文：青岚区刘家洼村村北: the district said with it
            if n.end == again.start and n.kind in ("district", "street") and not getattr(later, n.kind):
                setattr(later, n.kind, n.value)
        return later

    def _corrected_number(self, t: str, pos: int, place: Place) -> int:
        """三十一号，不对不对，是三十二号: the house number, building, exit or gate said again
        after a correction replaces the first. The position after it, or 0."""
        m = self._corrections_re.match(t, pos)
        if not m or not (place.number or place.building or place.exit or place.gate):
            return 0
        after = self._skip_soft(t, m.end())
        after += t.startswith("是", after)
        if place.number:
            # 不是十八号，是十六号 / 啊不是，我看错门牌了，是三十八号: the first other number
            # said soon after the correction
            n = next((n for n in _NUMBER.finditer(t, after, after + _CORRECTION_REACH)
                      if n.group(1) != place.number), None)
            if n and _CJK_OR_PUNCT.fullmatch(t, after, n.start()):
                place.number, place.side = n.group(1), ""
                return n.end()
        b = _BUILDING.match(t, after)
        if b and place.building:
            place.building, place.unit, place.side = b.group(1), "", ""
            return b.end()
        e = _EXIT.match(t, after)
        if e and place.exit:  # A口，哦不对，是B口
            place.exit, place.side = e.group(1).upper(), ""
            return e.end()
        g = self._gate_re.match(t, after)
        if g and place.gate:  # 北门，哎不对，东北门
            place.gate = (g.group(1) + "门") if g.group(1) else g.group(2)
            place.side = "门口" if g.group(3) else ""
            return g.end()
        return 0

    def _problem_place(self, t: str, starters: list[_Name]) -> _Name | None:
        """The first name, unless it is where the caller lives ("我住在A，但我要反映的是B"):
        then the first name after the turn, other than A said again; None when the caller
        says it is not there and names no other place ("我住A，不过跟我们小区没关系…")."""
        addressee = _ADDRESSEE.match(t)
        if addressee:
            starters = [n for n in starters if n.start >= addressee.end()]
            if not starters:
                return None
        first = starters[0]
        field = _ADDRESS_FIELD.search(t, first.end, first.start + 40) if ":" in t[first.end:first.start + 40] else None
        if field:
            first = next((n for n in starters if field.end() <= n.start <= field.end() + 2), first)
        # 从北京站出来往北走…天桥上, 途经朝阳门地铁站，步行至…: where the caller came from
        while first is not starters[-1] and (
                t.endswith("从", 0, first.start) and _CAME_FROM.match(t, first.end)
                or t.endswith("途经", 0, first.start) and _WENT_ON_TO.match(t, first.end)):
            first = starters[starters.index(first) + 1]
        if not self._lives_at(t, first):
            return first
        turn = self._turn_re.search(t, first.end, first.end + 30)
        if turn is None:
            # 我住在礼士胡同那边。史家胡同24号对面…: the next sentence opens with the problem's
            # place (but 我是樟树湾小区居民。小区东门口的快递驿站: still the estate)
            end = _SENTENCE_AFTER.match(t, first.end)
            return next((n for n in starters if end and n.start == end.end()), first)
        later = next((n for n in starters if n.start >= turn.end()
                      and not (n.value == first.value and n.kind in ("road", "compound", "landmark")
                               and not self._with_detail(t, n))), None)
        if later is not None:
            return later
        return None if self._not_here.search(t, first.end, first.end + _NOT_HERE_REACH) else first

    def _with_detail(self, t: str, name: _Name) -> bool:
        """Is the name followed by a gate, building, unit, number or exit of its own (我是桂汀苑业主，
        想反映桂汀苑西北门外…: the caller's own estate, and the problem at its gate)? A side alone
        is not enough (苇溪新村旁边儿那条，柘湖路…: the problem is elsewhere)."""
        probe = Place(**{name.kind: name.value})
        return bool(self._part(t, name.end, probe)) and any(
            (probe.gate, probe.building, probe.unit, probe.number, probe.exit))

    def _lives_at(self, t: str, name: _Name) -> bool:
        """Whether the caller says he lives at the name: 我住在X, or 我住X的，X小区 (said
        short first)."""
        if self._residence_end.search(t, max(0, name.start - 5), name.start):
            return True
        if t.endswith("在", 0, name.start) and t.startswith("居住", name.end):
            return True  # 其在海运仓小区居住: said after the name
        for k in range(len(name.value) - 1, 1, -1):
            short = t.rfind(name.value[:k], max(0, name.start - 14), name.start)
            if short >= 0:
                return bool(self._residence_end.search(t, max(0, short - 5), short))
        return False

    def _take(self, place: Place, n: _Name, said: list[str], adjacent: bool = False) -> bool | None:
        """Add a name to the place: True when added, False when it only repeats, None when
        it is about something else."""
        value = n.value
        if n.kind in ("road", "compound", "landmark") and any(v.startswith(value) for v in said):
            return False  # said again, perhaps shorter (刘庄村, 刘庄)
        said_as = getattr(place, n.kind) if n.kind in ("compound", "landmark") else ""
        if said_as and value.startswith(said_as):
            if n.kind == "compound" and _PHASE.fullmatch(value, len(said_as)):
                place.compound = value  # 东安花园的，就那个东安花园三期: which phase, said next
                said.append(value)
                return True
            return False  # said again in full (桂花园，桂花园小区)
        # A village's town or county may be said after it (村名：石各庄村 所属乡镇：杨宋镇).
        specific = place.specific and not (place.compound.endswith(self._village_suffixes) and not (
            place.road or place.landmark or place.building or place.street and n.kind == "street"))
        if n.kind == "district":
            if place.district or specific:
                return None
            place.district = value
        elif n.kind == "street":
            if place.street or specific:
                return None
            place.street = value
        elif n.kind == "road":
            if place.road or place.compound or place.landmark or place.between and not adjacent:
                return None  # (从A口到B口之间的金宝街: the road of the stretch, said after it)
            place.road = value
        elif n.kind == "junction":
            if place.cross_road or place.compound or place.landmark or place.number or place.between:
                return None
            if place.road and place.road not in (n.value, n.cross):
                return None
            place.road, place.cross_road = n.value, n.cross
            said += [n.value, n.cross]
        elif n.kind == "between":
            if place.between or place.compound or place.landmark or place.cross_road or place.number:
                return None
            place.between = list(n.ends)
        elif n.kind == "compound":
            if place.compound or place.landmark and not adjacent:
                return None  # (工商大学荷塘小区: the compound of the landmark just named)
            place.compound = value
        elif n.kind == "landmark":
            if place.landmark or (place.compound or place.cross_road) and not n.attached or place.number:
                return None  # (天河北路与体育东路交汇处天桥下: the junction's footbridge)
            place.landmark = value
        if value:
            said.append(value)
        return True

    def _skip_soft(self, t: str, pos: int) -> int:
        while True:
            m = _ALIAS.match(t, pos)
            if m:  # 永济桥（老石桥）下面: the other name in brackets
                pos = m.end()
                continue
            m = _PUNCT.match(t, pos)
            if m:
                pos = m.end()
                continue
            if self._side_words.match(t, pos) or self._parts.match(t, pos) or self._roles.match(t, pos):
                return pos
            m = self._fillers.match(t, pos)
            if not m:
                return pos
            pos = m.end()

    def _part(self, t: str, pos: int, place: Place) -> int:
        """A detail of the place at pos (number, building, unit, gate, exit, stretch, side):
        the position after it, or 0."""
        if place.compound and not place.building and not _PHASE.search(place.compound):
            m = _PHASE.match(t, pos)
            if m and not t.startswith(("区域", "期间"), m.start()):
                place.compound += m.group()  # 书香门第，二期，12号楼: the phase, said after a pause
                return m.end()
        if place.landmark and t.startswith(place.landmark, pos - len(place.landmark)):
            m = _CAMPUS.match(t, pos)
            if m:  # 实验小学西校区, 人民医院东院区: which of its sites, part of its name
                place.landmark += m.group()
                return m.end()
        if place.road and not place.compound and not place.landmark and not place.cross_road:
            junction = self._junction_word(t, pos) if t.startswith(place.road, pos - len(place.road)) else 0
            if junction and not place.number:
                return pos + junction  # 文化路口那个天桥: the road's crossing, no other road named
            m = _NUMBER.match(t, pos)
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
            m = _STRETCH.match(t, pos)
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
            m = _BUILDING.match(t, pos)
            if m and not place.unit:
                if place.building and place.building != m.group(1):
                    return 0
                place.building = m.group(1)
                place.side = ""
                return m.end()
            m = _UNIT.match(t, pos)
            if m and (place.building or place.compound):
                if place.unit and place.unit != m.group(1):
                    return 0
                place.unit = m.group(1)
                place.side = ""
                return m.end()
        if place.compound or place.landmark or place.number:
            m = self._gate_re.match(t, pos)
            if m:
                gate = (m.group(1) + "门") if m.group(1) else m.group(2)
                if place.gate and gate in self._undirected_gates and m.group(3):
                    place.side = "门口"  # 南大门，大门口儿: the gate said again, and at it
                    return m.end()
                if place.gate and place.gate != gate:
                    return 0
                place.gate = gate
                place.side = "门口" if m.group(3) else place.side  # 小区门口，南门: both kept
                return m.end()
        if place.landmark and self._is_station(place.landmark):
            m = _EXIT.match(t, pos)
            if m:
                exit_ = m.group(1).upper()
                if place.exit and place.exit != exit_:
                    return 0
                place.exit = exit_
                return m.end()
        return self._side(t, pos, place)

    def _is_station(self, name: str) -> bool:
        return name.endswith(tuple(self._stations)) and not name.endswith(tuple(self._not_stations))

    def _side(self, t: str, pos: int, place: Place) -> int:
        if not place.specific:
            return 0
        m = _GABLE.match(t, pos)
        if m and (place.building or place.compound) and not place.side:
            place.side = m.group(1) + "侧"  # 二号楼西山墙: its west wall
            return m.end()
        if place.landmark.endswith(self._bridges) and not place.side:
            m = _BRIDGE_HEAD.match(t, pos)
            if m:  # 锦江大桥东桥头: the bridge's east end
                place.side = (m.group(1) or m.group(2)) + "侧"
                return m.end()
        village = place.compound.endswith(self._village_suffixes) and not place.landmark
        if village:
            m = self._village_side_re.match(t, pos) or self._village_bare_side_re.match(t, pos)
            if m and (m.group(1) or self._right_after_village(t, pos, place)):
                place.side = (m.group(1) + "侧") if m.group(1) else "内"
                return m.end()
        # a road (or a junction) with nothing finer said: its side or stretch may follow
        road_only = place.road and not (place.number or place.landmark or place.compound or place.stretch)
        if place.road and not (place.number or place.landmark or place.compound or place.side):
            m = self._road_side_re.match(t, pos)  # 长乐大道中段路东边儿: the stretch's side too
            said_right_before = t.startswith(place.road, pos - len(place.road)) \
                or t[pos - 1:pos] == "," and t.startswith(place.road, pos - 1 - len(place.road))  # 云杉路，路北
            if m and (said_right_before or place.cross_road and t[pos - 1:pos] == "口"
                      or place.stretch and t.startswith("段", pos - 1)):
                place.side = m.group(1) + "侧"
                return m.end()
            m = _LANE_END.match(t, pos)
            if road_only and m and not place.cross_road and t.startswith(place.road, pos - len(place.road)):
                place.side = m.group(1) + "侧"  # 遂安伯胡同东口: the lane's east end
                return m.end()
        lean = 1 if road_only and t.startswith("靠", pos) else 0  # 锦江大道靠东头那段
        most = 1 if t.startswith("最", pos) and not lean else 0  # 滨河东路最东头: its east end
        m = self._direction_re.match(t, pos + lean + most)
        if m and not t.startswith(("门", "大门"), m.end()):
            stretch = _STRETCH_AFTER.match(t, m.end())
            if stretch and road_only:
                place.stretch = m.group(1) + "段"  # 滨河路北边那一段: the road's north stretch
                return stretch.end()
            if stretch and place.stretch == m.group(1) + "段":
                return stretch.end()  # 朝阳门南小街，北段，北头那一截儿: that stretch said again
            end_of = _END_OF_ROAD.match(t, m.end()) if lean else None
            if not lean or end_of:
                place.side = m.group(1) + "侧"  # (栖霞路靠西边儿那头: its west end)
                return end_of.end() if end_of else m.end()
        m = self._side_words.match(t, pos)
        if m:
            word = m.group()
            value = self._side_of[word]
            if True:
                if value == "上" or word == "下":  # 桥上, 桥下: a bridge's own sides
                    bridge = place.landmark.endswith(self._bridges)
                    below_building = word == "下" and place.building and t[pos - 1:pos] == "楼"  # 3号楼下
                    if not bridge and not below_building:
                        return 0
                if value in ("上", "下") and place.side.endswith("侧"):
                    return pos + len(word)  # 跃进桥东侧桥下: the east side tells it from the west
                if self._not_sides.match(t, pos):
                    return 0
                if value == "内" and village and not self._right_after_village(t, pos, place):
                    return 0
                place.side = value
                return pos + len(word)
        return 0

    def _right_after_village(self, t: str, pos: int, place: Place) -> bool:
        """王庄村里的路, 秦家屯村村内: inside the village. 我是石桥村村民，村里的自来水 says
        nothing finer than the village."""
        name_at = t.rfind(place.compound, 0, pos)
        between = t[name_at + len(place.compound):pos] if name_at >= 0 else ","
        return all(c.isspace() or c in self._village_suffixes for c in between)

    def _kinds_ending(self, name: str) -> tuple[str, ...]:
        """The kind suffixes (two characters or more) a name ends with, longest first, not the
        whole name (cached: the same names recur)."""
        found = self._ending_cache.get(name)
        if found is None:
            found = tuple(k for k in self._kind_suffixes if name.endswith(k) and name != k)
            if len(self._ending_cache) < 20_000:
                self._ending_cache[name] = found
        return found

    def _skip_hard(self, t: str, pos: int, place: Place, said: list[str], names: list[_Name]) -> int:
        """What a caller says between the parts of one place and that says nothing about
        it: the position after it, or 0."""
        m = _MORE_PRECISELY.match(t, pos)
        if m:
            return m.end()  # 地址：建国门地铁站 内容：具体在A口外面: the field's place, said finer
        for rx in (_DATE, _TIME, _PHONE, _DENIAL, _FLOOR, _FORM_LABEL, _HEADING):
            m = rx.match(t, pos)
            if m and m.end() > pos:
                if rx is _FORM_LABEL and _PROBLEM_LABEL.search(m.group()) \
                        and (place.side or not self._side_words.match(t, m.end())):
                    return 0  # 地点:…; 问题:…: the place has ended (but 问题:门口井盖缺失)
                return m.end()
        if place.building or place.unit:
            m = _FLAT.match(t, pos)
            if m:
                return m.end()
        m = _SPOKEN_DIGITS.match(t, pos)
        if m:
            return m.end()
        m = _SPELLED.match(t, pos)
        if m and any(m.group(1) in v for v in said):
            return m.end()
        m = self._roles.match(t, pos)
        if m:
            return m.end()
        m = _BUILDING_AGAIN.match(t, pos)
        if m and place.building == m.group(1):
            return m.end()  # 栖霞苑，5号楼，5号…不对: the building said again
        if (place.landmark or place.compound or place.road) and not place.side:
            m = self._parts.match(t, pos)
            if m:
                return m.end()
        m = _PHASE.match(t, pos)
        if m and place.compound.endswith(m.group()):
            return m.end()
        m = _COMMUNITY.match(t, pos)
        if m and (place.street or place.district):
            return m.end()
        for v in said:
            for k in range(len(v), 1, -1):
                if t.startswith(v[:k], pos):
                    return pos + k
            for suffix in self._kinds_ending(v):  # 省体育馆，体育馆西门: its kind said again
                if t.startswith(suffix, pos):
                    return pos + len(suffix)
        m = self._back_refs.match(t, pos) or self._descriptions.match(t, pos)
        if m:
            return m.end()
        # 沃尔玛,沃尔玛超市: a name said short before it is said in full
        m = _SHORT_NAME.match(t, pos)
        if m:
            nxt = self._skip_soft(t, m.end())
            if any(n.start == nxt and n.value.startswith(m.group()) for n in names):
                return m.end()
        # 新华路人民路口那个岗亭旁边: a small unnamed thing at the junction, and near it
        if place.cross_road and not place.side:
            m = _THING_NEAR.match(t, pos)
            if m and not self._single_boundaries.intersection(m.group(1)):
                place.side = "旁"
                return m.end()
        return 0


# -- helpers ------------------------------------------------------------------------------------


# A name the caller came from, not where the problem is: 从X(那边)出来/过来/走过去…, 途经X，步行至…
# (从A到B alone is a stretch, read elsewhere.)
_CAME_FROM = re.compile(r"(?:那边|这边|那儿|这儿)?(?:溜达|走|跑|骑|开)?(?:过来|出来|过去|出发)")
_WENT_ON_TO = re.compile(r",?(?:步行|走)?(?:至|到)")

# After a district's name, the start of the name of one of its own institutions.
_GLUED_DISTRICT = re.compile(rf"([{CJK}]{{2,3}}区)(?=[{CJK}]{{3,}})")
_DISTRICT_INSTITUTION = re.compile(r"人民|第[一二三四五六七八九十\d]|中心|妇幼|中医|实验|政府|委|图书馆|文化馆|体育")


def _estate_name(name: str) -> str:
    """An estate's name as written down: 嘉禾苑三期(c区) → 嘉禾苑三期C区."""
    return _SECTION_LETTER.sub(lambda m: m.group(1).upper() + "区", name)


def _without_repeated_admin(t: str, names: list[_Name]) -> list[_Name]:
    """The names, less a district or street said again right after itself (东安区，东安区，嗯，
    建国门街道): the first stands, and the next name follows it."""
    out: list[_Name] = []
    for n in names:
        last = out[-1] if out else None
        if last is not None and n.kind in ("district", "street") and n.kind == last.kind \
                and n.value == last.value and _PUNCT_RUN.fullmatch(t, last.end, n.start):
            out[-1] = _Name(last.kind, last.value, last.start, n.end)
            continue
        out.append(n)
    return out


def _without_aliases(t: str, names: list[_Name]) -> list[_Name]:
    """The names, less those said in brackets as another name of the one before."""
    spans = [m.span() for m in _ALIAS.finditer(t) if m.start() > 0]
    if not spans:
        return names
    return [n for n in names if not any(s < n.start and n.end < e for s, e in spans)]


# Marks where a space separated two phrases (see normalize); taken out before names are read.
_PHRASE_BREAK = "\u2063"


def prepare(text: str, phrase_breaks: bool = False) -> str:
    """Normalised text (simplified, half-width, fillers out) with spoken numbers as digits;
    with `phrase_breaks`, a space between two phrases is kept as _PHRASE_BREAK."""
    t = normalize(text if isinstance(text, str) else "", _PHRASE_BREAK if phrase_breaks else "")
    t = _STUTTER.sub("", t)
    t = _GLUED_STUTTER.sub("", t)
    t = _SPOKEN_NUMBER.sub(lambda m: str(chinese_numeral(m.group(1)) or m.group(1)), t)
    if "来着" in t:
        t = _WHICH_WAS_IT.sub("", t)
    if "号之" not in t:
        return t
    return _SUB_NUMBER.sub(lambda m: f"{m.group(1)}-{chinese_numeral(m.group(2)) or m.group(2)}号", t)


# A caller searching his memory (几号来着，哦，41号 / A口还是B口来着，B口): what he then says is the
# place's detail, as if said straight after the name
_WHICH_WAS_IT = re.compile(
    rf"(?:那个)?[{_PHRASE_BREAK}.,]*(?:[一二三四五六七八九十百\d]{{0,3}}几(?:号楼|栋|幢|号院|号口|号|单元|口)?|哪个门|哪个口"
    r"|[a-z\d]口还是[a-z\d]口|[东西南北]{1,2}门还是[东西南北]{1,2}门)来着"
    rf"[{_PHRASE_BREAK}.,\s]*(?:(?:哦|噢|对|我想想|想想|我看看|看看|让我想想)[{_PHRASE_BREAK}.,\s]*)*")
# A caller's false start, said again whole after a pause: 八，八号楼 / 南，南大门 / 十……十四栋
# (not a word said twice on purpose: 不，不是八条 is a denial, 对，对面 an answer)
_STUTTER = re.compile(rf"(?<![{CJK}\d])(?![不是对哦嗯啊那这就我俺])([{CJK}]{{1,2}})[,.{_PHRASE_BREAK}]+(?=\1)")
# …and one glued to the name before it: 新鲜胡同十、十九号, 北新仓胡同二十……二十六号, 就是东、东门口
_GLUED_STUTTER = re.compile(rf"([一二三四五六七八九十百]{{1,2}})[,.{_PHRASE_BREAK}]+(?=\1)|([东西南北])[,.{_PHRASE_BREAK}]+(?=\2大?门)")
# 苇城区, 鹿城区: a district named X城区 (but 老城区, 主城区, 县城区 are parts of a town)
_NAMED_CITY_DISTRICT = re.compile(r"[^老主新旧县市镇中南北东西城内外本该全]城区")
# 十八号之二 = 18-2号: a house number's sub-number said the old way
_SUB_NUMBER = re.compile(r"(\d{1,5})号之([一二三四五六七八九十]{1,3}|\d{1,3})")


def _phrase_starts(t: str) -> tuple[str, frozenset[int]]:
    """t without its phrase breaks, and where the phrases after them start."""
    parts = t.split(_PHRASE_BREAK)
    starts, at = set(), 0
    for part in parts[:-1]:
        at += len(part)
        starts.add(at)
    return "".join(parts), frozenset(starts)


# 东四十条路口 is 东四十条 + 路口: a 路 after a road's own ending is the junction word's
_JUNCTION_ROAD = re.compile(r"(?<=.[条街同巷道站场路])路$")
# …and 蒲桥路口 may be 蒲桥 + 路口 or 蒲桥路 + 口: compared without it
_ROAD_AFTER_END = re.compile(r"(?<=.[园桥])路$")


def end_as_said(name: str) -> str:
    """An end of a stretch as a dispatcher writes it, without the junction word: 东四十条路口 →
    东四十条, 花园路口 → 花园路."""
    if name.endswith("口"):
        name = name[:-1]
    return _JUNCTION_ROAD.sub("", name)


def stretch_end(name: str) -> str:
    """An end of a stretch as two reports are compared by: 蒲桥路口, 蒲桥路 and 蒲桥 are one."""
    return _ROAD_AFTER_END.sub("", end_as_said(name))


def _longest_first(words) -> list[str]:
    return sorted(words, key=len, reverse=True)


def _alternation(words) -> str:
    return "|".join(map(re.escape, _longest_first(words)))


def _suffix_alternation(kinds: dict[str, str]) -> str:
    """The suffixes, longest first, each refusing to end where a suffix of another kind that
    starts inside it would go on: 大街 not in 华大街道 (a street office, not a road)."""
    parts = []
    for a in _longest_first(kinds):
        tails = {b[k:] for b in kinds for k in range(1, min(len(a), len(b)))
                 if kinds[b] != kinds[a] and a.endswith(b[:k])}
        parts.append(re.escape(a) + (f"(?!{_alternation(tails)})" if tails else ""))
    return "|".join(parts)


def _words_re(words) -> re.Pattern:
    """One pattern matching any of the words, the longest first."""
    return re.compile(_alternation(words))


def _load_names(kind: str) -> set[str]:
    path = GAZETTEER / f"{kind}.txt"
    if not path.exists():
        return set()
    return {line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


@functools.cache
def _bundled_words() -> PlaceWords:
    return load_place_words()


GENERIC_LANDMARKS = frozenset(_bundled_words()["landmarks.generic"])
BRANDS = frozenset(_bundled_words()["landmarks.brands"])
LANDMARK_SUFFIXES = frozenset(_bundled_words()["landmarks.suffixes"])
COMPOUND_SUFFIXES = frozenset(_bundled_words()["compounds.suffixes"])

_DEFAULT: PlaceReader | None = None


def extract_place(text: str) -> Place | None:
    """The place in `text` (None when it names none a dispatcher could use)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = PlaceReader()
    return _DEFAULT.read(text)
