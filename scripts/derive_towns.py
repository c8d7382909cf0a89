"""Derive classifiers/data/gazetteer/towns.txt from the shared division table: each district
(区/县/县级市) with its towns and street offices, one district a line ("如东县<TAB>掘港街道 岔河镇 …").
The place reader reads a town said without its suffix right after its district (如东掘港,
通州金沙的) by it. A district name that several provinces share gets the towns of all of them.

    .venv/bin/python scripts/derive_towns.py ../shared/data/gazetteer classifiers/data/gazetteer/towns.txt
"""
from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path


def main(source: Path, out: Path) -> None:
    with (source / "areas.csv").open(encoding="utf-8") as f:
        area_name = {row["code"]: row["name"] for row in csv.DictReader(f)}
    towns: dict[str, set[str]] = defaultdict(set)
    with (source / "streets.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["areaCode"] in area_name:
                towns[area_name[row["areaCode"]]].add(row["name"])
    out.write_text("".join(f"{d}\t{' '.join(sorted(towns[d]))}\n" for d in sorted(towns)), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
