"""The monthly hot-issue report for the 每月一题 meeting (`run.py report --month 2026-11`):
the month's top issues, each with a chart of its reports per day, as HTML, and the same
table as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese)."""
from __future__ import annotations

import csv
import re
from datetime import datetime, timedelta
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from classifiers.hotspots.grouping import HotIssues
from classifiers.hotspots.settings import HotspotSettings
from gateway.hotspots import report_of
from gateway.models import CST, intake_from_plain, iso, now

TEMPLATES = Path(__file__).resolve().parent / "templates"
# Reports before the month that still shape its issues (an issue that began earlier).
LOOKBACK = timedelta(days=90)
TREND_NAMES = {"rising": "上升", "steady": "平稳", "falling": "回落"}
CSV_FIELDS = ["排名", "热点问题", "地点", "类别", "热度", "反映次数", "反映人数", "点赞与附议",
              "首次反映", "最近反映", "趋势", "工单"]


def month_span(month: str) -> tuple[datetime, datetime]:
    """"2026-11" → (1 Nov 00:00, 1 Dec 00:00), China Standard Time; ValueError otherwise."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", month or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"--month 须为 YYYY-MM，如 2026-11，收到 {month!r}")
    year, mon = int(match.group(1)), int(match.group(2))
    start = datetime(year, mon, 1, tzinfo=CST)
    end = datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=CST)
    return start, end


def _chart(days: list[int]) -> dict:
    """An SVG bar chart's numbers: one bar per day."""
    top = max(days) or 1
    width, height = 14 * len(days), 80
    bars = [{"x": i * 14, "h": round(height * n / top, 1), "y": round(height - height * n / top, 1), "n": n,
             "day": i + 1} for i, n in enumerate(days)]
    return {"width": width, "height": height, "bars": bars, "max": top}


async def month_issues(store, settings: HotspotSettings, month: str, limit: int = 10) -> list[dict]:
    """The month's top issues from the stored reports, each with its reports per day."""
    start, end = month_span(month)
    view = HotIssues(settings)
    for row in await store.filed_reports(iso(start - LOOKBACK)):
        intake = intake_from_plain(row["payload"])
        if intake.received_at < end:
            view.add(report_of(intake, row["stages"], row["case_no"]))
    issues = view.top(start, end - timedelta(seconds=1), limit)
    days_in_month = (end - start).days
    for rank, issue in enumerate(issues, 1):
        counts = [0] * days_in_month
        for rid in issue["report_ids"]:
            counts[(view.entries[rid].report.at.astimezone(CST) - start).days] += 1
        issue.update(rank=rank, chart=_chart(counts), trend_name=TREND_NAMES[issue["trend"]])
    return issues


def write_report(issues: list[dict], month: str, out_dir: Path) -> tuple[Path, Path]:
    """Write hotspots-YYYY-MM.html and .csv into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / f"hotspots-{month}.html"
    csv_path = out_dir / f"hotspots-{month}.csv"
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    html_path.write_text(env.get_template("monthly_report.html").render(
        month=month, issues=issues, generated=iso(now()), total=sum(i["reports"] for i in issues)),
        encoding="utf-8")
    with csv_path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_FIELDS)
        for i in issues:
            writer.writerow([i["rank"], i["title"], i["place"], i["category"], i["heat"], i["reports"],
                             i["reporters"], i["likes"], i["first_report"], i["last_report"],
                             i["trend_name"], " ".join(i["cases"])])
    return html_path, csv_path
