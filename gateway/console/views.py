"""The console's HTTP side: pages, the JSON API the page uses, and the live event stream
(server-sent events fed by the EventHub)."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path

from aiohttp import web

from gateway.appkeys import HOTSPOTS
from gateway.cases import workorders
from gateway.console.auth import COOKIE, Forbidden, Unauthorized
from gateway.console.context import CONSOLE, Console
from gateway.errors import NotFound, Refusal
from gateway.hotspots import parse_window
from gateway.http import client_of, file_headers, json_response, read_json
from gateway.models import iso, now

HERE = Path(__file__).parent
HEARTBEAT_S = 15.0
routes = web.RouteTableDef()


def _page(name: str) -> str:
    return (HERE / "templates" / name).read_text(encoding="utf-8")


def _console(request: web.Request) -> Console:
    return request.app[CONSOLE]


async def _session(request: web.Request, *, post: bool = False) -> dict:
    """The operator of this request; POSTs must also carry the session's CSRF token."""
    session = await _console(request).accounts.session(request.cookies.get(COOKIE))
    if post and request.headers.get("X-CSRF-Token", "") != session["csrf"]:
        raise Forbidden("请求缺少有效的 CSRF 令牌，请刷新页面", code="csrf")
    return session


# -- pages ---------------------------------------------------------------------------------


@routes.get("/console/login")
async def login_page(request: web.Request) -> web.Response:
    return web.Response(text=_page("login.html"), content_type="text/html", headers=_NO_STORE)


@routes.get("/console")
async def console_page(request: web.Request) -> web.Response:
    try:
        session = await _session(request)
    except Unauthorized as exc:
        raise web.HTTPFound(f"/console/login?reason={exc.code}") from None
    html = _page("console.html").replace("{{csrf}}", session["csrf"])
    return web.Response(text=html, content_type="text/html", headers=_NO_STORE)


_NO_STORE = {"Cache-Control": "no-store"}  # the content policy and no-framing: gateway.http


# -- sign in and out -----------------------------------------------------------------------


@routes.post("/console/api/login")
async def login(request: web.Request) -> web.Response:
    body = await read_json(request)  # JSON only: a cross-site form cannot send it
    console = _console(request)
    try:
        token, session = await console.accounts.login(str(body.get("username", "")),
                                                      str(body.get("password", "")), client_of(request))
    except Unauthorized:
        await console.store.audit(iso(now()), str(body.get("username", ""))[:40], "login_failed", "", {})
        raise
    await console.store.audit(iso(now()), session["username"], "login", "", {})
    response = json_response({"operator": _me(session), "csrf": session["csrf"]})
    response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", path="/console",
                        secure=console.settings.cookie_secure,
                        max_age=console.settings.session_minutes * 60)
    return response


@routes.post("/console/api/logout")
async def logout(request: web.Request) -> web.Response:
    session = await _session(request, post=True)
    await _console(request).accounts.logout(request.cookies.get(COOKIE))
    await _console(request).store.audit(iso(now()), session["username"], "logout", "", {})
    response = json_response({"ok": True})
    response.del_cookie(COOKIE, path="/console")
    return response


@routes.get("/console/api/me")
async def me(request: web.Request) -> web.Response:
    session = await _session(request)
    return json_response({"operator": _me(session), "csrf": session["csrf"]})


def _me(session: dict) -> dict:
    return {k: session[k] for k in ("username", "display_name", "role", "seat_id")}


# -- the board: calls, call-backs, the review queue -----------------------------------------


@routes.get("/console/api/board")
async def board(request: web.Request) -> web.Response:
    session = await _session(request)
    console = _console(request)
    calls = await console.calls.recent(100)
    queue = await console.store.review_queue(workorders.HELD_STATUS, workorders.REVIEWABLE_STATUSES)
    return json_response({
        "calls": [console.call_for(c, session) for c in calls
                  if c["phase"] in ("ringing", "answered") or (c["phase"] == "ended" and not c["filed"])][:30],
        "recent": [console.call_for(c, session) for c in calls if c["phase"] == "ended" and c["filed"]][:20],
        "callbacks": [console.call_for(c, session) for c in calls
                      if c["phase"] == "missed" and not c.get("called_back")],
        "queue": [console.summary(d) for d in queue],
    })


@routes.get("/console/api/hotspots")
async def hotspots(request: web.Request) -> web.Response:
    """The 热点 panel: the hottest issues of the window (default the last 7 days)."""
    await _session(request)
    window = parse_window(request.query.get("window"))
    return json_response(request.app[HOTSPOTS].top(window, 10))


@routes.get("/console/api/categories")
async def categories(request: web.Request) -> web.Response:
    await _session(request)
    return json_response({"categories": _console(request).categories()})


@routes.get("/console/api/tickets/{case_no}")
async def ticket(request: web.Request) -> web.Response:
    session = await _session(request)
    return json_response(await _console(request).ticket_view(request.match_info["case_no"], session))


@routes.post("/console/api/tickets/{case_no}/{action}")
async def act(request: web.Request) -> web.Response:
    session = await _session(request, post=True)
    body = await read_json(request)
    fields = body.get("fields") or {}
    if not isinstance(fields, dict):
        raise Refusal("fields 须为对象", code="invalid_field", http_status=422)
    console = _console(request)
    doc = await console.cases.act(request.match_info["case_no"], request.match_info["action"],
                                 session["username"], fields, text=str(body.get("text", "")),
                                 target=str(body.get("target", "")))
    return json_response({"ticket": console.summary(doc), "status": doc["status"],
                          "status_name": doc["status_name"], "case_no": doc["case_no"],
                          "duplicate_of": doc.get("duplicate_of")})


@routes.post("/console/api/calls/{call_id}/called-back")
async def called_back(request: web.Request) -> web.Response:
    session = await _session(request, post=True)
    body = await read_json(request)
    console = _console(request)
    if console.hotline is None:
        raise NotFound("热线渠道未启用")
    call = await console.hotline.mark_called_back(request.match_info["call_id"], session["username"],
                                                 str(body.get("note", ""))[:200])
    await console.store.audit(iso(now()), session["username"], "called_back", call["call_id"],
                              {"note": str(body.get("note", ""))[:200]})
    return json_response({"call": console.call_for(call, session)})


@routes.get("/console/api/audio/{sha256}")
async def audio(request: web.Request) -> web.StreamResponse:
    await _session(request)
    console = _console(request)
    sha256 = request.match_info["sha256"]
    meta = await console.attachments.store.get_attachment(sha256)
    if not meta["content_type"].startswith("audio/"):
        raise NotFound("录音不存在")
    try:
        path = await console.attachments.local_path(sha256)
    except NotFound:
        raise NotFound("录音不存在") from None
    return web.FileResponse(path, headers={**file_headers(sha256, meta["content_type"]),
                                           "Content-Disposition": "inline"})  # the console plays it


# -- administration --------------------------------------------------------------------------


@routes.get("/console/api/operators")
async def operators(request: web.Request) -> web.Response:
    session = await _session(request)
    _admin(session)
    return json_response({"operators": await _console(request).store.operators()})


@routes.post("/console/api/operators")
async def add_operator(request: web.Request) -> web.Response:
    session = await _session(request, post=True)
    _admin(session)
    body = await read_json(request)
    console = _console(request)
    values = {name: body.get(name, default) for name, default in
              (("username", ""), ("password", ""), ("display_name", ""), ("role", "operator"), ("seat_id", ""))}
    wrong = [name for name, value in values.items() if not isinstance(value, str)]
    if wrong:
        raise Refusal(f"{'、'.join(wrong)} 须为文本", code="invalid_field", http_status=422)
    operator = await console.accounts.add(
        values["username"], values["password"], display_name=values["display_name"], role=values["role"],
        seat_id=values["seat_id"])
    await console.store.audit(iso(now()), session["username"], "add_operator", operator["username"],
                              {"role": operator["role"], "seat_id": operator["seat_id"]})
    operator.pop("password_hash", None)
    return json_response({"operator": operator}, status=201)


@routes.get("/console/api/audit")
async def audit(request: web.Request) -> web.Response:
    session = await _session(request)
    _admin(session)
    target = request.query.get("target") or None
    return json_response({"entries": await _console(request).store.audit_log(target)})


def _admin(session: dict) -> None:
    if session["role"] != "admin":
        raise Forbidden("仅管理员可以执行此操作")


# -- live updates ----------------------------------------------------------------------------


@routes.get("/console/events")
async def events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: "call" (a call changed), "ticket" (a work order an operator may
    need changed), "expired" (the session ended: log in again)."""
    token = request.cookies.get(COOKIE)
    console = _console(request)
    session = await console.accounts.session(token)
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream",
                                           "Cache-Control": "no-store", "X-Accel-Buffering": "no"})
    await response.prepare(request)
    await response.write(b"retry: 2000\n\n")
    task = asyncio.current_task()
    console.streams.add(task)
    try:
        await _stream(response, console, token, session)
    except asyncio.CancelledError:  # the server is shutting down
        pass
    finally:
        console.streams.discard(task)
    return response


async def _stream(response: web.StreamResponse, console, token: str | None, session: dict) -> None:
    with console.events.subscribe() as queue:
        while True:
            try:
                async with asyncio.timeout(HEARTBEAT_S):
                    topic, data = await queue.get()
            except TimeoutError:
                try:
                    session = await console.accounts.session(token)
                except Unauthorized:
                    await _send(response, "expired", {"message": "登录已过期，请重新登录"})
                    break
                await response.write(b": keep-alive\n\n")
                continue
            out = console.event_for(topic, data, session)
            if out is not None:
                try:
                    await _send(response, *out)
                except (ConnectionResetError, RuntimeError):
                    break


async def _send(response: web.StreamResponse, event: str, data: dict) -> None:
    payload = json.dumps(data, ensure_ascii=False).replace("\n", " ")
    await response.write(f"event: {event}\ndata: {payload}\n\n".encode())

