"""What a report says is wrong with the thing (不亮 / 白天亮 / 歪了 …), so that two reports at
one spot that name different faults are not joined by themselves. Two readers: words
(`[faults]` in `classifiers/data/duplicate_words.toml`), and a character n-gram model over 37
kinds of fault, trained on `classifiers/data/corpus/faults.jsonl` (3,300 texts of the
duplicate development pairs, each labelled with its fault by people who never saw the
words), for the many ways a fault is told (灯箱整晚开着白得刺眼 / 顶棚被风掀掉一半)."""
from __future__ import annotations

import json
import math
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import ahocorasick
import numpy as np

from classifiers.dedupe.recurrence import WORDS, kinds_automaton
from classifiers.dedupe.textmodel import CharLinear, cached, vectorizer
from classifiers.normalize import normalize

__all__ = ["PairReader", "fault_kinds", "fault_model", "fault_profile", "faults_alike", "faults_differ",
           "pair_reader", "text_profile"]

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus" / "faults.jsonl"
PAIRS = CORPUS.with_name("fault_pairs.jsonl")
# Two reports tell of different faults when the model is at least SURE of each text's
# likeliest fault and their fault distributions have a cosine below SIMILAR (`faults_differ`:
# the rule the pair reader replaced, kept as bench/fault_eval.py's yardstick); of the same
# fault when it is SURE_ALIKE of each and the cosine is at least ALIKE. On the development
# pairs whose texts are both labelled, each set held out from training (`bench/fault_eval.py
# --grid`): told apart 204 of 440 "another problem at the same spot", 14 of 634 duplicates;
# read alike 126 of the duplicates, 3 of the other problems.
SURE = 0.3
SIMILAR = 0.2
SURE_ALIKE = 0.7
ALIKE = 0.9
# Kinds that gather several faults (动物: a dog loose, dog mess, feeding strays; 绿化: weeds,
# lawn dug up, bark stripped; 秩序管理: touts, queues, crowds): two reports read as one of
# these are not thereby of one fault. Nor are two of "something else".
PAIR_C = 0.3
READ_CHARS = 400  # characters of a report the fault model reads (its gist is in its first lines)
_BROAD = frozenset({"其他", "秩序管理", "安全隐患其他", "设计不当", "动物", "绿化"})


@lru_cache(maxsize=4)
def _automaton(path: Path = WORDS) -> ahocorasick.Automaton:
    return kinds_automaton(path, "faults", "faults")


# Said just before a fault's word, it says the fault is not there ("目前没有漏水", "并不吵").
_NOT = ("没有", "没", "不", "未", "无")


def fault_kinds(normal_text: str, path: Path = WORDS) -> frozenset[str]:
    """The faults a normalised text names (empty when it names none)."""
    if not normal_text:
        return frozenset()
    found = set()
    for end, (word, fault) in _automaton(path).iter(normal_text):
        start = end + 1 - len(word)
        if not normal_text.endswith(_NOT, max(0, start - 2), start):
            found.add(fault)
    return frozenset(found)


def _train(corpus: Path = CORPUS):
    """The scikit-learn pipeline: one row per (text, fault) — a text labelled with two faults
    teaches both."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    rows = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts, labels = [], []
    for r in rows:
        for fault in r["faults"]:
            texts.append(normalize(r["text"]))
            labels.append(fault)
    return make_pipeline(vectorizer(), LogisticRegression(C=16.0, max_iter=3000)).fit(texts, labels)


@lru_cache(maxsize=2)
def fault_model(corpus: Path = CORPUS) -> CharLinear:
    return cached("faults", corpus, Path(__file__), lambda: _train(corpus))


def text_profile(text: str) -> np.ndarray:
    """The fault model's reading of a report's text (normalised here, its first READ_CHARS)."""
    return fault_profile(normalize(text)[:READ_CHARS])


def fault_profile(normalized: str) -> np.ndarray:
    """The model's probability of each kind of fault (`fault_model().classes`) for a
    normalised text, as float32."""
    return fault_model().probabilities(normalized).astype(np.float32)


def faults_differ(a: np.ndarray, b: np.ndarray, sure: float = SURE, similar: float = SIMILAR) -> bool:
    """Do two texts' fault distributions tell of different faults (each read surely)?"""
    if a.max() < sure or b.max() < sure:
        return False
    return float(a @ b) < similar * float(np.linalg.norm(a) * np.linalg.norm(b))


def faults_alike(a: np.ndarray, b: np.ndarray, sure: float = SURE_ALIKE, alike: float = ALIKE) -> bool:
    """Do two texts' fault distributions tell of the same fault (each read surely, as a kind
    that is one fault)?"""
    if a.max() < sure or b.max() < sure or fault_model().classes[int(a.argmax())] in _BROAD:
        return False
    return float(a @ b) >= alike * float(np.linalg.norm(a) * np.linalg.norm(b))


class PairReader:
    """How likely two reports at one spot tell of one problem, from what each says is wrong:
    a logistic regression, trained on the development pairs of `PAIRS` (duplicates, and
    another problem at the same spot), over the products a_i·b_j of the two fault
    distributions — which faults are one problem told two ways (红绿灯全灭 / 车都在抢着走:
    不亮 and 秩序管理) and which never are (油烟 / 占道) —, their cosine, and whether the fault
    words name a fault in common or only different ones. The products' weights are kept as a
    symmetric matrix M, so their weighted sum is a·M·b."""

    def __init__(self, regression, kinds: int) -> None:
        w = regression.coef_[0].astype(np.float64)
        upper = np.triu_indices(kinds)
        m = np.zeros((kinds, kinds))
        m[upper] = w[:upper[0].size]
        self.matrix = (m + m.T) / 2  # a·M·b = Σ_i w_ii a_i b_i + Σ_i<j w_ij (a_i b_j + a_j b_i) / 2
        self.w_cosine, self.w_same_words, self.w_other_words = (float(x) for x in w[upper[0].size:])
        self.intercept = float(regression.intercept_[0])

    def probability(self, a: np.ndarray, b: np.ndarray, same_words: bool, other_words: bool) -> float:
        """P(one problem) for fault distributions a, b and the fault words' verdicts."""
        z = (float(a @ self.matrix @ b) + self.w_cosine * _cosine(a, b) + self.w_same_words * same_words
             + self.w_other_words * other_words + self.intercept)
        return 1.0 / (1.0 + math.exp(-z))


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b) / norm if norm else 0.0


def pair_features(a: np.ndarray, b: np.ndarray, same_words: bool, other_words: bool) -> np.ndarray:
    """The row `PairReader` was trained on: the symmetric products (upper triangle), cosine, verdicts."""
    products = (np.outer(a, b) + np.outer(b, a)) / 2
    return np.concatenate([products[np.triu_indices(a.size)], [_cosine(a, b), same_words, other_words]])


def pair_rows(rows: list[dict], words: Callable[[str], frozenset[str]],
              profile: Callable[[str], np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """`pair_features` of labelled pairs ({"a", "b", "same"}) and their labels; `profile`
    reads a report's text as `text_profile` does."""
    x, y = [], []
    for r in rows:
        fa, fb = words(r["a"]), words(r["b"])
        same = bool(fa & fb)
        x.append(pair_features(profile(r["a"]), profile(r["b"]), same, bool(fa and fb and not same)))
        y.append(bool(r["same"]))
    return np.array(x), np.array(y)


def train_pair_regression(x: np.ndarray, y: np.ndarray):
    from sklearn.linear_model import LogisticRegression

    # Weak regularisation overfits the 700 products to the few pairs of each; C chosen with
    # each development set held out in turn (bench/fault_eval.py --pairs).
    return LogisticRegression(C=PAIR_C, class_weight="balanced", max_iter=3000).fit(x, y)


def _train_pairs(words: Callable[[str], frozenset[str]], pairs: Path):
    rows = [json.loads(line) for line in pairs.read_text(encoding="utf-8").splitlines() if line.strip()]
    return train_pair_regression(*pair_rows(rows, words, text_profile))


@lru_cache(maxsize=2)
def pair_reader(words: Callable[[str], frozenset[str]], pairs: Path = PAIRS) -> PairReader:
    """The reader for the fault words read by `words` (the duplicate index's own reading of a text)."""
    return cached("fault-pairs", (pairs, CORPUS, WORDS), Path(__file__), lambda: _train_pairs(words, pairs),
                  build=lambda regression: PairReader(regression, len(fault_model().classes)))
