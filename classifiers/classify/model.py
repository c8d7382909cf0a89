"""The learned text classifier: TF-IDF over character 1–3-grams, linear SVM.

Features (on `normalize`d text, the same normalization the keyword rules use): the character
1-, 2- and 3-grams of the first `char_chars` (600) characters, sublinear tf × idf (smoothed
idf, as scikit-learn's `TfidfVectorizer`), L2-normalized; n-grams seen in fewer than `min_df`
(3) training messages are dropped.

Only the head of a long message is read (the complaint is stated first; this keeps the cost
per message bounded). Measured with 5-fold cross-validation (`run.py eval --cv 5`) on the TipDM
2020 C data (7 classes, 5,877 messages, ~400 characters on average), macro-F1: first 1,500
characters 0.905 (min_df 2); first 600 characters 0.905 (min_df 3, 171k n-grams) or 0.903
(min_df 2); first 400 characters 0.899. Format version 1 added jieba words (first 150
characters) to the n-grams: 0.903, and the word segmentation cost more time than the rest of
the features together, so there are no word features. Without the 1-grams (first 1,500
characters): 0.900.

A `LinearSVC` (balanced class weights) is trained on the features; for the main head, by
default, one per class over Naive-Bayes-scaled features (each n-gram weighted by its log-count
ratio in the class against the rest; Wang & Manning 2012), which folds into ordinary linear
weights: on TipDM, 5-fold macro-F1 0.905 -> 0.913 (first 1,500 characters: 0.914). The default
classifier over the whole taxonomy turns it off (see training.py), and the heads never use it.
The decision values are turned into probabilities by a softmax whose temperature is fitted on 3-fold out-of-fold
decision values of the training data (so the confidences are calibrated on data the model did
not see). Training uses scikit-learn; prediction does not. An n-gram is an integer (code points
packed 21 bits each, see `_char_keys`); the vocabulary is the sorted array of those integers and
feature j is the j-th of them. Classifying one message is a handful of numpy operations on
arrays of ~1,000 elements: pack the n-grams, sort and count them, look them up with one
`searchsorted`, and gather one float32 row per known n-gram holding its idf and idf × the class
weights (built when the model is loaded), so tf-idf, its L2 norm and all class scores come from
two small dot products.

Optionally (`word_chars` > 0, `run.py train/eval --words N`), a second NBSVM over jieba's words of
the first N characters is stacked on this one (`_WordPart`): a logistic regression over both models'
decisions, read only for messages whose character decisions alone leave it unsure (`word_sure`,
0.7). On TipDM (`--chars 1500 --words 500`, 5-fold) macro-F1 0.918 against 0.916 without it;
off by default (the gateway's classifier over the whole taxonomy does not use it).

Model files are pickles (only load files you trust) holding a dict with a format name and
version; `load` checks both and raises `ModelError` naming the file and the problem.
Format version 2 (this one) replaced version 1 (jieba words + character n-grams): version 1
files are refused with a message to retrain.
"""
from __future__ import annotations

import math
import pickle
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from classifiers.classify.keywords import classify_input_problems
from classifiers.classify.taxonomy import Taxonomy
from classifiers.normalize import normalize
from gateway.models import Alternative, Classification

__all__ = ["ModelError", "TextModel", "train", "load", "record_text", "FORMAT", "FORMAT_VERSION"]

FORMAT = "intake-gateway/text-model"
FORMAT_VERSION = 2

_STATE_KEYS = ("labels", "params", "char_keys", "idf", "coef", "intercept", "temperature")


class ModelError(Exception):
    """A model file is missing, unreadable, of another format/version, or training data is unusable."""


def record_text(record: Mapping[str, Any]) -> str:
    """The text a record is classified by: its title (if any) and its text."""
    title = str(record.get("title") or "").strip()
    text = str(record.get("text") or "")
    return f"{title}。{text}" if title else text


_SHIFT = np.uint64(21)


def _char_keys(normalized: str, limit: int, lo: int, hi: int) -> np.ndarray:
    """The character lo..hi-grams of the first `limit` characters as integers (uint64, in text order).

    A k-gram's key is its code points packed 21 bits each. As no code point is 0, a k-gram's
    key is at least 2**(21*(k-1)) and below 2**(21*k): keys of different lengths never collide
    and trigrams fit in 63 bits (so n-grams up to 3 characters only).
    """
    cp = np.frombuffer(normalized[:limit].encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = len(cp)
    parts = []
    for k in range(lo, hi + 1):
        m = n - k + 1
        if m <= 0:
            break
        key = cp[:m].copy()
        for j in range(1, k):
            key <<= _SHIFT
            key |= cp[j : j + m]
        parts.append(key)
    if not parts:
        return np.empty(0, dtype=np.uint64)
    return np.concatenate(parts) if len(parts) > 1 else parts[0]


def _count(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct keys (sorted) and how often each occurs; sorts `keys` in place.

    `np.unique(keys, return_counts=True)` without its per-call overhead (this runs once per message).
    """
    keys.sort()
    n = keys.size
    first = np.empty(n, dtype=bool)
    first[0] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    counts = np.empty(starts.size, dtype=np.intp)
    np.subtract(starts[1:], starts[:-1], out=counts[:-1])
    counts[-1] = n - starts[-1]
    return keys[starts], counts


class TextModel:
    """A trained model. Create with `train(records)` or `load(path)`; `classify(text)`."""

    source = "model"

    def __init__(self, state: dict[str, Any], taxonomy: Taxonomy | None = None, *, review_threshold: float = 0.5):
        self.state = state
        self.taxonomy = taxonomy
        self.review_threshold = float(review_threshold)
        self.labels: list[str] = list(state["labels"])
        p = state["params"]
        self.char_chars = int(p["char_chars"])
        self.char_lo, self.char_hi = (int(x) for x in p["char_ngram"])
        if not 1 <= self.char_lo <= self.char_hi <= 3:
            raise ValueError(f"character n-gram range {self.char_lo}..{self.char_hi} is not within 1..3")
        keys = np.ascontiguousarray(state["char_keys"], dtype=np.uint64)  # sorted; feature j = keys[j]
        idf = np.asarray(state["idf"], dtype=np.float64)
        coef = np.asarray(state["coef"], dtype=np.float64)  # (n_features, n_classes)
        if keys.ndim != 1 or idf.shape != keys.shape or coef.shape != (keys.size, len(self.labels)):
            raise ValueError(f"array shapes do not match: {keys.size} n-grams, idf {idf.shape}, weights {coef.shape}, {len(self.labels)} labels")
        if keys.size > 1 and not (keys[1:] > keys[:-1]).all():
            raise ValueError("n-gram keys are not sorted and distinct")
        if keys.size == 0:  # searchsorted needs something to compare with; 0 is no n-gram's key
            keys, idf, coef = np.zeros(1, dtype=np.uint64), np.zeros(1), np.zeros((1, len(self.labels)))
        self._keys = keys
        # Extra heads share the n-grams: (name, labels, first column, intercept, temperature).
        self.heads: dict[str, tuple[list[str], slice, np.ndarray, float]] = {}
        self.oof: dict[str, Any] | None = None  # set by `train`
        blocks = [idf[:, None], idf[:, None] * coef]
        column = 1 + coef.shape[1]
        for name, head in (state.get("heads") or {}).items():
            head_coef = np.asarray(head["coef"], dtype=np.float64)
            if head_coef.shape != (keys.size, len(head["labels"])):
                raise ValueError(f"head {name}: weights {head_coef.shape} do not match {keys.size} n-grams")
            blocks.append(idf[:, None] * head_coef)
            self.heads[name] = (list(head["labels"]), slice(column, column + head_coef.shape[1]),
                                np.asarray(head["intercept"], dtype=np.float64), float(head["temperature"]))
            column += head_coef.shape[1]
        # One float32 row per n-gram: [idf, idf × weights of each class of every head]. For a
        # message with sublinear counts s (1 + log tf) over its known n-grams, tf-idf values are
        # s × idf, their L2 norm is |s × idf| and the class scores are (s @ idf×W) / norm + b.
        self._rows = np.ascontiguousarray(np.hstack(blocks), dtype=np.float32)
        self._main = slice(1, 1 + coef.shape[1])
        self._idf = idf  # float64, for the batch path (`decisions`)
        self._b = np.asarray(state["intercept"], dtype=np.float64)
        self._T = float(state["temperature"])
        self.words = _WordPart(state["words"]) if state.get("words") else None
        if self.words is not None and self.words.coef.shape[1] != len(self.labels):
            raise ValueError(f"word weights {self.words.coef.shape} do not match {len(self.labels)} labels")
        # 1 + log(tf) for every count a message can have (a 1-gram occurs at most char_chars times).
        counts = np.arange(self.char_chars + 2, dtype=np.float64)
        counts[0] = 1.0  # (never looked up)
        self._sublinear = (1.0 + np.log(counts)).astype(np.float32)

    # ------------------------------------------------------------------ features

    def _raw(self, normalized: str, columns: slice | None = None) -> np.ndarray | None:
        """The weighted sum of every head's weights (or of `columns` of the rows only) over a
        `normalize`d text's n-grams (no intercepts), or None when it has no known n-gram."""
        keys = _char_keys(normalized, self.char_chars, self.char_lo, self.char_hi)
        if not keys.size:
            return None
        uk, tf = _count(keys)
        pos = np.searchsorted(self._keys, uk)
        np.minimum(pos, self._keys.size - 1, out=pos)
        hit = self._keys[pos] == uk
        pos = pos[hit]
        if not pos.size:
            return None
        s = self._sublinear[tf[hit]]
        if columns is not None:  # one head: gather its few columns, not every head's
            x = s * self._rows[pos, 0]
            norm = math.sqrt(float(x @ x))
            return (s @ self._rows[pos, columns]) / norm if norm > 0.0 else None
        rows = self._rows[pos]
        x = s * rows[:, 0]
        norm = math.sqrt(float(x @ x))
        if norm <= 0.0:
            return None
        return (s @ rows[:, 1:]) / norm

    def decision(self, normalized: str) -> np.ndarray:
        """Decision values (one per label) of a `normalize`d text."""
        raw = self._raw(normalized)
        d = self._b.copy() if raw is None else raw[: self._main.stop - 1] + self._b
        return d if self.words is None else self.words.decision(d, normalized)

    def head_probability(self, normalized: str, head: str, label: str) -> float:
        """One head's probability of one label for a `normalize`d text, reading only that head's
        weights (a passage of a long letter is scored for urgency alone)."""
        labels, cols, b, temperature = self.heads[head]
        raw = self._raw(normalized[: self.char_chars], cols)
        d = (b if raw is None else raw + b) / temperature
        e = np.exp(d - d.max())
        return float(e[labels.index(label)] / e.sum())

    def head_probabilities(self, text: str) -> dict[str, dict[str, float]]:
        """The extra heads' probabilities for a raw text ({head: {label: p}}), from one pass
        over its n-grams."""
        raw = self._raw(self._normalize(text))
        out = {}
        for name, (labels, cols, b, temperature) in self.heads.items():
            d = (b if raw is None else raw[cols.start - 1: cols.stop - 1] + b) / temperature
            e = np.exp(d - d.max())
            e /= e.sum()
            out[name] = dict(zip(labels, e.tolist(), strict=True))
        return out

    def probabilities(self, normalized: str, top: int = 12) -> dict[str, dict[str, float]]:
        """Every head's probabilities for a `normalize`d text, from one pass over its
        n-grams: {"main": {the `top` most likely labels: p}, <head>: {label: p}}."""
        raw = self._raw(normalized[: self.char_chars])
        out = {}
        for name, labels, cols, b, temperature in (("main", self.labels, self._main, self._b, self._T),
                                                   *((n, *h) for n, h in self.heads.items())):
            d = (b if raw is None else raw[cols.start - 1: cols.stop - 1] + b) / temperature
            e = np.exp(d - d.max())
            e /= e.sum()
            if len(labels) > top:
                best = np.argpartition(-e, top)[:top]
                out[name] = {labels[j]: float(e[j]) for j in best}
            else:
                out[name] = dict(zip(labels, e.tolist(), strict=True))
        return out

    @property
    def _coef(self) -> np.ndarray:
        """The main head's weights (n-grams × labels), for the batch path."""
        idf = self._rows[:, :1]
        return np.ascontiguousarray(np.divide(self._rows[:, self._main], idf, out=np.zeros_like(
            self._rows[:, self._main]), where=idf != 0))

    def _normalize(self, text: str) -> str:
        return normalize(text[: self.char_chars + 100])

    # ------------------------------------------------------------------ classify

    def predict_label(self, text: str) -> str:
        return self.labels[int(np.argmax(self.decision(self._normalize(text))))]

    def decisions(self, texts: Iterable[str]) -> np.ndarray:
        """Decision values of many raw texts at once, shape (n, n_labels): the same numbers as
        `decision(_normalize(text))` for each (up to float32 rounding), with the lookups and the
        sparse × dense product done for the whole batch (for bulk re-classification and evaluation;
        the per-message cost left is mostly `normalize`)."""
        if self.words is not None:  # the words are read message by message, where needed
            return np.array([self.decision(self._normalize(t)) for t in texts]).reshape(-1, len(self.labels))
        docs = _doc_counts([self._normalize(t) for t in texts], self.char_chars, self.char_lo, self.char_hi)
        X = _tfidf(docs, self._keys, self._idf, np.float32)  # CSR float32 × C-contiguous float32 weights
        return np.asarray(X @ self._coef, dtype=np.float64) + self._b

    def predict_labels(self, texts: Iterable[str]) -> list[str]:
        """`predict_label` of many texts, computed in one batch (see `decisions`)."""
        d = self.decisions(texts)
        return [self.labels[int(j)] for j in d.argmax(axis=1)] if len(d) else []

    def classify(self, text: str) -> Classification:
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        normalized = self._normalize(text)
        problems = classify_input_problems(text, normalized)
        if problems:
            return Classification(source=self.source, needs_review=True, review_reasons=problems, evidence={"model_label": None})
        d = self.decision(normalized) / self._T
        d -= d.max()
        e = np.exp(d)
        e /= e.sum()
        probs: list[float] = e.tolist()  # a handful of labels: plain floats are cheaper than numpy scalars
        order = sorted(range(len(probs)), key=probs.__getitem__, reverse=True)
        best = order[0]
        label = self.labels[best]
        confidence = probs[best]
        reasons: list[str] = []
        alternatives = []
        for j in order[1:4]:
            alt_label = self.labels[j]
            alt_node = self.taxonomy.resolve(alt_label) if self.taxonomy else None
            alternatives.append(
                Alternative(
                    code=alt_node.code if alt_node else alt_label,
                    name=alt_node.name if alt_node else alt_label,
                    confidence=round(probs[j], 4),
                )
            )
        result = Classification(
            code=label,
            name=label,
            path=[label],
            confidence=round(confidence, 4),
            source=self.source,
            alternatives=alternatives,
            evidence={
                "model_label": label,
                "probabilities": {self.labels[j]: round(probs[j], 4) for j in order[:4]},
            },
        )
        node = self.taxonomy.resolve(label) if self.taxonomy else None
        if node is not None:
            result.code = node.code
            result.name = node.name
            result.path = list(node.path)
            result.department = node.department
            result.time_limit_hours = node.time_limit_hours
            result.urgent = node.urgent
            result.consultation = node.consultation
        elif self.taxonomy is not None:
            reasons.append(f"模型标签不在分类体系中：{label}")
        if confidence < self.review_threshold:
            reasons.append(f"模型置信度低（{confidence:.2f}）")
        result.needs_review = bool(reasons)
        result.review_reasons = reasons
        return result

    # ------------------------------------------------------------------ persistence

    @property
    def info(self) -> dict[str, Any]:
        return dict(self.state.get("info", {}))

    def save(self, path: str | Path) -> int:
        """Write the model file atomically; returns its size in bytes."""
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_name(p.name + ".tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(self.state, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(p)
        return p.stat().st_size

    @classmethod
    def load(cls, path: str | Path, taxonomy: Taxonomy | None = None, *, review_threshold: float = 0.5) -> TextModel:
        p = Path(path)
        try:
            with open(p, "rb") as fh:
                state = pickle.load(fh)
        except FileNotFoundError:
            raise ModelError(f"{p}: model file not found") from None
        except IsADirectoryError:
            raise ModelError(f"{p}: is a directory, not a model file") from None
        except OSError as exc:
            raise ModelError(f"{p}: cannot read model file: {exc}") from None
        except Exception as exc:  # pickle raises many types on garbage input
            raise ModelError(f"{p}: not a model file (cannot unpickle: {type(exc).__name__}: {exc})") from None
        if not isinstance(state, dict) or state.get("format") != FORMAT:
            raise ModelError(f"{p}: not a model file of this gateway (format {state.get('format') if isinstance(state, dict) else type(state).__name__!r}, expected {FORMAT!r})")
        version = state.get("format_version")
        if version != FORMAT_VERSION:
            raise ModelError(f"{p}: model format version {version!r} is not supported (expected {FORMAT_VERSION}); retrain the model with `train`")
        missing = [k for k in _STATE_KEYS if k not in state]
        if missing:
            raise ModelError(f"{p}: model file is incomplete, missing {missing}")
        try:
            return cls(state, taxonomy, review_threshold=review_threshold)
        except Exception as exc:
            raise ModelError(f"{p}: model file is damaged: {exc}") from None


# ---------------------------------------------------------------- training

DEFAULT_PARAMS: dict[str, Any] = {
    "char_chars": 600,
    "char_ngram": (1, 3),
    "min_df": 3,
    "C": 1.0,
    "class_weight": "balanced",
    "calibration_folds": 3,
    # Naive-Bayes-scaled features (Wang & Manning 2012, "NBSVM"): each class's SVM sees the
    # n-grams weighted by how much more often they occur in that class than in the rest.
    "nb_scale": True,
    "nb_alpha": 1.0,
    # Words (jieba, no HMM) of the first `word_chars` characters, in a second NBSVM stacked on the
    # n-gram one (0: none). Read only for messages whose n-gram decisions alone give no label
    # `word_sure` or more (see `_fit_words`).
    "word_chars": 0,
    "word_min_df": 2,
    "word_sure": 0.7,
}


def _fit_temperature(decisions: np.ndarray, y: np.ndarray) -> float:
    """Softmax temperature minimising the negative log-likelihood of out-of-fold decisions."""

    def nll(t: float) -> float:
        z = decisions / t
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-logp[np.arange(len(y)), y].mean())

    grid = np.exp(np.linspace(math.log(0.02), math.log(5.0), 40))
    best = min(grid, key=nll)
    lo, hi = best / 1.3, best * 1.3
    for _ in range(30):  # golden-section refinement
        a = hi - (hi - lo) / 1.618
        b = lo + (hi - lo) / 1.618
        if nll(a) < nll(b):
            hi = b
        else:
            lo = a
    return float((lo + hi) / 2)


def _doc_counts(texts: list[str], limit: int, lo: int, hi: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per `normalize`d text: its distinct n-gram keys (sorted) and their counts."""
    out = []
    for t in texts:
        keys = _char_keys(t, limit, lo, hi)
        out.append(_count(keys) if keys.size else (keys, np.empty(0, dtype=np.intp)))
    return out


def _tfidf(docs: list[tuple[np.ndarray, np.ndarray]], vocab: np.ndarray, idf: np.ndarray, dtype=np.float64):
    """The L2-normalized sublinear tf-idf CSR matrix of `_doc_counts` over a vocabulary, the same
    values `TextModel.decision` computes for one message; all documents in one pass."""
    from scipy.sparse import csr_matrix

    n = len(docs)
    if not n:
        return csr_matrix((0, vocab.size), dtype=dtype)
    sizes = np.fromiter((k.size for k, _ in docs), dtype=np.intp, count=n)
    uk = np.concatenate([k for k, _ in docs])
    tf = np.concatenate([c for _, c in docs])
    doc = np.repeat(np.arange(n), sizes)
    pos = np.searchsorted(vocab, uk)
    np.minimum(pos, max(vocab.size - 1, 0), out=pos)
    hit = vocab[pos] == uk if vocab.size else np.zeros(uk.size, dtype=bool)
    pos, tf, doc = pos[hit], tf[hit], doc[hit]
    x = (1.0 + np.log(tf)) * idf[pos]
    norm = np.sqrt(np.bincount(doc, weights=x * x, minlength=n))
    norm[norm == 0] = 1.0
    x /= norm[doc]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(doc, minlength=n), out=indptr[1:])
    return csr_matrix((x.astype(dtype, copy=False), pos, indptr), shape=(n, vocab.size))


def _features(texts: list[str], p: Mapping[str, Any]):
    """Vocabulary (sorted n-gram keys seen in at least `min_df` texts), smoothed idf and the tf-idf
    matrix of the `normalize`d training texts."""
    lo, hi = (int(x) for x in p["char_ngram"])
    min_df = int(p["min_df"])
    docs = _doc_counts(texts, int(p["char_chars"]), lo, hi)
    if not any(k.size for k, _ in docs):
        raise ModelError("the training texts have no characters to learn from")
    grams, df = np.unique(np.concatenate([k for k, _ in docs]), return_counts=True)
    keep = df >= min_df
    if not keep.any():
        raise ModelError(f"no character n-gram occurs in {min_df} or more training records (min_df); add data or lower min_df")
    vocab, df = grams[keep], df[keep]
    idf = np.log((1.0 + len(texts)) / (1.0 + df)) + 1.0
    return vocab, idf, _tfidf(docs, vocab, idf)


class _NBSVM:
    """One-vs-rest linear SVMs over Naive-Bayes-scaled features. Scaling an n-gram by the
    class's log-count ratio r before a linear SVM is the same as multiplying the SVM's weights
    by r afterwards, so the fitted model is an ordinary linear model over the tf-idf features
    (`coef_`, `intercept_`): prediction does not change."""

    def __init__(self, C: float, class_weight, alpha: float):
        self.C, self.class_weight, self.alpha = C, class_weight, alpha

    def fit(self, X, y: np.ndarray) -> _NBSVM:
        from sklearn.svm import LinearSVC

        present = (X > 0).astype(np.float32)
        coef, intercept = [], []
        for k in np.unique(y):
            pos = y == k
            p = self.alpha + np.asarray(present[pos].sum(axis=0)).ravel()
            q = self.alpha + np.asarray(present[~pos].sum(axis=0)).ravel()
            r = np.log((p / p.sum()) / (q / q.sum()))
            svm = LinearSVC(C=self.C, class_weight=self.class_weight, random_state=0).fit(X.multiply(r).tocsr(), pos)
            coef.append(svm.coef_[0] * r)
            intercept.append(svm.intercept_[0])
        self.coef_ = np.vstack(coef)
        self.intercept_ = np.array(intercept)
        return self

    def decision_function(self, X) -> np.ndarray:
        return np.asarray(X @ self.coef_.T) + self.intercept_


def _fit_head(X, labels: list[str], p: Mapping[str, Any]) -> dict[str, Any]:
    """A linear SVM over the features for one head, with its softmax temperature fitted on
    out-of-fold decisions (confidences calibrated on data the model did not see)."""
    from sklearn.svm import LinearSVC

    classes = sorted(set(labels))
    if len(classes) < 2:
        raise ModelError(f"training needs at least two different labels, got {classes}")
    y = np.array([classes.index(label) for label in labels])

    def svc() -> LinearSVC | _NBSVM:
        if p.get("nb_scale"):
            return _NBSVM(p["C"], p["class_weight"], float(p.get("nb_alpha", 1.0)))
        # A fixed seed for liblinear's coordinate order: the same records give the same model.
        return LinearSVC(C=p["C"], class_weight=p["class_weight"], random_state=0)

    temperature = 1.0
    oof = None
    # As many folds as asked, as long as two classes can fill them (rarer classes sit out
    # of some training folds; see _out_of_fold).
    counts = np.sort(np.bincount(y))
    folds = min(int(p["calibration_folds"]), int(counts[-2]) if counts.size > 1 else 0)
    if folds >= 2:
        oof = _out_of_fold(svc, X, y, len(classes), folds)
        temperature = _fit_temperature(oof, y)
    clf = svc().fit(X, y)
    coef = clf.coef_.T.astype(np.float32)
    intercept = clf.intercept_.astype(np.float64)
    if len(classes) == 2 and coef.shape[1] == 1:  # LinearSVC keeps one column for two classes
        coef = np.column_stack([-coef[:, 0] / 2, coef[:, 0] / 2]).astype(np.float32)
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    return {"labels": classes, "coef": coef, "intercept": intercept, "temperature": temperature,
            "counts": {c: int(n) for c, n in zip(classes, np.bincount(y), strict=True)},
            "oof": None if oof is None else _softmax(oof / temperature)}


def _out_of_fold(make, X, y: np.ndarray, n_classes: int, folds: int) -> np.ndarray:
    """Decision values of every row from a model fitted without it. A class with fewer rows
    than folds (a category an operator labelled once) is simply absent from some training
    folds: its column there gets a decision far below any other."""
    import warnings

    from sklearn.model_selection import StratifiedKFold

    out = np.full((len(y), n_classes), -10.0)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class")
        splits = list(StratifiedKFold(folds, shuffle=True, random_state=0).split(np.zeros(len(y)), y))
    for train, test in splits:
        present = np.unique(y[train])
        if present.size < 2:
            continue
        d = make().fit(X[train], y[train]).decision_function(X[test])
        if d.ndim == 1:  # two classes: decision for the second only
            d = np.column_stack([-d / 2, d / 2])
        out[np.ix_(test, present)] = d
    return out


def _softmax(d: np.ndarray) -> np.ndarray:
    e = np.exp(d - d.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


_TOKENIZER = None


def _words(normalized: str, limit: int) -> list[str]:
    """jieba's words (no HMM) of the first `limit` characters, with a tokenizer of the model's own."""
    global _TOKENIZER
    if _TOKENIZER is None:
        from classifiers.tokenizer import private_tokenizer

        _TOKENIZER = private_tokenizer()
    return _TOKENIZER.lcut(normalized[:limit], HMM=False)


class _WordPart:
    """The word NBSVM stacked on the n-gram one: the n-gram decisions, scaled, plus w × the word
    decisions, scaled, go into a multinomial logistic regression. A regression over the n-gram
    decisions alone answers first; the words are read only when it gives no label `sure` or more
    (on TipDM 10 % of messages at 0.7, with the full stack's macro-F1: bench/tipdm_stack_eval.py)."""

    def __init__(self, state: Mapping[str, Any]):
        self.chars = int(state["chars"])
        self.sure = float(state["sure"])
        self.column = dict(state["vocabulary"])
        self.idf = np.asarray(state["idf"], dtype=np.float64)
        self.coef = np.asarray(state["coef"], dtype=np.float64)  # (words, labels), × w / word scale
        self.intercept = np.asarray(state["intercept"], dtype=np.float64)
        self.char_scale = float(state["char_scale"])
        self.alone = (np.asarray(state["alone_coef"]), np.asarray(state["alone_intercept"]))
        self.meta = (np.asarray(state["meta_coef"]), np.asarray(state["meta_intercept"]))

    def decision(self, char_decision: np.ndarray, normalized: str) -> np.ndarray:
        a = char_decision * self.char_scale
        z = a @ self.alone[0] + self.alone[1]
        e = np.exp(z - z.max())
        if e.max() / e.sum() >= self.sure:
            return z
        counts: dict[int, int] = {}
        for word in _words(normalized, self.chars):
            j = self.column.get(word)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        s = a + self.intercept
        if counts:
            js = np.fromiter(counts.keys(), np.intp)
            x = (1.0 + np.log(np.fromiter(counts.values(), np.float64))) * self.idf[js]
            s = s + (x @ self.coef[js]) / math.sqrt(float(x @ x))
        return s @ self.meta[0] + self.meta[1]


def _fit_words(X, texts: list[str], labels: list[str], main: Mapping[str, Any], p: Mapping[str, Any]) -> dict[str, Any]:
    """The word part (`_WordPart`): a word NBSVM, and the weight w of its decisions and the
    regressions' C chosen by cross-validation (5 folds, fewer for rare labels) on out-of-fold
    decisions of the training records only."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    classes = main["labels"]
    y = np.array([classes.index(label) for label in labels])
    limit = int(p["word_chars"])
    vectorizer = TfidfVectorizer(analyzer=lambda x: x, sublinear_tf=True, min_df=int(p["word_min_df"]))
    W = vectorizer.fit_transform([_words(t, limit) for t in texts]).tocsr()

    def nbsvm() -> _NBSVM:
        return _NBSVM(p["C"], p["class_weight"], float(p.get("nb_alpha", 1.0)))

    folds = min(5, int(np.bincount(y).min()))
    if folds < 2:
        raise ModelError("the word model needs at least two training records of every label")
    oa = _out_of_fold(nbsvm, X, y, len(classes), folds)
    ob = _out_of_fold(nbsvm, W, y, len(classes), folds)
    sa, sb = float(oa.std()) or 1.0, float(ob.std()) or 1.0
    best = None
    for w in (0.0, 0.25, 0.5, 1.0):
        stacked = oa / sa + w * ob / sb
        for c in (0.1, 0.3, 1.0, 3.0, 10.0):
            guess = cross_val_predict(LogisticRegression(C=c, max_iter=2000), stacked, y,
                                      cv=StratifiedKFold(folds, shuffle=True, random_state=2))
            f = f1_score(y, guess, average="macro")
            if best is None or f > best[0]:
                best = (f, w, c)
    _, w, c = best
    b = nbsvm().fit(W, y)
    meta = LogisticRegression(C=c, max_iter=2000).fit(oa / sa + w * ob / sb, y)
    alone = LogisticRegression(C=c, max_iter=2000).fit(oa / sa, y)
    return {"chars": limit, "sure": float(p["word_sure"]), "vocabulary": dict(vectorizer.vocabulary_),
            "idf": vectorizer.idf_, "coef": b.coef_.T * (w / sb), "intercept": b.intercept_ * (w / sb),
            "char_scale": 1.0 / sa, "alone_coef": alone.coef_.T, "alone_intercept": alone.intercept_,
            "meta_coef": meta.coef_.T, "meta_intercept": meta.intercept_, "weight": w, "C": c}


def train(records: Iterable[Mapping[str, Any]], taxonomy: Taxonomy | None = None, *,
          heads: Iterable[str] = (), **params: Any) -> TextModel:
    """Train a model on records ({"text", optional "title", "label"}). Each name in `heads`
    adds a head over the same n-grams, trained on the records that have that field (its
    value, as text, is the head's label: e.g. "urgent" true/false). Raises ModelError on
    unusable data."""
    unknown = set(params) - set(DEFAULT_PARAMS)
    if unknown:
        raise TypeError(f"unknown training parameter(s): {sorted(unknown)}")
    p = {**DEFAULT_PARAMS, **params}
    lo, hi = (int(x) for x in p["char_ngram"])
    if not 1 <= lo <= hi <= 3:
        raise ValueError(f"char_ngram must be (lo, hi) with 1 <= lo <= hi <= 3, got {p['char_ngram']!r}")
    heads = tuple(heads)
    started = time.perf_counter()
    texts: list[str] = []
    labels: list[str] = []
    head_labels: dict[str, list[tuple[int, str]]] = {h: [] for h in heads}
    for i, rec in enumerate(records):
        if not isinstance(rec, Mapping):
            raise ModelError(f"record {i + 1}: expected an object with 'text' and 'label'")
        label = rec.get("label")
        if not isinstance(label, str) or not label.strip():
            raise ModelError(f"record {i + 1}: missing or empty 'label'")
        text = record_text(rec)
        if not text.strip():
            raise ModelError(f"record {i + 1}: missing or empty 'text'")
        for head in heads:
            if rec.get(head) is not None:
                head_labels[head].append((len(texts), str(rec[head]).lower()))
        texts.append(normalize(text[: int(p["char_chars"]) + 100]))  # as TextModel._normalize
        labels.append(label.strip())

    vocab, idf, X = _features(texts, p)
    main = _fit_head(X, labels, p)
    words = _fit_words(X, texts, labels, main, p) if int(p["word_chars"]) > 0 else None
    if words is not None:
        main["temperature"] = 1.0  # the stack's regression gives calibrated probabilities
    extra, extra_oof = {}, {}
    for head, pairs in head_labels.items():
        rows = np.array([i for i, _ in pairs], dtype=np.intp)
        # The heads (urgency, kind) stay plain SVMs: scaled, the urgency head missed more dangers.
        fitted = _fit_head(X[rows], [label for _, label in pairs], {**p, "nb_scale": False})
        extra[head] = {k: fitted[k] for k in ("labels", "coef", "intercept", "temperature")}
        extra_oof[head] = fitted["oof"]
    state = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "labels": main["labels"],
        "params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in p.items()},
        "char_keys": vocab,
        "idf": idf,
        "coef": main["coef"],
        "intercept": main["intercept"],
        "temperature": main["temperature"],
        "heads": extra,
        "words": words,
        "info": {
            "trained_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "records": len(texts),
            "label_counts": main["counts"],
            "heads": {h: len(head_labels[h]) for h in heads},
            "features": int(X.shape[1]),
            "train_seconds": round(time.perf_counter() - started, 2),
        },
    }
    model = TextModel(state, taxonomy)
    # Out-of-fold probabilities of the training records (not saved): what the model says of
    # texts it did not see, for calibrating what is built on it.
    model.oof = {"main": main["oof"], **{h: (extra_oof[h], [i for i, _ in head_labels[h]]) for h in heads}}
    return model


def load(path: str | Path, taxonomy: Taxonomy | None = None, *, review_threshold: float = 0.5) -> TextModel:
    return TextModel.load(path, taxonomy, review_threshold=review_threshold)
