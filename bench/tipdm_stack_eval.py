"""The 12345 model with its jieba-word part on TipDM (issue 19's 0.92), read as the gateway would,
with the words read for every message and in cascades: only for messages the character
decisions alone leave unsure.

    OMP_NUM_THREADS=1 .venv/bin/python bench/tipdm_stack_eval.py             # the folds of `run.py eval --cv 5`
    OUTER_SEED=1 OMP_NUM_THREADS=1 .venv/bin/python bench/tipdm_stack_eval.py  # other folds

Each fold trains the model (`classifiers.classify.model.train`, character 1–3-grams of the first
1,500 characters, the word part over jieba words of the first 500: `run.py eval --chars 1500
--words 500`), then classifies the held-out messages one at a time with the word part's
`sure` set to each value: 2 reads words for every message, 0 never (the regression over the
character decisions alone). Prints macro-F1, accuracy, the words' weight and C each fold chose
on its own training part, training time, the share of messages whose words were read and
messages/s one at a time.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifiers.classify import model as M  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "tipdm2020c" / "train.jsonl"
PARAMS = {"char_chars": 1500, "word_chars": 500, "calibration_folds": 0}
SURE = (2.0, 0.0, 0.5, 0.7, 0.9)


class _CountedWords:
    """M._words, counting the messages whose words are read."""

    def __init__(self, words):
        self.words, self.calls = words, 0

    def __call__(self, normalized: str, limit: int) -> list[str]:
        self.calls += 1
        return self.words(normalized, limit)


def main() -> int:
    records = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    labels = [r["label"].strip() for r in records]
    texts = [M.record_text(r) for r in records]
    folds = StratifiedKFold(5, shuffle=True, random_state=int(os.environ.get("OUTER_SEED", 0))).split(texts, labels)
    counter = M._words = _CountedWords(M._words)
    pred = {sure: [""] * len(texts) for sure in SURE}
    seconds = dict.fromkeys(SURE, 0.0)
    read = dict.fromkeys(SURE, 0)
    train_s = []
    for tr, te in folds:
        t0 = time.perf_counter()
        model = M.train([records[i] for i in tr], **PARAMS)
        train_s.append(time.perf_counter() - t0)
        model.classify("预热")
        for sure in SURE:
            model.words.sure = sure
            counter.calls = 0
            t0 = time.perf_counter()
            for i in te:
                pred[sure][i] = model.classify(texts[i]).evidence["model_label"]
            seconds[sure] += time.perf_counter() - t0
            read[sure] += counter.calls
        words = model.state["words"]
        print(f"  fold: words' weight {words['weight']}, C {words['C']}, trained in {train_s[-1]:.1f} s", flush=True)

    def figures(sure: float) -> dict:
        return {"macro_f1": round(f1_score(labels, pred[sure], average="macro"), 4),
                "accuracy": round(accuracy_score(labels, pred[sure]), 4),
                "words_read_share": round(read[sure] / len(texts), 3),
                "messages_per_s_one_at_a_time": round(len(texts) / seconds[sure])}

    print(json.dumps({"train_s_per_fold": round(float(np.mean(train_s)), 1),
                      "words_always": figures(2.0), "characters_alone": figures(0.0),
                      "cascade": [{"words_when_below": sure, **figures(sure)} for sure in SURE[2:]]}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
