"""A stage worker process: classifies and locates reports for the gateway (see
gateway.stage_pool), so that these CPU-heavy, pure stages run on another core than the
event loop, which Python's GIL otherwise limits to one.

    python -m gateway.stages.worker [--cpus 1,2,3]   (started by the gateway, never by hand)

Protocol on stdin/stdout, frames of a 4-byte big-endian length and a pickle:
  in:  the Settings once, then batches
       [(job_id, text | None, place_text, point | None, dedupe_text | None)]
       (text None: the category is already chosen, classify nothing);
  out: READY once the stages are loaded, then for each batch
       [(job_id, classification | None, location | None, prepared | None, classify_s, locate_s)]
       (None where the stage failed: the gateway files the report for review;
       prepared: dedupe_text as the duplicate index compares it, when dedupe is on).
Logs go to stderr, which the gateway's own log stream receives.
"""
from __future__ import annotations

import logging
import os
import pickle
import struct
import sys
import time
from collections.abc import Callable
from typing import Any, BinaryIO

HEADER = struct.Struct(">I")
READY = b"ready"

log = logging.getLogger("gateway.stages.worker")


def frame(payload: bytes) -> bytes:
    return HEADER.pack(len(payload)) + payload


def read_frame(stream: BinaryIO) -> bytes | None:
    """The next frame's payload; None at the end of the stream."""
    head = stream.read(HEADER.size)
    if len(head) < HEADER.size:
        return None
    (size,) = HEADER.unpack(head)
    payload = stream.read(size)
    return payload if len(payload) == size else None


def run_job(classifier: Any, locator: Any, prepare: Callable | None, job: tuple) -> tuple:
    job_id, text, place_text, point, dedupe_text = job
    classification, classify_s = _timed(classifier.classify, text) if text is not None else (None, 0.0)
    location, locate_s = _timed(locator.locate, place_text, point)
    prepared = None
    if prepare is not None and dedupe_text is not None:
        prepared, _ = _timed(prepare, dedupe_text)
    return job_id, classification, location, prepared, classify_s, locate_s


def _timed(fn: Callable, *args: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    try:
        result = fn(*args)
    except Exception:
        log.exception("stage %s failed", getattr(fn, "__name__", fn))
        result = None
    return result, time.perf_counter() - started


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--cpus":  # the CPUs the event loop leaves free
        os.sched_setaffinity(0, {int(c) for c in sys.argv[2].split(",")})
    # The frames get a private copy of stdout; whatever else writes to stdout (a stray
    # print(), a C library) lands on stderr instead of corrupting them.
    stdin, stdout = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    first = read_frame(stdin)
    if first is None:
        return
    settings = pickle.loads(first)

    from gateway import logs
    from gateway.stages.build import build_pure_stages

    logs.setup(settings.logging.level, settings.logging.format)
    classifier, locator = build_pure_stages(settings)
    prepare = None
    if settings.duplicates.enabled:
        from classifiers.dedupe.index import prepare_report as prepare
        from classifiers.dedupe.index import warm_up
        warm_up(scoring=False)  # the worker prepares reports; the scorer's models live with the index
    stdout.write(frame(READY))
    stdout.flush()
    while (payload := read_frame(stdin)) is not None:
        answers = [run_job(classifier, locator, prepare, job) for job in pickle.loads(payload)]
        stdout.write(frame(pickle.dumps(answers, protocol=pickle.HIGHEST_PROTOCOL)))
        stdout.flush()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # the gateway's terminal got ^C: the gateway stops us itself
        pass
