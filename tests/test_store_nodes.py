"""Two gateway nodes over one database (the same SQLite file, or one PostgreSQL): the core
platform's feed stays complete and in commit order while both write, and a retry that
reaches the other node gets the first answer."""
from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bench.balancer import Balancer
from gateway.appkeys import DELIVERY
from gateway.cases.workorders import NO_TRANSCRIPT
from gateway.store.outbox import Outbox
from tests.conftest import (
    ROOT,
    all_feed,
    cases_by_ref,
    free_port,
    running_gateway,
    stop_nodes,
    wait_until_up,
    workorder,
)
from tests.hotline_helpers import SECRET, add_operator, hotline_settings, login, post_event, signed, silent_wav
from tests.test_answers_back import RecordingChannel, chat_report

pytestmark = pytest.mark.both_stores  # store-facing: run on SQLite and on PostgreSQL


@asynccontextmanager
async def two_nodes(settings):
    async with running_gateway(settings) as a, running_gateway(settings) as b:
        yield a, b


async def report(node, token: str, text: str = "路灯不亮") -> dict:
    resp = await node.post("/api/v1/reports", json={"description": text, "submission_token": token})
    assert resp.status in (200, 201), await resp.text()
    return await resp.json()


async def set_status(node, case_no: str, status: str, update_id: str, **extra):
    return await node.post(f"/api/v1/workorders/{case_no}/status", headers=node.core_headers,
                           json={"status": status, "update_id": update_id, **extra})


async def test_a_reader_paging_one_node_sees_every_change_written_on_both(settings):
    async with two_nodes(settings) as (a, b):
        seen: dict[str, dict] = {}  # the latest version of each case the reader was given
        cursors: list[int] = []
        done = asyncio.Event()

        async def reader():
            cursor = 0
            while True:
                finished = done.is_set()
                items, cursor = await all_feed(a, cursor=cursor, limit=7)
                for item in items:
                    seen[item["case_no"]] = item
                cursors.append(cursor)
                if finished:
                    return
                await asyncio.sleep(0)

        async def writer(node, other, w: int) -> list[str]:
            # File on one node; move every other case on through the other node.
            numbers = []
            for i in range(8):
                case_no = (await report(node, f"node-report-{w}-{i}", f"第{w}组第{i}个问题：路灯不亮"))["case_no"]
                numbers.append(case_no)
                if i % 2:
                    resp = await set_status(other, case_no, "dispatched", f"u-{w}-{i}", department=f"所{w}")
                    assert resp.status == 200, await resp.text()
            return numbers

        paging = asyncio.create_task(reader())
        try:
            filed = await asyncio.gather(*(writer(*((a, b) if w % 2 else (b, a)), w) for w in range(6)))
            done.set()
            await paging
        finally:
            paging.cancel()

        numbers = {n for batch in filed for n in batch}
        assert len(numbers) == 48 and set(seen) == numbers
        # No change was skipped: the last version the reader got of each case is its latest.
        for case_no in numbers:
            latest = await workorder(b, case_no)
            assert (seen[case_no]["status"], seen[case_no]["updated_at"]) == (latest["status"], latest["updated_at"])
        assert cursors == sorted(cursors)


async def test_a_retry_on_the_other_node_gets_the_first_answer(settings):
    async with two_nodes(settings) as (a, b):
        # The same report sent to both nodes at once, and again later: one case.
        first, second = await asyncio.gather(report(a, "same-report-token"), report(b, "same-report-token"))
        again = await report(b, "same-report-token")
        assert first["case_no"] == second["case_no"] == again["case_no"]
        items, _ = await all_feed(a)
        assert [i["case_no"] for i in items] == [first["case_no"]]

        # The same status update sent to both nodes at once: applied once, both answer it.
        case_no = first["case_no"]
        answers = await asyncio.gather(*(set_status(node, case_no, "dispatched", "once", department="市政所")
                                         for node in (a, b)))
        assert [r.status for r in answers] == [200, 200]
        docs = [await r.json() for r in answers]
        assert docs[0]["updated_at"] == docs[1]["updated_at"]
        history = (await workorder(a, case_no))["history"]
        assert [h["action"] for h in history] == ["filed", "status"]



LAMP = "建国门内大街18号门口的路灯坏了，晚上一片漆黑，老人出门很危险"


# Nodes follow each other's changes only over a shared server: PostgreSQL.
@pytest.mark.parametrize("store_backend", ["postgresql"], indirect=True)
async def test_a_repeat_sent_to_the_other_node_joins_the_first_case(settings):
    async with two_nodes(settings) as (a, b):
        first = await report(a, "lamp-on-node-a", LAMP)
        await asyncio.sleep(1.0)  # "within a second"
        again = await b.post("/api/v1/reports", json={"description": LAMP, "submission_token": "lamp-on-node-b"})
        assert again.status == 201
        again = await again.json()
        assert again["outcome"] == "attached" and again["case_no"] == first["case_no"]
        assert (await workorder(a, first["case_no"]))["report_count"] == 2


class SlowChannel(RecordingChannel):
    """A chat platform that takes a moment per message, so two nodes' sending overlaps."""

    async def deliver(self, message) -> None:
        await asyncio.sleep(0.01)
        await super().deliver(message)


async def test_each_answer_back_is_sent_once_though_every_node_delivers(settings):
    settings.notify.first_retry_s = 0.05
    chat_a, chat_b = SlowChannel(), SlowChannel()
    async with running_gateway(settings, channels=[chat_a]) as a, \
            running_gateway(settings, channels=[chat_b]) as b:
        problems = ["路灯不亮", "垃圾没人清", "井盖丢了", "施工噪音扰民", "下水道堵了", "树枝挡路"]
        filed = [await chat_report(node, f"u-{i}", f"{problems[i % 6]}（第{i}次）", f"once-{i}")
                 for i, node in enumerate([a, b] * 6)]
        cases = sorted({r.case_no for r in filed})
        for i, case_no in enumerate(cases):
            node = (a, b)[i % 2]
            resp = await node.post(f"/api/v1/workorders/{case_no}/status", headers=node.core_headers,
                                   json={"status": "dispatched", "update_id": f"once-s{i}", "department": "市政所"})
            assert resp.status == 200
        # Both nodes' workers, and a few more sweeps on each, all at once.
        await asyncio.gather(*(node.app[DELIVERY].send_due() for node in (a, b, a, b)))
        outbox = Outbox(a.app[DELIVERY].outbox.store)
        for _ in range(200):
            rows = [r for case_no in cases for r in await outbox.for_case(case_no)]
            if all(r["state"] == "sent" for r in rows):
                break
            await asyncio.sleep(0.05)
        sent = [m.id for m in chat_a.sent + chat_b.sent]
        assert rows and all(r["state"] == "sent" for r in rows)
        assert sorted(sent) == sorted(r["id"] for r in rows)  # each once, none lost


# A network between the gateway and its database: PostgreSQL only.
@pytest.mark.parametrize("store_backend", ["postgresql"], indirect=True)
async def test_a_node_that_loses_the_database_answers_503_and_recovers(settings):
    url = urlsplit(settings.store.url)
    # A relay the test can cut (the database's machine or network lost) and restore: the
    # loopback balancer with one node.
    relay = Balancer([(url.hostname, url.port or 5432)])
    await relay.start()
    settings.store.url = urlunsplit(url._replace(netloc=f"{url.username}@127.0.0.1:{relay.port}"))
    try:
        async with running_gateway(settings) as gw:
            health = await gw.get("/healthz")
            assert health.status == 200 and (await health.json())["store"] == "postgresql"
            await report(gw, "before-the-cut-0001")

            await relay.close()
            health = await gw.get("/healthz")
            assert health.status == 503
            assert {k: (await health.json())[k] for k in ("status", "database")} == {
                "status": "unavailable", "database": "unavailable"}
            resp = await gw.post("/api/v1/reports", json={"description": "井盖丢了", "submission_token": "during-the-cut-0001"})
            assert resp.status == 503 and (await resp.json())["error"]["code"] == "unavailable"

            await relay.start()
            for _ in range(100):
                if (await gw.get("/healthz")).status == 200:
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("the node did not recover when the database came back")
            # The citizen's retry files the report; nothing was half-written before.
            retried = await report(gw, "during-the-cut-0001", "井盖丢了")
            items, _ = await all_feed(gw)
            assert sorted(i["channel_ref"] for i in items) == ["before-the-cut-0001", "during-the-cut-0001"]
            assert retried["case_no"] in {i["case_no"] for i in items}
    finally:
        await relay.close()


def start_node(data_dir, port: int, url: str, config: Path | None = None) -> subprocess.Popen:
    env = {**os.environ, "GATEWAY_CORE_TOKEN": "crash-test-token-0123456789", "GATEWAY_STORE_URL": url}
    options = ["--config", str(config)] if config else []
    return subprocess.Popen([sys.executable, "run.py", *options, "--data-dir", str(data_dir), "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.parametrize("store_backend", ["postgresql"], indirect=True)
def haproxy_from_docs(tmp_path, ports: list[int], front: int) -> subprocess.Popen:
    """haproxy running the configuration docs/deployment.md gives, on loopback ports."""
    if not shutil.which("haproxy"):
        pytest.skip("haproxy is not installed (apt-get install haproxy): the documented configuration is not run")
    doc = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    config = re.search(r"```haproxy\n(.*?)```", doc, re.S)[1]
    config = config.replace("bind :80", f"bind 127.0.0.1:{front}")
    config = re.sub(r"server a \S+", f"server a 127.0.0.1:{ports[0]}", config)
    config = re.sub(r"server b \S+", f"server b 127.0.0.1:{ports[1]}", config)
    (tmp_path / "haproxy.cfg").write_text(config, encoding="utf-8")
    return subprocess.Popen(["haproxy", "-db", "-f", str(tmp_path / "haproxy.cfg")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.parametrize("store_backend", ["postgresql"], indirect=True)
@pytest.mark.parametrize("via", ["clients", "balancer", "haproxy"])
async def test_sigkill_of_one_node_loses_no_acknowledged_report(tmp_path, store_url, via):
    """Two nodes (processes) over one PostgreSQL, one killed under load. Every report that
    got a 2xx is filed exactly once, and the citizens' retries of the unanswered ones file
    once. `clients`: the clients spread their requests over both nodes and turn to the
    survivor themselves. `balancer`: the clients know one address, a round-robin balancer
    (bench/balancer.py) in front of both; after the kill the service goes on at that same
    address, and the retries go there too. `haproxy`: the same through haproxy running the
    configuration of docs/deployment.md (skipped where haproxy is not installed)."""
    ports = [free_port(), free_port()]
    bases = [f"http://127.0.0.1:{p}" for p in ports]
    balancer = Balancer([("127.0.0.1", p) for p in ports])
    front_port = free_port() if via == "haproxy" else None
    haproxy = haproxy_from_docs(tmp_path, ports, front_port) if front_port else None
    nodes = [start_node(tmp_path / f"node{n}", ports[n], store_url) for n in (0, 1)]
    await balancer.start()
    front = f"http://127.0.0.1:{front_port or balancer.port}"
    acknowledged: dict[str, str] = {}
    acknowledged_after_kill = 0
    unanswered: list[str] = []
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as session:
            for base in [*bases, front]:
                await wait_until_up(session, base)
            killed = asyncio.Event()
            after_kill = 0

            def address(i: int) -> str:
                if via != "clients":
                    return front
                return bases[1 if killed.is_set() else i % 2]

            async def client(worker: int):
                nonlocal after_kill, acknowledged_after_kill
                for i in range(100000):
                    token = f"kill-{worker}-{i:06d}"
                    try:
                        async with session.post(f"{address(i)}/api/v1/reports", json={
                                "description": f"垃圾没人清 {token}", "submission_token": token}) as resp:
                            if resp.status in (200, 201):
                                acknowledged[token] = (await resp.json())["case_no"]
                                acknowledged_after_kill += killed.is_set()
                            else:
                                unanswered.append(token)
                    except (TimeoutError, aiohttp.ClientError):
                        unanswered.append(token)
                    if killed.is_set():
                        after_kill += 1
                        if after_kill >= 100:
                            return

            workers = [asyncio.create_task(client(w)) for w in range(12)]
            while len(acknowledged) < 200:
                await asyncio.sleep(0.01)
            nodes[0].send_signal(signal.SIGKILL)
            nodes[0].wait()
            killed.set()
            await asyncio.gather(*workers)
            assert len(acknowledged) >= 200 and nodes[1].poll() is None
            # The service went on after the kill (through the balancer: at the same address).
            assert acknowledged_after_kill >= 50
            if via == "balancer":
                assert all(balancer.connections[("127.0.0.1", p)] for p in ports)  # both served

            # The citizens retry what got no answer, on the node that is left.
            for token in unanswered:
                async with session.post(f"{address(0)}/api/v1/reports", json={
                        "description": f"垃圾没人清 {token}", "submission_token": token}) as resp:
                    assert resp.status in (200, 201), await resp.text()
                    acknowledged[token] = (await resp.json())["case_no"]

            feed = await cases_by_ref(session, bases[1], "crash-test-token-0123456789")
            for token, case_no in acknowledged.items():
                assert feed.get(token) == [case_no], token
            assert len(feed) == len(acknowledged)  # nothing filed that nobody was told of
    finally:
        await balancer.close()
        if haproxy is not None:
            haproxy.terminate()
            haproxy.wait()
        stop_nodes(nodes)


@pytest.mark.parametrize("store_backend", ["postgresql"], indirect=True)
async def test_the_console_on_one_node_sees_a_call_ringing_on_the_other(tmp_path, store_url):
    """The CTI webhook reaches node A, the operator's browser node B: the call still rings
    on B's console (events through LISTEN/NOTIFY; the call record is in the database)."""
    settings = hotline_settings(tmp_path / "data", **{"store.url": store_url})
    async with two_nodes(settings) as (a, b):
        await add_operator(b, "li", seat_id="A01")
        await login(b, "li")
        stream = await b.get("/console/events")
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        await asyncio.sleep(0.3)  # node B's listener is connected by now
        await post_event(a, {"event": "call.new", "call_id": "S-1", "caller": "13900002222"})
        seen = b""
        async with asyncio.timeout(5):
            while b"S-1" not in seen:
                seen += await stream.content.readany()
        assert b"event: call" in seen
        stream.close()
        board = await (await b.get("/console/api/board")).json()
        assert [c["call_id"] for c in board["calls"]] == ["S-1"]


@pytest.mark.parametrize("store_backend", ["postgresql"], indirect=True)
async def test_a_work_order_too_large_for_one_notification_still_reaches_the_other_console(tmp_path, store_url):
    """A long letter makes a work order of more than 8,000 bytes, more than PostgreSQL lets one
    NOTIFY carry: node A sends its number, node B reads it from the database and its console
    shows the ticket."""
    settings = hotline_settings(tmp_path / "data", **{"store.url": store_url})
    letter = "建国门内大街18号门口的路灯坏了，晚上一片漆黑。" + "老人晚上出门很不方便，孩子放学也要走这条路。" * 150
    assert len(letter.encode()) > 8000
    async with two_nodes(settings) as (a, b):
        await add_operator(b, "li", seat_id="A01")
        await login(b, "li")
        stream = await b.get("/console/events")
        await asyncio.sleep(0.3)  # node B's listener is connected by now
        filed = await report(a, "long-letter-0001", letter)
        seen = b""
        async with asyncio.timeout(10):
            while filed["case_no"].encode() not in seen:
                seen += await stream.content.readany()
        assert b"event: ticket" in seen
        stream.close()



def call_events(i: int, recordings: str) -> tuple[str, list[dict]]:
    """One call as the call centre posts it: even calls end with the centre's transcript,
    odd ones with a recording (fetched from the centre's server) and no transcript."""
    call_id = f"K-{i:03d}"
    events = [{"event": "call.new", "call_id": call_id, "caller": f"1390000{i:04d}", "called": "12345"},
              {"event": "call.answered", "call_id": call_id, "seat_id": f"A{i % 4:02d}"}]
    if i % 2 == 0:
        events.append({"event": "transcript.ready", "call_id": call_id, "text": f"幸福路{i}号门口垃圾堆了好几天没人清理"})
    else:
        events.append({"event": "recording.ready", "call_id": call_id, "url": f"{recordings}/{call_id}.wav"})
    events.append({"event": "call.hangup", "call_id": call_id, "cause": "normal"})
    for k, event in enumerate(events):
        event["event_id"] = f"{call_id}-{k}"  # the centre resends an event unchanged
    return call_id, events


@pytest.mark.parametrize("store_backend", ["postgresql"], indirect=True)
async def test_a_call_whose_events_reach_both_nodes_survives_losing_one(tmp_path, store_url):
    """The call centre posts 16 calls' events through the balancer, each request on a
    connection of its own, so each call's events land on both nodes; one node is SIGKILLed
    while the calls are under way, and the centre resends every event that got no answer
    (same event id) to the same address. Every call ends in exactly one ticket held for the
    operator, with its transcript or its recording; every call record is kept and names it."""
    audio = {f"K-{i:03d}": silent_wav(0.2 + i / 100) for i in range(16)}
    centre = web.Application()

    async def recording(request):
        return web.Response(body=audio[request.match_info["call"]], content_type="audio/wav")

    centre.router.add_get("/rec/{call}.wav", recording)
    server = TestServer(centre, host="127.0.0.1")
    await server.start_server()
    config = tmp_path / "hotline.toml"
    config.write_text(f'[hotline]\nenabled = true\nsecret = "{SECRET}"\n'
                      f'recording_hosts = ["127.0.0.1:{server.port}"]\n', encoding="utf-8")
    # Each node has a data directory of its own: recordings are shared through the database.
    ports = [free_port(), free_port()]
    nodes = [start_node(tmp_path / f"node{n}", ports[n], store_url, config) for n in (0, 1)]
    balancer = Balancer([("127.0.0.1", p) for p in ports])
    await balancer.start()
    front = f"http://127.0.0.1:{balancer.port}"
    calls = dict(call_events(i, f"http://127.0.0.1:{server.port}/rec") for i in range(16))
    total = sum(len(events) for events in calls.values())
    answered, resent = 0, 0
    progress = dict.fromkeys(calls, 0)  # events answered per call
    try:
        # A connection per request, so the balancer sends each event to the next node.
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True),
                                         timeout=aiohttp.ClientTimeout(total=20)) as session:
            for port in ports:
                await wait_until_up(session, f"http://127.0.0.1:{port}")

            async def call_centre(n: int, events: list[dict]) -> None:
                nonlocal answered, resent
                for event in events:
                    body = json.dumps(event, ensure_ascii=False).encode()
                    while True:
                        try:
                            async with session.post(f"{front}/hooks/hotline", data=body, headers={
                                    "Content-Type": "application/json", **signed(body)}) as resp:
                                if resp.status in (200, 202):
                                    break
                                assert resp.status == 503, await resp.text()
                        except (TimeoutError, aiohttp.ClientError):
                            pass
                        resent += 1
                        await asyncio.sleep(0.1)
                    answered += 1
                    progress[event["call_id"]] += 1
                    await asyncio.sleep(0.05 * (1 + n % 3))

            centre_tasks = [asyncio.create_task(call_centre(n, events)) for n, events in enumerate(calls.values())]
            while answered < total // 3:
                await asyncio.sleep(0.005)
            assert all(balancer.connections[("127.0.0.1", p)] for p in ports)  # both nodes had events
            nodes[0].send_signal(signal.SIGKILL)
            nodes[0].wait()
            at_kill = dict(progress)
            await asyncio.gather(*centre_tasks)
            assert answered == total
            assert all(0 < n < 4 for n in at_kill.values()), at_kill  # every call was under way

            import psycopg
            with psycopg.connect(store_url) as db:
                for _ in range(100):  # a recording is handled after its answer
                    records = {key: json.loads(value) for key, value in db.execute(
                        "SELECT key, value FROM channel_states WHERE channel = 'hotline' AND kind = 'call'")}
                    if len(records) == 16 and all(r["filed"] and not r["transcribing"] for r in records.values()):
                        break
                    await asyncio.sleep(0.1)
                tickets = [json.loads(doc) for (doc,) in db.execute("SELECT doc FROM workorders")]
            assert sorted(t["channel_ref"] for t in tickets) == sorted(calls)  # one ticket per call
            for ticket in tickets:
                call_id = ticket["channel_ref"]
                record = records[call_id]
                assert (record["phase"], record["case_no"]) == ("ended", ticket["case_no"])
                assert ticket["status"] == "received"  # held for the operator
                if int(call_id[2:]) % 2 == 0:
                    assert ticket["description"] == calls[call_id][2]["text"]
                else:
                    [att] = ticket["attachments"]
                    assert att["type"] == "audio" and att["sha256"] == hashlib.sha256(audio[call_id]).hexdigest()
                    assert ticket["description"] == NO_TRANSCRIPT
                    # The operator can play it whichever node the request reaches.
                    async with session.get(f"{front}/api/v1/attachments/{att['sha256']}", headers={
                            "Authorization": "Bearer crash-test-token-0123456789"}) as resp:
                        assert resp.status == 200 and await resp.read() == audio[call_id]
    finally:
        await balancer.close()
        await server.close()
        stop_nodes(nodes)


@pytest.mark.parametrize("store_backend", ["postgresql"], indirect=True)
async def test_a_transcription_cut_short_by_a_node_dying_is_taken_over(tmp_path, store_url):
    """Node A (with Whisper) accepts a call's recording and is SIGKILLed while it
    transcribes; the hang-up reaches node B. When A's hold on the transcription ends, B
    takes it over and files the call: one ticket, with the recording (without the takeover
    the call would wait, unfiled, until some node restarts)."""
    recording = silent_wav(1.0)
    centre = web.Application()

    async def serve_recording(request):
        return web.Response(body=recording, content_type="audio/wav")

    centre.router.add_get("/rec/T-1.wav", serve_recording)
    server = TestServer(centre, host="127.0.0.1")
    await server.start_server()
    hotline = (f'[hotline]\nenabled = true\nsecret = "{SECRET}"\nrecording_hosts = ["127.0.0.1:{server.port}"]\n'
               'transcription_lease_s = 2\ntakeover_interval_s = 0.5\n')
    configs = [tmp_path / "whisper.toml", tmp_path / "none.toml"]
    configs[0].write_text(hotline + '[speech]\nengine = "faster_whisper"\n', encoding="utf-8")
    configs[1].write_text(hotline, encoding="utf-8")
    ports = [free_port(), free_port()]
    bases = [f"http://127.0.0.1:{p}" for p in ports]
    nodes = [start_node(tmp_path / f"node{n}", ports[n], store_url, configs[n]) for n in (0, 1)]
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as session:
            for base in bases:
                await wait_until_up(session, base)

            async def post(base: str, event: dict) -> tuple[int, dict]:
                body = json.dumps(event).encode()
                async with session.post(f"{base}/hooks/hotline", data=body, headers={
                        "Content-Type": "application/json", **signed(body)}) as resp:
                    return resp.status, await resp.json()

            assert (await post(bases[0], {"event": "call.new", "call_id": "T-1", "caller": "13900001111"}))[0] == 200
            assert (await post(bases[0], {"event": "call.answered", "call_id": "T-1", "seat_id": "A01"}))[0] == 200
            status, answer = await post(bases[0], {"event": "recording.ready", "call_id": "T-1",
                                                   "url": f"http://127.0.0.1:{server.port}/rec/T-1.wav"})
            assert status == 202 and answer["transcribing"] is True
            nodes[0].send_signal(signal.SIGKILL)  # Whisper is still loading its model
            nodes[0].wait()
            status, answer = await post(bases[1], {"event": "call.hangup", "call_id": "T-1", "cause": "normal"})
            assert status == 200 and answer["phase"] == "ended" and answer["case_no"] is None  # still transcribing

            import psycopg
            with psycopg.connect(store_url, autocommit=True) as db:
                # up to 90 s: node B loads Whisper, transcribes, files the ticket, then marks the call
                # record filed (the record is saved after the ticket's own commit)
                for _ in range(900):
                    tickets = [json.loads(doc) for (doc,) in db.execute("SELECT doc FROM workorders")]
                    [(value,)] = db.execute("SELECT value FROM channel_states WHERE channel = 'hotline' AND kind = 'call'")
                    record = json.loads(value)
                    if tickets and record["filed"]:
                        break
                    await asyncio.sleep(0.1)
            [ticket] = tickets
            assert ticket["channel_ref"] == "T-1" and ticket["status"] == "received"
            assert [a["sha256"] for a in ticket["attachments"]] == [hashlib.sha256(recording).hexdigest()]
            assert record["filed"] and not record["transcribing"] and record["case_no"] == ticket["case_no"]
    finally:
        await server.close()
        stop_nodes(nodes)


@pytest.mark.parametrize("store_backend", ["postgresql"], indirect=True)
async def test_two_events_of_one_call_applied_at_once_on_two_nodes_both_count(tmp_path, store_url):
    """The seat's answer reaches node A while the centre's transcript reaches node B, at the
    same moment, for 12 calls: every call record keeps both (the seat and the transcript),
    names its one ticket, and no call is filed twice (each node reads, changes and writes the
    record back under a lock the other node respects)."""
    settings = hotline_settings(tmp_path / "data", **{"store.url": store_url})
    async with two_nodes(settings) as (a, b):
        await add_operator(b, "li", seat_id="A01")
        await login(b, "li")
        calls = [f"R-{i:03d}" for i in range(12)]
        for call_id in calls:
            resp = await post_event(a, {"event": "call.new", "call_id": call_id, "caller": "13900003333"})
            assert resp.status == 200, await resp.text()
        answers = await asyncio.gather(*(
            request for call_id in calls for request in (
                post_event(a, {"event": "call.answered", "call_id": call_id, "seat_id": "A01"}),
                post_event(b, {"event": "transcript.ready", "call_id": call_id,
                               "text": f"{call_id}号来电：东单北大街路灯不亮"}))))
        assert all(r.status == 200 for r in answers), [r.status for r in answers]
        board = await (await b.get("/console/api/board")).json()
        records = {c["call_id"]: c for c in board["calls"]}
        for call_id in calls:
            record = records[call_id]
            assert record["seat_id"] == "A01" and record["transcript_final"], record
            assert record["filed"] and record["case_no"], record
        assert len({records[c]["case_no"] for c in calls}) == len(calls)  # one ticket each
