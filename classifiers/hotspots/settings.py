"""Settings of the hot-issue view ([hotspots] in config.toml): the one place their defaults
live."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class HotspotSettings:
    # Keep the hot-issue view (false: nothing is indexed, /api/v1/hotspots answers empty).
    enabled: bool = True
    # Two reports at the same place (one compound, road, junction or landmark: wider than
    # the duplicate check, which also compares building and house number) are one issue
    # when their words agree at least this much (cosine over TF-IDF weighted words).
    place_similarity: float = 0.16
    # Two reports naming no common place are one issue only when their words agree this much.
    text_similarity: float = 0.45
    # Two issues a new report matches both are merged when their words agree this much.
    merge_similarity: float = 0.35
    # Reports a new one is compared with, at most, per place or word it names (newest first).
    max_candidates_per_key: int = 300
    # Reports older than this (before the newest report) leave the view.
    keep_days: float = 400.0
    # An issue needs at least this many reports to be listed.
    min_reports: int = 2
    # Heat = distinct reporters + repeat_weight × further reports by the same people
    #        + likes_weight × ln(1 + likes and "me too" joins), × (1 + growth_weight × growth),
    # growth ∈ [-1, 1]: reports in the later half of the window minus the earlier, over all.
    repeat_weight: float = 0.1
    likes_weight: float = 1.0
    growth_weight: float = 0.25
    # Top issues exported as Prometheus gauges.
    gauges: int = 10
    # Share of the event loop the view may take while reports queue up: under a burst the
    # intake is answered first and the view catches up afterwards (1.0: no limit).
    loop_share: float = 0.25

    def problems(self) -> list[str]:
        found = []
        if not (0 < self.place_similarity <= 1 and 0 < self.text_similarity <= 1):
            found.append("place_similarity, text_similarity: must be in (0, 1]")
        if self.max_candidates_per_key < 1 or self.keep_days <= 0 or self.min_reports < 1 or self.gauges < 0:
            found.append("max_candidates_per_key, keep_days, min_reports: must be positive; gauges >= 0")
        if not 0 < self.loop_share <= 1:
            found.append("loop_share: must be in (0, 1]")
        if min(self.repeat_weight, self.likes_weight, self.growth_weight) < 0:
            found.append("repeat_weight, likes_weight, growth_weight: must not be negative")
        return found
