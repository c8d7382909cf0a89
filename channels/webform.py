"""The web-form channel: a phone-friendly Chinese page at /report, the same intake as JSON
at POST /api/v1/reports, and the reporter's status page (case number + check code)."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import orjson
from aiohttp import MultipartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from channels.base import BaseChannel, IntakeService
from channels.phones import normalize_phone
from gateway.errors import NotFound, Refusal, ValidationError
from gateway.fields import geo_point, text_field
from gateway.guard import TooManyAttempts
from gateway.http import client_of, json_error, json_response, parse_json_object
from gateway.models import ACCEPTED, ATTACHED, UNAVAILABLE, GeoPoint, Intake, Reporter, SubmitResult

TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
)
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_\-]{8,128}$")
CASE_PATTERN = re.compile(r"^\d{8}-\d{6}$")
TRUE_WORDS = {"1", "true", "on", "yes", "是"}
FALSE_WORDS = {"", "0", "false", "off", "no", "否"}


@dataclass
class WebformSettings:
    # The form and its JSON API are the gateway's own front door: on unless turned off.
    enabled: bool = True
    max_photos: int = 4
    max_photo_mb: float = 8.0
    max_description_chars: int = 4000
    photo_types: list[str] = field(
        default_factory=lambda: ["image/jpeg", "image/png", "image/gif", "image/webp"]
    )

    def problems(self) -> list[str]:
        if self.max_photos < 0 or self.max_photo_mb <= 0:
            return ["max_photos, max_photo_mb: limits must be positive"]
        return []


Settings = WebformSettings


def create(service: IntakeService, settings: WebformSettings) -> WebFormChannel:
    return WebFormChannel(service, settings)


@dataclass
class Photo:
    filename: str
    data: bytes


class WebFormChannel(BaseChannel):
    """The web form has no way to reach the citizen later: they look at the status page."""

    name = "webform"

    def __init__(self, service: IntakeService, settings):
        self.service = service
        self.settings = settings
        # A form with every photo at its largest, and room for the text fields.
        self.form_limit = int((settings.max_photos * settings.max_photo_mb + 1) * 1024 * 1024)

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/report", self.form_page)
        app.router.add_post("/report", self.form_submit)
        app.router.add_get("/report/status", self.status_page)
        app.router.add_post("/api/v1/reports", self.api_submit)
        app.router.add_get("/api/v1/reports/{case_no}", self.api_status)
        app.router.add_static("/report/static", Path(__file__).parent / "static")

    # -- parsing (shared by the page and the API) ---------------------------------------

    def build_intake(self, fields: dict, photos: list[Photo]) -> tuple[Intake, list[Photo]]:
        s = self.settings
        for key in fields:  # other fields are ignored, but a name must be a name
            if not isinstance(key, str) or FIELD_NAME_UNFIT.search(key):
                raise ValidationError("fields", "表单字段名含有控制字符或引号", http_status=422)
        description = _text(fields, "description", s.max_description_chars).strip()
        if not description:
            raise ValidationError("description", "请填写问题描述")
        address = _text(fields, "address", 200).strip()
        name = _text(fields, "name", 50).strip()
        phone_raw = _text(fields, "phone", 30).strip()
        phone = normalize_phone(phone_raw) if phone_raw else ""
        if phone is None:
            raise ValidationError("phone", "联系电话格式不正确，请填写手机号或带区号的固定电话")
        anonymous = _flag(fields.get("anonymous"))
        point = _point(fields.get("lat"), fields.get("lng"))
        token = fields.get("submission_token")
        token = "" if token is None else token
        if not isinstance(token, str) or (token and not TOKEN_PATTERN.match(token)):
            raise ValidationError("submission_token", "submission_token 须为 8–128 位字母、数字、- 或 _")
        if len(photos) > s.max_photos:
            raise ValidationError("photos", f"最多上传 {s.max_photos} 张照片", http_status=413)
        intake = Intake(
            channel="webform",
            external_id=token or uuid.uuid4().hex,
            text=description,
            address=address,
            point=point,
            reporter=Reporter(name="" if anonymous else name, phone="" if anonymous else phone,
                              contact_channel="webform", anonymous=anonymous),
            # As submitted, less what an anonymous reporter chose not to give us.
            raw=orjson.dumps({k: v for k, v in fields.items()
                              if (isinstance(v, (str, int, float, bool)) or v is None)
                              and not (anonymous and k in ("name", "phone"))}).decode(),
        )
        return intake, photos

    async def _submit(self, intake: Intake, photos: list[Photo]) -> SubmitResult:
        s = self.settings
        # Every photo checked, then all kept, before the report is stored.
        intake.attachments += await self.service.save_attachments(
            [(p.data, p.filename) for p in photos], allowed_types=s.photo_types,
            max_bytes=int(s.max_photo_mb * 1024 * 1024))
        return await self.service.submit(intake)

    # -- JSON API -----------------------------------------------------------------------

    async def api_submit(self, request: web.Request) -> web.Response:
        if request.content_type == "application/json":
            fields = parse_json_object(await request.read())  # BadJson: the middleware answers
            photos: list[Photo] = []
        elif request.content_type == "multipart/form-data":
            fields, photos = await _read_form(request, self.form_limit)
        else:
            raise Refusal("请以 application/json 或 multipart/form-data 提交", code="unsupported_media_type",
                          http_status=415)
        # A refusal (bad field, bad photo) is answered by the error middleware, as everywhere.
        intake, photos = self.build_intake(fields, photos)
        result = await self._submit(intake, photos)
        if result.outcome == UNAVAILABLE:
            return json_error(503, "unavailable", result.reason)
        if result.outcome not in (ACCEPTED, ATTACHED):
            return json_error(422, "rejected", result.reason or "无法受理该反映")
        body = {
            "case_no": result.case_no, "check_code": result.check_code, "outcome": result.outcome,
            "status": result.status, "repeated": result.repeated,
            "status_url": f"/report/status?case_no={result.case_no}&code={result.check_code}",
        }
        return json_response(body, 200 if result.repeated else 201)

    async def api_status(self, request: web.Request) -> web.Response:
        case = await self.service.public_status(request.match_info["case_no"], request.query.get("code", ""),
                                                client_of(request))
        return json_response(case)

    # -- HTML pages ---------------------------------------------------------------------

    def _render(self, name: str, status: int = 200, retry_after: int | None = None, **context) -> web.Response:
        html = TEMPLATES.get_template(name).render(**context)
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        return web.Response(text=html, status=status, content_type="text/html", charset="utf-8", headers=headers)

    def _form(self, status: int = 200, error: str = "", form: dict | None = None) -> web.Response:
        s = self.settings
        return self._render("report.html", status, token=uuid.uuid4().hex, error=error,
                            form=_FormValues(form or {}), max_photos=s.max_photos,
                            max_photo_mb=int(s.max_photo_mb), max_chars=s.max_description_chars)

    async def form_page(self, request: web.Request) -> web.Response:
        return self._form()

    async def form_submit(self, request: web.Request) -> web.Response:
        if request.content_type not in ("multipart/form-data", "application/x-www-form-urlencoded"):
            return self._form(415, "请通过本页面的表单提交")
        try:
            fields, photos = await _read_form(request, self.form_limit)
        except web.HTTPRequestEntityTooLarge:
            return self._form(413, "提交的内容过大，请减少照片数量或压缩照片后重试")
        except Refusal as exc:
            return self._form(exc.http_status, exc.message)
        try:
            intake, photos = self.build_intake(fields, photos)
            result = await self._submit(intake, photos)
        except Refusal as exc:
            return self._form(exc.http_status, exc.message, fields)
        if result.outcome == UNAVAILABLE:
            return self._form(503, "系统繁忙，暂时无法保存您的反映，请稍后再点一次提交（不会重复登记）。", fields)
        return self._render("done.html", 200 if result.repeated else 201, case_no=result.case_no,
                            check_code=result.check_code, outcome=result.outcome,
                            repeated=result.repeated)

    async def status_page(self, request: web.Request) -> web.Response:
        case_no = request.query.get("case_no", "").strip()
        code = request.query.get("code", "").strip()
        if not case_no and not code:
            return self._render("status.html", case=None, case_no="", code="", error="")
        try:
            if not CASE_PATTERN.match(case_no):
                raise NotFound("工单编号格式应为 8 位日期-6 位序号，例如 20261121-000123")
            case = await self.service.public_status(case_no, code, client_of(request))
        except TooManyAttempts as exc:
            return self._render("status.html", 429, case=None, case_no=case_no, code=code, error=exc.message,
                                retry_after=exc.retry_after_s)
        except NotFound as exc:
            return self._render("status.html", 404, case=None, case_no=case_no, code=code,
                                error=exc.message)
        return self._render("status.html", case=case, case_no=case_no, code=code, error="")


class _FormValues(dict):
    def __getattr__(self, name: str) -> str:
        value = self.get(name, "")
        return value if isinstance(value, str) else ("1" if value else "")


PHOTO_FIELD = "photos"
FIELD_NAME_UNFIT = re.compile(r'[\x00-\x1f\x7f-\x9f"\\]')
FORM_ERRORS = (ValueError, UnicodeDecodeError, LookupError, AssertionError, TypeError, HttpProcessingError)


async def _read_form(request: web.Request, limit: int) -> tuple[dict, list[Photo]]:
    """The form's fields and photos; a body that is not a well-formed form (no boundary,
    no starting boundary, undecodable text, a broken part header) is a 400, never a 500.
    A part is a photo when it is named "photos" or carries a file name. More than `limit`
    bytes in all is a 413, found before they are all read."""
    fields: dict = {}
    photos: list[Photo] = []
    try:
        if request.content_type != "multipart/form-data":
            fields = dict(await request.post())
            return fields, photos
        if (request.content_length or 0) > limit:
            raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=request.content_length)
        reader = await request.multipart()
        total = 0
        while (part := await reader.next()) is not None:
            if isinstance(part, MultipartReader):  # a nested multipart: not what the form sends
                raise ValueError("nested multipart")
            data = bytearray()
            while chunk := await part.read_chunk():
                data += chunk
                total += len(chunk)
                if total > limit:
                    raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=total)
            if part.name == PHOTO_FIELD or part.filename:
                if data:  # an empty file input sends an empty part
                    photos.append(Photo(part.filename or "", bytes(data)))
            elif part.name:
                fields[part.name] = bytes(data).decode(part.get_charset("utf-8"))
        return fields, photos
    except web.HTTPRequestEntityTooLarge:
        raise
    except FORM_ERRORS as exc:
        raise Refusal(f"表单格式不正确（{type(exc).__name__}），请重新填写后提交",
                      code="invalid_form", http_status=400) from None


def _text(fields: dict, name: str, limit: int) -> str:
    return text_field(fields.get(name), name, limit, label=FIELD_NAMES.get(name, name))


def _flag(value) -> bool:
    """A yes/no field: a JSON boolean, or what a checkbox or a form sends."""
    if value is None or isinstance(value, bool):
        return bool(value)
    word = value.strip().lower() if isinstance(value, str) else None
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValidationError("anonymous", "anonymous 须为 true 或 false")


def _point(lat, lng) -> GeoPoint | None:
    if lat in (None, "") and lng in (None, ""):
        return None
    point = geo_point(lat, lng)
    if point is None:
        raise ValidationError("lat", "经纬度须为数字且在范围内（纬度 -90~90，经度 -180~180），lat 与 lng 须同时提供")
    return point


FIELD_NAMES = {"description": "问题描述", "address": "地点", "name": "姓名", "phone": "联系电话"}

