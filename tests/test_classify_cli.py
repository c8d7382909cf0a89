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
