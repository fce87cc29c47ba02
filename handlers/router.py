"""A small router: handlers register the (event, action) pairs they handle and return jobs to run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

Payload = dict[str, Any]


@dataclass(frozen=True)
class Job:
    """Work for the queue. "evaluate" a PR by number; "evaluate_sha" finds the PR by head sha (fork PRs
    have no pull_requests on their check runs); "scan" evaluates every open PR of a repo; "land" lands
    the repo's validated PRs; "sweep" revisits a repo's long-invalid PRs."""

    kind: Literal["evaluate", "evaluate_sha", "scan", "land", "sweep"]
    installation_id: int
    repo: str
    number: int | None = None
    sha: str | None = None

    @property
    def key(self) -> str:
        """Jobs with one key coalesce: the worker reads fresh state, so one run serves them all."""
        return f"{self.kind}:{self.repo.lower()}:{self.number or self.sha or ''}"


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
