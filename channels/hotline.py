"""12345 hotline: the call-centre webhook (POST /hooks/hotline).

The call centre posts signed events per call id. A small state machine per call (kept with
`save_state`) applies what still makes sense and ignores repeats and stale events. One
intake per call, held for a seat operator: filed once there is a final transcript (the
centre's, or ours from the recording), or at hang-up without one. A call that hangs up
before anyone answers is a missed call to ring back, not a ticket.

Signature: X-Hotline-Timestamp (Unix seconds) and X-Hotline-Signature "sha256=<hex>" with
HMAC-SHA256(secret, "<timestamp>." + raw body). See docs/hotline.md.
"""
from __future__ import annotations

import asyncio
import contextlib
import email.policy
import hashlib
import hmac
import json
import logging
import os
import time
import weakref
from dataclasses import dataclass, field
from datetime import datetime
from email.parser import BytesParser
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from channels.base import DAY_S, BaseChannel, IntakeService, StateShelf
from channels.phones import mask_phone, normalize_phone
from gateway.cases.workorders import NO_TRANSCRIPT
from gateway.errors import NotFound, Refusal, StorageUnavailable, ValidationError
from gateway.fields import identifier, text_field, unix_seconds
from gateway.http import parse_json_object
from gateway.models import (
    ACCEPTED,
    ATTACHED,
    CALL_RECORDS,
    UNAVAILABLE,
    Attachment,
    Intake,
    Reporter,
    iso,
    now,
)

log = logging.getLogger("channels.hotline")

EVENTS = ("call.new", "call.answered", "call.hangup", "recording.ready", "transcript.ready")
# Hang-up causes that mean nobody answered: the caller is rung back.
MISSED_CAUSES = {"no_answer", "abandoned", "busy", "caller_abandoned", "queue_timeout"}
SEEN_KEPT = 50  # event ids remembered per call, to answer repeats
AUDIO_TYPES = ["audio/x-wav", "audio/mpeg", "audio/amr", "audio/ogg", "audio/x-flac", "audio/mp4",
               "audio/aac", "audio/x-aiff"]
PENDING_KEY = "calls"  # of the "pending" state: calls whose recording is being transcribed


@dataclass
class HotlineSettings:
    enabled: bool = False
    # Shared secret for the HMAC signature; GATEWAY_HOTLINE_SECRET overrides it.
    secret: str = ""
    # Requests whose timestamp is further than this from our clock are refused (replays).
    max_skew_s: int = 300
    # Recordings fetched from the call centre: size and time limits, and the hosts
    # ("host" or "host:port") we may fetch from. Empty: URLs are refused.
    recording_max_mb: float = 20.0
    recording_timeout_s: float = 15.0
    recording_hosts: list[str] = field(default_factory=list)
    # Call records (the call-back list, the console's recent calls) are kept this long.
    keep_calls_days: float = 30.0
    # A node transcribing a recording holds the call this long; if it has not filed the call
    # by then (the node died), another node takes the transcription over. Every node looks
    # for such calls every `takeover_interval_s` seconds.
    transcription_lease_s: float = 600.0
    takeover_interval_s: float = 30.0


class HookError(Refusal):
    """A webhook request we refuse, with its HTTP status and a code for the vendor."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message, code=code, http_status=status)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Hotline-Signature value for a request body (also used by tests and the docs)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, max_skew_s: int, timestamp: str, signature: str, body: bytes,
           clock: float | None = None) -> None:
    if not secret:
        raise HookError(503, "not_configured", "热线渠道未配置签名密钥")
    if not timestamp or not signature:
        raise HookError(401, "unsigned", "缺少签名头 X-Hotline-Timestamp / X-Hotline-Signature")
    stamp = unix_seconds(timestamp)
    if stamp is None:
        raise HookError(401, "bad_timestamp", "X-Hotline-Timestamp 须为 Unix 秒数（最多 12 位数字）")
    if abs((clock or time.time()) - stamp) > max_skew_s:
        raise HookError(401, "stale_timestamp", f"时间戳与服务器时间相差超过 {max_skew_s} 秒（防重放）")
    if not hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.strip().encode()):
        raise HookError(401, "bad_signature", "签名校验失败")


# -- the per-call state machine (pure) --------------------------------------------------


def new_call(call_id: str) -> dict:
    return {"call_id": call_id, "phase": "ringing", "caller": "", "caller_raw": "", "called": "",
            "started_at": "", "answered_at": "", "seat_id": "", "ended_at": "", "cause": "",
            "recording": None, "recording_error": "", "transcript": "", "transcript_source": "",
            "transcript_segments": [], "transcript_final": False, "transcribing": False, "transcribing_until": 0.0,
            "case_no": "", "filed": False,
            "outcome": "", "called_back": None, "seen": [], "updated_at": ""}


def advance(state: dict, ev: dict) -> tuple[dict, bool]:
    """Apply one event to a call's state: (new state, whether anything changed)."""
    s = dict(state)
    kind, at = ev["event"], ev.get("at") or iso(now())
    changed = False
    if kind == "call.new":
        for key, value in (("caller_raw", ev.get("caller", "")), ("called", ev.get("called", "")),
                           ("started_at", at)):
            if value and not s[key]:
                s[key], changed = value, True
        if s["caller_raw"] and not s["caller"]:
            s["caller"] = normalize_phone(s["caller_raw"]) or ""
    elif kind == "call.answered":
        if not s["answered_at"]:
            s["answered_at"], s["seat_id"], changed = at, str(ev.get("seat_id", "")), True
            if s["phase"] == "ringing":
                s["phase"] = "answered"
            elif s["phase"] == "missed":  # the hang-up overtook the answer: not missed after all
                s["phase"] = "ended"
    elif kind == "call.hangup":
        if not s["ended_at"]:
            s["ended_at"], s["cause"], changed = at, str(ev.get("cause", "normal")), True
            missed = not s["answered_at"] and s["cause"] in MISSED_CAUSES
            s["phase"] = "missed" if missed else "ended"
    elif kind == "recording.ready":
        rec = ev.get("recording")
        if rec and (s["recording"] or {}).get("sha256") != rec["sha256"]:
            s["recording"], s["recording_error"], changed = rec, "", True
    elif kind == "transcript.ready":
        text = " ".join(str(ev.get("text", "")).split())
        final = bool(ev.get("final", True))
        if text and not s["transcript_final"] and (text != s["transcript"] or final):
            s["transcript"], s["transcript_source"], s["transcript_final"] = text, "centre", final
            changed = True
        elif text and s["filed"] and text != s["transcript"]:  # a corrected transcript, later
            s["transcript"], s["transcript_source"], changed = text, "centre", True
    if not s["started_at"]:
        s["started_at"] = at
    return s, changed


def ready_to_file(s: dict) -> bool:
    """A call is filed once: with a final transcript, or at hang-up without one (unless a
    recording is being transcribed). A missed call is never filed."""
    if s["filed"] or s["phase"] == "missed":
        return False
    if s["transcript_final"]:
        return True
    return bool(s["ended_at"]) and not s["transcribing"]


def public_call(s: dict) -> dict:
    """The call as the console shows it (the caller's full number is masked by the console
    for everyone but the seat handling it)."""
    return {k: s[k] for k in ("call_id", "phase", "caller", "called", "started_at", "answered_at",
                              "seat_id", "ended_at", "cause", "recording", "recording_error",
                              "transcript", "transcript_source", "transcript_final",
                              "transcribing", "case_no", "filed", "outcome", "called_back",
                              "updated_at")} | {"caller_masked": mask_phone(s["caller"]) if s["caller"] else
                                                 (s["caller_raw"] or "未知号码"),
                                                 # who said what and how sure the recogniser was (ours only)
                                                 "transcript_segments": s.get("transcript_segments", [])}


# -- the channel ------------------------------------------------------------------------


class HotlineChannel(BaseChannel):
    name = "hotline"

    def __init__(self, service: IntakeService, settings: HotlineSettings):
        self.service = service
        self.settings = settings
        self.secret = os.environ.get("GATEWAY_HOTLINE_SECRET") or settings.secret
        self.calls = StateShelf(service, *CALL_RECORDS, settings.keep_calls_days * DAY_S)
        self.pending = StateShelf(service, self.name, "pending", 7 * DAY_S)
        # A lock per call while it is in use (weak: calls come and go for ever).
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._tasks: set[asyncio.Task] = set()
        self._transcribing: set[str] = set()  # the calls this node is transcribing
        self._http: aiohttp.ClientSession | None = None

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/hooks/hotline", self.handle)

    async def start(self) -> None:
        pending = await self.pending.load(PENDING_KEY) or {}
        for call_id in pending.get("calls", []):  # recordings a restart interrupted
            self._spawn(self._transcribe_and_file(call_id))
        self._spawn(self._take_over_forever())

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._http is not None:
            await self._http.close()
            self._http = None

    # -- the webhook ----------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        verify(self.secret, self.settings.max_skew_s, request.headers.get("X-Hotline-Timestamp", ""),
               request.headers.get("X-Hotline-Signature", ""), body)
        ev, audio = parse_request(request.headers.get("Content-Type", ""), body)
        answer = await self.apply(ev, audio)
        status = answer.pop("http_status", 200)
        return web.json_response(answer, status=status,
                                 dumps=lambda v: json.dumps(v, ensure_ascii=False))

    async def apply(self, ev: dict, audio: tuple[bytes, str] | None = None) -> dict:
        call_id = ev["call_id"]
        event_id = str(ev.get("event_id") or _event_key(ev))
        async with self._exclusive(self.calls, call_id):
            state = await self.calls.load(call_id) or new_call(call_id)
            if event_id in state["seen"]:
                return _answer(state, applied=False, repeated=True)
            data = None
            if ev["event"] == "recording.ready":
                try:
                    ev["recording"], data = await self._recording(ev, audio)
                except HookError as exc:  # remembered for the console; the call is not lost
                    state["recording_error"] = exc.message
                    await self._save(state)
                    raise
            state, changed = advance(state, ev)
            state["seen"] = [*state["seen"], event_id][-SEEN_KEPT:]
            start_transcription = (ev["event"] == "recording.ready" and changed
                                   and not state["transcript_final"])
            if start_transcription:
                state["transcribing"] = True
                state["transcribing_until"] = time.time() + self.settings.transcription_lease_s
                await self._pending(call_id, add=True)
            state = await self._file_if_ready(state)
            await self._save(state)
            if start_transcription:
                self._spawn(self._transcribe_and_file(call_id, data))
            if changed and state["filed"] and ev["event"] == "transcript.ready":
                self.service.announce("call.transcript", {"call_id": call_id, "case_no": state["case_no"],
                                                          "text": state["transcript"]})
            answer = _answer(state, applied=changed)
            if state["outcome"] == UNAVAILABLE:
                answer.update(http_status=503, error={"code": "unavailable",
                                                      "message": "系统暂时无法保存，请稍后重试"})
            elif start_transcription:
                answer["http_status"] = 202
            return answer

    async def mark_called_back(self, call_id: str, operator: str, note: str = "") -> dict:
        """A seat operator rang a missed caller back."""
        async with self._exclusive(self.calls, call_id):
            state = await self.calls.load(call_id)
            if state is None or state["phase"] != "missed":
                raise Refusal(f"通话 {call_id} 不在回拨列表中", code="not_missed", http_status=404)
            state["called_back"] = {"by": operator, "at": iso(now()), "note": note}
            await self._save(state)
            return public_call(state)

    # -- recordings and transcription -------------------------------------------------------

    async def _recording(self, ev: dict, audio: tuple[bytes, str] | None) -> tuple[dict, bytes]:
        max_bytes = int(self.settings.recording_max_mb * 1024 * 1024)
        if audio is None:
            url = ev.get("url")
            if not url:
                raise HookError(422, "missing_recording", "recording.ready 须上传音频（multipart 的 audio 部分）或提供 url")
            data = await self._fetch(str(url), max_bytes)
            filename = urlsplit(str(url)).path.rsplit("/", 1)[-1]
        else:
            data, filename = audio
        if len(data) > max_bytes:
            raise HookError(413, "recording_too_large", f"录音超过 {self.settings.recording_max_mb:g} MB")
        try:  # the gateway checks what the bytes really are, not what the sender says
            att = await self.service.save_attachment(data, filename=filename or "recording",
                                                     allowed_types=AUDIO_TYPES)
        except Refusal:
            raise HookError(422, "not_audio", "录音文件不是可识别的音频（支持 WAV、MP3、AMR）") from None
        return {"kind": "audio", "content_type": att.content_type, "size": att.size,
                "sha256": att.sha256, "filename": att.filename}, data

    async def _fetch(self, url: str, max_bytes: int) -> bytes:
        parts = urlsplit(url)
        host = parts.hostname or ""
        allowed = {h.lower() for h in self.settings.recording_hosts}
        if parts.scheme not in ("http", "https") or not (
                host.lower() in allowed or (parts.netloc.lower() in allowed)):
            raise HookError(422, "recording_host_not_allowed",
                            f"不允许从 {parts.netloc or url} 下载录音（见 [hotline].recording_hosts）")
        if self._http is None:
            self._http = aiohttp.ClientSession()
        try:
            async with asyncio.timeout(self.settings.recording_timeout_s):
                async with self._http.get(url, allow_redirects=False) as resp:
                    if resp.status != 200:
                        raise HookError(502, "recording_unavailable", f"录音服务器返回 {resp.status}")
                    if (resp.content_length or 0) > max_bytes:
                        raise HookError(413, "recording_too_large",
                                        f"录音超过 {self.settings.recording_max_mb:g} MB")
                    chunks, size = [], 0
                    async for chunk in resp.content.iter_chunked(65536):
                        size += len(chunk)
                        if size > max_bytes:
                            raise HookError(413, "recording_too_large",
                                            f"录音超过 {self.settings.recording_max_mb:g} MB")
                        chunks.append(chunk)
                    return b"".join(chunks)
        except TimeoutError:
            raise HookError(504, "recording_timeout",
                            f"下载录音超时（{self.settings.recording_timeout_s:g} 秒），请稍后重发该事件") from None
        except aiohttp.ClientError as exc:
            raise HookError(502, "recording_unavailable", f"无法下载录音：{exc.__class__.__name__}") from None

    async def _take_over_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.takeover_interval_s)
            try:
                await self.take_over_stale()
            except StorageUnavailable as exc:  # the database is away: next round
                log.warning("taking over transcriptions postponed: %s", exc)
            except Exception:
                log.exception("taking over transcriptions failed")

    async def take_over_stale(self) -> list[str]:
        """Transcriptions another node started and did not finish within its lease (it
        died): taken over here, so the call is filed. Two nodes taking the same one over
        at once both transcribe it; the call is still filed once (its call id is unique)."""
        taken = []
        pending = await self.pending.load(PENDING_KEY) or {}
        for call_id in pending.get("calls", []):
            if call_id in self._transcribing:
                continue
            async with self._exclusive(self.calls, call_id):
                state = await self.calls.load(call_id)
                if not state or not state["transcribing"] or state.get("transcribing_until", 0) > time.time():
                    continue
                state["transcribing_until"] = time.time() + self.settings.transcription_lease_s
                await self._save(state)
            log.info("call %s: transcription taken over from a node that did not finish it", call_id)
            self._spawn(self._transcribe_and_file(call_id))
            taken.append(call_id)
        return taken

    async def _transcribe_and_file(self, call_id: str, data: bytes | None = None) -> None:
        self._transcribing.add(call_id)
        try:
            await self._transcribe_and_file_here(call_id, data)
        finally:
            self._transcribing.discard(call_id)

    async def _transcribe_and_file_here(self, call_id: str, data: bytes | None) -> None:
        state = await self.calls.load(call_id)
        text, segments = None, []
        if state and state.get("recording"):
            if data is None:  # resumed after a restart: read the stored recording
                data = await self._read_recording(state["recording"])
            try:
                result = await self.service.transcribe_call(data, state["recording"]["content_type"]) if data else None
                if result:  # the caller's words make the ticket; the operator sees both sides
                    text, segments = result["text"] or None, result["segments"]
            except Refusal as exc:  # converted and found not to be audio after all
                log.warning("recording of call %s: %s", call_id, exc.message)
            except Exception:
                log.exception("transcription of call %s failed", call_id)
        for attempt in range(6):
            async with self._exclusive(self.calls, call_id):
                state = await self.calls.load(call_id)
                if state is None:
                    break
                state["transcribing"] = False
                if text and not state["transcript_final"]:
                    if state["filed"]:
                        self.service.announce("call.transcript", {"call_id": call_id, "case_no": state["case_no"],
                                                                  "text": text})
                    state.update(transcript=text, transcript_source="gateway", transcript_final=True,
                                 transcript_segments=segments)
                elif not text and not state["transcript_final"]:
                    state["recording_error"] = state["recording_error"] or "录音未能转写，请听录音人工填写"
                state = await self._file_if_ready(state)
                await self._save(state)
                if state["outcome"] != UNAVAILABLE:
                    await self._pending(call_id, add=False)
                    return
            await asyncio.sleep(2 ** attempt)  # the store is busy: try again shortly

    async def _read_recording(self, rec: dict) -> bytes | None:
        try:
            return await self.service.read_attachment(rec["sha256"])
        except NotFound:
            return None

    # -- filing -------------------------------------------------------------------------

    async def _file_if_ready(self, state: dict) -> dict:
        if not ready_to_file(state):
            return state
        text = state["transcript"] or NO_TRANSCRIPT
        rec = state["recording"]
        intake = Intake(
            channel=self.name, external_id=state["call_id"], text=text,
            reporter=Reporter(phone=state["caller"], contact_channel=self.name if state["caller"] else "",
                              contact_id=state["caller"]),
            attachments=[Attachment(**rec)] if rec else [],
            received_at=_parse_time(state["started_at"]),
            raw={k: v for k, v in state.items() if k != "seen"}, hold_for_review=True)
        result = await self.service.submit(intake)
        state = dict(state, outcome=result.outcome)
        if result.outcome in (ACCEPTED, ATTACHED):
            state.update(filed=True, case_no=result.case_no)
        elif result.outcome != UNAVAILABLE:  # refused: remembered, shown to the operators
            state.update(filed=True, recording_error=result.reason)
        return state

    @contextlib.asynccontextmanager
    async def _exclusive(self, shelf: StateShelf, key: str):
        """One change of a call's record (or of the pending list) at a time: in this process,
        and on the other nodes over the same database (a resent event may reach another node
        while the first attempt still runs here)."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock, shelf.exclusive(key):
            yield

    async def _save(self, state: dict) -> None:
        state["updated_at"] = iso(now())
        await self.calls.save(state["call_id"], state)
        self.service.announce("call", public_call(state))

    async def _pending(self, call_id: str, add: bool) -> None:
        async with self._exclusive(self.pending, PENDING_KEY):
            pending = await self.pending.load(PENDING_KEY) or {"calls": []}
            calls = [c for c in pending["calls"] if c != call_id] + ([call_id] if add else [])
            if calls:
                await self.pending.save(PENDING_KEY, {"calls": calls})
            else:
                await self.pending.forget(PENDING_KEY)

    def _spawn(self, coro) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


# -- parsing ---------------------------------------------------------------------------


def parse_request(content_type: str, body: bytes) -> tuple[dict, tuple[bytes, str] | None]:
    """The event (and uploaded audio) of a request: JSON, or multipart/form-data with an
    "event" part (JSON) and an "audio" part (the recording)."""
    audio = None
    if content_type.startswith("multipart/form-data"):
        try:
            message = BytesParser(policy=email.policy.HTTP).parsebytes(
                b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
            parts = {p.get_param("name", header="content-disposition"): p for p in message.iter_parts()}
        except (ValueError, UnicodeError, IndexError, TypeError, AttributeError):
            raise HookError(400, "invalid_form", "multipart 请求格式不正确") from None
        if "event" not in parts:
            raise HookError(400, "missing_event", "multipart 请求须包含 event 部分（JSON）")
        raw = parts["event"].get_payload(decode=True) or b""
        if "audio" in parts:
            audio = (parts["audio"].get_payload(decode=True) or b"", parts["audio"].get_filename() or "")
    elif content_type.startswith("application/json"):
        raw = body
    else:
        raise HookError(415, "unsupported_media_type", "请求体须为 application/json 或 multipart/form-data")
    ev = parse_json_object(raw)
    if ev.get("event") not in EVENTS:
        raise HookError(422, "unknown_event", f"未知事件类型 {str(ev.get('event'))[:40]!r}，可用：{', '.join(EVENTS)}")
    try:
        ev["call_id"] = identifier(ev.get("call_id"), "call_id", 128)
    except ValidationError:
        raise HookError(422, "missing_call_id", "缺少 call_id（1–128 个可打印字符的字符串）") from None
    _check_fields(ev)
    if ev.get("at"):
        try:
            ev["at"] = iso(_parse_time(str(ev["at"]), strict=True))
        except ValueError:
            raise HookError(422, "bad_time", "at 须为 ISO 8601 时间，如 2024-05-01T09:30:00+08:00") from None
    if ev["event"] == "transcript.ready" and not str(ev.get("text", "")).strip():
        raise HookError(422, "missing_text", "transcript.ready 须包含 text")
    return ev, audio


# Optional fields of an event: (kind, longest). A transcript of an hour-long call is about
# 15,000 characters: anything far longer is not a transcript.
EVENT_FIELDS = {"event_id": ("id", 128), "caller": ("text", 40), "called": ("text", 40),
                "seat_id": ("id", 40), "cause": ("id", 40), "url": ("text", 2000),
                "at": ("text", 64), "text": ("text", 20_000), "final": ("bool", 0)}


def _check_fields(ev: dict) -> None:
    """Each optional field has its type (a string is not a boolean) and a sane length."""
    for name, (kind, limit) in EVENT_FIELDS.items():
        if ev.get(name) is None:
            continue
        if kind == "bool":
            if not isinstance(ev[name], bool):
                raise HookError(422, "invalid_field", f"{name} 须为 true 或 false")
        elif kind == "id":
            ev[name] = identifier(ev[name], name, limit)
        else:
            if isinstance(ev[name], str) and len(ev[name]) > limit:
                status, code = (413, "transcript_too_long") if name == "text" else (422, "invalid_field")
                raise HookError(status, code, f"{name} 超过 {limit} 个字符")
            ev[name] = text_field(ev[name], name, limit)


def _parse_time(value: str, strict: bool = False) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        if strict:
            raise ValueError(value) from None
        return now()
    if moment.tzinfo is None:  # call centres in China send local time
        from gateway.models import CST
        moment = moment.replace(tzinfo=CST)
    return moment


def _event_key(ev: dict) -> str:
    """Without an event_id, the same event twice is the same content."""
    content = {k: v for k, v in ev.items() if k != "recording"}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:24]


def _answer(state: dict, *, applied: bool, repeated: bool = False) -> dict:
    return {"call_id": state["call_id"], "phase": state["phase"], "applied": applied,
            "repeated": repeated, "case_no": state["case_no"] or None,
            "transcribing": state["transcribing"]}


Settings = HotlineSettings


def create(service: IntakeService, settings: HotlineSettings) -> HotlineChannel:
    return HotlineChannel(service, settings)
