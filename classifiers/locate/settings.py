"""Settings of the location stage ([location] in config.toml): the one place their
defaults live."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class LocationSettings:
    # The grid registry (区/县 → 街道 → 社区 → 网格); relative paths are from the project root.
    # Empty: no grids; the place is kept as the citizen gave it.
    registry: str = "classifiers/data/grids.json"
    # A point this close outside every grid goes to the nearest grid.
    max_outside_m: float = 200.0
    # A place named in the text and a point closer than this agree.
    agree_m: float = 150.0
    # Below this confidence the report is marked for review (chat asks "where exactly?").
    review_below: float = 0.6
    # Least rapidfuzz similarity (0–100) for a mistyped place name.
    fuzzy_min: float = 80.0

    def problems(self) -> list[str]:
        found = []
        if self.max_outside_m < 0 or self.agree_m <= 0:
            found.append("max_outside_m, agree_m: must be positive")
        if not 0 <= self.review_below <= 1:
            found.append("review_below: must be between 0 and 1")
        if not 0 < self.fuzzy_min <= 100:
            found.append("fuzzy_min: must be between 0 and 100")
        return found
