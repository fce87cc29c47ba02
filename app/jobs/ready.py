"""The PRs waiting to land, per repo: validated heads and their changes, kept in the shared store."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from app.jobs.store import Keys, Store
from app.rules.model import Change
from config import Config


@dataclass(frozen=True)
class Ready:
    """A validated PR waiting to land: exactly this head, with exactly these changes."""

    number: int
    sha: str
    author: str
    changes: list[dict[str, Any]]
    placement_fixed: bool
    config: str = ""  # config_fingerprint of the config it was validated under ("": unknown, judge again)

    def change_list(self) -> list[Change]:
        return [Change(**{**c, "sort": tuple(c["sort"]) if c.get("sort") else None}) for c in self.changes]


class ReadySet:
    """Each repo's waiting PRs, as JSON in the shared store, edited under a short lock."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _edit(self, repo: str, fn: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        return self.store.edit_json(Keys.ready(repo), Keys.ready_lock(repo), fn)

    def add(self, repo: str, item: Ready) -> None:
        self._edit(repo, lambda d: d.__setitem__(str(item.number), asdict(item)))

    def items(self, repo: str) -> list[Ready]:
        data = json.loads(self.store.get(Keys.ready(repo)) or "{}")
        return sorted((Ready(**v) for v in data.values()), key=lambda r: r.number)

    def withdraw(self, repo: str, number: int, sha: str) -> None:
        """A PR whose head is no longer valid (a verdict that is not, a config gone) leaves the set."""
        data: dict[str, Any] = json.loads(self.store.get(Keys.ready(repo)) or "{}")
        if data.get(str(number), {}).get("sha") == sha:  # the common case (never ready) costs one read
            self.drop(repo, [Ready(number, sha, "", [], False)])

    def drop(self, repo: str, done: list[Ready]) -> None:
        def remove(data: dict[str, Any]) -> None:
            for item in done:
                if data.get(str(item.number), {}).get("sha") == item.sha:  # a newer validation stays
                    del data[str(item.number)]

        self._edit(repo, remove)


def config_fingerprint(config: Config) -> str:
    """What a verdict was reached under: the landing re-checks it, so a config changed since (frozen, a
    signer blocked, `_extends` moved) never lands a PR judged under the old one."""
    return hashlib.sha256(config.model_dump_json().encode()).hexdigest()[:16]
