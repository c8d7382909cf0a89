"""Shared by the hotline and console tests: a gateway with the hotline on, signed events."""
from __future__ import annotations

import io
import json
import time
import wave

import aiohttp

from channels.hotline import sign
from gateway.console import create_operator
from tests.conftest import make_settings

SECRET = "test-secret-of-the-call-centre"


def hotline_settings(data_dir, **overrides):
    settings = make_settings(data_dir, **{"hotline.enabled": True, "hotline.secret": SECRET, **overrides})
    return settings


def signed(body: bytes, secret: str = SECRET, at: float | None = None) -> dict:
    stamp = str(int(at if at is not None else time.time()))
    return {"X-Hotline-Timestamp": stamp, "X-Hotline-Signature": sign(secret, stamp, body)}


async def post_event(client, event: dict, **kwargs):
    body = json.dumps(event, ensure_ascii=False).encode()
    return await client.post("/hooks/hotline", data=body,
                             headers={"Content-Type": "application/json", **signed(body, **kwargs)})


async def post_recording(client, event: dict, audio: bytes, filename: str = "call.wav"):
    form = aiohttp.MultipartWriter("form-data")
    part = form.append(json.dumps(event), {"Content-Type": "application/json"})
    part.set_content_disposition("form-data", name="event")
    part = form.append(audio, {"Content-Type": "application/octet-stream"})
    part.set_content_disposition("form-data", name="audio", filename=filename)
    chunks = []

    class Sink:
        async def write(self, data):
            chunks.append(bytes(data))

    await form.write(Sink())
    body = b"".join(chunks)
    return await client.post("/hooks/hotline", data=body,
                             headers={"Content-Type": form.headers["Content-Type"], **signed(body)})


async def call_with_transcript(client, call_id: str, text: str, caller: str = "13812345678",
                               seat: str = "A01"):
    for event in ({"event": "call.new", "call_id": call_id, "caller": caller, "called": "12345"},
                  {"event": "call.answered", "call_id": call_id, "seat_id": seat},
                  {"event": "transcript.ready", "call_id": call_id, "text": text}):
        resp = await post_event(client, event)
        assert resp.status == 200, await resp.text()
    return await resp.json()


async def add_operator(client, username: str, password: str = "password-123", **kwargs) -> dict:
    return await create_operator(client.pipeline.store, username, password, **kwargs)


async def login(client, username: str, password: str = "password-123") -> str:
    resp = await client.post("/console/api/login", json={"username": username, "password": password})
    assert resp.status == 200, await resp.text()
    return (await resp.json())["csrf"]


def silent_wav(seconds: float = 0.5) -> bytes:
    """A WAV of silence, 8 kHz mono 16-bit, as a call centre records."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * int(8000 * seconds))
    return buf.getvalue()
