"""Repeated-output loops: Whisper sometimes writes one syllable pair until the window ends
("稣了稣了稣了…"). Such a run is no transcript; one occurrence is kept, since the first
may have been said."""
from __future__ import annotations

# A unit repeated back to back at least MIN_REPEATS times and MIN_CHARS characters in all
# is a loop: "对对对" or "好的好的好的" are what callers say, eight 对 in a row is not.
MIN_REPEATS = 4
MIN_CHARS = 8
MAX_UNIT = 24


def find_loop(text: str) -> tuple[int, int, int] | None:
    """(start, end, unit length) of the first loop in the text, or None."""
    n = len(text)
    for start in range(n):
        for unit in range(1, min(MAX_UNIT, (n - start) // MIN_REPEATS) + 1):
            piece = text[start:start + unit]
            end = start + unit
            while text.startswith(piece, end):
                end += unit
            repeats = (end - start) // unit
            if repeats >= MIN_REPEATS and end - start >= MIN_CHARS:
                return start, end, unit
    return None


def drop_loops(text: str) -> str:
    """The text with every loop cut back to one occurrence of its unit."""
    while (found := find_loop(text)) is not None:
        start, end, unit = found
        text = text[:start + unit] + text[end:]
    return text
