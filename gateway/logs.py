"""Structured logs: one JSON object per line, with the case number and channel when known.
Phone numbers and names are never passed to the logger."""
from __future__ import annotations

import logging
import sys
from datetime import datetime

import orjson

from gateway.models import CST

FIELDS = ("case_no", "channel", "intake", "call_id", "operator")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"ts": datetime.fromtimestamp(record.created, CST).isoformat(timespec="seconds"),
                 "level": record.levelname, "logger": record.name,
                 "msg": record.getMessage()}
        for name in FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def setup(level: str = "INFO", fmt: str = "json") -> None:
    # Neither format shows the caller's file, thread or process; without these the
    # logging module skips a stack walk and three lookups for every line (a report
    # logs one), as its documentation's "Optimization" section suggests.
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
