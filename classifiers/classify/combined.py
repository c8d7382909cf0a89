"""Rules first, the learned model for the long tail, a person when in doubt.

`CombinedClassifier(rules, model=None, settings=None, **overrides).classify(text)`:

1. The keyword rules classify. If their confidence reaches `rules_threshold`, their leaf wins.
2. Otherwise, if a model is loaded and its confidence reaches `model_threshold`:
   * when the rules' (weak) leaf lies in a branch compatible with the model's label, the
     rules' leaf is kept (it is more specific) with the two confidences combined;
   * otherwise the model's node wins (usually a top-level branch such as 城乡建设).
3. Otherwise the more confident of the two is returned, flagged for review.

`needs_review` is set, with Chinese `review_reasons`, when the final confidence is below
`review_threshold`, when rules and model are both at least `disagreement_threshold`
confident but point at incompatible top-level branches, or when either stage reported an
input problem. Safety words (燃气泄漏, 井盖缺失 …) make the result urgent whichever stage won.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from classifiers.classify.keywords import KeywordClassifier
from classifiers.classify.settings import ClassificationSettings
from classifiers.classify.taxonomy import Node, Taxonomy, load_taxonomy
from gateway.models import Alternative, Classification

__all__ = ["CombinedClassifier", "build_classifier", "category_of"]


class CombinedClassifier:
    """Rules and model together (see the module docstring)."""

    def __init__(
        self,
        rules: KeywordClassifier,
        model: Any | None = None,
        settings: ClassificationSettings | Mapping[str, Any] | None = None,
        **overrides: float,
    ):
        self.rules = rules
        self.model = model
        self.taxonomy: Taxonomy = rules.taxonomy
        base = (settings if isinstance(settings, ClassificationSettings)
                else ClassificationSettings.from_mapping(settings))
        if overrides:
            base = ClassificationSettings.from_mapping({**asdict(base), **overrides})
        self.settings = base
        if model is not None and getattr(model, "taxonomy", None) is None:
            model.taxonomy = self.taxonomy

    def _node(self, c: Classification) -> Node | None:
        return self.taxonomy.get(c.code) if c.code else None

    def _compatible(self, a: Node | None, b: Node | None) -> bool:
        if a is None or b is None:
            return True
        return b.top_code in a.compatible or a.top_code in b.compatible

    def categorize(self, code: str, source: str) -> Classification | None:
        """A category a person chose, by its code (None when the taxonomy has no such code)."""
        return category_of(self.rules.taxonomy, code, source)

    def classify(self, text: str) -> Classification:
        s = self.settings
        r = self.rules.classify(text)
        if self.model is None:
            return self._finish(r, r, None, [], text)

        m = self.model.classify(text)
        r_node, m_node = self._node(r), self._node(m)
        reasons: list[str] = []
        if r.code and r.confidence >= s.rules_threshold:
            chosen = r
        elif m.code and m.confidence >= s.model_threshold:
            if r.code and self._compatible(r_node, m_node):
                chosen = r
                chosen.confidence = round(max(r.confidence, (r.confidence + m.confidence) / 2), 4)
                chosen.evidence = {**chosen.evidence, "model_agrees": m.code}
            else:
                chosen = m
        else:
            chosen = r if r.confidence >= m.confidence else m
        if (
            r.code
            and m.code
            and r.confidence >= s.disagreement_threshold
            and m.confidence >= s.disagreement_threshold
            and not (r_node is not None and r_node.consultation)
            and not self._compatible(r_node, m_node)
        ):
            reasons.append(f"规则与模型判断不一致：规则为「{r.name}」，模型为「{m.name}」")
        return self._finish(chosen, r, m, reasons, text)

    def _finish(self, chosen: Classification, r: Classification, m: Classification | None, reasons: list[str], text: str) -> Classification:
        s = self.settings
        out = Classification(**{f.name: getattr(chosen, f.name) for f in fields(Classification)})
        out.review_reasons = []
        # Input problems are reported by both stages: keep each reason once.
        for reason in [*(chosen.review_reasons or []), *reasons]:
            if reason.startswith(("模型置信度低", "分类置信度低")):
                continue  # re-judged below against the combined review threshold
            if reason not in out.review_reasons:
                out.review_reasons.append(reason)
        if out.code and out.confidence < s.review_threshold:
            out.review_reasons.append(f"分类置信度低（{out.confidence:.2f}）")
        if not out.code and not out.review_reasons:
            out.review_reasons.append("未能确定类别")
        # Safety first: urgent if the rules saw safety words, whichever stage won.
        if r.urgent and not out.urgent:
            out.urgent = True
            out.evidence = {**out.evidence, "urgent_words": r.evidence.get("urgent_words", [])}
        if chosen is not r and not out.urgent:
            hits = self.rules.urgent_words_in(text)
            if hits:
                out.urgent = True
                out.evidence = {**out.evidence, "urgent_words": hits}
        if out.urgent and self.taxonomy.urgent_time_limit_hours is not None:
            limit = self.taxonomy.urgent_time_limit_hours
            out.time_limit_hours = min(out.time_limit_hours, limit) if out.time_limit_hours else limit
        # Alternatives: the other stage's answer first, then the winner's own runners-up.
        alts: list[Alternative] = []
        other = m if chosen is r else r
        if other is not None and other.code and other.code != out.code:
            alts.append(Alternative(code=other.code, name=other.name, confidence=other.confidence))
        for a in chosen.alternatives:
            if a.code != out.code and all(a.code != b.code for b in alts):
                alts.append(a)
        out.alternatives = alts[:3]
        out.evidence = {
            **out.evidence,
            "decided_by": chosen.source,
            "rules": {"code": r.code, "confidence": r.confidence},
            **({"model": {"code": m.code, "confidence": m.confidence}} if m is not None else {}),
        }
        out.needs_review = bool(out.review_reasons)
        return out


def build_classifier(
    taxonomy_path: str | Path | None = None,
    model_path: str | Path | None = None,
    settings: ClassificationSettings | Mapping[str, Any] | None = None,
) -> CombinedClassifier:
    """Load the taxonomy (default: bundled) and, if given, the model; raise TaxonomyError/ModelError."""
    taxonomy = load_taxonomy(taxonomy_path)
    cs = settings if isinstance(settings, ClassificationSettings) else ClassificationSettings.from_mapping(settings)
    rules = KeywordClassifier(taxonomy, review_threshold=cs.review_threshold)
    model = None
    if model_path:
        from classifiers.classify.model import load

        model = load(model_path, taxonomy)
    return CombinedClassifier(rules, model, cs)


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
