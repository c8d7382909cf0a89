"""Duplicate detection on text-only report pairs through the gateway's real intake path.

    .venv/bin/python bench/dedupe_intake_eval.py                  # the frozen pairs
    .venv/bin/python bench/dedupe_intake_eval.py --data FILE.jsonl --errors   # a tuning set

For each pair, report A is posted to POST /api/v1/reports (description only; a phone number
when the pair says it comes from the same person as B), then report B; B's answer says
whether it joined A's case ("attached": auto-attach) or was filed with A among its
`duplicate_candidates` ("suggest"). Both cases are then closed through the core API, so the
next pair meets an index without them: every pair is judged alone, as in a city where the
two reports are the only ones at that place. Nothing but the description reaches the
gateway: no grid, no coordinates, no category hint — the places in these pairs are not in
the registry. B is posted right after A, so time proximity counts fully (it weighs 10 %).

Frozen sets (bench/data/frozen/) print figures only.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.gateway_client import running_gateway  # noqa: E402

FROZEN = ROOT / "bench" / "data" / "frozen"


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


async def close(gw, case_no: str, n: int) -> None:
    async with gw.http.post(f"{gw.base}/api/v1/workorders/{case_no}/status", headers=gw.core,
                            json={"status": "rejected", "note": "评测结束", "update_id": f"eval-close-{n}"}) as resp:
        if resp.status not in (200, 409):
            raise RuntimeError(f"closing {case_no}: {resp.status} {await resp.text()}")


async def judge(pairs: list[dict], config: str) -> list[tuple[dict, str]]:
    results = []
    async with running_gateway(config, concurrency=2) as gw:
        for i, pair in enumerate(pairs):
            phone_a = f"1380000{i:04d}"
            phone_b = phone_a if pair.get("same_reporter") else f"1390000{i:04d}"
            a = await gw.report(pair["a"]["text"], f"pair-{i:05d}-a", phone=phone_a)
            b = await gw.report(pair["b"]["text"], f"pair-{i:05d}-b", phone=phone_b)
            if b["outcome"] == "attached" and b["case_no"] == a["case_no"]:
                action = "attach"
            elif b["outcome"] == "attached":
                action = "attach-elsewhere"
            elif a["case_no"] in {c["case_no"] for c in b["workorder"].get("duplicate_candidates") or []}:
                action = "suggest"
            else:
                action = "new"
            results.append(({**pair, "a_place": a["workorder"]["location"].get("place"),
                             "b_place": b["workorder"]["location"].get("place")}, action))
            for n, case_no in enumerate({a["case_no"], b["case_no"]}):
                await close(gw, case_no, i * 2 + n)
    return results


def figures(results: list[tuple[dict, str]], positive: set[str]) -> dict:
    tp = sum(1 for r, act in results if act in positive and r["duplicate"])
    fp = sum(1 for r, act in results if act in positive and not r["duplicate"])
    fn = sum(1 for r, act in results if act not in positive and r["duplicate"])
    return {"precision": round(tp / (tp + fp), 3) if tp + fp else None,
            "recall": round(tp / (tp + fn), 3) if tp + fn else None, "tp": tp, "fp": fp, "fn": fn}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, help="labelled pairs (default: the frozen set)")
    p.add_argument("--config", default="", help="extra settings (TOML text) for the gateway")
    p.add_argument("--limit", type=int)
    p.add_argument("--errors", action="store_true", help="list mistakes (tuning sets only)")
    args = p.parse_args()
    path = args.data or FROZEN / "dedupe_frozen_v1.jsonl"
    pairs = load(path)[: args.limit] if args.limit else load(path)
    results = asyncio.run(judge(pairs, args.config))
    kinds: dict[str, Counter] = defaultdict(Counter)
    for r, act in results:
        kinds[r["kind"]][act] += 1
    print(json.dumps({
        "set": str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path),
        "pairs": len(results), "duplicates": sum(r["duplicate"] for r, _ in results),
        "auto_attach": figures(results, {"attach"}),
        "suggest_or_attach": figures(results, {"attach", "suggest"}),
        "attached_to_another_case": sum(act == "attach-elsewhere" for _, act in results),
        "per_kind": {k: dict(v) for k, v in sorted(kinds.items())},
    }, ensure_ascii=False, indent=2))
    if args.errors:
        if FROZEN in path.resolve().parents:
            print("(mistakes on a frozen set are not listed: it must stay unseen by tuning)")
            return 0
        for r, act in results:
            wrong = (act == "attach") != r["duplicate"]
            if wrong:
                print(f"{r['id']} {r['kind']} dup={r['duplicate']} → {act}\n  A {r['a_place']} {r['a']['text'][:60]}"
                      f"\n  B {r['b_place']} {r['b']['text'][:60]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
