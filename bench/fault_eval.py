"""The fault model on text it was not trained on: leave one development set out.

    .venv/bin/python bench/fault_eval.py
    .venv/bin/python bench/fault_eval.py --pairs    # the pair reader ("one problem or two")

For each development set that classifiers/data/corpus/faults.jsonl holds texts of, the model
is trained (as classifiers/dedupe/faults.py trains it) on the other sets' texts and judged on
that set's: how often its likeliest fault is one the people labelling gave, and, for the
development pairs whose two texts are both labelled, how many it tells apart
(`faults_differ`) — duplicates (a mistake) and "another problem at the same spot" (the
point). The labellers' own faults, compared the same way, are the ceiling.

With --pairs: the pair reader (`PairReader`), each development set of
classifiers/data/corpus/fault_pairs.jsonl held out in turn from both the fault model and the
reader, as the gateway trains them: how many duplicates and "another problem at the same
spot" it reads as two problems below each `one_problem_threshold`, and as one problem at or
above each `same_problem_threshold`; beside the rule it replaced (the fault words naming
different faults, or the fault model telling them apart where the words cannot).
"""
from __future__ import annotations

import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifiers.dedupe import faults as F  # noqa: E402
from classifiers.dedupe.textmodel import CharLinear  # noqa: E402
from classifiers.normalize import normalize  # noqa: E402

OTHER_PROBLEM = {"same_spot_other_problem", "same_place_other_problem"}


def held_out_model(rows: list[dict], name: str, kinds: list[str]):
    """The fault model trained without `name`'s texts, as a function text → distribution over `kinds`."""
    with tempfile.TemporaryDirectory() as tmp:
        train = Path(tmp) / "faults.jsonl"
        train.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows if r["source"] != name),
                         encoding="utf-8")
        model = CharLinear(F._train(train))
    columns = [kinds.index(c) for c in model.classes]  # a rare kind may be missing from training

    def profile(normalized: str) -> np.ndarray:
        p = np.zeros(len(kinds), dtype=np.float32)
        p[columns] = model.probabilities(normalized)
        return p
    return profile


def pairs_held_out(rows: list[dict]) -> int:
    from classifiers.dedupe.index import _faults_of

    pairs = [json.loads(line) for line in F.PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]
    kinds = sorted({k for r in rows for k in r["faults"]})
    low, high = (0.1, 0.2, 0.3, 0.4, 0.5), (0.8, 0.85, 0.9, 0.95)
    n = Counter()
    for name in sorted({p["source"] for p in pairs}):
        read = held_out_model(rows, name, kinds)

        def profile(text: str, read=read) -> np.ndarray:
            return read(normalize(text)[:F.READ_CHARS])
        regression = F.train_pair_regression(*F.pair_rows([p for p in pairs if p["source"] != name], _faults_of, profile))
        test = [p for p in pairs if p["source"] == name]
        x, y = F.pair_rows(test, _faults_of, profile)
        one = regression.predict_proba(x)[:, 1]
        for i, same in enumerate(y):
            group = "duplicates" if same else "other_problem"
            n[group] += 1
            words_same, words_other = bool(x[i][-2]), bool(x[i][-1])
            told_apart = not words_same and not words_other and F.faults_differ(
                profile(test[i]["a"]), profile(test[i]["b"]))
            n[(group, "rule")] += words_other or told_apart
            for t in low:
                n[(group, "two", t)] += one[i] < t
            for t in high:
                n[(group, "one", t)] += one[i] >= t
    print(json.dumps({"pairs": {g: n[g] for g in ("duplicates", "other_problem")},
                      "the_rule_before_read_as_two": {g: n[(g, "rule")] for g in ("duplicates", "other_problem")}},
                     indent=2))
    for t in low:
        print(f"one_problem_threshold {t}: read as two problems — duplicates {n[('duplicates', 'two', t)]}, "
              f"other problems {n[('other_problem', 'two', t)]}")
    for t in high:
        print(f"same_problem_threshold {t}: read as one problem — duplicates {n[('duplicates', 'one', t)]}, "
              f"other problems {n[('other_problem', 'one', t)]}")
    return 0


def main() -> int:
    grid = "--grid" in sys.argv[1:]  # also every (SURE, SIMILAR) of a small grid
    rows = [json.loads(line) for line in F.CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    if "--pairs" in sys.argv[1:]:
        return pairs_held_out(rows)
    by_text = {r["text"]: r for r in rows}
    profile: dict[str, np.ndarray] = {}
    kinds = sorted({k for r in rows for k in r["faults"]})
    for name in sorted({r["source"] for r in rows}):
        read = held_out_model(rows, name, kinds)
        for r in rows:
            if r["source"] == name:
                profile[r["text"]] = read(normalize(r["text"])[:F.READ_CHARS])
    top_right = sum(kinds[int(profile[r["text"]].argmax())] in r["faults"] for r in rows)
    surely = [r for r in rows if profile[r["text"]].max() >= F.SURE]
    surely_right = sum(kinds[int(profile[r["text"]].argmax())] in r["faults"] for r in surely)
    told = Counter()
    settings = [(sure, similar) for sure in (0.3, 0.4, 0.5) for similar in (0.05, 0.1, 0.2, 0.3)] if grid else []
    alike_settings = [(sure, alike) for sure in (0.4, 0.5, 0.6, 0.7) for alike in (0.7, 0.8, 0.9)] if grid else []
    for path in sorted((ROOT / "bench" / "data").glob("dedupe_dev_v*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            pair = json.loads(line)
            a, b = pair["a"]["text"].strip(), pair["b"]["text"].strip()
            if a not in by_text or b not in by_text:
                continue
            group = "duplicates" if pair["duplicate"] else ("other_problem" if pair["kind"] in OTHER_PROBLEM else None)
            if group is None:
                continue
            told[group] += 1
            told[group + "_model"] += F.faults_differ(profile[a], profile[b])
            for sure, similar in settings:
                told[(group, sure, similar)] += F.faults_differ(profile[a], profile[b], sure, similar)
            for sure, alike in alike_settings:
                told[("alike", group, sure, alike)] += F.faults_alike(profile[a], profile[b], sure, alike)
            fa, fb = set(by_text[a]["faults"]), set(by_text[b]["faults"])
            told[group + "_labels"] += not (fa & fb) and "其他" not in fa | fb
    print(json.dumps({
        "texts": len(rows),
        "likeliest_fault_right": round(top_right / len(rows), 3),
        f"read_surely_(>={F.SURE})": round(len(surely) / len(rows), 3),
        "of_them_right": round(surely_right / len(surely), 3) if surely else None,
        "pairs_both_labelled": {
            "duplicates": told["duplicates"],
            "duplicates_told_apart": told["duplicates_model"],
            "other_problem_at_one_spot": told["other_problem"],
            "other_problem_told_apart": told["other_problem_model"],
            "by_the_labels_duplicates_told_apart": told["duplicates_labels"],
            "by_the_labels_other_problem_told_apart": told["other_problem_labels"],
        },
    }, ensure_ascii=False, indent=2))
    for sure, similar in settings:
        print(f"sure {sure} similar {similar}: duplicates told apart {told[('duplicates', sure, similar)]}, "
              f"other problem {told[('other_problem', sure, similar)]}")
    for sure, alike in alike_settings:
        print(f"sure {sure} alike {alike}: duplicates read alike {told[('alike', 'duplicates', sure, alike)]}, "
              f"other problem {told[('alike', 'other_problem', sure, alike)]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
