"""The category of a report, from the keyword rules and the learned model together, with
its kind, urgency and how sure it is.

`CombinedClassifier(rules, model=None, settings=None, social_model=None).classify(text)`:

1. **Kind**: a city matter (管理部件/事项, dispatched to the city's departments), a social
   matter (12345: wages, schools, housing …) or a consultation (咨询: a question with no place to
   send anyone, answered, not dispatched). The model's kind head decides: P(consultation) ≥
   `consultation_threshold` makes it a consultation (only consultation leaves compete), below
   it only the other leaves compete.
2. **Leaf**: every leaf the rules matched and the model's most likely leaves compete on
   `model_weight × P_model(leaf) + (1 - model_weight) × rule share(leaf)`, each weighted by the
   probability of its kind. The rule share is a leaf's part of the rules' total score, times
   how strong the best match is (a long exact phrase counts more than one short word).
3. **Confidence**: that score mapped through a calibration learnt on texts the model had not
   seen (isotonic: "of the tickets scored x, this share had the right leaf").
   `needs_review` when it is below `review_threshold`, with the reason.
4. **Urgency**: its own decision (classifiers.classify.urgency).

Without a model the rules decide alone, as before: their leaf, their confidence, review
below `review_threshold`. With a social model (TipDM 2020 C classes), a social matter's
branch comes from it when the leaf model is unsure.
"""
from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from classifiers.classify.keywords import KeywordClassifier, classify_input_problems
from classifiers.classify.lexicon import load_lexicon
from classifiers.classify.settings import ClassificationSettings
from classifiers.classify.taxonomy import Node, Taxonomy, load_taxonomy
from classifiers.classify.urgency import UrgencyJudge
from classifiers.normalize import normalize
from gateway.models import Alternative, Classification

__all__ = ["CombinedClassifier", "build_classifier", "category_of", "kind_of", "leaf_scores", "confidence_features"]

KIND_NAMES = {"city": "城市管理", "social": "社会事务", "consultation": "咨询"}
# What a report says first decides its category (the model reads 600 characters too): a
# long letter is read that far, which keeps every message well under a millisecond.
MAX_CHARS = 400


def reading(text: str) -> str:
    """The part of a text the classifier reads, normalised."""
    return normalize(text[: MAX_CHARS + 200])[:MAX_CHARS]


def leaf_scores(ranked: list[tuple[str, float]], model: Mapping[str, float], kinds: Mapping[str, float],
                leaf_kind: Mapping[str, str], model_weight: float, consultation_threshold: float) -> dict[str, float]:
    """The combined score of every leaf the rules matched or the model puts among its most
    likely (`model`: the model's top leaves and their probabilities; `kinds`: the kind head's
    probabilities, empty without one). Used by the classifier and by its training alike."""
    rule_total = sum(s for _, s in ranked) or 1.0
    strength = KeywordClassifier.strength(ranked[0][1]) if ranked else 0.0
    rule_share = {code: strength * s / rule_total for code, s in ranked}
    # In a fixed order (the rules' ranking, then the model's), never a set's: among leaves that
    # score the same, the first is chosen, so a text gets the same leaf in every process.
    candidates = list(dict.fromkeys([*rule_share, *(c for c, _ in sorted(model.items(), key=lambda kv: -kv[1])[:8])]))
    # The kind head decides whether the citizen asks (a consultation, answered) or reports
    # (dispatched): a question worded with city words is still a question, and a complaint
    # worded as a question ("怎么还没人管？") is still a complaint.
    asks = bool(kinds) and kinds.get("consultation", 0.0) >= consultation_threshold
    if asks:
        candidates = [c for c, kind in leaf_kind.items() if kind == "consultation"]
    w = model_weight
    scores = {}
    for code in candidates:
        kind = leaf_kind.get(code)
        if kind is None:  # a branch label of an older model
            continue
        if kinds and (kind == "consultation") != asks:
            continue
        prior = 1.0 if asks or not kinds else kinds.get(kind, 1.0)
        scores[code] = prior * (w * model.get(code, 0.0) + (1 - w) * rule_share.get(code, 0.0))
    if asks and scores:
        # Among consultations the leaf only says which knowledge base answers; the kind
        # head's certainty is what counts.
        best = max(scores, key=scores.get)
        scores[best] = max(scores[best], kinds["consultation"] * w)
    return scores


FEATURES = ("score", "margin", "model_p", "model_agrees", "rules_agree", "kind_p", "rules_matched")


def confidence_features(scores: Mapping[str, float], best: str, ranked: list[tuple[str, float]],
                        model: Mapping[str, float], kinds: Mapping[str, float]) -> list[float]:
    """What the calibrator reads (FEATURES): the combined score, its lead over the runner-up,
    the model's probability of the leaf, whether the model's and the rules' first choices
    agree with it, how sure the kind head is, and whether any rule matched."""
    return features_of([best], scores, ranked, model, kinds)[0]


def features_of(codes: list[str], scores: Mapping[str, float], ranked: list[tuple[str, float]],
                model: Mapping[str, float], kinds: Mapping[str, float]) -> list[list[float]]:
    """`confidence_features` of several leaves (the choice and its runners-up) at once."""
    first = second = 0.0
    leader = ""
    for code, value in scores.items():
        if value > first:
            first, second, leader = value, first, code
        elif value > second:
            second = value
    model_top = max(model, key=model.get) if model else ""
    rule_top = ranked[0][0] if ranked else ""
    kind_p = max(kinds.values()) if kinds else 1.0
    matched = float(bool(ranked))
    out = []
    for code in codes:
        own = scores.get(code, 0.0)
        rival = second if code == leader else first
        out.append([own, own - rival, float(model.get(code, 0.0)), float(code == model_top),
                    float(code == rule_top), kind_p, matched])
    return out


@dataclass(frozen=True)
class Calibrator:
    """P(the category is right | confidence features): a logistic regression fitted on texts
    the model never saw (see classifiers.classify.training)."""

    coef: tuple[float, ...]
    intercept: float

    def probability(self, features: list[float]) -> float:
        z = self.intercept + sum(c * f for c, f in zip(self.coef, features, strict=True))
        return round(1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))), 4)


def kind_of(node: Node) -> str:
    """city (管理部件/事项), consultation (咨询) or social (the rest of 12345)."""
    if node.consultation:
        return "consultation"
    return "city" if node.top_code in ("BJ", "SJ") else "social"


class CombinedClassifier:
    """Rules and model together (see the module docstring)."""

    def __init__(self, rules: KeywordClassifier, model: Any | None = None,
                 settings: ClassificationSettings | Mapping[str, Any] | None = None,
                 social_model: Any | None = None, **overrides: Any):
        self.rules = rules
        self.model = model
        self.social_model = social_model
        self.taxonomy: Taxonomy = rules.taxonomy
        base = (settings if isinstance(settings, ClassificationSettings)
                else ClassificationSettings.from_mapping(settings))
        if overrides:
            base = ClassificationSettings.from_mapping({**base.__dict__, **overrides})
        self.settings = base
        if model is not None and getattr(model, "taxonomy", None) is None:
            model.taxonomy = self.taxonomy
        self._leaf_kind = {n.code: kind_of(n) for n in self.taxonomy.leaves}
        combiner = (getattr(model, "state", None) or {}).get("combiner") or {}
        self.model_weight = float(combiner.get("model_weight", 0.6))
        calibrator = combiner.get("calibrator")
        self._calibrator = Calibrator(tuple(calibrator["coef"]), float(calibrator["intercept"])) \
            if calibrator and len(calibrator["coef"]) == len(FEATURES) else None
        self._calibration = (list(combiner["calibration_x"]), list(combiner["calibration_y"])) \
            if "calibration_x" in combiner else None
        danger = list(self.taxonomy.urgent_words)
        for entry in rules.lexicon.values():
            danger += entry.urgent_when
        self.urgency = UrgencyJudge(danger, threshold=base.urgent_threshold, with_words=base.urgent_with_words,
                                    passage_chars=base.urgent_passage_chars,
                                    passage_threshold=base.urgent_passage_threshold,
                                    danger_claims=self.taxonomy.danger_claims, hazard_words=self.taxonomy.hazard_words,
                                    hypothetical_words=self.taxonomy.hypothetical_words,
                                    illness_words=self.taxonomy.illness_words,
                                    many_people_words=self.taxonomy.many_people_words)

    # -- people's choices ----------------------------------------------------------------

    def categorize(self, code: str, source: str) -> Classification | None:
        """A category a person chose, by its code (None when the taxonomy has no such code)."""
        return category_of(self.taxonomy, code, source)

    # -- the decision ---------------------------------------------------------------------

    def classify(self, text: str) -> Classification:
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        normalized = reading(text)
        problems = classify_input_problems(text, normalized)
        if problems:
            return Classification(source="none", needs_review=True, review_reasons=problems,
                                  evidence={"normalized": normalized[:200]})
        ranked, matched = self.rules.rank(normalized)
        if self.model is None:
            return self._rules_only(text, normalized, ranked, matched)
        probs = self.model.probabilities(normalized)
        kinds = probs.get("kind") or {}
        p_urgent = (probs.get("urgent") or {}).get("true")
        scores = self._leaf_scores(ranked, probs["main"], kinds) or {self.taxonomy.leaves[0].code: 0.0}
        best = max(scores, key=scores.get)
        node = self.taxonomy.get(best)
        combined = scores[best]
        runners_up = [(c, v) for c, v in sorted(scores.items(), key=lambda kv: -kv[1]) if c != best][:3]
        features = features_of([best, *(c for c, _ in runners_up)], scores, ranked, probs["main"], kinds)
        confidence = self._calibrated(combined, features[0])
        kind = kind_of(node)
        reasons = []
        if confidence < self.settings.review_threshold:
            reasons.append(f"分类置信度低（{confidence:.2f}）")
        if kind == "social" and self.social_model is not None and probs["main"].get(best, 0) < 0.5:
            node, branch = self._social_branch(text, node)
            if branch:
                reasons = [r for r in reasons if not r.startswith("分类置信度低")]
        urgency = self.urgency.judge(normalized, p_urgent, node.urgent_words, self._p_urgent if p_urgent is not None else None,
                                     self._letter(text, normalized))
        alternatives = [Alternative(code=c, name=self.taxonomy.get(c).name, confidence=self._calibrated(v, f))
                        for (c, v), f in zip(runners_up, features[1:], strict=True) if c != node.code]
        rule_code = ranked[0][0] if ranked else ""
        model_code = max(probs["main"], key=probs["main"].get) if probs["main"] else ""
        source = "rules" if node.code == rule_code and node.code != model_code else "model" \
            if node.code == model_code and node.code != rule_code else "rules+model"
        evidence = {
            "decided_by": source,
            "matched": matched.get(node.code, []),
            "rules": {"code": rule_code, "score": round(ranked[0][1], 3) if ranked else 0.0},
            "model": {"code": model_code, "probability": round(probs["main"].get(model_code, 0.0), 4),
                      "of_chosen": round(probs["main"].get(node.code, 0.0), 4)},
            "kind": {k: round(v, 3) for k, v in kinds.items()},
            "combined_score": round(combined, 4),
            "urgency": {"probability": urgency.probability, **urgency.evidence()},
        }
        return self._result(node, confidence, source, urgency.urgent, alternatives, evidence, reasons)

    def _letter(self, text: str, normalized: str) -> Callable[[], str]:
        """More of a letter than the category reads, normalised, for its hazard sentences."""
        limit = self.settings.urgent_letter_chars
        if len(text) <= MAX_CHARS or limit <= MAX_CHARS:
            return lambda: normalized
        return lambda: normalize(text[: limit + 200])[:limit]

    def _p_urgent(self, normalized: str) -> float:
        """The urgency head's P(urgent) of a passage (`normalize`d)."""
        return self.model.head_probability(normalized, "urgent", "true")

    def _leaf_scores(self, ranked: list[tuple[str, float]], model: dict[str, float],
                     kinds: dict[str, float]) -> dict[str, float]:
        return leaf_scores(ranked, model, kinds, self._leaf_kind, self.model_weight,
                           self.settings.consultation_threshold)

    def _calibrated(self, score: float, features: list[float] | None = None) -> float:
        """The share of tickets like this one whose category was right."""
        if self._calibrator is not None and features is not None:
            return self._calibrator.probability(features)
        if self._calibration is None:
            return round(score, 4)
        x, y = self._calibration
        i = bisect.bisect_right(x, score)
        if i == 0:
            return y[0]
        if i == len(x):
            return y[-1]
        t = (score - x[i - 1]) / (x[i] - x[i - 1])
        return round(y[i - 1] + t * (y[i] - y[i - 1]), 4)

    def _social_branch(self, text: str, node: Node) -> tuple[Node, bool]:
        """The social branch the social model (TipDM classes) gives, when the leaf model was
        unsure: the leaf if it lies in that branch, else the branch itself."""
        c = self.social_model.classify(text)
        branch = self.taxonomy.resolve(c.name) or self.taxonomy.resolve(c.code)
        if branch is None or c.confidence < 0.5:
            return node, False
        if node.path[: len(branch.path)] == branch.path:
            return node, True
        leaves = [n for n in self.taxonomy.leaves if n.path[: len(branch.path)] == branch.path]
        return (leaves[0] if len(leaves) == 1 else branch), True

    def _rules_only(self, text: str, normalized: str, ranked, matched) -> Classification:
        if not ranked:
            return Classification(source="rules", needs_review=True, review_reasons=["未匹配到任何分类关键词"],
                                  evidence={"decided_by": "rules", "matched": [], "normalized": normalized[:200]})
        (code, s1), s2 = ranked[0], (ranked[1][1] if len(ranked) > 1 else 0.0)
        node = self.taxonomy.get(code)
        confidence = round(KeywordClassifier.strength(s1) * s1 / (s1 + s2), 4)
        reasons = [f"分类置信度低（{confidence:.2f}）"] if confidence < self.settings.review_threshold else []
        urgency = self.urgency.judge(normalized, None, node.urgent_words, letter=self._letter(text, normalized))
        alternatives = [Alternative(code=c, name=self.taxonomy.get(c).name,
                                    confidence=round(KeywordClassifier.strength(s) * s / (s1 + s), 4))
                        for c, s in ranked[1:4]]
        evidence = {"decided_by": "rules", "matched": matched.get(code, []), "rules": {"code": code, "score": round(s1, 3)},
                    "urgency": urgency.evidence()}
        return self._result(node, confidence, "rules", urgency.urgent or node.urgent, alternatives, evidence, reasons)

    def _result(self, node: Node, confidence: float, source: str, urgent: bool, alternatives: list[Alternative],
                evidence: dict, reasons: list[str]) -> Classification:
        hours = node.time_limit_hours
        limit = self.taxonomy.urgent_time_limit_hours
        if urgent and limit is not None:
            hours = min(hours, limit) if hours else limit
        return Classification(
            code=node.code, name=node.name, path=list(node.path), confidence=confidence, source=source,
            department=node.department, time_limit_hours=hours, urgent=urgent, consultation=node.consultation,
            alternatives=alternatives, evidence=evidence, needs_review=bool(reasons), review_reasons=reasons)


def build_classifier(
    taxonomy_path: str | Path | None = None,
    model_path: str | Path | None = None,
    settings: ClassificationSettings | Mapping[str, Any] | None = None,
    *,
    lexicon_path: str | Path | None = None,
    social_model_path: str | Path | None = None,
) -> CombinedClassifier:
    """Load the taxonomy and lexicon (default: bundled), and the models if given; raise
    TaxonomyError / LexiconError / ModelError naming the broken file."""
    taxonomy = load_taxonomy(taxonomy_path)
    cs = settings if isinstance(settings, ClassificationSettings) else ClassificationSettings.from_mapping(settings)
    lexicon = load_lexicon(lexicon_path, taxonomy)
    rules = KeywordClassifier(taxonomy, review_threshold=cs.review_threshold, lexicon=lexicon)
    from classifiers.classify.model import load

    if model_path == "auto":
        from classifiers.classify.lexicon import DEFAULT_LEXICON_PATH
        from classifiers.classify.taxonomy import DEFAULT_TAXONOMY_PATH
        from classifiers.classify.training import default_model

        model = default_model(taxonomy, rules, Path(taxonomy_path or DEFAULT_TAXONOMY_PATH),
                              Path(lexicon_path or DEFAULT_LEXICON_PATH))
    else:
        model = load(model_path, taxonomy) if model_path else None
    social = load(social_model_path, taxonomy) if social_model_path else None
    return CombinedClassifier(rules, model, cs, social)


def category_of(taxonomy, code: str, source: str) -> Classification | None:
    """The taxonomy's entry for `code` as a settled classification (a person chose it:
    an operator, or a citizen picking from the choices offered); None if unknown."""
    node = taxonomy.get(code)
    if node is None:
        return None
    return Classification(
        code=node.code, name=node.name, path=list(node.path), confidence=1.0, source=source,
        department=node.department, time_limit_hours=node.time_limit_hours, urgent=node.urgent,
        consultation=node.consultation, evidence={"chosen_by": source},
    )
