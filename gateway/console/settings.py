"""Settings of the seat-operator console ([console] in config.toml)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ConsoleSettings:
    enabled: bool = True
    # A session ends this many minutes after login (one shift).
    session_minutes: int = 600
    # The first administrator, created at start-up while there is none. The password may
    # come from GATEWAY_CONSOLE_ADMIN_PASSWORD instead; without either, no account is made
    # and `create_operator` (run.py hook) must be used.
    admin_username: str = "admin"
    admin_password: str = ""
    # Send the session cookie only over HTTPS (set true behind TLS).
    cookie_secure: bool = False
