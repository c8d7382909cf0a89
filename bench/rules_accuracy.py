"""Accuracy of the keyword rules on the hand-written labelled complaints.

    .venv/bin/python bench/rules_accuracy.py [--data FILE.jsonl …] [--taxonomy PATH]

Same output as `run.py eval --rules` (leaf accuracy, macro-F1, top-level accuracy, confusions,
speed). Default data: bench/data/complaints_labelled.jsonl and bench/data/complaints_holdout.jsonl,
each reported separately.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifiers.classify import cli  # noqa: E402

DEFAULT = [ROOT / "bench" / "data" / "complaints_labelled.jsonl", ROOT / "bench" / "data" / "complaints_holdout.jsonl"]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", action="append", help="labelled JSONL (labels are taxonomy leaf codes)")
    p.add_argument("--taxonomy")
    args = p.parse_args()
    status = 0
    for path in args.data or [str(d) for d in DEFAULT if d.exists()]:
        ns = argparse.Namespace(data=[path], rules=True, cv=None, model=None, taxonomy=args.taxonomy, confusions=15)
        status |= cli.run_eval(ns)
        print()
    return status


if __name__ == "__main__":
    sys.exit(main())
