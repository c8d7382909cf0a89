"""Which name is the problem's place: the first one, unless it is whom a letter is addressed
to, where the caller came from or where he lives ("我住在A，但我要反映的是B"), or an address
field names another."""
from __future__ import annotations

import re

from classifiers.locate.place_reading.details import detail_at
from classifiers.locate.place_reading.patterns import CJK, NEIGHBOUR_WORDS, NUMBER, SENTENCE_ENDS, SPOT_CUE
from classifiers.locate.place_reading.place import NAMED_KINDS, Name, Place
from classifiers.locate.place_reading.text import PHRASE_BREAK
from classifiers.locate.place_reading.vocabulary import Vocabulary

# 致枫岭区政府：…, 致岚溪区农业农村局：: whom a letter is addressed to, not a place
_ADDRESSEE = re.compile(rf"^(?:致|尊敬的)[{CJK}][^:\n]{{1,24}}?:"  # (尊敬的地铁运营公司及12345热线：)
                        rf"|^[{CJK}]{{2,16}}(?:人民政府|政府|局|委员会|办公室|办事处)[、,及和][^:\n]{{0,16}}?热线:")  # 青衣县人民政府、12345热线：
# A form's address field: the place it names is the problem's, whatever the title said before
# it (标题：烧烤店油烟熏人 地址：砚池路88号老秦家烧烤)
_ADDRESS_FIELD = re.compile(r"(?:事发|问题)?(?:地址|地点|位置):")
# …said in a sentence of an operator's summary (其已向东四派出所报案…，问题地点为东四九条28号门前)
_PLACE_STATED = re.compile(r"(?:事发|问题)(?:地址|地点|位置)(?:为|是|在|位于)")
_PLACE_STATED_REACH = 60
_POINTED_REACH = 400
# A name the caller came from, not where the problem is: 从X(那边)出来/过来/走过去…, 途经X，步行至…
# (从A到B alone is a stretch, read elsewhere.)
_CAME_FROM = re.compile(r"(?:那边|这边|那儿|这儿|家里|家)?(?:溜达|走|跑|骑|开|下班|放学|买菜|办事)?(?:过来|出来|过去|出发|回来)"
                        r"|(?:坐|坐车|坐地铁|乘地铁|坐公交|乘车)到")  # (从朝阳门站坐到建国门站: where he got off)
_ON_THE_WAY = re.compile(r"(?:的)?[\s,]*路上")  # (从城东客运站坐车到长途站的 路上看到的: between them)
_WENT_ON_TO = re.compile(r",?(?:步行|走)?(?:至|到)")
# 我住在礼士胡同那边。史家胡同24号对面…: the sentence about one's home ends, the problem's place follows
_SENTENCE_AFTER = re.compile(rf"[{CJK}]{{0,4}}[{SENTENCE_ENDS}]")
_NOT_HERE_REACH = 90  # how far after where the caller lives "not here" may be said
_SENTENCE_END = re.compile(f"[{SENTENCE_ENDS}]")
_NEXT_SENTENCE_REACH = 30
_FIRST_PERSON = re.compile("我|本人|俺|咱")
_ROUTINE_REACH = 120  # how far after the routine's sentence the problem's place may be named
_ERRAND_BEFORE = ("在", "从", "去", "到")
_NEXT_REACH = 60  # how far after where the writer lives or was the problem's place may be named
_DENIED_REACH = 16  # how soon after a name "not ours" may be said of it
_PAUSES = PHRASE_BREAK + " "


def problem_place(vocab: Vocabulary, t: str, starters: list[Name]) -> Name | None:
    """The problem's first name (`_problem_name`), from the road said right before it when
    there is one (每天送孩子上学，史家胡同史家小学门口…, 经常去五一路红旗商场买东西: the road is
    part of the place)."""
    chosen = _problem_name(vocab, t, starters)
    if chosen is None or chosen.kind not in ("landmark", "compound"):
        return chosen
    road = _road_before(t, starters, chosen)
    if road is not None:
        return road
    # 家乐福 就是光明路的家乐福, 主题：红旗商场后面… 周末经常去五一路红旗商场: said again with its road
    again = (n for n in starters if chosen.end <= n.start <= chosen.end + _SAID_AGAIN_WITH_ROAD and n.value == chosen.value)
    return next((r for n in again if (r := _road_before(t, starters, n)) is not None), chosen)


def _road_before(t: str, starters: list[Name], name: Name) -> Name | None:
    """The road named right before `name` (史家胡同史家小学, 光明路的家乐福, 红星路上那个…), or None."""
    i = starters.index(name)
    road = starters[i - 1] if i > 0 else None
    if road is not None and road.kind == "road" and road.end <= name.start \
            and t[road.end:name.start].strip(_PAUSES) in _ROAD_JOINERS:
        return road
    return None


_NAMED_NEIGHBOUR = 4  # (桃园村旁边的化工厂: no name of its own, the village and its side stand)
_ACROSS_FROM = re.compile(rf"(?:[东西南北正后侧大]门)?(?:斜?(?:{NEIGHBOUR_WORDS})|边上|(?P<compass>[东西南北](?:边|侧|面)))的(?:那个|那家)?")
_NEAR_HOME = re.compile(r"[,\s]+(?:附近|旁边|对面|隔壁|边上)的(?:那个|那家|那座)?")
_ROAD_JOINERS = ("", "的", "上", "上的", "那个", "上那个", "的那个")
_SAID_AGAIN_WITH_ROAD = 200  # how far after the place it may be named again with its road


def _problem_name(vocab: Vocabulary, t: str, starters: list[Name]) -> Name | None:
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
    if not field:
        field = _PLACE_STATED.search(t, first.end, first.start + _PLACE_STATED_REACH)
    if field:
        first = next((n for n in starters if field.end() <= n.start <= field.end() + 2), first)
    # 我经常带孙子去崇川区的濠滨广场玩…我说的地方是通州区金沙街道的文体中心广场: the place pointed at
    pointed = vocab.pointed.search(t, first.end, first.end + _POINTED_REACH)
    named = next((n for n in starters if pointed and pointed.end() <= n.start <= pointed.end() + 1), None)
    alone = first.kind in ("district", "street") and not any(
        first.end <= n.start <= first.end + 2 and n.kind in NAMED_KINDS for n in starters)
    if named is not None and named.value != first.value and not alone:
        return named  # (a district or town alone: the spot pointed at is in it, read by assemble)
    # 从北京站出来往北走…天桥上, 途经朝阳门地铁站，步行至…: where the caller came from
    while first is not starters[-1] and (
            t.endswith("从", 0, first.start) and _CAME_FROM.match(t, first.end)
            and not _ON_THE_WAY.match(t, starters[starters.index(first) + 1].end)
            or t.endswith("途经", 0, first.start) and _WENT_ON_TO.match(t, first.end)):
        first = starters[starters.index(first) + 1]
    # 小区东门对面的聚福楼饭店, 和平小区隔壁的幸福里小区: the place across from or next to the first
    # (工林路明珠花园隔壁的工林新村: the road said first, then the place the neighbour is next to)
    beside = next((n for n in starters if first.kind == "road" and n.start == first.end
                   and n.kind in ("compound", "landmark")), first)
    across = _ACROSS_FROM.match(t, beside.end)
    neighbour = next((n for n in starters if across and n.start == across.end()), None)
    # (东堂子胡同北边的遂安伯胡同11号: a road north of the first, with its number)
    if neighbour is not None and (neighbour.kind in ("compound", "landmark") and not across.group("compass")
                                  or neighbour.kind == "road" and across.group("compass") and NUMBER.match(t, neighbour.end)) \
            and len(neighbour.value) >= _NAMED_NEIGHBOUR:
        first = neighbour
    if _on_errand(vocab, t, first) and (later := _next_with_detail(vocab, t, first, starters)) is not None:
        return later  # 我在东四菜市场买完菜出来 看到演乐社区卫生服务站门口…
    # 我在东方花园 不是我们小区的事 是旁边那个 东方农贸市场 门口… (where he lives is read below)
    denied = vocab.not_here.search(t, first.end, first.end + _DENIED_REACH)
    if denied and not lives_at(vocab, t, first) and (later := next(
            (n for n in starters if n.start >= denied.end() and n.value != first.value), None)) is not None:
        return later
    if not lives_at(vocab, t, first):
        passing = _after_routine(vocab, t, first, starters)
        return first if passing is None else passing
    turn = vocab.turn_re.search(t, first.end, first.end + 30)
    if turn is None:
        # 其家住苏州园小区，附近的苏州胡同公厕已经关闭: the place near his home, named
        near = _NEAR_HOME.match(t, first.end)
        named = next((n for n in starters if near and n.start == near.end() and n.kind in ("landmark", "compound")
                      and n.value != first.value), None)
        if named is not None:
            return named
        # 我住在礼士胡同那边。史家胡同24号对面…: the next sentence opens with the problem's
        # place (but 我是樟树湾小区居民。小区东门口的快递驿站: still the estate)
        end = _SENTENCE_AFTER.match(t, first.end)
        opening = next((n for n in starters if end and n.start == end.end()), None)
        if opening is not None:
            return opening
        # 我家住在和顺新村，离望江花园很近。这段时间望江花园东大门外面…: a place with its own
        # gate, number or building early in the next sentence
        # (but 我是青石县白沙镇的家长。白沙中学南门外…: the district is the school's too)
        stop = _SENTENCE_END.search(t, first.end, first.end + _NEXT_SENTENCE_REACH)
        later = next((n for n in starters if stop and stop.end() <= n.start <= stop.end() + _NEXT_SENTENCE_REACH
                      and n.value != first.value and _with_detail(vocab, t, n)), None)
        if first.kind not in NAMED_KINDS:
            return first
        # (我是绿城小区的 今天去中心公园南门 那边的公共厕所: a place with a detail of its own, said soon
        # after; but 我是幸福新村17幢的住户，17幢楼前…, 我住在玉泉路 玉泉路八十八号 绿城小区 七号楼: his own)
        return later or _stated_later(t, first, starters) \
            or _next_with_detail(vocab, t, first, starters, unless_own_detail=True) or first
    later = next((n for n in starters if n.start >= turn.end()
                  and not (n.value == first.value and n.kind in NAMED_KINDS
                           and not _with_detail(vocab, t, n))), None)
    if later is not None:  # (本人住在桃园里，每天走松林路去买菜。这次要反映的是…: passed on the round too)
        return _after_routine(vocab, t, later, starters) or later
    if vocab.not_here.search(t, first.end, first.end + _NOT_HERE_REACH):
        return None
    # 其家住北竹竿小区，近日在礼士公园东门内晨练时发现…: the place named before what he found
    # (not below a district or street: 我是东安区的 东安 就是东四街道)
    if first.kind not in NAMED_KINDS:
        return first
    return next((n for n in starters if first.end < n.start < turn.start() and n.value != first.value), first)


def _stated_later(t: str, home: Name, starters: list[Name]) -> Name | None:
    """我本人住在金宝花园，平时早晚都要出门遛弯儿。…这家饭馆的位置在东总布胡同10号: after where the writer
    lives, the place a later sentence says is where (地址是, 位置在, 具体是 …)."""
    cue = SPOT_CUE.search(t, home.end, home.end + _POINTED_REACH)
    return next((n for n in starters if cue and cue.end() <= n.start <= cue.end() + 2 and n.value != home.value
                 and n.kind in (*NAMED_KINDS, "junction", "between")), None)


def _after_routine(vocab: Vocabulary, t: str, first: Name, starters: list[Name]) -> Name | None:
    """The place the next sentences name with a detail of its own when the first name is in a
    sentence where the writer tells his routine (我每天晚饭后都沿金宝街散步。…金宝街东段的便道上…,
    我在东四八条住了四十多年…贡院东街15号楼下…; 您好，我是一名视障者，每天走去按摩店上班。…): where he
    passes is not the problem's place."""
    opening = max(t.rfind(c, 0, first.start) for c in SENTENCE_ENDS + ":") + 1
    stop = _SENTENCE_END.search(t, first.end)
    if stop is None or not _FIRST_PERSON.search(t, opening, first.start) or not vocab.routine.search(t, opening, stop.start()):
        return None
    crossing = next((n for n in starters if first.end <= n.start < stop.start() and n.kind in ("junction", "between")), None)
    if crossing is not None:
        return crossing  # 每天送孩子去史家小学，必经史家胡同和朝阳门南小街的路口。: the crossing on the way
    turn = vocab.turn_re.search(t, stop.end(), stop.end() + _ROUTINE_REACH)
    if turn:  # …沿着东单北大街一直往南走。这次要反映的是东安区东单街道东单北大街，…
        said = next((n for n in starters if turn.end() <= n.start <= turn.end() + 4), None)
        if said is not None:
            return said
    return next((n for n in starters if stop.end() <= n.start <= stop.end() + _ROUTINE_REACH
                 and (n.kind in ("junction", "between") or _with_detail(vocab, t, n, any_detail=True))), None)


def _with_detail(vocab: Vocabulary, t: str, name: Name, any_detail: bool = False) -> bool:
    """Is the name followed by a gate, building, unit, number or exit of its own (我是桂汀苑业主，
    想反映桂汀苑西北门外…: the caller's own estate, and the problem at its gate)? A side alone
    is not enough (苇溪新村旁边儿那条，柘湖路…: the problem is elsewhere), unless `any_detail`.
    A junction or a stretch is finer than any name by itself (我是干面胡同的老街坊，…南小街跟干面胡同那个丁字路口)."""
    if name.kind in ("junction", "between"):
        return True
    probe = Place(**{name.kind: name.value})
    return bool(detail_at(vocab, t, name.end, probe)) and (any_detail or any(
        (probe.gate, probe.building, probe.unit, probe.number, probe.exit)))


def _on_errand(vocab: Vocabulary, t: str, name: Name) -> bool:
    """The writer says what he was doing there (我在东四菜市场买完菜出来, 刚从万达下班, 在小雅宝公交站那儿等车)."""
    return t[max(0, name.start - 4):name.start].rstrip(_PAUSES).endswith(_ERRAND_BEFORE) \
        and vocab.errand_after.match(t, name.end) is not None


def _next_with_detail(vocab: Vocabulary, t: str, first: Name, starters: list[Name],
                      unless_own_detail: bool = False) -> Name | None:
    """Another name soon after `first` with a detail of its own (a gate, number, side …) or a crossing;
    `unless_own_detail`: None when `first` is said with a gate, building, number or exit of its own
    before it."""
    for n in starters:
        if n.start < first.end or n.start > first.end + _NEXT_REACH:
            continue
        if n.value == first.value:
            if unless_own_detail and _with_detail(vocab, t, n):
                return None
            continue
        if _with_detail(vocab, t, n, any_detail=True):
            return None if unless_own_detail and _with_detail(vocab, t, first) else n
    return None


def lives_at(vocab: Vocabulary, t: str, name: Name) -> bool:
    """Whether the caller says he lives at the name: 我住在X, or 我住X的，X小区 (said
    short first)."""
    if vocab.residence_end.search(t[max(0, name.start - 8):name.start].rstrip(_PAUSES)):
        return True  # (我家在 紫薇苑: with a pause)
    if t.endswith("在", 0, name.start) and t.startswith(("居住", "住"), name.end):
        return True  # 其在海运仓小区居住, 我在阳光家园住: said after the name
    for k in range(len(name.value) - 1, 1, -1):
        short = t.rfind(name.value[:k], max(0, name.start - 14), name.start)
        if short >= 0:
            return bool(vocab.residence_end.search(t, max(0, short - 5), short))
    return False
