"""An unreachable queue store (Redis down) is one log line a minute, not a traceback per poll."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time

# The store's own errors: what the web side may answer 503 for (anything else stays a bug, a 500).
STORE_ERRORS: tuple[type[BaseException], ...] = (sqlite3.OperationalError,)
try:  # redis is optional (the [redis] extra): its errors do not derive from the builtin ones
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    STORE_ERRORS = (*STORE_ERRORS, RedisConnectionError, RedisTimeoutError)
except ImportError:  # pragma: no cover
    pass
OUTAGE_TYPES: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError, OSError, *STORE_ERRORS)
OUTAGE_LOGGER = "undersigned.outage"  # the web side reports a store outage here, through the same filter


class OutageFilter(logging.Filter):
    """On a log handler: Huey's consumer logs "Error reading from queue" with a traceback on every poll
    (each worker, and the scheduler every second). Such records become one line, at most once per
    `every` seconds; everything else passes untouched."""

    def __init__(self, every: float = 60.0) -> None:
        super().__init__()
        self.every, self.last, self.suppressed = every, float("-inf"), 0
        self.lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        ours = record.name.startswith("huey") or record.name == OUTAGE_LOGGER
        if exc is None or not isinstance(exc, OUTAGE_TYPES) or not ours:
            return True
        with self.lock:
            now = time.monotonic()
            if now - self.last < self.every:
                self.suppressed += 1
                return False
            self.last, skipped, self.suppressed = now, self.suppressed, 0
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        record.msg = f"the job queue's store is unreachable: {reason}; retrying (next report in {self.every:.0f} s)"
        record.args, record.exc_info, record.exc_text = None, None, None
        record.levelname, record.levelno = "ERROR", logging.ERROR
        if skipped:
            record.msg += f"; {skipped} more such errors since the last report"
        return True


def quiet_outages(every: float = 60.0) -> OutageFilter:
    """Install the filter on the root logger's handlers (call after logging is set up)."""
    found = OutageFilter(every)
    for handler in logging.getLogger().handlers:
        handler.addFilter(found)
    return found
