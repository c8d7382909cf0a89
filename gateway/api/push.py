"""The push subscriptions' API (core platform's token): list, add, pause and resume
subscriptions, inspect and replay their dead letters. Served while [push] is enabled."""
from __future__ import annotations

import re

import orjson
from aiohttp import web

from gateway.appkeys import PUSH, STORE
from gateway.errors import NotFound, ValidationError
from gateway.http import json_response, read_json
from gateway.models import CASE_NO_PATTERN
from gateway.settings import PUSH_EVENTS, check_subscription
from gateway.store.push import PushRecords

routes = web.RouteTableDef()
FIELD_OF = {"name": "name", "url": "url", "secret": "secret", "events": "events"}


@routes.get("/api/v1/subscriptions")
async def list_subscriptions(request: web.Request) -> web.Response:
    return json_response({"items": await request.app[PUSH].status()})


async def _entry(request: web.Request, name: str) -> dict:
    for entry in await request.app[PUSH].status():
        if entry["name"] == name:
            return entry
    raise NotFound(f"没有名为 {name} 的推送订阅")


@routes.post("/api/v1/subscriptions")
async def add_subscription(request: web.Request) -> web.Response:
    body = await read_json(request)
    events = body.get("events", list(PUSH_EVENTS))
    try:
        check_subscription(body.get("name"), body.get("url"), body.get("secret"), events)
    except ValueError as exc:
        field = str(exc).split(":", 1)[0]
        raise ValidationError(FIELD_OF.get(field, "name"), f"订阅字段不正确：{exc}") from None
    from_seq = body.get("from_seq")
    if isinstance(from_seq, float) and from_seq.is_integer():
        from_seq = int(from_seq)
    if "from_seq" in body and (not isinstance(from_seq, int) or isinstance(from_seq, bool)
                               or not 0 <= from_seq < 2**62):
        raise ValidationError("from_seq", "from_seq 须为非负整数（从该序号之后的变更开始推送）")
    await request.app[PUSH].add(body["name"], body["url"], body["secret"], list(dict.fromkeys(events)), from_seq)
    return json_response(await _entry(request, body["name"]), 201)


NAME = re.compile(r"[A-Za-z0-9_\-]{1,64}")


def _name(request: web.Request) -> str:
    name = request.match_info["name"]
    if not NAME.fullmatch(name):
        raise ValidationError("name", "订阅名须为 1–64 位字母、数字、- 或 _")
    return name


@routes.post("/api/v1/subscriptions/{name}/pause")
async def pause(request: web.Request) -> web.Response:
    name = _name(request)
    await request.app[PUSH].set_paused(name, True)
    return json_response(await _entry(request, name))


@routes.post("/api/v1/subscriptions/{name}/resume")
async def resume(request: web.Request) -> web.Response:
    name = _name(request)
    await request.app[PUSH].set_paused(name, False)
    return json_response(await _entry(request, name))


def _case_no(value, given: bool) -> str:
    if not given:
        return ""
    if not isinstance(value, str) or not re.fullmatch(CASE_NO_PATTERN, value):
        raise ValidationError("case_no", "case_no 须为工单编号（如 20261121-000123）")
    return value


@routes.get("/api/v1/subscriptions/{name}/dead-letters")
async def dead_letters(request: web.Request) -> web.Response:
    records = PushRecords(request.app[STORE])
    sub = await records.subscription(_name(request))
    case_no = _case_no(request.query.get("case_no"), "case_no" in request.query)
    rows = await records.dead_letters(sub["id"], case_no, limit=500, with_doc=True)
    items = [{**{k: v for k, v in r.items() if k != "doc"}, "document": orjson.loads(r["doc"])} for r in rows]
    return json_response({"items": items})


@routes.post("/api/v1/subscriptions/{name}/dead-letters/replay")
async def replay(request: web.Request) -> web.Response:
    body = await read_json(request) if request.can_read_body else {}
    name = _name(request)
    count = await request.app[PUSH].replay(name, _case_no(body.get("case_no"), "case_no" in body))
    return json_response({"replayed": count})
