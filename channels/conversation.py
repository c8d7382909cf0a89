"""The conversational intake shared by the chat channels (WeChat, Telegram).

A chat report grows over several messages: a few words, a photo, a location pin, a voice
note. `Conversation.handle` adds each message to the citizen's draft, asks only for what is
missing (the place, the category, "already reported?"), and files the draft when it is
complete, when the citizen says so, or — from the background sweep — when the pause after
the last message has passed or a follow-up question went unanswered.

Everything a conversation knows lives in the channel's durable state (`load_state` /
`save_state`), saved before any reply goes out, so a restart mid-conversation loses nothing.
A report's external id is derived from the first message of its conversation, so a retry
or a restart never files it twice."""
from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from channels.base import DAY_S, RATINGS, IntakeService, StateShelf
from gateway.errors import NotFound, Refusal
from gateway.models import (
    ACCEPTED,
    ATTACHED,
    REJECTED,
    Attachment,
    GeoPoint,
    Intake,
    Reporter,
    SubmitResult,
    iso,
    now,
    to_plain,
)

log = logging.getLogger("channels.conversation")

INDEX_KEY = "drafts"  # of the "index" state: contact -> when its draft is due
SEEN_KEPT = 30  # message ids remembered per contact (retries are answered from here)
RAW_KEPT = 20  # native payloads kept per draft
CASE_NO = re.compile(r"\d{8}-\d{6}")

WELCOME = ("您好，这里是12345市民服务热线。请直接发送文字、照片、位置或语音反映问题，"
           "我们会为您登记工单并告知办理进展。\n"
           "回复“查询”查看您反映的问题，“取消”取消正在填写的反映，“帮助”查看使用说明。")
HELP = ("使用说明：\n"
        "1. 直接发送文字描述问题（什么问题、在哪里），可同时发送照片、位置或语音；\n"
        "2. 信息不全时我们会向您询问具体地点或问题类别；\n"
        "3. 回复“提交”立即提交正在填写的反映；\n"
        "4. 回复“查询”查看您反映的问题，“查询 工单编号”查看某一工单；\n"
        "5. 回复“取消”取消正在填写的反映。")
ASK_PLACE = "请发送位置或说明具体地点，例如 XX小区X号楼。"
ASK_MORE_PRECISE = "您说的是“{where}”，请再说具体一点：门牌号、路口、楼号或附近地标，也可以直接发送位置。"
ASK_TEXT = "已收到{what}。请用文字简要描述遇到的问题（什么问题、在哪里）。"
GOT_MORE = "已收到{what}，已补充到您正在反映的问题中。"
VOICE_FAILED = "抱歉，暂时无法识别这条语音，请用文字描述问题。"
UNSUPPORTED = "抱歉，暂不支持这种消息。请发送文字、照片、位置或语音反映问题。"
MEDIA_FAILED = "抱歉，{what}接收失败，请重新发送。"
TOO_LARGE_FILE = "抱歉，文件过大（超过 {mb} MB），未能接收。请发送较小的照片或文件。"
TOO_LONG = "您的描述过长，已截取前 {n} 个字。"
CANCELLED = "已取消本次反映。如需反映问题，请重新发送。"
NOTHING_TO_CANCEL = "您当前没有正在填写的反映。"
NOTHING_TO_SUBMIT = "您当前没有正在填写的反映，请先发送问题描述。"
READY = ("已记录您反映的问题（{summary}）。如需补充照片或位置请直接发送，"
         "回复“提交”立即提交；{pause}秒内没有补充将自动提交。")
TIMED_OUT = "由于没有收到您的回复，已按现有信息先行提交，工作人员会核实具体地点和问题类别。"
BUSY = "系统繁忙，您的反映已保存，稍后将自动提交，请勿重复发送。"
NO_TEXT = "（市民未附文字说明）"
THANKS = "感谢您的评价！工单 {case_no}：{rating}。"
GREETINGS = {"你好", "您好", "hi", "hello", "在吗", "在么", "在不在", "嗨", "哈喽", "/start", "start"}
COMMANDS = {
    "cancel": {"取消", "cancel", "/cancel"},
    "help": {"帮助", "help", "/help", "?", "？"},
    "submit": {"提交", "submit", "/submit", "好了", "就这些", "完成"},
    "query": {"查询", "query", "status", "/query", "/status"},
}
RATING_WORDS = {"1": "satisfied", "2": "basically_satisfied", "3": "dissatisfied",
                **{name: key for key, name in RATINGS.items()}}
ASKING = {"need_text", "ask_place", "ask_category", "ask_duplicate"}


@dataclass
class ConversationSettings:
    """Plain fields, mixed into each chat channel's settings section."""

    # A complete report waits this long after the citizen's last message for more (photos,
    # a location) before it is filed; 0 files it at once.
    pause_s: float = 0.0
    # A follow-up question unanswered this long: the report is filed with what there is.
    followup_timeout_s: float = 600.0
    # How often the background task looks for reports whose pause or question ran out.
    sweep_interval_s: float = 5.0
    max_text_chars: int = 2000
    max_photos: int = 6
    max_photo_mb: float = 8.0
    photo_types: list[str] = field(
        default_factory=lambda: ["image/jpeg", "image/png", "image/gif", "image/webp"])
    # Numbered category choices offered when the classification is unsure.
    max_choices: int = 4
    # What a conversation remembers (a draft, the cases awaiting a rating) is kept this
    # long after the citizen's last message.
    keep_conversation_days: float = 30.0


@dataclass
class Inbound:
    """One chat message, as a channel hands it over (media already fetched and saved)."""

    msg_id: str  # the channel's own id for the message: unique for this contact
    kind: str  # text | photo | file | location | voice | event | unsupported | media_failed |
    # too_large (text: the limit in MB)
    text: str = ""
    point: GeoPoint | None = None
    point_crs: str = "wgs84"
    attachment: Attachment | None = None
    event: str = ""  # subscribe | unsubscribe | click | location
    raw: Any = None
    at: datetime = field(default_factory=now)


Send = Callable[[str, str], Awaitable[None]]  # (contact_id, text)


class Conversation:
    def __init__(self, channel: str, service: IntakeService, settings: ConversationSettings,
                 send: Send):
        self.channel = channel
        self.service = service
        self.settings = settings
        self.send = send
        self._locks: dict[str, asyncio.Lock] = {}
        self._index_lock = asyncio.Lock()
        keep_s = settings.keep_conversation_days * DAY_S
        self.contacts = StateShelf(service, channel, "contact", keep_s)
        self.index = StateShelf(service, channel, "index", keep_s)

    def lock(self, contact: str) -> asyncio.Lock:
        return self._locks.setdefault(contact, asyncio.Lock())

    # -- entry points ---------------------------------------------------------------------

    async def handle(self, contact: str, msg: Inbound, *, replay: bool = True) -> list[str]:
        """The replies to one message, after its effect is saved. A message seen before
        (a retry) changes nothing and gets the replies it got the first time (with
        `replay`; otherwise none, for channels that already sent them)."""
        async with self.lock(contact):
            state = await self._load(contact)
            for seen_id, replies in state["seen"]:
                if seen_id == msg.msg_id:
                    return replies if replay else []
            replies = await self._dispatch(contact, state, msg)
            state["seen"] = [*state["seen"], [msg.msg_id, replies]][-SEEN_KEPT:]
            await self._save(contact, state)
            return replies

    async def await_rating(self, contact: str, case_no: str) -> None:
        """The citizen was asked to rate `case_no` (its "closed" message is going out)."""
        async with self.lock(contact):
            state = await self._load(contact)
            pending = [c for c in state["ratings"] if c != case_no]
            state["ratings"] = [*pending, case_no][-5:]
            await self._save(contact, state)

    async def run(self) -> None:
        """Background task: file drafts whose pause or follow-up question ran out."""
        while True:
            try:
                await self.sweep()
            except Exception:
                log.exception("%s: conversation sweep failed", self.channel)
            await asyncio.sleep(self.settings.sweep_interval_s)

    async def sweep(self) -> int:
        index = await self.index.load(INDEX_KEY) or {}
        due = [c for c, at in index.items() if at <= time.time()]
        for contact in due:
            async with self.lock(contact):
                state = await self._load(contact)
                draft = state["draft"]
                if draft is None or draft["due"] > time.time():
                    await self._save(contact, state)  # repairs a stale index entry
                    continue
                note = TIMED_OUT if draft["step"] in ASKING else ""
                replies = await self._file(state)
                await self._save(contact, state)
            text = "\n".join(r for r in [note, *replies] if r)
            try:
                await self.send(contact, text)
            except Exception:  # the case is filed; the citizen can still 查询 it
                log.exception("%s: could not tell %s about the filed report", self.channel, contact)
        return len(due)

    # -- state ----------------------------------------------------------------------------

    async def _load(self, contact: str) -> dict:
        state = await self.contacts.load(contact) or {}
        state.setdefault("draft", None)
        state.setdefault("seen", [])
        state.setdefault("ratings", [])
        return state

    async def _save(self, contact: str, state: dict) -> None:
        await self.contacts.save(contact, state)
        draft = state["draft"]
        async with self._index_lock:  # the sweep finds open drafts through this index
            index = await self.index.load(INDEX_KEY) or {}
            if draft is None and contact in index:
                del index[contact]
            elif draft is not None and index.get(contact) != draft["due"]:
                index[contact] = draft["due"]
            else:
                return
            await self.index.save(INDEX_KEY, index)

    # -- what a message means -------------------------------------------------------------

    async def _dispatch(self, contact: str, state: dict, msg: Inbound) -> list[str]:
        draft = state["draft"]
        if msg.kind == "event":
            if msg.event == "subscribe":
                return [WELCOME]
            if msg.event == "click":
                return await self._dispatch(contact, state, Inbound(msg.msg_id, "text", text=msg.text,
                                                                     at=msg.at)) if msg.text else [WELCOME]
            return []  # unsubscribe, periodic position reports: nothing to say
        if msg.kind == "unsupported":
            return [UNSUPPORTED]
        if msg.kind == "too_large":
            return [TOO_LARGE_FILE.format(mb=msg.text)]
        if msg.kind == "media_failed":
            return [MEDIA_FAILED.format(what=msg.text or "文件")]
        if msg.kind == "voice" and not msg.text.strip():
            if msg.attachment is None:
                return [VOICE_FAILED]
            # Keep the recording with the draft so nothing is lost; ask for words.
            draft = draft or self._new_draft(contact, msg)
            draft["attachments"].append(to_plain(msg.attachment))
            self._remember_raw(draft, msg)
            state["draft"] = draft
            draft["step"] = "need_text" if not draft["texts"] else draft["step"]
            draft["due"] = time.time() + self.settings.followup_timeout_s
            return [VOICE_FAILED]
        if msg.kind in ("text", "voice"):
            words = " ".join(msg.text.split())
            answer = await self._answer(contact, state, words)
            if answer is not None:
                return answer
        return await self._add(contact, state, msg)

    async def _answer(self, contact: str, state: dict, words: str) -> list[str] | None:
        """Commands, answers to a numbered question and ratings; None: report content."""
        draft = state["draft"]
        lowered = words.lower()
        head = lowered.partition(" ")[0]
        if draft and draft["step"] in ("ask_category", "ask_duplicate") and words.isdigit():
            return await self._choose(state, int(words))
        if state["ratings"] and words in RATING_WORDS:
            return [await self._rate(contact, state, RATING_WORDS[words])]
        if lowered in COMMANDS["cancel"]:
            state["draft"] = None
            return [CANCELLED if draft else NOTHING_TO_CANCEL]
        if lowered in COMMANDS["help"]:
            return [HELP]
        if head in COMMANDS["query"] or (lowered.startswith("查询") and CASE_NO.search(words)):
            return [await self._query(contact, CASE_NO.search(words))]
        if lowered in COMMANDS["submit"]:
            if draft is None:
                return [NOTHING_TO_SUBMIT]
            return await self._file(state)
        if lowered.rstrip("!！~。.") in GREETINGS:
            return [WELCOME]
        return None

    async def _add(self, contact: str, state: dict, msg: Inbound) -> list[str]:
        s = self.settings
        draft = state["draft"] or self._new_draft(contact, msg)
        state["draft"] = draft
        self._remember_raw(draft, msg)
        notes: list[str] = []
        what = ""
        if msg.kind in ("text", "voice"):
            text = msg.text.strip()
            used = sum(len(t) for t in draft["texts"])
            if used + len(text) > s.max_text_chars:
                text = text[:max(0, s.max_text_chars - used)]
                notes.append(TOO_LONG.format(n=s.max_text_chars))
            if draft["step"] == "ask_place":
                draft["address"] = f"{draft['address']} {text}".strip()
            elif text:
                draft["texts"].append(text)
            if msg.attachment is not None:  # the recording itself, for the operator
                draft["attachments"].append(to_plain(msg.attachment))
        elif msg.kind in ("photo", "file") and msg.attachment is not None:
            if len(draft["attachments"]) >= s.max_photos:
                return [f"每次反映最多 {s.max_photos} 个照片或文件，这个未能添加。"]
            draft["attachments"].append(to_plain(msg.attachment))
            what = "照片" if msg.kind == "photo" else "文件"
            if msg.text.strip():  # a caption
                draft["texts"].append(msg.text.strip()[:s.max_text_chars])
        elif msg.kind == "location" and msg.point is not None:
            draft["point"] = {"lat": msg.point.lat, "lng": msg.point.lng}
            draft["point_crs"] = msg.point_crs
            # The pin's label (a reverse-geocoded "北京市XX区…") stays in the raw payload only:
            # the point is more precise, and a city-wide label can contradict it.
            what = "位置"
        draft["last_at"] = time.time()
        if not draft["texts"]:
            first = draft["step"] != "need_text"
            draft["step"] = "need_text"
            draft["due"] = time.time() + s.followup_timeout_s
            return [*notes, (ASK_TEXT if first else GOT_MORE).format(what=what or "您的消息")]
        if msg.kind in ("photo", "file") and draft["step"] != "new" or (
                what and draft["step"] in ("ask_category", "ask_duplicate")):
            # More media for a report already assessed: keep it, ask nothing new.
            if draft["step"] == "ready":
                draft["due"] = draft["last_at"] + s.pause_s
            reminder = [ASK_PLACE] if draft["step"] == "ask_place" else []
            return [*notes, GOT_MORE.format(what=what), *reminder]
        return [*notes, *await self._advance(state)]

    def _new_draft(self, contact: str, msg: Inbound) -> dict:
        return {"contact": contact, "first_id": msg.msg_id, "received_at": iso(msg.at), "texts": [], "address": "",
                "point": None, "point_crs": "wgs84", "attachments": [], "raw": [],
                "step": "new", "asked": [], "choices": [], "category_hint": "", "case_hint": "",
                "summary": "", "last_at": time.time(), "due": time.time()}

    def _remember_raw(self, draft: dict, msg: Inbound) -> None:
        if msg.raw is not None and len(draft["raw"]) < RAW_KEPT:
            draft["raw"].append(msg.raw)

    # -- asking for what is missing -------------------------------------------------------

    async def _advance(self, state: dict) -> list[str]:
        """Ask the next question the report needs, or file it (now or after the pause)."""
        s = self.settings
        draft = state["draft"]
        assessment = await self.service.assess(self._intake(draft))
        cls, loc, dup = (assessment["classification"], assessment["location"],
                         assessment["duplicates"])
        draft["summary"] = "，".join(x for x in [cls.get("name") or "", loc.get("address") or ""] if x)
        asked = draft["asked"]
        # Ask where only when the citizen has not said it; when only a road or an area was
        # given, ask once for something more precise. A place the registry does not know is
        # still a place: the dispatcher assigns its grid.
        precision = loc.get("precision", "")
        if precision != "spot" and "place" not in asked:
            asked.append("place")
            where = loc.get("address") or ""
            question = ASK_MORE_PRECISE.format(where=where) if precision and where else ASK_PLACE
            return self._ask(draft, "ask_place", [question])
        choices = [] if draft["category_hint"] else _category_choices(cls, s.max_choices)
        if len(choices) > 1 and "category" not in asked:
            asked.append("category")
            draft["choices"] = choices
            lines = [f"{i} {c['name']}" for i, c in enumerate(choices, 1)]
            return self._ask(draft, "ask_category",
                             ["请确认问题类别，回复数字：\n" + "\n".join(lines) + "\n0 都不是"])
        candidates = [] if draft["case_hint"] else dup.get("candidates") or []
        if candidates and "duplicate" not in asked:
            asked.append("duplicate")
            draft["choices"] = [{"case_no": c["case_no"]} for c in candidates[:3]]
            lines = [f"{i} 工单 {c['case_no']}：{c['title']}（{c['address'] or '地点待核实'}，"
                     f"{c['status_name']}，已有 {c['report_count']} 人反映）"
                     for i, c in enumerate(candidates[:3], 1)]
            return self._ask(draft, "ask_duplicate", [
                "这个问题可能已经有人反映过：\n" + "\n".join(lines)
                + "\n回复数字加入该工单（办理进展同样会告知您），回复 0 作为新问题反映。"])
        if s.pause_s <= 0:
            return await self._file(state)
        draft["step"] = "ready"
        draft["due"] = draft["last_at"] + s.pause_s
        return [READY.format(summary=draft["summary"] or "待核实", pause=f"{s.pause_s:g}")]

    def _ask(self, draft: dict, step: str, replies: list[str]) -> list[str]:
        draft["step"] = step
        draft["due"] = time.time() + self.settings.followup_timeout_s
        return replies

    async def _choose(self, state: dict, number: int) -> list[str]:
        draft = state["draft"]
        choices = draft["choices"]
        if number > len(choices):
            return [f"请回复 0 到 {len(choices)} 之间的数字。"]
        if draft["step"] == "ask_category":
            draft["category_hint"] = choices[number - 1]["code"] if number else ""
            draft["step"] = "answered"
            return await self._advance(state)
        draft["case_hint"] = choices[number - 1]["case_no"] if number else ""
        draft["not_duplicate"] = not number  # "0: none of these": never joined automatically
        return await self._file(state)

    # -- filing ---------------------------------------------------------------------------

    def _intake(self, draft: dict) -> Intake:
        point = draft["point"]
        return Intake(
            channel=self.channel,
            # Deterministic: the conversation's first message. A retry or a restart files
            # the same report again, which the gateway answers with the first result.
            external_id=draft["first_id"],
            text="\n".join(draft["texts"]) or NO_TEXT,
            address=draft["address"],
            point=GeoPoint(**point) if point else None,
            point_crs=draft["point_crs"],
            attachments=[Attachment(**a) for a in draft["attachments"]],
            reporter=Reporter(contact_channel=self.channel, contact_id=draft["contact"]),
            received_at=datetime.fromisoformat(draft["received_at"]),
            raw={"messages": draft["raw"]},
            category_hint=draft["category_hint"],
            case_hint=draft["case_hint"],
            not_duplicate=draft.get("not_duplicate", False),
        )

    async def _file(self, state: dict) -> list[str]:
        draft = state["draft"]
        try:
            result = await self.service.submit(self._intake(draft))
        except Refusal as exc:
            state["draft"] = None
            return [f"很抱歉，您的反映未能受理：{exc.message}"]
        except Exception:
            log.exception("%s: submitting a chat report failed", self.channel)
            result = SubmitResult(outcome="unavailable")
        if result.outcome in (ACCEPTED, ATTACHED):
            state["draft"] = None
            return [_filed_text(result, draft["summary"])]
        if result.outcome == REJECTED:
            state["draft"] = None
            return [f"很抱歉，您的反映未能受理：{result.reason or '内容无法受理'}"]
        # Temporarily unavailable: keep the draft; the sweep files it again shortly.
        draft["due"] = time.time() + max(self.settings.sweep_interval_s, 1.0) * 2
        return [BUSY]

    # -- queries and ratings --------------------------------------------------------------

    async def _query(self, contact: str, case_no: re.Match | None) -> str:
        if case_no:
            try:
                case = await self.service.case_of(case_no.group(0), self.channel, contact)
            except NotFound as exc:
                return exc.message
            lines = [f"工单 {case['case_no']}：{case['title']}", f"状态：{case['status_name']}"]
            if case.get("status_note"):
                lines.append(f"说明：{case['status_note']}")
            if case.get("department"):
                lines.append(f"承办单位：{case['department']}")
            if case.get("address"):
                lines.append(f"地点：{case['address']}")
            return "\n".join(lines)
        cases = await self.service.cases_of(self.channel, contact, 5)
        if not cases:
            return "您还没有通过本渠道反映过问题。"
        lines = [f"{c['case_no']} {c['title']}（{c['status_name']}）" for c in cases]
        return "您反映的问题：\n" + "\n".join(lines) + "\n回复“查询 工单编号”查看详情。"

    async def _rate(self, contact: str, state: dict, rating: str) -> str:
        case_no = state["ratings"][-1]
        try:
            await self.service.rate(case_no, self.channel, contact, rating)
        except Refusal as exc:
            state["ratings"] = state["ratings"][:-1]
            return exc.message
        state["ratings"] = state["ratings"][:-1]
        return THANKS.format(case_no=case_no, rating=RATINGS[rating])


def _category_choices(cls: dict, limit: int) -> list[dict]:
    """The guessed category and its alternatives, when the guess is unsure."""
    if not cls.get("needs_review") or cls.get("source") == "operator":
        return []
    seen: set[str] = set()
    choices = []
    for option in [cls, *cls.get("alternatives", [])]:
        code = option.get("code")
        if code and code not in seen:
            seen.add(code)
            choices.append({"code": code, "name": option["name"]})
    return choices[:limit]


def _filed_text(result: SubmitResult, summary: str) -> str:
    if result.outcome == ATTACHED:
        return (f"这个问题已有市民反映，您的反映已并入工单 {result.case_no}，一并办理。\n"
                f"查询码：{result.check_code}\n办理进展会通过本渠道告知您。")
    lines = ["您反映的问题已受理。", f"工单编号：{result.case_no}", f"查询码：{result.check_code}"]
    if summary:
        lines.append(f"内容：{summary}")
    if result.needs_review:
        lines.append("工作人员会核实具体地点和问题类别。")
    lines.append("办理进展会通过本渠道告知您，回复“查询”可查看办理情况。")
    return "\n".join(lines)

