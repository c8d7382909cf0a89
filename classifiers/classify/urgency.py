"""Urgency as its own decision: is there a present danger to people that needs someone
now? Not a side effect of the category: a missing manhole cover is urgent, "上个月有个井盖
丢了，现在修好了" is not, nor is a question about gas safety.

Two signals:
* the model's urgency head (trained on complaints labelled urgent or not, many of them
  written in pairs: the same danger words, present vs past / hypothetical / asked about);
* danger words (the taxonomy's global safety words and each leaf's `urgent_when` in the
  lexicon), unless the text says the danger is over, hypothetical or a question.

urgent = P(urgent) ≥ `threshold`, or danger words (with no calming cue) and P ≥ `with_words`.
Recall matters more than precision: a gas smell that waits in the normal queue costs more
than an operator glancing at one ticket too many, so the thresholds are set for recall.

A long letter tells of a danger in one sentence among paragraphs of background (who was asked
before, what the officials said): read whole, the head sees mostly calm words. So a letter
longer than `passage_chars` is read passage by passage as well (from each sentence on, the
whole sentences that fit in `passage_chars`), and is urgent when one passage is: P(urgent) of
the passage ≥ `passage_threshold`, or half that with its own uncalmed danger words.

Real letters tell of a present danger as a judgement on a thing they name ("走廊护栏不扎实，存在
严重的安全隐患", "墙体开裂…全家人的人身安全受到严重威胁"), words the head, trained on short
complaints, does not weigh. So a long letter is also urgent when one sentence names a hazard
(`hazard_words`) and it or the next says it endangers people (`danger_claims`), with no
calming word and nothing that makes it a hypothesis or says no one is there yet
(`hypothetical_words`) in those sentences. Many people ill at once is a present danger told
the same way: a sentence naming an acute illness (`illness_words`: 流鼻血, 皮疹, 上吐下泻,
中毒 …) and many people (`many_people_words`: 很多, 多名, 大批, 全班 …) — in a text of any
length, since a short message says it the same way. The lists are the taxonomy's ([taxonomy]).
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import ahocorasick

from classifiers.normalize import normalize

# Words that put a danger in the past, make it a hypothesis, or a question about safety.
CALMING = (
    "上个月", "上周", "上礼拜", "去年", "前年", "前几年", "以前", "之前有", "曾经", "早就",
    "已经修好", "已修好", "修好了", "已经补上", "补上了", "已经换", "换好了", "已经处理", "处理好了",
    "已处理", "已解决", "解决了", "恢复了", "现在好了", "没事了", "已经没有", "已经盖上", "盖好了",
    "万一", "如果", "假如", "要是", "会不会", "是否", "以后会", "将来", "预防", "安全吗", "有没有隐患",
    "怎么办理", "请问", "想咨询", "表扬", "感谢",
)


_SENTENCE_END = re.compile(r"[.!?;]")
_AFTER_SENTENCE = re.compile(r"(?<=[.!?;\n])")
# A short sentence alone (叩谢! 请批示! 打扰您了!) says nothing of danger, however it is stressed.
_MIN_PASSAGE = 20


# What a sentence of a letter must name to tell of a present danger (UrgencyJudge.claimed).
_HAZARD = (frozenset({"hazard", "claim"}),)
_ILLNESS = (frozenset({"ill", "many"}),)


def _automaton(kinds: dict[Any, Iterable[str]]) -> ahocorasick.Automaton:
    """One automaton finding the words of every kind (normalised), in one pass over a text:
    (word, kind) at each match's end; a word of two kinds is of the later one."""
    automaton = ahocorasick.Automaton()
    for kind, words in kinds.items():
        for word in (normalize(w) for w in words):
            if word:
                automaton.add_word(word, (word, kind))
    if len(automaton):
        automaton.make_automaton()
    return automaton


def passages(normalized: str, size: int) -> list[str]:
    """From each sentence on, as many whole sentences as fit in `size` characters (a sentence
    longer than that is a passage of its own); passages shorter than _MIN_PASSAGE are left out."""
    sentences = [s for s in _AFTER_SENTENCE.split(normalized) if s.strip()]
    out = []
    for i, passage in enumerate(sentences):
        for following in sentences[i + 1:]:
            if len(passage) + len(following) > size:
                break
            passage += following
        if len(passage) >= _MIN_PASSAGE:
            out.append(passage)
    return out


@dataclass
class UrgencyDecision:
    urgent: bool
    probability: float | None  # the head's P(urgent); None without a model
    danger_words: list[str]
    calming: list[str]
    passage: str = ""  # the passage of a long letter that was found urgent
    claimed: bool = False  # found by a sentence telling of a danger (a hazard claimed, many ill: see above)

    def evidence(self) -> dict:
        """What a ticket's evidence says of it (the probability is the caller's to add)."""
        return {"danger_words": self.danger_words, "calming": self.calming,
                **({"passage": self.passage} if self.passage else {}),
                **({"hazard_claimed": True} if self.claimed else {})}


class UrgencyJudge:
    def __init__(self, danger_words: Iterable[str], *, threshold: float = 0.3, with_words: float = 0.1,
                 passage_chars: int = 0, passage_threshold: float = 0.5, danger_claims: Iterable[str] = (),
                 hazard_words: Iterable[str] = (), hypothetical_words: Iterable[str] = (),
                 illness_words: Iterable[str] = (), many_people_words: Iterable[str] = ()):
        self.danger_words = tuple(dict.fromkeys(w for w in (normalize(w) for w in danger_words) if len(w) >= 2))
        self.calming = tuple(dict.fromkeys(normalize(w) for w in CALMING))
        self._claims = _automaton({"claim": danger_claims, "hazard": hazard_words, "ill": illness_words,
                                   "many": many_people_words, "not_now": (*hypothetical_words, *CALMING)})
        self.threshold = threshold
        self.with_words = with_words
        self.passage_chars = passage_chars
        self.passage_threshold = passage_threshold
        # Every danger word (kind True) and calming word (False): hundreds of them.
        self._words = _automaton({True: self.danger_words, False: self.calming})

    def judge(self, normalized: str, probability: float | None, leaf_words: Iterable[str] = (),
              probability_of: Callable[[str], float] | None = None,
              letter: Callable[[], str] | None = None) -> UrgencyDecision:
        """`leaf_words`: the chosen leaf's own danger words (short ones such as 没了 that say
        danger only of that thing: a missing manhole cover, not a missing cat).
        `probability_of`: P(urgent) of another normalised text (a passage of a long letter).
        `letter`: more of the letter, normalised, where its hazard sentences are looked for
        (called only when they are; default: `normalized`)."""
        leaf_words = tuple(leaf_words)
        decision = self._judge(normalized, probability, leaf_words)
        if decision.urgent or not self.passage_chars:
            return decision
        if len(normalized) <= self.passage_chars:  # a short text: many people ill is read, hazards not
            sentence = self.claimed(normalized, _ILLNESS)
        else:
            for passage in passages(normalized, self.passage_chars) if probability_of is not None else ():
                p = probability_of(passage)
                if p >= self.passage_threshold or (
                        p >= self.passage_threshold / 2 and self._judge(passage, None, leaf_words).urgent):
                    decision.urgent, decision.passage = True, passage
                    return decision
            sentence = self.claimed(letter() if letter is not None else normalized, (*_HAZARD, *_ILLNESS))
        if sentence:
            decision.urgent, decision.passage, decision.claimed = True, sentence, True
        return decision

    def claimed(self, normalized: str, rules: tuple[frozenset[str], ...]) -> str:
        """The first sentence, or sentence and the next, that holds the words of one of `rules`:
        a hazard and a claim that it endangers people (_HAZARD: "房屋开裂约26处,已经成为了危房!
        全家人的人身安全受到严重威胁."), an illness many people have (_ILLNESS: "很多班级的小朋友
        无缘无故流鼻血"), with nothing in them that calms, supposes or says no one is there yet;
        "" when there is none."""
        if not normalized or not len(self._claims):
            return ""
        ends = [m.start() for m in _SENTENCE_END.finditer(normalized)]
        found: dict[int, set[str]] = {}
        for end, (_, kind) in self._claims.iter(normalized):
            found.setdefault(bisect.bisect_left(ends, end), set()).add(kind)
        for i in sorted(found):
            for last in (i, i + 1):
                kinds = found[i] | found.get(last, set())
                if "not_now" not in kinds and any(kinds >= rule for rule in rules):
                    start = ends[i - 1] + 1 if i else 0
                    return normalized[start: ends[last] + 1 if last < len(ends) else len(normalized)].strip()
        return ""

    def _judge(self, normalized: str, probability: float | None, leaf_words: tuple[str, ...]) -> UrgencyDecision:
        # A calming word calms the danger words of its own sentence only: a letter that
        # thanks the leaders (感谢) or asks (请问) in one sentence may tell of a present danger
        # in the next.
        hits = [(end - len(word) + 1, word, is_danger) for end, (word, is_danger) in self._words.iter(normalized)] \
            if normalized else []
        hits += [(i, w, True) for w in leaf_words if (i := normalized.find(w)) >= 0]
        ends = [m.start() for m in _SENTENCE_END.finditer(normalized)] if hits else []
        sentence = {pos: bisect.bisect(ends, pos) for pos, _, _ in hits}
        calmed = {sentence[pos] for pos, _, is_danger in hits if not is_danger}
        danger = list(dict.fromkeys(w for _, w, is_danger in hits if is_danger))
        calming = list(dict.fromkeys(w for _, w, is_danger in hits if not is_danger))
        uncalmed = any(is_danger and sentence[pos] not in calmed for pos, _, is_danger in hits)
        if probability is None:  # rules only: danger words that nothing calms
            return UrgencyDecision(uncalmed, None, danger, calming)
        urgent = probability >= self.threshold or (uncalmed and probability >= self.with_words)
        return UrgencyDecision(urgent, round(probability, 4), danger, calming)
