"""Typed keys for what the aiohttp application holds."""
from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    pass

SETTINGS = web.AppKey("settings", "Settings")
STORE = web.AppKey("store", "Store")
PIPELINE = web.AppKey("pipeline", "Pipeline")
CASES = web.AppKey("cases", "CaseService")
ATTACHMENTS = web.AppKey("attachments", "AttachmentStore")
SERVICE = web.AppKey("service", "GatewayService")
METRICS = web.AppKey("metrics", "Metrics")
CORE_TOKEN = web.AppKey("core_token", str)
DELIVERY = web.AppKey("delivery", "Delivery")
CHANNELS = web.AppKey("channels", dict)
EVENTS = web.AppKey("events", "EventHub")
PUSH = web.AppKey("push", "PushDelivery")
HOTSPOTS = web.AppKey("hotspots", "HotspotView")
FOLLOWER = web.AppKey("follower", "FeedFollower")
