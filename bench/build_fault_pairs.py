"""Build the training pairs of the "one problem or two" reader from the duplicate development sets.

    .venv/bin/python bench/build_fault_pairs.py   # writes classifiers/data/corpus/fault_pairs.jsonl

Every development pair (bench/data/dedupe_dev_v*.jsonl, never the frozen sets) that tells of
one spot: the duplicates (`same`: true) and the pairs of another problem at the same spot
(`same`: false). Pairs that differ by place, or were fixed and came back, are left out: their
problems are the same, and other readers judge them. Sets listed in HELD_OUT are measured
on arrival and kept out until then.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "classifiers" / "data" / "corpus" / "fault_pairs.jsonl"
# The development sets' names for "another problem at the same spot".
OTHER_PROBLEM = {"same_spot_other_problem", "same_place_other_problem", "other_fault", "diff_problem",
                 "vague_other_problem", "other_problem", "other_problem_same_spot"}
# v14: kept out to judge the reader on; v15 (one problem told from another angle / two related
# problems, all at one spot): tried in the v11 round, made the reader more cautious elsewhere;
# v16, v17: measured on arrival in the v12 round.
# v22, v23: measured on arrival in the v15 round, kept out to judge the reader on.
HELD_OUT = {"dedupe_dev_v14", "dedupe_dev_v15", "dedupe_dev_v16", "dedupe_dev_v17", "dedupe_dev_v22", "dedupe_dev_v23"}


def main() -> int:
    examples = []
    for path in sorted((ROOT / "bench" / "data").glob("dedupe_dev_v*.jsonl")):
        if path.stem in HELD_OUT:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            pair = json.loads(line)
            if pair["duplicate"] or pair["kind"] in OTHER_PROBLEM:
                examples.append({"a": pair["a"]["text"], "b": pair["b"]["text"], "same": pair["duplicate"],
                                 "kind": pair["kind"], "source": path.stem})
    OUT.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in examples), encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(examples)} pairs, {sum(e['same'] for e in examples)} of one problem")
    return 0


if __name__ == "__main__":
    sys.exit(main())
