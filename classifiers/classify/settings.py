"""Settings of the classification stage ([classification] in config.toml): the one place
their defaults live."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

THRESHOLDS = ("review_threshold", "consultation_threshold", "urgent_threshold", "urgent_with_words",
              "urgent_passage_threshold")


@dataclass
class ClassificationSettings:
    # The category taxonomy (codes, keywords, departments, time limits, urgency).
    taxonomy: str = "classifiers/data/taxonomy.toml"
    # How citizens name each component and matter, and what goes wrong with it.
    lexicon: str = "classifiers/data/lexicon.toml"
    # The learned model: "auto" = trained once from the project's corpus
    # (classifiers/data/corpus) and kept in classifiers/data/.cache; a path = a model trained
    # with `python run.py train`; "" = keyword rules only.
    model: str = "auto"
    # Optional: a model of the 12345 social-matter classes (e.g. trained on the TipDM 2020 C
    # messages) that picks a social matter's branch when the leaf model is unsure.
    social_model: str = ""
    # Below this calibrated confidence (on independent text, the share of tickets so scored
    # whose category was right) a ticket is marked for review.
    review_threshold: float = 0.85
    # A question is a consultation (咨询, answered not dispatched) when the model's kind
    # head gives it at least this probability.
    consultation_threshold: float = 0.3
    # Urgent when the urgency head gives at least urgent_threshold, or at least
    # urgent_with_words when danger words are present and nothing says the danger is over.
    urgent_threshold: float = 0.2
    urgent_with_words: float = 0.02
    # A text longer than urgent_passage_chars (a letter) is also read passage by passage:
    # urgent when a passage's probability is at least urgent_passage_threshold (or half of
    # it with danger words in the passage), and for sentences naming a hazard and claiming
    # danger (the taxonomy's danger_claims / hazard_words). 0: both off, and the sentences
    # telling of many people ill at once (illness_words / many_people_words, any text) too.
    urgent_passage_chars: int = 120
    urgent_passage_threshold: float = 0.5
    # A letter's sentences naming a hazard and claiming danger are looked for in its first
    # urgent_letter_chars characters, never fewer than the 400 the category and the urgency
    # head read: a letter tells its danger anywhere.
    urgent_letter_chars: int = 2000

    def problems(self) -> list[str]:
        problems = [f"{name}: must be a number between 0 and 1, got {getattr(self, name)!r}"
                    for name in THRESHOLDS if not 0.0 <= getattr(self, name) <= 1.0]
        if self.urgent_passage_chars < 0:
            problems.append(f"urgent_passage_chars: must be 0 (off) or more, got {self.urgent_passage_chars!r}")
        if self.urgent_letter_chars < 0:
            problems.append(f"urgent_letter_chars: must be 0 or more, got {self.urgent_letter_chars!r}")
        return problems

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
