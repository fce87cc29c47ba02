"""Structured logs: one JSON line per event (ISO time, level, stable event name), secrets redacted."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

_SECRETISH = re.compile(
    r"(gh[posu]_[A-Za-z0-9]{16,}|-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----)"
)
_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Never let this value reach a log line (the webhook secret, the private key)."""
    if value and len(value) >= 4:
        _secrets.add(value)


def redact(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, "[redacted]")
    return _SECRETISH.sub("[redacted]", text)


class JsonFormatter(logging.Formatter):
    """`event` is the message before formatting (a literal in the code), so it stays the same from one
    line to the next and can be counted; `msg` is the formatted text. Libraries' lines (uvicorn's, urllib3's)
    are templates such as "Uvicorn running on %s://%s:%d": their event is the formatted text."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        message = record.getMessage()
        ours = record.name == "undersigned" or record.name.startswith(("undersigned.", "app."))
        data: dict[str, Any] = {
            "ts": stamp.replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "event": str(record.msg) if ours or not record.args else message,
            "logger": record.name,
        }
        if message != data["event"]:
            data["msg"] = message
        for key, value in getattr(record, "fields", {}).items():
            data[f"field_{key}" if key in ("ts", "level", "event") else key] = value
        if record.exc_info:
            data["error"] = self.formatException(record.exc_info)
        return redact(json.dumps(data, ensure_ascii=False, default=str))


def setup(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("urllib3", "github"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))


def event(logger: logging.Logger, name: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log one structured line: a stable event `name` plus key/value fields."""
    logger.log(level, name, extra={"fields": fields})
