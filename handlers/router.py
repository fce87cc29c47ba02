"""A small router: handlers register the (event, action) pairs they handle and return jobs to run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.jobs.job import Job

Payload = dict[str, Any]


Handler = Callable[[Payload], list[Job]]


class Router:
    def __init__(self) -> None:
        self.routes: dict[tuple[str, str | None], list[Handler]] = {}

    def register(self, event: str, *actions: str | None) -> Callable[[Handler], Handler]:
        def decorate(fn: Handler) -> Handler:
            for action in actions or (None,):
                self.routes.setdefault((event, action), []).append(fn)
            return fn

        return decorate

    def handles(self, event: str, action: str | None) -> bool:
        return (event, action) in self.routes or (event, None) in self.routes

    def dispatch(self, event: str, payload: Payload) -> list[Job]:
        action = payload.get("action")
        handlers = self.routes.get((event, action), []) + (self.routes.get((event, None), []) if action else [])
        jobs: list[Job] = []
        for handler in handlers:
            jobs += handler(payload)
        return jobs

    def include(self, other: Router) -> None:
        for key, handlers in other.routes.items():
            self.routes.setdefault(key, []).extend(handlers)


def installation_id(payload: Payload) -> int | None:
    inst = payload.get("installation") or {}
    value = inst.get("id") if isinstance(inst, dict) else None
    return value if isinstance(value, int) else None


def repo_name(payload: Payload) -> str | None:
    repo = payload.get("repository") or {}
    name = repo.get("full_name") if isinstance(repo, dict) else None
    return name if isinstance(name, str) else None
