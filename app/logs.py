"""Structured logs: one JSON line per event, with secrets redacted whatever the message says."""

from __future__ import annotations

import json
import logging
import re
import sys
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
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {"level": record.levelname.lower(), "logger": record.name, "msg": record.getMessage()}
        data.update(getattr(record, "fields", {}))
        if record.exc_info:
            data["error"] = self.formatException(record.exc_info)
        return redact(json.dumps(data, ensure_ascii=False, default=str))


def setup(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("huey", "urllib3", "github"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))


def event(logger: logging.Logger, msg: str, **fields: Any) -> None:
    """Log one structured line: `msg` plus key/value fields."""
    logger.info(msg, extra={"fields": fields})
