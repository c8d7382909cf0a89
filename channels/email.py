"""E-mail: an SMTP intake server (aiosmtpd) with acknowledgements.

Not built yet: the channel is disabled and serves nothing until its issue is done."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from channels.base import BaseChannel, IntakeService


@dataclass
class EmailSettings:
    enabled: bool = False


class EmailChannel(BaseChannel):
    name = "email"

    def __init__(self, service: IntakeService, settings: EmailSettings, *, data_dir: Path):
        self.service = service
        self.settings = settings


def create(service: IntakeService, settings: EmailSettings, *, data_dir: Path) -> EmailChannel:
    return EmailChannel(service, settings, data_dir=data_dir)
