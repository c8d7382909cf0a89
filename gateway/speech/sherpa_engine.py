"""A Mandarin-specialised model a city keeps on disk (Paraformer or SenseVoice exported for
sherpa-onnx), behind the same interface as Whisper. These models take one utterance at a
time, so the recording is first cut at pauses by the Silero VAD that faster-whisper ships.
Nothing is downloaded: the model directory is configuration."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from gateway.speech.audio import SAMPLE_RATE
from gateway.speech.settings import SpeechSettings, sherpa_model_files
from gateway.speech.transcript import Segment, Word

# Paraformer and SenseVoice are trained on utterances of up to ~20 s.
MAX_UTTERANCE_S = 20.0


def speech_stretches(samples: np.ndarray, settings: SpeechSettings) -> list[tuple[int, int]]:
    """(start, end) sample offsets of the stretches of speech, by Silero VAD."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(threshold=settings.vad_threshold, min_silence_duration_ms=settings.vad_min_silence_ms,
                         max_speech_duration_s=MAX_UTTERANCE_S)
    return [(c["start"], c["end"]) for c in get_speech_timestamps(samples, options)]


class SherpaEngine:
    name = "sherpa_onnx"

    def __init__(self, settings: SpeechSettings):
        import sherpa_onnx

        files = sherpa_model_files(Path(settings.model))
        if files is None:
            raise ValueError(f"[speech].model: {settings.model} needs model.onnx and tokens.txt")
        model, tokens = (str(f) for f in files)
        common = {"tokens": tokens, "num_threads": settings.cpu_threads, "provider": settings.device}
        if settings.model_kind == "sense_voice":
            self.recognizer = sherpa_onnx.OfflineRecognizer.from_sense_voice(
                model=model, language="zh", use_itn=True, **common)
        else:
            self.recognizer = sherpa_onnx.OfflineRecognizer.from_paraformer(paraformer=model, **common)
        self.settings = settings

    def recognise(self, samples: np.ndarray, speaker: str) -> list[Segment]:
        stretches = speech_stretches(samples, self.settings)
        streams = []
        for start, end in stretches:
            stream = self.recognizer.create_stream()
            stream.accept_waveform(SAMPLE_RATE, samples[start:end])
            streams.append(stream)
        if streams:
            self.recognizer.decode_streams(streams)
        found = []
        for (start, end), stream in zip(stretches, streams, strict=True):
            result = stream.result
            offset = start / SAMPLE_RATE
            starts = [offset + t for t in result.timestamps or []]
            ends = [*starts[1:], end / SAMPLE_RATE]
            words = [Word(token, at, until) for token, at, until in zip(result.tokens, starts, ends, strict=False)]
            if "".join(w.text for w in words) != "".join(result.text.split()):
                words = []  # sub-word pieces (English BPE): the text alone is right
            found.append(Segment(speaker, offset, end / SAMPLE_RATE, result.text, None, words))
        return found
