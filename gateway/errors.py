"""The gateway's typed refusals and faults, with the codes and Chinese messages callers see.

A `Refusal` is an expected answer to a request that cannot be done as asked (unknown case,
invalid transition, a field that is wrong); `StorageUnavailable` is a temporary fault (the
caller retries). Channels import this module, never storage: it loads nothing else.
"""
from __future__ import annotations


class Refusal(Exception):
    """An expected refusal (unknown case, invalid transition …) with a code and a Chinese
    message for whoever asked; never a fault of the gateway."""

    code = "refused"
    http_status = 409

    def __init__(self, message: str, *, code: str | None = None, http_status: int | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if http_status:
            self.http_status = http_status


class NotFound(Refusal):
    code = "not_found"
    http_status = 404


class ValidationError(Refusal):
    """A field of a request is missing or wrong."""

    code = "invalid_field"
    http_status = 422

    def __init__(self, field: str, message: str, http_status: int = 422, *, code: str | None = None):
        super().__init__(message, http_status=http_status, code=code)
        self.field = field


class BadJson(Refusal):
    """A request body that is not the JSON the endpoint takes: the same code and status on
    every endpoint and channel."""

    code = "invalid_json"
    http_status = 400

    def __init__(self, detail: str = ""):
        super().__init__(f"JSON 格式错误{('：' + detail) if detail else ''}")


class StorageUnavailable(Exception):
    """The database cannot take writes or reads right now; the caller should retry."""
