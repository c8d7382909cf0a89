"""Outbound mail: the gateway's answers, stamped so that no mail system answers them
back, sent through the configured relay."""
from __future__ import annotations

import asyncio
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, localtime

import aiosmtplib

from channels.base import DeliveryError


def build_message(*, from_address: str, from_name: str, to: str, subject: str, text: str,
                  message_id: str, in_reply_to: str = "", references: list[str] | None = None,
                  ) -> EmailMessage:
    msg = EmailMessage()
    local, _, domain = from_address.partition("@")
    msg["From"] = Address(display_name=from_name, username=local, domain=domain)
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(localtime())
    msg["Message-ID"] = f"<{message_id}>"
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
        msg["References"] = " ".join(f"<{r}>" for r in [*(references or []), in_reply_to])
    # RFC 3834: an automatic answer; X-Loop and the Exchange header stop answering machines.
    msg["Auto-Submitted"] = "auto-replied"
    msg["X-Loop"] = from_address
    msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(text, charset="utf-8")
    return msg


async def send(msg: EmailMessage, *, host: str, port: int, username: str, password: str,
               starttls: bool, tls: bool, timeout: float, sender: str) -> None:
    """Hand the message to the relay. A 5xx for the recipient or the message is permanent
    (the address does not exist, the content is refused); anything else, including a
    refused login or sender (a configuration fault an operator can fix), is retried."""
    try:
        # Our own timeout, not aiosmtplib's: it uses asyncio.wait_for, which on Python 3.11
        # can swallow the cancellation that stops the delivery worker at shutdown.
        async with asyncio.timeout(timeout):
            await aiosmtplib.send(
                msg, hostname=host, port=port, username=username or None,
                password=password or None, start_tls=starttls, use_tls=tls, timeout=None,
                sender=sender)
    except aiosmtplib.SMTPRecipientsRefused as exc:
        codes = [r.code for r in exc.recipients]
        if codes and all(code >= 500 for code in codes):
            raise DeliveryError(f"收件地址被拒收：{exc.recipients[0].message}", permanent=True) from exc
        raise
    except aiosmtplib.SMTPDataError as exc:
        if exc.code >= 500:
            raise DeliveryError(f"发信服务器拒绝（{exc.code}）：{exc.message}", permanent=True) from exc
        raise
