"""The unit of work: "look at this" for one PR, one head sha, or one repo. Jobs carry names, never state."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal, cast

JobKind = Literal["evaluate", "evaluate_sha", "scan", "land", "sweep", "config", "reconcile", "onboard", "command"]
KINDS: tuple[JobKind, ...] = (
    "evaluate",
    "evaluate_sha",
    "scan",
    "land",
    "sweep",
    "config",
    "reconcile",
    "onboard",
    "command",
)


class JobGoneError(Exception):
    """The job can never succeed (its PR or repo does not exist, GitHub refuses it for good): drop it."""


class JobDeferredError(Exception):
    """Not now (a lock is busy): run the job again later, with backoff. Not a failure."""


@dataclass(frozen=True)
class Job:
    """Work for the queue. "evaluate" a PR by number; "evaluate_sha" finds the PR by head sha (fork PRs
    have no pull_requests on their check runs); "scan" evaluates every open PR of a repo; "land" lands
    the repo's validated PRs; "sweep" revisits a repo's long-invalid PRs; "config" checks the config a
    push (`sha`) put on the default branch and re-evaluates the open PRs; "reconcile" finds open PRs
    without a verdict of ours (a webhook that never came) and what waits to land; "onboard" opens the one PR
    that adds the config inferred from the letter to a repo that has none; "command" acts on the
    `/undersigned ...` comment whose id is `number`."""

    kind: JobKind
    installation_id: int
    repo: str
    number: int | None = None
    sha: str | None = None

    @property
    def key(self) -> str:
        """Jobs with one key coalesce: the worker reads fresh state, so one run serves them all."""
        target = "" if self.number is None and self.sha is None else (self.number or self.sha)
        return f"{self.kind}:{self.repo.lower()}:{target}"

    def dumps(self) -> str:
        return json.dumps([self.kind, self.installation_id, self.repo, self.number, self.sha])

    @staticmethod
    def loads(text: str) -> Job:
        kind, installation_id, repo, number, sha = json.loads(text)
        if kind not in KINDS or not isinstance(installation_id, int) or not isinstance(repo, str):
            raise ValueError(f"not a job: {text[:200]}")
        return Job(cast(JobKind, kind), installation_id, repo, number, sha)
