"""installation and installation_repositories: newly added repos get their open PRs evaluated."""

from __future__ import annotations

from app.jobs.job import Job
from handlers.models import InstallationEvent, InstallationReposEvent
from handlers.router import Router

router = Router()


@router.register("installation", "created", "new_permissions_accepted", "unsuspend", model=InstallationEvent)
def installed(event: InstallationEvent) -> list[Job]:
    return [Job("scan", event.installation.id, r.full_name) for r in event.repositories or []]


@router.register("installation_repositories", "added", model=InstallationReposEvent)
def repos_added(event: InstallationReposEvent) -> list[Job]:
    return [Job("scan", event.installation.id, r.full_name) for r in event.repositories_added]
