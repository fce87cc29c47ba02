"""Small durable state in the job queue's storage (SQLite or Redis), and the one scheme of its keys."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from huey.constants import EmptyData


class Keys:
    """Every key undersigned keeps in the store, in one place. Repos are lower-cased where GitHub
    treats names case-insensitively; PR numbers and shas are exact."""

    @staticmethod
    def delivery(guid: str) -> str:
        """A webhook delivery already queued (X-GitHub-Delivery stays the same on redelivery)."""
        return f"delivery:{guid}"

    @staticmethod
    def pending(job_key: str) -> str:
        """A job is waiting on the queue: later identical jobs coalesce into it."""
        return f"pending:{job_key}"

    @staticmethod
    def check_run(repo: str, sha: str) -> str:
        return f"check:{repo}:{sha}"

    @staticmethod
    def check_digest(repo: str, sha: str) -> str:
        return f"check-digest:{repo}:{sha}"

    @staticmethod
    def check_deferred(repo: str, sha: str) -> str:
        """A valid head's check run, held back while it lands (a merged PR needs none)."""
        return f"check-deferred:{repo}:{sha}"

    @staticmethod
    def comment(repo: str, number: int) -> str:
        return f"comment:{repo}:{number}"

    @staticmethod
    def comment_digest(repo: str, number: int) -> str:
        return f"comment-digest:{repo}:{number}"

    @staticmethod
    def invalid_since(repo: str, number: int) -> str:
        return f"invalid-since:{repo}:{number}"

    @staticmethod
    def apply_failed(repo: str, number: int, sha: str) -> str:
        return f"apply-failed:{repo}:{number}:{sha}"

    @staticmethod
    def review_lock(repo: str, number: int) -> str:
        """One evaluation of a PR at a time: two at once would both create its check run."""
        return f"reviewing:{repo.lower()}:{number}"

    @staticmethod
    def landing_lock(repo: str) -> str:
        return f"landing:{repo.lower()}"

    @staticmethod
    def ready(repo: str) -> str:
        return f"ready:{repo.lower()}"

    @staticmethod
    def ready_lock(repo: str) -> str:
        return f"ready-lock:{repo.lower()}"

    @staticmethod
    def config_changed(repo: str) -> str:
        """The last push that changed the repo's config: every process drops its cached config on seeing it."""
        return f"config-changed:{repo.lower()}"

    @staticmethod
    def activity() -> str:
        """The status page's record: the last decisions, signatures landed by day and in total."""
        return "activity"

    @staticmethod
    def pace(installation_id: int) -> str:
        return f"pace:{installation_id}"

    @staticmethod
    def pace_lock(installation_id: int) -> str:
        return f"pace:{installation_id}:lock"


class Store:
    """Key/value on Huey's storage, so it is shared by every process that shares the queue."""

    def __init__(self, storage: Any) -> None:
        self.storage = storage

    def get(self, key: str) -> str | None:
        value = self.storage.peek_data(key)
        if value is EmptyData or value is None:
            return None
        return bytes(value).decode() if isinstance(value, bytes | bytearray) else str(value)

    def put(self, key: str, value: str) -> None:
        self.storage.put_data(key, value.encode())

    def delete(self, key: str) -> None:
        self.storage.delete_data(key)

    def claim(self, key: str, stale_after: float | None = None) -> bool:
        """Set `key` if unset (atomic). With `stale_after`, a claim older than that is taken over."""
        now = f"{time.time():.3f}".encode()
        if self.storage.put_if_empty(key, now):
            return True
        if stale_after is not None:
            held = self.get(key)
            if held is not None and time.time() - float(held or 0) > stale_after:
                self.delete(key)
                return bool(self.storage.put_if_empty(key, now))
        return False

    def same(self, key: str, content: str) -> bool:
        """Whether `content` is what was last recorded under `key` (then a repeat write can be skipped)."""
        return self.get(key) == _digest(content)

    def remember(self, key: str, content: str) -> None:
        """Record `content` under `key`, after the write it stands for succeeded."""
        self.put(key, _digest(content))


def _digest(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()
