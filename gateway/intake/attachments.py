"""Attachment files: content-addressed (sha256) under <data_dir>/attachments, written and
fsynced before the report that refers to them is committed.

Where several nodes share a PostgreSQL database, each file is also written into the
database with its record (the same commit), and a node asked for a file it does not have
copies it from there into its own directory first (`local_path`): every node serves every
file, and the file is as safe as the report (PostgreSQL's backups and replication)."""
from __future__ import annotations

import asyncio
import errno
import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import filetype

from gateway.errors import NotFound, Refusal, StorageUnavailable
from gateway.intake.images import NotAnImage, clean_photo
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


@dataclass
class CheckedFile:
    """An attachment checked and cleaned, not yet written."""

    data: bytes
    content_type: str
    filename: str
    original: bytes | None = None  # the bytes as sent, when cleaning changed them

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


class AttachmentStore:
    def __init__(self, root: Path, store: Store, *, keep_originals: bool = False):
        self.root = root
        self.store = store
        self.keep_originals = keep_originals  # photos' bytes as sent, besides the cleaned ones

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise NotFound("附件编号无效")
        return self.root / sha256[:2] / sha256

    async def local_path(self, sha256: str) -> Path:
        """The file in this node's directory; copied there from the database first when
        another node stored it (several nodes). NotFound when there is no such file."""
        path = self.path_for(sha256)
        if not path.exists() and self.store.shared:
            data = await self.store.attachment_file(sha256)
            if data is not None:
                await asyncio.get_running_loop().run_in_executor(None, self._write, sha256, data)
        if not path.exists():
            raise NotFound(f"附件 {sha256} 的文件缺失")
        return path

    async def save(self, data: bytes, *, filename: str = "",
                   allowed_types: list[str] | None = None, max_bytes: int | None = None) -> Attachment:
        [attachment] = await self.save_all([(data, filename)], allowed_types=allowed_types, max_bytes=max_bytes)
        return attachment

    async def save_all(self, files: list[tuple[bytes, str]], *, allowed_types: list[str] | None = None,
                       max_bytes: int | None = None) -> list[Attachment]:
        """Check every file first (type, size, a photo that decodes; photos cleaned of
        metadata and markup), then write them all: a refused file leaves nothing behind."""
        loop = asyncio.get_running_loop()
        checked = [await loop.run_in_executor(None, self.check, data, name, allowed_types, max_bytes)
                   for data, name in files]
        saved = []
        for item in checked:
            sha256 = item.sha256
            await loop.run_in_executor(None, self._write, sha256, item.data)
            if item.original is not None and self.keep_originals:
                await loop.run_in_executor(None, self._write_original, sha256, item.original)
            await self.store.record_attachment(sha256, len(item.data), item.content_type, iso(now()),
                                               data=item.data if self.store.shared else None)
            saved.append(Attachment(kind=KINDS.get(item.content_type.split("/")[0], "file"),
                                    content_type=item.content_type, size=len(item.data), sha256=sha256,
                                    filename=os.path.basename(item.filename)[:200]))
        return saved

    @staticmethod
    def check(data: bytes, filename: str = "", allowed_types: list[str] | None = None,
              max_bytes: int | None = None) -> CheckedFile:
        label = filename or "附件"
        if max_bytes is not None and len(data) > max_bytes:
            raise BadAttachment(f"文件“{label}”超过 {max_bytes // (1024 * 1024)} MB",
                                code="attachment_too_large", http_status=413)
        content_type = sniff(data)
        if allowed_types is not None and content_type not in allowed_types:
            raise BadAttachment(f"文件“{label}”不是支持的格式（{content_type}），"
                                f"请上传 {'、'.join(t.split('/')[1].upper() for t in allowed_types)} 文件")
        if content_type.startswith("image/"):
            try:
                cleaned = clean_photo(data, content_type)
            except NotAnImage:
                if allowed_types is not None:  # a photo was asked for: say it is not one
                    raise BadAttachment(f"文件“{label}”无法作为图片打开，请重新拍摄或换一张") from None
                # Kept as an opaque file (an e-mail's broken attachment): served only as a
                # download, never as an image a browser might render.
                return CheckedFile(data, "application/octet-stream", filename)
            if cleaned is not data:
                return CheckedFile(cleaned, content_type, filename, original=data)
        return CheckedFile(data, content_type, filename)

    def _write(self, sha256: str, data: bytes, path: Path | None = None) -> None:
        path = path or self.path_for(sha256)
        if path.exists() and path.stat().st_size == len(data):
            return
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with open(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError as exc:
            tmp.unlink(missing_ok=True)  # never a half-written file left behind
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise StorageUnavailable("附件存储空间已满") from None
            raise StorageUnavailable(f"附件无法写入：{exc.strerror}") from None

    def _write_original(self, sha256: str, data: bytes) -> None:
        self._write(sha256, data, self.root / "originals" / sha256)
