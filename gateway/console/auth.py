"""Operator accounts and sessions: Argon2id password hashes, random session tokens kept
only as hashes, expiry, and a CSRF token per session for every POST."""
from __future__ import annotations

import asyncio
import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from gateway.errors import Refusal
from gateway.guard import FailureLimit, TooManyAttempts
from gateway.models import iso, now
from gateway.store.console import ConsoleStore

COOKIE = "gw_console"
ROLES = ("operator", "admin")
_hasher = PasswordHasher()
# Verifying against this when the user does not exist takes as long as a real check, so
# response times do not tell which usernames exist.
_DUMMY = _hasher.hash("not a password")


class Unauthorized(Refusal):
    code = "unauthorized"
    http_status = 401


class Forbidden(Refusal):
    code = "forbidden"
    http_status = 403


MAX_PASSWORD = 200  # hashing a megabyte "password" is work an attacker should not get for free


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise Refusal("密码至少 8 位", code="weak_password", http_status=422)
    if len(password) > MAX_PASSWORD:
        raise Refusal(f"密码最多 {MAX_PASSWORD} 位", code="invalid_field", http_status=422)
    return _hasher.hash(password)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    def __init__(self, console: ConsoleStore, session_minutes: int, *,
                 per_account: FailureLimit | None = None, per_client: FailureLimit | None = None,
                 checks_at_once: int = 2):
        self.console = console
        self.session_minutes = session_minutes
        self.per_account = per_account or FailureLimit(5, 900)
        self.per_client = per_client or FailureLimit(20, 900)
        # Argon2 takes ~170 ms of CPU: off the event loop, a few at a time, so that a burst
        # of logins cannot stall every channel.
        self._checks = asyncio.Semaphore(checks_at_once)

    async def _verify(self, password_hash: str, password: str) -> bool:
        async with self._checks:
            try:
                return await asyncio.get_running_loop().run_in_executor(
                    None, _hasher.verify, password_hash, password)
            except (VerificationError, InvalidHashError):
                return False

    async def add(self, username: str, password: str, *, display_name: str = "",
                  role: str = "operator", seat_id: str = "") -> dict:
        username = (username or "").strip()
        if not username or len(username) > 40 or not username.replace("_", "").replace("-", "").isalnum():
            raise Refusal("用户名须为 1–40 位字母、数字、- 或 _", code="invalid_username", http_status=422)
        if role not in ROLES:
            raise Refusal("角色须为 operator 或 admin", code="invalid_role", http_status=422)
        display_name, seat_id = (display_name or username).strip(), str(seat_id).strip()
        if len(display_name) > 40 or len(seat_id) > 20:
            raise Refusal("显示名称最多 40 个字，坐席号最多 20 个字符", code="invalid_field", http_status=422)
        return await self.console.add_operator(username, display_name, hash_password(password), role, seat_id,
                                               iso(now()))

    async def login(self, username: str, password: str, client: str = "") -> tuple[str, dict]:
        """A new session token and the session, or Unauthorized (same answer for an unknown
        user and a wrong password); TooManyAttempts (429) after too many wrong passwords
        for the account or from the client."""
        username = (username or "").strip()[:40]
        account = username.lower()
        wait = max(self.per_account.retry_after(account), self.per_client.retry_after(client))
        if wait:
            raise TooManyAttempts("密码错误次数过多，请稍后再试", wait)
        operator = await self.console.operator_by_name(username)
        if len(password or "") > MAX_PASSWORD:
            operator, password = None, ""
        if not await self._verify(operator["password_hash"] if operator else _DUMMY, password or ""):
            operator = None
        if operator is None or not operator["active"]:
            self.per_account.failed(account)
            self.per_client.failed(client)
            raise Unauthorized("用户名或密码错误", code="bad_credentials")
        if _hasher.check_needs_rehash(operator["password_hash"]):
            await self.console.set_password(operator["username"], _hasher.hash(password))
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        at = now()
        await self.console.create_session(token_hash(token), operator["id"], csrf, iso(at),
                                          iso(at + timedelta(minutes=self.session_minutes)))
        await self.console.purge_sessions(iso(at))
        return token, await self.session(token)

    async def session(self, token: str | None) -> dict:
        """The operator behind a session token; Unauthorized when missing or expired."""
        if not token:
            raise Unauthorized("请先登录", code="login_required")
        session = await self.console.session(token_hash(token))
        if session is None:
            raise Unauthorized("登录已失效，请重新登录", code="session_expired")
        if session["expires_at"] <= iso(now()):
            await self.console.end_session(token_hash(token))
            raise Unauthorized("登录已过期，请重新登录", code="session_expired")
        if not session["active"]:
            raise Unauthorized("账号已停用", code="account_disabled")
        return session

    async def logout(self, token: str | None) -> None:
        if token:
            await self.console.end_session(token_hash(token))
