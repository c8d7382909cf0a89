"""Loop protection: which received mail is automatic (never filed, never answered) and
which is a report nobody can be answered at (filed, but no mail goes back).

A bounce of an auto-reply answered by another auto-reply is how mail loops start; the
gateway breaks every such chain by never answering anything a machine sent."""
from __future__ import annotations

import re

from channels.mail_parse import ParsedMail

NO_REPLY_LOCALPART = re.compile(r"^(no-?reply|do-?not-?reply|donotreply|noreply[-.+].*|bounces?([-+].*)?)$")
# The form of the gateway's own Message-IDs: <case_no>.<event>.<outbox id>@<domain>.
OWN_MESSAGE_ID = re.compile(r"^\d{8}-\d{6}\.[a-z_]+\.\d+@")
DAEMON_LOCALPART = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)$")
# The same names anywhere in a From header, however malformed ("postmaster@" <x postmaster@x>).
DAEMON_ANYWHERE = re.compile(r"mailer-?daemon|postmaster|mail-daemon", re.IGNORECASE)
# Subjects of vacation and out-of-office replies that carry no machine-readable marker.
AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*[【\[(（]?\s*(自动回复|自動回覆|自動回复|自动答复|自動答覆|休假自动回复|外出自动回复|假期自动回复"
    r"|auto(matic)?[ -]?(reply|response)|out of (the )?office|on vacation"
    r"|undeliverable|delivery status notification|returned mail|mail delivery (failed|failure|subsystem)"
    r"|系统退信|退信通知|投递失败|邮件未送达)", re.IGNORECASE)


def automatic_reason(mail: ParsedMail, *, own_domain: str, own_addresses: set[str]) -> str:
    """Why this mail was sent by a machine (an auto-reply, a bounce, our own mail coming
    back), or "" for a person's mail. Such mail is accepted and dropped."""
    h = mail.headers
    auto = (h.get("auto-submitted", [""])[0] or "").split(";")[0].strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    if h.get("x-loop"):
        return "X-Loop"
    if mail.envelope_from in ("", "<>"):
        return "null envelope sender (a bounce)"
    if any(v.strip() in ("<>", "") for v in h.get("return-path", [])):
        return "null Return-Path (a bounce)"
    if any(DAEMON_ANYWHERE.search(v) for v in h.get("from", [])):
        return "From names a mail daemon"
    for address in (mail.sender, mail.envelope_from):
        local = address.split("@", 1)[0]
        if DAEMON_LOCALPART.match(local):
            return f"sent by {address}"
        if address and address in own_addresses:
            return "sent by the gateway itself"
    if mail.content_type == "multipart/report":
        return "delivery or read report"
    message_id = mail.message_id.lower()
    if own_domain and OWN_MESSAGE_ID.match(message_id) and message_id.endswith("@" + own_domain.lower()):
        return "the gateway's own Message-ID"
    autoreply = " ".join(h.get("x-autoreply", []) + h.get("x-autorespond", [])).strip()
    if autoreply:
        return "X-Autoreply"
    if AUTO_REPLY_SUBJECT.match(mail.subject):
        return f"automatic-reply subject: {mail.subject[:40]}"
    return ""


def unanswerable_reason(mail: ParsedMail) -> str:
    """Why no mail may go back to this sender although the mail is filed: lists, bulk
    senders, no-reply addresses (e.g. another system forwarding a web form)."""
    h = mail.headers
    precedence = (h.get("precedence", [""])[0] or "").strip().lower()
    if precedence in ("bulk", "list", "junk"):
        return f"Precedence: {precedence}"
    for name in ("list-id", "list-unsubscribe", "x-auto-response-suppress"):
        if h.get(name):
            return name
    if not mail.sender:
        return "no From address"
    if NO_REPLY_LOCALPART.match(mail.sender.split("@", 1)[0]):
        return f"no-reply sender {mail.sender}"
    return ""
