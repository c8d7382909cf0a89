"""A web form's address field read together with its content. Citizens fill the field with
what they think an address is — often only the district or the road — and say the spot in
the content ("地址：东安区 / 内容：北京站东街20号对面路面塌陷"; "地址：东四十条地铁站 / 内容：D口台阶下面积水").
A dispatcher writes down both: the field's place, made finer by the content where the two agree."""
from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import fields, replace

from classifiers.locate.place_reading.patterns import station_key
from classifiers.locate.place_reading.place import NAMED_KINDS, Place
from classifiers.locate.place_reading.text import SUBJECT_LABELS
from classifiers.locate.place_reading.words import (
    COMPOUND_SUFFIXES,
    CORRECTIONS,
    FORM_DUMP_LABELS,
    FORM_LABELS,
    FORM_NOT_HERE,
    GENERIC_LANDMARKS,
    LANDMARK_SUFFIXES,
)

_LABELS = "(?:" + "|".join(map(re.escape, sorted(FORM_LABELS, key=len, reverse=True))) + ")"
# A field ends at a new line, a bar, or the next field's label (所在区域：高新区 发生地点：…), whatever it is
# (or a semicolon before the next label: 所在区域：醴陵市板杉镇；详细地址：…)
_FIELD_END = rf"(?=\n|\s*[|｜]|\s+[\u4e00-\u9fff][\u4e00-\u9fff/／]{{1,6}}\s*[:：]|\s*[;；]\s*[\u4e00-\u9fff]{{2,6}}\s*[:：]|{_LABELS}\s*[:：]|$)"
# (not the writer's own address: 联系地址, 家庭住址 …)
_ADDRESS_FIELD = re.compile(rf"(?<!联系)(?<!家庭)(?<!通讯)(?<!居住)(?<!住)(?:事发|问题|详细|发生|具体|事件)?(?:地址|地点|位置)\s*[:：][ \t\u3000]*(?P<field>[^\n]+?)\s*{_FIELD_END}")
# The writer's own address (联系地址：…): never the problem's place, and a place read on into it
# would take it in (胜利桥下 + 联系地址：城南区新华街道纺织厂宿舍4栋)
_CONTACT_FIELD = re.compile(rf"(?:联系|家庭|通讯|居住)(?:地址|住址)\s*[:：][ \t\u3000]*[^\n|｜]*?\s*{_FIELD_END}")
_SAME_AS_CONTACT = re.compile(r"(?:联系|家庭|通讯|居住)(?:地址|住址)\s*[:：][ \t\u3000]*(?P<own>[^\n|｜]+?)[ \t]*[\n|｜]"
                              r"(?:[^\n|｜]*[\n|｜])??[ \t]*(?:事发|问题|发生|详细)(?:地址|地点)\s*[:：][ \t\u3000]*(?P<same>同上)")
# …and a letter's signature: a name line, his address, his phone (市民 费女士 / 住址：… / 电话：…)
_SIGNATURE_ADDRESS = re.compile(r"(?<=\n)(?P<name>[^\n:：]{2,15}\n)(?:住址|地址|家庭住址|住所|家住)\s*[:：][^\n]*"
                                r"(?=\s*$|\n\s*(?:电话|電話|手机|手機|联系电话|聯繫電話|联系方式|tel|TEL|Tel))")
# …or with no label: a name line with a title (市民 曾先生, 司机 刘师傅), his address, his phone
_PHONE_LINE = r"\n\s*(?:电话|電話|手机|手機|联系电话|聯繫電話|联系方式|tel|TEL|Tel)\s*[:：]"
_SIGNATURE_UNLABELLED = re.compile(
    r"(?<=\n)(?P<name>[^\n:：]{0,8}(?:先生|女士|小姐|师傅|老师|大爷|阿姨|大妈|老板)[^\n:：]{0,4}\n)[^\n:：]{4,40}"
    rf"(?={_PHONE_LINE})")
# An address field naming two roads and nothing else (详细地址：北京站东街与建国门北大街, 地点：湖光路/泰安路):
# their junction, as a dispatcher reads it
_ROAD = r"[\u4e00-\u9fff]{1,10}?(?:大道|大街|胡同|路|街|道|巷|条)"
_TWO_ROADS = re.compile(rf"((?:地址|地点|位置)\s*[:：][ \t\u3000]*{_ROAD}[ \t\u3000]*(?:与|和|跟|/|、|×|x|X|\*)[ \t\u3000]*{_ROAD})(?=[ \t\u3000]*(?:\n|[|｜]|$))")
# how fine a place is, to choose between two address fields
_FINENESS = {"spot": 2, "road": 1, "area": 0}
# 所在区域：城东区 / 所属街道：朝阳门街道: the form's own field for the district and street
_REGION_FIELD = re.compile(rf"(?:(?:所在|所属)(?:区域|地区|区县|乡镇/街道|街道/乡镇|镇/街道|街道/镇|街道|乡镇|镇街|街镇|片区|区(?![\u4e00-\u9fff]))|(?<![^\n|｜ \t])(?:区域|地区|区县|所在城市|城市|乡镇/街道|街道/乡镇|街道/镇|镇/街道|乡镇街道|街道乡镇|乡镇|街道|镇街|镇/街|街镇|所在地))\s*[:：]\s*(?P<field>[^\n|｜]+?)\s*{_FIELD_END}")
_DUMP_LABELS = tuple(sorted(FORM_DUMP_LABELS, key=len, reverse=True))
_DUMP_LABEL = re.compile(rf"(?:^|(?<=\s))({'|'.join(map(re.escape, _DUMP_LABELS))})(?:\s+|$)")
# 【问题地点】红牌楼永辉超市门口, [地点] 万科金域榕郡, 地点——江南大道中256号: a label marked otherwise than by a colon
# (one a line, or all on one line: 【问题描述】…【详细地址】…【所在区域】…)
_BRACKET_LABEL = re.compile(r"(?m)(?:^|(?<=\S))[ \t]*[【\[]([\u4e00-\u9fff]{2,6})[】\]][ \t]*")
# (a label of one character or two joined by a slash too: | 村 | 黄塘村 |, | 街道/镇 | 梅菉街道 |)
_TABLE_ROW = re.compile(r"(?m)^[ \t]*\|[ \t]*([\u4e00-\u9fff]{1,6}(?:[/／][\u4e00-\u9fff]{1,4})?)[ \t]*\|[ \t]*([^|\n]*?)[ \t]*\|[ \t]*$")
_DASH_LABEL = re.compile(r"(?m)^[ \t]*([\u4e00-\u9fff]{2,6})[ \t]*(?:——|—|--)[ \t]*")
_BARE_NAME = re.compile(r"[\u4e00-\u9fff]{2,3}")
_CONTENT_LABEL = re.compile(rf"\s*{_LABELS}\s*[:：]\s*")
_TITLE = re.compile(rf"\s*(?:{'|'.join(SUBJECT_LABELS)})\s*[:：]")
_OTHER_FIELDS = re.compile(r"(?:\s*(?:所在|所属)?(?:区域|地区|区县|街道|乡镇|社区)\s*[:：][^\n|｜]*)+\s*")
_DESCRIPTION = re.compile(r"(?:问题描述|内容|描述|详情|诉求|情况)\s*[:：][^\n]+")  # not a title
# Parts that name the place and its details; a content that says one of these the field
# lacks makes the field's place finer.
_FINER = ("road", "number", "cross_road", "between", "stretch", "compound", "building", "unit", "gate",
          "landmark", "exit", "side")
# Details a content may say alone, continuing the field's place (D口…, 9栋2单元…, 西门里面…);
# a side alone (门口的路灯…) is left out: the content may mean any door.
# (A side the content says after naming the field's place again — 地址：七条小区北门 内容：北门门口… —
# is the place's to some annotators and to others not: on the development sets 3 for, 28 against.)
_CONTINUED = ("building", "unit", "gate", "exit", "stretch")
_SIDE_WORDS = 4  # how far after the number said again its side may be (院门口, 楼下, 门前)
_KEYS = [f.name for f in fields(Place) if f.name not in ("text", "near")]


def with_colons(text: str) -> str:
    """A form dumped without colons ("标题 井盖移位 所在区域 东安区 问题地点 北京站 详细地址 …", or its
    labels in brackets or before a dash: 【问题地点】…, [地点] …, 地点——…, or as a table's rows:
    | 区县 | 东安区 |), its fields one a line as label：value, as a form is read; any other text as it is."""
    if "|" in text and len(rows := _TABLE_ROW.findall(text)) >= 3:
        return "\n".join(f"{label}：{value}" for label, value in rows)
    for marked, sign in ((_BRACKET_LABEL, "【"), (_BRACKET_LABEL, "["), (_DASH_LABEL, "—"), (_DASH_LABEL, "--")):
        if sign in text and len(marked.findall(text)) >= 3:  # (looked for only where the sign is)
            return marked.sub(lambda m: ("\n" if m.start() and text[m.start() - 1] != "\n" else "") + m.group(1) + "：", text)
    start = text.lstrip()
    if not start.startswith(_DUMP_LABELS):
        return text
    if len({m.group(1) for m in _DUMP_LABEL.finditer(start)}) < 3:
        return text
    return _DUMP_LABEL.sub(lambda m: f"\n{m.group(1)}：", start).lstrip("\n")


def two_roads_as_junction(text: str) -> str:
    """A form whose address field names two roads, with the junction word a caller would say."""
    if "地址" not in text and "地点" not in text and "位置" not in text:
        return text
    return _TWO_ROADS.sub(r"\1路口", text)


def without_contact_fields(text: str) -> str:
    """A form without the writer's own address fields, a letter without the address in its signature
    (labelled or not);
    but where the problem's address field says 同上 after the writer's own, that address is the place
    (联系地址：花山区湖东二村15栋 / 事发地点：同上)."""
    if ("电话" in text or "手机" in text) and "\n" in text:
        text = _SIGNATURE_UNLABELLED.sub(lambda m: m.group("name"), text)
    if "址" not in text and "家住" not in text:
        return text
    if "同上" in text and (same := _SAME_AS_CONTACT.search(text)):
        text = text[:same.start("same")] + same.group("own") + text[same.end("same"):]
    return _SIGNATURE_ADDRESS.sub(lambda m: m.group("name"), _CONTACT_FIELD.sub("", text))


def _same_named(a: Place, b: Place) -> bool:
    """Both name the same road, compound or landmark (软件园站 / 地铁1号线软件园站), and nothing
    they both say differs."""
    return _agree(a, b) and any(getattr(a, k) and _value(a, k) == _value(b, k) for k in NAMED_KINDS)


_PARTNER_FIRST = ("与", "和", "跟", "同")


def one_address_field(text: str, read: Callable[[str], Place | None]) -> str:
    """A form with two address fields (问题地点：北京站 / 详细地址：北京站东街与建国门北大街) with only
    the finer one: a dispatcher writes down the detailed address, or the place field when the
    detail says nothing (详细地址：同上, 见描述). Of two as fine, the one saying more, then the later.
    Both stay when the other says something the finer does not (they are read one into the other),
    but a station named in full in the other is written into the finer."""
    if text.count("地址") + text.count("地点") + text.count("位置") < 2:
        return text  # (a cheap look first: the field pattern is slow to scan a letter with)
    found = list(_ADDRESS_FIELD.finditer(text))
    if len(found) < 2:
        return text
    places = [read(m.group("field")) for m in found]
    for i in range(1, len(found)):
        said = found[i].group("field")
        if said.lstrip().startswith(_PARTNER_FIRST) and places[i - 1] is not None and places[i - 1].road \
                and not places[i - 1].cross_road:
            # 问题地点：东四南大街 / 详细地址：与东四三条交叉口东北角: the junction's other road, the field's road before it
            text = text[:found[i].start("field")] + places[i - 1].road + said.lstrip() + text[found[i].end("field"):]
            found = list(_ADDRESS_FIELD.finditer(text))
            places = [read(m.group("field")) for m in found]
            break
    best = max(range(len(found)), key=lambda i: (_FINENESS[places[i].precision], len(places[i].as_dict()), i)
               if places[i] else (-1, 0, i))
    fine = places[best]
    if fine is None:
        return text
    edits: list[tuple[int, int, str]] = []  # (start, end, new text), applied from the end
    for i, other in enumerate(places):
        if i == best or other is None:
            continue
        same = _same_named(other, fine)
        longer = same and len(other.landmark) > len(fine.landmark) > 0 and other.landmark.endswith(fine.landmark)
        if longer:
            # 发生地点：地铁三号线青松站 / 详细地址：青松站C出口: the detail, with the station's full name
            field = found[best]
            edits.append((field.start("field"), field.end("field"),
                          field.group("field").replace(fine.landmark, other.landmark, 1)))
        elif same and any(getattr(other, k) and not getattr(fine, k) for k in _KEYS):
            continue
        elif (other.district or other.street) and not any(getattr(other, k) for k in NAMED_KINDS) \
                and not (fine.district or fine.street) and i < best:
            # 问题发生地点：桃源县牛车河镇 / 具体地点：杨溪峪村村委会门口: the divisions, then the spot in them
            field = found[best]
            edits.append((field.start("field"), field.start("field"), found[i].group("field").strip()))
        edits.append((found[i].start(), found[i].end(), ""))
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def fields_as_read(text: str, read: Callable[[str], Place | None]) -> str:
    """A form's text as a dispatcher reads its fields: without the writer's own address, two roads
    in a field as their junction, one address field of two."""
    return one_address_field(two_roads_as_junction(address_parts_as_address(without_contact_fields(text))), read)


def address_parts_as_address(text: str) -> str:
    """A form that asks for the parts of an address in fields of their own — the estate, the building
    and the unit (小区：阳光100国际新城 / 楼栋：G座; 小区名称：融侨悦城 / 问题位置：东南门), the road and the
    house number (路名：西总布胡同 | 门牌号：23号), the two roads of a junction (道路1：皂果路 / 道路2：朗州路,
    路口名称：东单北大街×东堂子胡同), a stretch's ends (所在道路：… / 起止位置：A路口至B路口), a station and its
    exit (站点：建国门地铁站 / 出口：H 出口), a bridge (桥梁名称：乾明桥 / 位置：桥下), where at it (具体位置：中段)
    —: one address field of them, where the form has no address field of its own that names a place."""
    if not _PART_LOOK.search(text):
        return text
    parts = [m for m in _ADDRESS_PART.finditer(text) if m.group(2).strip()]
    said = {_PART_KINDS[m.group(1)]: m for m in reversed(parts)}  # (the first of each kind)
    if not any(k in said for k in _PART_PLACES) or _OWN_ADDRESS.search(text):
        return text
    address = "".join(_part_said(kind, said[kind].group(2).strip()) for kind in _PART_ORDER if kind in said)
    first = min(m.start() for m in said.values())
    out, at = [], 0
    for m in sorted(said.values(), key=lambda m: m.start()):
        out += [text[at:m.start()], "地址：" + address if m.start() == first else ""]
        at = m.end()
    return "".join(out) + text[at:]


# The fields of an address's parts, and how each is written into one address
_PART_KINDS = {"路名": "road", "道路名称": "road", "道路": "road", "村/社区": "estate", "村(社区)": "estate", "所在村": "estate",
               "村名": "estate", "村": "estate", "所在道路": "road", "路段名称": "road", "道路1": "road",
               "道路2": "cross", "路口名称": "junction", "交叉路口": "junction", "路口": "junction",
               "起止位置": "between", "起止点": "between", "起止路段": "between",
               "门牌号": "number", "门牌": "number", "所在小区": "estate",
               "小区名称": "estate", "小区": "estate", "楼号": "building", "楼栋号": "building", "楼栋": "building",
               "楼宇": "building", "单元号": "unit", "单元": "unit", "站点": "station", "地铁站名": "station",
               "站名": "station", "出口": "exit", "出入口": "exit", "出入口编号": "exit", "出口编号": "exit",
               "桥梁名称": "bridge", "桥名": "bridge",
               "路段": "road", "交叉道路": "cross",
               "问题位置": "where", "具体位置": "where", "位置描述": "where", "位置": "where"}
_PART_ORDER = ("road", "cross", "junction", "between", "number", "estate", "building", "unit", "station", "exit",
               "bridge", "where")
_PART_PLACES = ("road", "estate", "junction", "station", "bridge")  # what makes the parts an address
_PART_LOOK = re.compile("小区|路名|道路|路段|路口|站点|站名|桥梁|桥名|村")  # (a cheap look first)
_ADDRESS_PART = re.compile(rf"(?:^|(?<=[\n|｜ \t]))[ \t]*({'|'.join(sorted(map(re.escape, _PART_KINDS), key=len, reverse=True))})"
                           r"[ \t]*[:：][ \t]*([^\n|｜]*?)[ \t]*(?=[\n|｜]|[ \t]+[\u4e00-\u9fff]{2,6}[ \t]*[:：]|$)")
# An address field that names a place of its own (详细地址：湖北路88号), not one left empty or pointing on
_OWN_ADDRESS = re.compile(r"(?<!联系)(?<!家庭)(?<!通讯)(?<!居住)(?<!住)(?:事发|问题|详细|发生)?(?:地址|地点)[ \t]*[:：]"
                          r"[ \t]*(?!见|同上|无|[\n|｜]|$)")
_BARE = re.compile(r"^[\dA-Za-z一二三四五六七八九十百零两]+$")
_ROADS_APART = re.compile(r"\s*(?:×|x|X|\*|/|、|与|和|跟)\s*")
_FROM_TO = re.compile(r"^(?:自|从|由)?(.+?)\s*(?:至|到|—|-|~)\s*(.+?)$")


def _part_said(kind: str, value: str) -> str:
    """A part as an address says it: 23 → 23号, 5 → 5号楼, 2 → 2单元, a junction's second road with its
    junction word, a stretch from one end to the other, an exit's letter with 口; 见描述 / 同上 say nothing."""
    if value.startswith(("见", "同上")):
        return ""
    if kind == "estate" and not value.endswith(tuple(COMPOUND_SUFFIXES)) and not value.endswith(tuple(LANDMARK_SUFFIXES)):
        return value + "小区"  # 小区名称：天门湖畔: an estate however it is named (天门大道1888号天门湖畔小区5号楼)
    if kind == "cross":
        return "与" + value + "交叉口"
    if kind == "junction":
        return _ROADS_APART.sub("与", value) + ("" if value.endswith("口") else "交叉口")
    if kind == "between" and (ends := _FROM_TO.match(value)):
        return f"从{ends.group(1)}到{ends.group(2)}之间"
    if kind == "exit":
        return value.replace(" ", "").removesuffix("出口").removesuffix("口") + "口"
    if _BARE.match(value):
        return value + {"number": "号", "building": "号楼" if value[-1].isdigit() else "栋", "unit": "单元"}.get(kind, "")
    return value


def form_parts(text: str) -> tuple[str, str, str, str] | None:
    """(address field, content after it with its label, what the content says, what comes
    before the field: its title) of a form, or None when the text is not one."""
    m = _ADDRESS_FIELD.search(text) if isinstance(text, str) else None
    if m is None:
        return None
    content = text[m.end():]  # with its label: where a name cannot reach back over
    before = text[:m.start()]
    d = _DESCRIPTION.search(before)
    after = _DESCRIPTION.search(content)
    if d and not after:  # 内容：小区北门的门禁坏了 地点：怡景湾: the description first
        content, before = d.group(), before[:d.start()] + before[d.end():]
    elif after and (_TITLE.match(content) or _OTHER_FIELDS.fullmatch(content, 0, after.start())):
        # 地点：… 标题：… 内容：…: the title between (or the region's fields: 所在区域：博望区)
        content, before = content[after.start():], before + content[:after.start()]
    label = _CONTENT_LABEL.match(content)
    said = content[label.end():] if label else content
    return (m.group("field"), content, said, before) if said.strip() else None


def _value(place: Place, key: str):
    value = getattr(place, key)
    if key == "landmark" and value.endswith("站"):
        return station_key(value)  # 地点：青石口站 内容：青石口地铁站B1出口: one station
    return value.removesuffix("小区") if key == "compound" else value


def _agree(a: Place, b: Place) -> bool:
    return all(_value(a, k) == _value(b, k) for k in _KEYS if getattr(a, k) and getattr(b, k))


def _adds(field: Place, content: Place, keys: tuple[str, ...]) -> bool:
    return any(getattr(content, k) and not getattr(field, k) for k in keys)


def _refines(field: Place, content: Place) -> bool:
    """The content names its own place where the field gave only an area, or says the
    field's road, compound or landmark again with more (a thing merely mentioned in the
    content — 垃圾站, 镇政府 — is not taken for part of the field's place)."""
    if not any(getattr(field, k) for k in _FINER) and field.district and content.street \
            and not field.street and not any(getattr(content, k) for k in _FINER):
        return True  # 地址：雁塔区 内容：是雁塔区小寨路街道…: the street in the district
    if field.road and not (field.compound or field.landmark or field.number or field.cross_road) \
            and (content.landmark or content.compound) and not content.road and content.precision == "spot":
        return content.landmark not in GENERIC_LANDMARKS  # 地址：学府路 内容：育英中学南侧…: a place on it
    if not any(getattr(field, k) for k in NAMED_KINDS):
        # a spot, or a village (an area's content names "很多小区", "镇政府" in passing)
        # (a generic landmark on a named road is a spot: 朝内大街过街天桥上)
        return (content.precision == "spot" and (content.landmark not in GENERIC_LANDMARKS or bool(content.road))) \
            or content.compound.endswith("村")
    return any(getattr(field, k) and _value(field, k) == _value(content, k) for k in NAMED_KINDS)


def _corrected(field: Place, continued: Place) -> bool:
    """The field's place read on into the content names the same place with another number,
    building, unit, gate or exit (the content corrects it)."""
    named = ("district", "street", *NAMED_KINDS)
    details = ("number", "building", "unit", "gate", "exit")
    return all(_value(field, k) == _value(continued, k) for k in named) \
        and any(getattr(field, k) and getattr(continued, k) and getattr(field, k) != getattr(continued, k)
                for k in details)


def _same(a: Place, b: Place | None) -> bool:
    return b is not None and all(_value(a, k) == _value(b, k) for k in _KEYS)


def _merged(field: Place, content: Place) -> Place:
    place = replace(field, **{k: getattr(content, k) for k in _KEYS if getattr(content, k) and not getattr(field, k)})
    if len(content.landmark) > len(field.landmark) and field.landmark and _value(content, "landmark") == _value(field, "landmark"):
        place.landmark = content.landmark  # the station as the content names it in full
    if content.near and not place.near:
        place.near = content.near
    if content.text and content.text not in field.text:
        place.text = content.text if field.text in content.text else field.text + content.text
    return place


def finer_from_form(text: str, whole: Place | None, read: Callable[[str], Place | None],
                    back_refs: re.Pattern | None = None) -> Place | None:
    """`whole` (the text's place as read whole: a form's is its address field's) made finer by
    the content, where the two agree; `whole` itself when the content adds nothing.
    `back_refs`: words that name the field's place again by its kind (小区, 医院 …)."""
    parts = form_parts(text)
    if parts is None:
        return whole
    described = _DESCRIPTION.search(parts[1])
    if read(parts[0]) is None and (content := read(described.group() if described else parts[2])) is not None \
            and content.specific and (whole is None or not whole.specific):
        return content  # 发生地点：见描述 … 问题描述：怡景园正门的电动伸缩门坏了: the description's place
    if whole is None:
        return whole
    place = _finer(whole, read, *parts[:3], back_refs)
    if place is not None and not place.side:
        place = _side_at_number_again(place, parts[2], read)
    return _side_from_title(place, read(parts[3])) if place is not None and parts[3].strip() else place


def _side_at_number_again(place: Place, said: str, read: Callable[[str], Place | None]) -> Place:
    """路名：西总布胡同 / 门牌号：23号 / 问题描述：23号院门口的污水井盖…: the content says the field's house
    number again with where at it — its door, inside its yard, across from it (not 楼下: the shop below
    a number is not at it to most readers, nor 门口往东, a way off) —, or the building again with 楼下."""
    for value, said_as, sides in ((place.number, "号院|号", ("门口", "内", "对面")), (place.building, "号楼|栋|幢", ("下",))):
        m = re.search(rf"(?<![\d\w]){re.escape(value)}(?:{said_as})", said) if value else None
        if m is None or said.startswith("往", m.end() + 2, m.end() + _SIDE_WORDS + 1):
            continue
        if sides == ("下",) and not said.startswith(("楼下", "下"), m.end()):
            continue
        base = place.road or place.compound
        again = read(base + said[m.start():m.end() + _SIDE_WORDS]) if base else None
        if again is not None and again.side in sides and (again.number or again.building) == value:
            return replace(place, side=again.side)
    return place


def _side_from_title(place: Place, title: Place | None) -> Place:
    """标题：保利花园北门外共享单车堆积 地址：保利花园北门: the title says the field's place again,
    with its side."""
    if title is None or not title.side or place.side:
        return place
    if all(_value(title, k) == _value(place, k) for k in _KEYS if k not in ("side", "district", "street")) \
            and _agree(place, title):
        return replace(place, side=title.side)
    return place


def _finer(whole: Place, read: Callable[[str], Place | None], field_text: str, content_text: str,
           said: str, back_refs: re.Pattern | None = None) -> Place | None:
    content = read(content_text)
    if content is not None and content.precision == "spot" and any(w in said for w in FORM_NOT_HERE) \
            and _same(whole, read(field_text)):
        return content  # the field (read as the place) is the writer's home, or a wrong address
    if content is not None and _agree(whole, content) and _refines(whole, content) \
            and _adds(whole, content, (*_FINER, "street")):
        return _merged(whole, content)
    # 地点：怡景湾 内容：小区北门的门禁坏了: the content goes on from the field's place, naming it
    # again by its kind
    ref = back_refs.match(said.lstrip()) if back_refs is not None and (whole.compound or whole.landmark) else None
    continued = read(field_text + (said.lstrip()[ref.end():] if ref else said))
    if continued is not None and any(w in said for w in (*FORM_NOT_HERE, *CORRECTIONS)) and _same(whole, read(field_text)) \
            and _corrected(whole, continued):
        return continued  # 地址：建国门站B口 内容：更正：是A口不是B口: the field's detail put right
    if continued is not None and _agree(whole, continued) and _adds(whole, continued, _CONTINUED):
        return _merged(whole, continued)
    return whole


def _region_read(field: str, read: Callable[[str], Place | None], districts: Collection[str]) -> Place | None:
    region = read(field)
    if region is None and _BARE_NAME.fullmatch(field) and field + "区" in districts:
        region = read(field + "区")  # 所在区域：西城 — the field names a district, said short
    return region


def with_region_field(text: str, place: Place | None, read: Callable[[str], Place | None],
                      districts: Collection[str] = ()) -> Place | None:
    """`place` with the district and street a form's region field gives (所在区域：西坪区 北岭街道),
    where the place does not say its own: a dispatcher writes them down from that field.
    `districts`: the division table's, for a district said without its suffix (所在区域：西城)."""
    found = list(_REGION_FIELD.finditer(text)) if isinstance(text, str) else []
    if not found:
        return place
    m = found[0]
    region = _region_read(m.group("field"), read, districts)
    for more in found[1:]:  # 区县：故城县 / 乡镇：郑口镇: one field each
        other = _region_read(more.group("field"), read, districts)
        if region is not None and other is not None:
            region = replace(region, district=region.district or other.district, street=region.street or other.street)
    if region is None or not (region.district or region.street):
        return place
    if place is None:
        return replace(region, text=m.group("field").strip()) if not region.specific else place
    if place.district and region.district and place.district != region.district:
        return place  # the field names another district: the place is not in it
    if place.street and region.street and place.street != region.street:
        return replace(place, district=place.district or region.district)
    return replace(place, district=place.district or region.district, street=place.street or region.street)
