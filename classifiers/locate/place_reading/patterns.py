"""What several steps of the place reader look for alike: house numbers, buildings, exits,
an estate's phase, another name in brackets, pauses."""
from __future__ import annotations

import re

CJK = "\u4e00-\u9fff"
# Another name said in brackets right after a name (永济桥（老石桥）, 红旗路（老207国道）)
# (but not a stretch, a position or an address said in brackets: 学府路（育才街至文化路段）,
# 芦荻桥以西约100米, 金樽KTV（滨江路103号）, 桂馥路58号（老红光电影院门口）)
# (also as the caller called it, in quotes: 龙湾大桥（来电人称“新大桥”）)
ALIAS = re.compile(rf"\s*\((?:(?![^)]*(?:至|到|段|之间|以[东西南北]|约|米|附近|旁|对面|侧|号|门口|门前|边))[{CJK}\w]{{1,12}}"
                   rf"|[{CJK}]{{0,5}}(?:称|叫|说是)\"[^\"()]{{1,12}}\")\)")
SENTENCE_ENDS = ".!?;"  # as normalised text has them (。！？； → .!?;)
PUNCT = re.compile(r"[\s,.;:!?~\"'\[\]()\-/、]+")
# 18号, 18号院, 9号楼下 (below No. 9); not 18号楼 (a building), 2号线, 4号口.
NUMBER = re.compile(r"([甲乙丙]?\d{1,5}(?:-\d{1,4})?)号(?:院子|院儿?)?(?!楼(?![下上道顶前后])|线|口|栋)")
# (a tower block by its letter, B座 / A栋, as normalised text has it: b座; written down as "B")
UNIT = re.compile(r"(\d{1,2})单元")
BUILDING = re.compile(r"第?(\d{1,3}|[a-z](?=[座栋幢]))(?:号楼|栋|幢|座|#|号(?=\d{1,2}单元))(?:楼(?![下上道顶前后梯里]))?")
EXIT = re.compile(r"([A-Za-z]\d?|\d{1,2}|[东西][南北]|[东西南北])号?(?:出入口|出站口|出口|入口|口)")  # A口, 2号口, 东南口
# An estate's phase or section is part of its name: 锦绣花园二期, 金穗花园南区, 嘉禾苑三期（C区）
_ESTATE_SECTION = r"[A-Za-z东西南北中甲乙丙丁]区(?!域)"  # (甲区, 乙区: an old estate's sections)
PHASE = re.compile(rf"[一二三四五六七八九十\d]{{1,2}}期(?:{_ESTATE_SECTION}|[（(]{_ESTATE_SECTION}[）)])?|{_ESTATE_SECTION}")
_SECTION_LETTER = re.compile(r"[（(]?([a-z])区[）)]?")  # (c区) as normalised text has it
STRETCH = re.compile(r"(东|西|南|北|中)段|中间(?:那|这)?一?段")  # 中间那一段: 中段
STRETCH_AFTER = re.compile(r"(?:那一段|这一段|那段|这段|一段|那一截|这一截|那截|这截|一截)")
CJK_RUN = re.compile(f"[{CJK}]+")


def estate_name(name: str) -> str:
    """An estate's name as written down: 嘉禾苑三期(c区) → 嘉禾苑三期C区."""
    return _SECTION_LETTER.sub(lambda m: m.group(1).upper() + "区", name)


# A metro or light-rail line said with a station (地铁2号线人民广场站, 轻轨3号线白沙站)
RAIL = "地铁|轻轨"
LINE_NUMBER = r"\d{1,2}号线"
_LINE = re.compile(rf"{RAIL}|轨道交通|{LINE_NUMBER}")


# The city's metro before a line or a station's name (广州地铁3号线…, 南京地铁珠江路站; not 东四地铁站)
CITY_METRO = re.compile(r"^[\u4e00-\u9fff]{2,3}?市?(?=(?:地铁|轨道交通)(?:\d{1,2}号线|[\u4e00-\u9fff]{2,}站$))")


def station_key(name: str) -> str:
    """A station's name without its city's metro, its line or the word 地铁 (广州地铁3号线珠江新城站,
    地铁2号线朝阳门站, 朝阳门地铁站 → 朝阳门站)."""
    return _LINE.sub("", CITY_METRO.sub("", name))


# A bus route (坐19路, 19路的…站), which ends like a road and is none
BUS_ROUTE = re.compile(r"(?:坐|乘|搭|等|转)?\d{1,3}路|(?:坐|乘|搭|等|转)[一二两三四五六七八九十百零]{1,4}路")


# The operator asking for the next part of the place (接线员：几号楼几单元？来电人：…, 北京站哪个口？),
# up to the caller's answer
# The suffixes that end an estate's name for sure (text.py's lane-then-estate, names.py's estate after a lane)
ESTATE_WORDS = "家园|小区|花园|公寓|新村|宿舍|大院|苑"
# Who speaks in a transcript: the operator, the caller (接线员：… 来电人：…)
OPERATOR = "(?:接线员|话务员|12345客服|客服|坐席|工作人员)"
CALLER = "(?:来电人|市民|群众|用户)"
# (the words of such a question, which dialogue.py also reads a transcript's answers by)
DETAIL_QUESTIONS = (r"几号楼|几栋|哪栋|哪一栋|几单元|哪个单元|哪个门|哪个出?口|几号口|几号|多少号|门牌|哪一段|哪段|哪个位置|"
                    r"具体位置|具体在哪|哪边|什么位置|哪个地方|还是院里|还是里面|还是外面|还是门口|哪一侧|哪侧|标志|参照物")
DETAIL_ASKED = re.compile(rf"{OPERATOR}:[^.?!:]{{0,16}}?(?:{DETAIL_QUESTIONS})[^.?!:]{{0,10}}\?{CALLER}:")

# Across the road from or next door to a place (对面解放西路92号, 东门对面的聚福楼饭店)
NEIGHBOUR_WORDS = "对面|隔壁|旁边"

# Pauses only (commas, full stops, spaces) between two things said
PAUSE_ONLY = re.compile(r"[,.\s]*")
# What a caller says between the one he denies and the one he means (不是18号 是16号, 不是B口，而是C口;
# \u2063 is text.PHRASE_BREAK, a pause the text no longer shows)
THEN_IS = re.compile(r"[\s,\u2063]*(?:而|就)?是")
# 具体位置在… / 具体就是…: the words that say where precisely, before the spot
PRECISELY = r"具体(?:的)?(?:位置|地点|地址|方位)?(?:就|是)?(?:在|是|为|:)"
# A form's field that adds to or puts right what the fields above it said (补充说明：门牌填错了，是71号)
SUPPLEMENT = re.compile(r"(?:补充说明|补充|备注|更正)[:：]")
# 具体位置是… / 地址是… / 小区叫…: a letter naming the spot in a sentence of its own, far from what it said first
SPOT_CUE = re.compile(rf"(?:{PRECISELY}|(?:地址|位置|地点|地方)(?:是|在|为)|(?:小区|村子|村|胡同|市场|学校)(?:的名字|名字)?叫)[,:\s]?")
