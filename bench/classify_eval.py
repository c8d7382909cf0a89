"""Classification, urgency, consultation and review through the gateway's real intake path:
each message is posted to POST /api/v1/reports (description only) of a gateway running in
its own process, and the work order is read back from GET /api/v1/workorders/{case_no}.
The duplicate check is off, so that every message is judged on its own.

    .venv/bin/python bench/classify_eval.py                       # the frozen set
    .venv/bin/python bench/classify_eval.py --board               # real message-board letters
                                    # (urgency and codes also against a second reader's)
    .venv/bin/python bench/classify_eval.py --board LABELS.jsonl --errors   # … a tuning set of them
    .venv/bin/python bench/classify_eval.py --data FILE.jsonl --errors   # a tuning set

Frozen sets (bench/data/frozen/) print figures only: their mistakes are never shown, so
nobody tunes on them. A tuning set may list its mistakes with --errors.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.gateway_client import five_digit, running_gateway  # noqa: E402

FROZEN = ROOT / "bench" / "data" / "frozen"
HOTISSUES = ROOT.parent / "shared" / "data" / "tipdm2020c" / "hotissues.jsonl"
NO_DEDUPE = "[duplicates]\nenabled = false\n"


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def board_items(path: Path) -> list[dict]:
    """The labelled real letters, with their text from the shared message-board file."""
    letters = {}
    for line in HOTISSUES.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        letters[rec["id"]] = f"{rec.get('title', '')}\n{rec.get('text', '')}".strip()[:4000]
    items = []
    for label in load(path):
        kind = "city" if label.get("code") else "other"
        items.append({**label, "text": letters[label["id"]], "kind": kind})
    return items


async def judge(items: list[dict], config: str, concurrency: int) -> list[dict]:
    async with running_gateway(NO_DEDUPE + config, concurrency=concurrency) as gw:
        sem = asyncio.Semaphore(concurrency)

        async def one(i: int, item: dict) -> dict:
            async with sem:
                answer = await gw.report(item["text"], f"eval-{i:06d}")
            doc = answer["workorder"]
            cat = doc["category"]
            return {**item, "pred_code": cat["code"], "pred_path": cat["path"],
                    "pred_consult": bool(cat.get("consultation")),
                    "pred_urgent": doc["urgency"] == "urgent", "review": cat.get("needs_review", doc["needs_review"]),
                    "ticket_review": doc["needs_review"], "missing": doc.get("missing", []),
                    "reasons": doc["review_reasons"], "confidence": cat["confidence"]}

        return list(await asyncio.gather(*(one(i, it) for i, it in enumerate(items))))


def right_code(r: dict) -> bool:
    return five_digit(r["pred_code"]) in {r["code"], *r.get("also_ok", [])}


RELIABILITY_BINS = (0.0, 0.5, 0.7, 0.85, 0.95, 1.01)


def reliability(rows: list[dict]) -> dict:
    """The reliability curve: in each band of stated confidence, how many and how many right."""
    out = {}
    for lo, hi in zip(RELIABILITY_BINS, RELIABILITY_BINS[1:]):
        band = [r for r in rows if lo <= (r["confidence"] or 0) < hi]
        if band:
            right = sum(map(right_code, band))
            out[f"{lo:.2f}–{min(hi, 1):.2f}"] = f"{right} of {len(band)} right ({right / len(band):.0%}), " \
                f"mean confidence {sum(r['confidence'] or 0 for r in band) / len(band):.2f}"
    return out


def right_major(r: dict) -> bool:
    majors = {c[:2] for c in [r["code"], *r.get("also_ok", [])]}
    return five_digit(r["pred_code"])[:2] in majors


def _heads(reason_lists) -> dict:
    """The commonest reasons, each by its words before the first colon or comma."""
    return dict(Counter(reason.split("：")[0].split("，")[0][:16]
                        for reasons in reason_lists for reason in reasons).most_common(8))


def report(results: list[dict]) -> dict:
    city = [r for r in results if r["kind"] == "city"]
    out: dict = {"messages": len(results)}
    if city:
        flagged = [r for r in city if r["review"]]
        unflagged = [r for r in city if not r["review"]]
        ticket_flagged = sum(1 for r in city if r["ticket_review"])
        ticket_clear = [r for r in city if not r["ticket_review"]]
        out["city"] = {
            "n": len(city),
            "exact_code": round(sum(map(right_code, city)) / len(city), 3),
            "right_major": round(sum(map(right_major, city)) / len(city), 3),
            "no_category": sum(1 for r in city if not r["pred_code"]),
            "sent_to_social": sum(1 for r in city if r["pred_code"].startswith("SH")),
            "sent_to_consultation": sum(1 for r in city if r["pred_consult"]),
            "category_needs_review": f"{len(flagged)} of {len(city)} ({len(flagged) / len(city):.0%})",
            "ticket_needs_review_any_stage": f"{ticket_flagged} of {len(city)} ({ticket_flagged / len(city):.0%})",
            # Why tickets are flagged: each reason's words before the first colon or comma.
            "ticket_review_reasons": _heads(r["reasons"] for r in city),
            # What the citizen has yet to say (not a doubt: the chat or the operator asks).
            "ticket_missing": sum(1 for r in city if r["missing"]),
            "ticket_missing_reasons": _heads(r["missing"] for r in city),
            "unflagged_ticket_exact": round(sum(map(right_code, ticket_clear)) / len(ticket_clear), 3)
            if ticket_clear else None,
            "unflagged_exact": round(sum(map(right_code, unflagged)) / len(unflagged), 3) if unflagged else None,
            "reliability": reliability(city),
        }
    urgent = [r for r in results if r.get("urgent")]
    calm = [r for r in results if not r.get("urgent") and r["kind"] != "other"] or \
        [r for r in results if not r.get("urgent")]
    if urgent:
        out["urgent"] = {"recall": f"{sum(r['pred_urgent'] for r in urgent)} of {len(urgent)} "
                                   f"({sum(r['pred_urgent'] for r in urgent) / len(urgent):.2f})",
                         "false_urgent": f"{sum(r['pred_urgent'] for r in calm)} of {len(calm)} "
                                         f"({sum(r['pred_urgent'] for r in calm) / max(1, len(calm)):.1%})"}
        every_calm = [r for r in results if not r.get("urgent")]
        if len(every_calm) > len(calm):  # letters that are not city matters can be false alarms too
            out["urgent"]["false_urgent_any_kind"] = (
                f"{sum(r['pred_urgent'] for r in every_calm)} of {len(every_calm)} "
                f"({sum(r['pred_urgent'] for r in every_calm) / len(every_calm):.1%})")
    consult = [r for r in results if r["kind"] == "consultation"]
    complaints = [r for r in results if r["kind"] in ("city", "social")]
    if consult:
        out["consultation"] = {
            "recall": f"{sum(r['pred_consult'] for r in consult)} of {len(consult)}",
            "complaints_made_consultations": f"{sum(r['pred_consult'] for r in complaints)} of {len(complaints)} "
                                             f"({sum(r['pred_consult'] for r in complaints) / len(complaints):.1%})"}
    social = [r for r in results if r["kind"] == "social"]
    if social:
        branch_right = sum(1 for r in social if r["pred_path"] and r["social_class"] in r["pred_path"][:2])
        out["social"] = {"n": len(social), "right_branch": round(branch_right / len(social), 3),
                         "sent_to_city": sum(1 for r in social if five_digit(r["pred_code"]))}
    second = [r for r in results if "second_urgent" in r]
    if second:  # a second reader's urgency labels of the same letters
        out["urgent_second_reader"] = second_reader(second)
    coded = [r for r in results if "second_city" in r]
    if coded:  # … and their codes
        out["codes_second_reader"] = second_coder(coded)
    other = [r for r in results if r["kind"] == "other"]
    if other:
        out["not_city"] = {"n": len(other), "given_a_city_code": sum(1 for r in other if five_digit(r["pred_code"]))}
    return out


def second_reader(rows: list[dict]) -> dict:
    """Urgency against a second reader's labels of the same letters: how far the two readers
    agree (Cohen's kappa), and recall on the letters either or both call urgent."""
    n = len(rows)
    first, second = sum(r["urgent"] for r in rows), sum(r["second_urgent"] for r in rows)
    observed = sum(r["urgent"] == r["second_urgent"] for r in rows) / n
    chance = (first / n) * (second / n) + (1 - first / n) * (1 - second / n)

    def recall(group: list[dict]) -> str:
        return f"{sum(r['pred_urgent'] for r in group)} of {len(group)}"

    calm = [r for r in rows if not r["urgent"] and not r["second_urgent"]]
    return {"first_reader": first, "second_reader": second,
            "both": sum(r["urgent"] and r["second_urgent"] for r in rows),
            "kappa": round((observed - chance) / (1 - chance), 2) if chance < 1 else None,
            "recall_second_reader": recall([r for r in rows if r["second_urgent"]]),
            "recall_both_readers": recall([r for r in rows if r["urgent"] and r["second_urgent"]]),
            "false_urgent_neither_reader": f"{sum(r['pred_urgent'] for r in calm)} of {len(calm)}"}


def second_coder(rows: list[dict]) -> dict:
    """Codes against a second reader's: the second reader scored as the classifier is (its
    best code among the first reader's accepted ones) — what a careful person reaches —, and
    the classifier scored against the second reader's codes."""
    def first(r: dict) -> set[str]:
        return {r["code"], *r.get("also_ok", [])}

    def second(r: dict) -> set[str]:
        return {r["second_code"], *r["second_also_ok"]}

    def exact(code: str, accepted: set[str]) -> bool:
        return code in accepted

    def major(code: str, accepted: set[str]) -> bool:
        return code[:2] in {c[:2] for c in accepted}

    both = [r for r in rows if r["kind"] == "city" and r["second_city"]]
    second_city = [r for r in rows if r["second_city"]]

    def share(group: list[dict], right) -> str:
        n = sum(map(right, group))
        return f"{n} of {len(group)} ({n / max(1, len(group)):.3f})"

    def pred(r: dict) -> str:
        return five_digit(r["pred_code"])

    return {"city_first_reader": sum(r["kind"] == "city" for r in rows), "city_second_reader": len(second_city),
            "city_both": len(both),
            "second_reader_exact_by_first": share(both, lambda r: exact(r["second_code"], first(r))),
            "second_reader_major_by_first": share(both, lambda r: major(r["second_code"], first(r))),
            "classifier_exact_by_first_on_both": share(both, lambda r: exact(pred(r), first(r))),
            "classifier_major_by_first_on_both": share(both, lambda r: major(pred(r), first(r))),
            "classifier_exact_by_second": share(second_city, lambda r: exact(pred(r), second(r))),
            "classifier_major_by_second": share(second_city, lambda r: major(pred(r), second(r))),
            "classifier_exact_by_either_on_both": share(both, lambda r: exact(pred(r), first(r) | second(r)))}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, help="a labelled set (default: the frozen set)")
    p.add_argument("--board", nargs="?", const=True, default=None, type=Path, metavar="LABELS",
                   help="real message-board letters labelled by id (default: the frozen labels)")
    p.add_argument("--config", default="", help="extra settings (TOML text) for the gateway")
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--limit", type=int)
    p.add_argument("--errors", action="store_true", help="list mistakes (tuning sets only)")
    args = p.parse_args()
    if args.board:
        path = FROZEN / "board_letters_frozen_v1.jsonl" if args.board is True else args.board
        items = board_items(path)
        if args.board is True:  # the frozen letters read again by a second reader: urgency and codes
            urgent = {r["id"]: r["urgent"] for r in load(FROZEN / "board_letters_urgency_v2.jsonl")}
            codes = {r["id"]: r for r in load(FROZEN / "board_letters_codes_v2.jsonl")}
            items = [{**item, "second_urgent": urgent[item["id"]], "second_city": codes[item["id"]]["city"],
                      "second_code": codes[item["id"]]["code"], "second_also_ok": codes[item["id"]]["also_ok"]}
                     for item in items]
    else:
        path = args.data or FROZEN / "classify_frozen_v1.jsonl"
        items = load(path)
    items = items[: args.limit] if args.limit else items
    results = asyncio.run(judge(items, args.config, args.concurrency))
    summary = report(results)
    print(json.dumps({"set": str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path), **summary},
                     ensure_ascii=False, indent=2))
    if args.errors:
        if FROZEN in path.resolve().parents:
            print("(mistakes on a frozen set are not listed: it must stay unseen by tuning)")
            return 0
        reasons = Counter()
        for r in results:
            if r["kind"] == "city" and not right_code(r):
                print(f"{r['code']} → {r['pred_code'] or '-'} ({r['confidence']}) {r['text'][:80]}")
            if r.get("urgent") != r["pred_urgent"]:
                print(f"  urgent {r.get('urgent')} → {r['pred_urgent']}: {r['text'][:80]}")
            if (r["kind"] == "consultation") != r["pred_consult"] and r["kind"] != "other":
                print(f"  {r['kind']} → {'consultation' if r['pred_consult'] else r['pred_code']}: {r['text'][:80]}")
            if r["kind"] == "other" and five_digit(r["pred_code"]):
                print(f"  not city → {r['pred_code']} ({r['confidence']}): {r['text'][:80]}")
            if r["kind"] == "social" and five_digit(r["pred_code"]):
                print(f"  social {r.get('social_class')} → {r['pred_code']} ({r['confidence']}): {r['text'][:80]}")
            reasons.update(r["reasons"])
        print(reasons.most_common(10))
    return 0


if __name__ == "__main__":
    sys.exit(main())
