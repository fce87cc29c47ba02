"""pull_request events: any change to a PR means "look at PR N again"."""

from __future__ import annotations

from app.jobs.job import Job
from handlers.models import PullRequestEvent
from handlers.router import Router

router = Router()


# https://docs.github.com/en/webhooks/webhook-events-and-payloads#pull_request
@router.register("pull_request", "opened", "synchronize", "edited", "reopened", model=PullRequestEvent)
def evaluate_pull_request(event: PullRequestEvent) -> list[Job]:
    if event.installation is None or event.repository is None:
        return []
    pr = event.pull_request
    snapshot = pr.model_dump_json() if pr is not None and pr.number == event.number else None
    return [Job("evaluate", event.installation.id, event.repository.full_name, event.number, pr=snapshot)]
