"""The readers of a report's history on texts they were not trained on: leave one development
set out.

    .venv/bin/python bench/recurrence_eval.py            # "fixed, then back" (recurs)
    .venv/bin/python bench/recurrence_eval.py --still    # "still not fixed", or asked after

For each development set that classifiers/data/corpus/recurrence.jsonl was built from, the
model is trained (as classifiers/dedupe/recurrence.py trains it) on the other sets' texts and
judged on that set's; the word list (recurs only) is judged as it is. Printed at each
threshold: the reports found, and the reports wrongly flagged, among them the hard negatives
(for recurs: never fixed, chases; for still: fixed and back).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifiers.dedupe import recurrence as R  # noqa: E402
from classifiers.normalize import normalize  # noqa: E402


def held_out_probabilities(rows: list[dict], norm: list[str], label: str) -> np.ndarray:
    source = np.array([r["source"] for r in rows])
    held_out = np.zeros(len(rows))
    for name in sorted(set(source)):
        test = source == name
        with tempfile.TemporaryDirectory() as tmp:
            train = Path(tmp) / "recurrence.jsonl"
            train.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                                     for r, t in zip(rows, test) if not t), encoding="utf-8")
            model = R._train(train, label)
        held_out[test] = model.predict_proba([t for t, k in zip(norm, test) if k])[:, 1]
    return held_out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--still", action="store_true", help="the still-not-fixed reader")
    args = p.parse_args()
    label = "still" if args.still else "recurs"
    rows = [json.loads(line) for line in R.CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    quick, close, model_gate, still_gate = R._patterns()
    norm = [normalize(r["text"]) for r in rows]
    truth = np.array([r[label] for r in rows])
    source = np.array([r["source"] for r in rows])
    kind = np.array([r["kind"] for r in rows])
    held_out = held_out_probabilities(rows, norm, label)
    if label == "recurs":
        gate = np.array([bool(quick.search(r["text"])) for r in rows])
        read = np.array([bool(model_gate.search(t)) for t in norm])  # texts the model reads
        words = np.array([bool(close.search(t)) for t in norm])
        hard = {"of_them_never_fixed": kind == "still_not_fixed", "of_them_chases": kind == "chase"}
    else:
        gate = np.ones(len(rows), dtype=bool)
        read = np.array([bool(still_gate.search(t)) for t in norm])  # texts the model reads
        words = np.zeros(len(rows), dtype=bool)
        hard = {"of_them_fixed_and_back": np.isin(kind, ["fixed_and_back", "recurrence"]),
                "of_them_first_reports": kind == "first"}
    out = {"label": label, "texts": len(rows), "positives": int(truth.sum()), "thresholds": {}}
    for threshold in (0.5, 0.6, 0.7, 0.8, 0.9, *(["words only"] if label == "recurs" else [])):
        said = gate & (words | (read & (held_out >= threshold) if threshold != "words only" else False))
        out["thresholds"][str(threshold)] = {
            "found": int((said & truth).sum()),
            "wrongly_flagged": int((said & ~truth).sum()),
            **{name: int((said & which).sum()) for name, which in hard.items()},
            "per_set_found": {n: f"{int((said & truth & (source == n)).sum())}/{int((truth & (source == n)).sum())}"
                              for n in sorted(set(source)) if (truth & (source == n)).any()},
        }
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
