"""An Actions event becomes the jobs the App's handlers make of the same webhook (handlers/ are pure).

https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows
"""

from __future__ import annotations

from typing import Any

from app.action.env import INSTALLATION
from app.jobs.job import Job
from handlers import build_router

# The workflow's triggers, and the webhook each one's payload is (pull_request_target carries the
# pull_request payload; it runs in the base repository's context with a token that can write).
WEBHOOKS = {"pull_request_target": "pull_request", "issue_comment": "issue_comment", "push": "push"}
RECONCILE = {"schedule", "workflow_dispatch"}  # no PR named: find what waits (app.action.catch_up)


class UnusedEventError(ValueError):
    """A trigger undersigned does nothing with: the message says which triggers it takes."""


def jobs_for(event_name: str, payload: dict[str, Any], repo: str) -> tuple[list[Job], bool]:
    """The event's jobs, and whether the run should also catch up and land what waits (app.action.run): yes
    for any PR event (a closed one included), a push to the default branch, the schedule and a dispatch; no
    for a comment that is not a `/recheck` on a PR, or a push elsewhere (those runs cost no request)."""
    if event_name in RECONCILE:
        return [Job("reconcile", INSTALLATION, repo)], False  # the reconcile job is the catch-up
    webhook = WEBHOOKS.get(event_name)
    if webhook is None:
        taken = ", ".join(sorted([*WEBHOOKS, *RECONCILE]))
        hint = (
            " (use pull_request_target: a fork's pull_request token cannot write)"
            if event_name == "pull_request"
            else ""
        )
        raise UnusedEventError(f"undersigned does not run on `{event_name}`{hint}; its triggers are {taken}")
    # Actions payloads name no App installation: the one this run's jobs carry stands in for it.
    routed = build_router().route(webhook, {**payload, "installation": {"id": INSTALLATION}})
    jobs = routed.jobs or []
    if event_name == "push":
        branch = (payload.get("repository") or {}).get("default_branch")
        return jobs, bool(branch) and payload.get("ref") == f"refs/heads/{branch}" and not payload.get("deleted")
    return jobs, event_name == "pull_request_target" or bool(jobs)
