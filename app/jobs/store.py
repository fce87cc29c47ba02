"""Small durable state in the job queue's storage (SQLite or Redis), and the one scheme of its keys."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager

from app.jobs.backend import Backend
from app.jobs.lease import Heartbeat, owner_id

LOCK_LEASE = 10.0  # seconds a lock outlives its holder's last heartbeat


class Keys:
    """Every key undersigned keeps in the store, in one place. Repos are lower-cased where GitHub
    treats names case-insensitively; PR numbers and shas are exact."""

    @staticmethod
    def delivery(guid: str) -> str:
        """A webhook delivery already queued (X-GitHub-Delivery stays the same on redelivery)."""
        return f"delivery:{guid}"

    @staticmethod
    def pace_lock(installation_id: int) -> str:
        return f"pace:{installation_id}:lock"

    @staticmethod
    def periodic(name: str) -> str:
        """One process runs each periodic pass: the one that claims this key for the interval."""
        return f"periodic:{name}"

    @staticmethod
    def redelivered(guid: str) -> str:
        """A failed delivery we asked GitHub to redeliver (once each)."""
        return f"redelivered:{guid}"

    @staticmethod
    def deliveries_checked() -> str:
        """Until when the App's delivery log was read (epoch seconds)."""
        return "deliveries-checked"

    @staticmethod
    def check_run(repo: str, sha: str) -> str:
        return f"check:{repo}:{sha}"

    @staticmethod
    def check_intent(repo: str, sha: str) -> str:
        """A check run is being created: if its id was never recorded (a crash), look it up, never re-create."""
        return f"check-intent:{repo}:{sha}"

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


class Store:
    """Key/value in the queue's backend (SQLite or Redis), so every process that shares the queue shares it."""

    def __init__(self, backend: Backend, lease: float = LOCK_LEASE) -> None:
        self.backend, self.lease = backend, lease
        self.heartbeat = Heartbeat(max(0.05, lease / 3))

    def get(self, key: str) -> str | None:
        return self.backend.get(key)

    def put(self, key: str, value: str, ttl: float | None = None) -> None:
        self.backend.put(key, value, ttl)

    def delete(self, key: str) -> None:
        self.backend.delete(key)

    def claim(self, key: str, stale_after: float | None = None) -> bool:
        """Set `key` to the time now if unset (atomic). With `stale_after`, the claim lapses after that."""
        return self.backend.add(key, f"{time.time():.3f}", stale_after)

    @contextmanager
    def lock(self, key: str) -> Iterator[bool]:
        """Try to take the lock `key` (never waits). Held, it names its owner and is renewed every few
        seconds; if this process dies, it lapses after one lease. Yields whether it is ours."""
        owner = owner_id()
        if not self.backend.add(key, owner, self.lease):
            yield False
            return
        beat = self.heartbeat.add(lambda: self.backend.renew(key, owner, self.lease))
        try:
            yield True
        finally:
            self.heartbeat.remove(beat)
            self.backend.delete_if(key, owner)

    def job_queued(self, job_key: str) -> bool:
        """Whether the job with this key is waiting or running (the queue shares this backend)."""
        return self.backend.queued(job_key)

    def same(self, key: str, content: str) -> bool:
        """Whether `content` is what was last recorded under `key` (then a repeat write can be skipped)."""
        return self.get(key) == _digest(content)

    def remember(self, key: str, content: str) -> None:
        """Record `content` under `key`, after the write it stands for succeeded."""
        self.put(key, _digest(content))


def _digest(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()
