"""Settings of the duplicate stage ([duplicates] in config.toml): the one place their
defaults live."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class DuplicateSettings:
    # Check each report against the open cases (false: every report is a new case).
    enabled: bool = True
    # Score at or above which a report joins an open case; between the two, it is filed
    # but marked for review with the candidates.
    attach_threshold: float = 0.67
    suggest_threshold: float = 0.60
    # Reports within this distance count as the same place (when both have coordinates).
    radius_m: float = 250.0
    # Open cases older than this are not candidates.
    window_hours: float = 336.0
    max_candidates: int = 5
    # A report saying its problem was fixed and is back ("修好了，又坏了") is a new occurrence:
    # never joined by itself. Read by words, and by a model at this probability (above 1:
    # words only); lower flags more, at the cost of some "still not fixed" repeats.
    recurrence_threshold: float = 0.6
    # A report saying the problem at that spot was never fixed, or asking after it ("我前天就报了，
    # 到现在还是黑的"), joins the open case there even when the two describe it differently.
    # Read by a model at this probability (above 1: never).
    still_threshold: float = 0.7
    # Two reports naming one spot tell of two problems (never joined by themselves) when the
    # pair reader (what each says is wrong) gives one problem less than this probability
    # (0: never; 1: always).
    one_problem_threshold: float = 0.5
    # …and tell of one problem, whatever categories they were filed under, when both name the
    # very same spot and the reader gives one problem at least this (above 1: never).
    same_problem_threshold: float = 0.85
    # …and, at one spot, filed under close categories (one among the other's runners-up),
    # tell of one problem when the reader gives at least this, though they share no words.
    close_problem_threshold: float = 0.7

    def problems(self) -> list[str]:
        found = []
        if not 0 < self.suggest_threshold <= self.attach_threshold <= 1:
            found.append("suggest_threshold, attach_threshold: need 0 < suggest_threshold <= attach_threshold <= 1")
        if self.radius_m <= 0 or self.window_hours <= 0 or self.max_candidates < 1:
            found.append("radius_m, window_hours, max_candidates: must be positive")
        if self.recurrence_threshold <= 0:
            found.append("recurrence_threshold: must be positive (above 1: the word list only)")
        if self.still_threshold <= 0:
            found.append("still_threshold: must be positive (above 1: never)")
        if not 0 <= self.one_problem_threshold <= 1:
            found.append("one_problem_threshold: must be between 0 and 1")
        if self.same_problem_threshold <= self.one_problem_threshold:
            found.append("same_problem_threshold: must be above one_problem_threshold")
        if not self.one_problem_threshold <= self.close_problem_threshold <= self.same_problem_threshold:
            found.append("close_problem_threshold: must be between one_problem_threshold and same_problem_threshold")
        return found
