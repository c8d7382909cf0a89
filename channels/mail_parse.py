"""Lenient, lossless-where-it-matters parsing of a received e-mail.

Chinese mail arrives in every state: GB2312 declared but GBK/GB18030 characters used,
raw 8-bit headers, encoded words split in the middle of a character, HTML only, wrong or
missing charsets. Nothing here raises on bad input: the worst case is replacement
characters in the text, while the raw bytes are kept untouched by the caller."""
from __future__ import annotations

import base64
import binascii
import email
import hashlib
import quopri
import re
from dataclasses import dataclass, field
from email.message import Message
from email.policy import Compat32
from email.utils import getaddresses, parseaddr

import html2text
from charset_normalizer import from_bytes

# Declared charset -> the codec that really decodes it (supersets, so characters outside
# the declared set do not crash or get lost).
CHARSET_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
    "gb_2312-80": "gb18030", "euc-cn": "gb18030", "x-euc-cn": "gb18030", "csgb2312": "gb18030",
    "hz-gb-2312": "hz", "big5": "big5hkscs", "x-big5": "big5hkscs", "cp950": "big5hkscs",
    "us-ascii": "utf-8", "ascii": "utf-8", "unicode-1-1-utf-7": "utf-7", "utf8": "utf-8",
}
# Candidates for charset detection when none is declared or the declared one fails: what
# Chinese mail really comes in. (GB18030 accepts almost any bytes, so "the first codec
# that does not raise" turns Big5 into garbage: a detector weighs which reads as text.)
DETECT_AMONG = ["utf_8", "gb18030", "big5", "big5hkscs"]
ENCODED_WORD = re.compile(r"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([QqBb])\?([^?\s]*)\?=")
ADDRESS = re.compile(r"^[^@\s<>()\[\],;:\"]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")
MSGID = re.compile(r"<([^<>\s]+)>")
SKIPPED_TYPES = {"application/pkcs7-signature", "application/x-pkcs7-signature",
                 "application/pgp-signature", "application/pgp-keys", "message/delivery-status",
                 "message/disposition-notification", "text/rfc822-headers"}
MAX_EXTERNAL_ID = 200


class _RawHeaders(Compat32):
    """Header values exactly as received (8-bit bytes kept as surrogates), decoded by us."""

    def header_fetch_parse(self, name, value):
        return value


RAW_POLICY = _RawHeaders()


@dataclass
class Part:
    filename: str
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    external_id: str  # the Message-ID, or a hash of the raw bytes when there is none
    message_id: str  # "" when the mail had none
    subject: str
    sender: str  # lower-cased address from From (Reply-To is not trusted for scoping)
    sender_name: str
    envelope_from: str
    body: str  # the citizen's text, quoted history removed
    full_body: str  # the whole text part, as decoded
    from_html: bool
    parts: list[Part] = field(default_factory=list)
    references: list[str] = field(default_factory=list)  # In-Reply-To first, then References
    headers: dict[str, list[str]] = field(default_factory=dict)  # lower-case name -> values
    content_type: str = "text/plain"
    defects: int = 0


def codec_for(charset: str | None) -> str | None:
    if not charset:
        return None
    name = charset.strip().strip('"').lower()
    name = CHARSET_ALIASES.get(name, name)
    try:
        "".encode(name)
        b"".decode(name)
    except (LookupError, ValueError):
        return None
    return name


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Text in the declared charset when it decodes cleanly; otherwise (none declared, or
    it fails) UTF-8 if valid, else the charset a detector (charset-normalizer) finds the
    most text-like; at worst the declared (or UTF-8) one with replacement characters."""
    declared = codec_for(charset)
    for name in dict.fromkeys([declared, "utf-8"] if declared else ["utf-8"]):
        try:
            return data.decode(name)
        except UnicodeDecodeError:
            continue
    best = from_bytes(data, cp_isolation=DETECT_AMONG).best()
    if best is not None:
        return str(best)
    return data.decode(declared or "utf-8", errors="replace")


def decode_header(value: str | None) -> str:
    """RFC 2047 encoded words (adjacent words of one charset joined before decoding, as
    mailers split multi-byte characters across words) and raw 8-bit headers."""
    if not value:
        return ""
    if any("\udc80" <= ch <= "\udcff" for ch in value):  # raw 8-bit bytes in the header
        value = decode_bytes(value.encode("ascii", "surrogateescape"))
    value = re.sub(r"\r?\n[ \t]+", " ", value).replace("\r", "").replace("\n", "")
    out: list[str] = []
    pending: list[bytes] = []
    pending_charset: str | None = None
    pos = 0

    def flush() -> None:
        nonlocal pending, pending_charset
        if pending:
            out.append(decode_bytes(b"".join(pending), pending_charset))
        pending, pending_charset = [], None

    for match in ENCODED_WORD.finditer(value):
        between = value[pos:match.start()]
        if between and not (pending and between.isspace()):  # space between words is dropped
            flush()
            out.append(between)
        charset, kind, text = match.groups()
        data = _b_decode(text) if kind in "Bb" else quopri.decodestring(
            text.replace("_", " ").encode("ascii", "replace"), header=True)
        if pending and codec_for(charset) != codec_for(pending_charset):
            flush()
        pending.append(data)
        pending_charset = charset
        pos = match.end()
    flush()
    out.append(value[pos:])
    return "".join(out).strip()


def _b_decode(text: str) -> bytes:
    """Base64 as the standard library decodes it, so valid input comes out whole (its `=`
    padding included); broken base64 (missing padding, stray characters, a lone trailing
    character) is decoded as far as it goes instead of being dropped."""
    try:
        return base64.b64decode(text)  # characters outside the alphabet are skipped
    except (binascii.Error, ValueError):
        core = re.sub(r"[^A-Za-z0-9+/]", "", text)
        core = core[: len(core) - (len(core) % 4 == 1)]
        try:
            return base64.b64decode(core + "=" * (-len(core) % 4))
        except (binascii.Error, ValueError):
            return b""


def message_ids(value: str | None) -> list[str]:
    return [m.strip() for m in MSGID.findall(value or "")]


def parse(raw: bytes, envelope_from: str = "") -> ParsedMail:
    msg = email.message_from_bytes(raw, policy=RAW_POLICY)
    headers: dict[str, list[str]] = {}
    for name, value in msg.items():
        headers.setdefault(name.lower(), []).append(decode_header(value))
    first = lambda name: headers.get(name, [""])[0]  # noqa: E731
    ids = message_ids(first("message-id"))
    message_id = ids[0] if ids else ""
    if message_id and len(message_id) <= MAX_EXTERNAL_ID:
        external_id = message_id
    else:  # no (usable) Message-ID: the same bytes are the same mail
        external_id = "sha256:" + hashlib.sha256(raw).hexdigest()
    name, address = _from_address(msg.get("From"))
    plain, html, parts = _collect(msg)
    full_body = "\n\n".join(t for t in plain if t.strip())
    from_html = not full_body and bool(html)
    if from_html:
        full_body = "\n\n".join(html_to_text(h) for h in html)
    references = message_ids(first("in-reply-to")) + message_ids(" ".join(headers.get("references", [])))
    return ParsedMail(
        external_id=external_id, message_id=message_id, subject=first("subject"),
        sender=address, sender_name=name, envelope_from=(envelope_from or "").lower(),
        body=strip_quoted(full_body), full_body=full_body.strip(), from_html=from_html,
        parts=parts, references=list(dict.fromkeys(references)), headers=headers,
        content_type=msg.get_content_type(), defects=_count_defects(msg),
    )


def _from_address(value: str | None) -> tuple[str, str]:
    if not value:
        return "", ""
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        value = decode_bytes(value.encode("ascii", "surrogateescape"))
    pairs = getaddresses([re.sub(r"\r?\n[ \t]+", " ", value)])
    name, address = pairs[0] if pairs else parseaddr(value)
    address = address.strip().lower()
    if not ADDRESS.match(address):  # unparseable: nobody to answer
        address = ""
    return decode_header(name).strip().strip('"'), address


def _collect(msg: Message) -> tuple[list[str], list[str], list[Part]]:
    plain: list[str] = []
    html: list[str] = []
    parts: list[Part] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        if ctype in SKIPPED_TYPES:
            continue
        disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
        filename = _filename(part)
        data = _payload(part)
        if ctype.startswith("text/") and disposition != "attachment" and not (
                filename and ctype not in ("text/plain", "text/html")):
            text = decode_bytes(data, part.get_content_charset() or part.get_param("charset"))
            (html if ctype == "text/html" else plain).append(text)
        elif data:
            parts.append(Part(filename or "", ctype, data))
    return plain, html, parts


def _filename(part: Message) -> str:
    for value in (part.get_param("filename", header="content-disposition"),
                  part.get_param("name", header="content-type")):
        if not value:
            continue
        if isinstance(value, tuple):  # RFC 2231: (charset, language, text)
            charset, _, text = value
            raw = text.encode("latin-1", "replace") if isinstance(text, str) else text
            return decode_bytes(raw, charset)
        return decode_header(str(value))
    return ""


def _payload(part: Message) -> bytes:
    cte = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    payload = part.get_payload()
    if cte == "base64" and isinstance(payload, str):
        return _b_decode(payload)
    data = part.get_payload(decode=True)
    if isinstance(data, bytes):
        return data
    payload = part.get_payload()
    if isinstance(payload, str):
        return payload.encode("ascii", "surrogateescape")
    return b""


def _count_defects(msg: Message) -> int:
    return sum(len(getattr(p, "defects", [])) for p in msg.walk())


def html_to_text(html: str) -> str:
    converter = html2text.HTML2Text()
    converter.ignore_images = True
    converter.ignore_emphasis = True
    converter.body_width = 0  # no re-wrapping: Chinese has no spaces to wrap at
    converter.ignore_links = False
    try:
        text = converter.handle(html)
    except Exception:  # html2text on hostile markup: fall back to the tags removed
        text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# Where a reply's quoted history starts (mail clients in common use in China and abroad).
QUOTE_STARTS = re.compile(
    r"^\s*(-{2,}\s*(原始邮件|Original Message|原始郵件|Forwarded message|转发邮件)\s*-{2,}"
    r"|_{10,}"
    r"|(在|On)\s.{4,120}(写道|寫道|wrote)\s*[:：]?"
    r"|发件人\s*[:：]\s*.+|From:\s.+@.+)\s*$", re.IGNORECASE)


def strip_quoted(text: str) -> str:
    """The new text of a reply: without '>' lines and without the quoted original."""
    kept: list[str] = []
    for line in text.splitlines():
        if QUOTE_STARTS.match(line):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    result = "\n".join(kept).strip()
    return result or text.strip()


