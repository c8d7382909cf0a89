"""The OpenAPI document at /api/openapi.json: the core platform's API, plus the console's
and each enabled channel's fragment (`channels/openapi/<name>.json`), so that it lists only
the routes this gateway serves."""
from __future__ import annotations

import json
from pathlib import Path

from aiohttp import web

from channels import CHANNELS
from gateway.appkeys import SETTINGS

HERE = Path(__file__).parent
CORE = HERE / "openapi.json"
CONSOLE = HERE / "console.openapi.json"
PUSH = HERE / "push.openapi.json"
CHANNEL_FRAGMENTS = Path(CHANNELS["webform"].__file__).parent / "openapi"


def load_openapi(settings) -> dict:
    """The API document for these settings."""
    spec = json.loads(CORE.read_text(encoding="utf-8"))
    fragments = [CONSOLE] if settings.console.enabled else []
    fragments += [PUSH] if settings.push.enabled else []
    fragments += [CHANNEL_FRAGMENTS / f"{name}.json" for name in CHANNELS
                  if settings.channel(name).enabled and (CHANNEL_FRAGMENTS / f"{name}.json").exists()]
    for fragment in fragments:
        part = json.loads(fragment.read_text(encoding="utf-8"))
        spec["paths"].update(part.get("paths", {}))
        components = part.get("components", {})
        for kind in ("schemas", "securitySchemes", "responses", "parameters"):
            if kind in components:
                spec["components"].setdefault(kind, {}).update(components[kind])
        known = {t["name"] for t in spec.setdefault("tags", [])}
        spec["tags"] += [t for t in part.get("tags", []) if t["name"] not in known]
    return spec


async def openapi_handler(request: web.Request) -> web.Response:
    return web.json_response(load_openapi(request.app[SETTINGS]),
                             dumps=lambda v: json.dumps(v, ensure_ascii=False))
