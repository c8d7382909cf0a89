"""A bare aiohttp JSON handler: the ceiling the gateway's intake is compared with."""
import json
import sys

from aiohttp import web


async def report(request: web.Request) -> web.Response:
    data = json.loads(await request.read())
    return web.json_response({"case_no": "20261121-000001", "echo": len(data)}, status=201)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


app = web.Application()
app.router.add_post("/api/v1/reports", report)
app.router.add_get("/healthz", healthz)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
