"""push: a change to `.github/undersigned.yml` on the default branch re-reads the config at once, checks it
on the commit that changed it, and re-evaluates the open PRs (no waiting for the config cache to expire)."""

from __future__ import annotations

from app.jobs.job import Job
from config import CONFIG_PATH
from handlers.models import PushEvent
from handlers.router import Router

router = Router()
LISTED = 20  # GitHub lists at most 20 commits in a push: a longer push may have changed it unseen


# https://docs.github.com/en/webhooks/webhook-events-and-payloads#push
@router.register("push", model=PushEvent)
def config_pushed(push: PushEvent) -> list[Job]:
    if push.installation is None or push.repository is None or push.deleted or push.after is None:
        return []
    if push.ref != f"refs/heads/{push.repository.default_branch}":
        return []  # the config is only ever read from the default branch
    touched = any(CONFIG_PATH in (c.added + c.modified + c.removed) for c in push.commits)
    if not touched and 0 < len(push.commits) < LISTED:
        return []
    return [Job("config", push.installation.id, push.repository.full_name, sha=push.after)]
