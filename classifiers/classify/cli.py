"""`train` and `eval` subcommands for run.py.

    run.py train --data a.jsonl [--data corrections.jsonl …] --model model.pkl [--taxonomy t.toml]
    run.py train --classifier --data corrections.jsonl --model data/model.pkl
        the gateway's classifier: the project's corpus plus these records (e.g. operators'
        corrections from run.py export-labels), with its urgency and kind heads and the
        combiner's calibration; name the file in [classification].model
    run.py eval  --data a.jsonl --cv 5                  # stratified K-fold, fresh model per fold
    run.py eval  --data a.jsonl --model model.pkl       # a saved model
    run.py eval  --data a.jsonl --rules [--taxonomy t]  # the keyword rules (labels = leaf codes)

JSONL records: {"text": ..., "label": ..., "title": optional}; blank lines are skipped.
`eval` prints accuracy, `macro-F1: 0.912` on a line of its own, per-class precision/recall/F1,
the most common confusions and classification speed (messages per second, one message at a
time, on the calling thread).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["add_commands", "run_train", "run_eval", "read_jsonl", "DataError"]


class DataError(Exception):
    """A training/evaluation file is missing or has a bad line (message names file and line)."""


# Long messages (the 12345 social matters of TipDM average ~400 characters, many run to
# thousands) are told apart better when more of them is read: 5-fold macro-F1 on TipDM 0.913
# at the default 600 characters, 0.916 at 1,500 (0.915 at 1,000 and 3,000).
CHARS_HELP = "characters of each message the model reads (default 600; 1500 for long letters such as TipDM's)"
WORDS_HELP = ("also a jieba-word model over the first N characters, stacked on the character one and read only "
              "where that one is unsure (default: none; 500 for TipDM)")


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    t = subparsers.add_parser("train", help="train the text classifier model on labelled JSONL")
    t.add_argument("--data", action="append", required=True, metavar="FILE.jsonl", help="labelled records; repeat for several files")
    t.add_argument("--model", required=True, metavar="OUT", help="where to write the model file")
    t.add_argument("--taxonomy", metavar="PATH", help="taxonomy.toml used to check that labels map onto nodes")
    t.add_argument("--classifier", action="store_true",
                   help="train the gateway's classifier: the project's corpus plus --data, with the urgency "
                        "and kind heads and the combiner (else: one model on --data alone)")
    t.add_argument("--lexicon", metavar="PATH", help="with --classifier: lexicon.toml (default: the bundled one)")
    t.add_argument("--chars", type=int, metavar="N", help=CHARS_HELP)
    t.add_argument("--words", type=int, metavar="N", help=WORDS_HELP)
    t.set_defaults(func=run_train)

    e = subparsers.add_parser("eval", help="evaluate the model (cross-validated or saved) or the keyword rules")
    e.add_argument("--data", action="append", required=True, metavar="FILE.jsonl", help="labelled records; repeat for several files")
    mode = e.add_mutually_exclusive_group(required=True)
    mode.add_argument("--cv", type=int, metavar="K", help="stratified K-fold cross-validation, training a fresh model per fold")
    mode.add_argument("--model", metavar="PATH", help="evaluate a saved model file")
    mode.add_argument("--rules", action="store_true", help="evaluate the keyword rules (labels are taxonomy leaf codes)")
    e.add_argument("--taxonomy", metavar="PATH", help="taxonomy.toml (default: the bundled one)")
    e.add_argument("--confusions", type=int, default=10, metavar="N", help="how many confusions to list (default 10)")
    e.add_argument("--chars", type=int, metavar="N", help="with --cv: " + CHARS_HELP)
    e.add_argument("--words", type=int, metavar="N", help="with --cv: " + WORDS_HELP)
    e.set_defaults(func=run_eval)


# ---------------------------------------------------------------- data

def read_jsonl(paths: list[str], require_label: bool = True) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for path in paths:
        p = Path(path)
        try:
            fh = open(p, encoding="utf-8")  # noqa: SIM115 (closed by the `with` below)
        except FileNotFoundError:
            raise DataError(f"{p}: file not found") from None
        except OSError as exc:
            raise DataError(f"{p}: cannot read: {exc}") from None
        with fh:
            try:
                for lineno, line in enumerate(fh, 1):
                    if not line.strip():
                        continue
                    try:
                        rec = json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise DataError(f"{p}:{lineno}: not valid JSON: {exc.msg}") from None
                    if not isinstance(rec, dict):
                        raise DataError(f"{p}:{lineno}: expected a JSON object")
                    if not isinstance(rec.get("text"), str) or not (rec["text"].strip() or str(rec.get("title") or "").strip()):
                        raise DataError(f"{p}:{lineno}: missing or empty 'text'")
                    if require_label and (not isinstance(rec.get("label"), str) or not rec["label"].strip()):
                        raise DataError(f"{p}:{lineno}: missing or empty 'label'")
                    records.append(rec)
            except UnicodeDecodeError as exc:
                raise DataError(f"{p}: not UTF-8 text: {exc}") from None
    if not records:
        raise DataError(f"{', '.join(paths)}: no records")
    return records


def _err(msg: str) -> int:
    print(f"error: {msg}", file=sys.stderr)
    return 2


def _load_taxonomy(path: str | None):
    from classifiers.classify.taxonomy import load_taxonomy

    return load_taxonomy(path)


# ---------------------------------------------------------------- train

def _chars(args: argparse.Namespace) -> dict[str, int]:
    out = {"char_chars": args.chars} if getattr(args, "chars", None) else {}
    if getattr(args, "words", None):
        out["word_chars"] = args.words
    return out


def run_train(args: argparse.Namespace) -> int:
    from classifiers.classify import model as M
    from classifiers.classify.taxonomy import TaxonomyError

    if args.chars is not None and args.chars < 1:
        return _err("--chars must be a positive number of characters")
    if args.words is not None and args.words < 1:
        return _err("--words must be a positive number of characters")

    try:
        records = read_jsonl(args.data)
        taxonomy = _load_taxonomy(args.taxonomy) if args.taxonomy else None
    except (DataError, TaxonomyError) as exc:
        return _err(str(exc))
    started = time.perf_counter()
    try:
        if args.classifier:
            model = _train_classifier(records, taxonomy or _load_taxonomy(None), args.lexicon)
        else:
            model = M.train(records, taxonomy, **_chars(args))
    except M.ModelError as exc:
        return _err(str(exc))
    seconds = time.perf_counter() - started
    try:
        size = model.save(args.model)
    except OSError as exc:
        return _err(f"{args.model}: cannot write model: {exc}")
    info = model.info
    print(f"trained on {info['records']} records, {len(model.labels)} labels, {info['features']} features")
    if "combiner" in model.state:
        combiner = model.state["combiner"]
        print(f"combiner: model weight {combiner['model_weight']}, out-of-fold accuracy "
              f"{combiner['out_of_fold_accuracy']:.3f}")
        print("reliability (calibrated confidence → share right): " + "; ".join(
            f"{b['confidence']}: {b['right']:.2f} of {b['tickets']}" for b in combiner["reliability"]))
    print(f"training time: {seconds:.1f} s")
    print(f"model: {args.model} ({size / 1e6:.1f} MB)")
    if taxonomy is None:
        taxonomy = _load_taxonomy(None)
    unmapped = [label for label in model.labels if taxonomy.resolve(label) is None]
    if unmapped:
        print(f"warning: labels not in the taxonomy (results keep the raw label): {', '.join(unmapped)}")
    return 0


def _train_classifier(records: list[dict[str, Any]], taxonomy, lexicon_path: str | None):
    from classifiers.classify.keywords import KeywordClassifier
    from classifiers.classify.lexicon import LexiconError, load_lexicon
    from classifiers.classify.model import ModelError
    from classifiers.classify.training import corpus_records, train_classifier

    try:
        lexicon = load_lexicon(lexicon_path, taxonomy)
    except LexiconError as exc:
        raise ModelError(str(exc)) from None
    unknown = sorted({r["label"] for r in records if taxonomy.get(r["label"]) is None})
    if unknown:
        raise ModelError(f"label(s) that are not taxonomy codes: {', '.join(unknown[:10])}")
    rules = KeywordClassifier(taxonomy, lexicon=lexicon)
    return train_classifier([*corpus_records(), *records], taxonomy, rules)


# ---------------------------------------------------------------- eval

def _report(
    truth: list[str],
    pred: list[str],
    seconds: float,
    n_classified: int,
    confusions: int,
    top_of: Callable[[str], str] | None = None,
) -> None:
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    labels = sorted(set(truth))
    correct = sum(t == p for t, p in zip(truth, pred))
    print(f"accuracy: {correct / len(truth):.3f} ({correct}/{len(truth)})")
    print(f"macro-F1: {f1_score(truth, pred, labels=labels, average='macro', zero_division=0):.3f}")
    if top_of is not None:
        tc = sum(top_of(t) == top_of(p) for t, p in zip(truth, pred))
        print(f"top-level accuracy: {tc / len(truth):.3f} ({tc}/{len(truth)})")
    prec, rec, f1, sup = precision_recall_fscore_support(truth, pred, labels=labels, zero_division=0)
    width = max(12, *(len(label) for label in labels))
    print("per class:")
    print(f"  {'label'.ljust(width)}  precision  recall     F1  support")
    for label, p, r, f, s in zip(labels, prec, rec, f1, sup):
        print(f"  {label.ljust(width)}  {p:9.3f}  {r:6.3f}  {f:5.3f}  {s:7d}")
    wrong = Counter((t, p) for t, p in zip(truth, pred) if t != p)
    if wrong:
        print("most common confusions (true → predicted: count):")
        for (t, p), n in wrong.most_common(confusions):
            print(f"  {t} → {p or '(none)'}: {n}")
    rate = n_classified / seconds if seconds > 0 else float("inf")
    print(f"speed: {rate:.0f} messages/s (single core, one message at a time, {n_classified} messages in {seconds:.2f} s)")


def run_eval(args: argparse.Namespace) -> int:
    from classifiers.classify import model as M
    from classifiers.classify.taxonomy import TaxonomyError

    if args.chars is not None and (args.chars < 1 or not args.cv):
        return _err("--chars must be a positive number of characters, and goes with --cv")
    if args.words is not None and (args.words < 1 or not args.cv):
        return _err("--words must be a positive number of characters, and goes with --cv")
    try:
        records = read_jsonl(args.data)
        taxonomy = _load_taxonomy(args.taxonomy)
    except (DataError, TaxonomyError) as exc:
        return _err(str(exc))
    texts = [M.record_text(r) for r in records]
    truth = [r["label"].strip() for r in records]
    print(f"data: {', '.join(args.data)} ({len(records)} records, {len(set(truth))} labels)")

    if args.rules:
        from classifiers.classify.keywords import KeywordClassifier

        rules = KeywordClassifier(taxonomy)
        unknown = sorted({t for t in truth if taxonomy.get(t) is None})
        if unknown:
            print(f"warning: {len(unknown)} label(s) are not taxonomy codes: {', '.join(unknown[:10])}")
        rules.classify("预热")  # load jieba outside the timed loop
        started = time.perf_counter()
        results = [rules.classify(t) for t in texts]
        seconds = time.perf_counter() - started
        pred = [r.code for r in results]

        def top_of(code: str) -> str:
            node = taxonomy.get(code)
            return node.top_code if node else code or "(none)"

        print("mode: keyword rules")
        _report(truth, pred, seconds, len(texts), args.confusions, top_of)
        # What a command centre pays for: a wrong category nobody was asked to check.
        unchecked = [(r.code == t) for r, t in zip(results, truth) if not r.needs_review]
        wrong_unchecked = unchecked.count(False)
        print(f"not flagged for review: {len(unchecked)} of {len(results)}, of which wrong: "
              f"{wrong_unchecked} ({wrong_unchecked / max(1, len(unchecked)):.1%}); "
              f"flagged for a person: {len(results) - len(unchecked)}")
        return 0

    if args.model:
        try:
            model = M.load(args.model, taxonomy)
        except M.ModelError as exc:
            return _err(str(exc))
        model.classify("预热")
        started = time.perf_counter()
        pred = [model.classify(t).evidence.get("model_label") or "" for t in texts]
        seconds = time.perf_counter() - started
        print(f"mode: saved model {args.model}")
        _report(truth, pred, seconds, len(texts), args.confusions)
        return 0

    k = args.cv
    counts = Counter(truth)
    if k < 2:
        return _err("--cv needs K of at least 2")
    if min(counts.values()) < k:
        rare = [label for label, n in counts.items() if n < k]
        return _err(f"--cv {k}: label(s) with fewer than {k} records: {', '.join(rare[:10])}")
    from sklearn.model_selection import StratifiedKFold

    pred = [""] * len(records)
    train_seconds = 0.0
    seconds = 0.0
    skf = StratifiedKFold(n_splits=k, shuffle=True, random_state=0)
    for fold, (tr, te) in enumerate(skf.split(texts, truth), 1):
        t0 = time.perf_counter()
        # The softmax temperature does not change the predicted label: skip calibration here.
        model = M.train([records[i] for i in tr], taxonomy, calibration_folds=0, **_chars(args))
        train_seconds += time.perf_counter() - t0
        model.classify("预热")
        t0 = time.perf_counter()
        for i in te:
            pred[i] = model.classify(texts[i]).evidence.get("model_label") or ""
        seconds += time.perf_counter() - t0
        print(f"  fold {fold}/{k}: trained on {len(tr)}, tested on {len(te)}", file=sys.stderr)
    print(f"mode: {k}-fold stratified cross-validation (fresh model per fold, {train_seconds:.1f} s training in total)")
    _report(truth, pred, seconds, len(texts), args.confusions)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="classifiers")
    sub = parser.add_subparsers(dest="cmd", required=True)
    add_commands(sub)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
