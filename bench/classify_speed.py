"""Speed of the default classifier (keyword rules + model with its urgency and kind heads +
calibrated combiner + urgency judge), one message at a time on one core, as the stage
worker runs it; beside it, in the same run, the text normalisation every message goes
through anyway (the baseline the ratio is taken against).

    taskset -c 0 .venv/bin/python bench/classify_speed.py

Messages: the project's own short complaints (classifiers/data/corpus, ~50 characters) and
real message-board letters (../shared/data/tipdm2020c/hotissues.jsonl, read at run time;
the classifier reads their first 400 characters).
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifiers.classify.combined import build_classifier, reading  # noqa: E402
from classifiers.classify.training import corpus_records  # noqa: E402

LETTERS = ROOT.parent / "shared" / "data" / "tipdm2020c" / "hotissues.jsonl"


def rate(fn, texts: list[str], runs: int = 3) -> tuple[float, list[float]]:
    """Messages per second of this process's CPU time (the machine is shared: wall time
    would count other processes' turns on the core), median of `runs`."""
    rates = []
    for _ in range(runs):
        started = time.process_time()
        for t in texts:
            fn(t)
        rates.append(len(texts) / (time.process_time() - started))
    return statistics.median(rates), rates


def main() -> None:
    classifier = build_classifier(model_path="auto")
    short = [r["text"] for r in corpus_records()][:3000]
    letters = []
    if LETTERS.exists():
        for line in LETTERS.read_text(encoding="utf-8").splitlines()[:2000]:
            rec = json.loads(line)
            letters.append(f"{rec.get('title', '')}\n{rec.get('text', '')}")
    for t in short[:200]:  # warm up (jieba, caches)
        classifier.classify(t)
    print(f"CPUs allowed: {len(os.sched_getaffinity(0))}")
    for name, texts in (("short complaints", short), ("message-board letters", letters)):
        if not texts:
            continue
        mean_chars = sum(len(t) for t in texts) / len(texts)
        full, full_runs = rate(classifier.classify, texts)
        base, _ = rate(reading, texts)
        print(f"{name} ({len(texts)}, {mean_chars:.0f} characters on average): "
              f"{full:,.0f} messages per CPU-second (runs {', '.join(f'{r:,.0f}' for r in full_runs)}); "
              f"normalisation alone {base:,.0f}/s; ratio {full / base:.2f}")


if __name__ == "__main__":
    main()
