"""Keyword rules: the taxonomy's colloquial keywords, matched on normalized text.

How a message is scored:

* The text is normalized (`classifiers.normalize`) and cut to `max_chars`.
* Keywords of three or more characters match as substrings of the normalized text; one- and
  two-character keywords match only as whole jieba tokens (so 吵 does not fire inside 炒菜).
  The jieba tokenizer is this classifier's own (`classifiers.tokenizer`) with every taxonomy
  keyword added to its dictionary; the global jieba dictionary is never touched.
  One Aho-Corasick pass (pyahocorasick) finds every keyword occurrence; jieba then cuts only
  the blocks (jieba's own unit: a run between punctuation and spaces, cut independently of
  the rest) holding a short keyword, which gives the same tokens as cutting the whole text.
* A match lying inside a longer match is dropped: in "路灯井盖" only 路灯井盖 counts, not 路灯.
* Each keyword weighs len(keyword) ** 1.5 (longer = more specific), times 0.35 for the
  taxonomy's `weak_words` (places and people: 学校, 小区, 楼上 …, which say where, not what); a keyword repeated in the
  text adds 20 % per repeat, up to three. A leaf's score is the sum over its keywords.
* A leaf with an exclusion word present in the text does not compete.
* Consultation leaves (咨询) compete only when a question word (请问, 怎么办理 …) and one of
  their own topic words are present; the question words count towards their score.
* Confidence = (1 - exp(-top / 6)) * top / (top + second): a strong, unrivalled match gets
  close to 1, a single two-character hit about 0.37, a tie at most half of its strength.
"""
from __future__ import annotations

import math
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass

import ahocorasick
import jieba

from classifiers.classify.lexicon import LexiconEntry
from classifiers.classify.taxonomy import Node, Taxonomy, load_taxonomy
from classifiers.normalize import normalize
from classifiers.tokenizer import private_tokenizer
from gateway.models import Alternative, Classification

__all__ = ["KeywordClassifier", "keyword_weight", "classify_input_problems"]

_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_RE = re.compile(r"[a-z]")
_DIGIT_RE = re.compile(r"[0-9]")

# Single jieba tokenizer initialisation is slow (~0.6 s); serialise it between threads.
_init_lock = threading.Lock()


WEAK_FACTOR = 0.35
NOT_THIS_FACTOR = 0.5
# Keywords at least this long match anywhere in the text; shorter ones only as whole words.
SUBSTRING_MIN = 2  # two-character words as whole words only: 5x the time for no gain measured


def keyword_weight(term: str, weak: bool = False) -> float:
    return float(len(term)) ** 1.5 * (WEAK_FACTOR if weak else 1.0)


def _norm_term(term: str) -> str:
    n = normalize(term)
    return n if n else term.strip().lower()


def classify_input_problems(text: str, normalized: str) -> list[str]:
    """Chinese review reasons for input that cannot be classified by its words at all."""
    if not text or not text.strip():
        return ["内容为空"]
    if not normalized:
        return ["内容没有可识别的文字（可能只有表情或符号）"]
    if not _CJK_RE.search(normalized):
        if _LATIN_RE.search(normalized):
            return ["内容不含中文，无法按关键词分类"]
        if _DIGIT_RE.search(normalized):
            return ["内容只有数字或符号，无法判断类别"]
        return ["内容没有可识别的文字（可能只有表情或符号）"]
    return []


@dataclass
class _Leaf:
    node: Node
    exclude: tuple[str, ...]
    urgent_words: tuple[str, ...]
    needs_question: bool
    topic: tuple[str, ...] = ()  # a consultation leaf's own words (without the question words)


class KeywordClassifier:
    """Rule-based classifier over the taxonomy keywords. `classify(text) -> Classification`.

    Parameters:
        taxonomy: a loaded `Taxonomy`, or None for the bundled default taxonomy.
        review_threshold: below this confidence the result is flagged `needs_review`.
        max_chars: longer input is cut to this many characters (and flagged for review).
    """

    source = "rules"

    def __init__(self, taxonomy: Taxonomy | None = None, *, review_threshold: float = 0.35, max_chars: int = 5000,
                 lexicon: Mapping[str, LexiconEntry] | None = None):
        self.taxonomy = taxonomy if taxonomy is not None else load_taxonomy()
        self.lexicon = dict(lexicon or {})
        self.review_threshold = float(review_threshold)
        self.max_chars = int(max_chars)
        self._leaves: list[_Leaf] = []
        self._not_this: dict[int, tuple[str, ...]] = {}  # leaf index -> words of its neighbours
        # term -> [(leaf index, weight)]
        self._long: dict[str, list[tuple[int, float]]] = {}
        self._short: dict[str, list[tuple[int, float]]] = {}
        question_words = tuple(dict.fromkeys(_norm_term(w) for w in self.taxonomy.question_words))
        self._question_words = frozenset(question_words)
        weak = frozenset(_norm_term(w) for w in self.taxonomy.weak_words)
        for node in self.taxonomy.leaves:
            idx = len(self._leaves)
            needs_q = node.consultation and bool(question_words)
            self._leaves.append(
                _Leaf(
                    node=node,
                    exclude=tuple(_norm_term(w) for w in node.exclude),
                    urgent_words=tuple(_norm_term(w) for w in node.urgent_words),
                    needs_question=needs_q,
                    topic=tuple(_norm_term(t) for t in node.terms),
                )
            )
            entry = self.lexicon.get(node.code)
            terms = [_norm_term(t) for t in node.terms + (entry.terms if entry else ())]
            if entry and entry.not_this:
                self._not_this[idx] = tuple(dict.fromkeys(_norm_term(w) for w in entry.not_this))
            if node.consultation:
                terms += list(question_words)
            for term in dict.fromkeys(terms):
                table = self._long if len(term) >= SUBSTRING_MIN else self._short
                table.setdefault(term, []).append((idx, keyword_weight(term, term in weak)))
        self._automaton = ahocorasick.Automaton()
        for term in self._long:
            self._automaton.add_word(term, (term, True))
        for term in self._short:
            self._automaton.add_word(term, (term, False))
        self._automaton.make_automaton()
        # A short keyword jieba would never see inside a block: then cut the whole text.
        self._cut_everything = any(not jieba.re_han_default.fullmatch(t) for t in self._short)
        self._urgent_global = tuple(_norm_term(w) for w in self.taxonomy.urgent_words)
        self._tokenizer = private_tokenizer()
        with _init_lock:
            for term in list(self._long) + list(self._short):
                if _CJK_RE.search(term) and len(term) >= 2:
                    self._tokenizer.add_word(term, freq=2000)

    # ------------------------------------------------------------------ matching

    def _matches(self, text: str) -> list[tuple[int, int, str]]:
        found: list[tuple[int, int, str]] = []
        short_starts: list[int] = []
        for end, (term, is_long) in self._automaton.iter(text):
            if is_long:
                found.append((end + 1 - len(term), end + 1, term))
            else:
                short_starts.append(end + 1 - len(term))
        if short_starts:
            short_terms = self._short
            for offset, block in self._blocks_to_cut(text, short_starts):
                for word, start, end in self._tokenizer.tokenize(block, HMM=False):
                    if word in short_terms:
                        found.append((offset + start, offset + end, word))
        n = len(text)
        if len(found) < 2:
            return found
        # Drop matches that lie inside a longer match.
        found.sort(key=lambda m: (m[0] - m[1], m[0]))
        owner = [-1] * n
        kept: list[tuple[int, int, str]] = []
        for k, (s, e, term) in enumerate(found):
            o = owner[s]
            if o != -1 and owner[e - 1] == o and (found[o][1] - found[o][0]) > (e - s):
                continue
            kept.append((s, e, term))
            for p in range(s, e):
                if owner[p] == -1:
                    owner[p] = k
        return kept

    def _blocks_to_cut(self, text: str, starts: list[int]) -> list[tuple[int, str]]:
        """(offset, block) for each of jieba's blocks in which a short keyword starts."""
        if self._cut_everything:
            return [(0, text)]
        starts.sort()
        blocks = []
        k = 0
        for m in jieba.re_han_default.finditer(text):
            while k < len(starts) and starts[k] < m.start():
                k += 1
            if k == len(starts):
                break
            if starts[k] < m.end():
                blocks.append((m.start(), m.group()))
        return blocks

    # ------------------------------------------------------------------ classify

    def scores(self, normalized: str) -> tuple[dict[int, float], dict[int, list[str]], dict[str, str]]:
        """Leaf scores for already-normalized text: (scores, matched terms, excluded leaf → word)."""
        matches = self._matches(normalized)
        counts: dict[str, int] = {}
        for _, _, term in matches:
            counts[term] = counts.get(term, 0) + 1
        scores: dict[int, float] = {}
        matched: dict[int, list[str]] = {}
        has_question = any(t in self._question_words for t in counts)
        for term, count in counts.items():
            table = self._long if len(term) >= SUBSTRING_MIN else self._short
            bonus = 1.0 + 0.2 * min(count - 1, 3)
            for idx, weight in table.get(term, ()):
                scores[idx] = scores.get(idx, 0.0) + weight * bonus
                matched.setdefault(idx, []).append(term)
        excluded: dict[str, str] = {}
        for idx in list(scores):
            leaf = self._leaves[idx]
            if leaf.needs_question and not has_question:
                del scores[idx]
                continue
            if leaf.needs_question and not any(t in normalized for t in leaf.topic):
                # A consultation leaf needs its topic too, not only "请问".
                del scores[idx]
                continue
            for word in leaf.exclude:
                if word in normalized:
                    excluded[leaf.node.code] = word
                    del scores[idx]
                    break
            else:
                # The lexicon's neighbour words: more likely the neighbouring leaf, not ruled out.
                if any(word in normalized for word in self._not_this.get(idx, ())):
                    scores[idx] *= NOT_THIS_FACTOR
        return scores, matched, excluded

    def urgent_words_in(self, text: str) -> list[str]:
        """The taxonomy's global safety words found in `text` (any category)."""
        normalized = normalize(text if isinstance(text, str) else "")[: self.max_chars]
        return [w for w in self._urgent_global if w in normalized]

    @staticmethod
    def strength(score: float) -> float:
        """How much a leaf's total keyword weight says on its own: one two-character word
        about 0.37, a long exact phrase close to 1."""
        return 1.0 - math.exp(-score / 6.0)

    _strength = strength

    def rank(self, normalized: str, limit: int = 6) -> tuple[list[tuple[str, float]], dict[str, list[str]]]:
        """The leaves the keywords point to, best first ([(code, score)]), and the words that
        matched for each ({code: words}), for already-normalized text."""
        scores, matched, _ = self.scores(normalized[: self.max_chars])
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], self._leaves[kv[0]].node.code))[:limit]
        return ([(self._leaves[i].node.code, s) for i, s in ranked],
                {self._leaves[i].node.code: matched[i] for i, _ in ranked})

    def classify(self, text: str) -> Classification:
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        reasons: list[str] = []
        head = text[: self.max_chars * 2] if len(text) > self.max_chars * 2 else text
        normalized = normalize(head)
        problems = classify_input_problems(text, normalized)
        if problems:
            return Classification(
                source=self.source,
                confidence=0.0,
                needs_review=True,
                review_reasons=problems,
                evidence={"rule": None, "matched": [], "normalized": normalized[:200]},
            )
        if len(normalized) > self.max_chars:
            reasons.append(f"内容过长（{len(text)} 字），仅按前 {self.max_chars} 字分类")
            normalized = normalized[: self.max_chars]

        scores, matched, excluded = self.scores(normalized)
        if not scores:
            reasons.append("未匹配到任何分类关键词")
            return Classification(
                source=self.source,
                confidence=0.0,
                needs_review=True,
                review_reasons=reasons,
                evidence={"rule": None, "matched": [], "excluded": excluded, "normalized": normalized[:200]},
            )

        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], self._leaves[kv[0]].node.code))
        best_idx, s1 = ranked[0]
        s2 = ranked[1][1] if len(ranked) > 1 else 0.0
        confidence = self._strength(s1) * (s1 / (s1 + s2))
        leaf = self._leaves[best_idx]
        node = leaf.node

        alternatives = []
        for idx, s in ranked[1:4]:
            alt = self._leaves[idx].node
            alternatives.append(Alternative(code=alt.code, name=alt.name, confidence=round(self._strength(s) * s / (s1 + s), 4)))

        urgent_hits = [w for w in leaf.urgent_words if w in normalized]
        urgent_hits += [w for w in self._urgent_global if w in normalized and w not in urgent_hits]
        urgent = node.urgent or bool(urgent_hits)
        hours = node.time_limit_hours
        if urgent and self.taxonomy.urgent_time_limit_hours is not None:
            hours = min(hours, self.taxonomy.urgent_time_limit_hours) if hours is not None else self.taxonomy.urgent_time_limit_hours

        if confidence < self.review_threshold:
            reasons.append(f"分类置信度低（{confidence:.2f}）")
        if len(ranked) > 1 and s2 >= 0.8 * s1:
            runner = self._leaves[ranked[1][0]].node
            if runner.top_code not in node.compatible:
                reasons.append(f"多个类别得分接近：{node.name} / {runner.name}")

        evidence = {
            "rule": node.code,
            "matched": matched[best_idx],
            "score": round(s1, 3),
            "runner_up_score": round(s2, 3),
            "scores": {self._leaves[i].node.code: round(s, 3) for i, s in ranked[:4]},
            "urgent_words": urgent_hits,
        }
        if excluded:
            evidence["excluded"] = excluded
        return Classification(
            code=node.code,
            name=node.name,
            path=list(node.path),
            confidence=round(confidence, 4),
            source=self.source,
            department=node.department,
            time_limit_hours=hours,
            urgent=urgent,
            consultation=node.consultation,
            alternatives=alternatives,
            evidence=evidence,
            needs_review=bool(reasons),
            review_reasons=reasons,
        )
