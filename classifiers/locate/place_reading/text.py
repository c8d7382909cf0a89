"""The text as the place reader reads it: normalised (classifiers.normalize), spoken numbers
as digits, a caller's false starts and memory searches taken out, phrase breaks marked."""
from __future__ import annotations

import re
from collections.abc import Callable

from classifiers.locate.place_reading.patterns import CJK, ESTATE_WORDS
from classifiers.normalize import chinese_numeral, normalize

_NUM = "[零〇一幺二两三四五六七八九十百]+"
# Spoken numbers before the words that count: 十八号 → 18号, 五号楼 → 5号楼, 二号线 → 2号线.
_SPOKEN_NUMBER = re.compile(rf"({_NUM})(?=号|栋|幢|单元|座|楼(?![下上道顶前后梯房里])|出口|口(?![子气]))")
# Marks where a space separated two phrases (see normalize); taken out before names are read.
PHRASE_BREAK = "\u2063"
# A caller searching his memory (几号来着，哦，41号 / A口还是B口来着，B口): what he then says is the
# place's detail, as if said straight after the name
_WHICH_WAS_IT = re.compile(
    rf"(?:那个)?[{PHRASE_BREAK}.,]*(?:[一二三四五六七八九十百\d]{{0,3}}几(?:号楼|栋|幢|号院|号口|号|单元|口)?|哪个门|哪个口"
    r"|[a-z\d]口还是[a-z\d]口|[东西南北]{1,2}门还是[东西南北]{1,2}门)来着"
    rf"[{PHRASE_BREAK}.,\s]*(?:(?:哦|噢|对|我想想|想想|我看看|看看|让我想想)[{PHRASE_BREAK}.,\s]*)*")
# A caller's false start, said again whole after a pause: 八，八号楼 / 南，南大门 / 十……十四栋
# (not a word said twice on purpose: 不，不是八条 is a denial, 对，对面 an answer)
_STUTTER = re.compile(rf"(?<![{CJK}\d])(?![不是对哦嗯啊那这就我俺])([{CJK}]{{1,2}})[,.{PHRASE_BREAK}]+(?=\1)")
# …and one glued to the name before it: 新鲜胡同十、十九号, 北新仓胡同二十……二十六号, 就是东、东门口
_GLUED_STUTTER = re.compile(rf"([一二三四五六七八九十百]{{1,2}})[,.{PHRASE_BREAK}]+(?=\1)|([东西南北])[,.{PHRASE_BREAK}]+(?=\2大?门)")
# …and said with a space, which speech recognition puts around a single character (演乐小区 十
# 十五号楼, 学府路 南 南段, 云台路中 中段): a numeral or a direction, said again at once; any other
# character said alone between spaces, then begun again (我们这个 大 大槐树村, 工业大道跟 纬 纬四路)
# (not 乐清城东 东港花园: a direction ending one name and starting the next)
_SPACED_STUTTER = re.compile(r"([一二三四五六七八九十百])\s+(?=\1)|([东西南北中])\s+(?=\2[段侧边门头面口角部])"
                             r"|(?<![\u4e00-\u9fff])([东西南北中])\s+(?=\3)")
_LONE_STUTTER = re.compile(rf"(^|[\s,，、。；;:：])(?![不是对哦嗯啊那这就我俺])([{CJK}])\s+(?=\2)")  # (a space first: fast to scan for)
# A number begun and taken back before its 号 (二十六 不对 二十七号): the first is a false start
_NUMBER_TAKEN_BACK = re.compile(rf"{_NUM}[,.\s{PHRASE_BREAK}]*(?:不对|不是)[,.\s{PHRASE_BREAK}]*是?"
                                rf"(?=(?:{_NUM}|\d{{1,4}})(?:号|栋|幢|单元))")
# 望江路地铁站 A 出口: a station's exit letter between spaces
_SPACED_EXIT = re.compile(rf"(?<=站)[\s{PHRASE_BREAK}]*([a-z])[\s{PHRASE_BREAK}]+(?=出口|口)")
# …and a village's or a road's first characters said right after its district or town, then
# the whole name (青山区马 马家坪村, 柳河镇大 大塘村, 北郊区榆树 榆树屯村), or after 是 (不是 是石门 石门村)
_NAME_FALSE_START = re.compile(rf"(?<=[区县镇乡市是])([{CJK}]{{1,2}})[,.{PHRASE_BREAK}]+(?=\1[{CJK}]{{0,3}}(?:村|屯|庄|镇|乡|路|街|巷|胡同|小区))")
# A number searched for, then said (外交部街那个 三十几号 三十七号): the one said
# (东四十条 一百二十几号 想起来了 128号: and found)
_NUMBER_SEARCHED = re.compile(rf"[一二三四五六七八九十百\d]{{1,5}}几号?[,.\s{PHRASE_BREAK}]*"
                              rf"(?:(?:我)?想起来了|哦对|对了)?[,.\s{PHRASE_BREAK}]*(?={_NUM}号|\d{{1,5}}号)")
# A number begun and dropped with 哦 (苏州园小区二十 哦 十二号楼), or said and then confirmed as
# another (礼士胡同八十 八号 对 八十八号): the last one
_NUMBER_BEGUN_AGAIN = re.compile(rf"{_NUM}[,.\s{PHRASE_BREAK}]*(?:哦|噢|呃)[,.\s{PHRASE_BREAK}]*(?={_NUM}|\d)")
_CONFIRMED_AT = re.compile(rf"号[,.\s{PHRASE_BREAK}]*对[,.\s{PHRASE_BREAK}]*\d")  # (a cheap look first)
_NUMBER_CONFIRMED = re.compile(rf"(?:{_NUM}[,.\s{PHRASE_BREAK}]*)?\d{{1,5}}号[,.\s{PHRASE_BREAK}]*对[,.\s{PHRASE_BREAK}]*(?=\d{{1,5}}号)")
# 光华街二十八 二十八号: a number said, then said again with its 号 (compared once both are digits)
_NUMBER_SAID_AGAIN = re.compile(rf"({_NUM})[,.\s{PHRASE_BREAK}]+(?=(\d{{1,5}})号)")
# Words said again right after a pause (_said_again): the pauses, and what counts as words
_PAUSE = re.compile(rf"[{PHRASE_BREAK}\s]+")
_CJK_ONLY = re.compile(rf"[{CJK}]+")
# the last characters of a name: a name begun is not one of these (东四八条 东四八条公厕 is a road
# and a landmark on it, not 东四八条 begun)
_NAME_ENDS = set("路街道巷条同村庄屯镇乡区县市门站场园苑里厦楼桥店院")
# 解放大道和 和新华路: a junction's 和/跟 said twice
_CONNECTOR_TWICE = re.compile(rf"([和跟与])[,\s{PHRASE_BREAK}]+(?=\1)")
# 建国门地铁站 A A口: an exit's letter said, then said again with 口
_EXIT_LETTER_STUTTER = re.compile(rf"(?<![a-z])([a-z])[\s{PHRASE_BREAK},.]+(?=\1(?:出入口|出口|口))")
# A station's exit as a caller finds it: a letter taken back (东四十条地铁站 a 不 c 对c口, a 不对 c口), the
# first of two exits asked about when he settles on the second (b 是b口还是 d口 d口), the metro or its
# line said between the station and the exit (市政府站 地铁 e口, 五一广场站 地铁4号线的 a2口), a line said
# twice (地铁 1号线 1号线 火车站站)
_P = rf"[\s{PHRASE_BREAK},]*"
_EXIT_TAKEN_BACK = re.compile(rf"(?<![a-z])[a-z]\d?{_P}(?:不对|不是|不){_P}(?:是|对)?{_P}(?=[a-z]\d?(?![a-z]))")
_EXIT_CONFIRMED = re.compile(rf"(?<![a-z])([a-z]\d?){_P}对{_P}(?=\1口)")
_EXIT_SETTLED = re.compile(rf"(?:(?<![a-z])[a-z]\d?{_P})?是?{_P}[a-z\d]{{1,2}}号?口还是{_P}(?=([a-z]\d?|\d{{1,2}}号?)口{_P}\1口)")
_LINE_BEFORE_EXIT = re.compile(rf"(?<=站){_P}(?:地铁{_P}(?:\d{{1,2}}号线)?|\d{{1,2}}号线)的?{_P}(?=[a-z]\d?(?:出入口|出口|口)|\d{{1,2}}号?(?:出入口|出口|口))")
_LATIN_OR_DIGIT = re.compile(r"[a-z\d]")
_LINE_TWICE = re.compile(rf"(\d{{1,2}}号线){_P}(?=\1)")
# 十八号之二 = 18-2号: a house number's sub-number said the old way
_SUB_NUMBER_AFTER = re.compile(r"(?<!\d)(\d{1,5})号-(\d{1,4})(?![\d号楼])")
_SUB_NUMBER = re.compile(r"(\d{1,5})号之([一二三四五六七八九十]{1,3}|\d{1,3})")
# 长青路地铁A出口: the station named after the road, said without 站
METRO_AFTER_ROAD = re.compile(r"(?<=[\u4e00-\u9fff])(?<![站铁])地铁(?=[\s\u2063]?[a-z]?\d{0,2}号?(?:出入口|出口|口))")


# 建设路 一百二十八号 一二八 门口, 东四七条幺五号 一五, 十九号楼 一 一九: the number said again digit by
# digit (or whole, 十一号 十一 对), for the operator to write down — said, not a place word of its own
_NUMBER_SPELLED_AFTER = re.compile(rf"(\d{{1,5}})(号楼|号|栋|幢)[,\s{PHRASE_BREAK}]+({_NUM})(?:[,\s{PHRASE_BREAK}]*对)?(?:就是)?(?=[,\s{PHRASE_BREAK}])")


# 东四三条三条小区, 东四六条 嗯 六条小区: a numbered lane, then the estate named after it — not a stutter
_LANE_THEN_ESTATE = re.compile(r"([一二三四五六七八九十]{1,2}条)[\s,，]*(?:嗯|啊|呃|那个|就是)?[\s,，]*(?=\1(?:小区|社区|宿舍))")
_BRACKETED_CORRECTION = re.compile(r"[（(]((?:不对|不是|更正|应为|应该是)[^）)]{0,30})[）)]")
_SPACED_NUMBER_WORD = re.compile(r"([\d零〇一二两三四五六七八九十百])[ \t\u3000]+(号楼|号|栋|幢|单元)")
# 东四十条十条家园, 东四九条那个九条家园: a lane, then its estate named after the lane's end (no stutter)
_ESTATE_AFTER_ITS_ROAD = re.compile(rf"([\u4e00-\u9fff]{{1,3}}([\u4e00-\u9fff]{{1,2}}[路街条巷]))(?:那个)?"
                                    rf"(\2[\u4e00-\u9fff]{{0,2}}?(?:{ESTATE_WORDS}))")
_ONE_BUILDING_COUNTED = re.compile(r"(?<=一)[栋幢](?=[老新旧破小大高矮空危]|房|楼房|平房|民房|自建房|别墅|厂房)")
_ESTATE_WORD = re.compile(ESTATE_WORDS)
_LANE_REACH = 12  # from the lane's name to the end of its estate's (东四十条十条家园)


def _lane_then_estate(text: str) -> str:
    """The text with a pause between a lane and its estate named after the lane's end (looked for only
    before each estate word: the pattern is slow to scan a whole letter with)."""
    out, last = [], 0
    for word in _ESTATE_WORD.finditer(text):
        m = _ESTATE_AFTER_ITS_ROAD.search(text, max(last, word.start() - _LANE_REACH), word.end())
        if m is not None and m.end() == word.end():
            out += [text[last:m.end(1)], " "]
            last = m.start(3)
    return "".join(out) + text[last:] if out else text


# 叁拾陆号, 廿号: a house number in the numerals of cheques and old usage
_FORMAL_NUMERALS = str.maketrans({"壹": "一", "贰": "二", "貳": "二", "叁": "三", "參": "三", "肆": "四", "伍": "五",
                                  "陆": "六", "陸": "六", "柒": "七", "捌": "八", "玖": "九", "拾": "十", "佰": "百"})
_FORMAL_DIGIT = re.compile("[壹贰貳叁參肆伍陆陸柒捌玖拾佰廿卅]")
_FORMAL_NUMBER = re.compile(r"[壹贰貳叁參肆伍陆陸柒捌玖拾佰廿卅零〇一二两三四五六七八九十百]*[壹贰貳叁參肆伍陆陸柒捌玖拾佰廿卅]"
                            r"[壹贰貳叁參肆伍陆陸柒捌玖拾佰廿卅零〇一二两三四五六七八九十百]*(?=\s*(?:号|號|栋|棟|幢|单元|單元))")
# 十字 不对 丁字路口: the kind of junction put right, not the place
_JUNCTION_KIND_PUT_RIGHT = re.compile(rf"(?:十字|丁字)(?:路?口)?[,\s{PHRASE_BREAK}]*(?:不对|不是)[,\s{PHRASE_BREAK}]*(?=(?:十字|丁字)路?口)")


def _number_spelled_after(m: re.Match) -> str:
    number, word, said = m.group(1), m.group(2), m.group(3)
    return number + word if number == str(chinese_numeral(said)) else m.group()  # (一二八 and 一百二十八 alike)


def _digits(m: re.Match) -> str:
    said = m.group(1)
    if said in ("一", "两") and m.string.startswith("座", m.end()):
        return said  # 一座废弃猪圈: a counter, not building 1
    return str(chinese_numeral(said) or said)


def _begun_again(said: str, after: str) -> bool:
    """建国门 建国门街道, 南台子 南台子村, 一百二十 一百二十三号: begun, then said whole."""
    return said[-1] not in _NAME_ENDS and bool(after) and (_CJK_ONLY.match(after) is not None or after.isdigit())


def _whole_again(said: str, after: str) -> bool:
    """宝山路 宝山路 跟那个 和平里街 和平里街: a phrase said twice (the second 和 then no "and")."""
    return after == "" or after in f"{PHRASE_BREAK} ,." or after.isspace()


def _said_again(t: str, shortest: int, longest: int, counts: Callable[[str, str], bool]) -> str:
    """The text without the first saying of words said again right after a pause, when
    `counts(words, the character after their second saying)` (looked at pause by pause:
    a regular expression with a back-reference costs ~25 µs a text)."""
    if PHRASE_BREAK not in t and " " not in t:
        return t
    out, last = [], 0
    for pause in _PAUSE.finditer(t):
        start, end = pause.span()
        for k in range(min(longest, start - last), shortest - 1, -1):
            said = t[start - k:start]
            if _CJK_ONLY.fullmatch(said) and t.startswith(said, end) and counts(said, t[end + k:end + k + 1]):
                out.append(t[last:start - k])
                last = end
                break
    out.append(t[last:])
    return "".join(out)


def _exits_as_settled(t: str) -> str:
    if "号线" in t:
        t = _LINE_TWICE.sub("", t)
    if "号线" in t or "地铁" in t:
        t = _LINE_BEFORE_EXIT.sub("", t)
    if "口" not in t or not _LATIN_OR_DIGIT.search(t):
        return t
    if "不" in t:
        t = _EXIT_TAKEN_BACK.sub("", t)
    if "对" in t:
        t = _EXIT_CONFIRMED.sub("", t)
    return _EXIT_SETTLED.sub("", t) if "还是" in t else t


# 们 before 街道 after a name (朝阳们街道, 建国们街道): the speech recogniser's 门
_MEN_MISHEARD = re.compile(r"(?<=[\u4e00-\u9fff])(?<![我你他她它咱俺人])们(?=街道)")
# A chat line's time stamp ([14:03], [2026-12-01 14:03])
_CHAT_TIME = re.compile(r"\[(?:\d{4}-\d{1,2}-\d{1,2}\s*)?\d{1,2}:\d{2}(?::\d{2})?\]\s*")


def prepare(text: str, phrase_breaks: bool = False) -> str:
    """Normalised text (simplified, half-width, fillers out) with spoken numbers as digits;
    with `phrase_breaks`, a space between two phrases is kept as PHRASE_BREAK."""
    text = _SPACED_STUTTER.sub("", text) if isinstance(text, str) else ""
    if "[" in text:
        text = _CHAT_TIME.sub(" ", text)  # [14:03] 188号: a chat's times between the parts of a place
    if "们街道" in text:
        text = _MEN_MISHEARD.sub("门", text)  # 朝阳们街道: 门 misheard (not 我们街道)
    if "条" in text:
        text = _LANE_THEN_ESTATE.sub(r"\1，", text)  # (before normalize takes 三条三条 for a stutter)
    if "（" in text or "(" in text:
        # 3号楼（不对，应该是4号楼，我写错了）: a correction in brackets, read as one said aloud
        text = _BRACKETED_CORRECTION.sub(lambda m: "，" + m.group(1).replace("应该是", "是") + "，", text)
    text = _lane_then_estate(text)
    if "一栋" in text or "一幢" in text:
        text = _ONE_BUILDING_COUNTED.sub("处", text)  # 56号旁边一栋老房子: a count, not building 1
    if _FORMAL_DIGIT.search(text):
        text = _FORMAL_NUMBER.sub(lambda m: m.group().replace("廿", "二十").replace("卅", "三十").translate(_FORMAL_NUMERALS), text)
    if " 号" in text or " 栋" in text or " 单元" in text:
        text = _SPACED_NUMBER_WORD.sub(r"\1\2", text)  # 经七路 588 号, 3 栋 2 单元
    if " " in text:
        text = _LONE_STUTTER.sub(r"\1", text)
    t = normalize(text, PHRASE_BREAK if phrase_breaks else "")
    t = _NUMBER_TAKEN_BACK.sub("", t)
    t = _SPACED_EXIT.sub(r"\1", t)
    if "口" in t:
        t = _EXIT_LETTER_STUTTER.sub("", t)
    t = _STUTTER.sub("", t)
    t = _NAME_FALSE_START.sub("", t)
    t = _CONNECTOR_TWICE.sub("", t)
    t = _GLUED_STUTTER.sub("", t)
    t = _said_again(t, 2, 6, _begun_again)
    if "几" in t:
        t = _NUMBER_SEARCHED.sub("", t)
    if "哦" in t or "噢" in t or "呃" in t:
        t = _NUMBER_BEGUN_AGAIN.sub("", t)
    t = _SPOKEN_NUMBER.sub(_digits, t)
    if any(w + c in t for w in "号楼栋幢" for c in (PHRASE_BREAK, " ", ",")):  # (a pause after the number's word)
        t = _NUMBER_SPELLED_AFTER.sub(_number_spelled_after, t)
    if "对" in t and _CONFIRMED_AT.search(t):
        t = _NUMBER_CONFIRMED.sub("", t)
    t = _said_again(t, 3, 8, _whole_again)
    if "站" in t:
        t = _exits_as_settled(t)
    if "号" in t:
        t = _NUMBER_SAID_AGAIN.sub(lambda m: "" if str(chinese_numeral(m.group(1))) == m.group(2) else m.group(), t)
    if "来着" in t:
        t = _WHICH_WAS_IT.sub("", t)
    if "字" in t:
        t = _JUNCTION_KIND_PUT_RIGHT.sub("", t)
    if "号-" in t:
        t = _SUB_NUMBER_AFTER.sub(r"\1-\2号", t)  # 65号-2: the house 65-2
    if "号之" not in t:
        return t
    return _SUB_NUMBER.sub(lambda m: f"{m.group(1)}-{chinese_numeral(m.group(2)) or m.group(2)}号", t)


# What a letter's or a form's subject line is labelled with (form.py reads them in raw text too)
SUBJECT_LABELS = ("主题", "标题", "主旨", "事由")
_SUBJECT = re.compile(f"(?:{'|'.join(SUBJECT_LABELS)}):")
_SUBJECT_END = re.compile(rf"[\s{PHRASE_BREAK}]")


def subject_end(t: str) -> int:
    """Where a letter's subject line (主题：…) ends in prepared text, or 0 when it has none. Its
    first phrase break or space ends it; taking the breaks out (phrase_starts) leaves that place
    as it is."""
    if not _SUBJECT.match(t):
        return 0
    end = _SUBJECT_END.search(t)
    return end.start() if end else 0


def phrase_starts(t: str) -> tuple[str, frozenset[int]]:
    """t without its phrase breaks, and where the phrases after them start."""
    parts = t.split(PHRASE_BREAK)
    starts, at = set(), 0
    for part in parts[:-1]:
        at += len(part)
        starts.add(at)
    return "".join(parts), frozenset(starts)
