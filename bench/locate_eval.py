"""Grid accuracy of the locator on the labelled place descriptions.

    .venv/bin/python bench/locate_eval.py [--data bench/data/places_labelled.jsonl]
                                          [--registry classifiers/data/grids.json] [-v]

Each line of the data: {"text", "lat"?, "lng"?, "grid": expected code or null}; null means
"no grid can be given: the locator should flag it for review".

Prints: accuracy among the results not flagged for review (the ones that would go
through without an operator), the share flagged, the overall accuracy (a flagged item
counts as correct only when its label is null or the suggested grid is right) and the
errors (unflagged wrong grids, and labelled items flagged).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifiers.locate.locator import GridLocator  # noqa: E402
from classifiers.locate.registry import DEFAULT_REGISTRY  # noqa: E402
from gateway.models import GeoPoint  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="locator accuracy on labelled places")
    ap.add_argument("--data", default=str(ROOT / "bench" / "data" / "places_labelled.jsonl"))
    ap.add_argument("--registry", default=str(DEFAULT_REGISTRY))
    ap.add_argument("-v", "--verbose", action="store_true", help="also list flagged items")
    args = ap.parse_args(argv)
    loc = GridLocator(args.registry)
    rows = [json.loads(line) for line in Path(args.data).read_text(encoding="utf-8").splitlines()
            if line.strip()]
    n = len(rows)
    passed = passed_ok = flagged = flagged_null = overall_ok = 0
    wrong, missed, flagged_items = [], [], []
    t0 = time.perf_counter()
    for r in rows:
        point = None
        if "lat" in r and "lng" in r:
            point = GeoPoint(lat=float(r["lat"]), lng=float(r["lng"]))
        res = loc.locate(r["text"], point)
        want = r.get("grid")
        if res.needs_review:
            flagged += 1
            flagged_null += want is None
            ok = want is None or res.grid_code == want
            flagged_items.append((r, res))
            if want is not None:
                missed.append((r, res))
        else:
            passed += 1
            ok = res.grid_code == want
            passed_ok += ok
            if not ok:
                wrong.append((r, res))
        overall_ok += ok
    ms = (time.perf_counter() - t0) * 1000 / max(1, n)
    labelled = sum(1 for r in rows if r.get("grid"))
    print(f"items: {n} ({labelled} with a grid, {n - labelled} that should be flagged)")
    print(f"accuracy among not flagged: {passed_ok}/{passed} = {passed_ok / max(1, passed):.1%}"
          "   (target ≥ 95%)")
    print(f"flagged for review:         {flagged}/{n} = {flagged / max(1, n):.1%}"
          f"   ({flagged_null} of them labelled null; target ≤ 20%)")
    print(f"overall accuracy:           {overall_ok}/{n} = {overall_ok / max(1, n):.1%}")
    print(f"labelled items flagged:     {len(missed)}/{labelled}")
    print(f"mean time per report:       {ms:.2f} ms")
    if wrong:
        print("\nWRONG grid, not flagged:")
        for r, res in wrong:
            print(f"  want {r.get('grid')} got {res.grid_code or '-'} ({res.confidence:.2f}) "
                  f"{r['text'][:60]}  | {'; '.join(res.evidence)[:120]}")
    if missed:
        print("\nlabelled but flagged:")
        for r, res in missed:
            print(f"  want {r.get('grid')} got {res.grid_code or '-'} ({res.confidence:.2f}) "
                  f"{r['text'][:50]}  | {'; '.join(res.review_reasons)[:100]}")
    if args.verbose:
        print("\nall flagged:")
        for r, res in flagged_items:
            print(f"  [{r.get('grid') or 'null'}] {r['text'][:50]} → {res.address} | "
                  f"{'; '.join(res.review_reasons)[:100]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
