"""WeChat Official Account endpoint (GET/POST /hooks/wechat).

Not built yet: the channel is disabled and serves nothing until its issue is done."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from channels.base import BaseChannel, IntakeService


@dataclass
class WechatSettings:
    enabled: bool = False


class WechatChannel(BaseChannel):
    name = "wechat"

    def __init__(self, service: IntakeService, settings: WechatSettings, *, data_dir: Path):
        self.service = service
        self.settings = settings


def create(service: IntakeService, settings: WechatSettings, *, data_dir: Path) -> WechatChannel:
    return WechatChannel(service, settings, data_dir=data_dir)
