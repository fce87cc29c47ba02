"""pull_request events: any change to a PR means "look at PR N again"."""

from __future__ import annotations

from app.jobs.job import Job
from handlers.router import Payload, Router, installation_id, repo_name

router = Router()


# https://docs.github.com/en/webhooks/webhook-events-and-payloads#pull_request
@router.register("pull_request", "opened", "synchronize", "edited", "reopened")
def evaluate_pull_request(payload: Payload) -> list[Job]:
    inst, repo, number = installation_id(payload), repo_name(payload), payload.get("number")
    if inst is None or repo is None or not isinstance(number, int):
        return []
    return [Job("evaluate", inst, repo, number)]
