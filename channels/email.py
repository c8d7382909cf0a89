"""E-mail: an SMTP intake server (aiosmtpd, in the gateway's own event loop) that files
mail as reports, threads replies into their case, and answers through a relay.

SMTP answers: 250 only once the report is stored; 451 on a temporary fault (the sending
server retries and the Message-ID makes the retry the same report); 550 for addresses
that are not intake mailboxes (never an open relay); 552 above the size limit."""
from __future__ import annotations

import asyncio
import base64
import logging
import re
import ssl
from dataclasses import dataclass, field

from aiosmtpd.smtp import SMTP, Envelope, Session

from channels import mail_out
from channels.base import DAY_S, BaseChannel, DeliveryError, IntakeService, Outbound, StateShelf
from channels.mail_loop import automatic_reason, unanswerable_reason
from channels.mail_parse import ParsedMail, parse
from gateway.cases.workorders import RATEABLE_STATUSES
from gateway.errors import NotFound, Refusal
from gateway.models import ACCEPTED, ATTACHED, UNAVAILABLE, Intake, Reporter, now

log = logging.getLogger("channels.email")

CASE_TAG = re.compile(r"工单\s*[#:：]?\s*(\d{8}-\d{6})")
REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|sv|回复|答复|回覆|转发|轉寄)\s*[:：]\s*)+", re.IGNORECASE)
BRACKET_TAG = re.compile(r"\[\s*工单\s*[#:：]?\s*\d{8}-\d{6}\s*\]")
# A reply to the satisfaction question: only a short answer counts, so that a new
# complaint that happens to say "不满意" is not swallowed as a rating.
RATING_WORDS = [("不满意", "dissatisfied"), ("基本满意", "basically_satisfied"), ("满意", "satisfied")]
RATING_DIGITS = {"1": "satisfied", "2": "basically_satisfied", "3": "dissatisfied"}
CLOSED_REPLY_RULES = {"new"}
EMPTY_BODY = "（来信无正文，内容见附件）"


@dataclass
class EmailSettings:
    enabled: bool = False
    # Where the SMTP server listens (a non-privileged port; map 25 to it in front).
    host: str = "127.0.0.1"
    port: int = 2525
    # The name in the SMTP greeting; empty: message_id_domain.
    hostname: str = ""
    # Mailboxes that receive reports; anything else is refused with 550 (no relay).
    intake_addresses: list[str] = field(default_factory=lambda: ["12345@localhost"])
    max_message_mb: float = 20.0
    # Recipients per mail (accepted or not) before 452; stops address harvesting.
    max_recipients: int = 50
    max_attachments: int = 10
    # Characters of subject + body kept as the report's text (the raw mail keeps all).
    max_text_chars: int = 20000
    # Seconds an idle SMTP client may keep a connection.
    timeout_s: float = 300.0
    # STARTTLS with this certificate (PEM); both empty: plain SMTP only.
    tls_cert: str = ""
    tls_key: str = ""
    require_starttls: bool = False
    # The relay that sends the gateway's answers.
    relay_host: str = ""
    relay_port: int = 25
    relay_user: str = ""
    relay_password: str = ""
    relay_starttls: bool = False
    relay_tls: bool = False  # implicit TLS (port 465)
    relay_timeout_s: float = 10.0
    # Sender of answers; empty: the first intake address.
    from_address: str = ""
    from_name: str = "12345市民服务热线"
    # Domain of the gateway's Message-IDs; empty: the domain of from_address.
    message_id_domain: str = ""
    # A reply to a case that is no longer open: "new" files a new case linked to it.
    closed_reply: str = "new"
    # Added under the acknowledgement: how to follow up by mail.
    reply_hint: str = "如需补充情况，请直接回复本邮件（请保留主题中的工单编号）。"
    # What the channel remembers to thread replies (our message-ids, the last mail of each
    # sender) is kept this long.
    keep_mail_days: float = 180.0

    def problems(self) -> list[str]:
        """What stops these settings from working, each naming its key."""
        found = []
        if not any(a.strip() for a in self.intake_addresses):
            found.append("intake_addresses: at least one intake mailbox is needed")
        bad = [a for a in self.intake_addresses if "@" not in a]
        if bad:
            found.append(f"intake_addresses: not an e-mail address: {', '.join(bad)}")
        if self.closed_reply not in CLOSED_REPLY_RULES:
            found.append(f"closed_reply: must be one of {', '.join(sorted(CLOSED_REPLY_RULES))}, "
                         f"got {self.closed_reply!r}")
        if not 0 <= self.port < 65536 or not 0 < self.relay_port < 65536:
            found.append("port, relay_port: must be 1–65535")
        if self.max_message_mb <= 0 or self.max_recipients < 1 or self.max_attachments < 0:
            found.append("max_message_mb, max_recipients: must be positive")
        if self.from_address and "@" not in self.from_address:
            found.append(f"from_address: not an e-mail address: {self.from_address}")
        if self.relay_starttls and self.relay_tls:
            found.append("relay_starttls, relay_tls: exclude each other")
        if bool(self.tls_cert) != bool(self.tls_key):
            found.append("tls_cert, tls_key: must be given together")
        return found


class EmailChannel(BaseChannel):
    name = "email"
    can_deliver = True
    ack_by_message = True

    def __init__(self, service: IntakeService, settings: EmailSettings):
        self.service = service
        self.settings = settings
        keep_s = settings.keep_mail_days * DAY_S
        # Message-ids of our answers (a reply names one), the sender's last mail (what an
        # acknowledgement answers), each case's thread, and follow-ups a citizen sent.
        self.sent_ids = StateShelf(service, self.name, "sent_id", keep_s)
        self.last_mail = StateShelf(service, self.name, "last_mail", keep_s)
        self.threads = StateShelf(service, self.name, "thread", keep_s)
        self.followups = StateShelf(service, self.name, "followup", keep_s)
        self.intake_addresses = {a.strip().lower() for a in settings.intake_addresses if a.strip()}
        self.from_address = (settings.from_address or settings.intake_addresses[0]).strip()
        self.domain = (settings.message_id_domain or self.from_address.partition("@")[2]
                       or "localhost").lower()
        self.own_addresses = {self.from_address.lower()}
        self.tls_context = _tls_context(settings)
        self._server: asyncio.AbstractServer | None = None
        self._sessions: set[SMTP] = set()

    # -- the SMTP server ----------------------------------------------------------------

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        s = self.settings
        handler = _Handler(self)

        def protocol() -> SMTP:
            return _IntakeSMTP(
                handler, self._sessions, loop=loop, hostname=s.hostname or self.domain,
                data_size_limit=int(s.max_message_mb * 1024 * 1024), enable_SMTPUTF8=True,
                tls_context=self.tls_context, require_starttls=s.require_starttls,
                timeout=s.timeout_s, ident="12345 intake gateway")

        self._server = await loop.create_server(protocol, s.host, s.port)
        log.info("SMTP intake listening on %s:%d for %s", s.host, s.port,
                 ", ".join(sorted(self.intake_addresses)))

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        for session in list(self._sessions):  # a client mid-DATA gets nothing stored
            if session.transport is not None:
                session.transport.close()
        await self._server.wait_closed()
        self._server = None

    # -- receiving ----------------------------------------------------------------------

    def recipient_answer(self, envelope: Envelope, address: str, seen: int) -> str:
        if seen > self.settings.max_recipients:
            return "452 4.5.3 Too many recipients"
        if address.strip().lower() not in self.intake_addresses:
            return f"550 5.7.1 <{address}>: this server only accepts mail for its intake mailboxes"
        if address.lower() not in (r.lower() for r in envelope.rcpt_tos):
            envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def receive(self, raw: bytes, envelope_from: str, rcpt_tos: list[str]) -> str:
        """File one mail; the SMTP answer for it."""
        try:
            mail = await _parse(raw, envelope_from)
        except Exception:  # the parser is lenient; this is a bug of ours, not the sender's
            log.exception("could not parse a mail from %s", envelope_from)
            return "451 4.3.0 Temporary failure while reading the message, try again later"
        reason = automatic_reason(mail, own_domain=self.domain, own_addresses=self.own_addresses)
        if reason:  # never filed, never answered: this is how loops are broken
            log.info("automatic mail dropped (%s)", reason,
                     extra={"channel": "email", "message_id": mail.external_id})
            return "250 2.0.0 OK (automatic mail, not filed)"
        try:
            return await self._file(mail, raw, envelope_from, rcpt_tos)
        except Refusal as exc:
            log.info("mail refused: %s", exc.message, extra={"channel": "email"})
            return f"550 5.7.1 Report refused ({exc.code})"
        except Exception:
            log.exception("mail %s could not be stored", mail.external_id, extra={"channel": "email"})
            return "451 4.3.0 Temporary failure, please try again later"

    async def _file(self, mail: ParsedMail, raw: bytes, envelope_from: str,
                    rcpt_tos: list[str]) -> str:
        s = self.settings
        title = clean_subject(mail.subject)
        text = "\n\n".join(t for t in (title, mail.body) if t.strip())
        if not text and not mail.parts:
            return "554 5.6.0 The message has no subject, text or attachment to file"
        attachments = [await self.service.save_attachment(p.data, filename=p.filename)
                       for p in mail.parts[:s.max_attachments]]
        answerable = not unanswerable_reason(mail)
        contact = mail.sender if answerable else ""
        case = await self._thread(mail) if contact else None
        case_no = case["case_no"] if case else ""
        if case:
            rating = rating_of(mail.body)
            if rating and case["status"] in RATEABLE_STATUSES:
                await self.service.rate(case_no, "email", contact, rating)
                return f"250 2.0.0 OK rating recorded for case {case_no}"
            # Their own follow-up: the "attached" notice must not say somebody else did.
            await self.followups.save(f"{case_no}:{contact}", {"at": now().isoformat()})
        intake = Intake(
            channel="email", external_id=mail.external_id,
            text=(text or EMPTY_BODY)[:s.max_text_chars], title=title[:200],
            reporter=Reporter(name=mail.sender_name[:50], contact_channel="email",
                              contact_id=contact),
            attachments=attachments, case_hint=case_no, raw=_raw_record(raw, envelope_from, rcpt_tos),
        )
        if contact:
            # What the acknowledgement answers (In-Reply-To). Queued before the report, so
            # it is committed with it or earlier (group commit), never after the ack reads it.
            remembered, result = await asyncio.gather(
                self.last_mail.save(contact, _thread_ref(mail)),
                self.service.submit(intake), return_exceptions=True)
            for outcome in (remembered, result):
                if isinstance(outcome, BaseException):
                    raise outcome
        else:
            result = await self.service.submit(intake)
        if result.outcome == UNAVAILABLE:
            return "451 4.3.0 Temporarily unable to store the report, please try again later"
        if result.outcome not in (ACCEPTED, ATTACHED):
            return f"550 5.7.1 Report refused: {_ascii(result.reason) or 'not acceptable'}"
        log.info("mail %s as case %s", result.outcome, result.case_no,
                 extra={"channel": "email", "case_no": result.case_no})
        return f"250 2.0.0 OK case {result.case_no}"

    async def _thread(self, mail: ParsedMail) -> dict | None:
        """The case (public view) this mail continues, if it is the sender's own: named by a
        Message-ID of ours in In-Reply-To/References or by the subject's case tag."""
        candidates: list[str] = []
        for ref in (r.lower() for r in mail.references):  # ours are lower-case
            if ref.endswith("@" + self.domain):
                state = await self.sent_ids.load(ref)
                if state and state.get("case_no"):
                    candidates.append(state["case_no"])
        candidates += CASE_TAG.findall(mail.subject)
        for case_no in dict.fromkeys(candidates):
            try:
                return await self.service.case_of(case_no, "email", mail.sender)
            except NotFound:  # not theirs: a new report, never a way into others' cases
                continue
        return None

    # -- answering ----------------------------------------------------------------------

    async def deliver(self, message: Outbound) -> None:
        s = self.settings
        if not s.relay_host:
            raise DeliveryError("未配置发信服务器（[email].relay_host）")
        to = message.contact_id
        message_id = f"{message.case_no}.{message.event}.{message.id}@{self.domain}".lower()
        # Saved before sending: a citizen may reply within the second.
        await self.sent_ids.save(message_id, {"case_no": message.case_no, "contact": to})
        ref = await self._references(message)
        subject, text = message.subject, message.text
        if message.event == "attached" and await self.followups.load(f"{message.case_no}:{to}"):
            subject = f"[工单 {message.case_no}] 您补充的情况已收到"
            text = f"您补充的情况已并入工单 {message.case_no}，我们会一并办理。"
        if message.event in ("filed", "attached") and s.reply_hint:
            text = f"{text}\n\n{s.reply_hint}"
        msg = mail_out.build_message(
            from_address=self.from_address, from_name=s.from_name, to=to,
            subject=subject or f"[工单 {message.case_no}]", text=text, message_id=message_id,
            in_reply_to=ref.get("message_id", ""), references=ref.get("references", []))
        await mail_out.send(msg, host=s.relay_host, port=s.relay_port, username=s.relay_user,
                            password=s.relay_password, starttls=s.relay_starttls,
                            tls=s.relay_tls, timeout=s.relay_timeout_s, sender=self.from_address)


    async def _references(self, message: Outbound) -> dict:
        """The citizen's mail this answer belongs under: the one just received for an
        acknowledgement (kept for the case's later answers), else the case's first."""
        key = f"{message.case_no}:{message.contact_id}"
        if message.event in ("filed", "attached"):
            last = await self.last_mail.load(message.contact_id)
            if last:
                if message.event == "filed":
                    await self.threads.save(key, last)
                return last
        return await self.threads.load(key) or {}


class _IntakeSMTP(SMTP):
    """aiosmtpd's protocol, remembering live sessions so that stop() can end them."""

    # Lenient to mailers that ignore the 998-octet line limit (long 8-bit lines are common).
    line_length_limit = 16384

    def __init__(self, handler, sessions: set[SMTP], **kwargs):
        super().__init__(handler, **kwargs)
        self._live = sessions

    def connection_made(self, transport) -> None:
        self._live.add(self)
        super().connection_made(transport)

    def connection_lost(self, exc) -> None:
        self._live.discard(self)
        super().connection_lost(exc)


class _Handler:
    """aiosmtpd hooks; the channel does the work."""

    def __init__(self, channel: EmailChannel):
        self.channel = channel

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        seen = getattr(envelope, "recipients_seen", 0) + 1  # a new envelope per transaction
        envelope.recipients_seen = seen  # type: ignore[attr-defined]
        return self.channel.recipient_answer(envelope, address, seen)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        return await self.channel.receive(raw, envelope.mail_from or "", list(envelope.rcpt_tos))


async def _parse(raw: bytes, envelope_from: str) -> ParsedMail:
    if len(raw) < 256 * 1024:  # small mail: parsing is quicker than a hop to a thread
        return parse(raw, envelope_from)
    return await asyncio.get_running_loop().run_in_executor(None, parse, raw, envelope_from)


def clean_subject(subject: str) -> str:
    """The subject as a title: without Re:/回复: and without the case tag."""
    subject = BRACKET_TAG.sub(" ", subject)
    subject = REPLY_PREFIX.sub("", subject)
    subject = re.sub(r"^\s*(已受理|已派遣|已处置|已办结，请您评价|答复)\s*[:：]\s*", "", subject)
    return " ".join(subject.split())


def rating_of(body: str) -> str:
    """A short answer to the satisfaction question (1/2/3 or the words), else ""."""
    answer = re.sub(r"[\s。.!！,，、]+", "", body)
    if not answer or len(answer) > 8:
        return ""
    if answer[0] in RATING_DIGITS and (len(answer) == 1 or not answer[1].isdigit()):
        return RATING_DIGITS[answer[0]]
    for word, rating in RATING_WORDS:
        if word in answer:
            return rating
    return ""


def _thread_ref(mail: ParsedMail) -> dict:
    return {"message_id": mail.message_id, "references": mail.references[-8:]}


def _raw_record(raw: bytes, envelope_from: str, rcpt_tos: list[str]) -> dict:
    """The mail exactly as received: as text when it is valid UTF-8 (nearly all mail is
    7-bit), else base64, so that no byte is lost."""
    try:
        data, encoding = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        data, encoding = base64.b64encode(raw).decode("ascii"), "base64"
    return {"format": "message/rfc822", "envelope_from": envelope_from, "rcpt_to": rcpt_tos,
            "encoding": encoding, "data": data}


def _ascii(text: str) -> str:
    return text.encode("ascii", "ignore").decode().strip()[:200]


def _tls_context(settings: EmailSettings) -> ssl.SSLContext | None:
    if not settings.tls_cert and not settings.tls_key:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(settings.tls_cert, settings.tls_key)
    except (OSError, ssl.SSLError) as exc:
        raise ValueError(f"[email].tls_cert/tls_key: cannot load the certificate: {exc}") from exc
    return context


Settings = EmailSettings


def create(service: IntakeService, settings: EmailSettings) -> EmailChannel:
    return EmailChannel(service, settings)
