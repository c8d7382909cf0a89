"""12345 hotline: the call-centre webhook (POST /hooks/hotline).

Not built yet: the channel is disabled and serves nothing until its issue is done."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from channels.base import BaseChannel, IntakeService


@dataclass
class HotlineSettings:
    enabled: bool = False


class HotlineChannel(BaseChannel):
    name = "hotline"

    def __init__(self, service: IntakeService, settings: HotlineSettings, *, data_dir: Path):
        self.service = service
        self.settings = settings


def create(service: IntakeService, settings: HotlineSettings, *, data_dir: Path) -> HotlineChannel:
    return HotlineChannel(service, settings, data_dir=data_dir)
