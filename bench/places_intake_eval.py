"""The structured place a work order carries, through the gateway's real intake path.

    .venv/bin/python bench/places_intake_eval.py                   # the frozen set
    .venv/bin/python bench/places_intake_eval.py --data FILE.jsonl -v  # a tuning set
    .venv/bin/python bench/places_intake_eval.py --data bench/data/frozen/places_frozen_v3.jsonl \
        --second-reader bench/data/frozen/places_second_reader_v3.jsonl  # … and a second reader

Each text is posted to POST /api/v1/reports as a citizen's description (nothing else), and
the work order's `location.place` is compared with the place a person wrote down, field by
field (bench/place_compare.py). Each case is closed through the core API before the next
text, so that a second text about the same place files its own work order instead of
joining the first. Prints exact accuracy, the share of given places that came out with no
place at all, the wrong fields by count, the same split by registered / unregistered, and
the exact count by kind of place and by channel; also the exact share when a registered place
written by its registry alias and by its name count as one (朝内大街 = 朝阳门内大街: labellers of
the earlier sets wrote what the citizen said, those of the later ones the registry's name). With --second-reader (another person's places
for the same texts, by id): how often the two people wrote down the same place, and the reader
against the second person, against either, and on the texts where both agree.

Frozen sets (bench/data/frozen/) print figures only.
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

from bench.dedupe_intake_eval import FROZEN, close, load  # noqa: E402
from bench.gateway_client import running_gateway  # noqa: E402
from bench.place_compare import canonical, field_errors, registry_names  # noqa: E402


async def read_places(rows: list[dict], config: str) -> list[dict | None]:
    places = []
    async with running_gateway(config, concurrency=2) as gw:
        for i, row in enumerate(rows):
            answer = await gw.report(row["text"], f"place-{i:05d}")
            places.append(answer["workorder"]["location"].get("place"))
            await close(gw, answer["case_no"], i)
    return places


def score(pairs: list[tuple[dict, dict | None]]) -> dict:
    exact = as_named = missed = given = 0
    wrong: Counter[str] = Counter()
    for row, got in pairs:
        if canonical(row.get("place")):
            given += 1
            missed += not canonical(got)
        errors = field_errors(row.get("place"), got)
        exact += not errors
        as_named += not field_errors(row.get("place"), got, registry_names())
        wrong.update(e.split(":")[0] for e in errors)
    return {"texts": len(pairs), "exact": round(exact / len(pairs), 3) if pairs else None,
            # a registered place written by its registry alias or its name counts as one (朝内大街 = 朝阳门内大街)
            "exact_registry_names_as_one": round(as_named / len(pairs), 3) if pairs else None,
            "missed": round(missed / given, 3) if given else None, "given": given,
            "wrong_fields": dict(wrong.most_common())}


def against_second_reader(pairs: list[tuple[dict, dict | None]], second: list[dict]) -> dict:
    """Two people's places for the same texts, and the reader against each and both."""
    by_id = {row["id"]: row.get("place") for row in second}
    rows = [(row, got, by_id[row["id"]]) for row, got in pairs if row["id"] in by_id]
    agree = [(row, got, other) for row, got, other in rows if not field_errors(row.get("place"), other)]
    disagree: Counter[str] = Counter()
    for row, _, other in rows:
        disagree.update(e.split(":")[0] for e in field_errors(row.get("place"), other))

    def share(hits: int, n: int) -> str:
        return f"{hits} of {n} ({hits / n:.1%})" if n else "0 of 0"

    return {
        "texts": len(rows),
        "readers_agree": share(len(agree), len(rows)),
        "fields_they_differ_on": dict(disagree.most_common()),
        "reader_exact_by_first": share(sum(not field_errors(r.get("place"), g) for r, g, _ in rows), len(rows)),
        "reader_exact_by_second": share(sum(not field_errors(o, g) for _, g, o in rows), len(rows)),
        "reader_exact_by_either": share(sum(not field_errors(r.get("place"), g) or not field_errors(o, g)
                                            for r, g, o in rows), len(rows)),
        "reader_exact_where_both_agree": share(sum(not field_errors(r.get("place"), g) for r, g, _ in agree),
                                               len(agree)),
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, help="labelled place texts (default: the frozen set)")
    p.add_argument("--config", default="", help="extra settings (TOML text) for the gateway")
    p.add_argument("--second-reader", type=Path, help="another person's places for the same texts (id, place)")
    p.add_argument("-v", "--verbose", action="store_true", help="list mistakes (tuning sets only)")
    args = p.parse_args()
    path = args.data or FROZEN / "places_frozen_v1.jsonl"
    rows = load(path)
    pairs = list(zip(rows, asyncio.run(read_places(rows, args.config))))
    report = {"set": str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path), **score(pairs)}
    for flag, name in ((True, "registered"), (False, "unregistered")):
        part = [(r, g) for r, g in pairs if r.get("registered") is flag]
        if part:
            report[name] = score(part)
    if args.second_reader:
        report["second_reader"] = against_second_reader(pairs, load(args.second_reader))
    for key in ("kind", "channel"):  # where the misses are, without showing a text
        groups: dict[str, list[int]] = {}
        for row, got in pairs:
            counts = groups.setdefault(str(row.get(key, "")), [0, 0])
            counts[0] += not field_errors(row.get("place"), got)
            counts[1] += 1
        if len(groups) > 1:
            report[f"exact_by_{key}"] = {k: f"{a}/{n}" for k, (a, n) in sorted(groups.items())}
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if args.verbose and FROZEN not in path.resolve().parents:
        for row, got in pairs:
            errors = field_errors(row.get("place"), got)
            if errors:
                print(f"  {row.get('id', '')} {errors} | {row['text'][:60]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
