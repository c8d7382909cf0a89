"""The "fixed, then back" reader on texts it was not trained on: leave one development set out.

    .venv/bin/python bench/recurrence_eval.py

For each development set that classifiers/data/corpus/recurrence.jsonl was built from, the
model is trained (as classifiers/dedupe/recurrence.py trains it) on the other sets' texts and
judged on that set's; the word list is judged as it is. Printed at each threshold: fixed-and-
back reports found, and the reports wrongly flagged, among them the hard negatives (the
problem was never fixed; a caller asking whether it has been).
"""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifiers.dedupe import recurrence as R  # noqa: E402
from classifiers.normalize import normalize  # noqa: E402


def main() -> int:
    rows = [json.loads(line) for line in R.CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    quick, close, model_gate = R._patterns()
    norm = [normalize(r["text"]) for r in rows]
    truth = np.array([r["recurs"] for r in rows])
    source = np.array([r["source"] for r in rows])
    kind = np.array([r["kind"] for r in rows])
    gate = np.array([bool(quick.search(r["text"])) for r in rows])
    read = np.array([bool(model_gate.search(t)) for t in norm])  # texts the model reads
    words = np.array([bool(close.search(t)) for t in norm])
    held_out = np.zeros(len(rows))
    for name in sorted(set(source)):
        test = source == name
        with tempfile.TemporaryDirectory() as tmp:
            train = Path(tmp) / "recurrence.jsonl"
            train.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                                     for r, t in zip(rows, test) if not t), encoding="utf-8")
            model = R._train(train)
        held_out[test] = model.predict_proba([t for t, k in zip(norm, test) if k])[:, 1]
    out = {"texts": len(rows), "fixed_and_back": int(truth.sum()), "thresholds": {}}
    for threshold in (0.5, 0.6, 0.7, 0.8, 0.9, "words only"):
        said = gate & (words | (read & (held_out >= threshold) if threshold != "words only" else False))
        out["thresholds"][str(threshold)] = {
            "found": int((said & truth).sum()),
            "wrongly_flagged": int((said & ~truth).sum()),
            "of_them_never_fixed": int((said & (kind == "still_not_fixed")).sum()),
            "of_them_chases": int((said & (kind == "chase")).sum()),
            "per_set_found": {n: f"{int((said & truth & (source == n)).sum())}/{int((truth & (source == n)).sum())}"
                              for n in sorted(set(source)) if (truth & (source == n)).any()},
        }
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
