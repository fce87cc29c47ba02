"""What the status page shows of the work done: the last decisions with their reasons, and landings by day."""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import UTC, datetime
from typing import Any

from app.jobs.store import Keys, Store

KEEP = 20  # decisions kept: a status page, not an audit log (the JSON logs are that)
DAYS = 14  # landing counts kept by day


class Activity:
    """A small bounded record in the store, so it survives restarts and every process sharing the store
    sees it. Updates are read-modify-write under a process lock: two processes writing at the same instant
    (Redis) may lose one decision from the list, which a status page can afford; counts are not exact then."""

    def __init__(self, store: Store) -> None:
        self.store, self.lock = store, threading.Lock()

    def read(self) -> dict[str, Any]:
        raw = self.store.get(Keys.activity())
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            data = {}
        data = data if isinstance(data, dict) else {}
        return {"decisions": list(data.get("decisions", [])), "landed": dict(data.get("landed", {})),
                "total": int(data.get("total", 0))}  # fmt: skip

    def decision(self, repo: str, number: int | None, outcome: str, reason: str, who: str = "") -> None:
        item = {"at": time.time(), "repo": repo, "pr": number, "outcome": outcome, "reason": reason, "who": who}
        with self.lock:
            data = self.read()
            data["decisions"] = [item, *data["decisions"]][:KEEP]
            self.store.put(Keys.activity(), json.dumps(data))

    def landed(self, count: int) -> None:
        today = datetime.now(UTC).strftime("%Y-%m-%d")
        with self.lock:
            data = self.read()
            days = data["landed"]
            days[today] = int(days.get(today, 0)) + count
            data["landed"] = dict(sorted(days.items())[-DAYS:])
            data["total"] += count
            self.store.put(Keys.activity(), json.dumps(data))

    def today(self) -> int:
        return int(self.read()["landed"].get(datetime.now(UTC).strftime("%Y-%m-%d"), 0))


class ActivityHandler(logging.Handler):
    """Feeds an Activity from the structured events review and landing already log ("decision",
    "config error", "landed", "landing blocked"), so neither has to know the status page exists."""

    def __init__(self, activity: Activity) -> None:
        super().__init__(logging.INFO)
        self.activity = activity

    def emit(self, record: logging.LogRecord) -> None:
        fields: dict[str, Any] = getattr(record, "fields", {})
        msg, repo = record.getMessage(), str(fields.get("repo", ""))
        try:
            if msg == "decision":
                problems = ", ".join(str(p) for p in fields.get("problems") or [])
                self.activity.decision(repo, fields.get("pr"), str(fields.get("kind")), problems or _REASONS.get(
                    str(fields.get("kind")), ""), str(fields.get("author") or ""))  # fmt: skip
            elif msg == "config error":
                self.activity.decision(repo, fields.get("pr"), "waiting", "the config has errors")
            elif msg == "landed":
                prs = list(fields.get("prs") or [])
                self.activity.landed(len(prs))
                for number in prs:
                    self.activity.decision(repo, number, "landed", f"in {str(fields.get('sha', ''))[:7]}")
            elif msg == "moderation":
                self.activity.decision(repo, fields.get("pr"), f"{fields.get('verb')} {fields.get('outcome')}",
                                       _moderation(fields), str(fields.get("by") or ""))  # fmt: skip
            elif msg == "landing blocked":
                self.activity.decision(repo, fields.get("pr"), "blocked", str(fields.get("reason", "")))
        except Exception:  # the status page must never break a job
            self.handleError(record)


_REASONS = {
    "sign": "a valid signature",
    "withdraw": "a valid withdrawal",
    "amend": "a valid change to a signature",
    "not_a_signature": "does not change the signature list",
}


def _moderation(fields: dict[str, Any]) -> str:
    verb, login, reason = str(fields.get("verb")), str(fields.get("login") or ""), str(fields.get("reason") or "")
    what = f"remove @{login}" if verb == "remove" else verb
    return f"/undersigned {what}" + (f": {reason}" if reason else "")


def attach(activity: Activity) -> ActivityHandler:
    """Listen to review's and landing's events. Returns the handler, to detach it with `detach`."""
    handler = ActivityHandler(activity)
    root = logging.getLogger()
    for name in ("undersigned.evaluate", "undersigned.land"):
        logger = logging.getLogger(name)
        if not logger.isEnabledFor(logging.INFO):
            # The events are INFO: make sure they are made, without printing them past the operator's level.
            for other in root.handlers:
                if other.level == logging.NOTSET:
                    other.setLevel(root.level)
            logger.setLevel(logging.INFO)
        logger.addHandler(handler)
    return handler


def detach(handler: ActivityHandler) -> None:
    for name in ("undersigned.evaluate", "undersigned.land"):
        logging.getLogger(name).removeHandler(handler)
