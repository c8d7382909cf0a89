"""`train` and `eval` as run.py will call them (through add_commands and args.func)."""
from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from classifiers.classify import cli

FIXTURES = Path(__file__).parent / "fixtures"
TRAIN = str(FIXTURES / "train_small.jsonl")
CORRECTIONS = str(FIXTURES / "corrections_small.jsonl")
RULES = str(FIXTURES / "rules_small.jsonl")


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    cli.add_commands(sub)
    args = parser.parse_args(argv)
    return args.func(args)


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "model.pkl"
    assert run(["train", "--data", TRAIN, "--data", CORRECTIONS, "--model", str(path)]) == 0
    return path


def test_train_accepts_several_files_and_reports(model_path, tmp_path, capsys):
    out_path = tmp_path / "again.pkl"
    assert run(["train", "--data", TRAIN, "--data", CORRECTIONS, "--model", str(out_path)]) == 0
    out = capsys.readouterr().out
    assert "trained on 27 records, 3 labels" in out  # 24 + 3 corrections (blank line skipped)
    assert re.search(r"training time: \d+\.\d s", out)
    assert re.search(r"model: .*again\.pkl \(\d+\.\d MB\)", out)
    assert out_path.stat().st_size > 0


def test_eval_saved_model_prints_metrics(model_path, capsys):
    assert run(["eval", "--data", TRAIN, "--model", str(model_path)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^accuracy: \d\.\d{3} \(\d+/24\)$", out, re.M)
    assert re.search(r"^macro-F1: \d\.\d{3}$", out, re.M)
    assert "劳动和社会保障" in out and "precision" in out
    assert re.search(r"^speed: \d+ messages/s", out, re.M)


def test_eval_cross_validation(capsys):
    assert run(["eval", "--data", TRAIN, "--cv", "2"]) == 0
    out = capsys.readouterr().out
    assert "2-fold stratified cross-validation" in out
    f1 = float(re.search(r"^macro-F1: (\d\.\d{3})$", out, re.M).group(1))
    assert 0.0 <= f1 <= 1.0


def test_eval_rules_reports_leaf_and_top_level_accuracy(capsys):
    assert run(["eval", "--data", RULES, "--rules"]) == 0
    out = capsys.readouterr().out
    leaf = float(re.search(r"^accuracy: (\d\.\d{3})", out, re.M).group(1))
    top = float(re.search(r"^top-level accuracy: (\d\.\d{3})", out, re.M).group(1))
    assert leaf >= 0.857  # 6/7: the fixture's last record is filed under a neighbouring leaf on purpose
    assert top >= leaf
    assert "most common confusions" in out and "SJ-10002 →" in out


def test_cv_with_too_few_records_per_label_is_an_error(capsys):
    assert run(["eval", "--data", CORRECTIONS, "--cv", "5"]) == 2
    assert "fewer than 5 records" in capsys.readouterr().err


def test_bad_data_line_names_file_and_line(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "路灯坏了", "label": "城乡建设"}\n{"text": "没有标签"}\n', encoding="utf-8")
    assert run(["train", "--data", str(bad), "--model", str(tmp_path / "m.pkl")]) == 2
    assert f"{bad}:2: missing or empty 'label'" in capsys.readouterr().err
    bad.write_text('{"text": "路灯坏了", "label": "x"}\nnot json\n', encoding="utf-8")
    assert run(["eval", "--data", str(bad), "--rules"]) == 2
    assert f"{bad}:2: not valid JSON" in capsys.readouterr().err


def test_missing_model_or_taxonomy_is_a_clean_error(tmp_path, capsys):
    assert run(["eval", "--data", TRAIN, "--model", str(tmp_path / "none.pkl")]) == 2
    assert "none.pkl: model file not found" in capsys.readouterr().err
    assert run(["eval", "--data", RULES, "--rules", "--taxonomy", str(tmp_path / "t.toml")]) == 2
    assert "t.toml: taxonomy file not found" in capsys.readouterr().err


def test_eval_needs_exactly_one_mode():
    with pytest.raises(SystemExit):
        run(["eval", "--data", TRAIN])
    with pytest.raises(SystemExit):
        run(["eval", "--data", TRAIN, "--rules", "--cv", "3"])


def test_a_model_can_add_words_read_only_where_its_characters_are_unsure(tmp_path, capsys):
    # --words: a jieba-word model stacked on the character one (TipDM: bench/tipdm_stack_eval.py)
    import json

    from classifiers.classify import model as M

    path = tmp_path / "words.pkl"
    assert run(["train", "--data", TRAIN, "--model", str(path), "--words", "200"]) == 0
    model = M.load(path)
    assert model.words is not None and model.words.chars == 200 and model.words.column
    records = [json.loads(line) for line in Path(TRAIN).read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [M.record_text(r) for r in records]
    labels = [model.classify(t).evidence["model_label"] for t in texts]
    assert sum(got == r["label"] for got, r in zip(labels, records)) >= len(records) - 2  # its own training texts
    assert model.predict_labels(texts) == labels  # the batch path reads the words as well
    assert all(0.0 < model.classify(t).confidence <= 1.0 for t in texts)
    # the words are read only for a message the characters alone leave unsure
    read = []
    real = M._words
    M._words = lambda text, limit: read.append(text) or real(text, limit)
    try:
        model.words.sure = 0.0  # (always sure: no message's words read)
        [model.classify(t) for t in texts]
        assert read == []
        model.words.sure = 1.01  # (never sure: every message's words read)
        [model.classify(t) for t in texts]
        assert len(read) == len(texts)
    finally:
        M._words = real
    assert run(["eval", "--data", TRAIN, "--cv", "2", "--words", "200"]) == 0
    capsys.readouterr()
    assert run(["train", "--data", TRAIN, "--model", str(path), "--words", "0"]) == 2
    assert run(["eval", "--data", TRAIN, "--model", str(path), "--words", "200"]) == 2
    assert "--words" in capsys.readouterr().err


def test_a_model_can_read_more_of_each_message(tmp_path, capsys):
    # --chars: how much of each message the model reads (long letters are told apart better).
    path = tmp_path / "long.pkl"
    assert run(["train", "--data", TRAIN, "--model", str(path), "--chars", "1500"]) == 0
    from classifiers.classify import model as M
    assert M.load(path).char_chars == 1500
    assert run(["eval", "--data", TRAIN, "--cv", "2", "--chars", "1500"]) == 0
    capsys.readouterr()
    assert run(["train", "--data", TRAIN, "--model", str(path), "--chars", "0"]) == 2
    assert run(["eval", "--data", TRAIN, "--model", str(path), "--chars", "1500"]) == 2
    assert "--chars" in capsys.readouterr().err
