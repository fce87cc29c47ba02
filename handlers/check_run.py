"""check_run rerequested: the Re-run button on our check evaluates its PR again."""

from __future__ import annotations

from app.jobs.job import Job
from handlers.models import CheckRunEvent
from handlers.router import Router

router = Router()
CHECK_NAME = "undersigned"


@router.register("check_run", "rerequested", model=CheckRunEvent)
def rerun(event: CheckRunEvent) -> list[Job]:
    run = event.check_run
    if event.installation is None or event.repository is None or run.name != CHECK_NAME:
        return []
    inst, repo = event.installation.id, event.repository.full_name
    # For fork PRs GitHub leaves check_run.pull_requests empty: find the PR by head sha instead.
    if run.pull_requests:
        return [Job("evaluate", inst, repo, p.number) for p in run.pull_requests]
    return [Job("evaluate_sha", inst, repo, sha=run.head_sha)] if run.head_sha else []
