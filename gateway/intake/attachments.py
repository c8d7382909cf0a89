"""Attachment files: content-addressed (sha256) under <data_dir>/attachments, written and
fsynced before the report that refers to them is committed."""
from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path

import filetype

from gateway.errors import NotFound, Refusal
from gateway.models import Attachment, iso, now
from gateway.store import Store

KINDS = {"image": "image", "audio": "audio", "video": "video"}


class BadAttachment(Refusal):
    code = "bad_attachment"
    http_status = 415


def sniff(data: bytes) -> str:
    """The content type the bytes really have (not what the sender declared)."""
    kind = filetype.guess(data[:8192])
    return kind.mime if kind else "application/octet-stream"


class AttachmentStore:
    def __init__(self, root: Path, store: Store):
        self.root = root
        self.store = store

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise NotFound("附件编号无效")
        return self.root / sha256[:2] / sha256

    async def save(self, data: bytes, *, filename: str = "",
                   allowed_types: list[str] | None = None, max_bytes: int | None = None) -> Attachment:
        content_type = sniff(data)
        if allowed_types is not None and content_type not in allowed_types:
            raise BadAttachment(f"文件“{filename or '附件'}”不是支持的格式（{content_type}），"
                                f"请上传 {'、'.join(t.split('/')[1].upper() for t in allowed_types)} 文件")
        if max_bytes is not None and len(data) > max_bytes:
            raise BadAttachment(f"文件“{filename or '附件'}”超过 {max_bytes // (1024 * 1024)} MB",
                                code="attachment_too_large")
        sha256 = hashlib.sha256(data).hexdigest()
        await asyncio.get_running_loop().run_in_executor(None, self._write, sha256, data)
        await self.store.record_attachment(sha256, len(data), content_type, iso(now()))
        kind = KINDS.get(content_type.split("/")[0], "file")
        return Attachment(kind=kind, content_type=content_type, size=len(data), sha256=sha256,
                          filename=os.path.basename(filename)[:200])

    def _write(self, sha256: str, data: bytes) -> None:
        path = self.path_for(sha256)
        if path.exists() and path.stat().st_size == len(data):
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
