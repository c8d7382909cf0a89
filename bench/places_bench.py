"""Accuracy and speed of the registry-free place reader (classifiers/locate/places.py).

    .venv/bin/python bench/places_bench.py --data bench/data/places_dev_v2.jsonl [-v]
        [--speed-texts ../shared/data/tipdm2020c/hotissues.jsonl] [--first 2000]

Accuracy, when --data is given (JSON lines with `text` and the `place` a person wrote
down): exact (every field as the person wrote it, compared by bench/place_compare.py),
missed (a place was written down and nothing was read) and the wrong fields by count; -v
lists every wrong field.

Speed: extract_place over the --data texts plus the first --first texts of --speed-texts,
in CPU time of this process (best of three passes) per text, so that other work on the
machine counts less, with the baseline measured in the same run (classifiers.normalize
.normalize, which extract_place runs first) and their ratio.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.place_compare import canonical, field_errors  # noqa: E402
from classifiers.locate.places import extract_place  # noqa: E402
from classifiers.normalize import normalize  # noqa: E402


def accuracy(rows: list[dict], verbose: bool) -> None:
    exact = missed = given = 0
    wrong: Counter[str] = Counter()
    for row in rows:
        found = extract_place(row["text"])
        got = found.as_dict() if found else None
        expected = row.get("place")
        if canonical(expected):
            given += 1
            if not canonical(got):
                missed += 1
        errors = field_errors(expected, got)
        if not errors:
            exact += 1
            continue
        wrong.update(e.split(":")[0] for e in errors)
        if verbose:
            print(f"  {row.get('id', '')} {errors} | {row['text'][:60]}")
    print(f"exact {exact}/{len(rows)} = {exact / len(rows):.1%}; missed {missed}/{given} = {missed / max(given, 1):.1%}")
    print("wrong fields:", ", ".join(f"{k} {n}" for k, n in wrong.most_common()) or "none")


def best_of_three(fn, texts: list[str]) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        for text in texts:
            fn(text)
        best = min(best, time.process_time() - start)
    return best / len(texts) * 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", help="labelled JSON lines (text, place)")
    ap.add_argument("--speed-texts", default=str(ROOT.parent / "shared/data/tipdm2020c/hotissues.jsonl"),
                    help="JSON lines with `text` for the speed figure")
    ap.add_argument("--first", type=int, default=2000, help="how many of --speed-texts")
    ap.add_argument("-v", action="store_true", help="list every wrong field")
    args = ap.parse_args()
    texts: list[str] = []
    if args.data:
        rows = [json.loads(line) for line in Path(args.data).read_text(encoding="utf-8").splitlines() if line.strip()]
        accuracy(rows, args.v)
        texts += [r["text"] for r in rows]
    speed = Path(args.speed_texts)
    if speed.exists():
        with speed.open(encoding="utf-8") as f:
            for i, line in enumerate(f):
                if i >= args.first:
                    break
                texts.append(json.loads(line)["text"])
    if not texts:
        sys.exit("no texts to time: give --data or --speed-texts")
    extract_place("和平路18号")  # load the vocabulary and the division names outside the timing
    base = best_of_three(normalize, texts)
    took = best_of_three(extract_place, texts)
    print(f"speed over {len(texts)} texts (mean {sum(map(len, texts)) / len(texts):.0f} characters): "
          f"extract_place {took:.0f} µs/text; normalize alone {base:.0f} µs/text; ratio {took / base:.2f}")


if __name__ == "__main__":
    main()
