"""The unit of work: "look at this" for one PR, one head sha, or one repo. Jobs carry names, never state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

JobKind = Literal["evaluate", "evaluate_sha", "scan", "land", "sweep", "config"]
KINDS: tuple[JobKind, ...] = ("evaluate", "evaluate_sha", "scan", "land", "sweep", "config")


@dataclass(frozen=True)
class Job:
    """Work for the queue. "evaluate" a PR by number; "evaluate_sha" finds the PR by head sha (fork PRs
    have no pull_requests on their check runs); "scan" evaluates every open PR of a repo; "land" lands
    the repo's validated PRs; "sweep" revisits a repo's long-invalid PRs; "config" checks the config a
    push (`sha`) put on the default branch and re-evaluates the open PRs."""

    kind: JobKind
    installation_id: int
    repo: str
    number: int | None = None
    sha: str | None = None

    @property
    def key(self) -> str:
        """Jobs with one key coalesce: the worker reads fresh state, so one run serves them all."""
        return f"{self.kind}:{self.repo.lower()}:{self.number or self.sha or ''}"
