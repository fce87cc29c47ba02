"""Rate limits for the signing page, per IP and per signer, with the `limits` library (moving windows)."""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

# Reading a page is cheap but costs the App GitHub reads; signing opens a PR as the signer.
LIMITS = {
    "page": "120/minute",  # per IP: the letter and its form
    "status": "240/minute",  # per IP: the progress page's polling (answers are cached, see ProgressCache)
    "login": "10/minute;60/hour",  # per IP: OAuth round trips
    "preview": "30/minute",  # per signer: rules evaluations
    "send": "5/minute;20/hour",  # per signer: pull requests opened
}


class RateLimits:
    """In-process moving windows (a process restart forgets them, as it forgets the sessions)."""

    def __init__(self, limits: dict[str, str] | None = None) -> None:
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.items: dict[str, list[RateLimitItem]] = {k: parse_many(v) for k, v in (limits or LIMITS).items()}

    def hit(self, kind: str, who: str) -> int | None:
        """Count one request; None when allowed, else the seconds to wait before trying again."""
        for item in self.items[kind]:
            if not self.limiter.hit(item, kind, who):
                reset = self.limiter.get_window_stats(item, kind, who).reset_time
                return max(1, math.ceil(reset - time.time()))
        return None
