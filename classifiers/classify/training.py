"""Training the default classifier: the model (leaf, urgency and kind heads over the same
character n-grams) and the combiner's calibration, from labelled complaints.

    records  the project's corpus (classifiers/data/corpus/complaints.jsonl), plus whatever
             else is given (operators' corrections exported with run.py export-labels)

The combiner is fitted on out-of-fold probabilities — what the model says of texts it was
not trained on — together with the keyword rules: the weight of the model against the
rules, then an isotonic map from the combined score to the share of tickets with that score
whose category was right (so "0.8" means right four times in five).

`default_model(settings)` is the model `[classification].model = "auto"` uses: trained once
from the corpus and kept under classifiers/data/.cache, keyed by what it was trained from,
so every process of the gateway (and every test run) shares it.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from classifiers.classify import model as M
from classifiers.classify.keywords import KeywordClassifier
from classifiers.classify.taxonomy import Taxonomy
from classifiers.normalize import normalize

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus" / "complaints.jsonl"
CACHE = Path(__file__).resolve().parents[1] / "data" / ".cache"
HEADS = ("urgent", "kind")
TRAINING_VERSION = 1  # bump when training changes in a way that makes cached models stale


def corpus_records(path: Path = CORPUS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def with_kinds(records: Iterable[Mapping[str, Any]], taxonomy: Taxonomy) -> list[dict]:
    """Records with their kind filled in from their label where they lack one (operators'
    corrections carry only a label)."""
    from classifiers.classify.combined import kind_of

    out = []
    for rec in records:
        rec = dict(rec)
        node = taxonomy.resolve(str(rec.get("label", "")))
        if rec.get("kind") is None and node is not None:
            rec["kind"] = kind_of(node)
        out.append(rec)
    return out


def train_classifier(records: Iterable[Mapping[str, Any]], taxonomy: Taxonomy, rules: KeywordClassifier,
                     **params: Any) -> M.TextModel:
    """The model with its heads, and the combiner's weight and calibration in its state."""
    records = with_kinds(records, taxonomy)
    model = M.train(records, taxonomy, heads=HEADS, **params)
    model.state["combiner"] = fit_combiner(records, model, rules, taxonomy)
    return model


def fit_combiner(records: list[dict], model: M.TextModel, rules: KeywordClassifier,
                 taxonomy: Taxonomy) -> dict[str, Any]:
    """The model's weight against the rules that gets most out-of-fold leaves right, and the
    isotonic map from the combined score to the share right."""
    from sklearn.isotonic import IsotonicRegression

    oof = model.oof["main"]
    kinds_oof, kind_rows = model.oof.get("kind", (None, []))
    kind_labels = model.heads["kind"][0] if "kind" in model.heads else []
    kind_of_row = {row: dict(zip(kind_labels, kinds_oof[i].tolist(), strict=True)) for i, row in enumerate(kind_rows)}
    labels = model.labels
    ranked = [rules.rank(normalize(str(r.get("text", ""))[:5000]))[0] for r in records]
    from classifiers.classify.combined import kind_of

    leaf_kind = {n.code: kind_of(n) for n in taxonomy.leaves}

    def decide(i: int, w: float) -> tuple[str, float]:
        probs = oof[i]
        top = np.argpartition(-probs, 8)[:8] if probs.size > 8 else np.arange(probs.size)
        model_p = {labels[j]: float(probs[j]) for j in top}
        total = sum(s for _, s in ranked[i]) or 1.0
        strength = KeywordClassifier.strength(ranked[i][0][1]) if ranked[i] else 0.0
        rule = {c: strength * s / total for c, s in ranked[i]}
        kinds = kind_of_row.get(i, {})
        best, best_score = "", -1.0
        for code in set(rule) | set(model_p):
            if code not in leaf_kind:
                continue
            score = kinds.get(leaf_kind[code], 1.0) * (w * model_p.get(code, float(probs[labels.index(code)])
                                                               if code in labels else 0.0)
                                                      + (1 - w) * rule.get(code, 0.0))
            if score > best_score:
                best, best_score = code, score
        return best, best_score

    truth = [str(r["label"]) for r in records]
    results = {}
    for w in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        decided = [decide(i, w) for i in range(len(records))]
        results[w] = (sum(d == t for (d, _), t in zip(decided, truth, strict=True)) / len(records), decided)
    weight = max(results, key=lambda w: results[w][0])
    accuracy, decided = results[weight]
    scores = np.array([s for _, s in decided])
    right = np.array([d == t for (d, _), t in zip(decided, truth, strict=True)], dtype=float)
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(scores, right)
    grid = np.linspace(0, float(scores.max()) if scores.size else 1.0, 41)
    return {"model_weight": weight, "calibration_x": grid.tolist(),
            "calibration_y": np.clip(iso.predict(grid), 0, 1).round(4).tolist(),
            "out_of_fold_accuracy": round(accuracy, 4),
            "reliability": reliability(scores, right, iso)}


def reliability(scores: np.ndarray, right: np.ndarray, iso) -> list[dict]:
    """The reliability curve: tickets binned by calibrated confidence, and the share of each
    bin that was right (close to the bin's confidence when calibration holds)."""
    calibrated = iso.predict(scores)
    rows = []
    for lo in np.arange(0.0, 1.0, 0.1):
        inside = (calibrated >= lo) & (calibrated < lo + 0.1 if lo < 0.9 else calibrated <= 1.0)
        if inside.any():
            rows.append({"confidence": f"{lo:.1f}–{lo + 0.1:.1f}", "tickets": int(inside.sum()),
                         "right": round(float(right[inside].mean()), 3)})
    return rows


def fingerprint(*paths: Path, extra: str = "") -> str:
    digest = hashlib.sha256(f"{TRAINING_VERSION}:{extra}".encode())
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def default_model(taxonomy: Taxonomy, rules: KeywordClassifier, taxonomy_path: Path,
                  lexicon_path: Path) -> M.TextModel:
    """The model trained from the project's corpus for this taxonomy and lexicon, from the
    cache, or trained now (once: other processes wait for it) and cached."""
    key = fingerprint(CORPUS, taxonomy_path, lexicon_path, Path(M.__file__), Path(__file__))
    path = CACHE / f"default-{key}.pkl"
    if path.exists():
        return M.load(path, taxonomy)
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / "training.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second process waits, then loads what the first made
        if path.exists():
            return M.load(path, taxonomy)
        started = time.perf_counter()
        model = train_classifier(corpus_records(), taxonomy, rules)
        model.state.setdefault("info", {})["train_seconds"] = round(time.perf_counter() - started, 1)
        model.save(path)
        for old in CACHE.glob("default-*.pkl"):
            if old != path:
                old.unlink(missing_ok=True)
    return M.load(path, taxonomy)
