"""Hot issues on the real message board: replay ../shared/data/tipdm2020c/hotissues.jsonl
through the gateway's intake path (`gateway.replay`, as `run.py replay --channel board`
does, into a fresh data directory) and compare the view's top issues over the file's whole
span with the frozen list a helper wrote without seeing the algorithm
(bench/data/frozen/hotissues_frozen_v1.json: the top 20 issues, 273 message ids).

    .venv/bin/python bench/hotissues_eval.py            # figures
    .venv/bin/python bench/hotissues_eval.py --show 10  # and our top 10 with their matches

Matching: one of our issues *is* a frozen issue when that frozen issue holds the most of
its messages, at least two. Figures:
* recall — how many of the frozen top 5 (top 10) are among our top 5 and top 10 (top 10
  and top 20);
* precision — the share of the messages in our top 10 issues that belong to the frozen
  issue their issue is (an issue that is none of the frozen 20 counts as wrong throughout),
  and the same over the matched issues only;
* repeats joined (the duplicate check on real letters) — of the pairs of messages each frozen
  issue holds, how many ended in one case, and pairs of two frozen issues put in one case;
  of the messages that joined an open case, how many a person judged to be the same problem
  at the same place as the case's first message (bench/data/board_joins_judged_v1.jsonl,
  judged by helpers who never saw the code; exact re-posts count as right; `--joins FILE`
  writes the joins so that the ones not judged yet can be);
* replay speed — messages per second through the intake path, with the stages alone
  (classify + locate in this process, no storage) over the same messages as the
  same-run baseline.

The view depends on the order in which reports finish filing (32 are in flight at once), so
the replay runs `--runs` times (default 3) and the figures are given for each run and as a
range. The frozen list is never used for tuning: this prints figures only."""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from channels import board  # noqa: E402
from gateway import settings as settings_module  # noqa: E402
from gateway.app import create_app  # noqa: E402
from gateway.replay import replay  # noqa: E402
from gateway.stages.build import build_stages  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "tipdm2020c" / "hotissues.jsonl"
FROZEN = ROOT / "bench" / "data" / "frozen" / "hotissues_frozen_v1.json"
JUDGED = ROOT / "bench" / "data" / "board_joins_judged_v1.jsonl"


def stages_alone(path: Path, settings) -> float:
    """Messages per second through classify + locate alone (the baseline)."""
    classifier, locator, _ = build_stages(settings)
    intakes = [board.to_intake(json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines()
               if line.strip()]
    classifier.classify("预热")
    started = time.perf_counter()
    for intake in intakes:
        text = f"{intake.title}\n{intake.text}"
        classifier.classify(text)
        locator.locate(text)
    return len(intakes) / (time.perf_counter() - started)


def match(ours: list[dict], frozen: list[dict]) -> list[tuple[dict, dict | None, int]]:
    """Each of our issues with the frozen issue it is (or None) and how many messages agree."""
    owner = {f"board:{mid}": f for f in frozen for mid in f["message_ids"]}
    out = []
    for issue in ours:
        counts = Counter(id(owner[r]) for r in issue["report_ids"] if r in owner)
        best = counts.most_common(1)
        if best and best[0][1] >= 2:
            hit = next(f for f in frozen if id(f) == best[0][0])
            out.append((issue, hit, best[0][1]))
        else:
            out.append((issue, None, 0))
    return out


def repeats(case_of: dict[str, str], frozen: list[dict]) -> dict:
    """Repeat complaints joined: of the pairs of messages a frozen issue holds (one problem at
    one place, told by many people), how many ended in one case; and the pairs of messages of
    two different frozen issues put in one case (certainly wrong)."""
    same = joined = 0
    owner = {}
    for f in frozen:
        ids = [m for m in f["message_ids"] if m in case_of]
        for m in ids:
            owner[m] = f["rank"]
        same += len(ids) * (len(ids) - 1) // 2
        by_case = Counter(case_of[m] for m in ids)
        joined += sum(n * (n - 1) // 2 for n in by_case.values())
    members: dict[str, Counter] = {}
    for m, rank in owner.items():
        members.setdefault(case_of[m], Counter())[rank] += 1
    wrong = sum(a * b for c in members.values() for i, a in enumerate(c.values())
                for b in list(c.values())[i + 1:])
    cases = len({case_of[m] for m in owner})
    return {"pairs": same, "joined": joined, "cross_issue_joined": wrong, "messages": len(owner), "cases": cases}


def first_messages(case_of: dict[str, str], attached: set[str]) -> dict[str, str]:
    """Each case's first message: the one that opened it (every other joined it)."""
    return {case_of[m]: m for m in case_of if m not in attached}


def judged_joins(case_of: dict[str, str], attached: set[str], letters: dict[str, tuple], judged: dict) -> dict:
    """The joins as a person judged them: each message that joined a case, against the
    case's first message (an exact re-post is right without a judge; a pair nobody has judged
    yet is counted apart — judge it and add it to the file)."""
    first = first_messages(case_of, attached)
    right = wrong = unjudged = 0
    for m in attached:
        j = first.get(case_of[m], "")
        verdict = True if letters.get(m) == letters.get(j) else judged.get((m, j))
        right += verdict is True
        wrong += verdict is False
        unjudged += verdict is None
    return {"joins": len(attached), "right": right, "wrong": wrong, "unjudged": unjudged,
            "precision": round(right / max(1, right + wrong), 3)}


def run_once(args, frozen: list[dict]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_module.load(args.config, {"storage.data_dir": tmp})
        settings.pipeline.recovery_interval_s = 3600
        result = asyncio.run(replay(create_app(settings), args.data, board.to_intake, top=20))
        baseline = stages_alone(args.data, settings)
    matched = match(result.top, frozen)

    def found(frozen_top: int, ours_top: int) -> int:
        wanted = {id(f) for f in frozen[:frozen_top]}
        return len({id(hit) for _, hit, _ in matched[:ours_top] if hit is not None} & wanted)

    top10 = matched[:10]
    total = sum(len(issue["report_ids"]) for issue, _, _ in top10)
    right = sum(n for _, _, n in top10)
    hit_total = sum(len(issue["report_ids"]) for issue, hit, _ in top10 if hit is not None)
    print(f"replay: {result.messages} messages, {dict(result.outcomes)}, {len(result.bad_lines)} bad lines, "
          f"{result.seconds:.1f} s = {result.per_second:.0f} messages/s; stages alone {baseline:.0f} messages/s "
          f"in the same run (ratio {result.per_second / baseline:.2f})")
    rep = repeats(result.case_of, frozen)
    jj = judged_joins(result.case_of, result.attached, args.letters, args.judged)
    print(f"joins: {jj['joins']} messages joined an open case; judged right {jj['right']}, wrong {jj['wrong']} "
          f"(precision {jj['precision']}), not judged yet {jj['unjudged']}")
    if args.joins and not args.joins.exists():
        first = first_messages(result.case_of, result.attached)
        with args.joins.open("w", encoding="utf-8") as out:
            for m in sorted(result.attached):
                out.write(json.dumps({"message": m, "joined": first.get(result.case_of[m], ""),
                                      "case_no": result.case_of[m]}) + "\n")
        print(f"the {len(result.attached)} joins written to {args.joins}")
    print(f"repeats joined: {rep['joined']} of {rep['pairs']} same-issue pairs in one case "
          f"({rep['messages']} messages of the frozen 20 issues in {rep['cases']} cases); "
          f"pairs of two different frozen issues in one case: {rep['cross_issue_joined']}")
    print(f"frozen top 5 found: {found(5, 5)}/5 in our top 5, {found(5, 10)}/5 in our top 10")
    print(f"frozen top 10 found: {found(10, 10)}/10 in our top 10, {found(10, 20)}/10 in our top 20")
    print(f"frozen top 20 found: {found(20, 20)}/20 in our top 20")
    print(f"precision of our top 10: {right}/{total} = {right / total:.2f} of their messages belong to the "
          f"frozen issue they are; over the {sum(h is not None for _, h, _ in top10)} matched ones "
          f"{right}/{hit_total} = {right / max(1, hit_total):.2f}")
    for rank, (issue, hit, n) in enumerate(matched[:args.show], 1):
        what = f"= frozen #{hit['rank']} ({n}/{len(issue['report_ids'])} messages; frozen has {hit['n_messages']})" \
            if hit else "= none of the frozen 20"
        print(f"{rank:3d}. heat {issue['heat']:6.2f} {len(issue['report_ids']):3d} msgs  {issue['title'][:40]}  {what}")
    return {"top5@5": found(5, 5), "top5@10": found(5, 10), "top10@10": found(10, 10), "top10@20": found(10, 20),
            "top20@20": found(20, 20), "repeat_pairs_joined": rep["joined"], "joins": jj["joins"],
            "joins_wrong": jj["wrong"], "joins_unjudged": jj["unjudged"], "join_precision": jj["precision"],
            "cross_issue_joined": rep["cross_issue_joined"], "cases": rep["cases"], "precision": round(right / total, 2),
            "precision_matched": round(right / max(1, hit_total), 2), "per_s": round(result.per_second),
            "ratio": round(result.per_second / baseline, 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--config", default=str(ROOT / "config.toml"))
    parser.add_argument("--joins", type=Path,
                        help="write each message that joined an open case, with the case's first message (ids)")
    parser.add_argument("--show", type=int, default=0, help="print our top N with their matches")
    parser.add_argument("--runs", type=int, default=3,
                        help="replays (the view depends on the order reports finish filing, 32 at a time)")
    args = parser.parse_args()
    frozen = sorted(json.loads(FROZEN.read_text(encoding="utf-8"))["issues"], key=lambda f: f["rank"])
    args.letters = {}
    for line in args.data.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            args.letters[rec["id"]] = (rec.get("title", ""), rec.get("text", ""))
    args.judged = {(r["message"], r["joined"]): r["same"] for r in map(json.loads, JUDGED.read_text(
        encoding="utf-8").splitlines()) if r["same"] is not None}
    runs = []
    for n in range(args.runs):
        print(f"-- run {n + 1}/{args.runs}")
        runs.append(run_once(args, frozen))
    print("-- over the runs (min–max):")
    for key in runs[0]:
        values = [r[key] for r in runs]
        print(f"{key}: {min(values)}–{max(values)}  ({', '.join(map(str, values))})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
