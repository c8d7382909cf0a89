"""Runs a report's stages: classify, locate (in a stage worker when there is one), then the
duplicate check (here: its index changes with every report). A stage that fails or times
out gives an empty result marked for a person, never a lost report."""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from classifiers.locate.geometry import gcj02_to_wgs84
from gateway.metrics import Metrics
from gateway.models import (
    Classification,
    DuplicateCheck,
    GeoPoint,
    Intake,
    Location,
    StageResults,
)
from gateway.stages.pool import StageAnswer, StagePool, StageTimeout, WorkerLost
from gateway.stages.protocols import Classifier, DuplicateFinder, Locator

log = logging.getLogger("gateway.stages")

STAGE_NAMES = {"classify": "分类", "locate": "定位", "dedupe": "查重"}


class StageRunner:
    def __init__(self, *, classifier: Classifier, locator: Locator, duplicates: DuplicateFinder,
                 metrics: Metrics | None = None, inline_chars: int = 1000,
                 pool: StagePool | None = None):
        self.classifier = classifier
        self.locator = locator
        self.duplicates = duplicates
        self.metrics = metrics or Metrics()
        self.inline_chars = inline_chars
        self.pool = pool  # worker processes for classify and locate, when configured

    def start_early(self, intake: Intake) -> asyncio.Future | None:
        """Start the pure stages in a worker now (while the report is being stored)."""
        if self.pool is not None and self.pool.ready:
            return asyncio.ensure_future(self._pure_stages(intake))
        return None

    async def run(self, intake: Intake, *, check_duplicates: bool = True,
                  pure: asyncio.Future | None = None) -> StageResults:
        """All stages for a report; `pure`: its classification and location, if already
        under way (see `start_early`)."""
        classification, location, prepared = await (pure or self._pure_stages(intake))
        if check_duplicates and not intake.case_hint:
            duplicates = self._stage("dedupe", DuplicateCheck, self.duplicates.check,
                                     intake, classification, location, prepared)
            # Never joined without a person deciding: the citizen said it is something else,
            # or an operator will see the ticket anyway (hotline) and can mark it duplicate.
            if (intake.not_duplicate or intake.hold_for_review) and duplicates.action == "attach":
                duplicates = DuplicateCheck(action="suggest", candidates=duplicates.candidates)
        else:
            duplicates = DuplicateCheck()
        return StageResults(classification, location, duplicates)

    def categorize(self, code: str, source: str) -> Classification | None:
        """The taxonomy's entry for a category a person chose (None: no such code)."""
        return self.classifier.categorize(code, source)

    async def locate(self, place: str) -> Location:
        """Where a place description is (an operator's corrected address)."""
        try:
            answer = await self._in_worker(None, place, None)
        except StageTimeout:
            answer = None
        if answer is not None and answer.location is not None:
            return answer.location
        return self._stage("locate", Location, self.locator.locate, place, None)

    def track(self, workorder: dict) -> None:
        """A work order changed: keep the open-case index current."""
        self.duplicates.track(workorder)

    async def _pure_stages(self, intake: Intake) -> tuple[Classification, Location, Any]:
        """Classify, locate and prepare the text for the duplicate check: in a stage worker
        if there is one, else here (the duplicate check then prepares the text itself)."""
        chosen = self.categorize(intake.category_hint, "citizen") if intake.category_hint else None
        text, place_text, point = stage_inputs(intake)
        try:
            answer = await self._in_worker(None if chosen else text, place_text, point, intake.text)
        except StageTimeout:
            log.error("stage worker timed out; filing the report for review")
            return chosen or failed("classify", Classification), failed("locate", Location), None
        if answer is not None:
            return (chosen or answer.classification or failed("classify", Classification),
                    answer.location or failed("locate", Location), answer.prepared)
        # Without workers, a short report runs on the loop (well under a millisecond: a
        # thread would give no parallelism under the GIL, only a hop); a long one off it.
        if len(intake.text) + len(intake.title) + len(intake.address) <= self.inline_chars:
            return self._local_stages(chosen, text, place_text, point)
        return await asyncio.get_running_loop().run_in_executor(
            None, self._local_stages, chosen, text, place_text, point)

    async def _in_worker(self, text: str | None, place_text: str, point: GeoPoint | None,
                         dedupe_text: str | None = None) -> StageAnswer | None:
        """The stages' answer from a worker; None when there is none to ask (or it died:
        then the caller runs them here). Raises StageTimeout for a stuck worker."""
        if self.pool is None or not self.pool.ready:
            return None
        try:
            answer = await self.pool.run(text, place_text, point, dedupe_text)
        except WorkerLost:
            return None
        if text is not None:
            self.metrics.of(self.metrics.stage_seconds, "classify").observe(answer.classify_s)
        self.metrics.of(self.metrics.stage_seconds, "locate").observe(answer.locate_s)
        return answer

    def _local_stages(self, chosen: Classification | None, text: str, place_text: str,
                      point: GeoPoint | None) -> tuple[Classification, Location, None]:
        classification = chosen or self._stage("classify", Classification, self.classifier.classify, text)
        return classification, self._stage("locate", Location, self.locator.locate, place_text, point), None

    def _stage(self, name: str, empty: type, fn: Callable, *args: Any) -> Any:
        started = time.perf_counter()
        try:
            return fn(*args)
        except Exception:
            # A stage fault must not lose the report: file it for a person to look at.
            log.exception("stage %s failed", name)
            return failed(name, empty)
        finally:
            self.metrics.of(self.metrics.stage_seconds, name).observe(time.perf_counter() - started)


def failed(name: str, empty: type) -> Any:
    """The result of a stage that failed: empty, and marked for a person to handle."""
    result = empty()
    if hasattr(result, "needs_review"):
        result.needs_review = True
        result.review_reasons = [f"自动{STAGE_NAMES[name]}失败，请人工处理"]
    return result


def stage_inputs(intake: Intake) -> tuple[str, str, GeoPoint | None]:
    """What the classifier reads, what the locator reads, and the point in WGS-84."""
    text = f"{intake.title}\n{intake.text}".strip()
    place_text = f"{intake.address}\n{text}".strip() if intake.address else text
    point = intake.point
    if point is not None and intake.point_crs == "gcj02":
        point = gcj02_to_wgs84(point)
    return text, place_text, point
