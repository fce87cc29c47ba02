"""check_run rerequested: the Re-run button on our check evaluates its PR again."""

from __future__ import annotations

from app.jobs.job import Job
from handlers.router import Payload, Router, installation_id, repo_name

router = Router()
CHECK_NAME = "undersigned"


@router.register("check_run", "rerequested")
def rerun(payload: Payload) -> list[Job]:
    run = payload.get("check_run") or {}
    inst, repo = installation_id(payload), repo_name(payload)
    if inst is None or repo is None or run.get("name") != CHECK_NAME:
        return []
    # For fork PRs GitHub leaves check_run.pull_requests empty: find the PR by head sha instead.
    pulls = [p.get("number") for p in run.get("pull_requests") or [] if isinstance(p.get("number"), int)]
    if pulls:
        return [Job("evaluate", inst, repo, n) for n in pulls]
    sha = run.get("head_sha")
    return [Job("evaluate_sha", inst, repo, sha=sha)] if isinstance(sha, str) else []
