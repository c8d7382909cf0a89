"""The duplicate index's CPU per check on the intake bench's own stream: every report a repeat
at one spot (the worst case for the readers that compare two reports at one spot).

    .venv/bin/python bench/dedupe_repeat_bench.py

20,000 open cases at distinct unregistered places (the intake bench's seed reports), then
3,000 reports of its four problems, each checked as the duplicate stage checks it (what the
stage worker prepares is prepared beforehand) and added when it opens a case. Prints the
CPU time per check (process time: the machine's other load counts less than in wall time).
"""
from __future__ import annotations

import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.intake_bench import PROBLEMS, SEED_PROBLEMS, SEED_ROADS  # noqa: E402
from classifiers.dedupe.index import DuplicateIndex, OpenCase, prepare_report, warm_up  # noqa: E402
from classifiers.locate.places import extract_place  # noqa: E402
from gateway.models import CST  # noqa: E402

T0 = datetime(2026, 11, 1, tzinfo=CST)
# The category each problem is filed under (the bench's stream, without running the classifier).
CODES = {"路灯": "BJ-01037", "垃圾": "SJ-06042", "井盖": "BJ-01023", "施工": "SJ-08001", "占道": "SJ-09006",
         "下水道": "BJ-01002", "树": "BJ-04002", "广告": "SJ-07001"}


def code_of(text: str) -> str:
    return next((code for word, code in CODES.items() if word in text), "")


def place_of(text: str) -> dict:
    place = extract_place(text)
    return place.as_dict() if place else {}


def main() -> int:
    warm_up()
    index = DuplicateIndex()
    for i in range(20_000):
        text = f"{SEED_ROADS[i % len(SEED_ROADS)]}{i // len(SEED_ROADS) + 1}号{SEED_PROBLEMS[i // 7 % len(SEED_PROBLEMS)]}"
        index.add(OpenCase(case_no=f"S{i}", text=text, category_code=code_of(text), created_at=T0, place=place_of(text)))
    reports = [f"{PROBLEMS[i % len(PROBLEMS)]}（第{i}次反映）" for i in range(3_000)]
    prepared = [(text, prepare_report(text), place_of(text)) for text in reports]
    joined = 0
    started = time.process_time()
    for i, (text, ready, place) in enumerate(prepared):
        at = T0 + timedelta(minutes=i)
        result = index.check(text, code_of(text), [], "", None, [f"tel:{i}"], at, prepared=ready, place=place)
        if result.action == "attach":
            joined += 1
        else:
            index.add(OpenCase(case_no=f"Q{i}", text=text, category_code=code_of(text), created_at=at, place=place))
    seconds = time.process_time() - started
    print(f"{seconds / len(prepared) * 1e6:.0f} µs CPU per check over {len(prepared)} repeats; {joined} joined an open case")
    return 0


if __name__ == "__main__":
    sys.exit(main())
