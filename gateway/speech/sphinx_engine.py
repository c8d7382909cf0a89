"""pocketsphinx through SpeechRecognition: English only (its model ships in the wheel), so
the settings refuse it for Mandarin. One segment per channel, without timings."""
from __future__ import annotations

import warnings

import numpy as np

from gateway.speech.audio import SAMPLE_RATE
from gateway.speech.transcript import Segment


def speech_recognition():
    """The SpeechRecognition package; it imports the stdlib's aifc and audioop, deprecated
    since Python 3.11, which is its business, not a fault of ours."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, message=".*(aifc|audioop).*")
        import speech_recognition as sr
    return sr


class SphinxEngine:
    name = "sphinx"

    def __init__(self):
        self.sr = speech_recognition()

    def recognise(self, samples: np.ndarray, speaker: str) -> list[Segment]:
        pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        audio = self.sr.AudioData(pcm, SAMPLE_RATE, 2)
        try:
            text = self.sr.Recognizer().recognize_sphinx(audio)
        except self.sr.UnknownValueError:
            return []
        return [Segment(speaker, 0.0, len(samples) / SAMPLE_RATE, text)] if text.strip() else []
