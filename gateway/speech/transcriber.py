"""Speech to text for hotline recordings, off the event loop.

A recording is decoded to 16 kHz samples per channel (gateway.speech.audio). A two-channel
recording is transcribed side by side — the caller's channel and the seat's, as configured —
and its segments are labelled and put in time order; a mono one is transcribed as it is.
The engine is configuration: faster-whisper (Whisper, Mandarin), sherpa-onnx (a Paraformer
or SenseVoice model on disk) or pocketsphinx (English only).
"""
from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from gateway.speech.audio import SAMPLE_RATE, NotAudio, converter, decode_channels, to_wav16k, wav_seconds
from gateway.speech.settings import ENGINES, SpeechSettings
from gateway.speech.transcript import BOTH, CALLER, SEAT, Transcript, mark_unsure, simplified, tidy
from gateway.speech.whisper_engine import bundled_whisper_model

__all__ = ["NotAudio", "SpeechSettings", "Transcriber", "simplified", "to_wav16k", "wav_seconds"]

log = logging.getLogger("gateway.speech")


class Transcriber:
    """transcribe(data, content_type) -> the caller's words | None, and transcribe_call(…) ->
    the whole Transcript; both run on a thread of their own so the event loop keeps serving
    webhooks and the console while a recording is recognised."""

    def __init__(self, settings: SpeechSettings, data_dir: Path | None = None, hotwords: str = ""):
        if settings.engine not in ENGINES:
            raise ValueError(f"[speech].engine must be one of {', '.join(ENGINES)}, got {settings.engine!r}")
        self.settings = settings
        self.data_dir = data_dir
        self.hotwords = hotwords if settings.hotwords else ""
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="speech")
        self._model_dir: str | None = None
        self._engine = None  # loaded on first use, on the speech thread
        self.last_seconds = 0.0  # audio length of the last recording (for figures)

    @property
    def engine(self) -> str:
        return self.settings.engine

    def model_dir(self) -> str | None:
        """The model directory to use, or None when there is none on disk."""
        if self._model_dir is None:
            if self.settings.model:
                self._model_dir = self.settings.model if Path(self.settings.model).is_dir() else ""
            elif self.engine == "faster_whisper" and self.data_dir is not None:
                found = bundled_whisper_model(self.data_dir / "models" / "whisper-base")
                self._model_dir = str(found) if found else ""
            else:
                self._model_dir = ""
        return self._model_dir or None

    def available(self) -> bool:
        if self.engine == "none" or converter() is None:
            return False
        if self.engine in ("faster_whisper", "sherpa_onnx"):
            return self.model_dir() is not None
        return True

    async def transcribe(self, data: bytes, content_type: str = "") -> str | None:
        """What the caller said (all that was said, for a mono recording)."""
        result = await self.transcribe_call(data, content_type)
        return (result.caller_text or None) if result else None

    async def transcribe_call(self, data: bytes, content_type: str = "") -> Transcript | None:
        if not self.available():
            return None
        return await asyncio.get_running_loop().run_in_executor(self._executor, self._transcribe_logged, data)

    def transcribe_sync(self, data: bytes) -> str | None:
        result = self._transcribe_logged(data)
        return (result.caller_text or None) if result else None

    def _transcribe_logged(self, data: bytes) -> Transcript | None:
        """transcribe_call_sync, with an engine failure logged and answered None (NotAudio
        goes to the caller: the recording, not the engine, is at fault)."""
        try:
            return self.transcribe_call_sync(data)
        except NotAudio:
            raise
        except Exception:
            log.exception("speech recognition failed")
            return None

    def transcribe_call_sync(self, data: bytes) -> Transcript:
        s = self.settings
        channels = decode_channels(data, s.max_seconds, s.convert_timeout_s)
        self.last_seconds = len(channels[0]) / SAMPLE_RATE
        started = time.perf_counter()
        engine = self.load()
        if len(channels) == 2:
            caller = 0 if s.caller_channel == "left" else 1
            sides = [(channels[caller], CALLER), (channels[1 - caller], SEAT)]
        else:
            sides = [(channels[0], BOTH)]
        segments = []
        for samples, speaker in sides:
            for segment in engine.recognise(samples, speaker):
                kept = tidy(segment, chinese=s.language.lower().startswith(("zh", "cmn")),
                            prompt=s.initial_prompt, hotwords=self.hotwords, drop_repeats=s.drop_loops)
                if kept is not None:
                    mark_unsure(kept, s.low_confidence)
                    segments.append(kept)
        segments.sort(key=lambda seg: (seg.start, seg.speaker != CALLER))
        took = time.perf_counter() - started
        log.info("transcribed %.1f s of audio (%d channel(s)) in %.1f s", self.last_seconds, len(sides), took)
        return Transcript(segments, self.last_seconds, took, self.engine, two_sided=len(sides) == 2)

    def load(self):
        """The engine, its model loaded (on first use; call it early to time recognition alone)."""
        if self._engine is None:
            if self.engine == "faster_whisper":
                from gateway.speech.whisper_engine import WhisperEngine
                self._engine = WhisperEngine(self.model_dir(), self.settings, self.hotwords)
            elif self.engine == "sherpa_onnx":
                from gateway.speech.sherpa_engine import SherpaEngine
                self._engine = SherpaEngine(self.settings)
            else:
                from gateway.speech.sphinx_engine import SphinxEngine
                self._engine = SphinxEngine()
        return self._engine

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
