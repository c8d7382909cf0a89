"""Decision time and memory of the duplicate index with 100,000 and 1,000,000 open cases.

    .venv/bin/python bench/dedupe_bench.py [--sizes 100000 1000000] [--checks 2000]
        [--grids 1000] [--categories 100] [--days 30] [--hotissues]

Fills one index with synthetic open cases spread over ~1,000 grids, ~100 categories (10
parents of 10) and 30 days — texts from templates of real report shapes (place, building,
problem, filler), or with --hotissues from the titles and first sentences of
../shared/data/tipdm2020c/hotissues.jsonl read at run time — half of them with coordinates,
reporters drawn so that some (grid workers) have hundreds of cases; 30 % are text-only
reports naming a place no registry holds (one of 3,000 roads + number, or one of 3,000
compounds + building), found again by their structured place. At each size it times
`check` for a mix of reports (grid + category; coordinates; a named unregistered place; same
reporter; neither grid nor coordinates; unknown category) and prints p50/p99, plus the resident memory growth per case
(RSS from /proc, so it includes everything the index keeps: strings, slots, dict buckets).
"""
from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifiers.dedupe.index import DuplicateIndex, OpenCase, warm_up  # noqa: E402
from gateway.models import CST, GeoPoint  # noqa: E402

HOTISSUES = ROOT.parent / "shared" / "data" / "tipdm2020c" / "hotissues.jsonl"
NOW = datetime(2024, 7, 1, 12, 0, tzinfo=CST)

ESTATES = ["幸福", "和平", "锦园", "明理苑", "滨江", "银河", "阳光", "金色家园", "翠湖", "东湖",
           "长青", "新华", "建设", "桂花", "荷塘", "书香", "朝阳", "红星", "星城", "橘园"]
KINDS = ["小区", "花园", "新村", "公寓", "家园"]
SPOTS = ["东门", "西门", "南门", "北门", "门口", "楼下", "停车场", "路口", "对面", "旁边"]
PROBLEMS = [
    "路灯坏了晚上一片漆黑", "井盖不见了很危险", "自来水管爆了到处是水", "下水道堵了污水往外冒",
    "垃圾堆了好几天没人清", "有人乱倒建筑垃圾", "烧烤店油烟太大", "流动摊贩占道经营",
    "工地半夜施工太吵", "墙上贴满小广告", "消防通道被车堵了", "大树被风刮倒了",
    "红绿灯坏了一直闪黄灯", "路面有个大坑", "广场舞音响太吵", "电梯坏了一个星期",
    "停水一整天没通知", "流浪狗追咬行人", "垃圾桶破了没人换", "一下雨就积水",
]
TAILS = ["", "，麻烦尽快处理", "，好几天了", "，请派人来看看", "，谢谢", "，到底有没有人管",
         "，老人小孩出门很危险", "，希望相关部门管一管"]
OPENERS = ["", "", "你好，", "喂，那个", "我要反映一下，", "您好，我想问一下"]
# Places that are in no registry: a city's worth of road and compound names, for the
# text-only reports the duplicate index finds by their named place.
NAME_CHARS = "安宁和平幸福建设人民解放胜利光明团结友谊新华长江黄河中山朝阳东风红旗文化学府青年民主振兴富强兴业"
ROAD_SUFFIXES = ["路", "街", "大道", "巷", "北路", "南路"]


def rss_bytes() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class World:
    def __init__(self, grids: int, categories: int, days: int, seed: int, hot_texts: list[str]):
        self.r = random.Random(seed)
        self.days = days
        self.grids = [f"G{i:04d}" for i in range(grids)]
        side = int(grids ** 0.5) + 1
        # grids ~1 km apart on a square around (28.2, 112.97)
        self.centre = {g: (28.05 + (i // side) * 0.009, 112.80 + (i % side) * 0.0102)
                       for i, g in enumerate(self.grids)}
        parents = max(1, categories // 10)
        self.codes = [f"SJ-{p + 1:02d}{c + 1:03d}" for p in range(parents) for c in range(10)][:categories]
        self.hot = hot_texts
        self.seq = 0
        self.workers = [f"app:gw{i}" for i in range(200)]  # grid workers: many cases each
        names = [a + b for a in NAME_CHARS for b in NAME_CHARS if a != b]
        self.r.shuffle(names)
        self.roads = list(dict.fromkeys(n + self.r.choice(ROAD_SUFFIXES) for n in names))[:3000]
        self.compounds = list(dict.fromkeys(n + k for n in names[:1500] for k in KINDS[:2]))[:3000]

    def named_place(self) -> tuple[str, dict]:
        """A place no registry holds, as words and as the structured place read from them."""
        r = self.r
        if r.random() < 0.5:
            road, number = r.choice(self.roads), str(r.randrange(1, 300))
            return f"{road}{number}号门口", {"road": road, "number": number, "side": "门口"}
        compound, building = r.choice(self.compounds), str(r.randrange(1, 30))
        return f"{compound}{building}号楼下", {"compound": compound, "building": building, "side": "下"}

    def text(self, code: str, grid: str) -> str:
        r = self.r
        if self.hot:
            return r.choice(self.hot)
        problem = PROBLEMS[(hash(code) + r.randrange(2)) % len(PROBLEMS)]
        estate = ESTATES[hash(grid) % len(ESTATES)] + KINDS[hash(grid) // 7 % len(KINDS)]
        return (f"{r.choice(OPENERS)}{estate}{r.randrange(1, 30)}号楼{r.choice(SPOTS)}"
                f"{problem}{r.choice(TAILS)}")

    def point(self, grid: str) -> GeoPoint | None:
        if self.r.random() < 0.5:
            return None
        lat, lng = self.centre[grid]
        return GeoPoint(lat + self.r.uniform(-0.004, 0.004), lng + self.r.uniform(-0.005, 0.005))

    def reporter(self) -> set[str]:
        r = self.r
        if r.random() < 0.2:
            return {r.choice(self.workers)}
        return {f"tel:1{r.randrange(10**9, 10**10)}"}

    def case(self) -> OpenCase:
        r = self.r
        self.seq += 1
        grid = r.choice(self.grids)
        code = r.choice(self.codes)
        placeless = r.random() < 0.02
        text, place = self.text(code, grid), {}
        if r.random() < 0.3:  # named a place outside the registry: no grid, no coordinates
            words, place = self.named_place()
            text, grid, placeless = words + PROBLEMS[hash(code) % len(PROBLEMS)], "", True
        return OpenCase(
            case_no=f"2024{self.seq:09d}",
            text=text,
            category_code=code,
            grid_code="" if placeless else grid,
            point=None if placeless else self.point(grid),
            created_at=NOW - timedelta(seconds=r.uniform(0, self.days * 86400)),
            reporter_keys=self.reporter(),
            place=place,
        )


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def run_checks(index: DuplicateIndex, world: World, n: int) -> dict[str, list[float]]:
    r = random.Random(7)
    times: dict[str, list[float]] = {k: [] for k in ("grid+category", "point", "same reporter", "no place",
                                                     "named place", "no category", "all")}
    actions: dict[str, int] = {}
    for i in range(n):
        kind = ("grid+category", "grid+category", "point", "named place", "named place",
                "same reporter", "no place", "no category")[i % 8]
        grid = r.choice(world.grids)
        code = r.choice(world.codes)
        text = world.text(code, grid)
        point = None
        grid_code = grid
        keys: set[str] = {f"tel:1{r.randrange(10**9, 10**10)}"}
        if kind == "point":
            point = world.point(grid) or GeoPoint(*world.centre[grid])
            grid_code = ""
        elif kind == "same reporter":
            keys = {r.choice(world.workers)}
        elif kind == "no place":
            grid_code = ""
        elif kind == "no category":
            code = ""
        place: dict = {}
        if kind == "named place":
            words, place = world.named_place()
            text, grid_code = words + PROBLEMS[hash(code) % len(PROBLEMS)], ""
        t = time.perf_counter()
        result = index.check(text, code, [], grid_code, point, keys, NOW, place=place)
        elapsed = (time.perf_counter() - t) * 1000
        times[kind].append(elapsed)
        times["all"].append(elapsed)
        actions[result.action] = actions.get(result.action, 0) + 1
    print("    actions:", ", ".join(f"{k} {v}" for k, v in sorted(actions.items())))
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--checks", type=int, default=2000)
    ap.add_argument("--grids", type=int, default=1000)
    ap.add_argument("--categories", type=int, default=100)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--hotissues", action="store_true", help="texts from hotissues.jsonl")
    args = ap.parse_args()

    hot: list[str] = []
    if args.hotissues:
        with HOTISSUES.open(encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                hot.append((row.get("title") or "") + "。" + (row.get("text") or "")[:80])
    world = World(args.grids, args.categories, args.days, 1, hot)
    warm_up()  # jieba's dictionary and the models the index reads, before measuring (as the gateway does)
    index = DuplicateIndex()
    print(f"index: attach {index.attach_threshold}, suggest {index.suggest_threshold}, "
          f"radius {index.radius_m} m, window {index.window}; {args.grids} grids, "
          f"{len(world.codes)} categories, {args.days} days; texts: {'hotissues' if hot else 'templates'}")
    gc.collect()
    base_rss = rss_bytes()
    filled = 0
    add_time = 0.0
    for size in sorted(args.sizes):
        t = time.perf_counter()
        while filled < size:
            index.add(world.case())
            filled += 1
        add_time += time.perf_counter() - t
        gc.collect()
        grown = rss_bytes() - base_rss
        print(f"\n== {len(index):,} open cases (filled in {add_time:.0f} s, "
              f"{add_time / filled * 1e6:.0f} µs per add)")
        print(f"    memory growth (RSS): {grown / 2**20:.0f} MiB, {grown / filled:.0f} bytes per case")
        times = run_checks(index, world, args.checks)
        for kind, values in times.items():
            if values:
                print(f"    check {kind:14s} n={len(values):5d}  p50 {percentile(values, 0.5):6.2f} ms"
                      f"  p99 {percentile(values, 0.99):6.2f} ms  max {max(values):6.2f} ms")


if __name__ == "__main__":
    main()
