"""installation and installation_repositories: newly added repos get their open PRs evaluated and, without a
config, the onboarding PR that proposes one."""

from __future__ import annotations

from app.jobs.job import Job
from handlers.models import InstallationEvent, InstallationReposEvent
from handlers.router import Router

router = Router()


@router.register("installation", "created", "new_permissions_accepted", "unsuspend", model=InstallationEvent)
def installed(event: InstallationEvent) -> list[Job]:
    repos = [r.full_name for r in event.repositories or []]
    return [Job(kind, event.installation.id, repo) for repo in repos for kind in ("scan", "onboard")]


@router.register("installation_repositories", "added", model=InstallationReposEvent)
def repos_added(event: InstallationReposEvent) -> list[Job]:
    repos = [r.full_name for r in event.repositories_added]
    return [Job(kind, event.installation.id, repo) for repo in repos for kind in ("scan", "onboard")]
