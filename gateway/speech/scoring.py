"""Character error rate of a Chinese transcript against its reference: both in simplified
characters without punctuation or spaces, aligned by edit distance."""
from __future__ import annotations

from dataclasses import dataclass

from gateway.speech.transcript import comparable


@dataclass
class CharErrors:
    reference_chars: int
    substitutions: int
    deletions: int
    insertions: int
    # Per reference character: whether the transcript has it at the aligned place.
    matched: list[bool]

    @property
    def errors(self) -> int:
        return self.substitutions + self.deletions + self.insertions

    @property
    def rate(self) -> float:
        return self.errors / max(1, self.reference_chars)


def char_errors(reference: str, transcript: str) -> CharErrors:
    ref, hyp = comparable(reference), comparable(transcript)
    n, m = len(ref), len(hyp)
    # cost[i][j]: edits turning ref[:i] into hyp[:j]
    cost = [list(range(m + 1))] + [[i] + [0] * m for i in range(1, n + 1)]
    for i in range(1, n + 1):
        row, above = cost[i], cost[i - 1]
        for j in range(1, m + 1):
            row[j] = min(above[j] + 1, row[j - 1] + 1, above[j - 1] + (ref[i - 1] != hyp[j - 1]))
    subs = dels = ins = 0
    matched = [False] * n
    i, j = n, m
    while i or j:
        if i and j and cost[i][j] == cost[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]):
            if ref[i - 1] == hyp[j - 1]:
                matched[i - 1] = True
            else:
                subs += 1
            i, j = i - 1, j - 1
        elif i and cost[i][j] == cost[i - 1][j] + 1:
            dels, i = dels + 1, i - 1
        else:
            ins, j = ins + 1, j - 1
    return CharErrors(n, subs, dels, ins, matched)
