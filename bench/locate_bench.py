"""Speed (and, as a side result, accuracy) of the locator on a 1,000-grid registry.

    .venv/bin/python bench/locate_bench.py [--grids 1000] [--texts 3000] [--registry FILE]

Builds the synthetic registry of bench/make_registry.py (or loads --registry), times
validation + index start-up and the resident memory it takes, then locates --texts
generated citizen reports (compound + building, road + number, landmark + direction,
homophones, a missing character, coordinates alone or with text, no place at all) and
prints mean / p50 / p99 milliseconds per report, with the grid accuracy on those texts.
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from make_registry import synthetic_registry  # noqa: E402

from classifiers.locate.locator import GridLocator  # noqa: E402
from classifiers.locate.registry import Registry  # noqa: E402
from gateway.models import GeoPoint  # noqa: E402

ISSUES = ["门口的路灯坏了好几天了", "旁边垃圾堆了一个星期没人清", "楼下有人占道摆摊", "那儿井盖丢了，很危险",
          "附近施工噪音太大，晚上睡不着", "的下水道堵了，污水漫到路上", "有人私搭乱建", "门前共享单车乱停"]
OPENERS = ["", "你好，", "我要反映个事，", "喂，那个，", "我家住在", "麻烦你们看一下，"]
HOMOPHONE = dict(zip("安和平康宁福泰兴华丰盛隆祥瑞景新明光德仁义礼智信春秋松柏桂兰梅竹清泉石溪金银玉宝龙凤云霞晨阳月星海江河山林园苑湖桥塘",
                     "庵河萍糠凝富太星花风胜龙翔锐井心名广得人意李志心纯丘送百贵蓝美住青全时西今音宇保隆风运夏辰洋越兴害将和三琳圆院胡乔堂"))
DIRS = ["东门对面", "后面", "旁边", "北侧", "门口", "附近", ""]
NOPLACE = ["我家楼下的路灯坏了好几天了", "物业不管事，垃圾好几天没人收", "我想咨询一下居住证怎么办",
           "楼上邻居半夜装修太吵了", "单位拖欠工资三个月了", "小区门口的井盖松了"]


def make_texts(reg: Registry, n: int, seed: int = 3):
    rng = random.Random(seed)
    grids = list(reg.grids.values())
    out = []
    for _ in range(n):
        g = rng.choice(grids)
        kind = rng.random()
        opener, issue = rng.choice(OPENERS), rng.choice(ISSUES)
        point = None
        want = g.code
        if kind < 0.25:
            c = rng.choice(g.compounds)
            b = rng.choice(list(c.buildings))
            text = f"{opener}{c.name}{b}号楼{rng.randint(1, 4)}单元{issue}"
        elif kind < 0.45:
            r = rng.choice([r for r in g.roads if r.lo is not None])
            no = rng.randrange(r.lo, r.hi + 1)
            if not r.has_number(no):
                no += 1
            text = f"{opener}{r.name}{no}号{issue}"
        elif kind < 0.6:
            m = rng.choice(g.landmarks)
            text = f"{opener}{m.name}{rng.choice(DIRS)}{issue}"
        elif kind < 0.7:  # speech recognition: one character replaced by a homophone
            c = rng.choice(g.compounds)
            i = rng.randrange(len(c.name) - 2) if len(c.name) > 3 else 0
            name = c.name[:i] + HOMOPHONE.get(c.name[i], c.name[i]) + c.name[i + 1:]
            b = rng.choice(list(c.buildings))
            text = f"{opener}{name}{b}号楼{issue}"
        elif kind < 0.75:  # a character missing from a road name, with a number
            r = [r for r in g.roads if r.lo is not None][-1]
            name = r.name if len(r.name) < 4 else r.name[:1] + r.name[2:]
            no = r.lo + 2
            text = f"{opener}{name}{no}号{issue}"
        elif kind < 0.85:  # a pin with a vague text
            p = g.polygon.representative_point()
            point = GeoPoint(lat=p.y, lng=p.x)
            text = f"这里{issue}"
        elif kind < 0.93:  # text and pin together
            c = rng.choice(g.compounds)
            p = g.polygon.representative_point()
            point = GeoPoint(lat=p.y, lng=p.x)
            text = f"{c.name}{issue}"
        else:
            text = rng.choice(NOPLACE)
            want = None
        out.append((text, point, want))
    return out


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="locator speed on a large registry")
    ap.add_argument("--grids", type=int, default=1000)
    ap.add_argument("--texts", type=int, default=3000)
    ap.add_argument("--registry", default="")
    args = ap.parse_args(argv)
    base = rss_mb()
    t0 = time.perf_counter()
    if args.registry:
        data = json.loads(Path(args.registry).read_text(encoding="utf-8"))
    else:
        data = synthetic_registry(args.grids)
    t1 = time.perf_counter()
    reg = Registry.from_dict(data, source=args.registry or f"<synthetic {args.grids}>")
    t2 = time.perf_counter()
    loc = GridLocator(reg)
    t3 = time.perf_counter()
    print(f"registry: {len(reg.grids)} grids, {len(loc._index.entries)} indexed names")
    print(f"start-up: build/read {t1 - t0:.2f} s, validate {t2 - t1:.2f} s, "
          f"locator index (jieba + pinyin) {t3 - t2:.2f} s; peak RSS {rss_mb():.0f} MB "
          f"({rss_mb() - base:.0f} MB over the interpreter)")
    texts = make_texts(reg, args.texts)
    for text, point, _ in texts[:50]:  # warm the caches
        loc.locate(text, point)
    times, ok, flagged, passed_ok = [], 0, 0, 0
    for text, point, want in texts:
        s = time.perf_counter()
        res = loc.locate(text, point)
        times.append((time.perf_counter() - s) * 1000)
        if res.needs_review:
            flagged += 1
            ok += want is None or res.grid_code == want
        else:
            ok += res.grid_code == want
            passed_ok += res.grid_code == want
    times.sort()
    n = len(times)
    print(f"{n} reports: mean {statistics.fmean(times):.3f} ms, p50 {times[n // 2]:.3f} ms, "
          f"p99 {times[int(n * 0.99) - 1]:.3f} ms, max {times[-1]:.3f} ms   (target mean < 2 ms)")
    print(f"generated-text accuracy: not flagged {passed_ok}/{n - flagged} = "
          f"{passed_ok / max(1, n - flagged):.1%}, flagged {flagged / n:.1%}, overall {ok / n:.1%}")
    long_text = "楼道里的灯坏了，" * 6250
    s = time.perf_counter()
    loc.locate(long_text)
    print(f"one 50,000-character text: {(time.perf_counter() - s) * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
