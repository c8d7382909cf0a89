"""Build the training texts of the "fixed, then back" reader from the duplicate development sets.

    .venv/bin/python bench/build_recurrence_corpus.py   # writes classifiers/data/corpus/recurrence.jsonl

Every text of every development pair (bench/data/dedupe_dev_v*.jsonl, never the frozen sets)
becomes one example with two labels: `recurs`, the second report of a pair whose kind says the
problem was fixed and came back (`recurrence`, `fixed_and_back`, `fixed_then_back`, `fixed_again`); `still`, the second report of
a pair whose kind says it was never fixed (`still_not_fixed`) or whose caller asks after it
(`chase`). Each label's hard negatives are the other's positives. Sets listed in HELD_OUT are
kept out to judge the readers on text they never saw.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "classifiers" / "data" / "corpus" / "recurrence.jsonl"
RECURS = {"recurrence", "fixed_and_back", "fixed_then_back", "fixed_again"}
STILL = {"chase", "still_not_fixed"}
# v22, v23: written in the v15 round, measured through the intake on arrival and kept out.
HELD_OUT = {"dedupe_dev_v22", "dedupe_dev_v23"}


def main() -> int:
    seen: set[str] = set()
    examples = []
    for path in sorted((ROOT / "bench" / "data").glob("dedupe_dev_v*.jsonl")):
        if path.stem in HELD_OUT:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            pair = json.loads(line)
            for side, recurs in (("a", False), ("b", pair["kind"] in RECURS)):
                text = pair[side]["text"]
                if text not in seen:
                    seen.add(text)
                    examples.append({"text": text, "recurs": recurs, "still": side == "b" and pair["kind"] in STILL,
                                     "kind": pair["kind"] if side == "b" else "first",
                                     "source": path.stem})
    OUT.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in examples), encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(examples)} texts, {sum(e['recurs'] for e in examples)} fixed and back, "
          f"{sum(e['still'] for e in examples)} still not fixed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
