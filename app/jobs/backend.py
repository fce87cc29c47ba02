"""What the queue and the store need from storage, and the one place that picks SQLite or Redis.

Both backends give the same guarantees: a job taken by a worker is leased, not removed; it is removed only
when the worker says it is done, and a lease that is not renewed (the worker died) lets another take it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Taken:
    """A job a worker holds: `gen` tells whether it was asked for again while it ran."""

    key: str
    payload: str
    gen: int
    attempts: int


class Backend(Protocol):
    # --- key/value, with optional expiry -----------------------------------------------------
    def get(self, key: str) -> str | None: ...
    def present(self, keys: list[str]) -> set[str]:
        """Which of these keys hold an unexpired value (one round trip)."""
        ...

    def put(self, key: str, value: str, ttl: float | None = None) -> None: ...
    def delete(self, key: str) -> None: ...
    def add(self, key: str, value: str, ttl: float | None = None) -> bool:
        """Set `key` unless it holds an unexpired value. True when set."""
        ...

    def renew(self, key: str, value: str, ttl: float) -> bool:
        """Push back the expiry of `key` if it still holds `value` (a lock's owner renewing it)."""
        ...

    def delete_if(self, key: str, value: str) -> bool: ...

    # --- jobs ------------------------------------------------------------------------------------
    def push(
        self, jobs: list[tuple[str, str, float]], seen: list[str], seen_ttl: float, *, durable: bool = True
    ) -> list[bool]:
        """Queue (key, payload, delay) jobs and mark deliveries seen, all at once. A job whose key is already
        queued coalesces into it (and runs again if it is running). True for new jobs. With `durable`
        false the write survives the process's crash but not the machine's until `checkpoint()`."""
        ...

    def checkpoint(self) -> None:
        """Everything written so far is on disk."""
        ...

    def take(self, owner: str, lease: float) -> Taken | None: ...
    def finish(self, key: str, owner: str, gen: int) -> None:
        """Done: remove the job, unless it was asked for again meanwhile (then it is due again)."""
        ...

    def release(self, key: str, owner: str, delay: float) -> None:
        """Not done: let the job be taken again after `delay` seconds."""
        ...

    def extend(self, owner: str, keys: list[str], lease: float) -> None: ...
    def queued(self, key: str) -> bool:
        """Whether a job with this key is waiting or running."""
        ...

    def size(self) -> int: ...
    def purge(self) -> int:
        """Drop expired keys (Redis expires them by itself). Returns how many went."""
        ...

    # --- the workers' roster (app.jobs.workers) -------------------------------------------------
    def beat(self, member: str, value: str, ttl: float) -> None:
        """Record `member` alive, with `value`, for `ttl` seconds."""
        ...

    def beats(self) -> dict[str, str]:
        """Every member whose last beat has not lapsed, with its value."""
        ...

    def unbeat(self, member: str) -> None:
        """`member` stopped: off the roster at once."""
        ...

    def ping(self) -> bool: ...
    def close(self) -> None: ...
