"""Limits on guessing: failed check codes (per case and per client) and failed console
logins (per account and per client). A key that failed too often in its window is refused
with 429 and Retry-After until the window has passed; a success does not reset a case's
count (an attacker who knows one code learns nothing about another).

State is in memory, bounded and expiring: each key keeps only the failure times inside its
window, and keys with none left are dropped. (Several gateway nodes each count on their
own: the limits then hold per node.)"""
from __future__ import annotations

import ipaddress
import math
import time
from collections import deque
from dataclasses import dataclass, field

from aiohttp import web

from gateway.errors import Refusal


class TooManyAttempts(Refusal):
    code = "too_many_attempts"
    http_status = 429

    def __init__(self, message: str, retry_after_s: float):
        super().__init__(message)
        self.retry_after_s = max(1, math.ceil(retry_after_s))


@dataclass
class FailureLimit:
    """At most `limit` failures per key in any `window_s` seconds."""

    limit: int
    window_s: float
    max_keys: int = 100_000  # memory bound: the oldest keys are dropped first
    _failures: dict[str, deque] = field(default_factory=dict)

    def retry_after(self, key: str, now: float | None = None) -> float:
        """Seconds until `key` may try again (0: now)."""
        now = time.monotonic() if now is None else now
        times = self._window(key, now)
        if times is None or len(times) < self.limit:
            return 0.0
        return times[0] + self.window_s - now

    def failed(self, key: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        times = self._window(key, now)
        if times is None:
            if len(self._failures) >= self.max_keys:
                self._failures.pop(next(iter(self._failures)))
            times = self._failures[key] = deque()
        times.append(now)

    def _window(self, key: str, now: float) -> deque | None:
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times


@dataclass
class GuessLimits:
    """Check-code guessing: per case and per client."""

    per_case: FailureLimit
    per_client: FailureLimit

    def check(self, case_no: str, client: str) -> None:
        wait = max(self.per_case.retry_after(case_no), self.per_client.retry_after(client))
        if wait:
            raise TooManyAttempts("查询码错误次数过多，请稍后再试", wait)

    def failed(self, case_no: str, client: str) -> None:
        self.per_case.failed(case_no)
        self.per_client.failed(client)


def client_address(request: web.Request, trusted_proxies: list[str]) -> str:
    """Who is asking: the peer address, or — when the peer is one of the configured
    reverse proxies — the nearest address in X-Forwarded-For that is not one of them.
    Without configured proxies the header is ignored (anyone can write it)."""
    peer = request.remote or ""
    if not trusted_proxies or not _in(peer, trusted_proxies):
        return peer
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _in(hop, trusted_proxies):
            return hop
    return peer


def _in(address: str, networks: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(n, strict=False) for n in networks)
