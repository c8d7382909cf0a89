"""HTTP plumbing shared by the API and the channels: JSON errors and the error middleware."""
from __future__ import annotations

import html
import logging

import orjson
from aiohttp import web

from gateway.appkeys import SETTINGS
from gateway.errors import BadJson, Refusal, StorageUnavailable, ValidationError
from gateway.guard import client_address

log = logging.getLogger("gateway.http")

# Chinese messages for the errors aiohttp raises itself.
HTTP_MESSAGES = {
    400: ("bad_request", "请求格式不正确"),
    401: ("unauthorized", "缺少或错误的访问令牌"),
    403: ("forbidden", "无权访问"),
    404: ("not_found", "未找到该地址"),
    405: ("method_not_allowed", "不支持该请求方法"),
    413: ("too_large", "提交的内容过大"),
    415: ("unsupported_media_type", "不支持的内容类型"),
}


def _dumps(value) -> str:
    return orjson.dumps(value).decode()


def json_response(data, status: int = 200, **kwargs) -> web.Response:
    return web.json_response(data, status=status, dumps=_dumps, **kwargs)


def json_error(status: int, code: str, message: str, *, retry_after_s: int | None = None,
               **extra) -> web.Response:
    if retry_after_s is None and status == 503:
        retry_after_s = 5
    headers = {"Retry-After": str(retry_after_s)} if retry_after_s is not None else None
    return json_response({"error": {"code": code, "message": message, **extra}},
                         status=status, headers=headers)


HTML_ERROR = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title></head>
<body><h1>{title}</h1><p>{message}</p><p><a href="/report">返回首页</a></p></body></html>
"""


def html_error(status: int, message: str, retry_after_s: int | None = None) -> web.Response:
    """The error page of the HTML side (the citizen's form, the console's pages)."""
    title = "出错了" if status >= 500 else "无法处理您的请求"
    if retry_after_s is None and status == 503:
        retry_after_s = 5
    return web.Response(text=HTML_ERROR.format(title=title, message=html.escape(message)),
                        status=status, content_type="text/html", charset="utf-8",
                        headers={"Retry-After": str(retry_after_s)} if retry_after_s is not None else None)


def client_of(request: web.Request) -> str:
    """The address of whoever sent `request` (see gateway.guard.client_address)."""
    return client_address(request, request.app[SETTINGS].security.trusted_proxies)


def wants_json(request: web.Request) -> bool:
    """Errors are JSON except on the HTML pages (the citizen's form, the console's pages)."""
    return (request.path.startswith(("/console/api/", "/console/events"))
            or not request.path.startswith(("/report", "/console")))


# Pages serve their own scripts and styles only, and are never framed (clickjacking).
PAGE_POLICY = ("default-src 'self'; img-src 'self' data: blob:; media-src 'self'; style-src 'self'; "
               "script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
               "base-uri 'none'; object-src 'none'")
# A file a citizen sent, served as a download that no browser runs as a page.
FILE_HEADERS = {"Content-Security-Policy": "sandbox; default-src 'none'", "X-Content-Type-Options": "nosniff",
                "Cross-Origin-Resource-Policy": "same-origin"}


def file_headers(sha256: str, content_type: str) -> dict[str, str]:
    """Headers for serving an attachment: its stored type, as a download, never sniffed."""
    extension = content_type.rsplit("/", 1)[-1].split("+")[0].replace("x-", "")[:8]
    return {**FILE_HEADERS, "Content-Type": content_type,
            "Content-Disposition": f'attachment; filename="{sha256[:16]}.{extension}"'}


@web.middleware
async def security_headers(request: web.Request, handler):
    """Every answer: no content sniffing; every HTML page: a content policy and no framing."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:  # redirects and errors aiohttp renders itself
        exc.headers.setdefault("X-Content-Type-Options", "nosniff")
        exc.headers.setdefault("X-Frame-Options", "DENY")
        raise
    if isinstance(response, web.StreamResponse) and not response.prepared:
        _secure(response)
    return response


def _secure(response: web.StreamResponse) -> None:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.content_type == "text/html":
        response.headers.setdefault("Content-Security-Policy", PAGE_POLICY)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")


@web.middleware
async def error_middleware(request: web.Request, handler):
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400 or not wants_json(request):
            raise
        code, message = HTTP_MESSAGES.get(exc.status, ("http_error", exc.reason))
        response = json_error(exc.status, code, message)
        if "Allow" in exc.headers:  # 405 says which methods the resource takes
            response.headers["Allow"] = exc.headers["Allow"]
        return response
    except Refusal as exc:
        retry = getattr(exc, "retry_after_s", None)
        if not wants_json(request):
            return html_error(exc.http_status, exc.message, retry)
        extra = {"field": exc.field} if isinstance(exc, ValidationError) else {}
        return json_error(exc.http_status, exc.code, exc.message, retry_after_s=retry, **extra)
    except StorageUnavailable as exc:
        log.warning("storage unavailable on %s: %s", request.path, exc)
        return _fault(request, 503, "unavailable", "系统暂时无法处理，请稍后重试")
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _fault(request, 500, "internal", "系统内部错误，已记录，请稍后重试")


def _fault(request: web.Request, status: int, code: str, message: str) -> web.Response:
    return json_error(status, code, message) if wants_json(request) else html_error(status, message)


def parse_json_object(body: bytes) -> dict:
    """A request body that must be a JSON object. Every endpoint and channel parses JSON
    here, so a malformed body gets the same answer everywhere (400 invalid_json); orjson
    refuses nesting deeper than 1,024 levels instead of recursing, and invalid UTF-8."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadJson(str(exc)) from None
    if not isinstance(data, dict):
        raise BadJson("请求体必须是 JSON 对象")
    return data


async def read_json(request: web.Request) -> dict:
    """The request's JSON object, or a 4xx that says what is wrong with it."""
    if request.content_type != "application/json":
        raise Refusal("请求体必须是 JSON（Content-Type: application/json）",
                      code="unsupported_media_type", http_status=415)
    return parse_json_object(await request.read())
