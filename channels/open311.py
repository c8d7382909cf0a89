"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): the taxonomy as services,
service requests filed through the same intake as every channel, and read back with the
grid-management status mapped to open/closed. JSON and XML, errors as the specification
says (a list of {code, description}, with the HTTP status as code).

    GET  {prefix}/discovery.json|.xml
    GET  {prefix}/services.json|.xml                   the taxonomy's leaves, grouped
    GET  {prefix}/services/{service_code}.json|.xml    the questions a service asks
    GET  {prefix}/requests.json|.xml                   filters: service_request_id,
         service_code, start_date, end_date, status (open, closed)
    POST {prefix}/requests.json|.xml                   api_key, service_code, lat/long or
         address_string, description, media_url, attribute[…], contact fields
    GET  {prefix}/requests/{service_request_id}.json|.xml

Requests are answered synchronously (the case number is the service_request_id), so there
are no tokens. The service code the client chose is the category (it wins over the
classifier, as a citizen's choice does in chat); the report is still located and checked
against open cases, and joins one when it repeats it. Reads are public, as the
specification has them: they show no reporter's name, phone or e-mail, and numbers and
addresses inside a description are masked."""
from __future__ import annotations

import hashlib
import hmac
import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree as ET

import orjson
from aiohttp import web

from channels.base import BaseChannel, IntakeService
from channels.phones import normalize_phone
from gateway.errors import BadJson, Refusal, StorageUnavailable
from gateway.fields import geo_point, identifier, text_field
from gateway.models import ACCEPTED, ATTACHED, CASE_NO_PATTERN, CST, UNAVAILABLE, Intake, Reporter, iso, now

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = "{fmt}"
MEDIA_TYPES = {"json": "application/json", "xml": "text/xml"}
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
CASE_NO = re.compile(CASE_NO_PATTERN)
# What a public read masks in a description: e-mail addresses and runs of 7+ digits
# (phone, ID and card numbers), spaces and dashes inside them included.
EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
NUMBER_IN_TEXT = re.compile(r"(?<!\d)\+?\d(?:[\d \-]{5,}\d)(?!\d)")
ATTRIBUTE_KEY = re.compile(r"^attribute\[([A-Za-z0-9_\-]{1,64})\](\[\])?$")
MAX_RANGE = timedelta(days=90)


@dataclass
class Open311Settings:
    enabled: bool = False
    path_prefix: str = "/open311/v2"
    # Keys of the clients allowed to POST requests (each at least 16 characters).
    api_keys: list[str] = field(default_factory=list)
    # Optional: the jurisdiction this endpoint serves; a request naming another is refused.
    jurisdiction_id: str = ""
    # The questions a service asks (attributes), by service code (data administrators edit).
    questions: str = "channels/data/open311_questions.toml"
    contact: str = "12345 市民服务热线"
    max_description_chars: int = 4000
    # Most requests one GET returns (newest first).
    max_requests: int = 200

    def problems(self) -> list[str]:
        problems = []
        if not self.path_prefix.startswith("/") or self.path_prefix.endswith("/"):
            problems.append("path_prefix: must start with / and not end with /")
        if any(len(k) < 16 for k in self.api_keys):
            problems.append("api_keys: every key must be at least 16 characters")
        if self.max_requests < 1:
            problems.append("max_requests: must be positive")
        try:
            load_questions(_project_path(self.questions))
        except (OSError, ValueError) as exc:
            problems.append(f"questions: {exc}")
        return problems


Settings = Open311Settings


def create(service: IntakeService, settings: Open311Settings) -> Open311Channel:
    return Open311Channel(service, settings)


def _project_path(value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else Path(__file__).resolve().parent.parent / path


def load_questions(path: Path) -> dict[str, list[dict]]:
    """service code -> its attributes, from the data file (checked: a ValueError names the
    entry and what is wrong)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    questions: dict[str, list[dict]] = {}
    for index, entry in enumerate(data.get("question", []), 1):
        where = f"{path.name}: [[question]] #{index}"
        codes = entry.get("service_codes")
        if not isinstance(codes, list) or not codes or not all(isinstance(c, str) for c in codes):
            raise ValueError(f"{where}: service_codes must be a non-empty list of codes")
        code, description = entry.get("code"), entry.get("description")
        if not (isinstance(code, str) and re.fullmatch(r"[A-Za-z0-9_\-]{1,64}", code)):
            raise ValueError(f"{where}: code must be 1–64 letters, digits, - or _")
        if not isinstance(description, str) or not description:
            raise ValueError(f"{where}: description is required")
        datatype = entry.get("datatype", "string")
        if datatype not in DATATYPES:
            raise ValueError(f"{where}: datatype must be one of {', '.join(sorted(DATATYPES))}")
        values = entry.get("values", [])
        if datatype.endswith("valuelist") and not values:
            raise ValueError(f"{where}: a {datatype} needs values")
        if not all(isinstance(v, dict) and isinstance(v.get("key"), str) and isinstance(v.get("name"), str)
                   for v in values):
            raise ValueError(f"{where}: every value needs a key and a name")
        for service_code in codes:
            attributes = questions.setdefault(service_code, [])
            attributes.append({
                "variable": True, "code": code, "datatype": datatype,
                "required": bool(entry.get("required", False)),
                "datatype_description": entry.get("datatype_description", ""),
                "order": len(attributes) + 1, "description": description,
                "values": [{"key": v["key"], "name": v["name"]} for v in values],
            })
    return questions


class Open311Error(Exception):
    """An answer in the specification's error format."""

    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


class Open311Channel(BaseChannel):
    name = "open311"

    def __init__(self, service: IntakeService, settings: Open311Settings):
        self.service = service
        self.settings = settings
        self.questions = load_questions(_project_path(settings.questions))
        self._services: dict[str, dict] | None = None

    def add_routes(self, app: web.Application) -> None:
        p = self.settings.path_prefix
        app.router.add_get(f"{p}/discovery.{FORMATS}", self._answering(self.discovery))
        app.router.add_get(f"{p}/services.{FORMATS}", self._answering(self.service_list))
        app.router.add_get(f"{p}/services/{{service_code}}.{FORMATS}", self._answering(self.service_definition))
        app.router.add_get(f"{p}/requests.{FORMATS}", self._answering(self.list_requests))
        app.router.add_post(f"{p}/requests.{FORMATS}", self._answering(self.post_request))
        app.router.add_get(f"{p}/requests/{{service_request_id}}.{FORMATS}", self._answering(self.get_request))

    # -- the services (the taxonomy) ----------------------------------------------------

    @property
    def services(self) -> dict[str, dict]:
        if self._services is None:  # the taxonomy is fixed while the gateway runs
            self._services = {c["code"]: c for c in self.service.categories()}
        return self._services

    def _service_entry(self, category: dict) -> dict:
        return {
            "service_code": category["code"],
            "service_name": category["name"],
            "description": " / ".join(category["path"]),
            "metadata": category["code"] in self.questions,
            "type": "realtime",
            "keywords": ", ".join(category["keywords"][:20]),
            "group": category["group"],
        }

    async def discovery(self, request: web.Request, fmt: str):
        base = f"{request.scheme}://{request.host}{self.settings.path_prefix}"
        return ("discovery", {
            "changeset": "2026-11-30T00:00:00+08:00",
            "contact": self.settings.contact,
            "key_service": "向 12345 热线管理员申请 api_key",
            "endpoints": [{"specification": SPECIFICATION, "url": base, "changeset": "2026-11-30T00:00:00+08:00",
                           "type": "production", "formats": ["application/json", "text/xml"]}],
        })

    async def service_list(self, request: web.Request, fmt: str):
        return ("services", [self._service_entry(c) for c in self.services.values()])

    async def service_definition(self, request: web.Request, fmt: str):
        code = request.match_info["service_code"]
        if code not in self.services:
            raise Open311Error(404, f"没有服务代码 {code}（见 services.{fmt}）")
        return ("service_definition", {"service_code": code, "attributes": self.questions.get(code, [])})

    # -- reading requests ---------------------------------------------------------------

    async def list_requests(self, request: web.Request, fmt: str):
        q = request.query
        self._check_jurisdiction(q.get("jurisdiction_id"))
        ids = _comma_list(q.get("service_request_id"))
        if ids:
            bad = [i for i in ids if not CASE_NO.fullmatch(i)]
            if bad:
                raise Open311Error(400, f"service_request_id 格式应为工单编号（如 20261121-000123），收到 {bad[0]}")
            cases = await self.service.find_cases(case_nos=ids[:self.settings.max_requests],
                                                  limit=self.settings.max_requests)
            return ("service_requests", [self._request_entry(c) for c in cases])
        codes = _comma_list(q.get("service_code"))
        unknown = [c for c in codes if c not in self.services]
        if unknown:
            raise Open311Error(400, f"没有服务代码 {unknown[0]}")
        start, end = _date(q.get("start_date"), "start_date"), _date(q.get("end_date"), "end_date")
        if start and end and start > end:
            raise Open311Error(400, "start_date 不能晚于 end_date")
        if start and end and end - start > MAX_RANGE:
            raise Open311Error(400, "start_date 与 end_date 相隔不能超过 90 天")
        if start is None and end is None:
            start = now() - MAX_RANGE
        elif start is None:
            start = end - MAX_RANGE
        statuses = set(_comma_list(q.get("status")))
        if statuses - {"open", "closed"}:
            raise Open311Error(400, "status 只能是 open 或 closed（可用逗号同时给出）")
        open_cases = None if len(statuses) != 1 else statuses == {"open"}
        cases = await self.service.find_cases(
            categories=codes or None, created_from=iso(start), created_to=iso(end) if end else "",
            open_cases=open_cases, limit=self.settings.max_requests)
        return ("service_requests", [self._request_entry(c) for c in cases])

    async def get_request(self, request: web.Request, fmt: str):
        self._check_jurisdiction(request.query.get("jurisdiction_id"))
        case_no = request.match_info["service_request_id"]
        cases = await self.service.find_cases(case_nos=[case_no]) if CASE_NO.fullmatch(case_no) else []
        if not cases:
            raise Open311Error(404, f"没有服务请求 {case_no}")
        return ("service_requests", [self._request_entry(cases[0])])

    def _request_entry(self, case: dict) -> dict:
        """A case as an Open311 service request."""
        notes = case["status_name"] + (f"：{case['status_note']}" if case["status_note"] else "")
        if case.get("duplicate_of"):
            notes += f"（已并入 {case['duplicate_of']}）"
        return {
            "service_request_id": case["case_no"],
            "status": "open" if case["open"] else "closed",
            "status_notes": notes,
            "service_name": case["category"],
            "service_code": case["category_code"],
            "description": mask_text(case["description"]),
            "agency_responsible": case["department"],
            "service_notice": "",
            "requested_datetime": case["created_at"],
            "updated_datetime": case["updated_at"],
            "expected_datetime": case["due_at"] or "",
            "address": case["address"],
            "address_id": "",
            "zipcode": "",
            "lat": case["lat"],
            "long": case["lng"],
            "media_url": "",
        }

    # -- posting a request ----------------------------------------------------------------

    async def post_request(self, request: web.Request, fmt: str):
        fields, attributes = await _read_post(request)
        self._check_api_key(fields.get("api_key", ""))
        self._check_jurisdiction(fields.get("jurisdiction_id"))
        intake = self.build_intake(fields, attributes, request.headers.get("Idempotency-Key"))
        result = await self.service.submit(intake)
        if result.outcome == UNAVAILABLE:
            raise Open311Error(503, result.reason or "系统繁忙，请稍后重试（重发同一请求不会重复登记）")
        if result.outcome not in (ACCEPTED, ATTACHED):
            raise Open311Error(400, result.reason or "无法受理该请求")
        notice = (f"已受理，工单编号 {result.case_no}，查询码 {result.check_code}"
                  + ("（与已有工单为同一问题，已合并办理）" if result.outcome == ATTACHED else ""))
        answer = [{"service_request_id": result.case_no, "service_notice": notice, "account_id": None}]
        return ("service_requests", answer, 200 if result.repeated else 201)

    def build_intake(self, fields: dict[str, str], attributes: dict[str, list[str]],
                     idempotency_key: str | None) -> Intake:
        code = fields.get("service_code", "")
        if not code:
            raise Open311Error(400, "缺少 service_code（见 services.json）")
        if code not in self.services:
            raise Open311Error(404, f"没有服务代码 {code}（见 services.json）")
        description = _text(fields, "description", self.settings.max_description_chars)
        address = _text(fields, "address_string", 200)
        point = None
        if fields.get("lat") or fields.get("long"):
            point = geo_point(fields.get("lat"), fields.get("long"))
            if point is None:
                raise Open311Error(400, "lat 与 long 须同时给出，且为范围内的数字（WGS-84）")
        if point is None and not address and not fields.get("address_id"):
            raise Open311Error(400, "请提供位置：lat 与 long，或 address_string")
        answers = self._answers(code, attributes)
        text = "\n".join(part for part in (description, answers) if part)
        if not text:
            raise Open311Error(400, "请填写 description（问题描述）")
        phone = ""
        if fields.get("phone"):
            phone = normalize_phone(_text(fields, "phone", 30)) or ""
            if not phone:
                raise Open311Error(400, "phone 不是有效的电话号码")
        email = _text(fields, "email", 254)
        if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
            raise Open311Error(400, "email 格式不正确")
        name = " ".join(p for p in (_text(fields, "last_name", 50), _text(fields, "first_name", 50)) if p)
        media_url = _text(fields, "media_url", 2000)
        if media_url and not media_url.startswith(("http://", "https://")):
            raise Open311Error(400, "media_url 须为 http(s) 地址")
        kept = {k: v for k, v in fields.items() if k != "api_key"}
        if idempotency_key is not None:
            try:
                external_id = "key:" + identifier(idempotency_key, "Idempotency-Key", 128)
            except Refusal as exc:
                raise Open311Error(400, exc.message) from None
        else:
            # The same request sent again the same day (a retry) files one case.
            digest = hashlib.sha256(orjson.dumps(
                [now().date().isoformat(), sorted(kept.items()), sorted(attributes.items())])).hexdigest()
            external_id = "req:" + digest[:40]
        return Intake(
            channel=self.name, external_id=external_id, text=text, address=address, point=point,
            reporter=Reporter(name=name, phone=phone, contact_channel=self.name,
                              anonymous=not (name or phone or email)),
            category_hint=code,
            # As posted (the contact fields are private: the store is not public), less the key.
            raw=orjson.dumps({**kept, "attributes": attributes}).decode(),
        )

    def _answers(self, code: str, attributes: dict[str, list[str]]) -> str:
        """The answers to the service's questions, checked, as lines of the report's text."""
        lines = []
        known = {a["code"]: a for a in self.questions.get(code, [])}
        unknown = sorted(set(attributes) - set(known))
        if unknown:
            raise Open311Error(400, f"服务 {code} 没有问题 attribute[{unknown[0]}]")
        for question in known.values():
            given = [v for v in attributes.get(question["code"], []) if v.strip()]
            if not given:
                if question["required"]:
                    raise Open311Error(400, f"请回答 attribute[{question['code']}]：{question['description']}")
                continue
            if question["datatype"].endswith("valuelist"):
                names = {v["key"]: v["name"] for v in question["values"]}
                wrong = [v for v in given if v not in names]
                if wrong or (question["datatype"] == "singlevaluelist" and len(given) > 1):
                    raise Open311Error(400, f"attribute[{question['code']}] 可选值：{', '.join(names)}")
                given = [names[v] for v in given]
            elif question["datatype"] == "number":
                try:
                    float(given[0])
                except ValueError:
                    raise Open311Error(400, f"attribute[{question['code']}] 须为数字") from None
            answer = "、".join(text_field(v, "attribute", 500) for v in given)
            lines.append(f"{question['description']}：{answer}")
        return "\n".join(lines)

    def _check_api_key(self, key: str) -> None:
        if not any(hmac.compare_digest(key.encode(), k.encode()) for k in self.settings.api_keys):
            raise Open311Error(403, "api_key 缺失或无效")

    def _check_jurisdiction(self, jurisdiction: str | None) -> None:
        if jurisdiction and self.settings.jurisdiction_id and jurisdiction != self.settings.jurisdiction_id:
            raise Open311Error(404, f"本接口不服务辖区 {jurisdiction}")

    # -- answers --------------------------------------------------------------------------

    def _answering(self, handler):
        """Run `handler` and answer in the format the path asks for; a refusal becomes the
        specification's error list with the right status."""
        async def answer(request: web.Request) -> web.Response:
            fmt = request.match_info["fmt"]
            if fmt not in MEDIA_TYPES:
                return render("json", "errors", [{"code": 404, "description": f"不支持的格式 .{fmt[:20]}（json 或 xml）"}],
                              404)
            try:
                kind, data, *status = await handler(request, fmt)
            except Open311Error as exc:
                return render(fmt, "errors", [{"code": exc.status, "description": exc.description}], exc.status)
            except BadJson as exc:
                return render(fmt, "errors", [{"code": 400, "description": exc.message}], 400)
            except StorageUnavailable:
                return render(fmt, "errors", [{"code": 503, "description": "系统暂时无法处理，请稍后重试"}], 503)
            except Refusal as exc:  # a field the gateway refused, a limit reached
                status = exc.http_status if exc.http_status < 500 else 400
                status = 400 if status == 422 else status
                return render(fmt, "errors", [{"code": status, "description": exc.message}], status)
            return render(fmt, kind, data, status[0] if status else 200)
        return answer


def render(fmt: str, kind: str, data, status: int = 200) -> web.Response:
    if fmt == "json":
        body = orjson.dumps(data)
    else:
        body = ET.tostring(_xml(kind, data), encoding="utf-8", xml_declaration=True)
    return web.Response(body=body, status=status, content_type=MEDIA_TYPES[fmt], charset="utf-8")


# The element of each item in a list, by the list's element (as in the specification).
XML_ITEMS = {"services": "service", "service_requests": "request", "errors": "error",
             "attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}


def _xml(tag: str, value) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, list):
        for item in value:
            element.append(_xml(XML_ITEMS.get(tag, "item"), item))
    elif isinstance(value, dict):
        for key, item in value.items():
            element.append(_xml(key, item))
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)
    return element


def mask_text(text: str) -> str:
    """A description for public reading: e-mail addresses and long numbers masked."""
    text = EMAIL_IN_TEXT.sub("***@***", text)
    return NUMBER_IN_TEXT.sub(lambda m: m.group(0)[:3] + "****" + m.group(0)[-2:], text)


def _comma_list(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _date(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Open311Error(400, f"{name} 须为 W3C 日期时间，如 2026-11-01T00:00:00+08:00") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=CST)).astimezone(CST)


def _text(fields: dict[str, str], name: str, limit: int) -> str:
    try:
        return text_field(fields.get(name), name, limit).strip()
    except Refusal as exc:
        raise Open311Error(400, exc.message) from None


async def _read_post(request: web.Request) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The form fields (the specification posts application/x-www-form-urlencoded; a
    multipart form's text parts are read too) and the attribute answers."""
    if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise Open311Error(415, "请以 application/x-www-form-urlencoded 提交")
    try:
        form = await request.post()
    except (ValueError, UnicodeDecodeError, LookupError, AssertionError) as exc:
        raise Open311Error(400, f"表单格式不正确（{type(exc).__name__}）") from None
    fields: dict[str, str] = {}
    attributes: dict[str, list[str]] = {}
    for key, value in form.items():
        if not isinstance(value, str):
            continue  # a file part: media are given by media_url
        match = ATTRIBUTE_KEY.match(key)
        if match:
            attributes.setdefault(match.group(1), []).append(value)
        elif key.startswith("attribute["):
            raise Open311Error(400, f"属性名 {key[:80]} 不正确，应为 attribute[code]")
        elif key in fields:
            raise Open311Error(400, f"参数 {key[:80]} 只能给一次")
        else:
            fields[key] = value
    return fields, attributes
