"""Could the 12345 model reach macro-F1 0.92 on TipDM (issue 19)? A stack tried in the v19 round,
kept here so its figure can be reproduced; not used by the gateway (see the README's figures).

    .venv/bin/python bench/tipdm_stack_eval.py            # 5-fold CV on the folds of `run.py eval --cv 5`
    OUTER_SEED=1 .venv/bin/python bench/tipdm_stack_eval.py   # other folds

Two Naive-Bayes-scaled SVMs (the model's own, classifiers.classify.model): character 1–3-grams
of the first 1,500 characters, and jieba words of the first 500 (no HMM, min_df 2); their
decision values, each scaled by its spread, A + w·B, go into a multinomial logistic regression.
w and the regression's C are chosen by 5-fold CV on out-of-fold decisions of the training part
only. Prints macro-F1, accuracy, training time and messages/s one at a time; jieba makes it
slower than the 2,000 messages/s the default classifier must keep. Also prints cascades: the
words read only for messages the character stack alone is unsure of, on the same folds.
"""
from __future__ import annotations

import json
import logging
import math
import os
import sys
import time
from pathlib import Path

import jieba
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifiers.classify import model as M  # noqa: E402
from classifiers.normalize import normalize  # noqa: E402

jieba.setLogLevel(logging.WARNING)
DATA = ROOT.parent / "shared" / "data" / "tipdm2020c" / "train.jsonl"
CHARS = 1500
WORD_CHARS = 500
P = {**M.DEFAULT_PARAMS, "char_chars": CHARS, "calibration_folds": 0}
# Cascades measured beside the full stack: the words read only when the character decisions
# alone give no label this probability (0: never read, the character stack alone)
CASCADE = (0.0, 0.5, 0.7, 0.9)


def words(t: str) -> list[str]:
    return jieba.lcut(t[:WORD_CHARS], HMM=False)


class Stacked:
    """The two NBSVMs and the meta-learner, folded into two weight matrices and a 7×7 regression."""

    def fit(self, texts: list[str], y: np.ndarray, inner: int = 5) -> Stacked:
        n_cls = y.max() + 1
        self.vocab, self.idf, xc = M._features(texts, P)
        self.wv = TfidfVectorizer(analyzer=lambda x: x, sublinear_tf=True, min_df=2)
        xw = self.wv.fit_transform([words(t) for t in texts]).tocsr()
        oa, ob = np.zeros((len(y), n_cls)), np.zeros((len(y), n_cls))
        for itr, ite in StratifiedKFold(inner, shuffle=True, random_state=1).split(texts, y):
            oa[ite] = M._NBSVM(1.0, "balanced", 1.0).fit(xc[itr], y[itr]).decision_function(xc[ite])
            ob[ite] = M._NBSVM(1.0, "balanced", 1.0).fit(xw[itr], y[itr]).decision_function(xw[ite])
        sa, sb = oa.std(), ob.std()
        best = None
        for w in (0, 0.25, 0.5, 1.0):  # chosen on the training part's out-of-fold decisions only
            stacked = oa / sa + w * ob / sb
            for c in (0.1, 0.3, 1, 3, 10):
                guess = cross_val_predict(LogisticRegression(C=c, max_iter=2000), stacked, y,
                                          cv=StratifiedKFold(5, shuffle=True, random_state=2))
                f = f1_score(y, guess, average="macro")
                if best is None or f > best[0]:
                    best = (f, w, c)
        _, self.w, self.C = best
        a = M._NBSVM(1.0, "balanced", 1.0).fit(xc, y)
        b = M._NBSVM(1.0, "balanced", 1.0).fit(xw, y)
        meta = LogisticRegression(C=self.C, max_iter=2000).fit(oa / sa + self.w * ob / sb, y)
        # the same regression over the character decisions alone: read first, the words only
        # where it is unsure (--cascade)
        alone = LogisticRegression(C=self.C, max_iter=2000).fit(oa / sa, y)
        self.aw, self.ab, self.char_bias = alone.coef_.T, alone.intercept_, a.intercept_ / sa
        self.char_rows = np.hstack([self.idf[:, None], self.idf[:, None] * (a.coef_.T / sa)]).astype(np.float32)
        self.wb = b.coef_.T * self.w / sb
        self.bias = a.intercept_ / sa + b.intercept_ * self.w / sb
        self.word_column, self.word_idf = dict(self.wv.vocabulary_), self.wv.idf_
        self.mw, self.mb = meta.coef_.T, meta.intercept_
        return self

    def decision_one(self, t: str, sure: float = 2.0) -> tuple[np.ndarray, bool]:
        """One normalised message, as the gateway would read it, and whether its words were read:
        only when the character decisions alone give no label a probability of `sure` or more."""
        s = self.bias
        keys = M._char_keys(t, CHARS, 1, 3)
        if keys.size:
            uk, tf = M._count(keys)
            pos = np.minimum(np.searchsorted(self.vocab, uk), self.vocab.size - 1)
            hit = self.vocab[pos] == uk
            rows = self.char_rows[pos[hit]]
            sub = (1.0 + np.log(tf[hit])).astype(np.float32)
            x = sub * rows[:, 0]
            norm = math.sqrt(float(x @ x))
            if norm > 0:
                s = s + (sub @ rows[:, 1:]) / norm
        if sure <= 1.0:
            z = (s - self.bias + self.char_bias) @ self.aw + self.ab
            p = np.exp(z - z.max())
            if p.max() / p.sum() >= sure:
                return z, False
        counts: dict[int, int] = {}
        for word in words(t):
            j = self.word_column.get(word)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        if counts:
            js = np.fromiter(counts.keys(), np.intp)
            x = (1.0 + np.log(np.fromiter(counts.values(), np.float64))) * self.word_idf[js]
            s = s + (x @ self.wb[js]) / math.sqrt(float(x @ x))
        return s @ self.mw + self.mb, True


def main() -> int:
    recs = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    labels = [r["label"].strip() for r in recs]
    classes = sorted(set(labels))
    y = np.array([classes.index(label) for label in labels])
    texts = [normalize(M.record_text(r)[: CHARS + 100]) for r in recs]  # as train() reads them
    folds = list(StratifiedKFold(5, shuffle=True, random_state=int(os.environ.get("OUTER_SEED", 0))).split(texts, y))
    jieba.lcut("预热")
    sures = [2.0, *CASCADE]
    pred = {sure: np.zeros_like(y) for sure in sures}
    seconds = dict.fromkeys(sures, 0.0)
    words_read = dict.fromkeys(sures, 0)
    train_s = []
    for tr, te in folds:
        t0 = time.perf_counter()
        m = Stacked().fit([texts[i] for i in tr], y[tr])
        train_s.append(time.perf_counter() - t0)
        for sure in sures:
            t0 = time.perf_counter()
            for i in te:
                d, read = m.decision_one(texts[i], sure)
                pred[sure][i] = d.argmax()
                words_read[sure] += read
            seconds[sure] += time.perf_counter() - t0
        print(f"  fold: w={m.w} C={m.C}, trained in {train_s[-1]:.1f} s", flush=True)
    full = pred[2.0]
    print(json.dumps({"macro_f1": round(f1_score(y, full, average="macro"), 4),
                      "accuracy": round(accuracy_score(y, full), 4),
                      "train_s_per_fold": round(float(np.mean(train_s)), 1),
                      "messages_per_s_one_at_a_time": round(len(y) / seconds[2.0]),
                      "cascade": [{"words_when_below": sure,
                                   "macro_f1": round(f1_score(y, pred[sure], average="macro"), 4),
                                   "words_read_share": round(words_read[sure] / len(y), 3),
                                   "messages_per_s_one_at_a_time": round(len(y) / seconds[sure])}
                                  for sure in CASCADE]}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
