"""Generate the grid registry: the shipped sample district, or a large synthetic one.

    python bench/make_registry.py                      # writes classifiers/data/registry/demo/
    python bench/make_registry.py --synthetic 1000 --out /tmp/grids_1000

Both are written as a city's GIS export would be (grids.geojson, addresses.csv, pois.csv;
docs/registry.md) and imported by `run.py import-registry` (the sample into
classifiers/data/grids.json, the file the gateway reads).

The sample is a fictional 城区 "东安区" modelled on the streets around Beijing's 建国门 /
朝阳门 / 东四: 4 街道, 12 社区, 36 网格 (a 6×6 tiling of quadrilaterals over about
3 km × 3 km around 39.91 N, 116.42 E). Every grid touches one east–west and one
north–south main road (odd numbers on one side, even on the other, a number range per
grid), holds one or two 胡同, one to three 小区 with their 号楼 and a few landmarks.
The source files are what administrators edit afterwards (this script is only how the
first version was drawn). Points are [lng, lat], WGS-84.
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SAMPLE_OUT = ROOT / "classifiers" / "data" / "grids.json"
SAMPLE_SOURCES = ROOT / "classifiers" / "data" / "registry" / "demo"

NUM = "零一二三四五六七八九十"

# ---------------------------------------------------------------- sample district content
DISTRICT = {"code": "110199", "name": "东安区", "aliases": ["东安"]}
# (code suffix, name, aliases, columns, rows)
STREETS = [
    ("001", "东单街道", ["东单街道办事处"], (0, 3), (0, 3)),
    ("002", "建国门街道", ["建国门街道办事处"], (3, 6), (0, 3)),
    ("003", "东四街道", ["东四街道办事处"], (0, 3), (3, 6)),
    ("004", "朝阳门街道", ["朝阳门街道办事处"], (3, 6), (3, 6)),
]
# community by column within its street
COMMUNITIES = {
    "001": ["西总布社区", "东总布社区", "赵家楼社区"],
    "002": ["苏州园社区", "大雅宝社区", "北京站社区"],
    "003": ["豆瓣社区", "八条社区", "演乐社区"],
    "004": ["史家社区", "礼士社区", "竹杆社区"],
}
# main roads on grid boundaries: horizontal boundary j (between rows j-1 and j), vertical
# boundary i (between columns i-1 and i); N–S roads change name at row 3.
EW_ROADS = {1: ("建国门内大街", ["建内大街"]), 3: ("朝阳门内大街", ["朝内大街"]),
            5: ("东四十条", [])}
NS_ROADS = {1: [("东单北大街", []), ("东四南大街", [])],
            3: [("朝阳门南小街", ["南小街"]), ("朝阳门北小街", ["北小街"])],
            5: [("建国门北大街", []), ("朝阳门北大街", [])]}
# spanning hutongs: name -> list of cells west to east
SPANNING = {"苏州胡同": [(3, 0), (4, 0)], "东总布胡同": [(1, 0), (2, 0)],
            "金宝街": [(1, 2), (2, 2)], "东四六条": [(0, 4), (1, 4)],
            "史家胡同": [(3, 3), (4, 3)]}
HUTONG_ALIASES = {"南竹竿胡同": ["南竹杆胡同"], "北竹竿胡同": ["北竹杆胡同"]}
# cell -> (hutongs, compounds "name:buildings[:alias,alias]", landmarks "name:kind[:alias,…]")
CONTENT: dict[tuple[int, int], tuple[list[str], list[str], list[str]]] = {
    (0, 0): (["西总布胡同"], ["西总布小区:8", "鸿安公寓:3:鸿安国际公寓"],
             ["东单公园:park", "东单体育中心:gym:东单体育馆"]),
    (0, 1): (["北总布胡同"], ["北总布小区:6", "外交部街宿舍:4:外交部宿舍"],
             ["东单菜市场:market", "北总布胡同公厕:toilet:北总布公厕"]),
    (0, 2): (["外交部街", "东堂子胡同"], ["东堂子小区:5"],
             ["东安区第二实验小学:school:第二实验小学,二实小", "东单派出所:police"]),
    (1, 0): ([], ["东总布北里:6:东总布北里小区"],
             ["建国门内公交站:bus_stop:建内公交站,建国门内车站",
              "中国银行东总布支行:bank:中国银行"]),
    (1, 1): (["大羊毛胡同"], ["金宝花园:9:金宝花园小区", "羊毛小区:4"],
             ["金宝街购物中心:mall:金宝汇", "物美超市金宝街店:supermarket:物美超市,金宝街物美"]),
    (1, 2): (["小羊毛胡同"], ["贡院小区:6"],
             ["东安区中医医院:hospital:中医医院", "贡院公交站:bus_stop"]),
    (2, 0): (["方巾巷"], ["方巾巷小区:4", "赵家楼小区:8"],
             ["东安区第一中学:school:第一中学,一中,东安一中", "赵家楼饭店:hotel"]),
    (2, 1): (["大方家胡同"], ["大方家小区:5"],
             ["赵家楼菜市场:market", "赵家楼社区卫生服务站:clinic:赵家楼卫生站"]),
    (2, 2): (["干面胡同"], ["干面胡同小区:6:干面小区", "禄米仓宿舍:3"],
             ["东安区妇幼保健院:hospital:妇幼保健院", "干面胡同公交站:bus_stop"]),
    (3, 0): ([], ["苏州园小区:12"],  # buildings 7–12 here, 1–6 in (3, 1)
             ["建国门地铁站:subway:建国门站", "苏州胡同公厕:toilet"]),
    (3, 1): (["镇江胡同"], ["苏州园小区:12", "镇江里小区:4:镇江里"],
             ["苏州园菜市场:market", "建国门派出所:police"]),
    (3, 2): (["船板胡同"], ["船板小区:5", "东安花园:8:东安花园小区"],
             ["苏州园小学:school", "华联超市船板胡同店:supermarket:华联超市"]),
    (4, 0): ([], ["观音寺小区:4"],
             ["建国门社区卫生服务中心:clinic:建国门卫生服务中心",
              "建国门邮政支局:post:建国门邮局"]),
    (4, 1): (["大雅宝胡同"], ["大雅宝小区:10", "雅宝公寓:3"],
             ["大雅宝菜市场:market", "东安区第五十五中学:school:五十五中,55中"]),
    (4, 2): (["小雅宝胡同"], ["小雅宝小区:5"],
             ["小雅宝公交站:bus_stop", "物美超市雅宝店:supermarket:物美超市,雅宝物美"]),
    (5, 0): (["北京站东街"], ["站东小区:6", "北京站家属院:3"],
             ["北京站:station:北京火车站,火车站", "北京站派出所:police"]),
    (5, 1): (["鲤鱼胡同"], ["鲤鱼胡同小区:4:鲤鱼小区", "雅宝路公寓:6"],
             ["雅宝路服装市场:market:雅宝路市场", "建国门北大街公交站:bus_stop"]),
    (5, 2): (["贡院东街"], ["贡院东街小区:5"],
             ["东安区人民医院:hospital:人民医院,区医院", "中石化朝阳门南加油站:gas:中石化加油站"]),
    (0, 3): (["豆瓣胡同"], ["豆瓣小区:6"],
             ["东四地铁站:subway:东四站", "隆福广场:mall"]),
    (0, 4): ([], ["六条小区:4", "隆福花园:7"],
             ["东四菜市场:market", "东四派出所:police"]),
    (0, 5): (["东四七条"], ["七条小区:5"],
             ["东四七条小学:school:七条小学", "钱粮胡同公交站:bus_stop"]),
    (1, 3): (["东四三条"], ["三条小区:4", "东四宾馆宿舍:2"],
             ["东四邮局:post", "东四文化馆:culture"]),
    (1, 4): (["东四八条"], ["八条小区:8"],
             ["东四八条公厕:toilet:八条公厕", "八条幼儿园:kindergarten"]),
    (1, 5): (["东四九条"], ["九条小区:6"],
             ["东安区第二中学:school:第二中学,二中", "华联超市东四店:supermarket:华联超市"]),
    (2, 3): (["演乐胡同"], ["演乐小区:6"],
             ["朝阳门内公交站:bus_stop:朝内公交站", "演乐社区卫生服务站:clinic:演乐卫生站"]),
    (2, 4): (["本司胡同"], ["本司小区:4", "东四十条宿舍:3"],
             ["东四十条地铁站:subway:东四十条站", "中国工商银行东四支行:bank:工商银行,工行"]),
    (2, 5): (["南门仓胡同"], ["南门仓小区:5"],
             ["东安区第二医院:hospital:二院", "南门仓绿地:park"]),
    (3, 3): ([], ["史家小区:6"],
             ["史家小学:school", "史家胡同博物馆:museum"]),
    (3, 4): (["内务部街"], ["内务部街小区:5"],
             ["朝阳门派出所:police", "朝内菜市场:market:朝阳门菜市场"]),
    (3, 5): (["北新仓胡同"], ["海运仓小区:8", "北新仓小区:4"],
             ["朝阳门街道办事处:government:朝阳门街道办", "海运仓公交站:bus_stop"]),
    (4, 3): (["遂安伯胡同"], ["遂安伯小区:4"],
             ["朝阳门地铁站:subway:朝阳门站", "物美超市朝内店:supermarket:物美超市,朝内物美"]),
    (4, 4): (["礼士胡同"], ["礼士小区:6", "礼士花园:5"],
             ["礼士公园:park", "朝阳门社区卫生服务中心:clinic:朝阳门卫生服务中心"]),
    (4, 5): (["前拐棒胡同"], ["拐棒小区:4"],
             ["东安区图书馆:library:区图书馆", "中国建设银行朝阳门支行:bank:建设银行"]),
    (5, 3): (["南竹竿胡同"], ["南竹竿小区:6:南竹杆小区"],
             ["南竹竿菜市场:market", "朝阳门加油站:gas"]),
    (5, 4): (["北竹竿胡同"], ["北竹竿小区:5:北竹杆小区", "竹园公寓:3"],
             ["朝阳门中学:school", "北竹竿公厕:toilet"]),
    (5, 5): (["新鲜胡同"], ["新鲜胡同小区:6:新鲜小区", "东环公寓:4"],
             ["新鲜胡同公交站:bus_stop", "东安区体育馆:gym:区体育馆"]),
}
SPLIT_COMPOUNDS = {"苏州园小区": {(3, 1): range(1, 7), (3, 0): range(7, 13)}}
HEADS = ["王建国", "李秀兰", "张丽华", "刘志强", "陈淑芬", "杨桂英", "赵海燕", "黄明", "周玉梅",
         "吴国庆", "徐春燕", "孙立新", "马红霞", "朱德胜", "胡秀珍", "郭卫东", "何淑华", "高建军",
         "林小红", "罗志刚", "郑桂兰", "梁晓东", "谢美玲", "宋建华", "唐丽娟", "许文彬", "韩冬梅",
         "冯志勇", "邓秀英", "曹国华", "彭丽萍", "曾凡荣", "肖建平", "田桂香", "董志华", "潘小燕"]


# ---------------------------------------------------------------- geometry helpers
class Lattice:
    """Vertices of a cols × rows tiling, interior vertices jittered (cells stay convex)."""

    def __init__(self, cols, rows, lng0, lat0, dx, dy, rng, jitter=0.12):
        self.v = {}
        for i in range(cols + 1):
            for j in range(rows + 1):
                jx = jy = 0.0
                if 0 < i < cols and 0 < j < rows:
                    jx, jy = rng.uniform(-jitter, jitter) * dx, rng.uniform(-jitter, jitter) * dy
                self.v[i, j] = (lng0 + i * dx + jx, lat0 + j * dy + jy)

    def ring(self, c, r):
        pts = [self.v[c, r], self.v[c + 1, r], self.v[c + 1, r + 1], self.v[c, r + 1]]
        return [[round(x, 6), round(y, 6)] for x, y in pts + pts[:1]]

    def at(self, c, r, u, v):
        a, b, cc, d = self.v[c, r], self.v[c + 1, r], self.v[c + 1, r + 1], self.v[c, r + 1]
        x = (1 - u) * (1 - v) * a[0] + u * (1 - v) * b[0] + u * v * cc[0] + (1 - u) * v * d[0]
        y = (1 - u) * (1 - v) * a[1] + u * (1 - v) * b[1] + u * v * cc[1] + (1 - u) * v * d[1]
        return [round(x, 6), round(y, 6)]


def _split(spec):
    parts = spec.split(":")
    aliases = [a for a in parts[2].split(",") if a] if len(parts) > 2 else []
    return parts[0], parts[1], aliases


def _compound(lat, c, r, name, numbers, aliases, slot, rng):
    u0, v0 = slot
    bl = []
    for k, no in enumerate(numbers):
        du = ((k % 4) - 1.5) * 0.06
        dv = ((k // 4) - 1) * 0.07
        bl.append({"no": str(no), "point": lat.at(c, r, min(0.93, max(0.07, u0 + du)),
                                                  min(0.93, max(0.07, v0 + dv)))})
    return {"name": name, "aliases": aliases, "point": lat.at(c, r, u0, v0), "buildings": bl}


def _boundary_roads(lat, c, r, cols, rows, ew, ns, per=40):
    """The main roads on this cell's edges, with the number range of its side."""
    roads = []
    for j, side_v, side in ((r, 0.04, "odd"), (r + 1, 0.96, "even")):  # south edge / north edge
        if j in ew:
            name, aliases = ew[j]
            lo = per * c + (1 if side == "odd" else 2)
            roads.append({"name": name, "aliases": aliases,
                          "numbers": {"from": lo, "to": lo + per - 2, "side": side},
                          "line": [lat.at(c, r, 0.05, side_v), lat.at(c, r, 0.95, side_v)]})
    for i, side_u, side in ((c, 0.04, "odd"), (c + 1, 0.96, "even")):  # west edge / east edge
        if i in ns:
            names = ns[i]
            name, aliases = names[min(r * len(names) // rows, len(names) - 1)]
            rr = r % (rows // len(names))
            lo = per * rr + (1 if side == "odd" else 2)
            roads.append({"name": name, "aliases": aliases,
                          "numbers": {"from": lo, "to": lo + per - 2, "side": side},
                          "line": [lat.at(c, r, side_u, 0.05), lat.at(c, r, side_u, 0.95)]})
    return roads


def sample_registry(seed=7) -> dict:
    rng = random.Random(seed)
    cols = rows = 6
    lat = Lattice(cols, rows, 116.400, 39.8965, 0.0058, 0.0045, rng)
    ew = EW_ROADS
    ns = NS_ROADS
    streets, communities, grids = [], [], []
    head_i = 0
    for s_suffix, s_name, s_alias, (c0, _c1), (r0, r1) in STREETS:
        s_code = DISTRICT["code"] + s_suffix
        streets.append({"code": s_code, "name": s_name, "aliases": s_alias,
                        "district": DISTRICT["code"]})
        for k, cm_name in enumerate(COMMUNITIES[s_suffix]):
            cm_code = f"{s_code}{k + 1:03d}"
            stem = cm_name[:-2]
            communities.append({"code": cm_code, "name": cm_name,
                                "aliases": [stem + "社区居委会", stem + "居委会"],
                                "street": s_code})
            c = c0 + k
            for n, r in enumerate(range(r0, r1)):
                hutongs, compounds, landmarks = CONTENT[c, r]
                g_name = f"{cm_name}第{NUM[n + 1]}网格"
                roads = _boundary_roads(lat, c, r, cols, rows, ew, ns)
                names = list(hutongs) + [h for h, cells in SPANNING.items() if (c, r) in cells]
                for h in names:
                    cells = SPANNING.get(h, [(c, r)])
                    idx = cells.index((c, r))
                    per = 36
                    lo, hi = idx * per + 1, (idx + 1) * per
                    v = 0.5 + rng.uniform(-0.15, 0.15) if h not in SPANNING else 0.55
                    u_a = 0.08 if idx == 0 else 0.03
                    u_b = 0.97 if idx < len(cells) - 1 else 0.92
                    roads.append({"name": h, "aliases": HUTONG_ALIASES.get(h, []),
                                  "numbers": {"from": lo, "to": hi, "side": "both"},
                                  "line": [lat.at(c, r, u_a, v), lat.at(c, r, u_b, v)]})
                slots = [(0.3, 0.3), (0.7, 0.72), (0.28, 0.75)]
                comp = []
                for q, spec in enumerate(compounds):
                    name, nb, aliases = _split(spec)
                    if name in SPLIT_COMPOUNDS:
                        numbers = list(SPLIT_COMPOUNDS[name][c, r])
                        slot = (0.45, 0.25) if r == 1 else (0.45, 0.75)
                    else:
                        numbers = list(range(1, int(nb) + 1))
                        slot = slots[q]
                    comp.append(_compound(lat, c, r, name, numbers, aliases, slot, rng))
                lm_slots = [(0.62, 0.32), (0.5, 0.55), (0.2, 0.52)]
                marks = []
                for q, spec in enumerate(landmarks):
                    name, kind, aliases = _split(spec)
                    u, v = lm_slots[q]
                    marks.append({"name": name, "kind": kind, "aliases": aliases,
                                  "point": lat.at(c, r, u + rng.uniform(-0.05, 0.05),
                                                  v + rng.uniform(-0.05, 0.05))})
                grids.append({
                    "code": f"{cm_code}{n + 1:03d}", "name": g_name,
                    "aliases": [f"{stem}{NUM[n + 1]}网格", f"{stem}社区{n + 1}网格"],
                    "community": cm_code,
                    "head": {"name": HEADS[head_i % len(HEADS)],
                             "phone": f"1380000{1001 + head_i:04d}"},
                    "polygon": {"type": "Polygon", "coordinates": [lat.ring(c, r)]},
                    "roads": roads, "compounds": comp, "landmarks": marks,
                })
                head_i += 1
    return {"name": "东安区网格登记（示例数据，虚构）", "version": "2024.1", "crs": "WGS84",
            "point_order": "lng,lat", "districts": [DISTRICT], "streets": streets,
            "communities": communities, "grids": grids}


# ---------------------------------------------------------------- synthetic large registry
CHARS = ("安和平康宁福泰兴华丰盛隆祥瑞景新明光德仁义礼智信春秋松柏桂兰梅竹清泉石溪"
         "金银玉宝龙凤云霞晨曦阳月星海江河山林园苑湖桥塘")
COMPOUND_SUFFIX = ["小区", "花园", "家园", "里", "公寓", "苑", "新村", "嘉园"]
HUTONG_SUFFIX = ["胡同", "路", "街", "巷"]
LANDMARK_KINDS = [("小学", "school"), ("中学", "school"), ("菜市场", "market"),
                  ("医院", "hospital"), ("公园", "park"), ("派出所", "police"),
                  ("超市", "supermarket"), ("公交站", "bus_stop"), ("卫生服务站", "clinic")]


def synthetic_registry(n_grids=1000, seed=11) -> dict:
    rng = random.Random(seed)
    cols = 40
    rows = (n_grids + cols - 1) // cols
    lat = Lattice(cols, rows, 116.30, 39.86, 0.0030, 0.0022, rng)
    stems = [a + b for a in CHARS for b in CHARS if a != b]
    rng.shuffle(stems)
    extra = [a + b + c for a in CHARS[:30] for b in CHARS[30:] for c in CHARS[:30] if a != c]
    rng.shuffle(extra)
    stems += extra
    it = iter(stems)
    ew = {j: (next(it) + "大街", []) for j in range(1, rows, 2)}
    ns = {i: [(next(it) + "大道", [])] for i in range(1, cols, 2)}
    d = {"code": "110198", "name": "合成区", "aliases": []}
    streets, communities, grids = [], [], []
    st_codes, cm_codes, per_cm = {}, {}, {}
    for idx in range(n_grids):
        r, c = divmod(idx, cols)
        s_key = (c // 10, r // 5)
        if s_key not in st_codes:
            code = f"{d['code']}{len(st_codes) + 1:03d}"
            st_codes[s_key] = code
            streets.append({"code": code, "name": next(it) + "街道", "aliases": [],
                            "district": d["code"]})
        cm_key = (c // 2, r // 5)
        if cm_key not in cm_codes:
            s_code = st_codes[s_key]
            n_in = sum(1 for x in communities if x["street"] == s_code)
            code = f"{s_code}{n_in + 1:03d}"
            cm_codes[cm_key] = code
            communities.append({"code": code, "name": next(it) + "社区", "aliases": [],
                                "street": s_code})
        cm_code = cm_codes[cm_key]
        per_cm[cm_code] = n_in = per_cm.get(cm_code, 0) + 1
        roads = _boundary_roads(lat, c, r, cols, rows, ew, ns)
        v = rng.uniform(0.35, 0.65)
        roads.append({"name": next(it) + rng.choice(HUTONG_SUFFIX), "aliases": [],
                      "numbers": {"from": 1, "to": 40, "side": "both"},
                      "line": [lat.at(c, r, 0.1, v), lat.at(c, r, 0.9, v)]})
        comp = [_compound(lat, c, r, next(it) + rng.choice(COMPOUND_SUFFIX),
                          range(1, rng.randint(3, 9)), [], slot, rng)
                for slot in [(0.3, 0.3), (0.7, 0.72)]]
        marks = []
        for (u, vv) in [(0.62, 0.32), (0.5, 0.55), (0.2, 0.52)]:
            suffix, kind = rng.choice(LANDMARK_KINDS)
            marks.append({"name": next(it) + suffix, "kind": kind, "aliases": [],
                          "point": lat.at(c, r, u, vv)})
        grids.append({"code": f"{cm_code}{n_in:03d}", "name": f"网格{idx + 1}",
                      "aliases": [], "community": cm_code,
                      "head": {"name": rng.choice(HEADS), "phone": f"1380001{idx:04d}"},
                      "polygon": {"type": "Polygon", "coordinates": [lat.ring(c, r)]},
                      "roads": roads, "compounds": comp, "landmarks": marks})
    return {"name": f"合成网格登记（{n_grids}网格，基准测试用）", "version": "bench",
            "crs": "WGS84", "point_order": "lng,lat", "districts": [d], "streets": streets,
            "communities": communities, "grids": grids}


def dumps(data) -> str:
    """Indented JSON with every [lng, lat] pair and number range on one line."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    pair = re.compile(r"\[\s*(-?[\d.]+),\s*(-?[\d.]+)\s*\]")
    text = pair.sub(r"[\1, \2]", text)
    text = re.compile(r"\[\s*(\[[^\[\]]*\](?:,\s*\[[^\[\]]*\])*)\s*\]").sub(
        lambda m: "[" + re.sub(r",\s+\[", ", [", m.group(1)) + "]", text)
    text = re.sub(r'"aliases": \[\s*([^\[\]]*?)\s*\]',
                  lambda m: '"aliases": [' + re.sub(r",\s+", ", ", m.group(1)) + "]", text)
    text = re.sub(r'"numbers": \{\s*([^{}]*?)\s*\}',
                  lambda m: '"numbers": {' + re.sub(r",\s+", ", ", m.group(1)) + "}", text)
    text = re.sub(r'"head": \{\s*([^{}]*?)\s*\}',
                  lambda m: '"head": {' + re.sub(r",\s+", ", ", m.group(1)) + "}", text)
    text = re.sub(r'\{\s*("no": [^{}]*?)\s*\}',
                  lambda m: "{" + re.sub(r",\s+", ", ", m.group(1)) + "}", text)
    return text + "\n"


def _pt(p) -> list[str]:
    """[lng, lat] → the CSV's lat, lng columns."""
    return [f"{p[1]:.6f}", f"{p[0]:.6f}"] if p else ["", ""]


def write_sources(data: dict, out: Path) -> dict:
    """A registry dict → grids.geojson, addresses.csv, pois.csv in ``out`` (the import's
    inputs); every house number of a road's range becomes an address at its position on the
    road. Returns the counts written."""
    from classifiers.locate.registry import Registry

    reg = Registry.from_dict(data)
    out.mkdir(parents=True, exist_ok=True)
    feats = []
    for level, key, parent in (("district", "districts", None), ("street", "streets", "district"),
                               ("community", "communities", "street")):
        for a in data[key]:
            props = {"level": level, "code": a["code"], "name": a["name"], "aliases": a["aliases"]}
            if parent:
                props["parent"] = a[parent]
            feats.append({"type": "Feature", "properties": props, "geometry": None})
    for g in data["grids"]:
        feats.append({"type": "Feature", "geometry": g["polygon"], "properties": {
            "level": "grid", "code": g["code"], "name": g["name"], "aliases": g["aliases"],
            "parent": g["community"], "head_name": g["head"]["name"],
            "head_phone": g["head"]["phone"]}})
    doc = {"type": "FeatureCollection", "name": data["name"], "version": data["version"],
           "features": feats}
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    text = re.sub(r"\[\s*(-?[\d.]+),\s*(-?[\d.]+)\s*\]", r"[\1, \2]", text)
    (out / "grids.geojson").write_text(text + "\n", encoding="utf-8")
    named: set[str] = set()
    n_addr = n_poi = 0
    with (out / "addresses.csv").open("w", encoding="utf-8", newline="") as fa, \
            (out / "pois.csv").open("w", encoding="utf-8", newline="") as fp:
        wa, wp = csv.writer(fa, lineterminator="\n"), csv.writer(fp, lineterminator="\n")
        wa.writerow(["address", "grid", "lat", "lng", "aliases"])
        wp.writerow(["name", "kind", "grid", "lat", "lng", "aliases"])

        def aliases(name, al):
            if name in named:
                return ""
            named.add(name)
            return "|".join(al)
        for g in data["grids"]:
            grid = reg.grids[g["code"]]
            for r in grid.roads:
                if r.lo is None:
                    p = r.line[0] if r.line else None
                    wa.writerow([r.name, g["code"], *_pt(p and (p.lng, p.lat)), aliases(r.name, r.aliases)])
                    n_addr += 1
                    continue
                for no in range(r.lo, r.hi + 1):
                    if r.has_number(no):
                        p = r.point_for(no)
                        wa.writerow([f"{r.name}{no}号", g["code"], *_pt(p and (p.lng, p.lat)),
                                     aliases(r.name, r.aliases)])
                        n_addr += 1
            for c in g["compounds"]:
                wa.writerow([c["name"], g["code"], *_pt(c.get("point")), aliases(c["name"], c["aliases"])])
                n_addr += 1
                for b in c["buildings"]:
                    wa.writerow([f"{c['name']}{b['no']}号楼", g["code"], *_pt(b.get("point")), ""])
                    n_addr += 1
            for m in g["landmarks"]:
                wp.writerow([m["name"], m["kind"], g["code"], *_pt(m.get("point")), "|".join(m["aliases"])])
                n_poi += 1
    return {"grids": len(data["grids"]), "addresses": n_addr, "pois": n_poi}


def main(argv=None):
    from classifiers.locate.registry_import import import_registry, write_registry

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--synthetic", type=int, default=0, help="number of grids (0: the sample)")
    ap.add_argument("--out", type=Path, default=None, help="directory for the source files")
    args = ap.parse_args(argv)
    if args.synthetic:
        data = synthetic_registry(args.synthetic)
        out = args.out or Path(f"/tmp/grids_{args.synthetic}")
    else:
        data = sample_registry()
        out = args.out or SAMPLE_SOURCES
    counts = write_sources(data, out)
    print(f"wrote {out}: {counts}")
    if not args.synthetic and args.out is None:
        write_registry(import_registry(out / "grids.geojson", out / "addresses.csv",
                                       out / "pois.csv"), SAMPLE_OUT)
        print(f"imported into {SAMPLE_OUT}")


if __name__ == "__main__":
    main()
