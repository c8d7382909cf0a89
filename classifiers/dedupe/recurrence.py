"""What a report says of its problem's history: fixed and come back ("上个月修好了，今天又不亮了"),
or never fixed and asked after ("我前天就报了，到现在还是黑的").

A report that says it came back is a new occurrence of the problem, so the duplicate check
never joins it to an open case by itself (it offers the case to the operator). Two readers,
either of which is enough: words ("fixed" then "again", data in
`classifiers/data/duplicate_words.toml`), and a character n-gram model trained on
`classifiers/data/corpus/recurrence.jsonl` for the many ways people tell the story
("城管把他炉子收了，停了二十来天，现在换了个电烤炉又摆出来了"). On two sets written by people who
never saw either, each held out from the model's training, the word list found 39 of 150 and
62 of 200 such reports, the model with it 139 and 195 (`bench/recurrence_eval.py`).

A report that says the problem is still there, or asks after it, is a repeat of the open case
at that spot even when the two describe it differently; a second model on the same texts
reads that.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from classifiers.datafile import read_toml
from classifiers.dedupe.settings import DuplicateSettings
from classifiers.dedupe.textmodel import CharLinear, cached, vectorizer
from classifiers.normalize import normalize

__all__ = ["DuplicateWordsError", "recurrence_score", "reported_before", "says_another_problem", "says_it_recurred",
           "still_score"]

WORDS = Path(__file__).resolve().parents[1] / "data" / "duplicate_words.toml"
CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus" / "recurrence.jsonl"


class DuplicateWordsError(ValueError):
    """The duplicate check's word file is missing or wrong (the file and key are named)."""


def _words(doc: dict, key: str, path: Path) -> list[str]:
    value = doc.get("recurrence", {}).get(key)
    if not isinstance(value, list) or not value or not all(isinstance(w, str) and w for w in value):
        raise DuplicateWordsError(f"{path}: [recurrence].{key} must be a non-empty list of non-empty words")
    return sorted(value, key=len, reverse=True)


@lru_cache(maxsize=4)
def word_file(path: Path = WORDS) -> dict:
    """The duplicate check's word file, read once for all its users (recurrence, faults, objects)."""
    return read_toml(path, DuplicateWordsError, "duplicate words")


def kinds_automaton(path: Path, section: str, what: str):
    """An Aho-Corasick automaton over a section of the word file whose keys are kinds (of
    fault, of thing) and whose values are their words, each word in one kind only; it yields
    (word, kind). `what` names the kinds in errors."""
    import ahocorasick

    table = word_file(path).get(section)
    if not isinstance(table, dict) or not table:
        raise DuplicateWordsError(f"{path}: [{section}] must be a table of {what}, each a list of words")
    owner: dict[str, str] = {}
    for kind, words in table.items():
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
            raise DuplicateWordsError(f"{path}: [{section}].{kind} must be a non-empty list of non-empty words")
        for word in words:
            if owner.setdefault(word, kind) != kind:
                raise DuplicateWordsError(f"{path}: [{section}]: “{word}” is in both {owner[word]} and {kind}")
    automaton = ahocorasick.Automaton()
    for word, kind in owner.items():
        automaton.add_word(word, (word, kind))
    automaton.make_automaton()
    return automaton


@lru_cache(maxsize=4)
def _patterns(path: Path = WORDS) -> tuple[re.Pattern, re.Pattern, re.Pattern, re.Pattern]:
    """From the word file, read once: a quick look (the first characters of the "again" words,
    simplified and traditional: a text with none of them needs no closer look, and this runs
    for every report), the closer look on the normalised text, and each model's own gate."""
    import opencc  # the normaliser's own converter, the other way

    doc = word_file(path)
    fixed, asking, again, gate, still_gate = (_words(doc, k, path) for k in
                                              ("fixed", "asking", "again", "model_gate", "still_gate"))
    to_traditional = opencc.OpenCC("s2t")

    def any_of(chars: set[str]) -> re.Pattern:
        chars |= {to_traditional.convert(c) for c in chars}
        return re.compile("[" + "".join(sorted(re.escape(c) for c in chars)) + "]")

    alt = lambda ws: "|".join(map(re.escape, ws))  # noqa: E731
    # a "fixed" word that is not a question (修好了没有), then within a few clauses "again"
    close = re.compile(rf"(?:{alt(fixed)})(?!了?(?:{alt(asking)})).{{0,30}}?(?:{alt(again)})")
    gate_chars = {c for w in gate for c in w}
    return (any_of({w[0] for w in again} | gate_chars), close, any_of(gate_chars),
            any_of({c for w in still_gate for c in w}))


def _train(corpus: Path, label: str = "recurs"):
    """The scikit-learn pipeline, trained on the corpus for one of its labels (`recurs`: fixed
    and back; `still`: never fixed, or asked after). `bench/recurrence_eval.py` uses it as it
    is; the gateway keeps its weights (`CharLinear`)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    rows = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    model = make_pipeline(
        vectorizer(),
        # few positives (one text in thirteen): weigh them up, or the model seldom says yes
        LogisticRegression(C=4.0, class_weight="balanced", max_iter=3000))
    model.fit([normalize(r["text"]) for r in rows], [bool(r[label]) for r in rows])
    return model


@lru_cache(maxsize=4)
def history_model(label: str = "recurs", corpus: Path = CORPUS) -> CharLinear:
    """The model for one label of the corpus: from the cache, or trained now (seconds) and
    cached."""
    return cached(f"history-{label}", corpus, Path(__file__), lambda: _train(corpus, label))


def recurrence_score(text: str, normalized: str | None = None, path: Path = WORDS) -> float:
    """How surely the text says its problem was fixed before and is back: 1.0 in the listed
    words, else the model's probability. Texts with no "again" character at all (又, 再,
    重新, 还是…; most reports) need neither: 0.0. ``normalized``: ``normalize(text)`` if
    already computed."""
    quick, close, gate, _ = _patterns(path)
    if not quick.search(text):
        return 0.0
    norm = normalize(text) if normalized is None else normalized
    if close.search(norm):
        return 1.0
    return history_model().probability(norm) if gate.search(norm) else 0.0


def still_score(text: str, path: Path = WORDS) -> float:
    """How surely the text says its problem was never fixed, or asks after a report already
    made ("我前天就报了，到现在还是黑的", "修好了没有？"): the model's probability (0.0 for a text
    with none of the still_gate characters)."""
    norm = normalize(text)
    return history_model("still").probability(norm) if _patterns(path)[3].search(norm) else 0.0


def says_it_recurred(text: str, threshold: float | None = None, path: Path = WORDS) -> bool:
    """True when the text says the problem was fixed before and is back, at ``threshold``
    (default: [duplicates].recurrence_threshold's; above 1: the listed words only)."""
    if threshold is None:
        threshold = DuplicateSettings.recurrence_threshold
    score = recurrence_score(text, path=path)
    return score == 1.0 or score >= threshold


@lru_cache(maxsize=4)
def _another(path: Path = WORDS) -> re.Pattern:
    return re.compile("|".join(map(re.escape, _words(word_file(path), "another", path))))


@lru_cache(maxsize=4)
def _reported_before(path: Path = WORDS) -> re.Pattern:
    return re.compile("|".join(map(re.escape, _words(word_file(path), "reported_before", path))))


def reported_before(normalized: str, path: Path = WORDS) -> bool:
    """True when the (normalised) report says the caller reported the problem before ("上次反映的…")."""
    return bool(_reported_before(path).search(normalized))


def says_another_problem(text: str, normalized: str | None = None, path: Path = WORDS) -> bool:
    """True when the report says it is about another problem than one told before ("这是另一件事")."""
    return bool(_another(path).search(normalize(text) if normalized is None else normalized))
