"""Two roads and a junction word make a junction (长征路与民主路交叉口, 从解放路往胜利路拐的路口);
"从A到B之间" a stretch between two points; the ends of a stretch as a dispatcher writes them."""
from __future__ import annotations

import re

from classifiers.locate.place_reading.patterns import ALIAS, CJK, CJK_RUN, PUNCT
from classifiers.locate.place_reading.place import Name
from classifiers.locate.place_reading.vocabulary import Vocabulary

# 岚溪路口往枫渡大道口那段: from one junction toward another, a stretch (but 往北走 is no end)
_TOWARD_JUNCTION = re.compile(r"往(?=[\u4e00-\u9fff]{1,8}?(?:路|街|道|巷|胡同)口)")
_TO = re.compile(r"到|至|(?<=[\u4e00-\u9fff])[-—](?=[\u4e00-\u9fff])")  # (北竹竿胡同口—大方家胡同口段)
_POINT_KINDS = ("landmark", "compound")  # (two roads with 之间 are read with the junctions)
_JUNCTION_GAP = re.compile(r"^[东西南北]?口儿?|^[东西南北](?:首|头|端)儿?|^出来|就是|[,、. ]")  # (演乐胡同口和朝阳门南小街交叉口, 演乐胡同出来跟北小街; . a pause: 跟那个……跟东四十条)
# (跟朝阳门南小街，交汇那块; 南小街这儿这个丁字路口; 和朝阳门北小街，两条路那个十字口; 跟金宝街 就是那个路口儿;
# 跟朝阳门北小街，对，交叉口: the caller confirms the road first)
# (𠮶个 — Cantonese 嗰个 as OpenCC writes it, which is how the reader sees it — and Sichuanese 勒个:
# "that", which the normaliser does not take out)
_BEFORE_JUNCTION = re.compile(r"[,\s]?(?:对[,\s]?)?(?:上|那儿的|这儿的|那边的)?的?(?:两条路|两条街|俩路|俩街)?(?:这儿|那儿|[这那]疙瘩[,\s]?)?(?:就是|就)?"
                              r"(?:那个|这个|𠮶个|勒个|[那这](?=路口|口|十字|丁字))?")
# What a caller says between the roads of a junction while finding or correcting the second
# one (长青路跟跟叫啥来着跟兴业大道对兴业大道路口, 和长安街不是建国门内大街十字路口)
_SPOKEN_GAP = re.compile(r"(?:[,\s.!?]|不对|不是|对|是|就是|叫啥来着|叫什么来着|叫啥|叫什么|什么[路街]?(?:来着)?|来着|哦|那个|这个"
                         r"|[\u4e00-\u9fff]{1,4}?(?:不对|不是))*")  # (哦东堂子不对是南小街: a name taken back)
_ROAD_END_THEN = re.compile(r"[东西南北](?:首|头|端|口)儿?(?:与|和|跟|同|碰)")
_LANE_MOUTH = re.compile(r"[东西南北]口儿?,")
_NEAR = re.compile(r"(?:上|这边|那边)?,?(?:靠近|挨着|快到|临近)")
_SEARCHED = re.compile("不对|不是|叫啥|叫什么")
_TURN = re.compile(r"(?:拐|转)(?:弯)?(?:的)?(?:路口|口)")
_LEFT_END_FILL = re.compile(r"(?:(?:往|向|以)[东西南北]走?|进来|出来|进去|过来)?[,\s]*(?:一直)?走?[,\s]*$")
_RIGHT_START_FILL = re.compile(r"[,\s]*(?:\.+[,\s]*)?(?:到[,.\s]*)?")  # (从梅岭路口到……到桂苑路口: the 到 said again after a pause)
# The first end of a stretch said bare after a pause or bracket (（五金城至汽车站之间）)
_BARE_FIRST_END = re.compile(r"(?:^|[(,\s])([\u4e00-\u9fff]{2,8})$")
_BARE_JUNCTION_END = re.compile(rf"([{CJK}]{{1,8}}?(?:大道|大街|胡同|路|街|巷|道))口")
# 东四十条路口 is 东四十条 + 路口: a 路 after a road's own ending is the junction word's
_GATE_OF_PLACE = re.compile(r"(?<=[\u4e00-\u9fff]{2})(?<![东西南北正后侧大小])门$")
_JUNCTION_ROAD = re.compile(r"(?<=.[条街同巷道站场路])路$")
# …and 蒲桥路口 may be 蒲桥 + 路口 or 蒲桥路 + 口: compared without it
_ROAD_AFTER_END = re.compile(r"(?<=.[园桥])路$")
# 一环路北三段, 人民南路四段: a numbered section, with its side, is part of a road's name (成都)
_NAMED_SECTION = re.compile(r"[东西南北]?[一二三四五六七八九十]段(?!时间|日子|路)")


def junctions_and_betweens(vocab: Vocabulary, t: str, names: list[Name]) -> list[Name]:
    """The names with two roads and a junction word made one junction, and the two ends of
    a stretch (从A到B之间) one between."""
    names = _spoken_junctions(vocab, t, _with_sections(vocab, t, _partners_unread(vocab, t, names)))
    out: list[Name] = []
    i = 0
    while i < len(names):
        a = names[i]
        b = names[i + 1] if i + 1 < len(names) else None
        if a.kind == "road" and b is not None and b.kind == "road" and b.start == a.end \
                and (end := _ROAD_END_THEN.match(b.value)) and len(b.value) - end.end() >= 3:
            # 运河路北首与建设街: the road's end, then its partner (read with them as one name)
            b = Name("road", b.value[end.end() - 1:], b.start + end.end() - 1, b.end)
        if a.kind == "road" and b is not None and b.kind == "road":
            gap = without_short_name(ALIAS.sub("", t[a.end:b.start]), b.value)
            said = _JUNCTION_GAP.sub("", gap)  # (跟那个……跟东四十条: the connector said again after a pause)
            if b.value[0] in vocab.connectors and gap and (not said or said == b.value[0] and gap[-1] in ",. ") \
                    and len(b.value) >= 4 and junction_word(vocab, t, b.end):
                # 内务部街西口，跟东四南大街的丁字路口: the name was read with its 跟
                b = Name("road", b.value[1:], b.start + 1, b.end)
                gap += t[b.start - 1]
            # 内务部街西口，跟东四南大街的丁字路口: the lane's end, then the road it meets
            core = _JUNCTION_GAP.sub("", gap) if any(c in vocab.connectors for c in gap) else gap
            joined = gap == "" or (len(core) <= 2 and all(c in vocab.connectors or c in ",、.的 " for c in core)) \
                or _NEAR.fullmatch(gap) is not None \
                or _LANE_MOUTH.fullmatch(gap) is not None  # 在红旗大街上靠近东风路路口; 史家胡同东口，东四南大街上那个路口
            if "-" in gap and gap.strip() != "-":
                joined = False  # 北竹竿胡同口—大方家胡同口段: a dash from one end to the other (环镇北路——集贸路路口 joins)
            junction = junction_word(vocab, t, b.end)
            c = names[i + 2] if i + 2 < len(names) else None
            # 湘江北路与岳麓大道立交桥: the bridge of their junction, no junction word
            bridge = c is not None and c.start == b.end and c.value in vocab.road_bridges
            if junction and _TO.match(t, b.end + junction):
                junction = 0  # 自光华路口至兴业路口: the first end of a stretch
            if (junction or bridge) and (joined or gap == "靠") and a.value != b.value:  # (跃进路靠太行大街口)
                out.append(Name("junction", a.value, a.start, b.end + junction, cross=b.value))
                i += 2
                continue
            tail = vocab.between_ends.match(t, b.end)
            if tail and joined and gap and a.value != b.value:  # 长征路与民主路之间 (not 石板街，石板街中间)
                out.append(Name("between", "", a.start, tail.end(), ends=(a.value, b.value)))
                i += 2
                continue
            # 从解放路往胜利路拐的路口
            m = gap in ("往", "向")
            turn = _TURN.match(t, b.end)
            if m and turn:
                start = a.start - 1 if t[a.start - 1:a.start] == "从" else a.start
                out.append(Name("junction", a.value, start, b.end + turn.end(), cross=b.value))
                i += 2
                continue
        if b is not None and a.kind in _POINT_KINDS and b.kind in _POINT_KINDS and "road" not in (a.kind, b.kind) \
                and a.value != b.value:
            core = _JUNCTION_GAP.sub("", t[a.end:b.start])
            tail = vocab.between_ends.match(t, b.end)
            if tail and core and all(c in vocab.connectors for c in core):
                # 金宝街购物中心与物美超市金宝街店之间, 绿城小区和万达广场中间: between two points named
                out.append(Name("between", "", a.start, tail.end(), ends=(a.value, b.value)))
                i += 2
                continue
        out.append(a)
        i += 1
    for m in _TO.finditer(t):
        out = _between(vocab, t, m.start(), out)
    for m in _TOWARD_JUNCTION.finditer(t):
        out = _between(vocab, t, m.start(), out)
    return out


# 长虹西大道与鹤问路交叉口: a junction's second road whose name holds a character that ends text
# before a name elsewhere (问 in 问下…) — read as the road, since the junction word follows it
_PARTNER = re.compile(r"(?:与|和|跟|同)([\u4e00-\u9fff]{2,3}?(?:大道|大街|胡同|路|街|巷))")


def _partners_unread(vocab: Vocabulary, t: str, names: list[Name]) -> list[Name]:
    out = list(names)
    for a in names:
        m = _PARTNER.match(t, a.end) if a.kind == "road" else None
        if m is None or not junction_word(vocab, t, m.end()):
            continue
        inside = [n for n in names if n.start < m.end() and n.end > m.start(1)]
        # (九华山路跟竹苑路口: 竹苑 read as an estate is the partner road's name)
        if any(not (n.kind == "compound" and n.start >= m.start(1) and n.end == m.end() - 1) for n in inside):
            continue
        out = [n for n in out if n not in inside]
        out.append(Name("road", m.group(1), m.start(1), m.end()))
    return sorted(out, key=lambda n: n.start) if out != names else names


def _with_sections(vocab: Vocabulary, t: str, names: list[Name]) -> list[Name]:
    """Roads with the numbered section said after them (一环路北三段与人民北路: the next name
    read with its 与 starts after the section)."""
    out: list[Name] = []
    extended = -1
    for n in names:
        if n.start == extended and n.value[0] in vocab.connectors and len(n.value) >= 4:
            n = Name(n.kind, n.value[1:], n.start + 1, n.end)
        m = _NAMED_SECTION.match(t, n.end) if n.kind == "road" and not n.value.endswith("段") else None
        if m and not any(o.start < m.end() and o.end > n.end for o in names if o is not n):
            n, extended = Name("road", n.value + m.group(), n.start, m.end()), m.end()
        out.append(n)
    return out


def _spoken_junctions(vocab: Vocabulary, t: str, names: list[Name]) -> list[Name]:
    """A junction said with the second road searched for, repeated or corrected (three road
    names or more in a row, a connector among them): the first road and the last one said
    before the junction word."""
    out: list[Name] = []
    i = 0
    while i < len(names):
        a, found = names[i], None
        connector, j = False, i + 1
        while a.kind == "road" and j < len(names) and names[j].kind == "road":
            gap = t[names[j - 1].end:names[j].start]
            if _SPOKEN_GAP.fullmatch("".join(c for c in gap if c not in vocab.connectors)) is None:
                break
            connector = connector or any(c in vocab.connectors for c in gap)
            b = names[j]
            junction = junction_word(vocab, t, b.end)
            # two roads only when the second was searched for or corrected (北总布胡同和西总布不对东总布胡同口)
            searched = j >= i + 2 or _SEARCHED.search(gap)
            if connector and junction and searched and b.value != a.value:
                # (the name read with its 跟 — but not 和平里街 after 跟: a name of its own)
                glued = b.value[0] in vocab.connectors and t[b.start - 1:b.start] not in vocab.connectors
                cross = b.value[1:] if glued and len(b.value) >= 4 else b.value
                found = (j, Name("junction", a.value, a.start, b.end + junction, cross=cross))
            j += 1
        if found:
            out.append(found[1])
            i = found[0] + 1
            continue
        out.append(a)
        i += 1
    return out


def _between(vocab: Vocabulary, t: str, i: int, names: list[Name]) -> list[Name]:
    """A stretch between two points around the 到/至 at i: 从A(路口)到B(路口)之间, or
    A路口到B路口之间 with A a name read already."""
    if any(n.kind == "between" and n.start <= i < n.end for n in names):
        return names  # (从红旗路口一直到，到胜利路口: the 到 said again is inside the stretch read)
    # 从(,)朝内大街路口(往南)(,)(一直)到(,)(到)金宝街路口: what is said around the ends
    left_end = _LEFT_END_FILL.search(t, max(0, i - 16), i).start()
    left_end -= 1 if t[left_end - 1:left_end] == "口" else 0
    k = max(t.rfind("从", max(0, i - 16), left_end), t.rfind("自", max(0, i - 16), left_end))
    right = _RIGHT_START_FILL.match(t, i + 1).end()
    tail = vocab.between_tail.match(t, right)
    if not tail and k >= 0:  # 从渡江路口到徽州大道口 路灯全不亮: said from a junction to a junction
        tail = _BARE_JUNCTION_END.match(t, right)
    if not tail:
        return names
    first_start = PUNCT.match(t, k + 1).end() if k >= 0 and PUNCT.match(t, k + 1) else k + 1
    if k >= 0 and left_end - first_start >= 2 and CJK_RUN.fullmatch(t, first_start, left_end):
        start, first = k, t[first_start:left_end]
    else:
        named = [n for n in names if n.end in (left_end, left_end + 1) and n.kind in ("road", "landmark", "junction")]
        bare = _BARE_FIRST_END.search(t, max(0, left_end - 8), left_end) \
            if not named and tail.re is not _BARE_JUNCTION_END and "之间" in tail.group() else None
        if bare:  # （五金城至汽车站之间）: two points said bare, the stretch's end words after them
            named = [Name("landmark", bare.group(1), bare.start(1), bare.end(1))]
        if not named:
            return names
        first, start = named[0].value, named[0].start
        if named[0].kind == "junction":
            # 金山路百合路口往南至荷塘路口: the stretch of 金山路 from its junction with 百合路
            road, first = named[0], named[0].cross
            start = t.find(first, road.start + len(road.value), road.end)
            names = [Name("road", road.value, road.start, road.start + len(road.value)) if n is road else n
                     for n in names]
        if t[start - 1:start] == "从":
            start -= 1
    inner = [n for n in names if n.start >= start and n.end <= tail.end()]
    kept = [n for n in names if n not in inner]
    second = tail.group(1)
    if tail.group().endswith("路段") and not second.endswith(("路", "街", "道", "巷", "胡同")):
        second += "路"  # 至知春路段: 知春路, then 段
    kept.append(Name("between", "", start, tail.end(), ends=(end_as_said(first), end_as_said(second))))
    return sorted(kept, key=lambda n: n.start)


def without_short_name(gap: str, name: str) -> str:
    """The gap before a name without the name said short first (东四十条跟南门仓 南门仓胡同口)."""
    for k in range(min(len(gap), len(name) - 1), 1, -1):
        if gap.endswith(name[:k]):
            return gap[:-k]
    return gap


def junction_word(vocab: Vocabulary, t: str, pos: int) -> int:
    """The length of a junction word (路口, 交汇处 …) at pos, with the filler before it
    (，的那个), or 0."""
    p = _BEFORE_JUNCTION.match(t, pos).end()
    m = vocab.junctions.match(t, p)
    return p - pos + len(m.group()) if m else 0


def end_as_said(name: str) -> str:
    """An end of a stretch as a dispatcher writes it, without the junction word: 东四十条路口 →
    东四十条, 花园路口 → 花园路."""
    name = name.removesuffix("儿")  # 干面胡同口儿
    if name.endswith(("那头", "这头")) and len(name) > 4:
        name = name[:-2]  # 从建国门内大街那头到北京站东街那头: the road's end, said as the road
    if name.endswith("口"):
        name = name[:-1]
    if _GATE_OF_PLACE.search(name):
        name = name[:-1]  # 到湿地公园门口这一段: to the park (its gate is where one stands)
    return _JUNCTION_ROAD.sub("", name)


def stretch_end(name: str) -> str:
    """An end of a stretch as two reports are compared by: 蒲桥路口, 蒲桥路 and 蒲桥 are one."""
    return _ROAD_AFTER_END.sub("", end_as_said(name))
