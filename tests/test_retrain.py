"""Learning from operators: `run.py train --classifier --data labels.jsonl` retrains the
gateway's classifier on the project's corpus plus the operators' labels (the format
`run.py export-labels` writes), and the new model classifies like the operators did.

The corpus is cut to a sample here so that training takes seconds; bench/retrain_eval.py
measures the full loop (console → export → train → held-out set)."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

import run
from classifiers.classify import training
from classifiers.classify.combined import build_classifier

ROOT = Path(__file__).resolve().parent.parent
WEAK = "SJ-09015"  # 无证餐饮


@pytest.fixture(scope="module")
def corrections() -> list[dict]:
    rows = [json.loads(line) for line in (ROOT / "bench" / "data" / "corrections_SJ-09015.jsonl").read_text(
        encoding="utf-8").splitlines() if line.strip()]
    random.Random(7).shuffle(rows)
    return rows


@pytest.fixture
def small_corpus(tmp_path, monkeypatch):
    rows = training.corpus_records()
    random.Random(3).shuffle(rows)
    keep = [r for r in rows if r["label"] != WEAK][:1500] + [r for r in rows if r["label"] == WEAK][:3]
    path = tmp_path / "corpus.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in keep), encoding="utf-8")
    monkeypatch.setattr(training, "CORPUS", path)
    monkeypatch.setattr(training, "corpus_records", lambda p=path: [json.loads(x) for x in p.read_text(
        encoding="utf-8").splitlines()])
    monkeypatch.setattr(training, "CALIBRATION", tmp_path / "no-calibration.jsonl")  # out of fold instead


def _export(rows: list[dict], path: Path) -> None:
    """What run.py export-labels writes for operators' confirmations."""
    path.write_text("".join(json.dumps({"text": r["text"], "label": r["label"], "suggested": "",
                                        "operator": "li", "case_no": f"20261130-{i:06d}", "at": "2026-11-30T10:00:00+08:00"},
                                       ensure_ascii=False) + "\n" for i, r in enumerate(rows)), encoding="utf-8")


def _recall(model_path: Path, texts: list[str]) -> float:
    classifier = build_classifier(model_path=model_path)
    return sum(classifier.classify(t).code == WEAK for t in texts) / len(texts)


def test_operators_labels_teach_a_weak_category(small_corpus, corrections, tmp_path, capsys):
    weak = [r for r in corrections if r["label"] == WEAK]
    taught, unseen = corrections[:120], [r["text"] for r in weak if r not in corrections[:120]]
    assert len(unseen) >= 30
    labels = tmp_path / "labels.jsonl"
    _export([{"text": "路灯不亮了", "label": "BJ-01037"}], labels)  # a label for an unrelated category
    assert run.main(["train", "--classifier", "--data", str(labels), "--model", str(tmp_path / "before.pkl")]) == 0
    _export(taught, labels)
    assert run.main(["train", "--classifier", "--data", str(labels), "--model", str(tmp_path / "after.pkl")]) == 0
    out = capsys.readouterr().out
    assert "combiner: model weight" in out and "reliability" in out
    before, after = _recall(tmp_path / "before.pkl", unseen), _recall(tmp_path / "after.pkl", unseen)
    assert after >= before + 0.3, (before, after)


def test_without_a_calibration_set_the_calibrator_is_fitted_out_of_fold(small_corpus, tmp_path):
    labels = tmp_path / "labels.jsonl"
    _export([{"text": "小区门口无证小饭馆天天营业", "label": WEAK}], labels)
    assert run.main(["train", "--classifier", "--data", str(labels), "--model", str(tmp_path / "m.pkl")]) == 0
    combiner = build_classifier(model_path=tmp_path / "m.pkl").model.state["combiner"]
    assert combiner["calibrator"]["fitted_on"].startswith("out-of-fold")
    assert combiner["reliability"]


def test_labels_that_are_not_taxonomy_codes_are_refused(tmp_path, capsys):
    labels = tmp_path / "labels.jsonl"
    _export([{"text": "路灯不亮了", "label": "NO-SUCH-CODE"}], labels)
    assert run.main(["train", "--classifier", "--data", str(labels), "--model", str(tmp_path / "m.pkl")]) != 0
    assert "NO-SUCH-CODE" in capsys.readouterr().err
    assert not (tmp_path / "m.pkl").exists()
