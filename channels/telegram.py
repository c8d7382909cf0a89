"""Telegram bot (python-telegram-bot, webhook or polling).

Not built yet: the channel is disabled and serves nothing until its issue is done."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from channels.base import BaseChannel, IntakeService


@dataclass
class TelegramSettings:
    enabled: bool = False


class TelegramChannel(BaseChannel):
    name = "telegram"

    def __init__(self, service: IntakeService, settings: TelegramSettings, *, data_dir: Path):
        self.service = service
        self.settings = settings


def create(service: IntakeService, settings: TelegramSettings, *, data_dir: Path) -> TelegramChannel:
    return TelegramChannel(service, settings, data_dir=data_dir)
