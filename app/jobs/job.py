"""The unit of work: "look at this" for one PR, one head sha, or one repo. Jobs carry names, never state."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
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
    """Not now (a lock is busy): run the job again later, with backoff. Not a failure. `retry_in`: the
    earliest it can succeed, in seconds (the content budget knows when it refills)."""

    def __init__(self, reason: str, retry_in: float = 0.0) -> None:
        super().__init__(reason)
        self.retry_in = retry_in


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
    # An "evaluate" job from a pull_request webhook: the PR as that webhook carried it (JSON of the fields
    # review reads), so the worker need not read it again. Only while no other event joined the job (the
    # queue drops it then, see without_snapshot): a job that coalesced two events reads the PR fresh.
    pr: str | None = field(default=None, compare=False)  # a hint, not what the job asks: equal jobs ignore it

    @property
    def key(self) -> str:
        """Jobs with one key coalesce: the worker reads fresh state, so one run serves them all."""
        target = "" if self.number is None and self.sha is None else (self.number or self.sha)
        return f"{self.kind}:{self.repo.lower()}:{target}"

    def dumps(self) -> str:
        fields = [self.kind, self.installation_id, self.repo, self.number, self.sha]
        return json.dumps(fields if self.pr is None else [*fields, self.pr])

    @staticmethod
    def loads(text: str) -> Job:
        kind, installation_id, repo, number, sha, *rest = json.loads(text)
        pr = rest[0] if rest else None
        if kind not in KINDS or not isinstance(installation_id, int) or not isinstance(repo, str):
            raise ValueError(f"not a job: {text[:200]}")
        if pr is not None and not isinstance(pr, str):
            raise ValueError(f"not a job: {text[:200]}")
        return Job(cast(JobKind, kind), installation_id, repo, number, sha, pr)

    def without_snapshot(self) -> Job:
        """The same job, reading the PR fresh (another event joined it: the snapshot may be out of date)."""
        return replace(self, pr=None) if self.pr is not None else self
