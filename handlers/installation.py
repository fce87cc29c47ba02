"""installation and installation_repositories: newly added repos get their open PRs evaluated."""

from __future__ import annotations

from app.jobs.job import Job
from handlers.models import InstallationEvent, InstallationReposEvent
from handlers.router import Payload, Router

router = Router()


@router.register("installation", "created", "new_permissions_accepted", "unsuspend")
def installed(payload: Payload) -> list[Job]:
    event = InstallationEvent.model_validate(payload)
    return [Job("scan", event.installation.id, r.full_name) for r in event.repositories or []]


@router.register("installation_repositories", "added")
def repos_added(payload: Payload) -> list[Job]:
    event = InstallationReposEvent.model_validate(payload)
    return [Job("scan", event.installation.id, r.full_name) for r in event.repositories_added]
