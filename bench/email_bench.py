"""Sustained intake over SMTP: mails/s the gateway stores and acknowledges.

    .venv/bin/python bench/email_bench.py [--duration 15] [--connections 16]

Starts the gateway (`run.py`, default settings: synchronous=FULL, the full pipeline) with
the e-mail channel on a free port and its relay pointed at a sink SMTP server in this
process, so every filed mail also produces an acknowledgement through the outbox. A load
generator (aiosmtplib, one mail after another on each of --connections connections, as
mail servers deliver) sends GBK and UTF-8 complaints with unique Message-IDs for
--duration seconds. Afterwards the database is checked: every 250 answer is a stored
report. Prints mails/s, latency percentiles and acknowledgements received.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from email.header import Header
from email.mime.text import MIMEText
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiosmtplib  # noqa: E402
from aiosmtpd.smtp import SMTP  # noqa: E402

from bench.intake_bench import free_port, wait_ready  # noqa: E402

PROBLEMS = ["苏州园小区3号楼楼下的路灯不亮了", "建国门内大街18号门口垃圾没人清",
            "东单北大街井盖没了很危险", "西总布小区2号楼晚上施工噪音扰民",
            "朝阳门街道路口流动摊贩占道经营", "东四十条小区垃圾堆了一周没人清运"]
INTAKE = "12345@bench.test"


def make_mail(n: int) -> bytes:
    text = f"{PROBLEMS[n % len(PROBLEMS)]}（第 {n} 封）。请尽快处理，谢谢。"
    charset = "gb18030" if n % 2 else "utf-8"  # half GBK, half UTF-8
    msg = MIMEText(text, "plain", charset)
    msg["From"] = f"citizen{n % 500}@example.cn"
    msg["To"] = INTAKE
    msg["Subject"] = Header(PROBLEMS[n % len(PROBLEMS)][:10], charset)
    msg["Message-ID"] = f"<bench-{n}-{os.getpid()}@example.cn>"
    return msg.as_bytes()


class Sink:
    """The relay: counts acknowledgements."""

    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


async def wait_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            await writer.wait_closed()
            return
        except OSError:
            await asyncio.sleep(0.2)
    raise SystemExit(f"SMTP port {port} did not open")


async def client(port: int, counter: list[int], stop_at: float, latencies: list[float],
                 answers: dict[int, int]) -> None:
    smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, timeout=30, start_tls=False)
    await smtp.connect()
    try:
        while time.monotonic() < stop_at:
            counter[0] += 1
            raw = make_mail(counter[0])
            started = time.perf_counter()
            try:
                await smtp.sendmail("citizen@example.cn", [INTAKE], raw)
                code = 250
            except aiosmtplib.SMTPResponseException as exc:
                code = exc.code
            latencies.append(time.perf_counter() - started)
            answers[code] = answers.get(code, 0) + 1
    finally:
        await smtp.quit()


async def main(args: argparse.Namespace) -> None:
    loop = asyncio.get_running_loop()
    sink = Sink()
    relay = await loop.create_server(lambda: SMTP(sink, hostname="relay.bench"), "127.0.0.1", 0)
    relay_port = relay.sockets[0].getsockname()[1]
    smtp_port, http_port = free_port(), free_port()
    work = Path(tempfile.mkdtemp(prefix="email-bench-"))
    config = work / "config.toml"
    config.write_text(
        f'[email]\nenabled = true\nport = {smtp_port}\nintake_addresses = ["{INTAKE}"]\n'
        f'relay_host = "127.0.0.1"\nrelay_port = {relay_port}\nmessage_id_domain = "bench.test"\n'
        '[logging]\nlevel = "WARNING"\n', encoding="utf-8")
    gateway = subprocess.Popen(  # noqa: ASYNC220 (starts at once; the bench waits for its port)
        [sys.executable, "run.py", "--config", str(config), "--data-dir", str(work / "data"),
         "--port", str(http_port)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        await wait_port(smtp_port)
        await asyncio.to_thread(wait_ready, http_port)  # and the stage workers
        counter, latencies, answers = [0], [], {}
        started = time.monotonic()
        await asyncio.gather(*(client(smtp_port, counter, started + args.duration, latencies, answers)
                               for _ in range(args.connections)))
        elapsed = time.monotonic() - started
        for _ in range(600):  # let the outbox catch up before counting acknowledgements
            if sink.count >= answers.get(250, 0):
                break
            await asyncio.sleep(0.1)
        acks_done = time.monotonic() - started
    finally:
        gateway.terminate()
        gateway.wait(30)
        relay.close()
    db = sqlite3.connect(work / "data" / "gateway.sqlite3")
    stored = db.execute("SELECT count(*) FROM intakes WHERE channel = 'email'").fetchone()[0]
    cases = db.execute("SELECT count(DISTINCT case_no) FROM intakes WHERE channel = 'email'").fetchone()[0]
    latencies.sort()
    accepted = answers.get(250, 0)
    pct = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000  # noqa: E731
    print(f"machine: {os.cpu_count()} cores; gateway with default settings (synchronous=FULL, full pipeline)")
    print(f"{args.connections} SMTP connections, {elapsed:.1f} s: {accepted} mails accepted "
          f"= {accepted / elapsed:.0f} mails/s; answers {answers}")
    print(f"latency per mail (DATA to 250): p50 {pct(0.5):.1f} ms, p99 {pct(0.99):.1f} ms")
    print(f"stored reports: {stored} (into {cases} cases); acknowledgements at the relay: {sink.count}, "
          f"the last {acks_done:.1f} s after the first mail")
    if stored != accepted:
        raise SystemExit(f"MISMATCH: {accepted} mails answered 250 but {stored} stored")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--connections", type=int, default=16)
    asyncio.run(main(parser.parse_args()))
