"""The core platform's API: the work-order change feed, single work orders, status updates
and attachment downloads. Every route needs the core's bearer token."""
from __future__ import annotations

import hmac
import re

from aiohttp import web

from gateway.appkeys import ATTACHMENTS, CASES, CORE_TOKEN, HOTSPOTS, SETTINGS, STORE
from gateway.cases import deadlines
from gateway.cases.workorders import STATUS_NAMES
from gateway.errors import ValidationError
from gateway.fields import identifier, text_field
from gateway.hotspots import parse_until, parse_window
from gateway.http import file_headers, json_error, json_response, read_json
from gateway.models import CASE_NO_PATTERN, now

routes = web.RouteTableDef()
CASE_NO = re.compile(CASE_NO_PATTERN)


def _authorized(request: web.Request) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    expected = request.app[CORE_TOKEN]
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), expected.encode())


@web.middleware
async def core_auth(request: web.Request, handler):
    if request.path.startswith(("/api/v1/workorders", "/api/v1/attachments", "/api/v1/subscriptions",
                                "/api/v1/figures", "/api/v1/hotspots")) and not _authorized(request):
        response = json_error(401, "unauthorized", "缺少或错误的访问令牌（Authorization: Bearer …）")
        response.headers["WWW-Authenticate"] = 'Bearer realm="gateway"'
        return response
    return await handler(request)


def _int_param(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError(name, f"参数 {name} 必须是整数，收到 '{raw}'") from None
    if not low <= value <= high:
        raise ValidationError(name, f"参数 {name} 必须在 {low} 到 {high} 之间")
    return value


@routes.get("/api/v1/workorders")
async def feed(request: web.Request) -> web.Response:
    max_limit = request.app[SETTINGS].core.feed_max_limit
    cursor = _int_param(request, "cursor", 0, 0, 2**62)
    limit = _int_param(request, "limit", 100, 1, max_limit)
    items, next_cursor = await request.app[STORE].feed(cursor, limit)
    return json_response({"items": items, "next_cursor": str(next_cursor),
                          "has_more": len(items) == limit})


@routes.get("/api/v1/workorders/{case_no}")
async def get_workorder(request: web.Request) -> web.Response:
    store = request.app[STORE]
    doc = await store.get_workorder(request.match_info["case_no"])
    doc["history"] = await store.history(doc["case_no"])
    return json_response(doc)


@routes.post("/api/v1/workorders/{case_no}/status")
async def post_status(request: web.Request) -> web.Response:
    body = await read_json(request)
    status = identifier(body.get("status"), "status", 32)
    update_id = _update_id(body)
    fields = {name: text_field(body.get(name), name, limit) for name, limit in (("note", 2000), ("department", 100))}
    doc = await request.app[CASES].change_status(
        request.match_info["case_no"], status, update_id=update_id, **fields)
    return json_response(doc)


@routes.post("/api/v1/workorders/{case_no}/clock")
async def post_clock(request: web.Request) -> web.Response:
    """Pause the case's clock while it waits for the citizen, or resume it."""
    body = await read_json(request)
    action = identifier(body.get("action"), "action", 16)
    note = text_field(body.get("note"), "note", 2000)
    doc = await request.app[CASES].clock_action(request.match_info["case_no"], action, note=note,
                                                update_id=_update_id(body, required=False))
    return json_response(doc)


@routes.get("/api/v1/figures/deadlines")
async def get_deadline_figures(request: web.Request) -> web.Response:
    """On-time share (open overdue cases count as late) by category, grid and channel;
    median hours to dispatch and to resolve."""
    docs = await request.app[STORE].workorders_in(STATUS_NAMES)
    return json_response(deadlines.figures(docs, now()))


@routes.get("/api/v1/hotspots")
async def get_hotspots(request: web.Request) -> web.Response:
    """The hottest issues (same problem, same place) with reports in the window."""
    window = parse_window(request.query.get("window"))
    limit = _int_param(request, "limit", 10, 1, 100)
    until = parse_until(request.query.get("until"))
    return json_response(request.app[HOTSPOTS].top(window, limit, until))


def _update_id(body: dict, required: bool = True) -> str | None:
    if body.get("update_id") is None and not required:
        return None
    return identifier(body.get("update_id"), "update_id", 128)


def _case_field(body: dict, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not CASE_NO.fullmatch(value):
        raise ValidationError(name, f"缺少 {name}（工单编号，格式如 20261121-000123）")
    return value


@routes.post("/api/v1/workorders/{case_no}/merge")
async def post_merge(request: web.Request) -> web.Response:
    body = await read_json(request)
    source = request.match_info["case_no"]
    target = _case_field(body, "into")
    note = text_field(body.get("note"), "note", 2000)
    docs = await request.app[CASES].merge(source, target, note=note, update_id=_update_id(body))
    return json_response({"merged": docs[source], "into": docs[target]})


@routes.post("/api/v1/workorders/{case_no}/split")
async def post_split(request: web.Request) -> web.Response:
    body = await read_json(request)
    case_no = request.match_info["case_no"]
    cases = request.app[CASES]
    if "merged_case" in body:
        merged = _case_field(body, "merged_case")
        docs = await cases.unmerge(case_no, merged, update_id=_update_id(body, required=False))
        return json_response({"from": docs[case_no], "split": docs[merged]})
    channel, channel_ref = body.get("channel"), body.get("channel_ref")
    if not (isinstance(channel, str) and channel and isinstance(channel_ref, str) and channel_ref):
        raise ValidationError("channel_ref", "请提供要拆出的反映（channel 与 channel_ref），或被合并的工单（merged_case）")
    docs = await cases.split_report(case_no, channel, channel_ref)
    new_case = next(no for no in docs if no != case_no)
    return json_response({"from": docs[case_no], "split": docs[new_case]})


@routes.get("/api/v1/attachments/{sha256}")
async def get_attachment(request: web.Request) -> web.StreamResponse:
    attachments = request.app[ATTACHMENTS]
    sha256 = request.match_info["sha256"]
    meta = await attachments.store.get_attachment(sha256)
    path = await attachments.local_path(sha256)
    return web.FileResponse(path, headers=file_headers(sha256, meta["content_type"]))
