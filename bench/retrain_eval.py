"""Learning from operators, end to end: 200 operator-style corrections in one weak category
(无证餐饮, SJ-09015) raise that category's F1 on a held-out set.

    .venv/bin/python bench/retrain_eval.py

1. A gateway (default model, hotline on) receives each text of
   bench/data/corrections_SJ-09015.jsonl as a hotline call (signed CTI webhook: call.new,
   transcript.ready, call.hangup); an operator signs in to the console and confirms each
   held ticket with the category the record gives (correcting the suggestion where it is
   wrong) — every confirmation is a label.
2. `run.py export-labels` writes the labels; `run.py train --classifier --data` retrains
   (the project's corpus plus the labels).
3. The held-out set bench/data/frozen/retrain_heldout_SJ-09015_v1.jsonl (140 texts: 70 of
   the category, 70 of the categories it is confused with; written by a helper who saw neither
   the corrections nor the model) is posted to POST /api/v1/reports of a gateway with the
   default model and of one with the retrained model; the work orders' categories give
   per-category precision, recall and F1.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.gateway_client import running_gateway  # noqa: E402
from channels.hotline import sign  # noqa: E402

CORRECTIONS = ROOT / "bench" / "data" / "corrections_SJ-09015.jsonl"
HELD_OUT = ROOT / "bench" / "data" / "frozen" / "retrain_heldout_SJ-09015_v1.jsonl"
WEAK = "SJ-09015"
SECRET = "retrain-bench-secret-0123456789"
PASSWORD = "retrain-bench-admin-pw"
CONSOLE = f'[hotline]\nenabled = true\nsecret = "{SECRET}"\n[console]\nadmin_password = "{PASSWORD}"\n'


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


async def hotline(gw, event: dict) -> None:
    body = json.dumps(event, ensure_ascii=False).encode()
    stamp = str(int(time.time()))
    async with gw.http.post(f"{gw.base}/hooks/hotline", data=body, headers={
            "Content-Type": "application/json", "X-Hotline-Timestamp": stamp,
            "X-Hotline-Signature": sign(SECRET, stamp, body)}) as resp:
        if resp.status != 200:
            raise RuntimeError(f"hotline {event['event']}: {resp.status} {await resp.text()}")


async def operators_label(records: list[dict], work: Path) -> Counter:
    """The calls come in, the operator confirms each ticket with its category."""
    outcome: Counter = Counter()
    async with running_gateway(CONSOLE, concurrency=4, work=work) as gw:
        async with gw.http.post(f"{gw.base}/console/api/login",
                                json={"username": "admin", "password": PASSWORD}) as resp:
            csrf = (await resp.json())["csrf"]
        for start in range(0, len(records), 50):
            batch = records[start:start + 50]
            for i, rec in enumerate(batch, start):
                cid = f"retrain-{i:04d}"
                await hotline(gw, {"event": "call.new", "call_id": cid, "caller": f"1371234{i:04d}", "called": "12345"})
                await hotline(gw, {"event": "transcript.ready", "call_id": cid, "text": rec["text"]})
                await hotline(gw, {"event": "call.hangup", "call_id": cid, "cause": "normal"})
            async with gw.http.get(f"{gw.base}/console/api/board") as resp:
                queue = (await resp.json())["queue"]
            wanted = {rec["text"]: rec["label"] for rec in batch}
            for ticket in queue:
                async with gw.http.get(f"{gw.base}/console/api/tickets/{ticket['case_no']}") as resp:
                    view = await resp.json()
                doc = view["ticket"]
                label = wanted.get(doc.get("description", ""))
                if label is None:
                    continue
                outcome["suggestion kept" if doc["category"]["code"] == label else "corrected"] += 1
                async with gw.http.post(f"{gw.base}/console/api/tickets/{ticket['case_no']}/confirm",
                                        json={"fields": {"category": label}},
                                        headers={"X-CSRF-Token": csrf}) as resp:
                    if resp.status != 200:
                        raise RuntimeError(f"confirm: {resp.status} {await resp.text()}")
    return outcome


def run(*args: str) -> str:
    done = subprocess.run([sys.executable, "run.py", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"run.py {' '.join(args)}: {done.stderr[-2000:]}")
    return done.stdout


async def categories(items: list[dict], config: str) -> list[str]:
    async with running_gateway("[duplicates]\nenabled = false\n" + config, concurrency=8) as gw:
        sem = asyncio.Semaphore(8)

        async def one(i: int, item: dict) -> str:
            async with sem:
                answer = await gw.report(item["text"], f"heldout-{i:05d}")
            return answer["workorder"]["category"]["code"]

        return list(await asyncio.gather(*(one(i, it) for i, it in enumerate(items))))


def scores(items: list[dict], predicted: list[str]) -> dict:
    out = {}
    for label in sorted({it["label"] for it in items}):
        tp = sum(1 for it, p in zip(items, predicted) if p == label and it["label"] == label)
        fp = sum(1 for it, p in zip(items, predicted) if p == label and it["label"] != label)
        fn = sum(1 for it, p in zip(items, predicted) if p != label and it["label"] == label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[label] = {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3),
                      "n": tp + fn}
    out["accuracy"] = round(sum(p == it["label"] for it, p in zip(items, predicted)) / len(items), 3)
    return out


def main() -> int:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    work = Path(tempfile.mkdtemp(prefix="retrain-"))
    corrections, held_out = load(CORRECTIONS), load(HELD_OUT)
    labelled = asyncio.run(operators_label(corrections, work))
    labels = work / "labels.jsonl"
    print(run("--config", str(work / "config.toml"), "--data-dir", str(work / "data"), "export-labels",
              "--out", str(labels)).strip())
    model = work / "retrained.pkl"
    started = time.perf_counter()
    run("train", "--classifier", "--data", str(labels), "--model", str(model))
    trained_s = time.perf_counter() - started
    before = scores(held_out, asyncio.run(categories(held_out, "")))
    after = scores(held_out, asyncio.run(categories(held_out, f'[classification]\nmodel = "{model}"\n')))
    print(json.dumps({"operators": dict(labelled), "labels": sum(1 for _ in labels.open(encoding="utf-8")),
                      "retrain_seconds": round(trained_s, 1), "held_out": len(held_out),
                      f"{WEAK} before": before[WEAK], f"{WEAK} after": after[WEAK],
                      "accuracy before": before["accuracy"], "accuracy after": after["accuracy"],
                      "other categories before → after": {k: f"{before[k]['f1']} → {after[k]['f1']}"
                                                          for k in before if k not in (WEAK, "accuracy")}},
                     ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
