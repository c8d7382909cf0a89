"""Training the default classifier: the model (leaf, urgency and kind heads over the same
character n-grams) and the combiner's calibration, from labelled complaints.

    records  the project's corpus (classifiers/data/corpus/complaints.jsonl), plus whatever
             else is given (operators' corrections exported with run.py export-labels)

The combiner is fitted on what the model says of texts it was not trained on: the weight of
the model against the rules on out-of-fold probabilities of the corpus, then the calibrator
(a logistic regression from the confidence features — combined score, lead over the
runner-up, agreement of rules and model … — to "the category was right", so "0.8" means
right four times in five) on the calibration set: complaints written independently of the
rules and the corpus (classifiers/data/calibration/), never trained on.

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
CALIBRATION = Path(__file__).resolve().parents[1] / "data" / "calibration"  # every *.jsonl in it
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
                     calibration: list[dict] | None = None, **params: Any) -> M.TextModel:
    """The model with its heads, and the combiner's weight and calibrator in its state.
    `calibration`: labelled texts the model is not trained on (default: the project's
    calibration set), to fit the calibrator on."""
    records = with_kinds(records, taxonomy)
    # Over the whole taxonomy's few examples per leaf, Naive-Bayes scaling lost written
    # complaints (0.924 -> 0.909 exact on classify_dev_v3): plain SVMs here.
    params.setdefault("nb_scale", False)
    model = M.train(records, taxonomy, heads=HEADS, **params)
    if calibration is None:
        calibration = calibration_records()
    model.state["combiner"] = fit_combiner(records, model, rules, taxonomy, calibration)
    return model


def calibration_files(path: Path | None = None) -> list[Path]:
    path = path or CALIBRATION
    if path.is_dir():
        return sorted(path.glob("*.jsonl"))
    return [path] if path.exists() else []


def calibration_records(path: Path | None = None) -> list[dict]:
    return [rec for file in calibration_files(path) for rec in corpus_records(file)]


def is_right(taxonomy: Taxonomy, chosen: str, label: Mapping[str, Any]) -> bool:
    """Whether `chosen` (a leaf code) is right for a calibration record: its national code
    or one a dispatcher might also pick (city), a leaf under its social class (social),
    any consultation (consultation)."""
    from classifiers.classify.combined import kind_of

    node = taxonomy.get(chosen)
    if node is None:
        return False
    kind = label.get("kind")
    if kind == "consultation":
        return kind_of(node) == "consultation"
    if kind == "social":
        return kind_of(node) == "social" and label.get("social_class") in node.path
    national = chosen[3:] if chosen.startswith(("BJ-", "SJ-")) else ""
    return bool(national) and national in {label.get("code"), *(label.get("also_ok") or [])}


def fit_combiner(records: list[dict], model: M.TextModel, rules: KeywordClassifier,
                 taxonomy: Taxonomy, calibration: list[dict] | None = None) -> dict[str, Any]:
    """The model's weight against the rules that gets most out-of-fold leaves right, and the
    calibrator: a logistic regression from the confidence features to "the category was
    right", fitted on the calibration texts (never trained on) or, without any, out of fold."""
    from sklearn.linear_model import LogisticRegression

    from classifiers.classify.combined import confidence_features, kind_of, leaf_scores, reading
    from classifiers.classify.settings import ClassificationSettings

    threshold = ClassificationSettings().consultation_threshold
    leaf_kind = {n.code: kind_of(n) for n in taxonomy.leaves}
    oof = model.oof["main"]
    kinds_oof, kind_rows = model.oof.get("kind", (None, []))
    kind_labels = model.heads["kind"][0] if "kind" in model.heads else []
    kind_of_row = {row: dict(zip(kind_labels, kinds_oof[i].tolist(), strict=True)) for i, row in enumerate(kind_rows)}
    labels = model.labels
    ranked = [rules.rank(normalize(str(r.get("text", ""))[:5000]))[0] for r in records]

    def top(probs: np.ndarray) -> dict[str, float]:
        best = np.argpartition(-probs, 12)[:12] if probs.size > 12 else np.arange(probs.size)
        return {labels[j]: float(probs[j]) for j in best}

    oof_top = [top(oof[i]) for i in range(len(records))]

    def decide(rank, model_p, kinds, w) -> tuple[str, list[float]]:
        scores = leaf_scores(rank, model_p, kinds, leaf_kind, w, threshold) or {taxonomy.leaves[0].code: 0.0}
        best = max(scores, key=scores.get)
        return best, confidence_features(scores, best, rank, model_p, kinds)

    truth = [str(r["label"]) for r in records]
    results = {}
    for w in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        decided = [decide(ranked[i], oof_top[i], kind_of_row.get(i, {}), w) for i in range(len(records))]
        results[w] = (sum(d == t for (d, _), t in zip(decided, truth, strict=True)) / len(records), decided)
    weight = max(results, key=lambda w: results[w][0])
    accuracy, decided = results[weight]
    if calibration:
        rows = []
        for rec in calibration:
            normalized = reading(str(rec["text"]))
            probs = model.probabilities(normalized)
            best, features = decide(rules.rank(normalized)[0], probs["main"], probs.get("kind") or {}, weight)
            rows.append((features, is_right(taxonomy, best, rec)))
        fitted_on = f"calibration set ({len(calibration)} texts the model never saw)"
    else:
        rows = [(f, d == t) for (d, f), t in zip(decided, truth, strict=True)]
        fitted_on = f"out-of-fold predictions of the corpus ({len(records)} texts)"
    X = np.array([f for f, _ in rows], dtype=float)
    y = np.array([r for _, r in rows], dtype=int)
    calibrator = LogisticRegression(C=1.0, max_iter=2000)
    if len(set(y)) < 2:  # nothing to learn from: all right (or all wrong)
        coef, intercept = [0.0] * X.shape[1], float(np.log((y.mean() + 0.01) / (1.01 - y.mean())))
    else:
        calibrator.fit(X, y)
        coef, intercept = calibrator.coef_[0].round(6).tolist(), float(calibrator.intercept_[0])
    return {"model_weight": weight, "out_of_fold_accuracy": round(accuracy, 4),
            "calibrator": {"coef": coef, "intercept": intercept, "fitted_on": fitted_on},
            "reliability": reliability(X, y) if len(set(y)) == 2 else []}


def reliability(X: np.ndarray, right: np.ndarray) -> list[dict]:
    """The reliability curve of the calibrator, cross-validated (each text's confidence from a
    calibrator fitted without it): texts binned by confidence, and the share of each bin that
    was right (close to the bin's confidence when calibration holds)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    folds = int(min(5, np.bincount(right).min()))
    if folds < 2:
        return []
    calibrated = cross_val_predict(LogisticRegression(C=1.0, max_iter=2000), X, right, cv=folds,
                                   method="predict_proba")[:, 1]
    return reliability_rows(calibrated, right)


def reliability_rows(confidence: np.ndarray, right: np.ndarray) -> list[dict]:
    rows = []
    for lo in np.arange(0.0, 1.0, 0.1):
        inside = (confidence >= lo) & (confidence < lo + 0.1 if lo < 0.9 else confidence <= 1.0)
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
    key = fingerprint(CORPUS, *calibration_files(), taxonomy_path, lexicon_path,
                      Path(M.__file__), Path(__file__), Path(__file__).with_name("combined.py"))
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
