"""How long a gateway takes to start: `run.py` on embedded defaults (SQLite, the configured
stage workers) from launch until `/healthz` answers 200, in a fresh data directory each run.

    .venv/bin/python bench/startup_bench.py [--runs 3] [--other ../other-checkout]

With --other, the other checkout's gateway is started in turn with this one (interleaved, so
that the machine's speed, which varies between runs, weighs on both alike); the baseline is
a Python interpreter that starts, imports nothing of ours and exits, timed the same way.
"""
from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def time_to_healthy(checkout: Path, timeout: float = 180.0) -> float:
    """Seconds from launching `run.py` in `checkout` to its first `/healthz` 200."""
    port = _free_port()
    with tempfile.TemporaryDirectory() as data:
        started = time.perf_counter()
        proc = subprocess.Popen([str(checkout / ".venv" / "bin" / "python"), "run.py", "--data-dir", data,
                                 "--port", str(port)], cwd=checkout,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while time.perf_counter() - started < timeout:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as resp:
                        if resp.status == 200:
                            return time.perf_counter() - started
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    pass
                if proc.poll() is not None:
                    raise SystemExit(f"the gateway in {checkout} stopped with code {proc.returncode}")
                time.sleep(0.05)
            raise SystemExit(f"the gateway in {checkout} did not answer /healthz in {timeout:.0f} s")
        finally:
            proc.terminate()
            proc.wait()


def bare_interpreter() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--other", type=Path, help="another checkout, started in turn with this one")
    args = parser.parse_args()
    checkouts = [ROOT] + ([args.other.resolve()] if args.other else [])
    times: dict[Path, list[float]] = {c: [] for c in checkouts}
    bare = []
    for _ in range(args.runs):
        for checkout in checkouts:
            times[checkout].append(time_to_healthy(checkout))
        bare.append(bare_interpreter())
    base = statistics.median(bare)
    print(f"bare interpreter: median {base * 1000:.0f} ms")
    for checkout, runs in times.items():
        print(f"{checkout}: to /healthz {', '.join(f'{t:.1f}' for t in runs)} s; median {statistics.median(runs):.1f} s"
              f" ({statistics.median(runs) / base:.0f} × the bare interpreter)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
