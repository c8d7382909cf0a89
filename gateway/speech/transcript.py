"""A call's transcript: who said what and when, how sure the recogniser was, and the two
texts made from it — the dialogue the operator reads and the caller's words the ticket is
classified and located from."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from gateway.speech.loops import drop_loops

CALLER, SEAT, BOTH = "caller", "seat", "call"  # BOTH: a mono recording, voices mixed
LABELS = {CALLER: "市民", SEAT: "坐席"}
_CJK_GAP = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+|\s+(?=[\u3000-\u9fff\uff00-\uffef])")
_ENDS_SENTENCE = tuple("。，！？、；：,.!?;:")
_NOT_TEXT = re.compile(r"[\W_]+")
# Whisper often writes ASCII punctuation after Chinese characters; operators read full-width.
_HALF_WIDTH_AFTER_CJK = re.compile(r"(?<=[\u4e00-\u9fff])[,?!;:]")
_FULL_WIDTH = {",": "，", "?": "？", "!": "！", ";": "；", ":": "："}
# The hot-word prompt's own labels, which Whisper sometimes writes after real speech.
_PROMPT_LABELS = re.compile(r"(地名|事项)[：:]")


@dataclass
class Word:
    text: str
    start: float
    end: float
    confidence: float | None = None
    unsure: bool = False  # below [speech].low_confidence: the operator should listen


@dataclass
class Segment:
    speaker: str
    start: float
    end: float
    text: str
    confidence: float | None = None
    words: list[Word] = field(default_factory=list)
    unsure: bool = False  # below [speech].low_confidence: the operator should listen


@dataclass
class Transcript:
    segments: list[Segment]
    audio_seconds: float
    compute_seconds: float
    engine: str
    two_sided: bool = False

    def text_of(self, *speakers: str) -> str:
        return join_texts(s.text for s in self.segments if s.speaker in speakers)

    @property
    def caller_text(self) -> str:
        """What the caller said: the ticket's text (all of it for a mono recording)."""
        return self.text_of(CALLER, BOTH)

    @property
    def dialogue(self) -> str:
        """'市民：… / 坐席：…' lines in time order, one per turn."""
        lines: list[tuple[str, list[str]]] = []
        for seg in self.segments:
            if lines and lines[-1][0] == seg.speaker:
                lines[-1][1].append(seg.text)
            else:
                lines.append((seg.speaker, [seg.text]))
        return "\n".join((f"{LABELS[who]}：" if who in LABELS else "") + join_texts(texts)
                         for who, texts in lines)

    def as_dict(self) -> dict:
        """Plain data for the store and the console (times in seconds, 2 decimals)."""
        doc = asdict(self)
        for seg in doc["segments"]:
            _round(seg)
            for word in seg["words"]:
                _round(word)
        return doc | {"text": self.caller_text, "dialogue": self.dialogue,
                      "audio_seconds": round(self.audio_seconds, 2),
                      "compute_seconds": round(self.compute_seconds, 2)}


def _round(item: dict) -> None:
    for key in ("start", "end", "confidence"):
        if item.get(key) is not None:
            item[key] = round(item[key], 3 if key == "confidence" else 2)


def join_texts(texts) -> str:
    """Segments joined into one text; a comma where a segment ends without punctuation,
    so that two sentences do not read as one."""
    out = ""
    for text in texts:
        if not text:
            continue
        if out and not out.endswith(_ENDS_SENTENCE):
            out += "，"
        out += text
    return out


def simplified(text: str) -> str:
    """Whisper sometimes writes traditional characters; seat operators read simplified."""
    return _t2s().convert(text)


_converter = None


def _t2s():
    global _converter
    if _converter is None:
        import opencc
        _converter = opencc.OpenCC("t2s")
    return _converter


def comparable(text: str) -> str:
    """Simplified characters without punctuation or spaces: how transcripts are compared."""
    return _NOT_TEXT.sub("", simplified(text))


def tidy(segment: Segment, *, chinese: bool, prompt: str = "", hotwords: str = "",
         drop_repeats: bool = True) -> Segment | None:
    """A recognised segment as the operator should read it: simplified characters, no
    spaces between Chinese characters, repeated-output loops cut, and nothing that only
    echoes the prompt or a run of hot words (Whisper writes them out on silence). One place
    name alone is kept: a caller may say just that."""
    words = [Word(_CJK_GAP.sub("", simplified(w.text)) if chinese else w.text, w.start, w.end, w.confidence)
             for w in segment.words]
    text = "".join(w.text for w in words) if words else segment.text
    text = " ".join(text.split())
    if chinese:
        text = _CJK_GAP.sub("", simplified(text))
        text = _HALF_WIDTH_AFTER_CJK.sub(lambda m: _FULL_WIDTH[m.group()], text)
    text = without_prompt(text, prompt)
    if hotwords:
        text = _PROMPT_LABELS.sub("", text)
    if drop_repeats:
        text = drop_loops(text)
    core = comparable(text)
    if not core or echoes(core, prompt) or echoes_hotwords(core, hotwords):
        return None
    words = _words_in(text, words)
    confidence = segment.confidence
    if words and all(w.confidence is not None for w in words):
        confidence = sum(w.confidence for w in words) / len(words)
    return Segment(segment.speaker, segment.start, segment.end, text.strip(), confidence, words)


def mark_unsure(segment: Segment, below: float) -> None:
    """Flag what the recogniser was not sure of: the words, or the segment when it has no
    word confidences (Whisper without word timings)."""
    for word in segment.words:
        word.unsure = word.confidence is not None and word.confidence < below
    segment.unsure = segment.confidence is not None and segment.confidence < below


def echoes(core: str, prompt: str) -> bool:
    return bool(prompt) and len(core) >= 2 and core in comparable(prompt)


def without_prompt(text: str, prompt: str) -> str:
    """The text without copies of the prompt that Whisper wrote out as if they were speech."""
    core = prompt.strip().rstrip("。.，,！!？?")
    return re.sub(re.escape(core) + r"[。.，,！!？?]?", "", text) if core else text


def is_prompt_echo(text: str, prompt: str) -> bool:
    """Whether a text is nothing but the prompt, once or repeated (possibly cut short)."""
    core, echo = comparable(text), comparable(prompt)
    if not core or not echo:
        return False
    rest = core.replace(echo, "")
    return not rest or (len(rest) < len(core) and echo.startswith(rest))


def echoes_hotwords(core: str, hotwords: str) -> bool:
    """Part of the hot-word list that is not one whole word of it (one place name alone
    is what a caller may say)."""
    if not hotwords or core not in comparable(hotwords):
        return False
    return core not in {comparable(w) for w in re.split(r"[：:、。]", _PROMPT_LABELS.sub("", hotwords))}


def _words_in(text: str, words: list[Word]) -> list[Word]:
    """The words that make up `text` after loops were cut from it: each word is kept when
    the text goes on with it, in order."""
    kept, pos = [], 0
    for word in words:
        piece = word.text if pos else word.text.lstrip()
        if piece and text.startswith(piece, pos):
            kept.append(Word(piece, word.start, word.end, word.confidence))
            pos += len(piece)
    return kept
