"""The registry-free place reader (classifiers/locate/places.py): the structured place a
dispatcher writes down (docs/places.md) from a citizen's words, and its vocabulary file."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bench.place_compare import canonical
from classifiers.locate.places import (
    GENERIC_LANDMARKS,
    WORDS_PATH,
    Place,
    PlaceReader,
    PlaceWordsError,
    extract_place,
    load_place_words,
    parse_place_words,
)


def place_of(text: str) -> dict:
    """The place read from `text`, in the form a person's place is compared with."""
    found = extract_place(text)
    return canonical(found.as_dict() if found else None)


def check(text: str, expected: dict) -> None:
    assert place_of(text) == canonical(expected), text


# -- the ten examples of docs/places.md --------------------------------------------------------

DOC_EXAMPLES = [
    ("和平路十八号门口的井盖没了", {"road": "和平路", "number": "18", "side": "门口"}),
    ("解放路跟人民路那个十字路口", {"road": "解放路", "cross_road": "人民路"}),
    ("翠苑小区北门外垃圾堆成山", {"compound": "翠苑小区", "gate": "北门", "side": "外"}),
    ("锦绣花园5号楼2单元楼下", {"compound": "锦绣花园", "building": "5", "unit": "2", "side": "下"}),
    ("中山路那个永辉超市门口", {"road": "中山路", "landmark": "永辉超市", "side": "门口"}),
    ("西城区李家村村东头", {"district": "西城区", "compound": "李家村", "side": "东侧"}),
    ("地铁2号线人民广场站B口", {"landmark": "地铁2号线人民广场站", "exit": "B"}),
    ("建设大道中段", {"road": "建设大道", "stretch": "中段"}),
    ("人民路口到建设路口之间那一段", {"between": ["人民路", "建设路"]}),
    ("长江路天桥下面", {"road": "长江路", "landmark": "天桥", "side": "下"}),
]


@pytest.mark.parametrize("text, expected", DOC_EXAMPLES, ids=[t for t, _ in DOC_EXAMPLES])
def test_the_schema_examples(text, expected):
    check(text, expected)


def test_the_doc_example_keeps_the_citizens_words():
    place = extract_place("和平路十八号门口的井盖没了")
    assert place.text == "和平路18号门口"
    assert place.label() == "和平路18号门口"
    assert place.specific


# -- numbers that are not house numbers ----------------------------------------------------------

NOT_HOUSE_NUMBERS = [
    # a date between the address and its side
    ("喂,我住育才胡同,七号,从上个月25号开始门口就堆满垃圾", {"road": "育才胡同", "number": "7", "side": "门口"}),
    ("光华路36号门口从6月12号起一直有人摆摊", {"road": "光华路", "number": "36", "side": "门口"}),
    # a time and a phone number read digit by digit with 幺
    ("富强街9号楼下烧烤到凌晨2点,我电话幺三九一二三四五六七八", {"road": "富强街", "number": "9", "side": "下"}),
    ("我家在朝霞小区,8号楼,我电话是幺三五,零零零一,二三四五,8号楼楼下有人烧垃圾",
     {"compound": "朝霞小区", "building": "8", "side": "下"}),
    # an order number
    ("订单号20230612887766一直没发货,商家在建华南路", {"road": "建华南路"}),
    # a flat and a floor
    ("枫林苑3号楼2单元302室楼道里堆满杂物", {"compound": "枫林苑", "building": "3", "unit": "2", "side": "内"}),  # in the stairwell (the schema: 里 → 内)
    ("海棠家园六号楼三楼的住户在阳台烧东西", {"compound": "海棠家园", "building": "6"}),
    ("松柏路18-2号二楼的饭店油烟直排", {"road": "松柏路", "number": "18-2"}),
    # a distance: neither a number nor a side
    ("青松路一百零八号往东五十米有个大坑", {"road": "青松路", "number": "108"}),
    # a count
    ("长宁路88号对面停了五辆僵尸车", {"road": "长宁路", "number": "88", "side": "对面"}),
    # a bus line and a metro line
    ("我在2路车站等了一个小时车都不来", {}),
    ("地铁3号线滨湖站C口外面有人发小广告", {"landmark": "地铁3号线滨湖站", "exit": "C", "side": "外"}),
    ("黄石路15号对面(地铁6号线施工围挡处)夜里施工", {"road": "黄石路", "number": "15", "side": "对面"}),
    # the number the caller denies
    ("我住光华路8号,8号啊,不是18号,门口有个大坑", {"road": "光华路", "number": "8", "side": "门口"}),
    # no place at all, only numbers
    ("今年3月15号我在网上买的东西到现在没发货", {}),
    ("请问社保怎么缴费,我的电话是13800138000", {}),
]


@pytest.mark.parametrize("text, expected", NOT_HOUSE_NUMBERS, ids=[t for t, _ in NOT_HOUSE_NUMBERS])
def test_numbers_that_are_not_house_numbers(text, expected):
    check(text, expected)


# -- names that look alike ------------------------------------------------------------------------

LOOK_ALIKES = [
    ("光华路小区12号楼楼下垃圾没人清", {"compound": "光华路小区", "building": "12", "side": "下"}),
    ("光华路12号楼下垃圾没人清", {"road": "光华路", "number": "12", "side": "下"}),
    ("纺织路宿舍3号楼东侧的路灯不亮", {"compound": "纺织路宿舍", "building": "3", "side": "东侧"}),
    ("建华南路45号门口井盖坏了", {"road": "建华南路", "number": "45", "side": "门口"}),
    ("建华路45号门口井盖坏了", {"road": "建华路", "number": "45", "side": "门口"}),
    ("光明路小学门口堵车严重", {"landmark": "光明路小学", "side": "门口"}),
    ("城东区图书馆西侧乱停车", {"landmark": "城东区图书馆", "side": "西侧"}),
    ("梅林街道辖区内小广告很多", {"street": "梅林街道"}),
    ("彩虹桥底下有人露宿", {"landmark": "彩虹桥", "side": "下"}),
]


@pytest.mark.parametrize("text, expected", LOOK_ALIKES, ids=[t for t, _ in LOOK_ALIKES])
def test_names_that_look_alike(text, expected):
    check(text, expected)


# -- names that start with characters that are also function words ---------------------------------

FUNCTION_WORD_STARTS = [
    ("朝晖路17号门口有人占道", {"road": "朝晖路", "number": "17", "side": "门口"}),
    ("向前街与育才路交叉口红绿灯坏了", {"road": "向前街", "cross_road": "育才路"}),
    ("外环路东段有大货车超速", {"road": "外环路", "stretch": "东段"}),
    ("我是后街村的,村北头有人烧垃圾", {"compound": "后街村", "side": "北侧"}),
    ("上塘路21号院里的树倒了", {"road": "上塘路", "number": "21", "side": "内"}),
    ("下沙路跟文一路十字路口有积水", {"road": "下沙路", "cross_road": "文一路"}),
    ("在向阳小区5号楼楼下有人遛狗不拴绳", {"compound": "向阳小区", "building": "5", "side": "下"}),
    ("向阳路跟外环路交叉口东北角有个坑", {"road": "向阳路", "cross_road": "外环路"}),
]


@pytest.mark.parametrize("text, expected", FUNCTION_WORD_STARTS, ids=[t for t, _ in FUNCTION_WORD_STARTS])
def test_names_starting_with_function_characters(text, expected):
    check(text, expected)


# -- what callers say between the parts of one place -------------------------------------------------

IN_BETWEEN = [
    ("我是枫林苑小区的,我们7号楼3单元门口,有人乱扔垃圾",
     {"compound": "枫林苑小区", "building": "7", "unit": "3", "side": "门口"}),
    ("我们是银杏小区的业主,就是11号楼,楼下电动车乱停", {"compound": "银杏小区", "building": "11", "side": "下"}),
    ("红枫小区,红枫小区啊,那个六号楼,六号楼二单元楼下有人烧东西",
     {"compound": "红枫小区", "building": "6", "unit": "2", "side": "下"}),
    ("喂,海棠家园,海棠的海棠,五号楼,五号楼门口有人杀鸡", {"compound": "海棠家园", "building": "5", "side": "门口"}),
    ("喂,我在那个松柏路,松柏路一百二十号,对,一二零,楼下的饭店油烟太大",
     {"road": "松柏路", "number": "120", "side": "下"}),
    ("喂喂,我说的是梅林街,梅林街三十三号,三十三号院,院里头有个树倒了", {"road": "梅林街", "number": "33", "side": "内"}),
    ("梅林街6号院,里头那个2号楼,2号楼底下有人烧纸", {"road": "梅林街", "number": "6", "building": "2", "side": "下"}),
    ("地址:桃源路66号,问题:门口井盖缺失", {"road": "桃源路", "number": "66", "side": "门口"}),
]


@pytest.mark.parametrize("text, expected", IN_BETWEEN, ids=[t for t, _ in IN_BETWEEN])
def test_words_between_the_parts_of_a_place(text, expected):
    check(text, expected)


# -- exits said twice, villages whose side comes later, words before a name -------------------------

MORE = [
    ("滨湖地铁站B口,B出口旁边有人卖假货", {"landmark": "滨湖地铁站", "exit": "B", "side": "旁"}),
    ("人民商场地铁站,3号口,3号出口外面积水", {"landmark": "人民商场地铁站", "exit": "3", "side": "外"}),
    ("地铁六号线花园路站A2口旁边的电梯坏了", {"landmark": "地铁6号线花园路站", "exit": "A2", "side": "旁"}),
    ("东湖地铁站出口那有人发传单", {"landmark": "东湖地铁站"}),
    ("我是青龙镇红星村的,俺们村南头有人倒垃圾", {"street": "青龙镇", "compound": "红星村", "side": "南侧"}),
    ("俺是城西区张庄的,俺们庄东头那个坑里有死猪", {"district": "城西区", "compound": "张庄", "side": "东侧"}),
    ("我们是赵庄的,庄北头有人烧秸秆", {"compound": "赵庄", "side": "北侧"}),
    ("后湖村村口那条路坑坑洼洼的", {"compound": "后湖村"}),
    ("北关镇梅林村村西头有人偷倒垃圾", {"street": "北关镇", "compound": "梅林村", "side": "西侧"}),
    ("我住在富强街12号,门口下水道堵了", {"road": "富强街", "number": "12", "side": "门口"}),
    ("住喺上塘路五十号,门口好多垃圾", {"road": "上塘路", "number": "50", "side": "门口"}),
    ("反映外滩路十二号门前占道经营", {"road": "外滩路", "number": "12", "side": "门口"}),
    ("反映青松路与长宁路路口的信号灯问题", {"road": "青松路", "cross_road": "长宁路"}),
    ("我住在朝晖三区15幢,楼下天天有人打牌到半夜", {"compound": "朝晖三区", "building": "15", "side": "下"}),
]


@pytest.mark.parametrize("text, expected", MORE, ids=[t for t, _ in MORE])
def test_exits_villages_and_words_before_names(text, expected):
    check(text, expected)


# -- the rest of the schema ---------------------------------------------------------------------------

SCHEMA = [
    ("光华路,哦不对,建华路88号门口有个坑", {"road": "建华路", "number": "88", "side": "门口"}),
    ("喂,是松柏路吗,不对,是松林路,松林路22号门口", {"road": "松林路", "number": "22", "side": "门口"}),
    ("银杏小区东边大门那个道闸坏了", {"compound": "银杏小区", "gate": "东门"}),
    ("松柏路6号,楼下大门口天天有人摆摊", {"road": "松柏路", "number": "6", "gate": "大门", "side": "门口"}),
    ("梅林小学正门口东侧有人卖辣条", {"landmark": "梅林小学", "gate": "正门", "side": "东侧"}),
    ("青松路过街天桥上有人摆摊", {"road": "青松路", "landmark": "天桥", "side": "上"}),
    ("桃源大桥上面有人钓鱼,很危险", {"landmark": "桃源大桥", "side": "上"}),
    ("长宁路上那家华联超市门口有人乱停车", {"road": "长宁路", "landmark": "华联超市", "side": "门口"}),
    ("梅林村村委会对面的垃圾池满了", {"compound": "梅林村", "landmark": "村委会", "side": "对面"}),
    ("从梅林公园到桃源大桥那一段路灯不亮", {"between": ["梅林公园", "桃源大桥"]}),
    ("梅林街上从桃源路口到松柏路口之间那一段没有路灯", {"road": "梅林街", "between": ["桃源路", "松柏路"]}),
    ("从松柏路往梅林街拐的那个路口有个坑", {"road": "松柏路", "cross_road": "梅林街"}),
    ("松柏路跟桃源路十字路口那个报亭旁边有人卖假烟", {"road": "松柏路", "cross_road": "桃源路", "side": "旁"}),
    ("光明路和青年路拐角那个公交站牌被车撞倒了", {"road": "光明路", "cross_road": "青年路"}),
    ("梅林街西段两侧都是违章停车", {"road": "梅林街", "stretch": "西段"}),
    ("城南区梅林街道翠竹社区", {"district": "城南区", "street": "梅林街道"}),
    ("東湖小區3號樓樓下有人燒垃圾", {"compound": "东湖小区", "building": "3", "side": "下"}),
    ("市第三医院急诊楼门口救护车进不去", {"landmark": "市第三医院", "side": "门口"}),
    ("翠竹小区8#楼西侧消防通道被堵", {"compound": "翠竹小区", "building": "8", "side": "西侧"}),
    ("锦江花园二期的,二期啊,不是一期,十五号楼门口有狗屎",
     {"compound": "锦江花园二期", "building": "15", "side": "门口"}),
    ("我在海淀这边,中关村大街18号门口", {"district": "海淀区", "road": "中关村大街", "number": "18", "side": "门口"}),
    ("我住在丽水路二十六号院,院里的下水道堵了", {"road": "丽水路", "number": "26", "side": "内"}),
    ("东城区和平里街道", {"district": "东城区", "street": "和平里街道"}),
    ("我想问一下,孩子上小学要准备什么材料", {}),
    ("喂,同志,我是住在宝华里二十一号的,门口那个下水井盖子没了", {"road": "宝华里", "number": "21", "side": "门口"}),
    ("喂,我们是阳光城的,五号楼,五号楼楼下那个垃圾桶着火了", {"compound": "阳光城", "building": "5", "side": "下"}),
    ("我在上海路,上海路三十号,门口有个大坑", {"road": "上海路", "number": "30", "side": "门口"}),
    ("长征路与民主路之间那一段,路灯全灭了", {"between": ["长征路", "民主路"]}),
    ("市体育馆北侧停车场收费太贵", {"landmark": "市体育馆", "side": "北侧"}),
    ("迎宾路旁边的绿化带里有人倒垃圾", {"road": "迎宾路", "side": "旁"}),
    ("建国路上,从火车站路口到汽车站路口那一段全是黑车", {"road": "建国路", "between": ["火车站", "汽车站"]}),
    ("我们小区门口天天有人卖菜", {}),
    ("我们单位门口有人乱扔垃圾", {}),
    ("某培训机构退费难,请问找哪个部门", {}),
]


# Written for the reader's second round (its texts are invented here, not taken from the
# development or evaluation sets): dialect, brands, two places in one letter.
SECOND_ROUND = [
    ("东北老铁说：搁那个胜利路跟育才街那个十字路口有个大坑", {"road": "胜利路", "cross_road": "育才街"}),
    ("阿拉住勒长乐路，长乐路35号门口垃圾没人收", {"road": "长乐路", "number": "35", "side": "门口"}),
    ("延安西路搭华山路路口有只窨井盖子翘起来了", {"road": "延安西路", "cross_road": "华山路"}),
    ("和平路根建设路口有人卖假药", {"road": "和平路", "cross_road": "建设路"}),
    ("北小街与新开胡同交叉口西侧的路灯杆歪了", {"road": "北小街", "cross_road": "新开胡同", "side": "西侧"}),
    ("建设路上的肯德基旁边下水道反味", {"road": "建设路", "landmark": "肯德基", "side": "旁"}),
    ("站前物美门口卸货车天天堵路", {"landmark": "站前物美", "side": "门口"}),
    ("我住在翠湖花园，但是我要反映的是对面金桂小区南门外面的垃圾站",
     {"compound": "金桂小区", "gate": "南门", "side": "外"}),
    ("我住在翠湖花园，门口路灯坏了", {"compound": "翠湖花园", "side": "门口"}),
    ("青龙镇柳树村的村道年久失修", {"street": "青龙镇", "compound": "柳树村"}),
    ("杏花村北头那块空地堆满了建筑垃圾", {"compound": "杏花村", "side": "北侧"}),
    ("珠江桥底有人露宿", {"landmark": "珠江桥", "side": "下"}),
    ("东风桥桥面坑坑洼洼", {"landmark": "东风桥", "side": "上"}),  # the deck: on the bridge
    ("公交车司机急刹车，老人站不稳摔倒了", {}),
    ("黄埔村入面啲电线乱拉", {"compound": "黄埔村", "side": "内"}),
]


@pytest.mark.parametrize("text, expected", SECOND_ROUND, ids=[t for t, _ in SECOND_ROUND])
def test_dialect_brands_and_the_place_of_the_problem(text, expected):
    check(text, expected)


BRIDGES_SHOPS_AND_REPEATS = [
    # a junction's footbridge, a road's flyover, a bridge named only by its junction
    ("天河北路与体育东路交汇处天桥下，有流浪人员", {"road": "天河北路", "cross_road": "体育东路", "landmark": "天桥", "side": "下"}),
    ("北环路立交桥下有大量建筑垃圾", {"road": "北环路", "landmark": "立交桥", "side": "下"}),
    ("湘江北路与岳麓大道立交桥下面长期有车乱停", {"road": "湘江北路", "cross_road": "岳麓大道", "landmark": "立交桥", "side": "下"}),
    ("文化路口那个天桥上有人摆摊", {"road": "文化路", "landmark": "天桥", "side": "上"}),
    # an unnamed shop on a road, with its side
    ("华山路上那个网吧门口天天有人打架", {"road": "华山路", "landmark": "网吧", "side": "门口"}),
    ("中山路上超市很多", {"road": "中山路"}),
    # a compound with no suffix, by the building said after it; a count is no name
    ("绿地新都会 3号楼 1单元 楼上往下扔烟头", {"compound": "绿地新都会", "building": "3", "unit": "1"}),
    ("一共5栋楼都停水", {}),
    # district and street said with pauses between them
    ("我在那个城南区，桃园街道，建设东路一百零八号，油烟扰民",
     {"district": "城南区", "street": "桃园街道", "road": "建设东路", "number": "108"}),
    # the compound said short, then in full
    ("我在那个桂花园，桂花园小区啊，西大门，岗亭没人", {"compound": "桂花园", "gate": "西门"}),
    # a county or a district no division table holds, by the village after it or by "那边"
    ("双桥县张家湾村村口的路被大车压烂了", {"district": "双桥县", "compound": "张家湾村"}),
    ("青石乡那边的山上有人偷砍树", {"street": "青石乡"}),
    # which side of the bridge tells two places under it apart
    ("跃进桥东侧桥下有人生火做饭", {"landmark": "跃进桥", "side": "东侧"}),
    ("丽水湾东边大门外面有个坑", {"compound": "丽水湾", "gate": "东门", "side": "外"}),
    ("水岸名都7#2单元楼下化粪池满了", {"compound": "水岸名都", "building": "7", "unit": "2", "side": "下"}),
    # 中间那一段 is the middle stretch; a road may end in 带路; times of day start no name
    ("俺说的是青峰路中间那一段，坑坑洼洼的", {"road": "青峰路", "stretch": "中段"}),
    ("嗯，就玉带路中段，那个，中段，有个井盖松了", {"road": "玉带路", "stretch": "中段"}),
    ("柳巷街道这边晚上广场舞太吵", {"street": "柳巷街道"}),
    # a web form's "问题:" ends the place; 3号楼下 is below the building, 下水道 is not
    ("地点：北山苑3号楼下 问题：有人在绿化带里种菜", {"compound": "北山苑", "building": "3", "side": "下"}),
    ("锦绣花园3号楼下水道堵了", {"compound": "锦绣花园", "building": "3"}),
    ("来电人再次来电，称北山路与紫金路交叉口东南角有人占道", {"road": "北山路", "cross_road": "紫金路"}),
]


@pytest.mark.parametrize("text, expected", BRIDGES_SHOPS_AND_REPEATS, ids=[t for t, _ in BRIDGES_SHOPS_AND_REPEATS])
def test_bridges_unnamed_shops_and_names_said_twice(text, expected):
    check(text, expected)


FORMS_LETTERS_AND_OLD_NUMBERS = [
    # a form's address field names the place, whatever the title said before it
    ("标题：烧烤店油烟熏人\n地址：砚池路88号老秦家烧烤\n内容：这家烧烤店每天傍晚开始烤串",
     {"road": "砚池路", "number": "88"}),
    # whom a letter is addressed to is no place
    ("致枫岭区政府：枫岭区芦荡湾村村北的养猪场污水直排入河", {"district": "枫岭区", "compound": "芦荡湾村", "side": "北侧"}),
    ("致枫岭区人民政府：近一个月频繁出现夜间停电，请电力部门排查原因", None),
    # where one's car stood is not part of the road's name
    ("我车停茭白路55号门口，刚才一根大树杈砸下来", {"road": "茭白路", "number": "55", "side": "门口"}),
    # 十八号之二 is 18-2
    ("苜蓿街十八号之二门口 消防通道让人摆满了桌子椅子", {"road": "苜蓿街", "number": "18-2", "side": "门口"}),
    # a stretch from one crossing to the next, said right after the road, 那截 as 那段
    ("苍岩大道柏籽路口到杉果路口那截也淹了", {"road": "苍岩大道", "between": ["柏籽路", "杉果路"]}),
    # a false start said again whole (八，八号楼 / 南，南大门), 第十一栋, the gate's 大门口 said again
    ("蓼汀新苑，那个八，八号楼，二单元，单元门关不上了", {"compound": "蓼汀新苑", "building": "8", "unit": "2"}),
    ("桂汀苑第十一栋，二单元，楼道灯坏了大半年了", {"compound": "桂汀苑", "building": "11", "unit": "2"}),
    ("呃，就是，澜庭家园，南，南大门，大门口儿，有个卖菜的三轮车", {"compound": "澜庭家园", "gate": "南门", "side": "门口"}),
    # the caller's own estate said again with its gate after the turn: the problem is there
    ("我是桂汀苑业主，想反映桂汀苑西北门外的垃圾中转站噪音问题", {"compound": "桂汀苑", "gate": "西北门", "side": "外"}),
    # a village's side after a pause; the junction or station said again before its side or exit
    ("喂，俺是鹤汀区望鹤镇的，桃坞村，桃坞村后头，北边儿，有个砖厂天天冒黑烟",
     {"district": "鹤汀区", "street": "望鹤镇", "compound": "桃坞村", "side": "北侧"}),
    ("本人每天骑车经过芷园街与岚溪路交叉口，该路口东侧非机动车道被占用", {"road": "芷园街", "cross_road": "岚溪路", "side": "东侧"}),
    ("就那个，朝阳门，朝阳门站，地铁站那个，E口，E口出来往东，有个台阶扶手断了", {"landmark": "朝阳门站", "exit": "E"}),
    # …but a denial said twice is no false start, and the caller's estate said again with only a
    # side leads to the problem's place, which is elsewhere
    ("那个东四南大街，和那个，什么，东四八条？不，不是八条，是东四六条，对，东四六条，跟东四南大街那个路口，有个红绿灯杆子歪了",
     {"road": "东四六条", "cross_road": "东四南大街"}),
    ("我住那个苇溪新村三号楼的，哦，这个不重要，我主要是反映那个，苇溪新村旁边儿那条，柘湖路，柘湖路跟砚池巷交叉那儿，红绿灯一直黄灯闪",
     {"road": "柘湖路", "cross_road": "砚池巷"}),
    # a district named X城区 is that district, not the division 城区 of another city
    ("苇城区芦花荡村村东 有人烧秸秆 烟大得看不见路", {"district": "苇城区", "compound": "芦花荡村", "side": "东侧"}),
]


@pytest.mark.parametrize("text, expected", FORMS_LETTERS_AND_OLD_NUMBERS, ids=[t for t, _ in FORMS_LETTERS_AND_OLD_NUMBERS])
def test_forms_letters_and_numbers_said_the_old_way(text, expected):
    check(text, expected)


MEMORY_OFFICES_AND_SHOPS = [
    # a caller searching his memory: the detail he then finds is the place's
    ("史家胡同几号来着，哦，四十一号，四十一号那个院儿门口", {"road": "史家胡同", "number": "41", "side": "门口"}),
    ("怡和苑，几号楼来着，我想想，九号楼，九号楼一单元，一楼开了个麻将馆", {"compound": "怡和苑", "building": "9", "unit": "1"}),
    ("地铁东四站，那个……A口还是B口来着，B口，B口出来那个台阶碎了", {"landmark": "地铁东四站", "exit": "B"}),
    ("凤凰城小区，北门，哎不对，东北门，东北门那边，有个井盖塌下去了", {"compound": "凤凰城小区", "gate": "东北门"}),
    # a street office and its district said again
    ("东单街道办事处辖区内存在多处群租房", {"street": "东单街道"}),
    ("我是东安区的，东安区，嗯，建国门街道这一片儿，老有人推销保健品", {"district": "东安区", "street": "建国门街道"}),
    # how many roads is not which (多处路段, 好多路口)
    ("南湖区桂花街道多处路段夜间照明不足", {"district": "南湖区", "street": "桂花街道"}),
    # a stretch's end keeps the road of its name (花园路口 → 花园路; 东四十条路口 → 东四十条)
    ("长安路从花园路口到工业路口之间 全是坑", {"road": "长安路", "between": ["花园路", "工业路"]}),
    ("朝阳门北小街从东四十条路口到东四八条路口之间", {"road": "朝阳门北小街", "between": ["东四十条", "东四八条"]}),
    # a village's side said bare before what is there
    ("赵家屯村北有人烧秸秆 烟大得看不见路", {"compound": "赵家屯村", "side": "北侧"}),
    # entertainment venues are landmarks; "本楼" in an address field is none
    ("来电人反映：蓑草路星光KTV夜间噪音扰民", {"road": "蓑草路", "landmark": "星光KTV"}),
    ("地址：灯笼街鸿兴茶楼", {"road": "灯笼街", "landmark": "鸿兴茶楼"}),
    ("标题：邻居占用楼道\n地址：本楼\n内容：对门邻居把鞋柜放在楼道里", None),
    # where the caller lives, then where the problem is (问题在…, 其在X居住，反映Y…)
    ("住在东总布胡同，问题在北总布胡同，北总布小区２号楼北侧私搭乱建",
     {"road": "北总布胡同", "compound": "北总布小区", "building": "2", "side": "北侧"}),
    ("我住翠湖家园 问题不在小区 在小区北边的人民公园南门对面 有人天天放高音喇叭卖货",
     {"landmark": "人民公园", "gate": "南门", "side": "对面"}),
    ("来电人反映：其在海运仓小区居住，反映南门仓胡同南门仓绿地内有人夜间聚集饮酒喧哗",
     {"road": "南门仓胡同", "landmark": "南门仓绿地", "side": "内"}),
    ("其所在小区内有人私自在公共绿地种菜", None),
    # a form's place said more precisely in its content; an operator's bracketed correction
    ("标题：施工扰民\n地址：东安区建国门街道\n内容：具体位置在船板胡同十五号院内，每天夜里十二点以后还在施工",
     {"district": "东安区", "street": "建国门街道", "road": "船板胡同", "number": "15", "side": "内"}),
    ("标题：共享单车堆积\n地址：建国门地铁站\n内容：具体在A口外面，几十辆单车堆着",
     {"landmark": "建国门地铁站", "exit": "A", "side": "外"}),
    ("来电人反映：大雅宝胡同（来电人随后更正为小雅宝胡同）26号门口下水道堵塞，污水外溢",
     {"road": "小雅宝胡同", "number": "26", "side": "门口"}),
    # a numeral or a gate's direction said twice glued to the name; a memory searched with 几
    ("我住新鲜胡同，新鲜胡同十、十九号，十九号，家门口那个下水井冒泡", {"road": "新鲜胡同", "number": "19"}),
    ("翠湖湾小区，就是东、东门，东门口那个健身器材坏了", {"compound": "翠湖湾小区", "gate": "东门", "side": "门口"}),
    ("北新仓胡同二十……二十几来着，二十六号，对，二十六号，我们院门口那个路灯",
     {"road": "北新仓胡同", "number": "26", "side": "门口"}),
    # an operator's correction without brackets
    ("来电人反映：礼士小区，来电人随后更正为礼士花园，6号楼前化粪池满溢", {"compound": "礼士花园", "building": "6"}),
    # a subject's place said again in the letter with the same details and a side
    ("主题：方巾巷小区二号楼外墙空调支架锈蚀\n\n您好：\n方巾巷小区二号楼西侧外墙有多台空调外机支架严重锈蚀",
     {"compound": "方巾巷小区", "building": "2", "side": "西侧"}),
]


@pytest.mark.parametrize("text, expected", MEMORY_OFFICES_AND_SHOPS, ids=[t for t, _ in MEMORY_OFFICES_AND_SHOPS])
def test_memory_street_offices_stretch_ends_and_venues(text, expected):
    check(text, expected)


# A form's address field made finer by its content, where the two agree
FORM_FIELDS = [
    ("标题：路面塌陷\n地址：东安区\n内容：北京站东街20号对面路面出现一个坑，车过去颠得厉害。",
     {"district": "东安区", "road": "北京站东街", "number": "20", "side": "对面"}),
    ("标题：出口积水\n地址：东四十条地铁站\n内容：D口台阶下面积水严重，乘客只能踩着砖头出站。",
     {"landmark": "东四十条地铁站", "exit": "D"}),
    ("标题：违建\n地址：临江区\n内容：柳营镇河口村三组有人在耕地上盖房子。",
     {"district": "临江区", "street": "柳营镇", "compound": "河口村"}),
    # the content mentions things in passing: the field stays as it is
    ("标题：流浪猫过多\n地址：东安区\n内容：很多小区流浪猫繁殖过快，夜里叫声扰民。", {"district": "东安区"}),
    # the content names another road: the field's place is the problem's
    ("标题：占道\n地址：春晖家园北门外\n内容：从和平路过来，春晖家园北门外的水果摊占了人行道。",
     {"compound": "春晖家园", "gate": "北门", "side": "外"}),
]


@pytest.mark.parametrize("text, expected", FORM_FIELDS, ids=[t for t, _ in FORM_FIELDS])
def test_a_forms_address_field_made_finer_by_its_content(text, expected):
    check(text, expected)


# Speech recognition's spaces around a false start; a number or a stretch taken back; a
# stretch from a junction
SPOKEN_AND_STRETCHES = [
    ("喂 我们这个 演乐小区啊 就是 演乐小区 十 十五号楼 呃 楼顶上有人养了好多鸽子",
     {"compound": "演乐小区", "building": "15"}),
    ("那个 大雅宝胡同 嗯 二十 二十六 不对 二十七号 二十七号门口那井盖儿 翘起来了",
     {"road": "大雅宝胡同", "number": "27", "side": "门口"}),
    ("呃 就 那个 学府路 学府路 南 南段 对 南段 那个 路边上 那个烧烤摊", {"road": "学府路", "stretch": "南段"}),
    ("喂 我想说那个 那个 云台路 云台路中 中段 不是 是西段 西段那一块 到处是渣土车掉的土",
     {"road": "云台路", "stretch": "西段"}),
    ("来电人反映：金山路百合路口往南至荷塘路口路段，绿化带杂草有一人高",
     {"road": "金山路", "between": ["百合路", "荷塘路"]}),
    ("来电人反映：河滨路百花街口以北至梅岭路口一段，路边晾晒渔网", {"road": "河滨路", "between": ["百花街", "梅岭路"]}),
    # a direction exit said again by its letter; a letter between spaces; 一座 a counter
    ("建国门地铁站西南口（即C口）外面的人行道上有流动摊贩", {"landmark": "建国门地铁站", "exit": "C", "side": "外"}),
    ("呃 建国门地铁站 那个 呃 东北口 就是 A口 A口外头 有人摆摊", {"landmark": "建国门地铁站", "exit": "A", "side": "外"}),
    ("您好，我想反映望江路地铁站 A 出口的问题", {"landmark": "望江路地铁站", "exit": "A"}),
    ("来电人反映：柳营镇王家庄村村东头的一座废弃猪圈倒塌", {"street": "柳营镇", "compound": "王家庄村", "side": "东侧"}),
]


@pytest.mark.parametrize("text, expected", SPOKEN_AND_STRETCHES, ids=[t for t, _ in SPOKEN_AND_STRETCHES])
def test_spoken_false_starts_corrections_and_stretches_from_a_junction(text, expected):
    check(text, expected)


# What the caller cannot say, and a shop named only by its trade, name no place
NAMED_BY_NOBODY = [
    "来电人反映：附近工地夜间施工噪音扰民，来电人称不清楚工地名称和所在道路，要求查处。",
    "来电人反映：其途经某路口时发现交通信号灯故障，但无法说清具体路口名称",
    "来电人反映：其昨天途经时看到路面塌陷，但不清楚事发路段",
    "啊 你好 我是 那个 嗯 这条街上 开店的 就是 想问问 门口摆个招牌 需不需要审批",
    "楼下烧烤店油烟太大了 窗户都不敢开 谁来管管",
]


@pytest.mark.parametrize("text", NAMED_BY_NOBODY)
def test_what_the_caller_cannot_say_names_no_place(text):
    assert extract_place(text) is None, text


def test_a_shop_named_by_its_owner_is_a_landmark():
    check("和平路老王烧烤店门口油烟大", {"road": "和平路", "landmark": "老王烧烤店", "side": "门口"})


@pytest.mark.parametrize("text, expected", SCHEMA, ids=[t for t, _ in SCHEMA])
def test_the_rest_of_the_schema(text, expected):
    check(text, expected)


def test_nothing_is_read_from_nothing():
    assert extract_place("") is None
    assert extract_place(None) is None
    assert extract_place("楼上天天半夜拖椅子,物业也不管") is None


def test_generic_landmarks_are_the_unnamed_ones():
    assert {"天桥", "公交站", "地铁站"} <= GENERIC_LANDMARKS
    assert "永辉超市" not in GENERIC_LANDMARKS


def test_a_district_alone_is_not_specific():
    place = extract_place("我是城西区富民街道的居民,这里小广告很多")
    assert (place.district, place.street) == ("城西区", "富民街道")
    assert not place.specific
    assert place.side == ""


# -- the vocabulary file --------------------------------------------------------------------------------


def bundled() -> dict:
    return tomllib.loads(WORDS_PATH.read_text(encoding="utf-8"))


def test_the_bundled_vocabulary_loads():
    words = load_place_words()
    assert "胡同" in words["roads.suffixes"]
    assert "门前" in words.sides["门口"]


def test_the_vocabulary_is_what_the_reader_uses(tmp_path):
    # "坡" is no suffix of the bundled file: 青石坡 is not read as a road, until an
    # administrator adds it.
    assert extract_place("青石坡12号门口井盖坏了") is None
    data = bundled()
    data["roads"]["suffixes"].append("坡")
    reader = PlaceReader(words=parse_place_words(data, "edited.toml"))
    assert reader.read("青石坡12号门口井盖坏了").as_dict() == {"road": "青石坡", "number": "12", "side": "门口",
                                                           "text": "青石坡12号门口"}


@pytest.mark.parametrize("change, message", [
    (lambda d: d["roads"].pop("suffixes"), "[roads].suffixes: missing"),
    (lambda d: d["roads"].update(suffix=["路"]), "[roads]: unknown key(s) ['suffix']"),
    (lambda d: d["phrases"].update(fillers="的"), "[phrases].fillers: must be a list of words"),
    (lambda d: d["names"]["vague"].insert(0, ""), "[names].vague[0]: must be a non-empty string"),
    (lambda d: d["sides"].update({"左边": ["左边"]}), "[sides].左边: not a side value of docs/places.md"),
    (lambda d: d["landmarks"]["attached"].append("居委"), "[landmarks].attached: ['居委'] not in [landmarks].suffixes"),
    (lambda d: d.update(extra={}), "unknown section(s) ['extra']"),
    (lambda d: d["roads"]["suffixes"].append("路"), "[roads].suffixes[11]: '路' is given twice"),
    (lambda d: d.pop("gates"), "[gates]: missing section"),
    (lambda d: d["phrases"].update(misheard=["湖同"]), "[phrases].misheard: must be a table of words"),
    (lambda d: d["phrases"]["misheard"].update({"湖同": ""}), "[phrases].misheard.湖同: must be a non-empty string"),
])
def test_a_bad_vocabulary_names_file_key_and_problem(change, message):
    data = bundled()
    change(data)
    with pytest.raises(PlaceWordsError) as err:
        parse_place_words(data, "place_words.toml")
    assert str(err.value).startswith("place_words.toml: ")
    assert message in str(err.value)


def test_a_vocabulary_file_that_is_not_toml(tmp_path: Path):
    bad = tmp_path / "words.toml"
    bad.write_text("[roads\nsuffixes = 路", encoding="utf-8")
    with pytest.raises(PlaceWordsError, match=f"{bad}: not valid TOML"):
        load_place_words(bad)
    with pytest.raises(PlaceWordsError, match="not found"):
        load_place_words(tmp_path / "missing.toml")


def test_place_as_dict_and_label():
    place = Place(compound="锦绣花园", building="5", unit="2", side="下", text="锦绣花园5号楼2单元楼下")
    assert place.as_dict() == {"compound": "锦绣花园", "building": "5", "unit": "2", "side": "下",
                               "text": "锦绣花园5号楼2单元楼下"}
    assert place.label() == "锦绣花园5号楼2单元下"
    assert Place(road="解放路", cross_road="人民路").label() == "解放路与人民路交叉口"


THIRD_ROUND = [
    # a numbered section is part of a road's name; a road's 88号楼 is its house 88
    ("锦华路一段七十六号后面巷子污水井冒了", {"road": "锦华路一段", "number": "76"}),
    ("梅林街一段时间没人扫了", {"road": "梅林街"}),
    ("朝晖路88号楼东侧小巷快递占道分拣", {"road": "朝晖路", "number": "88", "side": "东侧"}),
    # across the road from it
    ("中心医院马路对面殡葬店放鞭炮", {"landmark": "中心医院", "side": "对面"}),
    # a bridge's 下, but not 下雨 or 下水道
    ("南门桥下有人往河里扔垃圾", {"landmark": "南门桥", "side": "下"}),
    ("南门桥下雨天积水", {"landmark": "南门桥"}),
    ("解放桥下水道堵了", {"landmark": "解放桥"}),
    # what a caller chasing a report says before the name
    ("我3月2日反映过银河公寓后门消防通道被占的问题", {"compound": "银河公寓", "gate": "后门"}),
    ("我在微信上报过五一广场站2号口的空井盖", {"landmark": "五一广场站", "exit": "2"}),
    ("5月3日晚十点多黄河路27号门口发生斗殴", {"road": "黄河路", "number": "27", "side": "门口"}),
    ("刚打过电话 文昌路66号门口电线杆歪了", {"road": "文昌路", "number": "66", "side": "门口"}),
    # 城 needs context: a big gate or a phase after it
    ("那个四季花城南大门口的灯杆子上有个马蜂窝", {"compound": "四季花城", "gate": "南门", "side": "门口"}),
]


@pytest.mark.parametrize("text, expected", THIRD_ROUND, ids=[t for t, _ in THIRD_ROUND])
def test_sections_houses_bridges_and_what_callers_say_first(text, expected):
    check(text, expected)


FORMAL_AND_ADMIN = [
    ("本人系银杏苑小区业主，小区北门外道路两侧违停严重", {"compound": "银杏苑小区", "gate": "北门", "side": "外"}),
    ("本人于本周二傍晚途经延安西路与镇宁路交叉口时", {"road": "延安西路", "cross_road": "镇宁路"}),
    # a street office or a district said right before the road, with no space
    ("鼓楼区华大街道湖东路62号院内化粪池井盖破损",
     {"district": "鼓楼区", "street": "华大街道", "road": "湖东路", "number": "62", "side": "内"}),
    ("高新区科技路和创业大道交叉口东北角那个工地", {"district": "高新区", "road": "科技路", "cross_road": "创业大道"}),
    ("市区人民路18号门口井盖没了", {"road": "人民路", "number": "18", "side": "门口"}),
    # an operator's direction of travel between the road and the spot on it
    ("建国门内大街由东向西方向，建国门地铁站A口旁边的盲道被占",
     {"road": "建国门内大街", "landmark": "建国门地铁站", "exit": "A", "side": "旁"}),
    ("周边街道都很脏", {}),
    # a station's sign or platform said after it
    ("干面胡同公交站站牌被撞倒", {"landmark": "干面胡同公交站"}),
    ("我是上班路上看见的", {}),
    # a bare 旁, a big yard, the caller's work unit named again, a gate said after its side
    ("地铁1号线市政府站B出口旁共享单车乱停乱放", {"landmark": "地铁1号线市政府站", "exit": "B", "side": "旁"}),
    ("电厂路42号大院里 锅炉房的烟囱一直冒黑烟", {"road": "电厂路", "number": "42", "side": "内"}),
    ("我单位位于振华路45号，单位门口的路灯不亮", {"road": "振华路", "number": "45", "side": "门口"}),
    ("苏州园小区门口，南门，那个修车摊子天天占道", {"compound": "苏州园小区", "gate": "南门", "side": "门口"}),
    # a caller's 嘛 and 它 between the parts; 小镇; 城 before a side
    ("就是那个遂安伯小区嘛，九号楼的北边，有个井", {"compound": "遂安伯小区", "building": "9", "side": "北侧"}),
    ("大雅宝小区，它那个北门，物业把门锁了", {"compound": "大雅宝小区", "gate": "北门"}),
    ("金地格林小镇 21号楼 对面的空地 有人烧垃圾", {"compound": "金地格林小镇", "building": "21", "side": "对面"}),
    ("银泰城旁边 停车场出口那条道堵死了", {"compound": "银泰城", "side": "旁"}),
    ("县城附近有人烧秸秆", {}),
    # a correction (更正), a junction said as 交叉的地方, a bank's branch
    ("东四北大街……更正：东四南大街与东四六条交叉路口，左转信号灯时长过短", {"road": "东四南大街", "cross_road": "东四六条"}),
    ("北京路跟上海路那个交叉的地方，路面让挖开了", {"road": "北京路", "cross_road": "上海路"}),
    ("东四南大街上，那个中国工商银行东四支行旁边，有个井盖凹下去了",
     {"road": "东四南大街", "landmark": "中国工商银行东四支行", "side": "旁"}),
    # the landmark's kind said again before its gate
    ("那个省体育馆，体育馆西门外边，演唱会散场以后垃圾满地", {"landmark": "省体育馆", "gate": "西门", "side": "外"}),
]


@pytest.mark.parametrize("text, expected", FORMAL_AND_ADMIN, ids=[t for t, _ in FORMAL_AND_ADMIN])
def test_formal_letters_street_offices_and_station_parts(text, expected):
    check(text, expected)


FIFTH_ROUND = [
    # a street office said alone, or with 这片; not a street: 周边街道
    ("东单街道 最近晚上老是停水 怎么回事", {"street": "东单街道"}),
    ("东单街道这片 晚上遛狗不牵绳的太多了", {"street": "东单街道"}),
    # a town right after its district, though a shorter name (北旺镇) is a town elsewhere
    ("市民反映海淀区西北旺镇韩家川村附近有大量渣土车",
     {"district": "海淀区", "street": "西北旺镇", "compound": "韩家川村", "side": "旁"}),
    # a street whose name ends like a bridge (卢沟桥街道, 桥梓镇), after its district
    ("来电人反映：丰台区卢沟桥街道辖区内多处路灯不亮", {"district": "丰台区", "street": "卢沟桥街道"}),
    ("所在村：怀柔区桥梓镇北宅村 问题：村内自来水已停水三天",
     {"district": "怀柔区", "street": "桥梓镇", "compound": "北宅村"}),
    ("喂，我是海淀区学院路街道的，我们这边最近半夜老有施工的声音", {"district": "海淀区", "street": "学院路街道"}),
    # a form: the village first, then its town
    ("村名：石各庄村 所属乡镇：杨宋镇 问题描述：村内垃圾桶不足", {"compound": "石各庄村", "street": "杨宋镇"}),
    # where the caller lives, then the place of the problem
    ("来电人称其居住在礼士花园，反映南竹竿胡同9号门口长期有车辆占用消防通道",
     {"road": "南竹竿胡同", "number": "9", "side": "门口"}),
    ("我住在海淀区学院路，老家在房山区良乡镇刘丈村。近日听父母说村里修路把排水沟填了",
     {"district": "房山区", "street": "良乡镇", "compound": "刘丈村"}),
    # inside the village when said right after it; the whole village after the caller's role
    ("王庄村里的路被大货车压烂了，下雨全是泥。", {"compound": "王庄村", "side": "内"}),
    ("我是河西区石桥村村民，村里的自来水已经断了五天", {"district": "河西区", "compound": "石桥村"}),
    # in a green belt: the belt is what is wrong, not a side of the road
    ("建设大道中段绿化带里的树死了一片，一直没补种。", {"road": "建设大道", "stretch": "中段"}),
    # a caller correcting themselves after the details or with 不是
    ("我在那个康宁路十号楼下，不是，康宁路十号门口，这边有个窨井在往外冒水", {"road": "康宁路", "number": "10", "side": "门口"}),
    ("幸福路与和平路……不是，幸福路与民主路那个路口，斑马线上停了辆车", {"road": "幸福路", "cross_road": "民主路"}),
    ("在北总布胡同三十一号，不对不对，是三十二号那个消防栓在漏水", {"road": "北总布胡同", "number": "32"}),
    ("阳光花园5号楼，不对，是6号楼楼下积水", {"compound": "阳光花园", "building": "6", "side": "下"}),
    # an operator chasing an earlier report: 催办 is not part of the road's name
    ("来电人催办兴业路工农路口信号灯倒计时故障", {"road": "兴业路", "cross_road": "工农路"}),
    # a junction written with a slash, said as 相交路口, with a side after 交汇处路口
    ("长江路/黄河路口 地面有油污", {"road": "长江路", "cross_road": "黄河路"}),
    ("东单北大街与外交部街相交路口西北角报刊亭已废弃多年", {"road": "东单北大街", "cross_road": "外交部街"}),
    ("东四十条与朝阳门北小街交汇处路口东侧有一处消火栓漏水",
     {"road": "东四十条", "cross_road": "朝阳门北小街", "side": "东侧"}),
    # the ends of a stretch said with 路口
    ("长安路从建设路路口到文化路路口之间的路段路灯全部熄灭", {"road": "长安路", "between": ["建设路", "文化路"]}),
    # a stretch from one junction to another with no 之间; 自…至…段
    ("路段：兴业路，从振兴路口到富民路口  问题：路面坑洼，井盖下沉", {"road": "兴业路", "between": ["振兴路", "富民路"]}),
    ("市民反映学院路自成府路至知春路段有大量共享单车乱停放", {"road": "学院路", "between": ["成府路", "知春路"]}),
    # a village's side said a few words after it
    ("那个，我们经开区三合村，就是村子东头，有个工厂排黑水。", {"district": "经开区", "compound": "三合村", "side": "东侧"}),
    ("喂，您好，我是李家庄村的村民，我们村村口，村南口那条河，有人往里倒死猪。", {"compound": "李家庄村", "side": "南侧"}),
    # the weather or an unanswered e-mail just before the name is not part of it; 拐 joins a corner
    ("一下雨苔花路麓山街那个路口就成了湖", {"road": "苔花路", "cross_road": "麓山街"}),
    ("邮件发了两天没回 蔚蓝路东段那个塔吊大灯还是直照我家窗户", {"road": "蔚蓝路", "stretch": "东段"}),
    ("竹篱巷拐桔梗路那个转角镜碎了 看不见来车", {"road": "竹篱巷", "cross_road": "桔梗路"}),
    # a phase after 小区 is part of the estate's name, and the building after it is kept
    ("恒泰花园小区三期12号楼前绿地内有大量建筑垃圾倾倒", {"compound": "恒泰花园小区三期", "building": "12"}),
    # small shops named by their kind: a restaurant (酒家), a repair shop (修车铺)
    ("福满楼酒家又往门口下水道倒泔水了", {"landmark": "福满楼酒家"}),
    ("老周修车铺门口那块地黑乎乎的全是机油", {"landmark": "老周修车铺", "side": "门口"}),
    # a junction said as 交叉那块 / 交叉那儿
    ("学院路和体育路交叉那块，路灯全黑，啥也看不见", {"road": "学院路", "cross_road": "体育路"}),
]


@pytest.mark.parametrize("text, expected", FIFTH_ROUND, ids=[t for t, _ in FIFTH_ROUND])
def test_street_offices_towns_forms_homes_and_junction_wordings(text, expected):
    check(text, expected)


def test_a_landmark_named_after_the_house_number_is_kept_beside_the_place():
    place = extract_place("问题位置：光明路218号光明农贸市场南门口。描述：有商贩占道经营")
    assert (place.road, place.number, place.near) == ("光明路", "218", "光明农贸市场")
    assert not place.landmark  # a dispatcher writes down the road and number


SIXTH_ROUND = [
    # a place word as speech recognition or a typo gave it
    ("东堂子湖同15号门口堆了好多建筑垃圾", {"road": "东堂子胡同", "number": "15", "side": "门口"}),
    ("紫荆花圆东门有人往绿化带倒垃圾", {"compound": "紫荆花园", "gate": "东门"}),
    ("建国门接道这一片的小广告也太多了", {"street": "建国门街道"}),
    # the caller's own address in a form or a summary, then the place of the problem
    ("联系人住址：滨湖区湖滨北路3号\n事发地址：滨湖区 湖滨南路 45号\n问题描述：人行道被私家车长期占用停放。",
     {"district": "滨湖区", "road": "湖滨南路", "number": "45"}),
    ("来电人（住址：临江区人民路12号）反映：临江区解放北路218号一楼商铺经营烧烤，油烟扰民。",
     {"district": "临江区", "road": "解放北路", "number": "218"}),
    ("其本人居住于东安区演乐小区，其母亲居住的东安花园5号楼2单元楼下有一处化粪池井盖破损",
     {"compound": "东安花园", "building": "5", "unit": "2", "side": "下"}),
    # a district no gazetteer holds, then a landmark with its own name (but a district's own
    # library is one name)
    ("来电人反映：临江区和平桥桥面伸缩缝破损", {"district": "临江区", "landmark": "和平桥", "side": "上"}),
    ("临江区人民医院门口乱停车", {"landmark": "临江区人民医院", "side": "门口"}),
    ("东四街道八条社区辖区内有人私自养鸽子", {"street": "东四街道"}),
    # where the caller came from is not where the problem is
    ("我从北京站出来往北走，就是北京站东街那个天桥上，有个台阶的钢板翘起来了",
     {"road": "北京站东街", "landmark": "天桥", "side": "上"}),
    ("其每日上班途经朝阳门地铁站，步行至朝阳门北大街天桥上时发现有商贩摆摊",
     {"road": "朝阳门北大街", "landmark": "天桥", "side": "上"}),
]


@pytest.mark.parametrize("text, expected", SIXTH_ROUND, ids=[t for t, _ in SIXTH_ROUND])
def test_misheard_place_words_the_callers_own_address_a_district_before_a_landmark_and_routes(text, expected):
    check(text, expected)


SEVENTH_ROUND = [
    # numbers in the names of roads and bridges, said as digits
    ("那个纬5路跟经2路那个路口，东北角那块，水下不去", {"road": "纬5路", "cross_road": "经2路"}),
    ("锦溪2桥下面河边全是垃圾袋", {"landmark": "锦溪2桥", "side": "下"}),
    ("科技2路与高新3路交叉口积水", {"road": "科技2路", "cross_road": "高新3路"}),
    # a bus route is not a road
    ("我坐2路车到和平路18号，门口井盖没了", {"road": "和平路", "number": "18", "side": "门口"}),
    # asking or telling before the name, and a count that is not a numbered lane
    ("问下 鹤鸣街菜场后门那个路灯 连着一个礼拜都是黑的", {"landmark": "鹤鸣街菜场", "gate": "后门"}),
    ("问下谷雨苑那个灭火器的事儿有没有人跟进啊", {"compound": "谷雨苑"}),
    ("您好，刚才用微信发过一条，这里补充：石桥铺菜市场对面公交站的候车亭顶棚塌了",
     {"landmark": "石桥铺菜市场", "side": "对面"}),
    ("我想反映聚福商厦西侧的问题：路灯杆底座锈断了", {"landmark": "聚福商厦", "side": "西侧"}),
    # a 里 with a building is an estate, with a house number a lane
    ("来电人反映：桑榆里3号楼后面草地上的休息椅坐板断了", {"compound": "桑榆里", "building": "3"}),
    ("宝华里21号门口堆了垃圾", {"road": "宝华里", "number": "21", "side": "门口"}),
]


@pytest.mark.parametrize("text, expected", SEVENTH_ROUND, ids=[t for t, _ in SEVENTH_ROUND])
def test_numbered_roads_and_bridges_bus_routes_and_what_callers_say_before_a_name(text, expected):
    check(text, expected)


def test_a_bus_route_said_before_its_number_is_not_a_road():
    assert place_of("2024年3月起，公交2路改线后很不方便，希望恢复原线路。") == {}


ESTATE_SECTIONS_AND_BRACKETS = [
    # an estate's section is part of its name like a phase; its building is kept
    ("金穗花园南区3号楼楼下井盖没了", {"compound": "金穗花园南区", "building": "3", "side": "下"}),
    ("地址：翠湖名邸B区7栋2单元 问题：楼道灯不亮", {"compound": "翠湖名邸B区", "building": "7", "unit": "2"}),
    ("嘉禾苑三期（C区）8栋旁边路灯不亮", {"compound": "嘉禾苑三期C区", "building": "8", "side": "旁"}),
    ("我是桂园小区的，就桂园小区二期，二期北门外面天天有人摆摊", {"compound": "桂园小区二期", "gate": "北门", "side": "外"}),
    # another name in brackets after a name is passed over (but not a stretch in brackets)
    ("青石桥（老木桥）底下有人搭窝棚", {"landmark": "青石桥", "side": "下"}),
    ("滨江医院（市三院）门口出租车乱停", {"landmark": "滨江医院", "side": "门口"}),
    ("长河路（老312国道）和振兴路口的红绿灯坏了", {"road": "长河路", "cross_road": "振兴路"}),
    ("地址：学府路（育才街至文化路段）", {"road": "学府路", "between": ["育才街", "文化路"]}),
    ("芦荻河滨步道（芦荻桥以西约100米）护栏一段脱落", {"landmark": "芦荻桥"}),
    ("您好：金樽KTV（滨江路103号）每晚营业至凌晨四点，包房窗户临街，歌声很大",
     {"road": "滨江路", "number": "103", "landmark": "金樽KTV"}),  # the venue, and its address in brackets
    # a lane's end, then the road it meets
    ("桃李巷西口，跟光华大街的丁字路口，下水井往外冒水", {"road": "桃李巷", "cross_road": "光华大街"}),
    # a station's exits by compass
    ("南湖地铁站东南口 黑车拉客", {"landmark": "南湖地铁站", "exit": "东南"}),
    ("滨江站北出口那儿天天有人拉客", {"landmark": "滨江站", "exit": "北"}),
    # villages named without 村, by the side said after them
    ("俺们是石门坝的，就是石门坝东侧那个河沟，有人往里倒垃圾", {"compound": "石门坝", "side": "东侧"}),
    ("王家堡西侧 有人烧垃圾 浓烟滚滚", {"compound": "王家堡", "side": "西侧"}),
    ("三道河子北头的小路被冲垮了", {"compound": "三道河子", "side": "北侧"}),
    # the caller's home in one sentence, the problem's place in the next
    ("您好，我住在青年巷那边。梧桐路二十四号对面那棵树的大树枝快断了", {"road": "梧桐路", "number": "24", "side": "对面"}),
    # asking who deals with it, just before the place; an estate's bare name and its gate in an address field
    ("谁来管管青云路过街天桥底下全是小广告", {"road": "青云路", "landmark": "天桥", "side": "下"}),
    ("【网上留言】地址：丽景南门外面；问题描述：流浪犬太多了", {"compound": "丽景", "gate": "南门", "side": "外"}),
    # a road's stretch said by a direction; under a bridge said as its 桥洞
    ("青石路北边那一段，树枝断了挂在半空", {"road": "青石路", "stretch": "北段"}),
    ("请问永安桥桥洞里垃圾没人清，归哪个部门管", {"landmark": "永安桥", "side": "下"}),
    # but a resident's estate, then a place in it in the next sentence, is still the estate;
    # a landmark's door in brackets after a house number is kept beside it
    ("您好，我是青枫小区居民。小区东门口的快递驿站把货架堆在人行道上", {"compound": "青枫小区", "gate": "东门", "side": "门口"}),
    ("桂馥路58号（老红光电影院门口）废弃报刊亭被塞满垃圾", {"road": "桂馥路", "number": "58"}),
    # whom a post is addressed to is no part of the place
    ("@市民热线 建设西路45号路灯不亮 麻烦处理一下🙏🙏", {"road": "建设西路", "number": "45"}),
]

NO_PLACE_HERE = [
    "放学的时候太乱了，家长的车堵满整条路",
    "河坝东侧有人钓鱼，也没人管",
    "这家店铺东侧堆满垃圾",
    "地址：小区南门 问题：垃圾没人收",
]


@pytest.mark.parametrize("text, expected", ESTATE_SECTIONS_AND_BRACKETS, ids=[t for t, _ in ESTATE_SECTIONS_AND_BRACKETS])
def test_estate_sections_aliases_compass_exits_and_villages_without_cun(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text", NO_PLACE_HERE)
def test_everyday_words_are_not_read_as_places(text):
    assert extract_place(text) is None


# -- a space between phrases, and sides said the short way ------------------------------------

SPACES_AND_SIDES = [
    # a space between two phrases ends the one before: the name starts after it
    ("地下往外冒水像喷泉一样啊 丰乐路、菱湖路交汇处 一个礼拜了", {"road": "丰乐路", "cross_road": "菱湖路"}),
    ("绿灯时间太短啊 桐柏路126号门口 从昨天晚上开始", {"road": "桐柏路", "number": "126", "side": "门口"}),
    ("你好 龙潭路上352号那儿这边路灯故障不亮", {"road": "龙潭路", "number": "352"}),
    ("主題：請儘快處理望岳路茶園路口的問題", {"road": "望岳路", "cross_road": "茶园路"}),
    # but a space inside a name, or between single characters of a transcript, does not
    ("和平 路18号的井盖没了", {"road": "和平路", "number": "18"}),
    ("锦绣 花园 5号楼下 有人烧东西", {"compound": "锦绣花园", "building": "5", "side": "下"}),
    ("路 灯 不 亮 了 在 解 放 路 十 八 号", {"road": "解放路", "number": "18"}),
    ("各位 新华路口公交站往城南那边的站台站牌被车撞歪了", {"road": "新华路"}),
    ("地点：高新区天府三街199号南侧人行道", {"district": "高新区", "road": "天府三街", "number": "199", "side": "南侧"}),
    # the side of a road, a village's side said bare, a stretch one leans to
    ("丰乐路路南下水口一股恶臭", {"road": "丰乐路", "side": "南侧"}),
    ("丰乐路路北侧靠盐仓路那头下水口一股恶臭", {"road": "丰乐路", "side": "北侧"}),
    ("柴家湾村南这边流浪狗咬人", {"compound": "柴家湾村", "side": "南侧"}),
    ("锦江大道靠东头那段井盖破损下陷", {"road": "锦江大道", "stretch": "东段"}),
]


@pytest.mark.parametrize("text, expected", SPACES_AND_SIDES, ids=[t for t, _ in SPACES_AND_SIDES])
def test_spaces_between_phrases_and_short_sides(text, expected):
    check(text, expected)


def test_an_exit_corrected_replaces_the_first():
    check("万达广场站，三号口，哦不，四号口，四号口那个垃圾桶满了", {"landmark": "万达广场站", "exit": "4"})
    check("建国门地铁站，A口，哦不对，是B口，B口楼梯边上有人躺着", {"landmark": "建国门地铁站", "exit": "B", "side": "旁"})


SIDES_PAST_A_PART = [
    # a school's gate said as 校门口; 们口 heard for 门口; 斜对过 is 斜对面
    ("学府路小学 校门口 井盖没盖", {"landmark": "学府路小学", "side": "门口"}),
    ("花园路十八号们口的井盖松了，一踩就翘", {"road": "花园路", "number": "18", "side": "门口"}),
    ("南湖区 泰安路 南湖公园 西门 斜对过 路灯杆 倒了",
     {"district": "南湖区", "road": "泰安路", "landmark": "南湖公园", "gate": "西门", "side": "对面"}),
    ("东四文化馆斜对过儿 那个井盖丢了", {"landmark": "东四文化馆", "side": "对面"}),
    # an unnamed part of a station or a hospital, then its side
    ("滨江站B口楼梯底下 有人在那睡觉", {"landmark": "滨江站", "exit": "B", "side": "下"}),
    ("柳湾区中心医院 急诊 急诊门口 那个救护车通道 被私家车堵了", {"landmark": "柳湾区中心医院", "side": "门口"}),
    # going in or out of a gate or an exit, then the side
    ("东环公寓 那个 东 东南门 东南门进去 院里头 那个路灯杆子 倒了", {"compound": "东环公寓", "gate": "东南门", "side": "内"}),
    ("地铁2号线和平门站 A口出来对面 有个井盖没了", {"landmark": "地铁2号线和平门站", "exit": "A", "side": "对面"}),
    # a caller searching for the name
    ("东四南大街上，有个华联超市，华联超市的旁边儿，有一个卖活禽的", {"road": "东四南大街", "landmark": "华联超市", "side": "旁"}),
    ("雁回路上那个，叫什么来着，哦，荇桥菜市场，菜市场边上，有人把烂菜叶",
     {"road": "雁回路", "landmark": "荇桥菜市场", "side": "旁"}),
    # a shop's branch named after a road, after a pause or not
    ("肯德基 人民广场店 门口 有人摆摊卖假货", {"landmark": "肯德基人民广场店", "side": "门口"}),
    ("农业银行 青年路支行 门口 ATM机被人砸了", {"landmark": "农业银行青年路支行", "side": "门口"}),
    ("永輝超市文化路店門口的地磚碎了好幾塊", {"landmark": "永辉超市文化路店", "side": "门口"}),
    # a landmark said again without its first words, then its side
    ("是东四八条公厕，就八条公厕那个，门口，下水道冒水了", {"landmark": "东四八条公厕", "side": "门口"}),
]


@pytest.mark.parametrize("text, expected", SIDES_PAST_A_PART, ids=[t for t, _ in SIDES_PAST_A_PART])
def test_a_side_said_past_an_unnamed_part_or_in_other_words(text, expected):
    check(text, expected)


SCHOOLS_SAID_SHORT_AND_TOWNS = [
    ("一附小 旁边 有家 网吧 小学生 都去", {"landmark": "一附小", "side": "旁"}),
    ("来电人反映，青山区三中南侧有一网吧接纳未成年人上网。", {"district": "青山区", "landmark": "三中", "side": "南侧"}),
    ("五十五中门口那个减速带掉了", {"landmark": "五十五中", "side": "门口"}),
    ("岚溪路上那个实验二小，二小门口，放学那会儿老有黑车", {"road": "岚溪路", "landmark": "实验二小", "side": "门口"}),
    # a bridge in a town's name is no bridge; & joins two roads
    ("来电人反映：城南区桥头镇石佛寺村北侧河道有人非法采砂。",
     {"district": "城南区", "street": "桥头镇", "compound": "石佛寺村", "side": "北侧"}),
    ("干面胡同&東四南大街 交叉口 电动车 乱闯红灯", {"road": "干面胡同", "cross_road": "东四南大街"}),
]


@pytest.mark.parametrize("text, expected", SCHOOLS_SAID_SHORT_AND_TOWNS, ids=[t for t, _ in SCHOOLS_SAID_SHORT_AND_TOWNS])
def test_schools_said_short_towns_named_after_a_bridge_and_ampersands(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text", ["初三中考前一小时停电了", "我等了一小时了", "这一小段路坑坑洼洼", "高一中午放学太晚"])
def test_a_number_before_中_or_小_in_other_words_is_no_school(text):
    assert extract_place(text) is None


SIDE_IN_THE_NEXT_SENTENCE = [
    ("您好，\n我想反映一下桂花园小区后门的问题。后门旁边的围墙倒塌了一段，大约5米长。",
     {"compound": "桂花园小区", "gate": "后门", "side": "旁"}),
    ("您好：\n我是一名跑步爱好者，经常去滨江公园锻炼。公园南门附近的公共厕所已经关闭两个多月。",
     {"landmark": "滨江公园", "gate": "南门", "side": "旁"}),
    ("您好：\n我几乎每天早上都去礼士公园锻炼。公园内东侧健身器材区有几件器材已经损坏。", {"landmark": "礼士公园", "side": "东侧"}),
    ("您好：\n每次去妇幼保健院产检都找不到停车位。医院门外的马路两边都停满了车。", {"landmark": "妇幼保健院", "side": "外"}),
    # an aside in brackets between the place and its side
    ("来电人反映，北关街道新华路20号（来电人称原门牌为18号，已变更）门前下水道堵塞，污水外溢。",
     {"street": "北关街道", "road": "新华路", "number": "20", "side": "门口"}),
    ("我家附近的“好邻居便利店”（不知道是不是连锁店）门口每晚都有一群人聚集喝酒", {"landmark": "好邻居便利店", "side": "门口"}),
]


@pytest.mark.parametrize("text, expected", SIDE_IN_THE_NEXT_SENTENCE, ids=[t[:30] for t, _ in SIDE_IN_THE_NEXT_SENTENCE])
def test_a_letter_says_where_at_the_place_in_its_next_sentence(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    ("凤鸣桥 栏杆 撞断了 桥上 有缺口", {"landmark": "凤鸣桥", "side": "上"}),
    # (said again with its road: the road is part of the place, as in 长江路天桥下面)
    ("通济桥，沧浪北路上那个通济桥，桥洞底下，有人在那儿生火", {"road": "沧浪北路", "landmark": "通济桥", "side": "下"}),
    ("就是我们那个那个西江桥啊就是那个呃洗江桥啊我也不知道哪个字反正桥底下有人在那个卖狗", {"landmark": "西江桥", "side": "下"}),
    ("红旗桥坏了。我过桥上班每天都走", {"landmark": "红旗桥"}),  # another sentence; 上班 is no side
])
def test_a_bridge_side_said_a_few_words_after_the_bridge(text, expected):
    check(text, expected)


def test_the_next_sentence_about_something_else_gives_no_side():
    check("您好：\n我经常去滨江公园锻炼。门口的早餐店很好吃，但公园里的路灯坏了。", {"landmark": "滨江公园"})


JUNCTIONS_SPOKEN_WITH_SEARCHING = [
    ("呃 我在那个 临江区 长青路 长青路跟 跟那个叫啥来着 跟兴业大道 对 兴业大道 那个路口 有辆大货车",
     {"district": "临江区", "road": "长青路", "cross_road": "兴业大道"}),
    ("你好 我反映那个 东单北大街 和 呃 和长安街 不是 建国门内大街 那个十字路口 斑马线",
     {"road": "东单北大街", "cross_road": "建国门内大街"}),
    ("那个 我在 锦江南路 跟 那个 那个叫啥 龙潭路 对 龙潭路 十字路口这儿 有个大货车", {"road": "锦江南路", "cross_road": "龙潭路"}),
    ("那个本司胡同跟那个呃跟那个朝阳门南小街这儿这个丁字路口啊有人把车停在路口正中间",
     {"road": "本司胡同", "cross_road": "朝阳门南小街"}),
    ("东四六条，嗯，和那个朝阳门北小街，两条路那个十字口，信号灯让大车给刮倒了", {"road": "东四六条", "cross_road": "朝阳门北小街"}),
    ("中山路跟建设路那个大十字路口，西南角的井盖碎成好几块了", {"road": "中山路", "cross_road": "建设路"}),
    ("是在那个 干面胡同 跟 跟那个什么来着 叫啥来着 哦 东堂子 不对 是 南小街 南小街那个路口 那有个树 倒了",
     {"road": "干面胡同", "cross_road": "南小街"}),
    ("嗯，就是那个桂樾路，桂樾路和那个……什么路来着，芷兰街，对对对，芷兰街交叉那儿，有个窨井盖翘起来了",
     {"road": "桂樾路", "cross_road": "芷兰街"}),
    # a lane's mouth, then the road it meets; x between two roads
    ("演乐胡同口和朝阳门南小街交叉口 电动车逆行太多", {"road": "演乐胡同", "cross_road": "朝阳门南小街"}),
    ("丰收路 x 金沙路 十字路口 有个大坑", {"road": "丰收路", "cross_road": "金沙路"}),
]


@pytest.mark.parametrize("text, expected", JUNCTIONS_SPOKEN_WITH_SEARCHING,
                         ids=[t[:30] for t, _ in JUNCTIONS_SPOKEN_WITH_SEARCHING])
def test_a_junction_said_while_searching_for_or_correcting_the_second_road(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    ("东四十条 那个 人行天桥 底下 好多 垃圾", {"road": "东四十条", "landmark": "天桥", "side": "下"}),
    ("来电人称其现居海运仓小区，老宅在东四九条，反映东四九条三十号院内有租户私接燃气管道",
     {"road": "东四九条", "number": "30", "side": "内"}),
])
def test_a_numbered_lane_before_its_footbridge_and_where_the_caller_now_lives(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    ("您好，我家住在和顺新村，离望江花园很近。这段时间望江花园东大门外面每天晚上都有人聚集",
     {"compound": "望江花园", "gate": "东门", "side": "外"}),
    ("您好！我是住在礼士花园的住户，每天上班要走礼士胡同。礼士胡同四十一号院外的垃圾没人清",
     {"road": "礼士胡同", "number": "41", "side": "外"}),
])
def test_a_place_with_its_own_gate_or_number_in_the_sentence_after_the_callers_home(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    ("高家坪 村北边 养猪场 臭死了 夏天窗户都不敢开", {"compound": "高家坪", "side": "北侧"}),
    ("俺们 刘家洼 村南头儿 那沟里 不知道谁 扔了好几头死猪", {"compound": "刘家洼", "side": "南侧"}),
    ("李家庄村南有人烧秸秆", {"compound": "李家庄村", "side": "南侧"}),  # no pause: the name has its 村
])
def test_a_village_named_then_after_a_pause_its_side(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    ("就是 地铁 三号线 那个 体育中心站 体育中心站 A口 出来 那个 盲道上 全停", {"landmark": "地铁3号线体育中心站", "exit": "A"}),
    ("东四十条 胡同里 那个 东四十条宿舍 宿舍院里 靠西墙那 有人 私搭了个棚子",
     {"road": "东四十条", "compound": "东四十条宿舍", "side": "内"}),
    ("可可西里公园门口的垃圾桶满了", {"landmark": "可可西里公园", "side": "门口"}),  # a name's own doubled characters
])
def test_a_name_said_twice_in_a_row_is_one_name(text, expected):
    check(text, expected)


def test_two_roads_named_in_passing_before_another_junction_are_no_junction():
    check("解放路和人民路都堵了，胜利路口也堵", {"road": "解放路"})


BARE_NAMES_AT_A_GATE = [
    ("井盖没了啊 柳岸西大门 好几天了 有没有人管啊", {"compound": "柳岸", "gate": "西门"}),
    ("主题：盛世南门道闸故障", {"compound": "盛世", "gate": "南门"}),
    ("金桐东大门水浑浊一个礼拜了", {"compound": "金桐", "gate": "东门"}),
    ("你好 丰泽那个东门口这边电梯坏了停运", {"compound": "丰泽", "gate": "东门", "side": "门口"}),
    ("金桐东南大门水浑浊一个礼拜了", {"compound": "金桐", "gate": "东南门"}),
]


@pytest.mark.parametrize("text, expected", BARE_NAMES_AT_A_GATE, ids=[t for t, _ in BARE_NAMES_AT_A_GATE])
def test_a_bare_name_before_a_gate_at_the_start_of_a_phrase(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text", ["昨天西门那边有人打架", "单位后门有人烧垃圾", "我家后门有人堆垃圾", "学校东门有人摆摊"])
def test_a_time_or_a_generic_word_before_a_gate_is_no_name(text):
    assert extract_place(text) is None


@pytest.mark.parametrize("text, expected", [
    # a district the gazetteer does not hold, before a road with a suffix inside its name (环城|西路)
    ("地址：城南区环城西路（纬一路至纬三路之间）",
     {"district": "城南区", "road": "环城西路", "between": ["纬一路", "纬三路"]}),
    # the caller's home, then the problem's place after "我跟你们讲" or a neighbour's door
    ("我是住在纺织路那边的，我跟你们讲，向阳街三十五号那个门口啊，下水道堵了", {"road": "向阳街", "number": "35", "side": "门口"}),
])
def test_districts_before_roads_and_places_after_ones_home(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # the corrected number said after the wrong one repeated, or after a few words
    ("东四六条十八号，哎不对不对，不是十八号，是十六号，十六号门口那个垃圾桶", {"road": "东四六条", "number": "16", "side": "门口"}),
    ("长丰路二十八号，啊不是，我看错门牌了，是三十八号，三十八号门口消防栓漏水", {"road": "长丰路", "number": "38", "side": "门口"}),
    # an estate named 名居; how often is no name; a field's name said without its colon
    ("来电人反映：柳岸名居二期南门口夜间有人聚集烧烤", {"compound": "柳岸名居二期", "gate": "南门", "side": "门口"}),
    ("楼道灯坏了半个月 没人修 地址槐荫街9号院里", {"road": "槐荫街", "number": "9", "side": "内"}),
])
def test_corrections_estates_and_words_before_names(text, expected):
    check(text, expected)


def test_how_often_is_no_name():
    assert extract_place("我家楼下天天广场舞 音响开得震天响") is None


@pytest.mark.parametrize("text, expected", [
    ("主题：请求处理河湾区鹭洲新村3号楼1单元的问题", {"district": "河湾区", "compound": "鹭洲新村", "building": "3", "unit": "1"}),
    ("昨晚槐荫路52号门口 我老公下班走路一脚踩空", {"road": "槐荫路", "number": "52", "side": "门口"}),
    ("城东污水处理厂旁边臭得很", {"landmark": "城东污水处理厂", "side": "旁"}),
    # the side of a junction said like a road's; an estate named 世家
    ("请问长堤路芦荻路口路北工地晚上还在施工归谁管", {"road": "长堤路", "cross_road": "芦荻路", "side": "北侧"}),
    ("标题：反映学府世家问题 地址：学府世家 内容：楼顶上加盖了一层", {"compound": "学府世家"}),
])
def test_a_plea_or_a_time_before_a_name_is_no_part_of_it(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    ("标题：停水 地址：翡翠湾 内容：每天都这样。水的事。", {"compound": "翡翠湾"}),
    ("有大狗不牵绳到处跑。地址是……水岸星城。嗯对，对。", {"compound": "水岸星城"}),
])
def test_a_bare_name_as_the_whole_address_is_the_estate(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text", ["地址：见附件", "地址：本市 内容：物价太高", "地址：家门口 内容：有人烧垃圾", "地址：不详"])
def test_an_address_field_that_names_nothing_is_no_place(text):
    assert extract_place(text) is None


@pytest.mark.parametrize("text, expected", [
    # corrections in a row, after a denial, of a number (the road stays), of a building said short
    ("在青松路，青松路二十一号，哎呀不对不对，是十二号，门口的井盖没了", {"road": "青松路", "number": "12", "side": "门口"}),
    ("那个兰花胡同，不是兰花，我说错了，是桂花胡同，桂花胡同7号有人占道", {"road": "桂花胡同", "number": "7"}),
    ("是那个清泉苑，三号楼，三号…不对，我说错了，是八号楼，八号楼二单元楼道灯坏了",
     {"compound": "清泉苑", "building": "8", "unit": "2"}),
    ("地址：金沙路18号 打错了 是81号 门口的树倒了", {"road": "金沙路", "number": "81", "side": "门口"}),
])
def test_a_caller_correcting_himself(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    ("我住在青松小区，但是这事儿不是我家门口，是我买菜路过的一个地方，具体哪儿我也没注意", None),
    ("我住春晓家园，不是春晓家园的事儿啊，是我孙子上学那个学校，育才小学，学校门口的斑马线看不清了",
     {"landmark": "育才小学", "side": "门口"}),
    ("本人居住于红星小区，经常路过人民路公厕，这个公厕一直没人打扫", {"landmark": "人民路公厕"}),
])
def test_where_the_caller_lives_is_not_the_problems_place(text, expected):
    assert place_of(text) == canonical(expected), text


@pytest.mark.parametrize("text, expected", [
    # a stretch said with fillers and the way one goes; the road named after it
    ("就是从那个，文化路口往北走，一直走到，到那个建设路口，这一截儿，路灯都不亮", {"between": ["文化路", "建设路"]}),
    ("从和平路口到胜利路口之间的解放大街 晚上好黑", {"road": "解放大街", "between": ["和平路", "胜利路"]}),
    # a name said with nothing finer, then again with its gate and side
    ("每天都去翠湖公园晨练。翠湖公园北门里头的健身器材坏了", {"landmark": "翠湖公园", "gate": "北门", "side": "内"}),
    # the gate or side after a landmark said right after the house number
    ("建设路66号华润万家门口堆满了纸箱", {"road": "建设路", "number": "66", "side": "门口"}),
    # a district said alone; a bridge's end; a road's end leaned to
    ("南湖区的公交车太少了", {"district": "南湖区"}),
    ("彩虹大桥北桥头有人摆摊", {"landmark": "彩虹大桥", "side": "北侧"}),
    ("滨江路，对，滨江路靠东边儿那头，有人倒垃圾", {"road": "滨江路", "side": "东侧"}),
    # an estate named without a suffix, with its phase
    ("我们金色阳光一期12号楼楼下有人烧纸", {"compound": "金色阳光一期", "building": "12", "side": "下"}),
])
def test_stretches_second_mentions_ends_and_phases(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # where the writer passes on his daily round is not the problem's place; the next sentences say it
    ("我每天傍晚都沿着松林路散步。最近松林路北段的人行道被货车压塌了", {"road": "松林路", "stretch": "北段"}),
    ("我每天早上坐5路车上班，在青年路站下车。下车的地方就是青年路46号门口，有个大坑",
     {"road": "青年路", "number": "46", "side": "门口"}),
    ("本人住在桃园里，每天走松林路去买菜。这次要反映的是东城区松林路，松林小学南门外的井盖松动",
     {"district": "东城区", "road": "松林路", "landmark": "松林小学", "gate": "南门", "side": "外"}),
    # a bus route is no road; 五一路 is one
    ("我坐二十六路到青年路跟和平路那个路口下车 站牌歪了", {"road": "青年路", "cross_road": "和平路"}),
    ("五一路88号门口的垃圾桶满了", {"road": "五一路", "number": "88", "side": "门口"}),
    # junctions: said with a correction, the short name first, the lane's mouth, near it, in dialect
    ("松林路和那个青年 不对 青云路那个口 有辆车停了一个月", {"road": "松林路", "cross_road": "青云路"}),
    ("松林路 跟 青云 青云胡同 那个口 下水道冒水", {"road": "松林路", "cross_road": "青云胡同"}),
    ("桂香胡同西口，松林路上那个路口，天天堵车", {"road": "桂香胡同", "cross_road": "松林路"}),
    ("在松林路上 靠近 那个 青年路 那个路口 有个坑", {"road": "松林路", "cross_road": "青年路"}),
    ("松林路和青年路交叉那个地方 红绿灯不亮", {"road": "松林路", "cross_road": "青年路"}),
    ("我喺 松林路 同 青年路 嗰个路口 啊 有条水管爆咗", {"road": "松林路", "cross_road": "青年路"}),
    ("松林路 跟 青年路 勒个路口噻 单车倒了一地", {"road": "松林路", "cross_road": "青年路"}),
    ("松林路跟青云路 青云路路口 有人烧纸", {"road": "松林路", "cross_road": "青云路"}),
    # a bridge's end leaned to; a subject line's name said again with its district and street
    ("青年路 那个天桥 靠西那头 有人倒垃圾", {"road": "青年路", "landmark": "天桥", "side": "西侧"}),
    ("主题：桃源村垃圾  您好：南山区青石街道桃源村的垃圾半个月没人拉了",
     {"district": "南山区", "street": "青石街道", "compound": "桃源村"}),
    # Cantonese and Sichuanese words between a place's parts; a cinema; motorbikes are no street
    ("我哋 嗰个 翠湖花园 嘅 北门 门口 有个坑", {"compound": "翠湖花园", "gate": "北门", "side": "门口"}),
    ("松林路 二十八号噻 门口 有个坑", {"road": "松林路", "number": "28", "side": "门口"}),
    ("万象影城楼下 垃圾堆成山", {"landmark": "万象影城", "side": "下"}),
    ("晚上老有摩托车炸街 吵死了", None),
])
def test_routines_bus_routes_junction_wordings_and_dialect(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # a form whose address field is the writer's home or a wrong address: the content's place
    ("标题：危房\n地址：桃园小区\n内容：地址栏填的是我家。我要反映的是青石巷15号，院里有间平房塌了一半",
     {"road": "青石巷", "number": "15", "side": "内"}),
    ("标题：污水\n地址：北湖小区\n内容：不好意思地址填错了，应为南湖小区2号楼，楼下污水井冒水",
     {"compound": "南湖小区", "building": "2", "side": "下"}),
    # …a landmark on the field's road; the road's stretch said alone in the content
    ("标题：违停\n地址：学府路\n内容：育英中学南侧放学时段双排停车", {"road": "学府路", "landmark": "育英中学", "side": "南侧"}),
    ("标题：路面坑洼\n地址：松林路\n内容：东段靠近路口那一片坑坑洼洼", {"road": "松林路", "stretch": "东段"}),
    # 不是A 是B; where one came from after work; a school one's child attends; next door
    ("搞错了 不是胜利南路 是胜利北路 98号 门口 树倒了", {"road": "胜利北路", "number": "98", "side": "门口"}),
    ("刚从幸福大街下班回来 路过永安路53号 门口那个电箱门开着", {"road": "永安路", "number": "53", "side": "门口"}),
    ("我从松林胡同家里出来去买菜，看到松林菜市场门口的垃圾箱倒了", {"landmark": "松林菜市场", "side": "门口"}),
    ("来电人反映：其孩子就读于工农路小学，学校北侧围墙外电箱无盖", {"landmark": "工农路小学", "side": "北侧"}),
    ("我家在赵家楼小区 但我说的是隔壁大方家小区6号楼下面有人烧纸", {"compound": "大方家小区", "building": "6", "side": "下"}),
    # a district named like 东城区; where one lives said after the name; what one found there
    ("南城区范围内昨夜起大面积停电", {"district": "南城区"}),
    ("我在阳光家园住 今天路上 看见 兴业大街 立交桥 下面 有人摆摊", {"road": "兴业大街", "landmark": "立交桥", "side": "下"}),
    ("其居住在南湖小区，近期发现安康路88号一家洗车店占道", {"road": "安康路", "number": "88"}),
])
def test_forms_corrections_and_where_the_writer_comes_from(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # a name said again at once in other words: a homophone put right, the name in full, a correction
    # (东四 opening the message is the street the estate is in, 东四街道: a town said bare)
    ("那个 东四 那个 龙福花园 隆福 隆福花园 的北门 北门口 有人卖活禽",
     {"street": "东四街道", "compound": "隆福花园", "gate": "北门", "side": "门口"}),
    ("那个 李氏公园 就是礼士公园 里面 有人遛狗不拴绳", {"landmark": "礼士公园", "side": "内"}),
    ("东堂紫胡同 不是 东堂子胡同 五十一号 门口 水管漏水", {"road": "东堂子胡同", "number": "51", "side": "门口"}),
    ("就是那个，北，北小街，不是南小街啊，北小街，南段那块儿有个饭馆油烟直排", {"road": "北小街", "stretch": "南段"}),
    # …but not a name denied after the place was said (是A，不是B), nor one whose writing the caller doubts
    ("是解放路，不是解放北路，18号门口的井盖没了", {"road": "解放路", "number": "18", "side": "门口"}),
    ("就是我们那个西江桥啊就是那个洗江桥啊我也不知道哪个字反正桥底下有人卖狗", {"landmark": "西江桥", "side": "下"}),
])
def test_a_name_said_again_in_other_words(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # a closing note that puts a misspelt name right: the name as the note writes it, the note not read
    ("主题：路灯\n\n你好 青云南路那个过街天桥上 灯全坏了 晚上黑得吓人\n（是青云南路 手机打错了）",
     {"road": "青云南路", "landmark": "天桥", "side": "上"}),
    ("主题：积水\n\n您好，柳荫小区南门一下雨就积水，老人出不去。\n（我用语音说的，小区名是柳茵，不是柳荫）",
     {"compound": "柳茵小区", "gate": "南门"}),
    ("主题：噪音\n\n我家在松林大界中段，半夜老有人飙车。\n（打字错了，是松林大街）", {"road": "松林大街", "stretch": "中段"}),
    # …but a note whose name is no saying of a name in the letter changes nothing
    ("主题：井盖\n\n青云路18号门口井盖没了。\n（是我母亲让我写的，她不会打字错了别怪）",
     {"road": "青云路", "number": "18", "side": "门口"}),
    # the writer's own street, then a junction on it; a junction after a subject line naming one road
    ("主题：路口大坑\n\n我是杏花胡同的老住户，杏花胡同跟松林路那个丁字路口有个大坑", {"road": "杏花胡同", "cross_road": "松林路"}),
    ("主题：松林路路口的红绿灯坏了\n\n您好，\n青年大街和松林路那个十字路口，红绿灯一直闪黄灯",
     {"road": "青年大街", "cross_road": "松林路"}),
    # where the writer goes every day, told after a greeting, is not the problem's place
    ("主题：盲道\n\n您好，\n我是一名退休教师，每天走去老年大学上课。最近青年大街跟松林路那个路口的盲道被占了",
     {"road": "青年大街", "cross_road": "松林路"}),
    # how long, a plea, an operation or what is asked for said before a kind of place is no name
    ("近半年青年路与松林街丁字路口有个早市，垃圾满地", {"road": "青年路", "cross_road": "松林街"}),
    ("主题：建议增加公共厕所\n\n我们这片老人多，希望多建几个", None),
    ("我父亲做了心脏搭桥，医保报销的事情想咨询一下", None),
    ("老板跑了工资不给 求求政府帮帮我们", None),
    ("建议在全市范围内增加垃圾桶，特别是老旧城区", None),
    # forms: the content corrects the field's exit; says the problem is elsewhere; names the street
    ("标题：单车堆积\n地址：青年路站C口\n内容：更正：是D口不是C口，D口外面单车堆成山", {"landmark": "青年路站", "exit": "D", "side": "外"}),
    ("标题：垃圾\n地址：杏花胡同8号\n内容：我家是8号，但是问题在对面杏花胡同15号门口，垃圾三天没收",
     {"road": "杏花胡同", "number": "15", "side": "门口"}),
    ("标题：蚊子多\n地址：南山区\n内容：是南山区青石街道，绿化带从不打药", {"district": "南山区", "street": "青石街道"}),
])
def test_closing_notes_junctions_on_ones_street_and_form_corrections(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # a subject line names the place short; the letter names it again with its details, however far on
    ("主题：杏花胡同井盖响\n\n同志你好：我是附近的老住户，今年八十了，晚上总睡不好，一开始以为是隔壁装修，"
     "后来孙子下楼看了，是杏花胡同二十一号门口那个井盖翘起来了。", {"road": "杏花胡同", "number": "21", "side": "门口"}),
    ("主题：北小街中段扬尘\n\n您好：青年门北小街中段最近在挖路，尘土飞扬。", {"road": "青年门北小街", "stretch": "中段"}),
    ("主题：松林胡同东口路口没有井盖\n\n您好：我住在别处。昨天经过松林胡同和青年大街交叉的地方，发现井盖没了",
     {"road": "松林胡同", "cross_road": "青年大街"}),
    # …and the work asked for right before the place is no part of its name
    ("主题：杏花巷9号槐树修剪申请\n\n申请修剪杏花巷9号门口的槐树", {"road": "杏花巷", "number": "9", "side": "门口"}),
    # a county after its city; a district said alone, then again with the village; towns' villages
    ("地址：青州市临河县石桥镇王庄村", {"district": "临河县", "street": "石桥镇", "compound": "王庄村"}),
    ("我老家是临河县的，退休了就回去住。我们临河县石桥镇王庄村村北头有个垃圾池没人清",
     {"district": "临河县", "street": "石桥镇", "compound": "王庄村", "side": "北侧"}),
    ("百色市田阳镇那坡村有人挖沙", {"district": "百色市", "street": "田阳镇", "compound": "那坡村"}),
    ("南山市石桥镇上河村村东有人烧秸秆", {"district": "南山市", "street": "石桥镇", "compound": "上河村", "side": "东侧"}),
    ("镇上那个网吧天天有小孩", None),
    # a form naming the village in its content after an empty address field: the divisions said with it
    ("标题：王庄村河边倒垃圾\n地址：\n内容：南山市石桥镇王庄村，村东边河滩上有人倒垃圾",
     {"district": "南山市", "street": "石桥镇", "compound": "王庄村", "side": "东侧"}),
    # the writer works somewhere else; the place named after it in the same letter is the problem's
    ("我在省城上班，周末回老家。就是南山市石桥镇上河村村北那个养猪场，粪水直排",
     {"district": "南山市", "street": "石桥镇", "compound": "上河村", "side": "北侧"}),
    # how many months; a road's back lanes are no road's name
    ("近两个月松林公园东门外面全是小摊", {"landmark": "松林公园", "gate": "东门", "side": "外"}),
    ("标题：卫生差\n地址：南山区青石街道\n内容：整个青石街道背街小巷的卫生都很差", {"district": "南山区", "street": "青石街道"}),
    # a form's title saying the field's place again with its side; a title naming another place adds none
    ("标题：翠湖花园南门外电动车乱停\n地址：翠湖花园南门\n内容：南门外人行道停满了电动车",
     {"compound": "翠湖花园", "gate": "南门", "side": "外"}),
    ("标题：松林公园门口有人摆摊\n地址：翠湖花园南门\n内容：南门外人行道停满了电动车", {"compound": "翠湖花园", "gate": "南门"}),
    # a word of the word file as OpenCC writes it before the reader sees the text (嗰间 → 𠮶间)
    ("青年路嗰间永辉超市门口成日有人派传单", {"road": "青年路", "landmark": "永辉超市", "side": "门口"}),
])
def test_subject_lines_said_in_full_villages_and_towns(text, expected):
    check(text, expected)


# -- v23 round: a village's side said later, tower blocks by letter, numbers put right, stations
# said twice, forms whose description comes first or after the title, verbs before a name ----------

@pytest.mark.parametrize("text, expected", [
    # the village named, its side said a sentence on, calling it just 村
    ("我本人住在市区，父母在松岗区杨柳乡大柳树村老家。最近回去几次，发现村南头的大坑里每天有人烧垃圾",
     {"district": "松岗区", "street": "杨柳乡", "compound": "大柳树村", "side": "南侧"}),
    ("我老家在白河镇苇子坑村，现在住市里。父亲说，村北那段河道每天夜里有人挖沙",
     {"street": "白河镇", "compound": "苇子坑村", "side": "北侧"}),
    # …but not past another village
    ("我老家在白河镇苇子坑村，现在住市里的东安花园。父亲说，村北那段河道每天夜里有人挖沙",
     {"street": "白河镇", "compound": "苇子坑村"}),
    # a tower block by its letter
    ("鑫源公寓B座1单元电梯里天天有人抽烟", {"compound": "鑫源公寓", "building": "B", "unit": "1"}),
    # a house number the caller puts right: denied, then said twice; said bare then 是; a few words on
    ("贡院东街 四十 四十八号 不是 四十六号 四十六号那个饭馆儿 油烟", {"road": "贡院东街", "number": "46"}),
    ("就在那个 槐树巷 七号 七号 不是七 是十七号 十七号 有个空房子", {"road": "槐树巷", "number": "17"}),
    ("北环路二百号那个加油站旁边，不对，是202号，有个修车的", {"road": "北环路", "number": "202"}),
    # …and a number said once, with 不是 about something else, stays
    ("贡院东街48号 不是我说的那家 是隔壁", {"road": "贡院东街", "number": "48"}),
    # one station said twice, the exit after both; the exit's letter said twice
    ("朝阳门地铁站 朝阳门站 B口 台阶边上那个栏杆断了", {"landmark": "朝阳门地铁站", "exit": "B"}),
    ("建国门站 建国门地铁站 A A口那个台阶上有人吐了", {"landmark": "建国门地铁站", "exit": "A"}),
    ("我在东四地铁站 这个 C口 出来这个地方 地上的砖翘起来了", {"landmark": "东四地铁站", "exit": "C"}),
    # a form whose description comes before the field, or after the title
    ("内容：小区北门的门禁一直坏着，外卖员的电动车直接骑进小区横冲直撞\n地点：怡景湾\n标题：门禁失灵",
     {"compound": "怡景湾", "gate": "北门"}),
    ("地点：礼士小区4号楼\n标题：楼道堆放建材\n内容：4号楼1单元二楼到三楼之间堆了水泥", {"compound": "礼士小区", "building": "4", "unit": "1"}),
    ("标题：地铁出口被围挡封闭\n地点：青石口站\n内容：青石口地铁站B1出口被施工围挡封了一个月",
     {"landmark": "青石口地铁站", "exit": "B1"}),
    # going into a place, crossing a road, a kind of shop: no name
    ("电动车直接骑进小区横冲直撞", None),
    ("每天早上送孩子要穿过东四十条和朝阳门北小街交叉路口", {"road": "东四十条", "cross_road": "朝阳门北小街"}),
    ("希望你们能统一检查一下这类小店的油烟净化设备", None),
    ("我们前进村的路灯不亮", {"compound": "前进村"}),
    # the named spot at a junction, after it; a corner's site or an underpass is none
    ("经开区锦程路和兴业街交叉口，中石油加油站对面，有一个井盖松动",
     {"district": "经开区", "road": "锦程路", "cross_road": "兴业街", "landmark": "中石油加油站", "side": "对面"}),
    ("高新区科技路和创业大道交叉口东北角那个工地 晚上11点还在施工",
     {"district": "高新区", "road": "科技路", "cross_road": "创业大道"}),
    # a district or town the division table holds only as a shorter name elsewhere (郊区, 口镇)
    ("北郊区柳河镇张庄村 村北垃圾堆烧起来了", {"district": "北郊区", "street": "柳河镇", "compound": "张庄村", "side": "北侧"}),
    # a village's first characters said after its town, then the whole name; a number said twice
    ("我是北郊区柳河镇大 大塘村的 我们村里那口大塘里有死猪", {"district": "北郊区", "street": "柳河镇", "compound": "大塘村"}),
    ("光华街二十八 二十八号 哦不对 三十八号 三十八号一楼那家", {"road": "光华街", "number": "38"}),
    ("我住胜利路 胜利路七十一号 哎不是 七十七号 七十七 我们这个老楼", {"road": "胜利路", "number": "77"}),
    # shops being opened or run, not named; a shop city is a landmark
    ("阳光水岸南门旁边新开了家烧烤店，桌子一直摆到小区门口", {"compound": "阳光水岸", "gate": "南门", "side": "旁"}),
    ("红星路家和电器城门口天天搞促销", {"road": "红星路", "landmark": "家和电器城", "side": "门口"}),
    # the road, then the estate named after it
    ("我是东四街道 东四七条 七条小区三号楼三单元的 我们这暖气不热",
     {"street": "东四街道", "road": "东四七条", "compound": "七条小区", "building": "3", "unit": "3"}),
    ("花园北街 花园北街有人占道", {"road": "花园北街"}),
    # a chain's name; a county said before a town the caller puts right stays (not the home's district)
    ("青山區紅星路上那個好又多超市，每天早上卸貨", {"district": "青山区", "road": "红星路", "landmark": "好又多超市"}),
    ("我是云溪县那个白 白石镇 不对 白石乡 白石乡李家湾村的 我们村南边那个电线杆子歪了",
     {"district": "云溪县", "street": "白石乡", "compound": "李家湾村", "side": "南侧"}),
    ("来电人反映：其家住桐溪区桂汀苑，近日在上班途经的澄湖东路，不对，澄湖西路18号门口发现路灯倒伏。",
     {"road": "澄湖西路", "number": "18", "side": "门口"}),
    # a subject line's street said again in the letter with its district
    ("主题：建国门街道范围内蚊虫滋生严重\n\n您好：\n我家住苏州园小区，但这个问题不只是我们一个小区。今年东安区建国门街道整个这一片蚊子特别多",
     {"district": "东安区", "street": "建国门街道"}),
    # junctions: 交汇的路口, 交叉那个丁字路口, a filler before the junction word, 和 said twice, a road
    # said twice and the next road starting with 和, trips are no name
    ("贡院东街跟北京站东街交汇的路口，夜间常有大货车违停", {"road": "贡院东街", "cross_road": "北京站东街"}),
    ("北总布胡同和东总布胡同交叉那个丁字路口，拐角的凸面镜碎了", {"road": "北总布胡同", "cross_road": "东总布胡同"}),
    ("你好 我在那个 朝阳门南小街 跟那个 金宝街 就是那个路口儿 这儿有个井盖", {"road": "朝阳门南小街", "cross_road": "金宝街"}),
    ("就是那个解放 解放大道和 和新华路那个丁字路口 路口那有个大坑", {"road": "解放大道", "cross_road": "新华路"}),
    ("那个 宝山路 宝山路 跟那个 和平里街 和平里街 那个十字路口 有个井盖", {"road": "宝山路", "cross_road": "和平里街"}),
    ("我每天都要跑好几趟青年大街。青年大街跟北二路交汇的路口，左转绿灯太短", {"road": "青年大街", "cross_road": "北二路"}),
    # a name begun, then said whole; a road then a landmark named after it stays two
    ("我是那个 白马县 那个 黄土坡乡 南台子 南台子村 村西 西边儿那个坟地边上",
     {"district": "白马县", "street": "黄土坡乡", "compound": "南台子村", "side": "西侧"}),
    ("长青路一百二十 一百二十三号 那个洗车店", {"road": "长青路", "number": "123"}),
    ("史家胡同 那个史家胡同博物馆 对过 下水道冒臭水", {"road": "史家胡同", "landmark": "史家胡同博物馆", "side": "对面"}),
    # the way one must go, each of many, an address field saying "here": no names (but 赵各庄村 is one)
    ("每天下晚班骑电动车回家，必须走迎宾大桥桥下的辅路", {"landmark": "迎宾大桥", "side": "下"}),
    ("内容：辖区内各小区的垃圾投放点都没有洗手池\n地点：东单街道辖区\n标题：缺少洗手设施", {"street": "东单街道"}),
    ("标题：投诉噪音\n地点：本地\n内容：每天晚上有人在楼下空地放烟花", None),
    ("赵各庄村那个坑塘里头有人倒化工桶", {"compound": "赵各庄村"}),
    # Latin letters in a name as a dispatcher writes them, though the text is read lower-cased
    ("沿江路上的金鼎KTV每晚营业至凌晨三点", {"road": "沿江路", "landmark": "金鼎KTV"}),
    # a subject line's unnamed thing, the letter naming the place in full
    ("主题：学校周边小卖部向未成年人售烟\n\n我是临江区第三中学一名初二学生的家长。孩子是在临江区第三中学后门旁边那家小卖部买的烟",
     {"landmark": "临江区第三中学", "gate": "后门", "side": "旁"}),
])
def test_village_sides_said_later_tower_blocks_corrections_stations_and_forms(text, expected):
    check(text, expected)


# -- v24 round: forms, corrections with a bare 不是, districts and towns said first, the crossing on the
# daily way, quoted shops, car parks and lodges, lines said apart from their station -----------------

V24_ROUND = [
    # (a district said first is what the message is about)
    # a district the division table does not hold, said first in a message or a subject line
    ("栖湾区这两天自来水怎么黄黄的 有没有人知道咋回事", {"district": "栖湾区"}),
    ("主题：城南区流浪犬问题\n\n您好：\n城南区近来流浪犬数量明显增多，成群出没", {"district": "城南区"}),
    ("白沙县城区这几天自来水一股漂白粉味儿", {"district": "白沙县"}),
    # but not a form's label, nor an estate's part before its building
    ("标题：蚊虫多\n所属区域：东四街道\n内容：今年夏天蚊子特别多", {"street": "东四街道"}),
    ("您好！御景湾南区5栋有住户饲养大型犬，不拴绳", {"compound": "御景湾南区", "building": "5"}),
    # (a gate said later by the places kind)
    # the place named, then its gate a little later after its kind (我们小区, 医院, 公园)
    ("我住这个 那个 苏州园小区啊 住了三十年了 我们小区 西门 西门旁边 有个大槐树 树根把地砖都拱起来了",
     {"compound": "苏州园小区", "gate": "西门", "side": "旁"}),
    ("来电人反映其在市第三人民医院就诊时发现医院南门外的公交站台广告牌松动。",
     {"landmark": "市第三人民医院", "gate": "南门", "side": "外"}),
    ("我住文昌路那边 周末去南湖公园跑步 发现公园东门里面湖边的护栏断了",
     {"landmark": "南湖公园", "gate": "东门", "side": "内"}),
    ("您好！我是星河湾小区的业主，想反映小区侧门的问题：侧门人行通道被物业用铁链锁死",
     {"compound": "星河湾小区", "gate": "侧门"}),
    # (lanes said with their kind footbridges in forms and misheard lanes)
    # a numbered lane with its kind said after it, then the spot on it
    ("东四六条胡同口，东四菜市场对面有人摆摊", {"road": "东四六条", "landmark": "东四菜市场", "side": "对面"}),
    # a numbered lane, then what happens there
    ("东安区东四六条有人卸货，货车堵住整条胡同", {"district": "东安区", "road": "东四六条"}),
    # a form's district, its content a footbridge on a named road; 北小姐 misheard for 北小街
    ("标题：桥上垃圾\n地址：东安区\n内容：朝内大街过街天桥上全是小广告和烟头",
     {"district": "东安区", "road": "朝内大街", "landmark": "天桥", "side": "上"}),
    ("东四九条跟朝阳门北小姐交叉口的井盖松了", {"road": "东四九条", "cross_road": "朝阳门北小街"}),
    # (a forms region field gives district and street)
    # a web form's region field gives the district and street the place does not say
    ("标题：路口违停\n所在区域：城东区\n发生地点：和谐大道/创新路路口\n详细地址：\n问题描述：路口转角处长期停着几辆货车",
     {"district": "城东区", "road": "和谐大道", "cross_road": "创新路"}),
    ("标题：出口坡道被占\n发生地点：朝阳门地铁站B口旁边\n所在区域：朝阳门街道\n问题描述：无障碍坡道被快递车占用",
     {"street": "朝阳门街道", "landmark": "朝阳门地铁站", "exit": "B", "side": "旁"}),
    ("标题：野狗伤人\n所在区域：西坪区 北岭街道\n发生地点：北岭街道\n问题描述：这一带流浪狗成群",
     {"district": "西坪区", "street": "北岭街道"}),
    # (but not a district the place itself contradicts)
    ("标题：井盖\n所在区域：城东区\n发生地点：城西区解放路18号\n问题描述：井盖没了",
     {"district": "城西区", "road": "解放路", "number": "18"}),
    # (buildings put right and units said in the letter)
    # a building denied and the one meant said after 是; the house at a number said again with 楼
    ("喂 那个 翠湖家园 五号楼 不是五号 是六号楼 六号楼一单元门口 电动车在楼道里充电",
     {"compound": "翠湖家园", "building": "6", "unit": "1", "side": "门口"}),
    ("就是那个青年路 四十五号 哦不对不对 是五十四号 五十四号那个楼门口 水管子爆了",
     {"road": "青年路", "number": "54", "side": "门口"}),
    # a subject line's building, the letter saying its unit (but not the writer's own unit)
    ("主题：御河湾小区12栋电梯隐患\n您好！\n我是一名外卖骑手。御河湾小区12栋2单元的电梯已经出了好几次问题",
     {"compound": "御河湾小区", "building": "12", "unit": "2"}),
    ("主题：关于史家小区4号楼地下室长期积水的投诉\n\n您好！\n现在住在史家小区4号楼3单元。今年入夏以来，我们4号楼的地下室一直积水",
     {"compound": "史家小区", "building": "4"}),
    # (a callers bare denial puts a detail right)
    # a caller's bare 不是 between two exits, gates, stretches or sides: the second is meant
    ("那个 金宝街 嗯 西段 不是 东段 东段那边 人行道上好多大树", {"road": "金宝街", "stretch": "东段"}),
    ("我是苏州园小区的 我们小区那个东南门 不是 东北门 东北门门口那块 地砖全翘起来了",
     {"compound": "苏州园小区", "gate": "东北门", "side": "门口"}),
    ("嗯 东四十条地铁站 C口 不是 D口 共享单车乱七八糟堆一地", {"landmark": "东四十条地铁站", "exit": "D"}),
    ("金沙影城后面 啊不是 是旁边 有人卖假货", {"landmark": "金沙影城", "side": "旁"}),
    # …but not after the caller said which one (是…不是…), nor when he says his own again
    ("标题：道路标线看不清\n地址：光明大道\n内容：是光明大道中段，不是东段。中段的车道线全磨没了",
     {"road": "光明大道", "stretch": "中段"}),
    ("标题：单车堆积\n地址：建国门站B口\n内容：更正：是A口不是B口，A口外面共享单车堆了上百辆",
     {"landmark": "建国门站", "exit": "A", "side": "外"}),
    ("杉湾路那个绿苇公园南门 不是北门啊 南门 有人摆摊", {"road": "杉湾路", "landmark": "绿苇公园", "gate": "南门"}),
    # (districts named like areas forms pointing to the description and vague subject sides)
    # a district named like a forest area, by the town after it
    ("主题：东林区马坊镇后街村违建养殖场\n尊敬的领导：\n发现东林区马坊镇后街村村西新建了一个大型养猪场",
     {"district": "东林区", "street": "马坊镇", "compound": "后街村", "side": "西侧"}),
    # a form whose place field says 见描述: the description's place, with the region field's district
    ("标题：大门损坏\n问题类型：安全隐患\n发生地点：见描述\n所在区域：滨湖区\n问题描述：怡景园正门的电动伸缩门坏了，一半横在路上",
     {"district": "滨湖区", "compound": "怡景园", "gate": "正门"}),
    # a subject line's 周边 yields to the side the letter says
    ("主题：东单体育中心周边违规占道经营\n尊敬的工作人员：\n我每周三次到东单体育中心打球。最近发现东单体育中心门口的人行道上出现了大量流动摊贩",
     {"landmark": "东单体育中心", "side": "门口"}),
    ("主题：东单体育中心周边违规占道经营\n尊敬的工作人员：\n最近流动摊贩很多，晚上散场时人流密集", {"landmark": "东单体育中心", "side": "旁"}),
    # (light rail lines and station exits)
    ("轻轨三号线白沙站 1号出口 台阶上全是泥 清洁工好几天没来", {"landmark": "轻轨3号线白沙站", "exit": "1"}),
    ("来电人称火车东站3号出站口外出租车排队区秩序混乱", {"landmark": "火车东站", "exit": "3", "side": "外"}),
    # (short schools lettered towers towns alone and bridge decks)
    ("市二中門口 放學時段 家長的車把路全堵了", {"landmark": "市二中", "side": "门口"}),
    ("绿地香颂A栋底下 有人在绿化带里种菜", {"compound": "绿地香颂", "building": "A", "side": "下"}),
    ("標題：停電頻繁｜發生地點：白鷺鎮｜問題描述：這個月白鷺鎮已經停了五次電", {"street": "白鹭镇"}),
    ("松江路街道这块最近停水停得太频繁了", {"street": "松江路街道"}),
    ("来电人称彩虹桥桥面多处坑洼，夜间无照明", {"landmark": "彩虹桥", "side": "上"}),
    # a town's form label is none (所属乡镇), nor 镇江里 a town
    ("村名：石各庄村 所属乡镇：杨宋镇 问题描述：村内垃圾桶不足", {"street": "杨宋镇", "compound": "石各庄村"}),
    ("那个 镇江里 镇江里小区 十二栋 楼道灯坏了", {"compound": "镇江里小区", "building": "12"}),
    # (gate lodges and a caller asking himself which building)
    # the gate's lodge passed over on the way to the side; a caller asking himself which building
    ("鸿安公寓北门岗亭旁边，有人把旧家具扔那儿快一个月了", {"compound": "鸿安公寓", "gate": "北门", "side": "旁"}),
    ("市民反映羊毛小区东南门门卫室旁有人私设废品回收点", {"compound": "羊毛小区", "gate": "东南门", "side": "旁"}),
    ("我住在那个干面胡同小区 几号楼啊 四号楼 四号楼一单元 一楼那家 养了十几只猫",
     {"compound": "干面胡同小区", "building": "4", "unit": "1"}),
    # (form fields on one line in either script and courtyards at a number)
    # fields on one line, in traditional characters, separated by bars; the region said short
    ("标题：斑马线看不清 问题类型：交通标线 所在区域：高新区 发生地点：人民东路与和平街交叉口 问题描述：路口的斑马线磨没了",
     {"district": "高新区", "road": "人民东路", "cross_road": "和平街"}),
    ("標題：出租車亂停攬客 | 問題類型：違法停車 | 所在區域：建國門街道 | 發生地點：北京站東街與建國門內大街丁字路口 | 問題描述：一到晚上就有黑車",
     {"street": "建国门街道", "road": "北京站东街", "cross_road": "建国门内大街"}),
    ("标题：夜间施工扰民\n所在区域：西城\n发生地点：见描述\n问题描述：最近西城好几个工地都在夜里干活", {"district": "西城区"}),
    ("标题：雨水井冒水\n所在区域：见描述\n发生地点：滨江大道湘江路口\n问题描述：每次下大雨路口就冒水",
     {"road": "滨江大道", "cross_road": "湘江路"}),
    # the courtyard at a number, then the estate in it
    ("发生地点：长安路12号院翠微小区5号楼 问题描述：5号楼底下的餐馆把泔水直接倒进雨水井",
     {"road": "长安路", "number": "12", "compound": "翠微小区", "building": "5"}),
    # (a callers bare denial after a number and fillers that say nothing)
    # a caller's bare 不是 after a house number, the number meant said once; 就是 is a filler, no 是
    ("喂 你好 就是东四七条 嗯 二十三号 不是 三十二号 三十二号门口那个井盖 井盖让人给弄歪了",
     {"road": "东四七条", "number": "32", "side": "门口"}),
    ("我跟你说啊 就是 赵家楼饭店 它后边儿 不是 它对面儿 对面那个空场 晚上有人飙车", {"landmark": "赵家楼饭店", "side": "对面"}),
    ("就是 怡和家园 怡和家园的南门 不是 北门 北门外头那个空地 有人在那儿烧垃圾",
     {"compound": "怡和家园", "gate": "北门", "side": "外"}),
    # (but 是…不是…: the first was meant)
    ("来电人称是演乐胡同18号，不是16号，门口井盖丢了", {"road": "演乐胡同", "number": "18", "side": "门口"}),
    # (a district said twice then its street)
    # a district said twice, then its street
    ("那个 你好 我要说一下 我们 城西区 城西区的 向阳街道 对 向阳街道这一块 最近 天天有人敲门推销",
     {"district": "城西区", "street": "向阳街道"}),
    ("喂 我是 嗯 我们这个 开发区 开发区这边 那个 黄河路街道 这片 嗯 天天晚上有股臭味",
     {"district": "开发区", "street": "黄河路街道"}),
    # (a crossing on the daily way a lanes metro and what a complaint is about)
    # the crossing on the writer's daily way, in the same sentence as the routine
    ("我是一名小学生家长。每天早上我都要送孩子去史家小学，必经史家胡同和朝阳门南小街的路口。这个路口没有斑马线，早高峰南小街上的车开得很快",
     {"road": "史家胡同", "cross_road": "朝阳门南小街"}),
    ("嗯 东四十条地铁 C口 那儿有个卖花的 占了半个出口", {"landmark": "东四十条地铁站", "exit": "C"}),
    ("那个 河西区 不对 河东区 新华街道 这边 那个 噪音 嗯 好多工地晚上干活", {"district": "河东区", "street": "新华街道"}),
    # (where the caller lives and where he is now)
    ("喂 您好 我是住 礼士胡同的 但是这事儿不在礼士胡同啊 是在 演乐胡同 演乐社区卫生服务站 门口 那儿有个坑",
     {"road": "演乐胡同", "landmark": "演乐社区卫生服务站", "side": "门口"}),
    ("喂 我家在 大方家胡同 我现在在 东安区第五十五中学 那个 西门 门口有个电线杆子 歪了",
     {"landmark": "东安区第五十五中学", "gate": "西门", "side": "门口"}),
    # (a shop named in quotes after its road)
    # a shop named in quotes after its road
    ("柘湖路“力行健身”旁边在装修 电锯声从早到晚 周末也不停", {"road": "柘湖路", "landmark": "力行健身", "side": "旁"}),
    ("白沙路「阿強燒臘」天天把烤爐搬到人行道上", {"road": "白沙路", "landmark": "阿强烧腊"}),
    # (a landmarks car park is part of it)
    # a landmark's car park is a part of it
    ("东单体育中心停车场出口 每天晚上排长队 车堵到马路上", {"landmark": "东单体育中心"}),
    ("喂 是热线吧 县第二人民医院 医院那个停车场 收费收得太离谱了", {"landmark": "县第二人民医院"}),
    # (a metro line said a pause before its station)
    # the line said a pause before its station
    ("那个八号线，八号线，叫……柏溪路站，出来那个，嗯，二号口，出口那个台阶碎了", {"landmark": "8号线柏溪路站", "exit": "2"}),
    ("那个地铁，四号线，呃，叫什么站，槐序街站，对，出来那个，二号口有人摆摊", {"landmark": "地铁4号线槐序街站", "exit": "2"}),
]


V24_NO_PLACE = [
    # (residents companies and bare fields name no place)
    # a resident of the street (一名居民), many estates, a company that serves the whole city
    "我是一名居民，想就辖区内的垃圾分类工作提几点意见",
    "我是一名外卖骑手，想反映全市范围内很多小区不让外卖电动车进入",
    "内容：拨打燃气公司客服电话一直占线，打了一上午都打不进去",
    "来电人反映某快递公司派件员态度恶劣，要求快递公司赔偿",
    # a shop that ran away, the road ahead of a driver who does not know it
    "来电人反映：其购买的预付卡商家跑路，要求相关部门协助追讨余额",
    "喂 我在开车 前面路中间有个井盖没了 哪条路我也不认得",
    # an address field naming a junction word or a city, "his estate", how many bin stations
    "标题：这个路口太乱了\n地址：路口\n内容：每天上下班都堵，能不能加个红绿灯？",
    "标题：咨询\n地址：河州市\n内容：请问市里哪些地方可以免费停车？",
    "来电人反映：其小区门口垃圾桶满溢多日无人清运，来电人不愿透露小区名称",
    "标题：垃圾分类\n地址：小区\n内容：垃圾桶站点太少，而且经常满溢。",
    # (guidance suggestions and parcel points name no place)
    "物业说是按照政府指导价收的，但我上网查了，找不到相关文件",
    "问题描述：建议多建一些口袋公园和健身步道，方便市民锻炼。",
    "小区门口那个快递驿站把包裹全堆在外面地上",
    # (websites one worker and a whole lane name no place)
    "主题：热线网站无法注册\n您好：\n我这几天想在你们的网站上提交诉求",
    "主题：建议延长公交末班车时间\n您好，\n我在一家商场工作，每天晚上十点下班\n一名商场员工",
    "就是那个下水井 天一热就往外冒味儿 整条胡同都是",
    # (quoted words that are no shop)
    "说是“社区安排的”其实不是，骗老年人的", "注册的时候一直提示“验证码错误”"
]


def test_a_resident_still_names_the_street_and_a_field_still_names_an_estate():
    check("我是东安区东四街道的一名居民，胡同停车问题越来越严重", {"district": "东安区", "street": "东四街道"})
    check("标题：井盖没了\n地址：翡翠湾\n内容：井盖没了好几天", {"compound": "翡翠湾"})


def test_the_benchmarks_comparison_reads_one_name_in_two_scripts_as_one():
    # a labeller who kept a traditional-character message's names as written agrees with the
    # reader, which writes them as the registry does; a different name still differs
    assert canonical({"road": "東四九條", "number": "41", "side": "门口"}) == \
        canonical(extract_place("東四九條 41號 門口的路燈桿被車撞歪了").as_dict())
    assert canonical({"between": ["新華書店", "郵電局"]}) == {"between": ["新华书店", "邮电局"]}
    assert canonical({"road": "東四八條"}) != canonical({"road": "东四九条"})


def test_the_benchmarks_comparison_writes_an_unnamed_footbridge_as_the_schema_does():
    assert canonical({"road": "解放路", "landmark": "人行天桥", "side": "上"}) == \
        canonical(extract_place("解放路那个人行天桥，天桥上面，那个台阶坏了").as_dict())
    assert canonical({"landmark": "过街天桥"}) == {"landmark": "天桥"}
    assert canonical({"landmark": "迎宾大桥"}) == {"landmark": "迎宾大桥"}  # a named bridge keeps its name


V25_ROUND = [
    # a form dumped without colons: its fields are read as a form's
    ("标题 路灯不亮 所在区域 城西区 问题地点 北湖公园 详细地址 湖滨路与望湖路交叉口 问题描述 路口路灯全不亮 联系地址 城西区丽水苑3栋",
     {"district": "城西区", "road": "湖滨路", "cross_road": "望湖路"}),
    ("标题 积水 问题地点 枫林苑小区南门外 详细地址 同上 问题描述 下雨就积水", {"compound": "枫林苑小区", "gate": "南门", "side": "外"}),
    # a place field and a detailed address: the finer of the two; the station by its full name
    ("标题：井盖破损\n问题地点：长宁路\n详细地址：长宁路46号门口\n问题描述：井盖裂了", {"road": "长宁路", "number": "46", "side": "门口"}),
    ("标题：出口积水\n详细地址：青松站C出口\n发生地点：地铁三号线青松站\n问题描述：出口外积水", {"landmark": "地铁3号线青松站", "exit": "C"}),
    # the writer's own address is never read into the problem's place
    ("标题：桥下堆物｜问题地点：永安桥｜详细地址：永安桥下｜问题描述：桥下堆满旧家具｜联系地址：城南区新民街道棉纺厂宿舍2栋",
     {"landmark": "永安桥", "side": "下"}),
    # where the writer was for something else, and the place he saw it next, with a detail of its own
    ("我在青松菜市场买完菜出来 看到和平路88号门口一个井盖没了", {"road": "和平路", "number": "88", "side": "门口"}),
    ("早上在滨河公园这边晨练 发现公园南门对面 建设路18号门口 有个井盖没了", {"road": "建设路", "number": "18", "side": "门口"}),
    ("喂 我是 在桃园公交站 那儿 等车的时候 看见的 对面 翠竹小区 北门 北门口 消防栓漏水",
     {"compound": "翠竹小区", "gate": "北门", "side": "门口"}),
    ("刚从商场下班回家 路过长江路跟黄河路口 井盖被偷了", {"road": "长江路", "cross_road": "黄河路"}),
    # where he lives, then the place named before what he found, or soon after with a gate
    ("来电人反映：其家住松林小区，近日在人民公园东门内晨练时发现健身器材断裂", {"landmark": "人民公园", "gate": "东门", "side": "内"}),
    ("我是绿城小区的 今天去中心公园南门 那边的公共厕所 门都坏了", {"landmark": "中心公园", "gate": "南门"}),
    # …but his own building, and a district's street, stay
    ("我是幸福新村17幢的住户，17幢楼前的化粪池满溢已经一周，污水流到小区主路上", {"compound": "幸福新村", "building": "17"}),
    ("我是东安区的 东安 就是东四街道 这一片 最近晚上老有放炮的 也不是过年也放", {"district": "东安区", "street": "东四街道"}),
    # a character said alone, then the name begun with it (speech recognition's spaces)
    ("那个 我在 建设大道 建设大道跟 纬 纬六路 交叉口 这 有个井盖没了", {"road": "建设大道", "cross_road": "纬六路"}),
    ("喂 我是那个 金 金色家园 十五栋的 二 二单元 楼前面 有人种菜", {"compound": "金色家园", "building": "15", "unit": "2"}),
    ("就是那个 长青街 从 从那个 育才路口到光华路口 中间那一段 路面全是坑", {"road": "长青街", "between": ["育才路", "光华路"]}),
    # a station's exit as the caller settles on it; the metro or its line said between station and exit
    ("那个 青松路地铁站 那个 那个A 不 C 对C口 C口进去那个楼梯 台阶塌了一块", {"landmark": "青松路地铁站", "exit": "C"}),
    ("就是那个 人民广场站 那个 B 是B口还是 D口 D口 D口外边 有人卖假证的", {"landmark": "人民广场站", "exit": "D", "side": "外"}),
    ("喂 我想问 那个 市政府站 地铁 E口 那个 无障碍电梯 一直锁着", {"landmark": "市政府站", "exit": "E"}),
    ("那个 地铁 一号线 一号线那个 火车站站 二号口 二号出口那边 扶梯坏了", {"landmark": "地铁1号线火车站站", "exit": "2"}),
    # a place put right after a pause only, or with 不是 and then what was wrong
    ("我在 永辉超市南湖店 门口 不对 我现在在 阳光幼儿园门口 这儿有个 井盖松了", {"landmark": "阳光幼儿园", "side": "门口"}),
    ("我在紫荆花园 不是 我说错了 是翠竹苑 翠竹苑12号楼 楼下 有人放鞭炮", {"compound": "翠竹苑", "building": "12", "side": "下"}),
    # a caller's numbers and gates as he settles on them
    ("喂 那个松风小区二十 哦 十二号楼一单元 一楼那家把楼道占了", {"compound": "松风小区", "building": "12", "unit": "1"}),
    ("喂 那个槐树胡同 八十 八号 对 八十八号院里 那个电线老化冒火星", {"road": "槐树胡同", "number": "88", "side": "内"}),
    ("喂 我说一下那个杏花胡同 那个门牌是几号来着 嗯 四十四号 那个院门口有个大坑", {"road": "杏花胡同", "number": "44", "side": "门口"}),
    ("我们住在那个文化路 那个啥 三十五号 门口那个水泥板塌了", {"road": "文化路", "number": "35", "side": "门口"}),
    ("喂 我反映一下胜利街 一百零八号 一百零八号那个院子里 下水道堵了", {"road": "胜利街", "number": "108", "side": "内"}),
    ("喂你好 我反映一下那个翠竹小区东门 哦不 西门 西门外头垃圾桶满了", {"compound": "翠竹小区", "gate": "西门", "side": "外"}),
    ("我住在那个 桂花小区 不是我们楼的事啊 是后头那条胡同 槐花胡同那个 三十几号 三十七号 门口有个大坑",
     {"road": "槐花胡同", "number": "37", "side": "门口"}),
    ("早上送娃去实验小学\n路过长江路的时候看到\n长江路128号那家洗车店 污水直接往马路上排", {"road": "长江路", "number": "128"}),
    # a place said not to be the problem's ("not ours"): the next one named
    ("我在东方花园 不是我们小区的事\n是旁边那个农贸市场 东方农贸市场\n门口的鱼摊 污水倒一地", {"landmark": "东方农贸市场", "side": "门口"}),
    # an address field naming two roads and nothing else: their junction (the citizen's words kept)
    ("标题：道路标线模糊\n地址：迎宾大道与双拥路\n内容：这个十字路口的地面标线几乎磨没了", {"road": "迎宾大道", "cross_road": "双拥路"}),
    # 下班, 走 and 回来路上 are no part of a road's name
    ("我刚从 体育中心 锻炼完 回来路上 走到 青年路 青年路 跟那个 长江路 的口上 发现 井盖没了", {"road": "青年路", "cross_road": "长江路"}),
    # the address in a letter's signature is not read into the problem's place
    ("主题：绿地内烧烤\n\n您好！\n\n小区隔壁的青松绿地每到周末就有人在草坪上烧烤。\n\n居民 赵先生\n地址：松风小区3号楼\n电话：136xxxx5209",
     {"landmark": "青松绿地"}),
]


V26_ROUND = [
    # the road said right before the place the problem is at, after where the writer lives
    ("我家住在桂园小区，每天送孩子上学，青松路青松小学门口早上家长的车把路堵死",
     {"road": "青松路", "landmark": "青松小学", "side": "门口"}),
    # the place said again with its road: the road is part of it
    ("主题：万家超市后面停车场乱收费/我住在枫林苑，周末常去金桥路万家超市买东西。超市后面的停车场有人乱收费",
     {"road": "金桥路", "landmark": "万家超市"}),
    ("那个 家乐福 就是长江路的家乐福 后面卸货 半夜叮叮咣咣的", {"road": "长江路", "landmark": "家乐福"}),
    ("主题：翠湖小区南门外菜摊占道/您好，/我每天下班都要经过滨湖路翠湖小区南门，那里成了马路菜市场。",
     {"road": "滨湖路", "compound": "翠湖小区", "gate": "南门"}),
]
V26_ROUND += [
    # the spot at a corner of a junction (the corner's site itself is no name: 交叉口东北角那个工地)
    ("长江中路与汉阳路交叉口东北角中国移动营业厅门口排队占道",
     {"road": "长江中路", "cross_road": "汉阳路", "landmark": "中国移动营业厅", "side": "门口"}),
    ("创业大道与科技三路交叉口西南角、农商银行门前有垃圾",
     {"road": "创业大道", "cross_road": "科技三路", "landmark": "农商银行", "side": "门口"}),
    ("长江路与汉阳路交叉口东北角那个工地晚上施工", {"road": "长江路", "cross_road": "汉阳路"}),
]
V26_ROUND += [
    # the number said again digit by digit, or whole, for the operator: the side after it is still the place's
    ("光华路 二百零六号 二零六 门口 井盖没了", {"road": "光华路", "number": "206", "side": "门口"}),
    ("长宁街幺八号 一八 门口的树倒了", {"road": "长宁街", "number": "18", "side": "门口"}),
    ("俺说 桃源路 十 十一号 十一 对 就是 门口 那个水管子冻裂了", {"road": "桃源路", "number": "11", "side": "门口"}),
]
V26_ROUND += [
    # a city said before the name is not part of it — unless the name is the city's own
    ("主题：桥面破损//您好！/柳州文惠桥桥面上靠近中间的位置有一道很长的裂缝", {"landmark": "文惠桥", "side": "上"}),
    ("成都天府大道与锦城大道十字路口，东西向左转绿灯只有15秒", {"road": "天府大道", "cross_road": "锦城大道"}),
    ("南京东路站7号口 扶梯又坏了！", {"landmark": "南京东路站", "exit": "7"}),
    ("苏州胡同公厕内感应冲水装置失灵", {"landmark": "苏州胡同公厕", "side": "内"}),
    ("朝阳门南小街那个六十六号嘞，门口下水道臭得很", {"road": "朝阳门南小街", "number": "66", "side": "门口"}),
]
V26_ROUND += [
    # forms whose labels are marked by brackets or a dash, or stand before their value with no colon
    ("【标题】超市门口占道\n【所在区域】成都市武侯区\n【问题地点】红牌楼永辉超市门口\n【问题描述】流动摊贩占了人行道\n【联系人】匿名",
     {"district": "武侯区", "landmark": "红牌楼永辉超市", "side": "门口"}),
    ("[标题] 小区大门口积水\n[区域] 福州市仓山区\n[地点] 万科金域榕郡 北大门外\n[描述] 积水一周了\n[联系人] 林",
     {"district": "仓山区", "compound": "万科金域榕郡", "gate": "北门", "side": "外"}),
    ("问题类型 垃圾清运\n所在区域 东安区\n问题地点 礼士小区\n详细地址 礼士小区7号楼3单元门前\n问题描述 垃圾桶满了\n联系人 \n联系电话 ",
     {"district": "东安区", "compound": "礼士小区", "building": "7", "unit": "3", "side": "门口"}),
    # the district and the town each in a field of their own (区域, 区县, 乡镇 without 所在)
    ("标题：村道边垃圾\n区县：故城县\n乡镇：郑口镇\n问题地点：前屯村西头\n描述：路边堆了一大片垃圾",
     {"district": "故城县", "street": "郑口镇", "compound": "前屯村", "side": "西侧"}),
    # the estate and where at it in fields of their own
    ("所属区域：福州市晋安区\n小区名称：融侨悦城\n问题位置：东南门\n问题描述：道闸坏了一个月",
     {"district": "晋安区", "compound": "融侨悦城", "gate": "东南门"}),
]
V26_ROUND += [
    # what the caller did there (看病, 看完病) is no part of a name, and the place said again by its kind after it
    ("刚在市第一医院看完病 医院门口那一排黑车 拉客拉到半夜", {"landmark": "市第一医院", "side": "门口"}),
    ("喂 那个 俺 去 那个 城南区人民医院 看病 那个 医院 门口 有个 坑", {"landmark": "城南区人民医院", "side": "门口"}),
]
V26_ROUND += [
    # a district or town said alone, then the estate or village, or a place with a gate or number, in it
    ("嗯你好我是那个呃青岛李沧区的啊我们小区叫那个嗯金水花园二期啊就是二期的西门就西大门那块儿有个大坑",
     {"district": "李沧区", "compound": "金水花园二期", "gate": "西门"}),
    ("我家在西安雁塔区，家对面是朱雀农贸市场。每天凌晨三点开始，朱雀农贸市场后门就有货车卸货",
     {"district": "雁塔区", "landmark": "朱雀农贸市场", "gate": "后门"}),
    # (but not the whole area, or a name read where there is none)
    ("我们这是朝阳门街道的，嗯，街道这一片儿好多胡同的下水道都返味儿", {"street": "朝阳门街道"}),
    ("来电人反映：龙泉区东风街道辖区内多家KTV营业至凌晨，噪音扰民", {"district": "龙泉区", "street": "东风街道"}),
]
V26_ROUND += [
    # a metro station and its exit at a junction; a station said again without 站
    ("人民路和解放路十字路口 地铁3号线解放路站 D口那儿 共享单车堆满了",
     {"road": "人民路", "cross_road": "解放路", "landmark": "地铁3号线解放路站", "exit": "D"}),
    ("喂 那个 我在 地铁 十号线 呃 三元桥站 嗯 三元桥 C口 这儿 有个人发小广告", {"landmark": "地铁10号线三元桥站", "exit": "C"}),
]
V26_ROUND += [
    # corrections: 啊不 (啊 is read as a filler), after 我是 (no affirmation), and after a reason
    ("喂 我 我是 桂花小区的 桂花小区 北 北门 啊不 东门 东门 那个 门卫室旁边 电线耷拉下来",
     {"compound": "桂花小区", "gate": "东门", "side": "旁"}),
    ("嗯 我说 就是 那个 光明北街 南 南段 不对 我说反了 北段 北段那边 那个 路灯", {"road": "光明北街", "stretch": "北段"}),
    ("幸福小区 北门 不对 我记岔了 是西门 门口有个坑", {"compound": "幸福小区", "gate": "西门", "side": "门口"}),
]
V26_ROUND += [
    # junction words after a filler (那路口, 交叉的那个口), 十字 alone, the kind of junction put right
    ("方巾巷跟建国门内大街那路口 早上七点多有人在那儿发广告", {"road": "方巾巷", "cross_road": "建国门内大街"}),
    ("青松路跟那个翠柳街交叉的那个口 那儿的 路灯杆子 让车给撞了", {"road": "青松路", "cross_road": "翠柳街"}),
    ("西宁五四大街和胜利路十字每次下雨都积水", {"road": "五四大街", "cross_road": "胜利路"}),
    ("我在那个 方巾巷 跟那个 建国门内大街 那个那个 十字 不对 丁字路口吧 有个大车", {"road": "方巾巷", "cross_road": "建国门内大街"}),
]
V26_ROUND += [
    # the street said before the village with a word between; a building said again digit by digit
    ("我们那个 刘家寨村 对 刘家 寨子的寨 是 那个 青龙镇的 刘家寨村 村里头 有个老房子要塌了",
     {"street": "青龙镇", "compound": "刘家寨村", "side": "内"}),
    ("东堂子小区 呃 九号楼 不对 是 十九号楼 一 一九 二单元 门口 那个 单元门 关不上",
     {"compound": "东堂子小区", "building": "19", "unit": "2", "side": "门口"}),
]
V26_ROUND += [
    # a university's school or hospital is one name
    ("师范大学附属小学门口每天放学时间家长车辆乱停", {"landmark": "师范大学附属小学", "side": "门口"}),
]
V26_ROUND += [
    # numbers spaced from their 号 / 栋 / 单元; roads crossed with ×; 过街 is no street
    ("位置：济南市槐荫区经七路 588 号 阳光新城小区 北门 西侧约20米",
     {"district": "槐荫区", "road": "经七路", "number": "588", "compound": "阳光新城小区", "gate": "北门", "side": "西侧"}),
    ("标题：树木倒伏\n问题地点：内务部街 27 号\n描述：门前一棵大杨树被风刮断", {"road": "内务部街", "number": "27"}),
    ("标题：路口违停\n地点：本司胡同 × 朝阳门南小街\n描述：转角处长期停车", {"road": "本司胡同", "cross_road": "朝阳门南小街"}),
    ("主题：路口行人过街时间过短//您好：/银川北京中路与凤凰街交叉口，行人绿灯只有二十秒", {"road": "北京中路", "cross_road": "凤凰街"}),
]
V26_ROUND += [
    # where the writer lives, with its number or building, then the neighbour's across the road or next door
    ("市民来电反映，其居住在丽景苑3栋，对面5栋1单元一楼住户私自将阳台改为商铺对外营业",
     {"compound": "丽景苑", "building": "5", "unit": "1"}),
    ("我住在长沙市芙蓉区解放西路88号，楼下对面解放西路92号新开了一家酒吧，每晚音乐开到凌晨三点",
     {"district": "芙蓉区", "road": "解放西路", "number": "92"}),
    ("喂 你好 我 我是 住在 福寿里 三号楼的 我反映那个 对面那个 对面 七号楼 七号楼 五单元 那个 顶楼 有人养鸽子",
     {"compound": "福寿里", "building": "7", "unit": "5"}),
    # (but his own building's side stays his: 我住在丽景苑3栋，对面有人烧烤)
    ("我住在丽景苑3栋，对面有人天天烧烤", {"compound": "丽景苑", "building": "3", "side": "对面"}),
]
V26_ROUND += [
    # an estate named without a suffix, a space before its tower's letter
    ("金色港湾 D座 地下室天天有人住 乱接电线", {"compound": "金色港湾", "building": "D"}),
]
V26_ROUND += [
    # a school said again short (二实小 for 第二实验小学) before its side
    ("那个 城南区第二实验小学 呃 二实小 门口 早上 送孩子的车 把路堵得死死的", {"landmark": "城南区第二实验小学", "side": "门口"}),
]
V26_ROUND += [
    # a city (and its province) before a district whose name holds a suffix (小店区, 桥西区, 路北区)
    ("市民来电反映，太原市小店区晋阳东街320号院内下水道堵塞，污水外溢",
     {"district": "小店区", "road": "晋阳东街", "number": "320", "side": "内"}),
    ("市民来电反映，河北省保定市清苑区何桥乡大望亭村村北有人焚烧塑料垃圾",
     {"district": "清苑区", "street": "何桥乡", "compound": "大望亭村", "side": "北侧"}),
    # an estate whose name holds a suffix of its own (蓝湾雅苑, 翠岗新苑)
    ("成都市锦江区蓝湾雅苑3栋的外墙瓷砖近期接连脱落", {"district": "锦江区", "compound": "蓝湾雅苑", "building": "3"}),
]
V26_ROUND += [
    # more labels of forms dumped without colons
    ("诉求标题 天桥下积水\n问题发生地 朝阳门北大街天桥下\n诉求内容 每次下雨都积水",
     {"road": "朝阳门北大街", "landmark": "天桥", "side": "下"}),
]
V26_ROUND += [
    # a town the division table knows whose name starts with a word that ends text elsewhere (但)
    ("市民来电反映，安徽省六安市霍山县但家庙镇长岭村部分农户家中自来水浑浊",
     {"district": "霍山县", "street": "但家庙镇", "compound": "长岭村"}),
]
V26_ROUND += [
    # a correction written in brackets
    ("主题：楼顶防水层破损//您好：/拐棒小区3号楼（不对，应该是4号楼，我写错了）楼顶防水层大面积起鼓",
     {"compound": "拐棒小区", "building": "4"}),
]
V26_ROUND += [
    # a numbered lane, then the estate named after it (not a stutter, even with no pause)
    ("市民来电反映，东安区东四街道东四三条三条小区西门附近的路灯已损坏多日。",
     {"district": "东安区", "street": "东四街道", "road": "东四三条", "compound": "三条小区", "gate": "西门", "side": "旁"}),
    ("喂 我在那个 东安区 东四街道 东四六条 嗯 六条小区 七号楼 东边 有棵树 歪了",
     {"district": "东安区", "street": "东四街道", "road": "东四六条", "compound": "六条小区", "building": "7", "side": "东侧"}),
]
V26_ROUND += [
    # a side said at the start of a form's description is not the address field's (labellers: 32 against, 9 for)
    ("反映类型：占道经营\n问题地址：龙华区金盘路9号\n问题描述：门前人行道被摊位占满", {"district": "龙华区", "road": "金盘路", "number": "9"}),
    ("[标题] 单元门口积水\n[地点] 南竹竿小区 8号楼 3单元\n[描述] 单元门口积水一周", {"compound": "南竹竿小区", "building": "8", "unit": "3"}),
]
V27_ROUND = [
    # the caller confirms the second road (对) before the junction word
    ("东四六条，东四六条跟那个朝阳门北小街，对，交叉口，有个变压器嗡嗡响", {"road": "东四六条", "cross_road": "朝阳门北小街"}),
    ("接线员：是哪两条路的路口？市民：建设路和，那个，胜利大街，对，就那个路口，斑马线都磨没了",
     {"road": "建设路", "cross_road": "胜利大街"}),
]
V28_ROUND = [
    # the connector said again after a pause, and a dialect "there" before the junction word
    ("嗯，那个光明街跟那个……跟新华路交叉那个路口，井盖翘起来了", {"road": "光明街", "cross_road": "新华路"}),
    ("就是胜利大街和那个……建设二道街，路口那儿，积水老深了", {"road": "胜利大街", "cross_road": "建设二道街"}),
    ("红旗大街跟那个松花江街那疙瘩，路口，冰溜子老大了", {"road": "红旗大街", "cross_road": "松花江街"}),
    # …but 和平路 after 和 is a name of its own
    ("中山大街和和平路交叉口那里有个下水井盖碎了", {"road": "中山大街", "cross_road": "和平路"}),
    # a numbered section with its side is part of the road's name (成都 一环路北三段)
    ("青羊区光华路与二环路西一段交叉口的红绿灯坏了", {"district": "青羊区", "road": "光华路", "cross_road": "二环路西一段"}),
    ("金牛区一环路北三段与人民北路交叉口行人过街时间太短", {"district": "金牛区", "road": "一环路北三段",
                                                        "cross_road": "人民北路"}),
    # a city's metro said as one with its station is the station's name; said apart, it is where
    ("广州地铁三号线珠江新城站B1出口扶梯又停了", {"landmark": "广州地铁3号线珠江新城站", "exit": "B1"}),
    ("重庆轨道交通三号线 观音桥站 4号口 扶梯又停了", {"landmark": "重庆轨道交通3号线观音桥站", "exit": "4"}),
    ("广州 地铁3号线体育西路站 B出口 扶梯突然逆行", {"landmark": "地铁3号线体育西路站", "exit": "B"}),
    ("我在那个西安那个地铁二号线那个小寨站B口，有人打架", {"landmark": "地铁2号线小寨站", "exit": "B"}),
    ("朝阳门地铁站D口楼梯上有人乞讨", {"landmark": "朝阳门地铁站", "exit": "D"}),
    # the side of the road a little way from a junction or a shop, and a station's way out
    ("长江中路与光明街交叉口往北约50米路东人行道上一根路灯杆倾斜", {"road": "长江中路", "cross_road": "光明街", "side": "东侧"}),
    ("地址：长江中路光明街路口往北一点，路西那边", {"road": "长江中路", "cross_road": "光明街", "side": "西侧"}),
    ("长青路新华书店以南路西侧行道树上挂满横幅", {"road": "长青路", "landmark": "新华书店", "side": "西侧"}),
    ("就是那个青莲路跟长乐街那个路口，呃，路东边那个人行道上，有一块地砖翘起来了",
     {"road": "青莲路", "cross_road": "长乐街", "side": "东侧"}),
    ("火车站出站口东侧那片地上积水好几天了", {"landmark": "火车站出站口", "side": "东侧"}),
    # a shop's branch said after it, in brackets or after a pause
    ("万家福超市（人民路店）门口那个斜坡太陡了", {"landmark": "万家福超市人民路店", "side": "门口"}),
    ("就在物美超市，朝内那个店，门口那个共享单车堆得人都过不去了", {"landmark": "物美超市朝内店", "side": "门口"}),
    ("永辉超市门口有个坑", {"landmark": "永辉超市", "side": "门口"}),
    # a gate described again before the caller says where at it
    ("桂香园小区的，东南门，就是东南角那个小门，门口有人卖菜", {"compound": "桂香园小区", "gate": "东南门", "side": "门口"}),
    ("北竹竿小区的西门，西边儿那个门，门口儿那块儿有坑", {"compound": "北竹竿小区", "gate": "西门", "side": "门口"}),
    # an exit said again, then outside it
    ("东四地铁站，四号口，四，那个出口外边儿卖煎饼的车油烟大", {"landmark": "东四地铁站", "exit": "4", "side": "外"}),
    ("地铁四号线，呃，体育馆站，体育馆站的，B，B口，那个出口外面有人发传单",
     {"landmark": "地铁4号线体育馆站", "exit": "B", "side": "外"}),
]
V29_ROUND = [
    # the district or town the caller names when the operator asks, or as what the place belongs to
    ("建设大道西段新铺的柏油才一个月就裂了。接线员：您是哪个区的？雁塔区，雁塔区。",
     {"district": "雁塔区", "road": "建设大道", "stretch": "西段"}),
    ("喂，下沟村，下沟村村西头有个养猪的往河里排粪水。接线员：哪个区县的？嗯，就是青山县。",
     {"district": "青山县", "compound": "下沟村", "side": "西侧"}),
    ("我们是红土岭村的，属于那个，属于马坊镇，村里那口机井坏了", {"street": "马坊镇", "compound": "红土岭村"}),
    # …but where the caller is from, said after the place, is not the place's district
    ("建设大道西段的路面裂了，我是雁塔区的", {"road": "建设大道", "stretch": "西段"}),
    # how often or the weather before the place is no part of its name
    ("每次下大雨丰源立交桥下面都积水一米多深", {"landmark": "丰源立交桥", "side": "下"}),
    # an operator's summary that names the problem's place after an office the caller went to
    ("来电人反映：其已向东城派出所报案，问题地点为东四九条28号门前，有人私设地桩",
     {"road": "东四九条", "number": "28", "side": "门口"}),
    # a shop's branch in brackets before a pause, or said with the chain's name again
    ("我去了好邻居便利店（解放路店），他们卖烟给学生", {"landmark": "好邻居便利店解放路店"}),
    ("去对面那个物美超市，物美雅宝店，超市门口那个台阶有个大豁口", {"landmark": "物美超市雅宝店", "side": "门口"}),
    # a stretch: its 到 said again, its ends said bare in brackets, an end at a park's gate,
    # between two points that are no roads
    ("和平大道，从那个，从红旗路口一直到，到那个胜利路口，这一整段路灯全不亮",
     {"road": "和平大道", "between": ["红旗路", "胜利路"]}),
    ("北环路中段（五金城至汽车站之间）夜间大货车违停", {"road": "北环路", "stretch": "中段", "between": ["五金城", "汽车站"]}),
    ("滨湖大道北段，从会展中心往北到湿地公园门口这一段，路面到处是裂缝",
     {"road": "滨湖大道", "stretch": "北段", "between": ["会展中心", "湿地公园"]}),
    ("就是绿城小区和那个万达广场中间那条小路，路灯全坏了", {"between": ["绿城小区", "万达广场"]}),
    # a little way off a junction or a gate, in one direction: that side of it
    ("就是人民大道跟建设路那个口 往北一百米左右 有个井盖没了", {"road": "人民大道", "cross_road": "建设路", "side": "北侧"}),
    ("那个八条幼儿园，幼儿园门口往东一点儿，有个下水道口一直往外冒水", {"landmark": "八条幼儿园", "side": "东侧"}),
    # …but not of a metro exit one comes out of
    ("朝阳门地铁站 B口 出来往东一点 有个卖煎饼的三轮车", {"landmark": "朝阳门地铁站", "exit": "B"}),
    ("鹳河大道，那个岚溪路口往枫渡大道口那段，大货车半夜按喇叭", {"road": "鹳河大道", "between": ["岚溪路", "枫渡大道"]}),
    # a road's unnamed underpass, as its unnamed footbridge: the road and 地下通道
    ("中华路地下通道里 那些卖货的大喇叭吆喝 回声嗡嗡的", {"road": "中华路", "landmark": "地下通道", "side": "内"}),
    # northern speech for a junction, and a stretch's ends said with 口儿
    ("解放大街和中华路交道口那块儿 井盖子丢了一个 黑灯瞎火的", {"road": "解放大街", "cross_road": "中华路"}),
    ("朝阳门南小街，从干面胡同口儿，到外交部街口儿，那一段儿，晚上路灯全不亮",
     {"road": "朝阳门南小街", "between": ["干面胡同", "外交部街"]}),
    # a county town's one-character street, and a numbered 马路 (沈阳's 二马路)
    ("该诊所位于双河县城关镇南街45号，门头挂的是便民推拿", {"district": "双河县", "street": "城关镇", "road": "南街", "number": "45"}),
    ("二马路跟三经街，那个拐弯儿那嘎达，有个大坑", {"road": "二马路", "cross_road": "三经街"}),
    # the riverbank's street is a road (but 沿街 alone is "along the street")
    ("来电人反映：河沿街88号前人行道的行道树树根把地砖拱起", {"road": "河沿街", "number": "88"}),
    # a gate said 东边儿那个门儿, then at it; a letter addressed to a company and a hotline
    ("海运仓小区，呃，十一号楼，十一，对，东边儿那个门儿，那门儿口的自行车棚子，顶子让风给掀了",
     {"compound": "海运仓小区", "building": "11", "gate": "东门", "side": "门口"}),
    ("尊敬的地铁运营公司及12345热线：  您好！地铁朝阳门站B口只有楼梯，没有扶梯", {"landmark": "地铁朝阳门站", "exit": "B"}),
    # where the caller lives, said 住址为, is not the place
    ("来电人住址为长青小区，反映长青路18号门前人行道上的施工围挡已设置半年", {"road": "长青路", "number": "18", "side": "门口"}),
    # the word for an exit said before which one, then outside it as one comes out
    ("地铁那个国贸站，呃，那个出口，C口，C，对，C口出来外头，有一个卖煎饼的", {"landmark": "地铁国贸站", "exit": "C", "side": "外"}),
    # a road said, then denied by name and put right (X，不是X，是Y)
    ("就是和平路，不是和平路，是和平北路，21号门口井盖没了", {"road": "和平北路", "number": "21", "side": "门口"}),
    # a village named earlier with its county and town, the problem told at it later
    ("您好。我是一名退休老教师，老家在松阳县太平镇双井村。前几天回村给老母亲过九十大寿，发现一个很危险的情况，特来信反映。"
     "  双井村村北头的那台变压器，安装在一根木头电线杆上", {"district": "松阳县", "street": "太平镇", "compound": "双井村", "side": "北侧"}),
    # a letter addressed to a county government and the hotline
    ("青衣县人民政府、12345热线：  您好！罗城镇柏树湾村村口的石桥栏杆断了", {"street": "罗城镇", "compound": "柏树湾村"}),
    # …but a bridge one drove onto has no stretch to its "middle"
    ("嗯 那个 我 开车 走到 东风大桥 桥上 发现 中间 有个 大坑", {"landmark": "东风大桥", "side": "上"}),
]

V30_ROUND = [
    # a junction whose other road starts like 路灯 (海晏北路|灯塔路口), but 路灯 itself stays a lamp
    ("海晏北路灯塔路口往观澜路那一段，一路都是泥巴", {"road": "海晏北路", "cross_road": "灯塔路"}),
    ("中山路路灯不亮了", {"road": "中山路"}),
    # the hour said before the road is not part of its name
    ("来电人反映：每晚十二点后东堤路海堤沿线有多辆改装摩托车高速来回行驶", {"road": "东堤路"}),
    # a station's forecourt (站前广场) after the station's name
    ("火车站站前广场东侧楼顶的广告牌松了", {"landmark": "火车站站前广场", "side": "东侧"}),
    # outside a gate, before a taxi (外出 is going out; 门外出租车 is not)
    ("市民来电反映：龙泉区荆阳市中心医院南门外出租车乱停乱放，占用公交车道", {"district": "龙泉区", "landmark": "荆阳市中心医院", "gate": "南门", "side": "外"}),
    # a northern junction word; a short road's 十字路口
    ("甘面胡同和南小街那个把口，晚上总有大货车停着卸货", {"road": "甘面胡同", "cross_road": "南小街"}),
    ("问题地点：环潭大道与新街十字路口", {"road": "环潭大道", "cross_road": "新街"}),
    # a formal letter's 本人于
    ("本人於沙湖區梅嶺一路88號經營一家小書店", {"district": "沙湖区", "road": "梅岭一路", "number": "88"}),
    # the operator's question for the gate, answered on the next turn
    ("来电人：你好，我们小区大门口的垃圾站臭得不行了。\n接线员：请问您是哪个小区？\n来电人：贡院小区。\n接线员：哪个门？\n来电人：北门，北门口。",
     {"compound": "贡院小区", "gate": "北门", "side": "门口"}),
    # a village said after its district and street, the operator saying all three back much later
    ("来电人：喂，你好，我是……呃，汉北区汉兴街道，那个，叫罗家嘴村，我们村西边那块，有个养鸭子的，鸭粪往渠里倒，整条渠都是绿的。\n"
     "接线员：汉北区汉兴街道罗家嘴村村西是吧？\n来电人：对对。",
     {"district": "汉北区", "street": "汉兴街道", "compound": "罗家嘴村", "side": "西侧"}),
    # the shop front between the number and its door; a market said again by another name of its kind
    ("沙湖区沙湖路，呃，三百零六号，那个门面门口，自来水管子爆了", {"district": "沙湖区", "road": "沙湖路", "number": "306", "side": "门口"}),
    ("来电人：喂，我跟你说，雅宝路市场，那个服装市场，呃，北边儿，北边儿那个停车场出口，天天堵得死死的",
     {"landmark": "雅宝路市场", "side": "北侧"}),
    # a chat's time stamps between the parts; which spelling, said between estate and building
    ("[14:02] 你好 我要投诉\n[14:02] 楚雄大道\n[14:03] 188号\n[14:03] 门口有辆僵尸车停了大半年了", {"road": "楚雄大道", "number": "188", "side": "门口"}),
    ("来电人：雅宝路公寓，带路字的那个。十二号楼。电梯又坏了", {"compound": "雅宝路公寓", "building": "12"}),
    # the village's side said after the operator asked for its town (the village said again in the question)
    ("来电人：我要反映我们村的事。\n接线员：请问是哪个村？\n来电人：石桥村。\n接线员：哪个乡镇的石桥村？\n来电人：青石乡，宜水县青石乡。\n"
     "接线员：好的，什么问题？\n来电人：村西头那个河坝垮了一截。",
     {"district": "宜水县", "street": "青石乡", "compound": "石桥村", "side": "西侧"}),
    # the exit the operator asks for, answered after a hesitation
    ("来电人：我在你们那个火车站。\n接线员：您是说北京站吗？\n来电人：对，北京站。出站那儿，有个人晕倒了。\n接线员：北京站哪个口？\n"
     "来电人：呃，我看看牌子……B口。", {"landmark": "北京站", "exit": "B"}),
    # the writer's home near the place is no side of it; what cannot be done there names nothing
    ("尊敬的12345：\n我是外交部街附近的居民。外交部街中段有一段人行道地砖被挖开后，施工方一直没有恢复", {"road": "外交部街", "stretch": "中段"}),
    ("所在区域：东安区\n问题地点：东四十条西段\n详细描述：道路两侧违停车辆多，早晚高峰公交车无法进站。",
     {"district": "东安区", "road": "东四十条", "stretch": "西段"}),
    # a lane whose name ends like a village (营), said after its district
    ("来电人反映：金沙区铁匠营胡同口有人长期占道修车，油污遍地。", {"district": "金沙区", "road": "铁匠营胡同"}),
    # a shopping centre named by its chain's word, in traditional characters
    ("江城萬象匯門口那個噴泉 水都臭了 全是綠藻", {"landmark": "江城万象汇", "side": "门口"}),
    # a district said short right before one of its streets; 们 misheard for 门 before 街道
    ("东安建国门街道最近流浪猫太多了，晚上叫得没法睡", {"district": "东安区", "street": "建国门街道"}),
    ("朝阳们街道这边的居家养老服务是怎么申请的？", {"street": "朝阳门街道"}),
    # the bus route said between the road and its stop
    ("来电人：喂，那个钢城路上，19路的钢城新村站，那个站牌子让车给撞歪了", {"road": "钢城路", "landmark": "钢城新村站"}),
    # a hospital of Chinese medicine (中 starts no name on its own)
    ("市中医院门口堵车，救护车都进不去", {"landmark": "市中医院", "side": "门口"}),
]

V31_ROUND = [
    # one character before 山区 is a district's name (萁山区), not a mountain area
    ("来电人反映：萁山区织锦路人行天桥上护栏有一段松动", {"district": "萁山区", "road": "织锦路", "landmark": "天桥", "side": "上"}),
    ("来电人反映：萁山区棹歌桥桥上栏杆松动", {"district": "萁山区", "landmark": "棹歌桥", "side": "上"}),
    # what was said or sent before the place is not part of the road's name
    ("来电人：喂，我讲湘春巷41号那个老屋，墙裂开哒", {"road": "湘春巷", "number": "41"}),
    ("来电人反映：其已在网上提交向阳路与春雨路交叉口路灯全部不亮的问题", {"road": "向阳路", "cross_road": "春雨路"}),
    ("我上个星期在网上提交过桂井新村西头垃圾点的问题", {"compound": "桂井新村", "side": "西侧"}),
    # an ethnic district said bare (瀍河 for 瀍河回族区); a district said short right before a road
    ("瀍河这边 塔湾街道 这两天停水停得莫名其妙", {"district": "瀍河回族区", "street": "塔湾街道"}),
    ("涧西长安路二十三号院门口那个垃圾站，清运车每天早上五点就来", {"district": "涧西区", "road": "长安路", "number": "23", "side": "门口"}),
    ("朝阳门内大街5号门口井盖没了", {"road": "朝阳门内大街", "number": "5", "side": "门口"}),
    ("汝阳上店镇东沟村村北那个养猪场 天天往河里排粪水", {"district": "汝阳县", "street": "上店镇", "compound": "东沟村", "side": "北侧"}),
    ("新华街道 最近停水好几次了 也没个通知", {"street": "新华街道"}),
    # an old estate's sections 甲区 / 乙区, as A区 / B区
    ("西园新村乙区4栋那根落水管子断了半截", {"compound": "西园新村乙区", "building": "4"}),
    # the named place across from or next door to the first one is the problem's
    ("发生地点：星河湾对面的星河公园西门 问题描述：星河公园西门一到周末全是小摊", {"landmark": "星河公园", "gate": "西门"}),
    ("明珠花园隔壁的工林新村院里，一棵树上挂着个大马蜂窝", {"compound": "工林新村", "side": "内"}),
    ("桃园村旁边的化工厂晚上偷偷排污 河水都变色了", {"compound": "桃园村", "side": "旁"}),
    # a district said short, a pause, then a place in it; not a city (长沙 …) nor the north of town (城北 …)
    ("涧西 辽宁路和天津路交叉口那 有个大坑", {"district": "涧西区", "road": "辽宁路", "cross_road": "天津路"}),
    ("长沙 五一大道和黄兴中路路口 红绿灯又坏了", {"road": "五一大道", "cross_road": "黄兴中路"}),
    # the house number said in answer to the operator's question for it
    ("接线员：请问是哪个位置的路灯？\n来电人：就是东四九条。\n接线员：东四九条，大概在哪个门牌附近呢？\n来电人：我看看啊……门牌是，四十……四十二号，对，四十二号门口那根杆子",
     {"road": "东四九条", "number": "42", "side": "门口"}),
    # 段 before 家 is a family's name (段家滩), not a stretch word
    ("城关区段家滩路滨河嘉园6号楼底下有个私人诊所", {"district": "城关区", "road": "段家滩路", "compound": "滨河嘉园", "building": "6", "side": "下"}),
    # a bridge's end said before under it: under the bridge (at that end)
    ("来电人反映：瀛洲大桥南头桥底下有人长期堆放废品并生火做饭", {"landmark": "瀛洲大桥", "side": "下"}),
    # where the writer lives, then another building of his estate: that building is the place
    ("我是泰和家园的业主，住在12号楼。我们小区8号楼东侧的消防通道长期被私家车占用", {"compound": "泰和家园", "building": "8", "side": "东侧"}),
    ("我住泰和家园12号楼2单元，楼道灯坏了", {"compound": "泰和家园", "building": "12", "unit": "2"}),
    # 和 starting a two-character name (和平苑, 和平路) after another name, not joining two
    ("七里河区龚家湾和平苑11号楼东侧消防通道被占", {"district": "七里河区", "compound": "龚家湾和平苑", "building": "11", "side": "东侧"}),
    ("胜利路和平安路交叉口红绿灯坏了", {"road": "胜利路", "cross_road": "平安路"}),
    # a station's exit said after pauses, a look at the sign or a correction: the last one, with its side
    ("来电人：我在朝阳门站，地铁那个朝阳门站，出站口那儿，B……不对不对，是C口，C口外头台阶上全是共享单车",
     {"landmark": "地铁朝阳门站", "exit": "C", "side": "外"}),
    ("来电人：我在这个，一号线，七里河站，对，七里河站，出口是……我看看，A口，A口那个楼梯上面的顶，往下滴水",
     {"landmark": "1号线七里河站", "exit": "A"}),
    # a road's house number said after a look at the doorplate
    ("在吗\n反映个事\n就是外交部街\n那个胡同中间\n有个院子门口 门牌我看一下\n三十一号\n门口水管子爆了",
     {"road": "外交部街", "number": "31", "side": "门口"}),
    # a bridge's side said in the next sentence, calling it 桥 again
    ("来电人：喂，你好，我说一下那个北京站东街的天桥。\n接线员：您好，请讲。\n来电人：天桥上面有人乞讨，带着小孩子",
     {"road": "北京站东街", "landmark": "天桥", "side": "上"}),
    # a road's footbridge said as "there is one" (有个天桥, 有个过街的天桥), then under it
    ("我跟你说，贡院东街，有个过街的天桥，天桥下边，有个大坑", {"road": "贡院东街", "landmark": "天桥", "side": "下"}),
    ("建国门北大街有个天桥你知道吧？\n接线员：您好，您请讲。\n来电人：那个天桥底下，晚上有好几个人在那儿睡觉",
     {"road": "建国门北大街", "landmark": "天桥", "side": "下"}),
    # the unnamed building at the number, before its side
    ("朝阳门北大街8号 那个写字楼门口 每天中午外卖电动车停满人行道", {"road": "朝阳门北大街", "number": "8", "side": "门口"}),
    # the landmark's road said after it with its kind (就是福利东路上最大那家超市)
    ("宏运超市门口，就是福利东路上最大那家超市，店员每天早上往门口泼拖地水",
     {"road": "福利东路", "landmark": "宏运超市", "side": "门口"}),
    # a short road (新街) as a junction's partner
    ("老城 中州东路跟新街交叉口那个地下通道 灯全黑了", {"district": "老城区", "road": "中州东路", "cross_road": "新街"}),
    # a form's region fields on lines of their own, and a numbered lane ending its field
    # a college named after its city keeps the city; a school's pupils (一中学生) are no school 一中学
    ("来电人反映：洛阳师范学院东门外每晚有大量流动摊贩聚集", {"landmark": "洛阳师范学院", "gate": "东门", "side": "外"}),
    ("所在区域：东安区\n所属街道：东单街道\n问题地点：东四十条\n问题描述：私搭乱建",
     {"district": "东安区", "street": "东单街道", "road": "东四十条"}),
    ("问题分类：市容环境\n所在区域：东安区\n所属街道：东单街道\n问题地点：\n问题描述：东单街道各条胡同里私搭乱建的棚子越来越多",
     {"district": "东安区", "street": "东单街道"}),
    # where the caller was going to fetch someone is not the problem's place
    ("来电人：喂，你好，我刚才开车要去龙门高铁站接人…… 接线员：您好，请讲。 来电人：龙门大道跟古城路那个十字路口，信号灯全灭了",
     {"road": "龙门大道", "cross_road": "古城路"}),
]

V32_ROUND = [
    # a county-level city said short, as a district said short is (but 栖霞 is still 栖霞区)
    ("龙口北马镇，南山后村，村南头，有人往沟里倒死鸡", {"district": "龙口市", "street": "北马镇", "compound": "南山后村", "side": "南侧"}),
    ("莱州 人民公园 里边 的 健身器材 坏了好几个", {"district": "莱州市", "landmark": "人民公园", "side": "内"}),
    # … and after a comma, before a road or a street of it
    ("来电人：莱山，观海路那个逛荡河桥，桥上边那个护栏，断了一截儿", {"district": "莱山区", "road": "观海路", "landmark": "逛荡河桥", "side": "上"}),
    ("来电人：龙口，东莱街道那边，这几天自来水发黄", {"district": "龙口市", "street": "东莱街道"}),
    # a pause between a district said short and a road that would take it in (芝罘 南大街, not 芝罘南大街)
    ("芝罘 南大街 中段 路灯一闪一闪的", {"district": "芝罘区", "road": "南大街", "stretch": "中段"}),
    # a river named after a village, and its bridge; a bridge's end is its side
    ("海阳市东村河大桥南端的路灯杆被车撞倒已有一周", {"district": "海阳市", "landmark": "东村河大桥", "side": "南侧"}),
    ("来电人反映：朝阳门北大街天桥南端台阶积雪结冰未清扫", {"road": "朝阳门北大街", "landmark": "天桥", "side": "南侧"}),
    # a coach station or a transport hub has exits too, named by their direction; the city is part of its name
    ("来电人反映：芜湖汽车客运中心东出口有黑车拉客。", {"landmark": "芜湖汽车客运中心", "exit": "东"}),
    ("烟台汽车西站 东出口 垃圾箱全满了 苍蝇满天飞", {"landmark": "烟台汽车西站", "exit": "东"}),
    # a village's name, then an estate suffix with one character: one estate (方村佳园)
    ("来电人反映：方村佳园3栋东边电杆上掉下来一根线", {"compound": "方村佳园", "building": "3", "side": "东侧"}),
    # a town the table knows is not read across a pause (补充一下 花桥镇, not 下花桥镇); 每晚 starts no name
    ("補充一下 花橋鎮 镇上的路灯全不亮", {"street": "花桥镇"}),
    ("来电人反映每晚马塘文化广场传来的音乐声太大", {"landmark": "马塘文化广场"}),
    # a road named by its direction (北马路), as a numbered one (二马路), is no 马路
    ("来电人反映：芝罘区北马路88号海港副食商店门口共享单车乱停乱放", {"district": "芝罘区", "road": "北马路", "number": "88", "side": "门口"}),
    # the district, then the street in answer to the operator's question, then the road: all the place's
    ("来电人：芝罘区。\n接线员：芝罘区哪个街道？\n来电人：毓璜顶街道。\n接线员：哪条路？\n来电人：青年南路。\n接线员：多少号？\n来电人：青年南路一百零八号，一零八，那个楼前头的井盖子翘起来了。",
     {"district": "芝罘区", "street": "毓璜顶街道", "road": "青年南路", "number": "108"}),
    # a form's bracketed labels all on one line (【问题描述】…【详细地址】…【所在区域】…【联系地址】…)
    ("【问题描述】楼下饭馆油烟太大【详细地址】东四十条 52号【所在区域】东安区 东四街道【联系地址】同上",
     {"district": "东安区", "street": "东四街道", "road": "东四十条", "number": "52"}),
    ("【所在区域】开发区【问题地点】长江路 天桥下【问题描述】天桥下有人搭窝棚住人【联系地址】开发区古现街道",
     {"district": "开发区", "road": "长江路", "landmark": "天桥", "side": "下"}),
    # an exit the caller is not sure of (B口还是C口), then the one he settles on
    ("来电人：东四十条站，那个，B口还是C口……C口，对，是C口，出口那儿有人发小广告", {"landmark": "东四十条站", "exit": "C"}),
    # an operator's note that the caller first named another road, then this one: the place as said first
    ("来电人反映：东四六条68号门前有废弃车辆长期占道（来电人先称东四七条，后更正为东四六条）。", {"road": "东四六条", "number": "68", "side": "门口"}),
    # the house number after the caller asks himself for it (多少号 我看看), said again with where at it
    ("福山区 那个 福海路\n福海路 多少号 我看看\n202号\n202号旁边 有个 广告牌 倒了", {"district": "福山区", "road": "福海路", "number": "202", "side": "旁"}),
    # a name denied by its kind (不是街道), the one meant said next
    ("来电人：招远，温泉……\n接线员：温泉街道？\n来电人：不是街道，温泉路，温泉路中段，那个道两边的树叫人砍了好几棵。",
     {"road": "温泉路", "stretch": "中段"}),
    # the station the rider got off at (从朝阳门站坐到建国门站), not the one he came from …
    ("我每天从朝阳门站坐到建国门站 建国门站B口出来那段路的地砖全碎了", {"landmark": "建国门站", "exit": "B"}),
    # … and the road named next to an estate said with its road (工林路明珠花园隔壁的工林新村)
    ("工林路明珠花園隔壁的工林新村院裡，一棵樹上掛著個大馬蜂窩", {"compound": "工林新村", "side": "内"}),
    # a road north of the first one, with its number, is the place
    ("东堂子胡同北边的遂安伯胡同11号，去年起开了一家汽车修理铺", {"road": "遂安伯胡同", "number": "11"}),
    # a junction said by its traffic lights (红绿灯路口: no road 红绿灯路); a scenic area is a landmark
    ("牟平 宁海大街跟通海路那个红绿灯路口 最近天天有人在那儿发传单", {"district": "牟平区", "road": "宁海大街", "cross_road": "通海路"}),
    ("问题地点：蓬莱阁景区 东门 外\n问题描述：门外一群人拉客", {"landmark": "蓬莱阁景区", "gate": "东门", "side": "外"}),
    # a word of names with a character that otherwise ends the text before a name (自由, 为民)
    ("科学路和自由路口东边路上大坑", {"road": "科学路", "cross_road": "自由路", "side": "东侧"}),
    ("问题地点：青山区 自由家园小区 北门", {"district": "青山区", "compound": "自由家园小区", "gate": "北门"}),
    # a bus rapid transit stop keeps its BRT; an airport is a landmark with exits; a hospital's or a
    # university's campus is part of its name; a house number with 甲 is another house
    ("来电人反映：西陵区BRT夷陵广场站B出口旁边的护栏被撞断", {"district": "西陵区", "landmark": "BRT夷陵广场站", "exit": "B", "side": "旁"}),
    ("三峽機場 3號出口 外面 黑車排長隊", {"landmark": "三峡机场", "exit": "3", "side": "外"}),
    ("宜昌市中心医院西陵院区门口 黄牛加黑车", {"landmark": "宜昌市中心医院西陵院区", "side": "门口"}),
    ("你好 朝阳门北小街甲3号门口堆了一大堆建筑垃圾", {"road": "朝阳门北小街", "number": "甲3", "side": "门口"}),
    # a form that asks for the road and the house number, or the estate and where at it, in fields of their
    # own, on one line; its county label (区县, 所属区县) is no district
    ("标题：井盖缺失 | 所属区县：东安区 | 所属街道：东单街道 | 路名：西总布胡同 | 门牌号：23号 | 问题描述：井盖不见了",
     {"district": "东安区", "street": "东单街道", "road": "西总布胡同", "number": "23"}),
    ("【问题类型】路面破损【区县】东安区【路名】东四南大街【具体位置】南段【问题描述】南段公交站附近路面裂了好几条大缝",
     {"district": "东安区", "road": "东四南大街", "stretch": "南段"}),
    ("标题：流浪狗太多 | 区县：博望区 | 街道：博望镇 | 详细地址： | 问题描述：镇上最近流浪狗特别多", {"district": "博望区", "street": "博望镇"}),
]

V33_ROUND = [
    # the county label's 区县 is no district of its own, whatever follows it (a county of two
    # characters, a label without a colon)
    ("标题：频繁停电\n所属区县：和县\n乡镇：历阳镇\n详细地址：\n问题描述：这个月镇上已经停了四次电", {"district": "和县", "street": "历阳镇"}),
    ("标题 废品堆放 区县 东安区 路名 东堂子胡同 门牌号 三十一号 问题描述 三十一号门口收废品的把纸壳子堆在胡同里",
     {"district": "东安区", "road": "东堂子胡同", "number": "31"}),
    # a form as a table's rows; its address parts without colons; the place field saying 同上 after the
    # writer's own address (which is then the place); parts on one line; an estate named without a
    # suffix after the road and number; a building left to the description (楼栋：见描述)
    ("| 项目 | 内容 |\n|---|---|\n| 标题 | 楼道堆物 |\n| 区县 | 东安区 |\n| 街道 | 建国门街道 |\n| 小区名称 | 苏州园小区 |\n"
     "| 楼栋 | 7号楼 |\n| 单元 | 二单元 |\n| 问题描述 | 楼道里堆满了纸箱 |",
     {"district": "东安区", "street": "建国门街道", "compound": "苏州园小区", "building": "7", "unit": "2"}),
    ("区县 东安区\n街道 东四街道\n路名 东四八条\n门牌号 52号\n问题描述 饭馆把桌椅摆到胡同里",
     {"district": "东安区", "street": "东四街道", "road": "东四八条", "number": "52"}),
    ("联系人：邵女士\n联系地址：花山区湖东二村15栋\n事发地点：同上\n问题描述：楼顶防水层坏了，顶楼几户下雨就漏。",
     {"district": "花山区", "compound": "湖东二村", "building": "15"}),
    ("问题类型：电梯故障 小区名称：城市之光 楼栋：A栋 单元：1 问题描述：电梯停了一部快一个月 所在区域：花山区",
     {"district": "花山区", "compound": "城市之光", "building": "A", "unit": "1"}),
    ("所在区域：雨山区\n路名：天门大道\n门牌号：1888号\n小区名称：天门湖畔\n楼栋：5\n单元：2\n问题描述：垃圾桶一周才清一次",
     {"district": "雨山区", "road": "天门大道", "number": "1888", "compound": "天门湖畔", "building": "5", "unit": "2"}),
    ("小区名称：阳光嘉苑\n楼栋：见描述\n单元：见描述\n所在区域：博望区\n问题描述：8号楼2单元电梯这个月坏了三次",
     {"district": "博望区", "compound": "阳光嘉苑", "building": "8", "unit": "2"}),
    # a county-level city or a county said short before a road is its district (as a district is:
    # 涧西长安路); a named place right after a village is in it (not 村口小卖部: the village's own spot)
    ("石狮霞岭路12号边上有管道向小河直排污水", {"district": "石狮市", "road": "霞岭路", "number": "12", "side": "旁"}),
    ("德化窑前路瓷厂街口那个山坡又在掉石头了", {"district": "德化县", "road": "窑前路", "cross_road": "瓷厂街"}),
    ("【地點】晉江市池店鎮仕林村仕林小學後門\n【描述】後門外水溝沒有蓋板",
     {"district": "晋江市", "street": "池店镇", "compound": "仕林村", "landmark": "仕林小学", "gate": "后门"}),
    ("来电人反映：石狮市宝盖镇塘边村塘边大桥桥下有人倾倒生活垃圾。",
     {"district": "石狮市", "street": "宝盖镇", "compound": "塘边村", "landmark": "塘边大桥", "side": "下"}),
    ("来电人反映：安平县双河镇杜家湾村村口小卖部长期向未成年人售卖烟酒", {"district": "安平县", "street": "双河镇", "compound": "杜家湾村"}),
    # a transcript told in pieces: the road given in answer, then the spot on it given in answer to the
    # operator's question for where on it (the road said back by both); a space between a name and its
    # kind (中石油 加油站) is no pause; a lone character said again after a comma (荣 荣新路) is a stutter
    ("接线员：您好，12345。\n来电人：喂，我 要 反映 一个 排水 的 问题\n接线员：请问在哪里？\n来电人：鱼峰区\n"
     "接线员：鱼峰区哪个街道或者哪条路？\n来电人：荣军 街道，荣 荣新路\n接线员：荣新路哪个位置？\n"
     "来电人：荣新路 那个 …… 有 个 加油站，中石油 加油站，旁边 那个 排水沟 全 堵 了",
     {"district": "鱼峰区", "street": "荣军街道", "road": "荣新路", "landmark": "中石油加油站", "side": "旁"}),
    ("接线员：您好，12345。\n来电人：我 要 投诉 施工 扰民。\n接线员：哪个区？\n来电人：东安区。\n接线员：具体位置？\n"
     "来电人：金宝街。\n接线员：金宝街哪个位置？\n来电人：金宝街 购物 中心 北边儿，北边儿 那个 工地。",
     {"district": "东安区", "road": "金宝街", "landmark": "金宝街购物中心", "side": "北侧"}),
    ("东安区\n建国门这边\n小雅宝胡同\n小雅宝公交站\n站牌 被 撞 歪 了", {"district": "东安区", "road": "小雅宝胡同", "landmark": "小雅宝公交站"}),
    # where the caller comes from is no part of the name; a landmark's road said after it with 就在 …上;
    # a road's numbered lane; a place field saying only 路边 names no estate
    ("我老家三江县 良口乡 平寨村 村子 西头那条排水沟 堵了", {"district": "三江县", "street": "良口乡", "compound": "平寨村", "side": "西侧"}),
    ("12345你好\n鱼峰区那个阿婆螺蛳粉总店，就在桂柳二路上，门口天天把潲水往下水道倒",
     {"district": "鱼峰区", "road": "桂柳二路", "landmark": "阿婆螺蛳粉总店", "side": "门口"}),
    ("柳南区鹅峰路二巷15号门前的下水道盖板缺失", {"district": "柳南区", "road": "鹅峰路二巷", "number": "15", "side": "门口"}),
    # a form's content saying the house number again with where at it (院门口, 院里, 对面), or the building
    # with 楼下; not the shop below a number, nor a way off its door
    ("标题：井盖缺失\n所属区县：东安区\n路名：西总布胡同\n门牌号：23号\n问题描述：23号院门口的污水井盖不见了",
     {"district": "东安区", "road": "西总布胡同", "number": "23", "side": "门口"}),
    ("区县：东安区\n路名：船板胡同\n门牌号：8号院\n问题描述：8号院里有户人家把公共过道封起来盖了个小房",
     {"district": "东安区", "road": "船板胡同", "number": "8", "side": "内"}),
    ("问题类型：树木遮挡\n小区名称：南竹杆小区\n楼栋：6号楼\n问题描述：6号楼楼下的大树枝把路灯全挡住了",
     {"compound": "南竹杆小区", "building": "6", "side": "下"}),
    ("所属区县：当涂县\n乡镇：姑孰镇\n路名：黄山路\n门牌号：210号\n问题描述：210号楼下的麻将馆每天通宵营业",
     {"district": "当涂县", "street": "姑孰镇", "road": "黄山路", "number": "210"}),
    ("标题：路灯不亮\n问题地点：大雅宝胡同\n详细地址：大雅宝胡同16号\n问题描述：16号门口往东的两盏路灯已经坏了十多天",
     {"road": "大雅宝胡同", "number": "16"}),
    # a numbered lane with its stretch said next; a stretch's ends said as the roads' ends (那头);
    # house numbers in formal numerals, 廿, or spaced before 号
    ("東四八條 從東四南大街到朝陽門北小街那一段 全是亂停的車", {"road": "东四八条", "between": ["东四南大街", "朝阳门北小街"]}),
    ("贡院东街从建国门内大街那头到北京站东街那头 那一截 全是坑", {"road": "贡院东街", "between": ["建国门内大街", "北京站东街"]}),
    ("举报：本司胡同廿号院有人私搭乱建", {"road": "本司胡同", "number": "20"}),
    ("滏河北大街叁拾陆号 路面塌陷一个大坑", {"road": "滏河北大街", "number": "36"}),
    ("农林路 两百零八 号门口 有块广告牌摇摇欲坠", {"road": "农林路", "number": "208", "side": "门口"}),
    # junction words (交汇那个十字路口, 岔路口) and a way off the junction said as 那块
    ("东单北大街和金宝街交汇那个十字路口 早高峰天天堵死", {"road": "东单北大街", "cross_road": "金宝街"}),
    ("小雅宝胡同和大雅宝胡同的那个岔路口 有个大坑", {"road": "小雅宝胡同", "cross_road": "大雅宝胡同"}),
    ("朝阳路和北仓路口往北那块 路边停了一溜大货车", {"road": "朝阳路", "cross_road": "北仓路", "side": "北侧"}),
    # a form's place asked for in parts of other kinds: a junction's roads, a stretch's ends, a station and
    # its exit, a bridge; the district labelled 所属区
    ("道路1：皂果路\n道路2：朗州路\n位置描述：路口西北角公交站台\n问题描述：站台顶棚破损漏雨。", {"road": "皂果路", "cross_road": "朗州路"}),
    ("路口名称：东单北大街×东堂子胡同\n问题描述：路口积水，雨后三天不退。", {"road": "东单北大街", "cross_road": "东堂子胡同"}),
    ("所在道路：建国门内大街\n起止位置：北京站东街路口至东单北大街路口\n问题描述：绿化带内垃圾很多。",
     {"road": "建国门内大街", "between": ["北京站东街", "东单北大街"]}),
    ("站点：建国门地铁站\n出口：H 出口\n描述：出口处盲道被共享单车占满。", {"landmark": "建国门地铁站", "exit": "H"}),
    ("所在区县：鼎城区\n桥梁名称：乾明桥\n位置：桥下\n问题描述：桥下涵洞堵塞", {"district": "鼎城区", "landmark": "干明桥", "side": "下"}),
    ("所属区：东安区\n详细地址：朝阳门北大街 8 号\n问题描述：门前人行道被饭店外摆桌椅占用。", {"district": "东安区", "road": "朝阳门北大街", "number": "8"}),
    # a district, then a name that starts like a kind (站前街, 桥南市场); a metro said without 站 before its exit
    ("来电人反映：肥乡区站前街与育才路十字路口东北角有商户私设地桩", {"district": "肥乡区", "road": "站前街", "cross_road": "育才路"}),
    ("来电人反映：鼎城区桥南市场内多家商户占用消防通道堆放货物", {"district": "鼎城区", "landmark": "桥南市场", "side": "内"}),
    ("朝阳门地铁C出口旁边 共享单车堆得像山一样", {"landmark": "朝阳门地铁站", "exit": "C", "side": "旁"}),
    # 一栋老房子 is a count, not building 1; a footbridge's 顶上 is on it
    ("来电人反映：津市市襄阳街56号旁边一栋老房子屋檐瓦片松动", {"district": "津市市", "road": "襄阳街", "number": "56", "side": "旁"}),
    ("东单北大街那个天桥 顶上的玻璃棚碎了一块", {"road": "东单北大街", "landmark": "天桥", "side": "上"}),
    # a junction's second road whose name holds a character that ends text before names elsewhere (问)
    ("来电人反映：长虹西大道与鹤问路交叉口中间隔离护栏被撞断了一截。", {"road": "长虹西大道", "cross_road": "鹤问路"}),
    # a town named X街镇; a community named after its street before a road of it; a living quarter is no district
    ("来电人反映：柴桑区沙河街镇桃园小区自前天起停水", {"district": "柴桑区", "street": "沙河街镇", "compound": "桃园小区"}),
    ("来电人反映：浔阳区三里街社区湓浦路与塔岭路交叉口西北角一根路灯杆漏电。", {"district": "浔阳区", "road": "湓浦路", "cross_road": "塔岭路"}),
    # the operator's questions one after another, the last asking which side (门口还是院里)
    ("接线员：东四哪条胡同呢？\n来电人：东四 七条\n接线员：有门牌号吗？\n来电人：呃 我看看啊 七十 七十六号\n"
     "接线员：是在门口还是院里？\n来电人：院里头 院里头", {"road": "东四七条", "number": "76", "side": "内"}),
    # the street given in answer to a question that names no division (县城里吗？), the district said back in
    # the operator's question for the road (城中区哪条路？); the operator's 附近有没有 is no side
    ("来电人：那个 我 反映 一个 坑 路中间 一个大坑\n接线员：在什么位置？\n来电人：汉寿 汉寿县\n接线员：县城里吗？\n"
     "来电人：县城 龙阳 龙阳街道\n接线员：哪条路？\n来电人：就 那个 银珠路 银珠路上 门牌 好像 是 三 三十几 三十八号 门口",
     {"district": "汉寿县", "street": "龙阳街道", "road": "银珠路", "number": "38", "side": "门口"}),
    ("接线员：在什么地方呢？\n来电人：柳州 那个 城中区\n接线员：城中区哪条路？\n来电人：就 文 文庙路 你晓得嘛，文庙路 那个 中段\n"
     "接线员：文庙路中段，附近有没有什么标志？\n来电人：不知道 没注意", {"district": "城中区", "road": "文庙路", "stretch": "中段"}),
    # the county and the town given one question at a time before the village
    ("接线员：您在哪个区县？\n来电人：我 在 武陵区 上班 但是 这个事 是在 我老家 安乡县\n接线员：安乡县哪个镇？\n来电人：大湖口镇\n"
     "接线员：哪个村？\n来电人：出口洲 出口洲村 村东头 那条 河", {"district": "安乡县", "street": "大湖口镇", "compound": "出口洲村", "side": "东侧"}),
    ("接线员：在什么地方？\n来电人：柳江区 那边\n接线员：柳江区哪个镇？\n来电人：进德镇\n接线员：进德镇哪个村或者哪条路？\n"
     "来电人：是 …… 那个 …… 三合村，三合村 南头，那个 厂 就 在 河边",
     {"district": "柳江区", "street": "进德镇", "compound": "三合村", "side": "南侧"}),
    # an estate's road given in answer to the operator's question for it
    ("接线员：什么小区？\n来电人：苏州 苏州园 苏州园小区\n接线员：在哪条路上？\n来电人：苏州胡同 那个 就是 苏州胡同\n接线员：好的。",
     {"road": "苏州胡同", "compound": "苏州园小区"}),
    # a street office named after its road, alone in its field; a region field labelled 乡镇/街道
    ("所在区域：丛台区\n所属街道：联纺路街道\n问题描述：街道内快递柜太少，快递都堆在地上", {"district": "丛台区", "street": "联纺路街道"}),
    ("所在区域：峰峰矿区\n乡镇/街道：彭城镇\n发生地点：陶瓷大市场门口\n问题描述：运货大车占道",
     {"district": "峰峰矿区", "street": "彭城镇", "landmark": "陶瓷大市场", "side": "门口"}),
    # a place field naming only the county and town, then a finer field naming the spot in them
    ("问题发生地点：常德市桃源县牛车河镇\n具体地点：杨溪峪村村委会门口\n问题描述：村委会门口的公路护栏被撞断。",
     {"district": "桃源县", "street": "牛车河镇", "compound": "杨溪峪村", "landmark": "村委会", "side": "门口"}),
    # a lane, then its estate named after its end (东四十条十条家园): no stutter
    ("来电人反映：东安区东四十条十条家园6号楼1单元楼道内堆放大量杂物",
     {"district": "东安区", "road": "东四十条", "compound": "十条家园", "building": "6", "unit": "1", "side": "内"}),
    ("东四九条那个九条家园，6号楼南边儿那块空地上有人堆了好多废家具", {"road": "东四九条", "compound": "九条家园", "building": "6", "side": "南侧"}),
    # a road said with the junction it is near (靠…口); not its stretch near another road (靠…那段)
    ("跃进路靠太行大街口有个坑", {"road": "跃进路", "cross_road": "太行大街"}),
    ("玉蘭路靠井岡路那段路邊，有幾個人拿個本子收停車費", {"road": "玉兰路"}),
]

LATER_ROUNDS = V24_ROUND + V25_ROUND + V26_ROUND + V27_ROUND + V28_ROUND + V29_ROUND + V30_ROUND + V31_ROUND + V32_ROUND + V33_ROUND



@pytest.mark.parametrize("text, expected", LATER_ROUNDS, ids=[t for t, _ in LATER_ROUNDS])
def test_the_later_rounds_readings(text, expected):
    check(text, expected)


V25_NO_PLACE = [
    "石化生活区老大门口那棵树上的马蜂窝越来越大了",
    # words that name nothing: the operator passing the call on, a county town said as 县城里, a label after 地址
    "接线员：您是对电费有疑问是吧，我帮您转供电公司。",
    "接线员：请您说一下具体地址。\n来电人：哎呀 我手机快没电了 回头再说",
    # a place field saying only where in general (路边) names no estate
    "问题描述：路边有个坑\n发生地点：路边\n详细地址：就在我上班路上",
    # a form whose only address is the writer's own
    "标题：咨询\n问题地点：\n详细地址：\n问题描述：请问居住证怎么办理\n联系地址：城东区翠竹路8号",
    "标题：投诉客服｜问题地点：无｜详细地址：无｜问题描述：供暖公司电话打不通｜联系地址：东安区鲤鱼胡同小区4号楼",
    # a letter whose only address is in its signature
    "主题：物业擅自涨价\n\n您好：\n我们小区物业费要从一块八涨到两块六，请问物业有权单方面涨价吗？\n\n业主 申先生\n住址：紫荆花园7栋\n电话：136****5528",
]


V26_NO_PLACE = [
    # an office or company asked to act, or how many places, is no place
    "来电人反映某快递公司派件员态度恶劣，包裹多次被随意放置后丢失，要求约谈快递公司。来电人拒绝提供住址。",
    "主题：对供暖公司服务态度的投诉\n\n今年入冬以来家里暖气一直不热。\n\n恳请督促供暖公司尽快解决。",
    "市民来电反映，近期本市多处小区存在电动车进楼道充电现象，建议相关部门加强检查。",
]


V29_NO_PLACE = [
    # 知道 is no road, nor where a parcel is left a place
    "有人知道12345晚上几点下班吗 打了半天没人接",
    "标题：投诉 问题地点：（未填写） 详细描述：快递员从来不送上门，每次都放驿站，还不打电话通知。",
    # an empty address field before 详细描述; a company just named; a comparison with the market
    "标题：咨询高龄津贴 问题地点： 详细描述：请问高龄津贴是按周岁还是虚岁算？",
    "来电人反映：其去年与某装修公司签订合同并预付工程款五万元，现该公司人去楼空，电话无人接听。",
    "来电人反映：有人上门推销燃气报警器，价格远高于市场价，来电人怀疑系冒充。",
]


V30_NO_PLACE = ["市民来电反映：其通过手机银行转账被骗2万元，已报警，咨询后续追款途径。", "我们街道这边垃圾好几天没人收了",
                "来电人：哎，老妹儿，我问问啊，今年这暖气费是多少钱一平？\n接线员：大爷，您是哪个供热公司供暖的？",
                "偏远山区道路坑坑洼洼，啥时候能修", "我们这个大山区的路一下雨就没法走"]

V31_NO_PLACE = [
    # an operator's either-or question; a kind of office every neighbourhood has
    "来电人：就我家附近，具体我也说不上来。\n接线员：您能说一下小区名或者路名吗？\n来电人：这个……我不想说。",
    "来电人：我要投诉社区的工作人员，态度太差了！\n接线员：请问是哪个社区居委会呢？\n来电人：我也不知道叫啥名。",
    "有没有人知道 咱这附近哪能打流感疫苗😂 社区医院说没货了",
    "路面出现一条 裂缝 好长",
    "压缩车出来还一路滴黑水，满街都是味儿",
]

V32_NO_PLACE = [
    # how many, not which (很多老小区); the operator's question for the place (哪个位置比较严重)
    "现在电动车越来越多，很多老小区没有充电桩，只能飞线充电，很危险",
    "接线员：具体是哪个位置比较严重？\n来电人：到处都是，不是哪一个地方。",
    # an estate's eastern section (南瑞新城东区) is no district 城东区
    "来电人反映：南瑞新城东区多栋楼今天上午起水压很低",
]


@pytest.mark.parametrize("text", V24_NO_PLACE + V25_NO_PLACE + V26_NO_PLACE + V29_NO_PLACE + V30_NO_PLACE + V31_NO_PLACE + V32_NO_PLACE)
def test_words_of_the_later_rounds_that_name_no_place(text):
    assert extract_place(text) is None


def test_a_junction_read_from_a_fields_two_roads_keeps_the_citizens_words():
    assert extract_place("标题：路灯不亮\n地点：湖光路/泰安路\n内容：路灯全不亮").text == "湖光路/泰安路"


# -- the place the operator read back and the caller confirmed ---------------------------------

READ_BACKS = [
    # a caller who corrects himself mid-name: the read-back is the corrected place
    ("接线员：您好，12345。\n来电人：我们是东风小区……西风，西风小区，瞧我这记性。5栋1单元门口那个井盖响。\n"
     "接线员：西风小区5栋1单元门口，对吧？\n来电人：对对。",
     {"compound": "西风小区", "building": "5", "unit": "1", "side": "门口"}),
    # a misheard road put right by the operator
    ("接线员：您好。\n来电人：喂 我说 那个 五陵路 跟 桃源路 路口 红绿灯 不亮\n接线员：武陵路和桃源路路口是吧？\n来电人：是的",
     {"road": "武陵路", "cross_road": "桃源路"}),
    # the operator leaves out the district the caller gave: it stays
    ("接线员：您好。\n来电人：俺是城南区那个 光华路 三十二号 门口 污水冒出来了\n接线员：光华路32号门口是吗？\n来电人：嗯 对",
     {"district": "城南区", "road": "光华路", "number": "32", "side": "门口"}),
    # the operator says a long name short: the caller's full name is written down
    ("接线员：您好。\n来电人：我在 地铁3号线 青河路站 b口 这边 电梯坏了\n接线员：青河路站B口，对吗？\n来电人：对",
     {"landmark": "地铁3号线青河路站", "exit": "B"}),
    # a read-back the caller denies is not the place
    ("接线员：您好。\n来电人：光华路32号门口井盖没了\n接线员：光华路23号是吧？\n来电人：不是不是，三十二号，门口",
     {"road": "光华路", "number": "32", "side": "门口"}),
]


@pytest.mark.parametrize("text, expected", READ_BACKS, ids=[t[-30:] for t, _ in READ_BACKS])
def test_the_place_the_operator_read_back_and_the_caller_confirmed(text, expected):
    check(text, expected)


def test_a_district_said_short_in_answer_to_the_operator():
    check("接线员：您好。\n来电人：有棵树倒了\n接线员：请问哪个区？\n来电人：坡头\n接线员：哪条路？几号？\n来电人：海景路 七号\n"
          "接线员：门口还是里面？\n来电人：门口", {"district": "坡头区", "road": "海景路", "number": "7", "side": "门口"})
    # (an answer that is no district's short name is not one)
    check("接线员：请问哪个区？\n来电人：不知道\n接线员：哪条路？\n来电人：海景路 七号", {"road": "海景路", "number": "7"})


@pytest.mark.parametrize("text, expected", [
    # a tram's station: 有 starts the name here (有轨电车), it is no "there is"
    ("有轨电车体育馆站2号出入口闸机坏了", {"landmark": "有轨电车体育馆站", "exit": "2"}),
    # a road's unnamed underpass is written 地下通道 however its crossing is said
    ("建国门北大街过街地下通道里灯不亮", {"road": "建国门北大街", "landmark": "地下通道", "side": "内"}),
    ("朝阳路人行地下通道里有人睡觉", {"road": "朝阳路", "landmark": "地下通道", "side": "内"}),
    ("黄河北路过街地下通道里灯坏了", {"road": "黄河北路", "landmark": "地下通道", "side": "内"}),  # (北路过街 is no 路过)
])
def test_tram_stations_and_underpasses(text, expected):
    check(text, expected)


def test_the_callers_answers_to_the_operators_questions_fill_in_the_place():
    check("接线员：您好，12345。\n来电人：您好，人行道砖都翘起来了，我母亲刚才绊倒了。\n接线员：您母亲没事吧？在哪儿呢？\n"
          "来电人：没大事儿。在 在那个 青竹胡同。\n接线员：哪个区的青竹胡同？\n来电人：城西区呀。\n接线员：青竹胡同多少号？\n"
          "来电人：号不知道，就青竹胡同小区那儿，小区 东门外头。",
          {"district": "城西区", "road": "青竹胡同", "compound": "青竹胡同小区", "gate": "东门", "side": "外"})


@pytest.mark.parametrize("text, expected", [
    ("霞山区人民大道南56号门口的人行道地砖松动", {"district": "霞山区", "road": "人民大道南", "number": "56", "side": "门口"}),
    ("人民大道南侧地砖松动", {"road": "人民大道", "side": "南侧"}),  # a side, not the avenue's half
    ("人民大道南段坑洼", {"road": "人民大道", "stretch": "南段"}),
])
def test_an_avenues_named_half(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    ("领导好：本人家住天元区，每天开车到芦淞区上班。芦淞区车站路与建设南路交叉路口的左转信号灯时长太短",
     {"district": "芦淞区", "road": "车站路", "cross_road": "建设南路"}),
    ("您好！我在天元区工作，每天步行经过神农大道过街天桥。天桥的两部电梯已经停用两个多月了",
     {"road": "神农大道", "landmark": "天桥"}),
    # the area the writer lives in, with nothing of its own named after it, is the place
    ("您好，我是朝阳门街道的居民，最近街道辖区内的几处公共绿地都被改成了停车场", {"street": "朝阳门街道"}),
])
def test_where_the_writer_lives_or_works_as_a_district_alone(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    ("淮阴区码头镇新庄村有根电线杆子歪了", {"district": "淮阴区", "street": "码头镇", "compound": "新庄村"}),
    ("淮阴区承德北路与长江西路交会处井盖破损", {"district": "淮阴区", "road": "承德北路", "cross_road": "长江西路"}),
])
def test_a_district_glued_to_its_town_and_a_junction_said_交会处(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text", ["我刚才开车路过一个路口 那个红绿灯 好像坏了", "其上班途经的一处路段井盖缺失",
                                  "来电人情绪激动，未说明小区名称即挂断电话", "来电人不清楚路名和工地名称",
                                  "商户把污水直接泼到马路上，结冰后路滑"])
def test_passing_by_a_stretch_and_a_slippery_road_name_no_road(text):
    assert place_of(text) == {}


def test_answers_for_a_junctions_other_road_a_bare_house_number_and_a_confirmed_name():
    check("接线员：您好。\n来电人：有个路口红绿灯歪了\n接线员：请问是哪个区？\n来电人：城西区\n接线员：哪条路？\n"
          "来电人：光明大街\n接线员：跟哪条路交叉的路口？\n来电人：跟 那个 青年路 就那个丁字路口",
          {"district": "城西区", "road": "光明大街", "cross_road": "青年路"})
    check("接线员：您好。\n来电人：我们院里的化粪池漫了\n接线员：哪条胡同？\n来电人：光明石条\n接线员：光明十条是吗？\n"
          "来电人：对对 光明十条\n接线员：多少号？\n来电人：四十一\n接线员：在院里？\n来电人：对 院里",
          {"road": "光明十条", "number": "41", "side": "内"})


@pytest.mark.parametrize("text, expected", [
    ("湛江一中门口 一到放学 好多摩托车停在路上", {"landmark": "湛江一中", "side": "门口"}),
    ("株洲二中北门外边有人卖零食", {"landmark": "株洲二中", "gate": "北门", "side": "外"}),
])
def test_a_school_said_short_with_its_city(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    ("您好！我是青竹小区的住户。本小区6号楼2单元门口的雨棚被风吹裂了", {"compound": "青竹小区", "building": "6", "unit": "2", "side": "门口"}),
    ("您好：我是青竹新村的住户，家住本小区3号楼。要反映的是十一号楼南侧的一棵大杨树",
     {"compound": "青竹新村", "building": "11", "side": "南侧"}),
])
def test_this_estate_said_again_after_the_writers_own(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    ("| 所在区域 | 城西区 |\n| 街道/镇 | 青竹街道 |\n| 详细地址 | （未填写） |\n| 问题类型 | 停电 |", {"district": "城西区", "street": "青竹街道"}),
    ("| 问题类型 | 饮用水安全 |\n| 区县 | 城西区 |\n| 乡镇 | 青竹镇 |\n| 村 | 黄塘村 |\n| 问题描述 | 村里的井水发黄发臭 |",
     {"district": "城西区", "street": "青竹镇", "compound": "黄塘村"}),
])
def test_a_tables_rows_labelled_by_one_character_or_two_joined_by_a_slash(text, expected):
    check(text, expected)


def test_a_forms_fields_on_one_line_parted_by_semicolons():
    check("问题类型：水利设施；所在区域：城西区青竹镇；详细地址：茶园村五组水渠；问题描述：水渠被泥沙堵死",
          {"district": "城西区", "street": "青竹镇", "compound": "茶园村"})


@pytest.mark.parametrize("text, expected", [
    ("南桥桥面伸缩缝断裂", {"landmark": "南桥", "side": "上"}),
    ("灵桥桥下有人钓鱼", {"landmark": "灵桥", "side": "下"}),
])
def test_a_bridge_of_one_character_and_its_side(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    ("来电人反映：城西汽车客运中心站出口对面有人拉客", {"landmark": "城西汽车客运中心站", "side": "对面"}),
    ("来电人反映：青竹路公交站站牌旁的候车亭玻璃碎裂", {"landmark": "青竹路公交站", "side": "旁"}),
])
def test_a_stations_unnamed_exit_or_sign_before_its_side(text, expected):
    check(text, expected)


def test_a_letters_signature_address_without_a_label_is_the_writers_own():
    assert place_of("尊敬的工作人员：\n\n沿途有好几处井盖和路面不平，具体在哪里我也说不太清。\n\n市民 曾先生\n城西区青竹路88号\n"
                    "电话：138****7013") == {}
    # the problem's place in the letter stays
    check("尊敬的工作人员：\n\n光明大街地下通道西出口旁的墙面瓷砖脱落。\n\n何女士\n城西区青竹胡同\n电话：139****7325",
          {"road": "光明大街", "landmark": "地下通道"})


@pytest.mark.parametrize("text, expected", [
    ("尊敬的领导：\n本人系青竹县中安街道居民。青竹县胜境街道胜境大道一百二十号门前长期占道修车。",
     {"district": "青竹县", "street": "胜境街道", "road": "胜境大道", "number": "120", "side": "门口"}),
    ("领导好：\n我家住青竹县城宝云街道。我外婆住在青竹县大井镇小营村，最近村里好几户人家的房子墙体开裂。",
     {"district": "青竹县", "street": "大井镇", "compound": "小营村"}),
    ("来电人反映：史家胡同与南小街交汇的丁字路口处共享单车堆满人行道。", {"road": "史家胡同", "cross_road": "南小街"}),
])
def test_the_writers_home_division_then_a_village_or_a_number_and_more_junction_wordings(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    ("| 所在区域 | 城西区 |\n| 发生地点 | 光明大街 地下过街通道 |\n| 问题描述 | 通道里积水半尺深 |",
     {"district": "城西区", "road": "光明大街", "landmark": "地下通道"}),
    ("| 所属区县 | 城西区 |\n| 乡镇街道 | 青竹镇 |\n| 详细地址 | 青竹村三组 |", {"district": "城西区", "street": "青竹镇", "compound": "青竹村"}),
])
def test_more_underpass_words_and_a_region_label(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # a road named after nothing but 新 (新马路), told from a new road by its number
    ("来电人反映：青竹区健康路街道新马路21号门口自来水表井盖缺失。",
     {"district": "青竹区", "street": "健康路街道", "road": "新马路", "number": "21", "side": "门口"}),
    # a street named after a road, then that road
    ("您好：青竹区和平路街道和平路56号楼顶违章搭建铁皮房。",
     {"district": "青竹区", "street": "和平路街道", "road": "和平路", "number": "56"}),
    # 那条 between a town and its road
    ("高资街道那条港口路上大货车拉土一路撒", {"street": "高资街道", "road": "港口路"}),
    # a town's or street's office with a side: the spot, not the whole town
    ("油坊镇政府门口那条路边沟的铁篦子不见了", {"street": "油坊镇", "landmark": "油坊镇政府", "side": "门口"}),
    ("我是胜利街道办事处的工作人员，我们这一片最近老停水", {"street": "胜利街道"}),
])
def test_roads_after_a_street_and_a_towns_office(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # the operator sums up the call at its end: the place as written on the ticket, corrected
    ("接线员：请问是哪个小区？\n来电人：八条，八条小区。\n接线员：哪个门呢？\n来电人：南门，南……不对，是北门，北门那个垃圾站。\n"
     "接线员：好的，八条小区北门垃圾站未清运。", {"compound": "八条小区", "gate": "北门"}),
    ("来电人：我昨天在青竹西站下车，出口那块有人收停车费收得离谱。\n接线员：是哪个出口？\n"
     "来电人：A口还是B口我记不清了……我看下照片……是B口，B口。\n接线员：青竹西站B口，好的。",
     {"landmark": "青竹西站", "exit": "B"}),
    # …keeping the road the caller gave; a summing-up naming something else is not the place
    ("接线员：哪条路呢？\n来电人：苏州胡同。\n接线员：苏州胡同哪个位置？\n来电人：苏州胡同公厕，对面，有个煎饼摊往地沟里倒泔水。\n"
     "接线员：好的，苏州胡同公厕对面。", {"road": "苏州胡同", "landmark": "苏州胡同公厕", "side": "对面"}),
    ("接线员：哪个区？\n来电人：青竹区。\n接线员：哪条路？\n来电人：光明大街88号门口。\n接线员：好的，我们转给供水公司。",
     {"district": "青竹区", "road": "光明大街", "number": "88", "side": "门口"}),
])
def test_the_operators_summing_up_at_the_end_of_a_call(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # a county said short, glued to its town
    ("宿松破凉镇 这几天停电停了好几回", {"district": "宿松县", "street": "破凉镇"}),
    ("怀宁小市镇双河村五组 村里的路被大车压烂了", {"district": "怀宁县", "street": "小市镇", "compound": "双河村"}),
    # …or said before "that" and a place in it
    ("潛山那座柳溪橋的欄杆斷了好幾根", {"district": "潜山市", "landmark": "柳溪桥"}),
    # a junction's other road whose name ends like an estate's (竹苑路口)
    ("市民：九华山路跟竹苑路口，红绿灯一个都不亮了。", {"road": "九华山路", "cross_road": "竹苑路"}),
    # a form's label is no road (发生路段：)
    ("发生路段：朝阳门北小街\n问题描述：人行道树池的铁篦子被偷了好几个", {"road": "朝阳门北小街"}),
])
def test_a_county_said_short_before_its_town_or_a_place_in_it(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # two roads 相交的地方; a stretch's second 到 said again after a pause
    ("方巾巷和青竹大街相交的地方，每天下午都有网约车停在巷口", {"road": "方巾巷", "cross_road": "青竹大街"}),
    ("凤鸣路从梅岭路口到……到桂苑路口，中间那一截的行道树死了好几棵",
     {"road": "凤鸣路", "between": ["梅岭路", "桂苑路"]}),
    # a subject line's place said again in the letter on its road, the divisions before the road
    ("主题：河畔街老徐牛肉面馆占道\n\n您好：\n太湖县晋熙镇河畔街老徐牛肉面馆每天早上在人行道上摆桌子。",
     {"district": "太湖县", "street": "晋熙镇", "road": "河畔街", "landmark": "老徐牛肉面馆"}),
    # the named place near the caller's home, not the home
    ("来电人反映：其家住苏州园小区，附近的苏州胡同公厕已经关闭一周，门上没贴任何说明。", {"landmark": "苏州胡同公厕"}),
])
def test_junction_and_stretch_wordings_and_places_near_home(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # a town said without 镇 / 街道 right after its district: the street of the division table
    ("如东掘港 从银杏路口到福康路口那段 每天早上有人摆摊卖鱼",
     {"district": "如东县", "street": "掘港街道", "between": ["银杏路", "福康路"]}),
    ("我是通州金沙的，瑞丰家园，十六幢楼底下化粪池满了",
     {"district": "通州区", "street": "金沙街道", "compound": "瑞丰家园", "building": "16", "side": "下"}),
    # …glued to a road of its own, which is split off (but not a road named after the area)
    ("如東掘港民樂路52號門口的消防栓漏水", {"district": "如东县", "street": "掘港街道", "road": "民乐路", "number": "52", "side": "门口"}),
    ("沈阳皇姑区黄河南大街128号门口下水道返水", {"district": "皇姑区", "road": "黄河南大街", "number": "128", "side": "门口"}),
    # …or before 这边 where its district is named; not where the road named after it follows
    ("崇川区，就在文峰这边，沁园路跟春晖路路口红绿灯坏了",
     {"district": "崇川区", "street": "文峰街道", "road": "沁园路", "cross_road": "春晖路"}),
    ("石峰区，田心那边，田心大道二百四十六号，一棵树倒了压在路中间", {"district": "石峰区", "road": "田心大道", "number": "246"}),
    # …a county said short, its town bare and an estate or landmark of its own, all glued
    ("安吉递铺浒溪农贸市场门口 卖活禽的又回来了", {"district": "安吉县", "street": "递铺街道", "landmark": "浒溪农贸市场", "side": "门口"}),
    # (伲: Wu for "we", no part of a name)
    ("我伲嘉业花园三幢后门头，有人家养了七八只狗", {"compound": "嘉业花园", "building": "3", "gate": "后门"}),
    # a street office named after the town it was, read to its end
    ("来电人反映崇川区唐闸镇街道多处路灯夜间不亮", {"district": "崇川区", "street": "唐闸镇街道"}),
    # a town's own institution named by its kind alone: the town's landmark, the town kept
    ("我是如东县岔河镇的，想反映岔河镇卫生院的问题。卫生院大门口常年被水果摊占着",
     {"district": "如东县", "street": "岔河镇", "landmark": "岔河镇卫生院", "gate": "大门", "side": "门口"}),
    ("常乐镇文化站门口的宣传栏被风刮倒了", {"street": "常乐镇", "landmark": "常乐镇文化站", "side": "门口"}),
    # a district said alone after the place, as where it all is
    ("钟楼西路18号 空调外机一直滴水 滴在人行道上😡 崇川区的", {"district": "崇川区", "road": "钟楼西路", "number": "18"}),
    ("迎春桥下面河里好多死鱼 是不是有人偷排 如皋的", {"district": "如皋市", "landmark": "迎春桥", "side": "下"}),
    # …but not a 区 the division table does not hold, nor a city said so
    ("曲靖北站 3号口 出租车排队区 没人管 插队的还打起来了", {"landmark": "曲靖北站", "exit": "3"}),
    ("喂，我是衡阳的，那个，湘江公路大桥，桥底下有人天天搞烧烤", {"landmark": "湘江公路大桥", "side": "下"}),
    # a form asking for the county, the town, the village and where in it, one field each
    ("区县：启东市\n镇街：南阳镇\n村/社区：新民村\n具体位置：村委会东侧\n问题描述：池塘没有护栏，已有小孩落水。",
     {"district": "启东市", "street": "南阳镇", "compound": "新民村", "landmark": "村委会", "side": "东侧"}),
    # …or for the road and its house number
    ("所在区域：东安区\n街道：朝阳门街道\n道路：南竹杆胡同\n门牌号：22\n问题描述：老槐树被虫蛀空了，随时可能倒。",
     {"district": "东安区", "street": "朝阳门街道", "road": "南竹杆胡同", "number": "22"}),
    # a road told alone, then where on it precisely, a sentence or two later
    ("小雅宝胡同这边有人占道洗车 污水流一地\n具体就在小雅宝公交站旁边", {"road": "小雅宝胡同", "landmark": "小雅宝公交站", "side": "旁"}),
    ("来电人反映：其在政和路上行走时被缺失的井盖绊倒。来电人补充，具体位置在政和路往北走华夏银行门口的人行道上。",
     {"road": "政和路", "landmark": "华夏银行", "side": "门口"}),
    # a named place across the way from another is the spot; a shop of a kind is told by what it faces
    ("雅宝路公寓南门对面物美超市雅宝店门口，有人在台阶上摆摊", {"landmark": "物美超市雅宝店", "side": "门口"}),
    ("人民医院对面那个好又多超市门口 天天晚上有人摆摊卖烤串", {"landmark": "好又多超市", "side": "门口"}),
    ("岚溪路 实验二小对面那个文具店 卖三无玩具", {"road": "岚溪路", "landmark": "实验二小", "side": "对面"}),
    # a landmark's road said after it with 就… 上那个
    ("宏运超市门口，就福利东路上那个，天天有人摆摊", {"road": "福利东路", "landmark": "宏运超市", "side": "门口"}),
    # a form's detailed address going on from the place field's road (与…交叉口)
    ("标题：路口护栏倒伏\n问题地点：东四南大街\n详细地址：与东四三条交叉口东北角\n问题描述：护栏倒了一片。",
     {"road": "东四南大街", "cross_road": "东四三条"}),
    # the road's end said before its partner (北首与…, 西头碰…)
    ("武城县广运街道运河路北首与建设街丁字路口处积水", {"district": "武城县", "street": "广运街道", "road": "运河路", "cross_road": "建设街"}),
    ("建设街西头碰运河路那个丁字口，一下雨就成了湖", {"road": "建设街", "cross_road": "运河路"}),
    # a county said short before its town of two characters
    ("陵城滋镇卫生院门口的排水沟堵了", {"district": "陵城区", "street": "滋镇", "landmark": "滋镇卫生院", "side": "门口"}),
    # a town of the table named on past a suffix of its own, right after its county (十里|望回族镇)
    ("禹城市十里望回族镇后屯村村西的大坑塘被人倒满了垃圾", {"district": "禹城市", "street": "十里望回族镇", "compound": "后屯村", "side": "西侧"}),
    # dialect times are no part of a name
    ("夜来黑下阳光花园有个老人犯病，120从东门进不来", {"compound": "阳光花园"}),
    # a house number put right a line or two on, and said again with where at it
    ("镇江胡同15号门口有个井盖坏了 一脚能踩翻\n\n打错了 是17号 不是15号\n17号门口", {"road": "镇江胡同", "number": "17", "side": "门口"}),
])
def test_towns_districts_and_spots_said_loosely_in_parts_later_or_across_the_way(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # a county said short, then its town with 镇: the shop's and the village's names read across them give way
    ("山亭店子镇北岭村这几天自来水又浑了", {"district": "山亭区", "street": "店子镇", "compound": "北岭村"}),
    # …its town bare, read as a shop (横店), then said again in full with the village
    ("我在东阳横店，横店镇那个，嗯，龙坞村，村里有人在河边建房子",
     {"district": "东阳市", "street": "横店镇", "compound": "龙坞村"}),
    # …but a town named like a kind of place is that place here
    ("南湖大桥底下有好多人搭棚子住，晚上还生火做饭", {"landmark": "南湖大桥", "side": "下"}),
    # a district's town said bare after a pause, then an estate of its own
    ("天宁区 雕庄 兰香苑 9栋 一单元 楼道里 有人养了十几只鸡",
     {"district": "天宁区", "street": "雕庄街道", "compound": "兰香苑", "building": "9", "unit": "1", "side": "内"}),
    # a street named like a county elsewhere (古县) is the street
    ("溧阳市古县街道育才路，从古县小学到永安菜场之间，家长接送车辆乱停",
     {"district": "溧阳市", "street": "古县街道", "road": "育才路", "between": ["古县小学", "永安菜场"]}),
    # a district said short only where it is no other name's tail (天平湖 is no 平湖)
    ("天平湖那边塌的坑还没填", None),
    # Wu "we" and "this", passing over a bridge, a town's seat: no part of a name
    ("我门口格条路上，有个窨井盖翘起来嘞", None),
    ("刚才开车过泮河大桥，咣一下，桥上那块铁板翘着", {"landmark": "泮河大桥", "side": "上"}),
    ("台儿庄区马兰屯镇驻地马兰大街与兴业路路口护栏被撞断",
     {"district": "台儿庄区", "street": "马兰屯镇", "road": "马兰大街", "cross_road": "兴业路"}),
    # junctions joined by 交 or a dash (but a dash between two lanes' mouths is a stretch)
    ("浦江 通江路 交 月泉路 路口 两辆电瓶车撞了", {"district": "浦江县", "road": "通江路", "cross_road": "月泉路"}),
    ("【问题地点】环镇北路——集贸路 路口 【问题描述】路口监控杆被撞弯", {"road": "环镇北路", "cross_road": "集贸路"}),
    # a road named after a lane, with its house number; the lane's mouth stays the lane's
    ("武进区牛塘镇 卢家巷路8号卢家巷菜场东边 有人在路边烧垃圾",
     {"district": "武进区", "street": "牛塘镇", "road": "卢家巷路", "number": "8", "side": "东侧"}),
    ("卢家巷路口有人烧垃圾", {"road": "卢家巷"}),
    # a house's sub-number after 号, a form's 所在镇街 label
    ("问题类型：噪音扰民 地址：东单北大街 65号-2 描述：楼下酒吧每晚放音乐到凌晨", {"road": "东单北大街", "number": "65-2"}),
    ("标题：道路扬尘 所在区域：金东区 所在镇街：江东镇 详细地址：江东大道北段 问题描述：渣土车不盖篷布",
     {"district": "金东区", "street": "江东镇", "road": "江东大道", "stretch": "北段"}),
    # what names nothing: going into the estate, opening a shop online, 镇上 before a junction word
    ("标题：小区停车 问题地点：我们小区 问题描述：外来车辆随便进小区停车，业主回家没车位", None),
    ("您好，我想咨询一下，个人在家里开网店，需不需要办理营业执照？", None),
    ("市民反映：涧头集镇上十字路口的坑仍未修补。", {"street": "涧头集镇"}),
])
def test_towns_said_with_their_county_wu_words_and_more_junction_wordings(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # a county or district said short before an estate, a bridge or a stop, at the start of a phrase
    ("廉江九洲江大桥底下 有人拉一车车建筑垃圾来倒", {"district": "廉江市", "landmark": "九洲江大桥", "side": "下"}),
    ("霞山海景湾小区南门对面的KTV 每晚吵到凌晨两点",
     {"district": "霞山区", "compound": "海景湾小区", "gate": "南门", "side": "对面"}),
    ("霞山国贸公交站 站牌被车撞歪了 随时会倒", {"district": "霞山区", "landmark": "国贸公交站"}),
    # …an estate named after one of its towns stays whole (梅菉新城 in 梅菉街道)
    ("吴川梅菉新城 5幢 二单元 电梯又坏了 困住人了 快来！", {"district": "吴川市", "compound": "梅菉新城", "building": "5", "unit": "2"}),
    # …but not a word many places are named with (a developer's 龙湖), nor an institution named after its district
    ("龙湖春江郦城 北边大门 道闸 抬不起来 车排到马路上", {"compound": "龙湖春江郦城", "gate": "北门"}),
    ("芦淞服饰市场北门门口 三轮车货车全堵着", {"landmark": "芦淞服饰市场", "gate": "北门", "side": "门口"}),
    # a mine's or a works' housing named after its village or area is one name, no district
    ("齐村矿宿舍4排后头一股粪臭味", {"compound": "齐村矿宿舍"}),
    ("市民反映：新泰市新汶街道矿区宿舍6号楼1单元楼道照明灯全部损坏",
     {"district": "新泰市", "street": "新汶街道", "compound": "矿区宿舍", "building": "6", "unit": "1"}),
])
def test_a_county_said_short_before_an_estate_or_bridge_and_a_works_housing(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # the town's department store named alone; a village's clinic
    ("百货大楼东边那个胡同口的井还是敞着呢", {"landmark": "百货大楼", "side": "东侧"}),
    ("市民反映：市中区永安镇永安村卫生室门前一根通信线杆倾斜",
     {"district": "市中区", "street": "永安镇", "landmark": "永安村卫生室", "side": "门口"}),
])
def test_a_place_a_town_names_by_its_kind_and_a_village_clinic(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # a direction ending one name and starting the next, across a space, is no stutter
    ("乐清城东 东港花园 B座 电梯关人了！！", {"district": "乐清市", "street": "城东街道", "compound": "东港花园", "building": "B"}),
    ("喂 那个 云台路 云台路中 中段 到处是渣土车掉的土", {"road": "云台路", "stretch": "中段"}),
    # a numbered avenue (滨海二道), not a Harbin 道街 cut short
    ("龙湾 永兴 滨海二道 x 金川路 路口 坑好深 轮胎爆了",
     {"district": "龙湾区", "street": "永兴街道", "road": "滨海二道", "cross_road": "金川路"}),
    ("南岗区学府四道街126号门口下水井往外冒水", {"district": "南岗区", "road": "学府四道街", "number": "126", "side": "门口"}),
    # a number put right after 发错了
    ("史家胡同36号门口 有人半夜往那倒垃圾 好几次了 不对不对 发错了 是38号 38号门口",
     {"road": "史家胡同", "number": "38", "side": "门口"}),
])
def test_spaced_directions_numbered_avenues_and_a_message_sent_wrong(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # a district, then a road named like a kind of place (中心路), not that place's road
    ("反映：博山区中心路113号门前人行道上，一个通信电缆井盖翘起十几公分", {"district": "博山区", "road": "中心路", "number": "113", "side": "门口"}),
    # a road of one character and 公路 (桓公路), said short after its district or at a junction
    ("临淄桓公路齐韵小广场天天晚上跳广场舞", {"district": "临淄区", "road": "桓公路", "landmark": "齐韵小广场"}),
    ("市民来电反映：临淄区桓公路与齐兴路交叉口，隔离护栏被撞倒", {"district": "临淄区", "road": "桓公路", "cross_road": "齐兴路"}),
    # a road named like an estate, at its junction (高苑路口)
    ("高青黄河路高苑路口的红绿灯杆子让风刮歪了。", {"district": "高青县", "road": "黄河路", "cross_road": "高苑路"}),
    # a chat group's name is no estate
    ("转自小区群：“周村区正阳路东侧正阳小区门口，有人在路边卖活鸡活鸭”",
     {"district": "周村区", "road": "正阳路", "compound": "正阳小区", "side": "门口"}),
])
def test_roads_named_like_kinds_or_estates_and_a_chat_groups_name(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # a form's region labelled with a slash (所属镇/街道), its city (城市：), a road section (路段：), a junction's other road
    ("标题：道路积水 所在区域：武进区 所属镇/街道：湖塘镇 道路名称：长虹西路 交叉道路：定安路 问题描述：路口一下雨就积水",
     {"district": "武进区", "street": "湖塘镇", "road": "长虹西路", "cross_road": "定安路"}),
    ("城市：兰州市城关区 道路：庆阳路东段 问题描述：人行道护栏被撞坏一大段，断口很锋利。",
     {"district": "城关区", "road": "庆阳路", "stretch": "东段"}),
    ("标题：路段违停 路段：内务部街 中段 问题描述：中段两侧都停满了车，救护车上周进不来。", {"road": "内务部街", "stretch": "中段"}),
    # how long, what was seen: no part of a name
    ("您好！我是宜兴市官林镇的一名居民。官林镇这几年电缆厂很多，镇上的道路都被重型货车压坏了",
     {"district": "宜兴市", "street": "官林镇"}),
    ("这家机构只有网上课堂，我们从来没见过线下门店，希望查处这些电话营销公司。", None),
])
def test_more_form_labels_and_words_that_name_nothing(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # a town named like a village (梅村街道, 黎城街道), said bare after its district and a pause
    ("新吴区 梅村 观澜路与雁鸣路 路口 电线耷拉下来了", {"district": "新吴区", "street": "梅村街道", "road": "观澜路", "cross_road": "雁鸣路"}),
    # …but a village said with 的 is the village (an urban village of that name)
    ("天河区冼村的出租屋消防通道被堵。", {"district": "天河区", "compound": "冼村"}),
])
def test_a_town_named_like_a_village(text, expected):
    check(text, expected)


def test_a_school_said_short_right_after_a_word_that_ends_names():
    check("来电人反映五十五中北门附近路灯不亮已有一周", {"landmark": "五十五中", "gate": "北门", "side": "旁"})


@pytest.mark.parametrize("text, expected", [
    # a city said in the place field, lanes in general, a certificate, a kind of bin: no estate or landmark
    ("标题：停车难 问题地点：湖州 问题描述：湖州现在停车越来越难，老小区根本没有车位", None),
    ("您好：我想反映东安区建国门街道遛狗不拴绳的问题。早晚在胡同里、小区里到处能看到大狗乱跑",
     {"district": "东安区", "street": "建国门街道"}),
    ("东安区 东单街道 垃圾分类站 脏乱", {"district": "东安区", "street": "东单街道"}),
])
def test_a_city_a_lane_in_general_and_a_kind_of_bin_are_no_place_names(text, expected):
    check(text, expected)


def test_a_name_the_operator_read_back_and_the_caller_confirmed_before_the_details():
    # 李氏花园 → 是礼士花园吗？对对对 → …三号楼一单元楼道内，对吧？对: the estate read back, the details the caller's
    check("接线员：您好，12345。 来电人：喂，我要投诉，老是有人在楼道里抽烟。 接线员：您是哪个小区？ 来电人：李氏花园。 "
          "接线员：是礼士花园吗？ 来电人：对对对，礼士花园。 接线员：几号楼？ 来电人：三号楼，一单元。 "
          "接线员：三号楼一单元楼道内，对吧？ 来电人：对。",
          {"compound": "礼士花园", "building": "3", "unit": "1", "side": "内"})


def test_a_district_and_street_as_the_operator_read_them_back_and_the_caller_confirmed():
    check("话务员：您好，请问有什么可以帮您？ 市民：我想反映一下，东丹街道这边，好多老旧小区没有充电桩。 "
          "话务员：是东单街道吗？ 市民：对，东单街道，好几个小区都这样。", {"street": "东单街道"})


@pytest.mark.parametrize("text, expected", [
    # a district or town said alone, the spot named much later after words that say this is where
    ("您好：我家住在湖州南浔区，今天想反映我母亲住处附近的问题。我母亲住在双林镇。她家隔壁有一家作坊，锅炉烧的是废木料，"
     "黑烟直接从屋顶冒出来，邻居们晾的衣服都熏黑了。作坊的地址是东升路51号。请环保部门前去查看。",
     {"district": "南浔区", "street": "双林镇", "road": "东升路", "number": "51"}),
    ("尊敬的领导：我是东四街道的一名居民，在这里住了四十多年了。去年说要做老旧小区改造，可是施工队挖开的沟一直没有回填，"
     "老人买菜、孩子上学都得绕着走。我说的这个地方在史家小区，具体是4号楼东侧那条沟。",
     {"street": "东四街道", "compound": "史家小区", "building": "4", "side": "东侧"}),
])
def test_a_letter_that_names_the_spot_far_from_its_district(text, expected):
    check(text, expected)


def test_a_side_word_starting_a_name_is_no_side():
    # 南昌路上的上海市场: 上 starts the market's name
    check("来电人补充具体位置为南昌路上的上海市场西门旁边。",
          {"road": "南昌路", "landmark": "上海市场", "gate": "西门", "side": "旁"})


@pytest.mark.parametrize("text, expected", [
    # an estate, then one of its buildings said alone further on
    ("你好：我想反映一下我们小区的消防问题。我们是龙港市海港家园，小区一共十几栋楼，问题最严重的是3幢。3幢的地下室被人"
     "分隔成了十几个小间出租。", {"district": "龙港市", "compound": "海港家园", "building": "3"}),
    ("敬啟者：本人為東四十條宿舍住戶。近兩週以來，3號樓西側的雨水管斷裂，雨水直接沖刷牆根。",
     {"compound": "东四十条宿舍", "building": "3", "side": "西侧"}),
    # … but not the writer's own building, nor one at the gate named, nor a question for one
    ("来电人反映：史家小区北门内侧的垃圾站三天未清运，垃圾溢出到路面。来电人住该小区6号楼，要求尽快处理。",
     {"compound": "史家小区", "gate": "北门", "side": "内"}),
    ("接线员：哪个小区？ 来电人：南山苑 接线员：具体哪一栋？ 来电人：三栋 三栋旁边 垃圾桶",
     {"compound": "南山苑", "building": "3", "side": "旁"}),
])
def test_a_building_said_alone_after_its_estate(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # a letter comparing with another place, then pointing at its own
    ("您好：我经常带孙子去崇川区的濠滨广场玩，那边管理得井井有条。可是我们这里的广场，晚上灯光昏暗，地砖翘起好多块。"
     "我说的地方是通州区金沙街道的文体中心广场，东侧靠近居民区那一片最严重。",
     {"district": "通州区", "street": "金沙街道", "landmark": "文体中心广场", "side": "东侧"}),
    ("尊敬的工作人员：前几天我在建国门邮局排队时看到墙上贴的便民服务电话。我想反映的是建国门社区卫生服务中心门口的无障碍坡道"
     "被占用的问题。", {"landmark": "建国门社区卫生服务中心", "side": "门口"}),
])
def test_the_place_a_letter_points_at_after_another(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # a chat message opening with a town said bare, then the place in it: the town is the street
    ("容桂 华口大道同新宁路交界/个红绿灯坏咗成日 啲车乱咁冲",
     {"street": "容桂街道", "road": "华口大道", "cross_road": "新宁路"}),
    ("西樵 吉水村 村尾嗰条水沟/塞晒啦", {"street": "西樵镇", "compound": "吉水村"}),
    # … not a word that names no town here (路口), nor the first word of the name that follows (东四 东四地铁站)
    ("那个 路口 就是 东四十条 嗯 和 朝阳门北小街 交叉那个 十字路口", {"road": "东四十条", "cross_road": "朝阳门北小街"}),
    ("东四 东四地铁站 那个 C口 出来 那个 扶梯 坏了", {"landmark": "东四地铁站", "exit": "C"}),
])
def test_a_message_opening_with_a_town_said_bare(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # a message opening with a county said short, then the place in it (not an estate 清苑 or a shop 高碑店)
    ("清苑 一亩泉桥 下边 河里漂着好多死鱼", {"district": "清苑区", "landmark": "一亩泉桥", "side": "下"}),
    ("高碑店 和顺路45号/路灯一闪一闪的", {"district": "高碑店市", "road": "和顺路", "number": "45"}),
    # … but not a city's name, which is no county's (长沙 is 长沙市 before 长沙县)
    ("长沙 五一大道和黄兴中路路口 红绿灯又坏了", {"road": "五一大道", "cross_road": "黄兴中路"}),
])
def test_a_message_opening_with_a_county_said_short(text, expected):
    check(text, expected)


def test_a_house_number_a_letter_adds_far_on():
    check("主题：关于本司胡同夜间噪音的反映 您好：我要反映的地方在本司胡同。那里有一家小酒吧，每天营业到凌晨两点，客人在门外大声喧哗、"
          "摔酒瓶，周围居民苦不堪言。我们打过110，来了就安静一会儿，走了照旧。补充一下具体门牌：41号。恳请有关部门依法处理。",
          {"road": "本司胡同", "number": "41"})


@pytest.mark.parametrize("text, expected", [
    # the county's seat (县城) said between the county and the road or estate in it
    ("五莲县城解放路和富强路那个路口，红绿灯倒了", {"district": "五莲县", "road": "解放路", "cross_road": "富强路"}),
    ("五莲县城凤凰苑从夜来后晌就停水了", {"district": "五莲县", "compound": "凤凰苑"}),
])
def test_the_county_seat_before_a_name(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # a county said short right before one of its towns: 的 and a pause between them, or read across them
    ("阳信的/河流镇/镇政府东边那个路口 路灯杆子倒了", {"district": "阳信县", "street": "河流镇", "landmark": "镇政府", "side": "东侧"}),
    ("滨城北镇街道老城影剧院门口 一到晚上就有人聚众喝酒",
     {"district": "滨城区", "street": "北镇街道", "landmark": "老城影剧院", "side": "门口"}),
])
def test_a_county_said_short_before_its_town(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # an autonomous county said as a county (孟村回族自治县 said 孟村县): no village 孟村
    ("来电反映孟村县辛店镇大屯村集中供水井水泵烧坏", {"district": "孟村县", "street": "辛店镇", "compound": "大屯村"}),
    # driving along a road, the wind that blew something down: no part of the road's name
    ("来电人反映其今晨驾车行经浮阳南大道锦程家园对面公交站旁", {"road": "浮阳南大道", "compound": "锦程家园", "side": "对面"}),
    ("市民来电反映：昨夜大风将新威路观澜府工地围挡吹倒", {"road": "新威路", "landmark": "观澜府工地"}),
])
def test_words_before_a_name_that_are_no_part_of_it(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # the operator's record of a correction made after asking, or of a name the caller first gave in quotes
    ("来电人起初称位置在东堂子胡同，经询问后更正为东堂子小区内，2号楼北侧，靠近自行车棚处。",
     {"compound": "东堂子小区", "building": "2", "side": "北侧"}),
    ("来电人起初称地点为“雅宝公寓”，后更正为小雅宝小区，具体为8号楼北侧。", {"compound": "小雅宝小区", "building": "8", "side": "北侧"}),
    # a form's wrong address put right in the description
    ("主题：地铁口占道 / 地址：建国门站 / 内容：上面地址填错了，不是建国门站，应该是东四地铁站B口，出口外面摆了好多小摊",
     {"landmark": "东四地铁站", "exit": "B", "side": "外"}),
    ("但是地址写错了，写成了渤海路，实际上是滨城区的渤兴路，门牌56号。", {"district": "滨城区", "road": "渤兴路", "number": "56"}),
    # the very number denied a sentence on, the one meant said after it; where at it stays (楼下)
    ("余干县瑞洪镇渔港路18号楼下烧烤 吵到半夜\n噢 不是18号 是16号 18号是对面",
     {"district": "余干县", "street": "瑞洪镇", "road": "渔港路", "number": "16", "side": "下"}),
    ("半夜装修！！！十二点了还在砸墙🔨\n干面胡同\n15号院里面 后边那栋小楼\n哦 不是15 是17号院 我看错门牌了",
     {"road": "干面胡同", "number": "17", "side": "内"}),
    ("鲤鱼胡同七号不是七号是那个呃十七号十七号门口那个路灯杆子上有个马蜂窝", {"road": "鲤鱼胡同", "number": "17", "side": "门口"}),
    # a line or two on: the number with the road said again, the building, the stretch, the gate; a place named
    # in between does not stop it where the one denied is named again
    ("绩溪长安镇\n长安路88号 楼下的修车铺\n天天在人行道上喷漆 油漆味熏死人\n打错了 是长安路86号 88是我家",
     {"district": "绩溪县", "street": "长安镇", "road": "长安路", "number": "86", "side": "下"}),
    ("西总布胡同27号\n门口那个老槐树 枝子断了挂在半空\n底下就是老王便利店 好多人进进出出\n不对不对 是72号 27号在胡同西头那边",
     {"road": "西总布胡同", "number": "72", "side": "门口"}),
    ("楼下有人遛狗不拴绳\n羊毛小区\n3号楼楼下那个小花园\n写错了 是8号楼 3号楼那边没花园", {"compound": "羊毛小区", "building": "8", "side": "下"}),
    ("贡院东街南段\n路边停车收费的人乱收费\n一小时收我二十\n打错了 是北段 南段那边没人收", {"road": "贡院东街", "stretch": "北段"}),
    ("宣州區向陽街道\n陽光城小區 北門口\n垃圾桶被人燒了 黑乎乎一片 還在冒煙\n更正：是西北門 不是北門",
     {"district": "宣州区", "street": "向阳街道", "compound": "阳光城小区", "gate": "西北门", "side": "门口"}),
    # but a number said again without a denial stays
    ("渔港路18号楼下烧烤，不是18号院那边", {"road": "渔港路", "number": "18", "side": "下"}),
])
def test_a_place_put_right_further_on(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # the estate said again short is no other place before the building said later; its side after it said again
    ("我们院是苏州园小区，老住户都叫它苏州园。出问题的位置是7号楼，就在7号楼南边，挨着自行车棚那块。",
     {"compound": "苏州园小区", "building": "7", "side": "南侧"}),
    # a town said short in answer to the operator's 哪个乡镇 is no road when the operator reads it back as the town
    ("接线员：请问您是哪个县的？\n来电人：鄱阳。\n接线员：哪个乡镇？\n来电人：油墩街。\n接线员：哪个村？\n来电人：周家湾村。\n"
     "接线员：鄱阳县油墩街镇周家湾村，焚烧秸秆，好的。",
     {"district": "鄱阳县", "street": "油墩街镇", "road": "", "compound": "周家湾村"}),
])
def test_a_place_given_in_pieces(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # a name denied by name a sentence on, the one meant after 是
    ("北总布胡同有个广告牌要掉了，风一吹哐哐响\n更正一下，不是北总布胡同，是西总布胡同，靠南小街那头", {"road": "西总布胡同"}),
    ("嗯就是那个那个胜利桥啊胜利大桥不是胜利桥是胜利大桥桥上那个栏杆断了", {"landmark": "胜利大桥", "side": "上"}),
])
def test_a_name_denied_by_name_later(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # a numbered lane with a house number the caller is unsure of, then finds
    ("东四十条\n一百二十几号\n想起来了 128号\n门口垃圾桶倒了没人扶 味儿大", {"road": "东四十条", "number": "128", "side": "门口"}),
    # unsure and left so: the lane is still the place
    ("东四八条二十几号门口的路灯不亮", {"road": "东四八条"}),
])
def test_a_numbered_lane_before_a_number_searched_for(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # the exit denied by name a sentence on, the one meant said before or after the denial
    ("建国门站B口电梯坏了 刚看了一下 是C口 不是B口", {"landmark": "建国门站", "exit": "C"}),
    ("建国门站B口电梯坏了 刚看了一下 不是B口 是C口", {"landmark": "建国门站", "exit": "C"}),
    ("建国门站 电梯坏了\nB口\n刚看了一下 是C口 不是B口", {"landmark": "建国门站", "exit": "C"}),
    # the operator's summing-up names only the building the caller put right
    ("话务员：您好，请讲。\n来电人：喂，如皋城北街道金桂小区，七号楼楼下有个化粪池盖子破了。\n话务员：金桂小区7号楼，对吗？\n"
     "来电人：哦不对不对，我说错了，是八号楼，我住七号楼，破的是八号楼底下的。\n话务员：好的，8号楼楼下化粪池盖板破损。",
     {"district": "如皋市", "street": "城北街道", "compound": "金桂小区", "building": "8", "side": "下"}),
])
def test_a_detail_put_right_further_on(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # a name put right a sentence on, with words that can only mean it; the divisions said before it stay
    ("乐清城南 金溪花园 电梯又坏了\n不好意思 打错了 是金溪苑\n12幢",
     {"district": "乐清市", "street": "城南街道", "compound": "金溪苑", "building": "12"}),
    ("定兴县\n固城镇\n西关村？\n不对 是南关村\n村里的路灯全不亮",
     {"district": "定兴县", "street": "固城镇", "compound": "南关村", "side": "内"}),
    # the town put right: the county stays, the town is the one meant
    ("广饶县大码头镇张楼村 路灯全坏了\n不对不对 说错了 是花官镇的张楼村 不是大码头",
     {"district": "广饶县", "street": "花官镇", "compound": "张楼村"}),
])
def test_divisions_before_a_name_put_right(text, expected):
    check(text, expected)


def test_a_village_named_like_its_town_after_the_county_said_short():
    # 仙游 园庄镇 园庄村 said in one breath: the village's name begins where the town ends
    check("市民：仙游园庄镇园庄村停水两天了，一点水都没有。", {"district": "仙游县", "street": "园庄镇", "compound": "园庄村"})


@pytest.mark.parametrize("text, expected", [
    # a park's entrance by its direction is its gate; a station's is its exit
    ("麒麟山公园南入口上山的台阶有几块石板松了", {"landmark": "麒麟山公园", "gate": "南门"}),
    ("人民公园东入口旁边的厕所没人打扫", {"landmark": "人民公园", "gate": "东门", "side": "旁"}),
    ("东四地铁站东入口有人卖假货", {"landmark": "东四地铁站", "exit": "东"}),
])
def test_an_entrance_said_by_its_direction(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # a stretch of the road said right before it, after the writer's routine on that road
    ("我家住在上饶市信州区，每天开车到广信区上班，都要经过凤栖大道。凤栖大道从望仙大道路口到汇丰路口之间，这一段的标线已经磨得几乎看不见了",
     {"road": "凤栖大道", "between": ["望仙大道", "汇丰路"]}),
    # after where the writer lives, the place a later sentence says is where, however far on
    ("您好：\n\n我家住在东安区东总布北里小区。我要反映的不是我们小区的问题，而是我们小区北面一户人家的装修问题。这户人家从上个月开始装修，"
     "每天早上不到七点就开电钻、砸墙，周末也不停，晚上有时干到九点多。我家有高考生，孩子根本没法休息。我们去敲过门，工人说是房东让干的，"
     "房东一直联系不上。\n\n这户的地址是苏州胡同47号。恳请相关部门上门查看，督促其按规定时间施工。\n\n联系人：刘先生",
     {"road": "苏州胡同", "number": "47"}),
    ("我是一名退休教师，在这一带住了三十多年。我本人住在金宝花园，平时早晚都要出门遛弯儿。最近半年以来，有一家饭馆的后厨每天凌晨"
     "两三点钟就开始剁肉、冲洗地面，铁盆叮当作响，排风扇轰鸣，一直持续到天亮。我们多次上门沟通，对方态度尚可，但始终没有改变。"
     "这家饭馆的位置在东总布胡同10号，后厨的窗户正对着胡同里的居民院。", {"road": "东总布胡同", "number": "10"}),
    # but the writer's home is the place where the problem is there (no later place said to be where)
    ("本人居住在东四十条宿舍7号楼，近期发现楼道里的灯坏了一个月。", {"compound": "东四十条宿舍", "building": "7"}),
    # 我想反映的就是…: the place pointed at
    ("我们家住在礼士小区，开车过去不算远，可每次去都要在医院外面转好几圈才能找到停车的地方。最近一次复查，我们在医院西门外等了四十多分钟。"
     "我想反映的就是东安区人民医院西门外的停车秩序问题。", {"landmark": "东安区人民医院", "gate": "西门", "side": "外"}),
    # a shop's owner is no shop
    ("我也曾和店主沟通过，对方态度很差", None),
])
def test_the_place_a_letter_says_is_where(text, expected):
    check(text, expected or {})


@pytest.mark.parametrize("text, expected", [
    # an operator's summary states the place, then records what the caller said first: the place stated stays whole
    ("来电人反映：泾县泾川镇城南小学东门外有一处电线杆上的电线垂落。来电人先说“城南中学”，后更正为“城南小学，中学在马路那边”。",
     {"district": "泾县", "street": "泾川镇", "landmark": "城南小学", "gate": "东门", "side": "外"}),
    ("来电人反映：宁国市梅林镇东津河上的梅林大桥桥下，有人用渔网拦河捕鱼。来电人起初称“梅林老桥”，后更正为“新桥，就是梅林大桥，老桥早拆了”。",
     {"district": "宁国市", "street": "梅林镇", "landmark": "梅林大桥", "side": "下"}),
    ("来电人反映：东单北大街从金宝街路口到东堂子胡同口之间的人行道上，有多处地砖缺失。来电人起初说“从金宝街到外交部街”，后更正为“到东堂子胡同口”。",
     {"road": "东单北大街", "between": ["金宝街", "东堂子胡同"]}),
])
def test_a_summary_that_states_the_place_before_the_correction(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # the operator's summing-up after the caller put a confirmed read-back right: the last word is the operator's,
    # and where at the number denied is not where at the one meant
    ("接线员：请问是哪条胡同？\n来电人：东四留条。\n接线员：东四六条是吗？\n来电人：对，六条，东四六条，四十……四十六号，门口有个石头狮子的那个院儿。\n"
     "接线员：东四六条46号，私拉电线充电，对吗？\n来电人：不是46，是64号，六十四，我记岔了，46号是我们家。\n接线员：好的，东四六条64号。",
     {"road": "东四六条", "number": "64"}),
    # …alike the name the caller confirmed, where he said it another way first
    ("接线员：请问地址在哪？\n来电人：宣州区，向阳……向阳街道这边，梅西路。\n接线员：是梅溪路吗？溪水的溪？\n来电人：对对，梅溪路。门牌是……三百零二号，那个KTV叫金嗓子。\n"
     "接线员：宣州区向阳街道梅溪路302号金嗓子KTV，对吗？\n来电人：哦不是，302是KTV楼下那个药店，KTV是304，在药店隔壁楼上。\n接线员：好的，梅溪路304号。",
     {"district": "宣州区", "street": "向阳街道", "road": "梅溪路", "number": "304"}),
])
def test_the_operators_summing_up_after_a_correction(text, expected):
    check(text, expected)


def test_a_transcript_in_traditional_characters_is_read_as_one():
    # 接線員：…來電人：… — the operator's questions and read-back count as in simplified characters
    check("接線員：請問是哪條胡同？\n來電人：北新倉胡同。\n接線員：門牌號知道嗎？\n"
          "來電人：二十……二十七號，二十七號對面。不是，二十七號是我家，蓋房子的是對門，對門是……二十八號。\n"
          "接線員：北新倉胡同28號門口違建，對嗎？\n來電人：對，28號門口。",
          {"road": "北新仓胡同", "number": "28", "side": "门口"})


@pytest.mark.parametrize("text, expected", [
    # a name put right a line or two on: the name meant in the place of the one said, divisions and details kept
    ("郎溪涛城的\n镇上那个百佳超市门口天天摆摊卖水果\n电瓶车三轮车停一排 人都过不去🙄\n超市名字打错了 是佰嘉超市",
     {"district": "郎溪县", "street": "涛城镇", "landmark": "佰嘉超市", "side": "门口"}),
    ("郎溪梅渚镇\n渚阳路 路灯一半不亮\n晚上黑漆漆的 骑电动车心慌😰\n哦 路名打错了 是渚阳大道 不是渚阳路",
     {"district": "郎溪县", "street": "梅渚镇", "road": "渚阳大道"}),
    ("涇縣丁家橋鎮\n後山村那邊有人往河裡排污水 河水都變黑了\n不是後山村 是後坑村 打錯了\n排污口在村子北邊 河的東岸",
     {"district": "泾县", "street": "丁家桥镇", "compound": "后坑村", "side": "北侧"}),
])
def test_a_name_put_right_a_line_or_two_on(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # a form's supplement puts right a field above it, however far on
    ("【标题】院门口私装地锁\n【所在街道】东四街道\n【路/胡同】东四七条\n【门牌号】77\n【问题描述】院门口被人装了两个地锁，早上急救车都差点进不来。\n"
     "【补充说明】门牌填错了，是71号，77号在对面", {"street": "东四街道", "road": "东四七条", "number": "71"}),
    ("小区：东安花园\n楼号：7\n单元：3\n门牌：\n问题描述：楼号填错了，是17号楼3单元，楼道里的声控灯全坏了，晚上上下楼摸黑。",
     {"compound": "东安花园", "building": "17", "unit": "3"}),
])
def test_a_form_put_right_below_its_fields(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    # a stretch said roughly after the road's part
    ("来电人反映：东四南大街南段，大约从干面胡同路口往南到金宝街路口这一段，人行道上的树池没有盖板。",
     {"road": "东四南大街", "stretch": "南段", "between": ["干面胡同", "金宝街"]}),
    # what it is near, up to 的: the footbridge after it is the place's own
    ("来电人反映：建国门内大街上靠近建内公交站的过街天桥下面，长期有人铺纸板睡觉。", {"road": "建国门内大街", "landmark": "天桥", "side": "下"}),
    # another name in brackets, as the caller called it, in quotes
    ("来电人反映：屯溪区率水河上的龙湾大桥（来电人称“新大桥”）桥头北侧，有一处护坡塌方。",
     {"district": "屯溪区", "landmark": "龙湾大桥", "side": "北侧"}),
    # but a correction in brackets is no other name
    ("来电人反映：大雅宝胡同（来电人随后更正为小雅宝胡同）26号门口下水道堵塞。", {"road": "小雅宝胡同", "number": "26", "side": "门口"}),
])
def test_an_operators_record_of_where(text, expected):
    check(text, expected)


def test_a_towns_school_with_its_gate():
    # the town's own school named by its kind, then its gate: the school is the town's
    check("来电人反映：郎溪县梅渚镇中心小学南门外的斑马线被施工挖断，未恢复，学生上下学需横穿马路。",
          {"district": "郎溪县", "street": "梅渚镇", "landmark": "梅渚镇中心小学", "gate": "南门", "side": "外"})


def test_the_stretch_of_a_road_said_precisely_later():
    check("南竹杆胡同井盖丢了一个\n晚上没灯 很危险！！\n具体在哪… 就是从北竹竿胡同口往南走 到新鲜胡同口之间\n中间偏南那段",
          {"road": "南竹杆胡同", "between": ["北竹竿胡同", "新鲜胡同"]})
