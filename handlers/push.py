"""push: a change to `.github/undersigned.yml` on the default branch re-reads the config at once, checks it
on the commit that changed it, and re-evaluates the open PRs (no waiting for the config cache to expire)."""

from __future__ import annotations

from app.jobs.job import Job
from config import CONFIG_PATH
from handlers.router import Payload, Router, installation_id, repo_name

router = Router()
LISTED = 20  # GitHub lists at most 20 commits in a push: a longer push may have changed it unseen


# https://docs.github.com/en/webhooks/webhook-events-and-payloads#push
@router.register("push")
def config_pushed(payload: Payload) -> list[Job]:
    inst, repo = installation_id(payload), repo_name(payload)
    default = (payload.get("repository") or {}).get("default_branch")
    after = payload.get("after")
    if inst is None or repo is None or payload.get("deleted") or not isinstance(after, str):
        return []
    if payload.get("ref") != f"refs/heads/{default}":
        return []  # the config is only ever read from the default branch
    commits = [c for c in payload.get("commits") or [] if isinstance(c, dict)]
    touched = any(CONFIG_PATH in (c.get(k) or []) for c in commits for k in ("added", "modified", "removed"))
    if not touched and 0 < len(commits) < LISTED:
        return []
    return [Job("config", inst, repo, sha=after)]
