"""The channels: each turns one way citizens reach the city into `Intake` records.

A channel is a module here with
  * `Settings`, a dataclass: its section of config.toml (`[<name>]`), with `enabled` and
    optionally `problems()` listing what stops it from working ("key: what is wrong");
  * `create(service, settings) -> Channel` (see `channels.base`);
  * optionally its OpenAPI fragment, `channels/openapi/<name>.json`, served while it is on.
Adding a channel is its module, its entry in `CHANNELS`, its config section and fragment.
"""
from __future__ import annotations

from types import ModuleType

from channels import email, hotline, open311, telegram, webform, wechat

# name -> module; the name is the config section and the channel's name in work orders.
CHANNELS: dict[str, ModuleType] = {
    "webform": webform,
    "hotline": hotline,
    "wechat": wechat,
    "telegram": telegram,
    "email": email,
    "open311": open311,
}
