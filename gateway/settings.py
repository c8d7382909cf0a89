"""Service settings: embedded defaults, overlaid by config.toml, then by the command line.

Every key is declared here with its type; an unknown section or key, or a value of the wrong
type, stops start-up with a message naming the file, the key and what is wrong.
"""
from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from channels.email import EmailSettings
from channels.hotline import HotlineSettings
from channels.telegram import TelegramSettings
from channels.wechat import WechatSettings
from gateway.console.settings import ConsoleSettings
from gateway.speech.transcriber import SpeechSettings

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


@dataclass
class CoreSettings:
    # Bearer token of the core platform; GATEWAY_CORE_TOKEN overrides it. Empty: a random
    # token is generated once and kept in <data_dir>/core_token.
    token: str = ""
    feed_max_limit: int = 500


@dataclass
class WebformSettings:
    max_photos: int = 4
    max_photo_mb: float = 8.0
    max_description_chars: int = 4000
    photo_types: list[str] = field(
        default_factory=lambda: ["image/jpeg", "image/png", "image/gif", "image/webp"]
    )


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
class ClassificationSettings:
    # The category taxonomy (codes, keywords, departments, time limits, urgency).
    taxonomy: str = "classifiers/data/taxonomy.toml"
    # A model trained with `python run.py train`; empty = keyword rules only.
    model: str = ""
    # Rules win at or above this confidence; the model covers the long tail.
    rules_threshold: float = 0.55
    model_threshold: float = 0.6
    # Below this confidence the report is marked for review.
    review_threshold: float = 0.35
    # Rules and model both at least this sure of different branches: review.
    disagreement_threshold: float = 0.5


@dataclass
class LocationSettings:
    # The grid registry (区/县 → 街道 → 社区 → 网格); relative paths are from the project root.
    # Empty: no grids; the place is kept as the citizen gave it.
    registry: str = "classifiers/data/grids.json"
    # A point this close outside every grid goes to the nearest grid.
    max_outside_m: float = 200.0
    # A place named in the text and a point closer than this agree.
    agree_m: float = 150.0
    # Below this confidence the report is marked for review (chat asks "where exactly?").
    review_below: float = 0.6
    # Least rapidfuzz similarity (0–100) for a mistyped place name.
    fuzzy_min: float = 80.0


@dataclass
class DuplicateSettings:
    # Check each report against the open cases (false: every report is a new case).
    enabled: bool = True
    # Score at or above which a report joins an open case; between the two, it is filed
    # but marked for review with the candidates.
    attach_threshold: float = 0.70
    suggest_threshold: float = 0.60
    # Reports within this distance count as the same place (when both have coordinates).
    radius_m: float = 250.0
    # Open cases older than this are not candidates.
    window_hours: float = 336.0
    max_candidates: int = 5


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
class Settings:
    server: ServerSettings = field(default_factory=ServerSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    core: CoreSettings = field(default_factory=CoreSettings)
    webform: WebformSettings = field(default_factory=WebformSettings)
    pipeline: PipelineSettings = field(default_factory=PipelineSettings)
    classification: ClassificationSettings = field(default_factory=ClassificationSettings)
    location: LocationSettings = field(default_factory=LocationSettings)
    duplicates: DuplicateSettings = field(default_factory=DuplicateSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    notify: NotifySettings = field(default_factory=NotifySettings)
    speech: SpeechSettings = field(default_factory=SpeechSettings)
    console: ConsoleSettings = field(default_factory=ConsoleSettings)
    # Channels: each module (channels/<name>.py) declares its own settings section.
    hotline: HotlineSettings = field(default_factory=HotlineSettings)
    wechat: WechatSettings = field(default_factory=WechatSettings)
    telegram: TelegramSettings = field(default_factory=TelegramSettings)
    email: EmailSettings = field(default_factory=EmailSettings)
    source: str = "<defaults>"

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
             "dict[str, str]": dict}
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
        sections = {f.name for f in dataclasses.fields(settings) if f.name != "source"}
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
    token = os.environ.get("GATEWAY_CORE_TOKEN")
    if token:
        settings.core.token = token
    _validate(settings)
    return settings


def _validate(s: Settings) -> None:
    where = s.source
    if not 0 < s.server.port < 65536:
        raise SettingsError(f"{where}: [server].port must be 1–65535, got {s.server.port}")
    if s.storage.synchronous.upper() not in {"FULL", "NORMAL", "EXTRA"}:
        raise SettingsError(f"{where}: [storage].synchronous must be FULL, NORMAL or EXTRA")
    if s.webform.max_photos < 0 or s.webform.max_photo_mb <= 0:
        raise SettingsError(f"{where}: [webform] limits must be positive")
    if s.core.token and len(s.core.token) < 16:
        raise SettingsError(f"{where}: [core].token must be at least 16 characters")
    d = s.duplicates
    if not 0 < d.suggest_threshold <= d.attach_threshold <= 1:
        raise SettingsError(f"{where}: [duplicates] needs 0 < suggest_threshold <= attach_threshold <= 1")
    if d.radius_m <= 0 or d.window_hours <= 0 or d.max_candidates < 1:
        raise SettingsError(f"{where}: [duplicates] radius_m, window_hours and max_candidates must be positive")
    if s.pipeline.stage_processes < 0 or s.pipeline.stage_timeout_s <= 0:
        raise SettingsError(f"{where}: [pipeline] stage_processes must be 0 or more, stage_timeout_s positive")
    if s.speech.engine not in {"none", "sphinx", "faster_whisper"}:
        raise SettingsError(f"{where}: [speech].engine must be none, sphinx or faster_whisper")
    if s.logging.format not in {"json", "text"}:
        raise SettingsError(f"{where}: [logging].format must be json or text")
