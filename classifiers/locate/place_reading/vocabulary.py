"""The place words (words.py) compiled once per reader into the sets and patterns every step
matches with: which suffix makes which kind of name, the words that end a name, the
corrections, junction words, gates, sides and directions."""
from __future__ import annotations

import re
from collections.abc import Mapping, Set

from classifiers.locate.place_reading.patterns import CALLER, CJK, OPERATOR, STRETCH_AFTER
from classifiers.locate.place_reading.text import PHRASE_BREAK
from classifiers.locate.place_reading.words import PlaceWords, division_names, towns_by_district

_TOWN_SUFFIXES = ("街道", "镇", "乡")
_COMMONER = ("乡", "街道", "镇")  # of towns of one name, the one said bare is likelier the last
_FEW_TOWNS_NAMED = 2  # streets and towns named with a district's short name, at most, for it to name the district
# where a district said short may start: the text's start, after a pause or a digit, after 是 / 在 / 的
_PHRASE_START = re.compile(rf"(?:^|(?<=[^{CJK}])|(?<=[是在的]))[{CJK}]")
_ETHNIC_DIVISION = re.compile(r"(.{2,3}?)(?:[^族]{1,3}族)+(?:自治县|自治旗|区|县)")


class Vocabulary:
    """`districts`/`streets`: the division table's names; `words`: the checked word file;
    `towns`: each district's towns (default: the table's, `towns.txt`)."""

    def __init__(self, districts: Set[str], streets: Set[str], words: PlaceWords,
                 towns: Mapping[str, Set[str]] | None = None):
        self.districts = districts
        self.streets = streets
        self._towns = towns_by_district() if towns is None else towns
        self._bare_towns: dict[str, dict[str, str]] = {}
        self._towns_anywhere: dict[str, str] = {}
        self._street_prefixes: dict[str, int] = {}
        self.words = w = words
        boundaries = w["names.boundaries"]
        self.single_boundaries = {b for b in boundaries if len(b) == 1}
        lengths = sorted({len(b) for b in boundaries if len(b) > 1})
        self.longer_boundaries = [(n, {b for b in boundaries if len(b) == n}) for n in lengths]
        self.connectors = set(w["names.connectors"])
        self.boundary_words_in_names = frozenset(w["names.boundary_words_in_names"])
        # (those of four characters or more, taken in wherever they are: 有轨电车体育馆站)
        self.long_words_in_names = tuple(b for b in self.boundary_words_in_names if len(b) >= 4)
        self.vague_end = re.compile(f"(?:{_alternation(w['names.vague'])})$")
        self.vague_start = re.compile(f"(?:{_alternation(w['names.vague'])})(?=[{CJK}]{{2}})")
        kinds: dict[str, str] = {}
        self.road_suffixes = tuple(w["roads.suffixes"])
        for suffix in w["roads.suffixes"]:
            kinds[suffix] = "road"
        # 天府|三街, 万达城|南路: a one-character estate suffix inside a road's name
        self.road_goes_on = re.compile(rf"[{CJK}]{{1,2}}(?:{_alternation(w['roads.suffixes'])})")
        for suffix in w["compounds.suffixes"]:
            kinds.setdefault(suffix, "compound")
        for suffix in w["landmarks.suffixes"]:
            kinds.setdefault(suffix, "landmark")
        self.not_streets = set(w["admin.not_streets"])
        self.not_districts = tuple(w["admin.not_districts"])
        self.brands = set(w["landmarks.brands"])
        for brand in self.brands:
            kinds.setdefault(brand, "landmark")
        self.admin_suffixes = (*w["admin.district_suffixes"], *w["admin.street_suffixes"])
        for suffix in w["admin.district_suffixes"]:
            kinds.setdefault(suffix, "district")
        for suffix in w["admin.street_suffixes"]:
            kinds[suffix] = "street"
        self.kinds = kinds
        self.suffixes = tuple(_longest_first(kinds))
        self._ending_cache: dict[str, tuple[str, ...]] = {}
        self.kind_suffixes = tuple(k for k in _longest_first(kinds) if len(k) >= 2
                                   and kinds[k] in ("compound", "landmark"))
        # 中石油 加油站, 东安区 图书馆: a transcript's space between a name and its kind is no pause
        self.kind_after_break = re.compile(rf"(?<=[{CJK}]{{2}}){PHRASE_BREAK}+(?=(?:{_alternation(self.kind_suffixes)}))")
        first_chars = "".join(sorted({k[0] for k in kinds}))
        self.suffix_re = re.compile(f"(?=[{first_chars}])(?:{_suffix_alternation(kinds)})")
        self.not_names = {"road": set(w["roads.not_names"]), "compound": set(w["compounds.not_names"]),
                          "landmark": set(w["landmarks.not_names"])}
        self.not_before = _words_re(w["roads.not_before"])
        self.not_road_endings = w["roads.not_endings"]
        self.not_landmark_endings = w["landmarks.not_endings"]
        self.own = set(w["admin.own"])
        self.numbered = set(w["roads.numbered"])
        self.numbered_followers = _words_re(w["roads.numbered_followers"])
        self.need_number = set(w["roads.need_number"])
        self.need_context = set(w["compounds.need_context"])
        # the suffixes that make an estate by themselves (小区, 花园, 公寓 …; not 里, 城, 院)
        self.compound_suffixes = tuple(sorted((x for x in w["compounds.suffixes"] if x not in self.need_context),
                                              key=len, reverse=True))
        self.context_followers = _words_re(w["compounds.context_followers"])
        self.not_compound_before = _words_re(w["compounds.not_before"])
        self.lanes = set(w["compounds.lanes"])
        self.footbridges = set(w["landmarks.footbridges"])
        self.road_bridges = set(w["landmarks.road_bridges"])
        self.attached = set(w["landmarks.attached"])
        self.named_alone = frozenset(w["landmarks.named_alone"])
        self.stations = w["landmarks.stations"]
        self.not_stations = w["landmarks.not_stations"]
        self.parts = _words_re(w["landmarks.parts"])
        self.suffix_in_other_word = _words_re(w["landmarks.suffix_in_other_word"])
        self.branches = tuple(w["landmarks.branches"])
        self.division_asked = re.compile(_alternation(w["phrases.division_asked"]))
        # The caller's whole answer to the operator's question for the district (请问哪个区？来电人：坡头)
        self.division_answered = re.compile(
            rf"{OPERATOR}:[^:]{{0,12}}?(?:{_alternation(w['phrases.division_asked'])})[^:]{{0,8}}?\?"
            rf"{CALLER}:(?:在|是|就|我们|我们是|俺们)?([{CJK}]{{2,4}}?)(?:的|啊|呀|嘅|那边)?(?=[.,!?]|{OPERATOR}:|$)")
        self.division_belongs = re.compile(_alternation(w["phrases.division_belongs"]))
        self.residence_end = re.compile(f"(?:{_alternation(w['phrases.residence'])})$")
        self.turn_re = re.compile(_alternation(w["phrases.turns"]))
        self.not_here = re.compile(_alternation(w["phrases.not_here"]))
        self.pointed = re.compile(_alternation(w["phrases.pointed"]))
        self.routine = re.compile(_alternation(w["phrases.routine"]))
        self.errand_after = re.compile(rf"[\s,{PHRASE_BREAK}]*(?:这边|那边|这儿|那儿|这里|那里)?[\s{PHRASE_BREAK}]*"
                                       rf"(?:{_alternation(w['phrases.errands'])})")
        self.fillers = _words_re(w["phrases.fillers"])
        self.roles = _words_re(w["phrases.roles"])
        self.back_refs = _words_re(w["phrases.back_references"])
        self.form_labels = _words_re(w["phrases.form_labels"])
        # (up to 的: 建国门内大街上靠近建内公交站的过街天桥下面 — what comes after it is the place's own)
        self.descriptions = re.compile(f"(?:{_alternation(w['phrases.descriptions'])})[^,.;!?的]{{1,10}}的?")
        self.correction_words = w["phrases.corrections"]
        self.note_words = re.compile(_alternation(w["phrases.note_words"]))
        misheard = w["phrases.misheard"]
        self.misheard = (re.compile("|".join(map(re.escape, _longest_first(misheard)))), misheard) if misheard else None
        # A correction word said with a comma (不是,) is said with a pause in a transcript (不是 …)
        words = _alternation([*w["phrases.corrections"],
                              *(c[:-1] + PHRASE_BREAK for c in w["phrases.corrections"] if c.endswith(","))])
        # (…不是本司，我说错了，是演乐胡同: the name denied first, then the correction)
        correction = (rf"(?:吗|吧|啊|呀|呢|哎呀|哎|哦)?[\s,.;:!?{PHRASE_BREAK}]*(?:不是[^,.;!?]{{1,6}}[,.;!?]+|不是(?=我|俺))?(?:我|俺)?(?:{words})"
                      rf"(?:[\s,.;:!?{PHRASE_BREAK}]*(?:我|俺)?(?:{words}))*")
        # (also an operator's, in brackets or not: 大雅宝胡同（来电人随后更正为小雅宝胡同）26号,
        # 礼士小区，来电人随后更正为礼士花园; 苏州胡同，经来电人更正为船板胡同15号)
        # (and after the operator asked: 东堂子胡同，经询问后更正为东堂子小区内)
        asked = r"经(?:询问|追问|核实|确认)后?,?"
        bracket = rf"\(?(?:{asked})?经?(?:来电人|市民|其)(?:随后|后来|后|又)?|\(?{asked}|\((?:随后|后来|后|又)?"
        # (a name in quotes, which the text writes ": 起初称地点为“雅宝公寓”，后更正为小雅宝小区)
        self.corrections_re = re.compile(rf'[\s,.;:!?"{PHRASE_BREAK}]*(?:{bracket})?{correction}')
        # …or after the name's details (康宁路十号楼下，不是，康宁路十号门口)
        # (or with only a pause, which the text no longer shows: 华联超市东四店 门口 不对 八条幼儿园门口)
        # (or a sentence on, with words that can only mean it: 金溪花园 电梯又坏了 不好意思 打错了 是金溪苑)
        self.corrections_later = re.compile(rf"[^,.;!?]{{0,8}}?(?:[,.;!?]+\s*|{bracket}|(?=不对|说错了|搞错了)){correction}"
                                            rf"|[^,.;!?]{{0,14}}?(?=(?:不好意思|抱歉)?[{PHRASE_BREAK}\s]*(?:打错了|写错了|记错了)){correction}")
        self.junctions = _words_re(w["phrases.junctions"])
        ends = "|".join(map(re.escape, _longest_first(w["phrases.between_ends"])))
        self.between_ends = re.compile(f"(?:的)?(?:{ends})")
        self.between_tail = re.compile(rf"([{CJK}]{{2,10}}?)口?[,\s]*(?:的)?(?:{ends})(?:的|{STRETCH_AFTER.pattern})?")
        dirs = _alternation(w["gates.directions"])
        named = _alternation(w["gates.named"] + w["gates.undirected"])
        # (东边儿那个门儿，那门儿口: the reader has taken 那个 out)
        # (a park's or scenic spot's 南入口 is its south gate)
        self.gate_re = re.compile(rf"(?:({dirs})(?:边儿?|面|侧)?(?:大?门儿?|入口(?!处?[a-z\d]))|({named}))(,?那?门?儿?口)?")
        self.undirected_gates = frozenset(w["gates.undirected"])
        self.side_of = {word: value for value, words_ in w.sides.items() for word in words_}
        self.side_words = _words_re(self.side_of)
        # (外出 is going out, but 门外出租车 is a taxi outside the gate)
        self.not_sides = re.compile(f"(?:{_alternation(w['phrases.not_sides'])})(?!(?<=外出)租)")
        self.bridges = tuple(w["landmarks.bridges"])
        d = "".join(w["directions.words"])
        endings = "|".join(_longest_first(w["directions.endings"]))
        self.direction_re = re.compile(rf"([{d}])(?:{endings})")
        # 丰乐路路南, 路北侧: the side of the road; 李家村南这边: a village's side said bare
        self.road_side_re = re.compile(rf"路([{d}])(?:{endings})?(?![路街道巷大])")
        self.village_bare_side_re = re.compile(rf"([{d}])(?=这边|那边|这块|那块|这里|那里|一带|有(?!限)|的|[,.;!?\s]|$)")
        self.village_suffixes = tuple(w["directions.village_suffixes"])
        vs = "".join(self.village_suffixes)
        self.village_again = re.compile(rf"的?[,.\s]*(?:俺们|我们|咱们|俺|我|咱)?[{vs}][{d}里口]")
        self.village_side_re = re.compile(
            rf"(?:俺们|我们|咱们|俺|我|咱)?[{vs}](?:([{d}])(?:{endings})?|(里头|里面|里|内))")
        # 上河村二组，村南边 / 三合村，就是村子东头: the village's side said a few words later
        # (or after a pause: 桃坞村，桃坞村后头，北边儿)
        self.village_side_later = re.compile(
            rf"[^.!?;]{{0,14}}?(?:(?:俺们|我们|咱们|俺|我|咱)?[{vs}]子?([{d}])(?:{endings}|口)|,([{d}])(?:{endings}))")
        # 户口还在老家龙亢镇杨圩村。…发现村南头的大坑里 / 村北那段河道: a letter tells the story first and
        # says the side a sentence or two later, calling the village just 村
        self.village_side_far = re.compile(
            rf"(?:俺们|我们|咱们|俺|我|咱)?[{vs}]子?([{d}])(?:(?:{endings})|(?=那|这|有(?!限)|的|[,.;!?\s]|$))")
        # 西城那边 → 西城区: a district said without its suffix, where the words make it clear
        # (sorted, a city's 区 last so that it wins over a county of the same short name: 东安区, not
        # 东安县 — whatever the hash order of the set; a county-level city 市 first)
        # (a county-level city first of all: 龙口 → 龙口市, but 栖霞 → 栖霞区)
        self.district_short = {name[:-1]: name for name in sorted(
            (n for n in self.districts if len(n) >= 3 and n[-1] in "市县区"), key=lambda n: ("市县区".index(n[-1]), n))}
        # 瀍河回族区 said 瀍河, 北川羌族自治县 said 北川: an ethnic district's or autonomous county's
        # name said bare, without its people (said 北川县, it is written as said: the labellers do,
        # and another province may have a county of that name)
        for name in sorted(self.districts):
            m = _ETHNIC_DIVISION.fullmatch(name)
            if m:
                self.district_short.setdefault(m.group(1), name)
        self.town_institution = re.compile(_alternation(w["landmarks.town_institutions"]))
        self.short_context = re.compile("那边|这边|那块|这块|一带|这片|那片")
        # 柳州文惠桥, 无锡清扬路大润发超市: a city said without 市 before a name, no part of it
        self.city_short = frozenset(name[:-1] for name in division_names("cities") if len(name) >= 3)

    def towns_said_after_district(self, t: str) -> list[tuple[int, str, int, str, int]]:
        """Each district said short, at the start of a phrase or after 是 / 在 / 的, and one of its
        towns said bare right after it (如东掘港, 我是通州金沙的), as (start, district, end of the
        district, town, end of the town): at each start the longer district name, then the longer
        town first."""
        found = []
        for m in _PHRASE_START.finditer(t):
            i = m.start()
            for said in (3, 2):
                district = self.district_short.get(t[i:i + said])
                if district is None:
                    continue
                towns = self.bare_towns(district)
                for bare in (4, 3, 2):
                    town = towns.get(t[i + said:i + said + bare])
                    if town is not None:
                        found.append((i, district, i + said, town, i + said + bare))
        return found

    def said_short_only(self, short: str) -> bool:
        """Is a district's short name (霞山, 廉江) a name few streets and towns start with, unlike
        a word many places are named with (东湖, 龙湖, 临江)? (cached)"""
        if not self._street_prefixes:  # streets counted by their first two, three and four characters, once
            for street in self.streets:
                for k in (2, 3, 4):
                    self._street_prefixes[street[:k]] = self._street_prefixes.get(street[:k], 0) + 1
        return self._street_prefixes.get(short, 0) <= _FEW_TOWNS_NAMED

    def towns_of(self, district: str) -> Set[str]:
        """A district's towns and street offices in the division table."""
        return self._towns.get(district, frozenset())

    def bare_towns(self, district: str) -> dict[str, str]:
        """A district's towns by their names said without 镇 / 乡 / 街道 (掘港 → 掘港街道), those
        of two characters or more that name one town only (cached per district)."""
        found = self._bare_towns.get(district)
        if found is None:
            seen: dict[str, str | None] = {}
            for town in self._towns.get(district, ()):
                suffix = next((s for s in _TOWN_SUFFIXES if town.endswith(s)), "")
                bare = town[:-len(suffix)] if suffix else ""
                if len(bare) >= 2:
                    seen[bare] = town if bare not in seen else None  # (金沙镇 and 金沙街道: not said which)
            found = self._bare_towns[district] = {bare: town for bare, town in seen.items() if town}
        return found

    def town_anywhere(self, bare: str) -> str:
        """The town of the national table said bare (容桂 → 容桂街道, 乐从 → 乐从镇), "" where none is or
        the word is a city's or district's short name too; of 镇, 街道 and 乡 of one name, the town (镇)
        is the commoner (cached)."""
        if not self._towns_anywhere:
            for suffix in _COMMONER:  # (镇 written last wins)
                for town in self.streets:
                    if town.endswith(suffix) and len(town) - len(suffix) >= 2:
                        self._towns_anywhere[town[:-len(suffix)]] = town
        if bare in self.city_short or bare in self.district_short or bare.endswith(self.road_suffixes) \
                or self.junctions.search(bare):
            return ""  # (路口 is no 路口镇)
        return self._towns_anywhere.get(bare, "")

    def crosses_boundary(self, name: str) -> bool:
        """Does a would-be name hold a word that ends the text before a name (昨天, 我家)?"""
        return bool(self.single_boundaries.intersection(name)) or any(
            name[i:i + n] in words for n, words in self.longer_boundaries for i in range(len(name) - n + 1))

    def is_station(self, name: str) -> bool:
        """A station that may have exits: ends in 站, but not 加油站, 公交站 … (`not_stations`)."""
        return name.endswith(tuple(self.stations)) and not name.endswith(tuple(self.not_stations))

    def kinds_ending(self, name: str) -> tuple[str, ...]:
        """The kind suffixes (two characters or more) a name ends with, longest first, not the
        whole name (cached: the same names recur)."""
        found = self._ending_cache.get(name)
        if found is None:
            found = tuple(k for k in self.kind_suffixes if name.endswith(k) and name != k)
            if len(self._ending_cache) < 20_000:
                self._ending_cache[name] = found
        return found


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
