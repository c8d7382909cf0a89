"""Service settings: embedded defaults, overlaid by config.toml, then by the command line.

Every key is declared here with its type; an unknown section or key, or a value of the wrong
type, stops start-up with a message naming the file, the key and what is wrong.
"""
from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from channels import CHANNELS
from classifiers.classify.settings import ClassificationSettings
from classifiers.dedupe.settings import DuplicateSettings
from classifiers.hotspots.settings import HotspotSettings
from classifiers.locate.settings import LocationSettings
from gateway.cases.deadlines import DeadlineSettings
from gateway.cases.workorders import CHANGE_KINDS as PUSH_EVENTS
from gateway.console.settings import ConsoleSettings
from gateway.speech.settings import SpeechSettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(Exception):
    pass


@dataclass
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    # Base URL the core platform uses to fetch attachments; default http://host:port.
    public_url: str = ""
    max_body_mb: float = 40.0


@dataclass
class StorageSettings:
    data_dir: str = "data"
    # How long a write waits for a lock held by another process before answering 503.
    busy_timeout_ms: int = 2000
    # FULL: every acknowledged report survives power loss, not only a process crash.
    synchronous: str = "FULL"
    max_batch: int = 256
    # Photos that carried metadata (EXIF, GPS) or markup are served re-encoded; keep the
    # bytes as sent too (under attachments/originals, never served)?
    keep_photo_originals: bool = False
    # /healthz reports "low" (and 503) when the data directory has less free space than this.
    min_free_mb: float = 200.0


@dataclass
class StoreSettings:
    # Empty: the embedded SQLite file <data_dir>/gateway.sqlite3. A postgresql:// URL
    # (libpq form, e.g. "postgresql://gateway@db.example/gateway"): PostgreSQL, which
    # several gateway nodes can share. GATEWAY_STORE_URL overrides it.
    url: str = ""
    # PostgreSQL: connections each node keeps for reads (the writer has one of its own).
    pool_size: int = 4
    # PostgreSQL: how often a node reads the change feed for cases filed or changed on
    # other nodes (so its duplicate check sees them).
    follow_interval_s: float = 0.5
    # PostgreSQL: how long a node holds work it took that must run once (a stored report
    # to file, a push subscription to send to) before another node may take it over.
    claim_s: float = 60.0

    def problems(self) -> list[str]:
        problems = []
        if self.url and not self.url.startswith(("postgresql://", "postgres://")):
            problems.append("url: must be empty (SQLite) or a postgresql:// URL")
        if self.pool_size < 1:
            problems.append("pool_size: must be 1 or more")
        if self.follow_interval_s <= 0:
            problems.append("follow_interval_s: must be positive")
        if self.claim_s <= 0:
            problems.append("claim_s: must be positive")
        return problems


@dataclass
class CoreSettings:
    # Bearer token of the core platform; GATEWAY_CORE_TOKEN overrides it. Empty: a random
    # token is generated once and kept in <data_dir>/core_token.
    token: str = ""
    feed_max_limit: int = 500


@dataclass
class PipelineSettings:
    # Seconds between sweeps that finish reports stored but not yet filed (after a crash).
    recovery_interval_s: float = 30.0
    # Worker processes that classify and locate reports, so these CPU-heavy stages use
    # another core than the event loop; 0 = run them in the gateway process.
    stage_processes: int = 1
    # A report whose stages take longer than this in a worker is filed for review.
    stage_timeout_s: float = 30.0
    # With stage workers on Linux and two or more CPUs: the event loop keeps to the first
    # CPU and the workers to the others, so they do not share its caches.
    pin_cpus: bool = True
    # Without stage workers: reports up to this many characters run the stages on the
    # event loop; longer ones in a worker thread.
    inline_stage_chars: int = 1000


@dataclass
class SecuritySettings:
    # Reverse proxies (addresses or CIDR ranges) in front of the gateway: only from these is
    # X-Forwarded-For believed when telling clients apart. Empty: the peer address counts.
    trusted_proxies: list[str] = field(default_factory=list)
    # Wrong check codes: a case's code takes at most this many wrong guesses per window,
    # and one client at most this many over all cases; then 429 until the window passes.
    check_code_failures_per_case: int = 5
    check_code_window_s: float = 3600.0
    check_code_failures_per_client: int = 20
    client_window_s: float = 600.0
    # Console logins: wrong passwords per account and per client per window.
    login_failures_per_account: int = 5
    login_failures_per_client: int = 20
    login_window_s: float = 900.0
    # Password checks (Argon2, ~170 ms of CPU each) run off the event loop, this many at once.
    password_checks_at_once: int = 2

    def problems(self) -> list[str]:
        import ipaddress

        found = []
        for proxy in self.trusted_proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                found.append(f"trusted_proxies: not an address or network: {proxy!r}")
        numbers = (self.check_code_failures_per_case, self.check_code_window_s, self.check_code_failures_per_client,
                   self.client_window_s, self.login_failures_per_account, self.login_failures_per_client,
                   self.login_window_s, self.password_checks_at_once)
        if any(n <= 0 for n in numbers):
            found.append("limits and windows: must be positive")
        return found


@dataclass
class LoggingSettings:
    level: str = "INFO"
    format: str = "json"  # json | text


@dataclass
class NotifySettings:
    # Message templates for answers back to citizens (editable; checked at start-up).
    templates: str = "gateway/outbound/templates/messages.toml"
    # A message that keeps failing is retried with doubling pauses, then kept as failed.
    max_attempts: int = 8
    first_retry_s: float = 10.0
    timeout_s: float = 15.0


@dataclass
class PushSettings:
    # Push every change in the feed to the subscribers (README, "Push delivery").
    enabled: bool = False
    # Subscriptions from the configuration: [[push.subscriptions]] name, url, secret
    # (at least 16 characters), events (default all). More are added through the API.
    subscriptions: list[dict] = field(default_factory=list)
    # An event is retried after first_retry_s, doubling up to max_retry_s (with jitter), and
    # becomes a dead letter after max_attempts attempts.
    max_attempts: int = 10
    first_retry_s: float = 1.0
    max_retry_s: float = 300.0
    timeout_s: float = 10.0
    # After this many consecutive failures nothing is sent to the destination for
    # circuit_open_s (doubling up to circuit_max_open_s while it stays down), then one probe.
    circuit_failures: int = 5
    circuit_open_s: float = 10.0
    circuit_max_open_s: float = 300.0
    # Cases sent to one destination at once (each case's events one after another), and
    # events read from the log per round.
    concurrency: int = 16
    batch: int = 200
    idle_s: float = 5.0
    # The change log keeps an event until every subscription has it, at most this long;
    # dead letters are kept this long.
    keep_events_days: float = 7.0
    keep_dead_days: float = 30.0
    # Every this many seconds, open cases past their due time are marked overdue (a change
    # of kind "overdue" in the feed and to subscribers); 0 = never.
    overdue_check_s: float = 60.0

    def problems(self) -> list[str]:
        problems = []
        names = set()
        for index, sub in enumerate(self.subscriptions, 1):
            where = f"subscriptions #{index}"
            if not isinstance(sub, dict):
                problems.append(f"{where}: must be a table (name, url, secret, events)")
                continue
            try:
                check_subscription(sub.get("name"), sub.get("url"), sub.get("secret"),
                                   sub.get("events", list(PUSH_EVENTS)))
            except ValueError as exc:
                problems.append(f"{where}: {exc}")
            unknown = set(sub) - {"name", "url", "secret", "events"}
            if unknown:
                problems.append(f"{where}: unknown keys {', '.join(sorted(unknown))}")
            if sub.get("name") in names:
                problems.append(f"{where}: name {sub.get('name')} given twice")
            names.add(sub.get("name"))
        if self.max_attempts < 1 or self.first_retry_s <= 0 or self.max_retry_s < self.first_retry_s:
            problems.append("max_attempts, first_retry_s, max_retry_s: must be positive, max ≥ first")
        if self.concurrency < 1 or self.batch < 1 or self.circuit_failures < 1:
            problems.append("concurrency, batch, circuit_failures: must be positive")
        return problems


def check_subscription(name, url, secret, events) -> None:
    """A subscription's fields; ValueError says what is wrong (in English for the file,
    the API answers in its own words)."""
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_\-]{1,64}", name):
        raise ValueError("name: 1–64 letters, digits, - or _")
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 2000:
        raise ValueError("url: an http(s) URL")
    if not isinstance(secret, str) or not re.fullmatch(r"[\x20-\x7e]{16,256}", secret):
        raise ValueError("secret: 16–256 printable ASCII characters")
    if (not isinstance(events, list) or not events or not all(isinstance(e, str) for e in events)
            or set(events) - set(PUSH_EVENTS)):
        raise ValueError(f"events: a non-empty list of {', '.join(PUSH_EVENTS)}")


# The service's own sections, then each channel's (channels.CHANNELS brings its class).
SECTIONS: dict[str, type] = {
    "server": ServerSettings,
    "storage": StorageSettings,
    "store": StoreSettings,
    "core": CoreSettings,
    "pipeline": PipelineSettings,
    "classification": ClassificationSettings,
    "location": LocationSettings,
    "duplicates": DuplicateSettings,
    "deadlines": DeadlineSettings,
    "hotspots": HotspotSettings,
    "security": SecuritySettings,
    "logging": LoggingSettings,
    "notify": NotifySettings,
    "push": PushSettings,
    "speech": SpeechSettings,
    "console": ConsoleSettings,
    **{name: module.Settings for name, module in CHANNELS.items()},
}


class _SettingsBase:
    source: str

    @property
    def data_dir(self) -> Path:
        path = Path(self.storage.data_dir)
        return path if path.is_absolute() else Path.cwd() / path

    def project_path(self, value: str) -> Path:
        """A data file named in the settings: absolute, or relative to the project root."""
        path = Path(value)
        return path if path.is_absolute() else PROJECT_ROOT / path

    @property
    def public_url(self) -> str:
        return (self.server.public_url or f"http://{self.server.host}:{self.server.port}").rstrip("/")

    def channel(self, name: str) -> Any:
        """A channel's settings section by the channel's name."""
        return getattr(self, name)


# One attribute per section (settings.server, settings.hotline …), each its own dataclass.
Settings = dataclasses.make_dataclass(
    "Settings",
    [*((name, cls, field(default_factory=cls)) for name, cls in SECTIONS.items()),
     ("source", str, field(default="<defaults>"))],
    bases=(_SettingsBase,),
)
Settings.__module__ = __name__  # stage workers receive the settings pickled


def _check_type(value: Any, expected: Any) -> bool:
    if expected is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == list[str]:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, expected)


def _apply_section(target: Any, values: dict[str, Any], where: str) -> None:
    hints = {f.name: f.type for f in dataclasses.fields(target)}
    types = {"str": str, "int": int, "float": float, "bool": bool, "list[str]": list[str],
             "dict[str, str]": dict, "list[dict]": list}
    for key, value in values.items():
        if key not in hints:
            known = ", ".join(sorted(hints))
            raise SettingsError(f"{where}: unknown key '{key}' (known keys: {known})")
        expected = types[hints[key]] if isinstance(hints[key], str) else hints[key]
        if not _check_type(value, expected):
            raise SettingsError(
                f"{where}.{key}: expected {hints[key]}, got {type(value).__name__} {value!r}"
            )
        setattr(target, key, value)


def load(path: str | os.PathLike | None = None, overrides: dict[str, Any] | None = None) -> Settings:
    """Defaults, then the TOML file (if it exists or was named), then `overrides`
    ({"server.port": 9000, …}), then environment variables."""
    settings = Settings()
    if path is not None:
        file = Path(path)
        if not file.exists():
            raise SettingsError(f"{file}: configuration file not found")
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingsError(f"{file}: not valid TOML: {exc}") from exc
        settings.source = str(file)
        sections = set(SECTIONS)
        for name, values in data.items():
            if name not in sections:
                raise SettingsError(f"{file}: unknown section [{name}] (known: {', '.join(sorted(sections))})")
            if not isinstance(values, dict):
                raise SettingsError(f"{file}: [{name}] must be a table")
            _apply_section(getattr(settings, name), values, f"{file}: [{name}]")
    for dotted, value in (overrides or {}).items():
        if value is None:
            continue
        section, key = dotted.split(".", 1)
        _apply_section(getattr(settings, section), {key: value}, f"command line --{key.replace('_', '-')}")
    store_url = os.environ.get("GATEWAY_STORE_URL")
    if store_url:
        settings.store.url = store_url
    token = os.environ.get("GATEWAY_CORE_TOKEN")
    if token:
        settings.core.token = token
    _validate(settings)
    return settings


def _validate(s: Settings) -> None:
    where = s.source
    problems = []
    if not 0 < s.server.port < 65536:
        problems.append(f"[server].port: must be 1–65535, got {s.server.port}")
    if s.storage.synchronous.upper() not in {"FULL", "NORMAL", "EXTRA"}:
        problems.append("[storage].synchronous: must be FULL, NORMAL or EXTRA")
    if s.core.token and len(s.core.token) < 16:
        origin = "GATEWAY_CORE_TOKEN (environment)" if os.environ.get("GATEWAY_CORE_TOKEN") else "[core].token"
        problems.append(f"{origin}: must be at least 16 characters")
    if s.pipeline.stage_processes < 0 or s.pipeline.stage_timeout_s <= 0:
        problems.append("[pipeline] stage_processes: must be 0 or more, stage_timeout_s positive")
    if s.logging.format not in {"json", "text"}:
        problems.append("[logging].format: must be json or text")
    for name in SECTIONS:
        section = getattr(s, name)
        if name in CHANNELS and not section.enabled:
            continue  # a channel that is off is not checked
        problems += [f"[{name}].{problem}" for problem in getattr(section, "problems", list)()]
    if problems:
        raise SettingsError(f"{where}: " + f"\n{where}: ".join(problems))
