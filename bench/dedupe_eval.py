"""Precision and recall of duplicate detection on labelled report pairs.

    .venv/bin/python bench/dedupe_eval.py [--pairs bench/data/dedupe_pairs.jsonl]
        [--attach 0.80] [--suggest 0.55] [--no-hotissues] [--sweep] [--errors]

For each pair, report A is filed as an open case in an empty index and report B is checked
against it `minutes` later. "attach" counts as a positive for the automatic-attachment
figures; "suggest" or "attach" for the operator-suggestion figures.

Unless --no-hotissues is given, the exact re-posts found in
../shared/data/tipdm2020c/hotissues.jsonl (real messages posted twice; read at run time, never
copied into the project) are added as further duplicate pairs, each placed in one grid with
an unknown category and reported separately as well as in the total.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifiers.dedupe.index import DuplicateIndex, OpenCase  # noqa: E402
from gateway.models import CST, GeoPoint  # noqa: E402

HOTISSUES = ROOT.parent / "shared" / "data" / "tipdm2020c" / "hotissues.jsonl"
T0 = datetime(2024, 6, 3, 9, 0, tzinfo=CST)


def load_pairs(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def hotissue_reposts(path: Path) -> list[dict]:
    """Pairs of identical messages (same text) posted twice, as duplicate pairs."""
    if not path.exists():
        return []
    first: dict[str, dict] = {}
    pairs = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            key = (row.get("text") or "").strip()
            if len(key) < 10:
                continue
            if key in first:
                a = first[key]
                pairs.append({
                    "id": f"hot-{row['id']}",
                    "kind": "hotissues_repost",
                    "a": {"text": (a.get("title", "") + "。" + a["text"]), "category": "",
                          "grid": "H01", "reporter": "user:" + str(a.get("user", ""))},
                    "b": {"text": (row.get("title", "") + "。" + row["text"]), "category": "",
                          "grid": "H01", "reporter": "user:" + str(row.get("user", ""))},
                    "minutes": 60,
                    "duplicate": True,
                })
            else:
                first[key] = row
    return pairs


def point(side: dict) -> GeoPoint | None:
    if "lat" in side and "lng" in side:
        return GeoPoint(side["lat"], side["lng"])
    return None


def run(pairs: list[dict], attach: float, suggest: float) -> list[tuple[dict, str, float]]:
    results = []
    for rec in pairs:
        index = DuplicateIndex(attach_threshold=attach, suggest_threshold=suggest)
        a, b = rec["a"], rec["b"]
        index.add(OpenCase(
            case_no="A", text=a["text"], category_code=a.get("category", ""),
            grid_code=a.get("grid", ""), point=point(a), created_at=T0,
            reporter_keys={a["reporter"]} if a.get("reporter") else set(),
        ))
        check = index.check(
            b["text"], b.get("category", ""), [], b.get("grid", ""), point(b),
            [b["reporter"]] if b.get("reporter") else [], T0 + timedelta(minutes=rec["minutes"]),
        )
        score = check.candidates[0].score if check.candidates else 0.0
        results.append((rec, check.action, score))
    return results


def figures(results, positive: set[str]) -> tuple[float, float, int, int, int]:
    tp = sum(1 for r, act, _ in results if act in positive and r["duplicate"])
    fp = sum(1 for r, act, _ in results if act in positive and not r["duplicate"])
    fn = sum(1 for r, act, _ in results if act not in positive and r["duplicate"])
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, tp, fp, fn


def report(title: str, results) -> None:
    n = len(results)
    dup = sum(1 for r, _, _ in results if r["duplicate"])
    print(f"\n== {title}: {n} pairs ({dup} duplicates, {n - dup} not)")
    for label, positive in (("attach automatically", {"attach"}),
                            ("suggest or attach   ", {"attach", "suggest"})):
        p, r, tp, fp, fn = figures(results, positive)
        print(f"  {label}: precision {p:.3f}  recall {r:.3f}  (tp {tp}, fp {fp}, fn {fn})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=Path, default=ROOT / "bench" / "data" / "dedupe_pairs.jsonl")
    ap.add_argument("--attach", type=float, default=DuplicateIndex().attach_threshold)
    ap.add_argument("--suggest", type=float, default=DuplicateIndex().suggest_threshold)
    ap.add_argument("--no-hotissues", action="store_true")
    ap.add_argument("--sweep", action="store_true", help="print figures for other thresholds")
    ap.add_argument("--errors", action="store_true", help="list the pairs decided wrongly")
    args = ap.parse_args()

    pairs = load_pairs(args.pairs)
    hot = [] if args.no_hotissues else hotissue_reposts(HOTISSUES)
    print(f"thresholds: attach {args.attach}, suggest {args.suggest}")
    own = run(pairs, args.attach, args.suggest)
    report(f"hand-written pairs ({args.pairs.name})", own)

    by_kind: dict[str, Counter] = defaultdict(Counter)
    for r, act, _ in own:
        by_kind[r["kind"]][act] += 1
    print("\n  per kind (label → actions):")
    for kind, acts in sorted(by_kind.items()):
        label = "dup" if next(r for r, _, _ in own if r["kind"] == kind)["duplicate"] else "not"
        print(f"    {kind:28s} {label}: " + ", ".join(f"{a} {c}" for a, c in sorted(acts.items())))

    if hot:
        hres = run(hot, args.attach, args.suggest)
        report(f"real re-posts from {HOTISSUES.name} (read at run time)", hres)
        report("all pairs", own + hres)
    elif not args.no_hotissues:
        print(f"\n({HOTISSUES} not found: real re-posts skipped)")

    if args.errors:
        print("\n  wrong decisions (attach on a non-duplicate, new on a duplicate):")
        for r, act, score in own:
            if (act == "attach" and not r["duplicate"]) or (act == "new" and r["duplicate"]):
                print(f"    {r['id']} {r['kind']} → {act} ({score:.3f})\n      A: {r['a']['text']}\n      B: {r['b']['text']}")

    if args.sweep:
        print("\n  sweep on the hand-written pairs (attach threshold: precision / recall of attach):")
        for t in (0.70, 0.72, 0.74, 0.76, 0.78, 0.80, 0.82, 0.84, 0.86, 0.88, 0.90):
            res = run(pairs, t, min(t, args.suggest))
            p, r, *_ = figures(res, {"attach"})
            print(f"    attach ≥ {t:.2f}: precision {p:.3f}  recall {r:.3f}")


if __name__ == "__main__":
    main()
