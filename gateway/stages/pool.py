"""Runs the pure, CPU-heavy stages (classify, locate, preparing the text for the duplicate
check) in worker processes.

One Python process gets one core for Python code (the GIL), and on the intake path the
keyword rules and the locator were about half of it. The event loop keeps everything
else: storage, sockets, the duplicate index (which changes with every report). Each
worker is `python -m gateway.stages.worker`, loading the stages from the same Settings.

Jobs submitted during one turn of the loop go to a worker in one frame, so a busy gateway
pays one pipe write per batch, not per report. If a worker dies, its jobs fail with
WorkerLost (the pipeline then runs them itself) and it is started again; a worker that has
jobs but answers none for `timeout_s` is taken to be stuck: its jobs fail with StageTimeout
and it is killed and restarted. (One watchdog, not a timer per job: on the intake path every
timer counts.)
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gateway.models import Classification, GeoPoint, Location
from gateway.stages.worker import HEADER, READY, frame

if TYPE_CHECKING:
    from gateway.settings import Settings

log = logging.getLogger("gateway.stage_pool")
PROJECT_ROOT = Path(__file__).resolve().parents[2]  # where `-m gateway.stages.worker` is found


class WorkerLost(Exception):
    """The worker running the job exited."""


class StageTimeout(Exception):
    """The job got no answer in time."""


@dataclass
class StageAnswer:
    classification: Classification | None  # None: not asked for, or the stage failed
    location: Location | None  # None: the stage failed
    prepared: Any  # what the duplicate index reads from the text (None: not computed)
    classify_s: float
    locate_s: float


@dataclass
class _Worker:
    number: int
    process: asyncio.subprocess.Process
    ready: bool = False
    jobs: dict[int, asyncio.Future] = field(default_factory=dict)
    progress_at: float = 0.0  # when it last answered, or got work while it had none


class StagePool:
    def __init__(self, settings: Settings, processes: int, *, timeout_s: float = 30.0,
                 pin_cpus: bool = False):
        self.settings = settings
        self.processes = processes
        self.timeout_s = timeout_s
        self.pin_cpus = pin_cpus
        self._loop_cpus: set[int] | None = None  # the loop thread's CPUs before pinning
        self._worker_cpus: list[int] = []
        self.loop_cpus: set[int] | None = None  # where the loop is pinned, if it is
        self._workers: dict[int, _Worker] = {}
        self._tasks: set[asyncio.Task] = set()
        self._pending: list[tuple[tuple, asyncio.Future]] = []
        self._next_job = 0
        self._closing = False

    @property
    def ready(self) -> bool:
        """At least one worker has loaded its stages (until then the pipeline runs them)."""
        return any(w.ready for w in self._workers.values())

    @property
    def backlog(self) -> int:
        return len(self._pending) + sum(len(w.jobs) for w in self._workers.values())

    def pids(self) -> list[int]:
        return [w.process.pid for w in self._workers.values()]

    async def start(self) -> None:
        allowed = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_setaffinity") else []
        if self.pin_cpus and len(allowed) >= 2:
            # This is the event loop's thread; threads it starts later inherit its CPU.
            self._loop_cpus = set(allowed)
            self.loop_cpus = {allowed[0]}
            os.sched_setaffinity(0, self.loop_cpus)
            self._worker_cpus = allowed[1:]
            log.info("event loop on CPU %d, stage workers on %s", allowed[0], self._worker_cpus)
        for number in range(self.processes):
            await self._spawn(number)
        self._track(asyncio.create_task(self._watch(), name="stage-watchdog"))

    async def wait_ready(self, timeout: float = 60.0) -> None:
        async with asyncio.timeout(timeout):
            while not self.ready:
                await asyncio.sleep(0.05)

    async def close(self) -> None:
        self._closing = True
        for worker in list(self._workers.values()):
            if worker.process.stdin and not worker.process.stdin.is_closing():
                worker.process.stdin.close()  # end of input: the worker exits
        for worker in list(self._workers.values()):
            try:
                async with asyncio.timeout(5):
                    await worker.process.wait()
            except TimeoutError:
                worker.process.kill()
                await worker.process.wait()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._fail_all(WorkerLost("the gateway is stopping"))
        if self._loop_cpus is not None:
            os.sched_setaffinity(0, self._loop_cpus)
            self._loop_cpus = self.loop_cpus = None

    async def run(self, text: str | None, place_text: str, point: GeoPoint | None,
                  dedupe_text: str | None = None) -> StageAnswer:
        """Classify `text` (None: skip), locate `place_text` / `point` and prepare
        `dedupe_text` for the duplicate check, in a worker."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        job_id = self._next_job = self._next_job + 1
        if not self._pending:
            loop.call_soon(self._flush)
        self._pending.append(((job_id, text, place_text, point, dedupe_text), future))
        return await future

    # -- workers ------------------------------------------------------------------------

    async def _spawn(self, number: int) -> None:
        cpus = ["--cpus", ",".join(map(str, self._worker_cpus))] if self._worker_cpus else []
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "gateway.stages.worker", *cpus,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            cwd=str(PROJECT_ROOT), limit=2**26)
        worker = _Worker(number, process)
        self._workers[number] = worker
        process.stdin.write(frame(pickle.dumps(self.settings)))
        self._track(asyncio.create_task(self._read_answers(worker), name=f"stage-worker-{number}"))

    async def _read_answers(self, worker: _Worker) -> None:
        stdout = worker.process.stdout
        try:
            while True:
                head = await stdout.readexactly(HEADER.size)
                payload = await stdout.readexactly(HEADER.unpack(head)[0])
                if payload == READY:
                    worker.ready = True
                    log.info("stage worker %d (pid %d) ready", worker.number, worker.process.pid)
                    continue
                worker.progress_at = asyncio.get_running_loop().time()
                for job_id, *answer in pickle.loads(payload):
                    future = worker.jobs.pop(job_id, None)
                    if future is not None and not future.done():
                        future.set_result(StageAnswer(*answer))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        except Exception:  # a garbled frame: treat the worker as lost
            log.exception("stage worker %d sent an unreadable answer", worker.number)
            with contextlib.suppress(ProcessLookupError):
                worker.process.kill()
        finally:
            await self._lost(worker)

    async def _lost(self, worker: _Worker) -> None:
        if self._workers.get(worker.number) is worker:
            del self._workers[worker.number]
        code = await _reap(worker.process)
        for future in worker.jobs.values():
            if not future.done():
                future.set_exception(WorkerLost(f"stage worker exited with {code}"))
        worker.jobs.clear()
        self._flush()  # jobs waiting for a worker go to another one, or fail
        if self._closing:
            return
        log.error("stage worker %d (pid %d) exited with %s; starting another",
                  worker.number, worker.process.pid, code)
        self._track(asyncio.create_task(self._respawn(worker.number, worker.ready)))

    async def _respawn(self, number: int, was_ready: bool) -> None:
        # A worker that never got ready is failing to load: do not spin.
        pause = 0.1 if was_ready else 5.0
        while not self._closing:
            await asyncio.sleep(pause)
            try:
                await self._spawn(number)
                return
            except OSError as exc:  # out of processes or file descriptors, for now
                log.error("cannot start stage worker %d: %s", number, exc)
                pause = 5.0

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(min(1.0, self.timeout_s / 4))
            for worker in list(self._workers.values()):
                if worker.jobs and loop.time() - worker.progress_at > self.timeout_s:
                    log.error("stage worker %d gave no answer in %g s; restarting it",
                              worker.number, self.timeout_s)
                    stuck = StageTimeout(f"no answer from the stage worker in {self.timeout_s:g} s")
                    for future in worker.jobs.values():
                        if not future.done():
                            future.set_exception(stuck)
                    worker.jobs.clear()
                    with contextlib.suppress(ProcessLookupError):
                        worker.process.kill()

    def _track(self, task: asyncio.Task) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- dispatch -----------------------------------------------------------------------

    def _flush(self) -> None:
        if not self._pending:
            return
        ready = [w for w in self._workers.values() if w.ready and not w.process.stdin.is_closing()]
        if not ready:
            self._fail_all(WorkerLost("no stage worker is running"))
            return
        worker = min(ready, key=lambda w: len(w.jobs))
        if not worker.jobs:
            worker.progress_at = asyncio.get_running_loop().time()
        batch, self._pending = self._pending, []
        jobs: list[tuple] = []
        for job, future in batch:
            if not future.done():  # cancelled while waiting
                worker.jobs[job[0]] = future
                jobs.append(job)
        if jobs:
            worker.process.stdin.write(frame(pickle.dumps(jobs, protocol=pickle.HIGHEST_PROTOCOL)))

    def _fail_all(self, exc: Exception) -> None:
        batch, self._pending = self._pending, []
        for _, future in batch:
            if not future.done():
                future.set_exception(exc)


async def _reap(process: asyncio.subprocess.Process) -> int:
    """The exit code of a worker whose output ended. Not killed straight away: killing
    polls the child, which can reap it before asyncio's watcher does (the exit code is
    then lost); one that ended its output but lives on is broken, and killed."""
    try:
        async with asyncio.timeout(5):
            return await process.wait()
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        return await process.wait()
