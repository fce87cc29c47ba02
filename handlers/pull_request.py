"""pull_request events: any change to a PR means "look at PR N again"."""

from __future__ import annotations

from app.jobs.job import Job
from handlers.models import PullRequestEvent
from handlers.router import Payload, Router

router = Router()


# https://docs.github.com/en/webhooks/webhook-events-and-payloads#pull_request
@router.register("pull_request", "opened", "synchronize", "edited", "reopened")
def evaluate_pull_request(payload: Payload) -> list[Job]:
    event = PullRequestEvent.model_validate(payload)
    if event.installation is None or event.repository is None:
        return []
    return [Job("evaluate", event.installation.id, event.repository.full_name, event.number)]
