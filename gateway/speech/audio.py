"""What call centres record, as samples a recogniser takes: 16 kHz, one array per channel.

ffmpeg (or sox) decodes whatever arrives — WAV in PCM or G.711 A-law/μ-law at 8 kHz, MP3,
AMR, Ogg, FLAC, M4A — and in doing so tells real audio from anything else.
"""
from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np

from gateway.errors import Refusal

SAMPLE_RATE = 16000


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


def to_wav16k(data: bytes, max_seconds: float = 600.0, timeout_s: float = 60.0, *,
              keep_channels: bool = False) -> bytes:
    """16 kHz 16-bit WAV of any audio ffmpeg or sox can read (mono unless `keep_channels`);
    NotAudio otherwise."""
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
            channels = [] if keep_channels else ["-ac", "1"]
            cmd = [tool, "-nostdin", "-v", "error", "-y", "-i", str(src), "-t", str(max_seconds),
                   *channels, "-ar", str(SAMPLE_RATE), "-sample_fmt", "s16", "-f", "wav", str(dst)]
        else:
            src_type = ["-t", "amr-nb"] if kind == "audio/amr" else (
                ["-t", "amr-wb"] if kind == "audio/amr-wb" else [])
            channels = [] if keep_channels else ["-c", "1"]
            cmd = [tool, *src_type, str(src), "-r", str(SAMPLE_RATE), *channels, "-b", "16",
                   "-e", "signed-integer", str(dst), "trim", "0", str(max_seconds)]
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


def wav_channels(wav: bytes) -> list[np.ndarray]:
    """The channels of a 16-bit WAV as float32 arrays in [-1, 1]."""
    with wave.open(io.BytesIO(wav)) as w:
        count = w.getnchannels()
        frames = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    samples = frames.reshape(-1, count).astype(np.float32) / 32768.0
    return [np.ascontiguousarray(samples[:, i]) for i in range(count)]


def decode_channels(data: bytes, max_seconds: float = 600.0, timeout_s: float = 60.0) -> list[np.ndarray]:
    """A recording as 16 kHz float32 samples: two arrays for a two-channel recording whose
    sides differ, otherwise one (a mono mix). Some centres write one mono signal to both
    channels; transcribing it twice would show every sentence twice."""
    channels = wav_channels(to_wav16k(data, max_seconds, timeout_s, keep_channels=True))
    if len(channels) == 2 and not same_signal(*channels):
        return channels
    if len(channels) == 1:
        return channels
    return [np.mean(channels, axis=0, dtype=np.float32)]


def same_signal(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two channels carry the same sound (within codec rounding)."""
    loudest = max(float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(b), initial=0.0)))
    return loudest == 0.0 or float(np.max(np.abs(a - b))) <= 0.02 * loudest
