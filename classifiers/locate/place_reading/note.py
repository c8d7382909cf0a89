"""A note at the end of a letter that puts a misspelt name right (（是东四南大街 手机打错了）,
（我用语音说的，小区名是海运仓，不是海云）, 打字错了，是建国门内大街): the name as the note writes
it replaces its misspelt saying in the text, and the note is not read for a place."""
from __future__ import annotations

import re

from classifiers.locate.place_reading.patterns import CJK
from classifiers.locate.place_reading.restated import sounds
from classifiers.locate.place_reading.text import PHRASE_BREAK
from classifiers.locate.place_reading.vocabulary import Vocabulary

# 是X (not 不是X): the name as the note writes it
_SAID_IS = re.compile(rf"(?<!不)是([{CJK}]{{2,12}})")
_NOTE_REACH = 60  # a note is short: the last line or the closing brackets, at most this long


def put_right_by_note(vocab: Vocabulary, t: str) -> str:
    """t (prepared, with its phrase breaks) with a name a closing note writes right put in for
    its misspelt saying, and the note cut off; t itself when there is no such note."""
    tail = t.rstrip(PHRASE_BREAK + " .")
    if tail.endswith(")"):
        start = tail.rfind("(")
        note = tail[start + 1:-1]
    else:
        start = tail.rfind(PHRASE_BREAK) + 1
        note = tail[start:]
    if start <= 0 or len(note) > _NOTE_REACH or not vocab.note_words.search(note):
        return t
    body = t[:start]
    for m in _SAID_IS.finditer(note):
        meant = m.group(1)
        for k in range(len(meant), 1, -1):  # the longest start of what follows 是 (是东四南大街手机打错了)
            if k < len(meant) and not meant[:k].endswith(vocab.suffixes) and not meant.startswith(vocab.suffixes, k):
                continue  # (是万达对面的苏宁广场: no name is 万达对; 朝阳门|地铁站 for 朝阳们站)
            said = _misspelt(body, meant[:k])
            if said:
                return body.replace(said, meant[:k])
    return t


def _misspelt(body: str, meant: str) -> str:
    """The first saying in body that differs from `meant` by a character or two (a homophone or
    a slip: 海云仓 for 海运仓, 建国门内大界 for 建国门内大街), beginning alike; '' when there is
    none, or when body already says `meant` right."""
    if meant in body:
        return ""
    n = len(meant)
    allowed = 1 if n <= 5 else 2
    meant_sounds = sounds(meant)
    for i in range(len(body) - n + 1):
        window = body[i:i + n]
        if window[0] != meant[0] and sounds(window[0])[0] != meant_sounds[0]:
            continue
        wrong = 0
        for j in range(n):
            if window[j] != meant[j]:
                if not "\u4e00" <= window[j] <= "\u9fff" or n <= 3 and sounds(window[j]) != (meant_sounds[j],):
                    break  # (a short name only misheard: 海云仓 for 海运仓)
                wrong += 1
                if wrong > allowed:
                    break
        else:
            if wrong:
                return window
    return ""
