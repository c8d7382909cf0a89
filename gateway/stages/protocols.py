"""The pipeline's replaceable stages: plain interfaces and the simplest implementations.

A stage is anything with the method below. Classifiers and locators are pure functions of
their input (no I/O), loaded once at start-up; the pipeline runs them off the event loop.
"""
from __future__ import annotations

from typing import Any, Protocol

from gateway.models import Classification, DuplicateCheck, GeoPoint, Intake, Location


class Classifier(Protocol):
    # The category taxonomy the classifier files into (the console lists its leaves).
    taxonomy: Any

    def classify(self, text: str) -> Classification:
        """The category of a report's text, with confidence, evidence and review reasons."""

    def categorize(self, code: str, source: str) -> Classification | None:
        """A category a person chose by its code (`source`: "citizen", "operator"), as a
        settled classification; None when the taxonomy has no such code."""


class Locator(Protocol):
    def locate(self, text: str, point: GeoPoint | None = None) -> Location: ...


class DuplicateFinder(Protocol):
    def check(self, intake: Intake, classification: Classification, location: Location,
              prepared: Any = None) -> DuplicateCheck:
        """`prepared`: what `prepare(intake.text)` of the finder's module gave, computed
        in a stage worker (None: the finder prepares the text itself)."""

    def track(self, workorder: dict) -> None:
        """A work order was filed or changed: keep the open-case index current."""


class NoDuplicates:
    """Treats every report as a new case."""

    def check(self, intake: Intake, classification: Classification, location: Location,
              prepared: Any = None) -> DuplicateCheck:
        return DuplicateCheck(action="new")

    def track(self, workorder: dict) -> None:
        pass


class PassThroughLocator:
    """No registry: keeps the place the citizen named (structured) and any coordinates;
    assigns no grid."""

    def __init__(self):
        from classifiers.locate.places import PlaceReader

        self._places = PlaceReader()

    def locate(self, text: str, point: GeoPoint | None = None) -> Location:
        from classifiers.locate.with_place import NO_GRID, with_place

        text = text if isinstance(text, str) else ""
        found = Location(address=text.strip()[:200], point=point, confidence=0.0, needs_review=True,
                         review_reasons=[NO_GRID])
        return with_place(found, self._places.read(text[:2000]))
