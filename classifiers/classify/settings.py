"""Settings of the classification stage ([classification] in config.toml): the one place
their defaults live."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

THRESHOLDS = ("rules_threshold", "model_threshold", "review_threshold", "disagreement_threshold")


@dataclass
class ClassificationSettings:
    # The category taxonomy (codes, keywords, departments, time limits, urgency).
    taxonomy: str = "classifiers/data/taxonomy.toml"
    # A model trained with `python run.py train`; empty = keyword rules only.
    model: str = ""
    # Rules win at or above this confidence; the model covers the long tail.
    rules_threshold: float = 0.55
    model_threshold: float = 0.6
    # Below this confidence the report is marked for review.
    review_threshold: float = 0.35
    # Rules and model both at least this sure of different branches: review.
    disagreement_threshold: float = 0.5

    def problems(self) -> list[str]:
        return [f"{name}: must be a number between 0 and 1, got {getattr(self, name)!r}"
                for name in THRESHOLDS if not 0.0 <= getattr(self, name) <= 1.0]

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> ClassificationSettings:
        """Settings from a plain mapping of thresholds (library use; the gateway's loader
        checks config.toml itself). Raises ValueError naming an unknown or wrong key."""
        data = dict(data or {})
        names = {f.name for f in fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"unknown classification setting(s) {sorted(unknown)}; known: {sorted(names)}")
        for key, value in data.items():
            if key in THRESHOLDS and (isinstance(value, bool) or not isinstance(value, (int, float))
                                      or not 0.0 <= float(value) <= 1.0):
                raise ValueError(f"classification setting {key!r} must be a number between 0 and 1, got {value!r}")
        return cls(**{k: (float(v) if k in THRESHOLDS else v) for k, v in data.items()})
