"""Districts and streets: a 区/县 or 街道/镇/乡 named in the text, known to the division table or
made plain by what is said around it (南山县石桥镇, 我是临江区的, 高新区科技路); 西城那边 for
西城区; one said twice in a row counts once."""
from __future__ import annotations

import re

from classifiers.locate.place_reading.patterns import CJK, CJK_RUN, PUNCT
from classifiers.locate.place_reading.place import NAMED_KINDS, Name
from classifiers.locate.place_reading.vocabulary import Vocabulary

_CJK_CHAR = re.compile(rf"[{CJK}]")
# After a district said first in a phrase: a word (所属区域) or a building (御景湾南区5栋, an estate's part)
_NOT_DISTRICT_ALONE = re.compile(r"域|\s?[0-9A-Za-z一二三四五六七八九十]")
# Kinds of area a district may be named like (柳林区, 东矿区), known as a district by the town said after it
_NAMED_LIKE_A_KIND = ("林区", "矿区", "牧区", "山区")
# What may follow a town said first in a phrase (白鹭镇这个月…, 发生地点：白鹭镇｜…; not 镇江里)
_TOWN_ALONE_AFTER = re.compile(r"[^\u4e00-\u9fff]|$|这|那|最近|近来|近期|已经|一直|的|上")
_AREAS_HOUSING = ("宿舍", "家属院", "家属区", "家属楼", "小区", "新村")
_ONE_CHARACTER_NAMED = re.compile(rf"[{CJK}](?:{'|'.join(_NAMED_LIKE_A_KIND)})")


def named_like_a_kind(name: str) -> bool:
    """萁山区, 黄山区: one character before 山区 / 林区 … is a district's name, not a mountain area
    (偏远山区, 大山区 are said with more, or with a word no district begins with)."""
    return bool(_ONE_CHARACTER_NAMED.fullmatch(name)) and name[0] not in "大深小进去到在入出回上下这那"


_PLAUSIBLE_STREET = re.compile(rf"[{CJK}]{{2,4}}(?:街道|镇|乡)")
_ADMIN_ALONE = re.compile(r"(?:的)?(?:那边|这边|那块|这块|一带|那一块|这一块|这片|那片|这一片|那一片|辖区)|的(?=[\s,.;:!?])")
_VILLAGE_AFTER = re.compile(rf"[{CJK}]{{1,4}}村")
_OFFICE = re.compile(r"(办事处|办)$")
# 苇城区, 鹿城区: a district named X城区 (but 老城区, 主城区, 县城区 are parts of a town)
_NAMED_CITY_DISTRICT = re.compile(r"[^老主新旧县市镇中南北东西城内外本该全]城区")
_ADMIN_CHARS = set("省市区县镇乡")
_ASKED_BEFORE = 12  # from the operator's question (哪个区的？) to the division named in answer
_SECTION_OF_ESTATE = re.compile(r"([\u4e00-\u9fff]{2,}?)[城园苑][东西南北]区")
_COUNTY_LABEL = re.compile(r"县(?:[:：|｜\s,]|$)")
_PUNCT_RUN = re.compile(r"的?[\s,.;:!?~、]+")  # 东安区的，东安区: a pause between a name and itself


def division_name(vocab: Vocabulary, t: str, kind: str, start: int, s0: int, end: int, last: Name | None,
                  phrases: frozenset[int] = frozenset()) -> Name | None:
    """A district or street whose suffix (区, 县, 街道, 镇 …) starts at s0: the name as the
    division table holds it, or as the words around it make plain; None when neither."""
    known = vocab.districts if kind == "district" else vocab.streets
    if kind == "district" and any(t[start:end + k] in vocab.streets for k in (1, 2)) and t.startswith(("街道", "镇", "乡"), end):
        return None  # 溧阳市古县街道: a street named like a county elsewhere (古县)
    if kind == "district" and t.endswith(_NAMED_LIKE_A_KIND, 0, end) and t.startswith(_AREAS_HOUSING, end):
        return None  # 新汶街道矿区宿舍6号楼: the mine's housing, not the district 矿区
    if kind == "district" and (_COUNTY_LABEL.match(t, end) or t.endswith("区县", 0, end)):
        return None  # 所属区县：…, 流浪狗太多 区县 博望区: a form's label, no district
    if last is not None and last.end == s0 and last.kind in ("landmark", "compound") and start == s0:
        glued = t[last.start:end]  # 观音桥街道, 李家村镇: the name read as a landmark is the street's
        if glued in known or (kind == "street" and 3 <= len(glued) <= 6 and _VILLAGE_AFTER.match(t, end)) \
                or kind == "district" and glued.endswith("县") and glued[:-1] in vocab.district_short:
            # (孟村县, 孟村回族自治县 said as a county: 孟村 is no village here; written as said)
            return Name(kind, glued, last.start, end)
    if last is not None and last.kind in ("landmark", "compound", "road") and s0 - last.end <= 2 \
            and CJK_RUN.fullmatch(t, last.start, end):
        # 丰台区卢沟桥|街道, 怀柔区桥|梓镇, 海淀区学院路|街道: a district and the street,
        # read as a bridge or a road
        for cut in range(last.start, s0 - 1):
            if t[cut:end] in known and (cut == last.start or t[last.start:cut] in vocab.districts
                                        or _is_city(vocab, t[last.start:cut])):
                return Name(kind, t[cut:end], cut, end)  # (太原市小店区, 石家庄市桥西区: the city before it)
    if kind == "street" and t.startswith("街道", s0) and last is not None and last.kind == "road" and last.end == s0 \
            and (_ADMIN_ALONE.match(t, end) or end == len(t) or end in phrases or t[end] in ",.;!?\n "):
        return Name(kind, t[last.start:end], last.start, end)  # 松江路街道这块: a street office named after a road
    if kind == "street" and last is not None and last.kind == "district" and last.end == start \
            and 3 <= end - start <= 6 and t[start:end].endswith(("街道", "镇", "乡")) \
            and t[start:end] not in vocab.not_streets:  # (所在区域：东安区 / 所属街道：…: the next field's label)
        return Name(kind, t[start:end], start, end)  # 海淀区西北旺镇: not 北旺镇, a town elsewhere
    if kind == "district" and t[s0:end] == "市" and t[end:end + 1] in ("镇", "乡"):
        return None  # 怀宁小市镇: the town 小市镇 after the county said short, no city 怀宁小市
    section = _SECTION_OF_ESTATE.fullmatch(t, start, end) if kind == "district" else None
    if section and not (_is_city(vocab, section.group(1)) or section.group(1) in vocab.districts):
        return None  # 南瑞新城东区: an estate's eastern section, not 城东区 (西宁城东区 is)
    floor = last.end if last is not None else 0
    for k in (2, 1):  # 但家庙镇: a name the table knows that starts with a word that ends text (但)
        # (not across a pause: 补充一下 花桥镇 is no 下花桥镇)
        if start - k >= floor and t[start - k:end] in known and not phrases.intersection(range(start - k + 1, start + 1)) and _CJK_CHAR.match(t, start - k) and _CJK_CHAR.match(t, start - 1):
            return Name(kind, t[start - k:end], start - k, end)
    for cut in range(start, s0):
        name = t[cut:end]
        if name in known and not (cut > start and _NAMED_CITY_DISTRICT.fullmatch(t, cut - 1, end)):
            if name == "城区" and cut > start and t[cut - 1] in "东西南北":
                return Name(kind, t[cut - 1:end], cut - 1, end)  # 南城区, as 东城区 and 西城区: not 城区
            if name == "城区" and not t.endswith("市", 0, cut):
                continue  # 老旧城区: the town's centre; the district 城区 is said with its city (阳泉市城区)
            if len(name) == 2 and name != "城区" and 0 < cut - start <= 2 \
                    and not any(c in _ADMIN_CHARS for c in t[start:cut]):
                return Name(kind, t[start:end], start, end)  # 北郊区, 鹭口镇: no 郊区 or 口镇 of elsewhere
            return Name(kind, _OFFICE.sub("", name), cut, end)  # (苇城区 is not 城区)
    if kind == "street" and t[start:end] not in known:
        for cut in range(start + 2, min(start + 4, s0 - 1)):
            if t[start:cut] in vocab.district_short and s0 - cut >= 2:
                return Name(kind, t[cut:end], cut, end)  # 宿松破凉镇: the county said short, then its town
    name = _OFFICE.sub("", t[start:end])  # 东单街道办事处辖区: the street office's street
    after = PUNCT.match(t, end)
    after = after.end() if after else end  # 城南区，桃园街道: said with a pause between
    if not 3 <= len(name) <= 6 or kind == "district" and name.endswith(vocab.not_districts) \
            and not _NAMED_CITY_DISTRICT.fullmatch(name) \
            and not (name.endswith(_NAMED_LIKE_A_KIND) and _PLAUSIBLE_STREET.match(t, after)) \
            and not named_like_a_kind(name):
        return None  # (but 柳林区双河镇: a district named like a forest area, by the town after it)
    if kind == "district" and t[end:end + 1] not in ("市",) and _PLAUSIBLE_STREET.match(t, after):
        return Name(kind, name, start, end)  # 南山县石桥镇: a county, by the town after it
    if kind == "street" and last is not None and last.kind == "district" \
            and (last.end == start or PUNCT.fullmatch(t, last.end, start)) \
            and name.endswith(("街道", "镇", "乡")) and name not in vocab.not_streets:
        return Name(kind, name, start, end)
    if kind == "street" and name.endswith(("镇", "乡")) and _VILLAGE_AFTER.match(t, end):
        return Name(kind, name, start, end)  # 东坡镇红岩村: a town, by the village after it
    if kind == "district" and _VILLAGE_AFTER.match(t, after):
        return Name(kind, name, start, end)  # 双桥县张家湾村, 临江区，东沟村: by the village after it
    if kind == "district" and name.endswith("区") and (end in phrases or t.startswith("的", end)):
        return Name(kind, name, start, end)  # 南塘区的公交车, 高新区 晚上…: a district said alone
    if _ADMIN_ALONE.match(t, end):
        return Name(kind, name, start, end)  # 我是临江区的, 青石乡那边: named as where one is
    if name.endswith(("区", "县", "镇", "乡")) and (start == 0 or start in phrases or not _CJK_CHAR.match(t[start - 1])) \
            and not _NOT_DISTRICT_ALONE.match(t, end) and name not in vocab.not_streets \
            and (kind == "district" or end in phrases or _TOWN_ALONE_AFTER.match(t, end)):
        # 栖湾区这两天停水, 主题：城南区流浪犬问题, 发生地点：白鹭镇: what a message is about
        return Name(kind, name, start, end)
    if kind == "district" and name.endswith("区") and _named_right_after(vocab, t, end):
        return Name(kind, name, start, end)  # 高新区科技路: a district, by the road after it
    if kind == "street" and name.endswith("街道") and end - start >= 4 and name not in vocab.not_streets:
        return Name(kind, name, start, end)  # 东单街道最近老停水, 华大街道湖东路: a street office
    if vocab.division_asked.search(t, max(0, start - _ASKED_BEFORE), start) and name not in vocab.not_streets:
        return Name(kind, name, start, end)  # 哪个区县的？嗯，就是青山县: the answer to the operator's question
    return None


_POINTING = ("那座", "那个", "那条", "那家", "这个", "这座", "这条")
_PROVINCE = re.compile(r"^[\u4e00-\u9fff]{2,3}?(?:省|自治区)")


def _is_city(vocab: Vocabulary, said: str) -> bool:
    """太原市, 石家庄, 河北省保定市: a city (with its province) said before a district."""
    said = _PROVINCE.sub("", said)
    return said.removesuffix("市") in vocab.city_short


def _named_right_after(vocab: Vocabulary, t: str, pos: int) -> bool:
    """A road, compound or landmark named right at pos: a name of at least two Chinese
    characters whose suffix starts within 8 characters of pos."""
    for m in vocab.suffix_re.finditer(t, pos, pos + 10):  # (环城|西路: past a suffix inside the name)
        if not all("\u4e00" <= c <= "\u9fff" for c in t[pos:m.start()]):
            return False
        if m.start() - pos >= 2:
            return vocab.kinds[m.group()] in NAMED_KINDS
    return False


_TOWN_PART = re.compile("城[东西南北中]")
# what may come right before a district said short (在西城那边, 我们西城这边; not 天平湖那边: the
# tail of another name)
_BEFORE_SHORT = frozenset("是在的到去住往从就们俺咱个说嘛啊呢吧了")
_TAGGED = re.compile(r"的(?=[^\w]*$)")  # (at the end of the message: 我是沙河的，… may be a town)


def short_district(vocab: Vocabulary, t: str, names: list[Name] = (),
                   phrases: frozenset[int] = frozenset()) -> Name | None:
    """A district said without its suffix where the words make it clear: before 那边 (西城那边 →
    西城区), right before one of its streets (东安朝阳门街道 → 东安区) or as the caller's whole
    answer to the operator's question for it (哪个区？来电人：坡头 → 坡头区)."""
    if ":" in t:
        for m in vocab.division_answered.finditer(t):
            if full := vocab.district_short.get(m.group(1)):
                return Name("district", full, m.start(1), m.end(1))
    ends = [m.start() for m in vocab.short_context.finditer(t)]
    # …离谱 崇川的: said with 的 at the end of the message (not a city: …衡阳的 is no 衡阳县)
    ends += [j for m in _TAGGED.finditer(t) if not any(t[(j := m.start()) - k:j] in vocab.city_short for k in (2, 3))]
    ends += [n.start for n in names if n.kind == "street"]
    # 涧西 辽宁路和天津路交叉口, 莱山，观海路…, 龙口，东莱街道: said first, a pause, then a place in it
    pauses = {n.start for n in names if (n.kind in NAMED_KINDS or n.kind == "street")
              and (n.start in phrases or t[n.start - 1:n.start] == ",")}
    # 潜山那座柳溪桥, 桐城那个锦湖花园: said first, then "that" and a place in it
    pointed = {n.start - 2 for n in names if n.kind in NAMED_KINDS and t[n.start - 2:n.start] in _POINTING}
    for j in sorted({*ends, *pauses, *pointed}):
        apart = j in pauses and (j not in ends or t[j - 1:j] == ",") or j in pointed
        at = j - 1 if apart and t[j - 1:j] == "," else j
        for k in (4, 3, 2):
            full = vocab.district_short.get(t[at - k:at]) if at >= k else None
            if full and (not apart or t[at - k:at] not in vocab.city_short and not _TOWN_PART.fullmatch(t, at - k, at)
                         and (at == k or at - k in phrases or not _CJK_CHAR.match(t, at - k - 1))) \
                    and (apart or at == k or at - k in phrases or not _CJK_CHAR.match(t, at - k - 1)
                         or t[at - k - 1] in _BEFORE_SHORT
                         or any(t[at - k - n:at - k].removesuffix("市") in vocab.city_short for n in (2, 3))):
                # (长沙 五一大道: a city said first, not 长沙县; 城北 那个…: the north of the town)
                return Name("district", full, at - k, at)
    return None


def without_repeated_admin(t: str, names: list[Name]) -> list[Name]:
    """The names, less a district or street said again right after itself (东安区，东安区，嗯，
    建国门街道): the first stands, and the next name follows it."""
    out: list[Name] = []
    for n in names:
        last = out[-1] if out else None
        if last is not None and n.kind in ("district", "street") and n.kind == last.kind \
                and n.value == last.value and _PUNCT_RUN.fullmatch(t, last.end, n.start):
            out[-1] = Name(last.kind, last.value, last.start, n.end)
            continue
        out.append(n)
    return out
