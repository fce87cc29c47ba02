"""installation and installation_repositories: newly added repos get their open PRs evaluated."""

from __future__ import annotations

from app.jobs.job import Job
from handlers.router import Payload, Router, installation_id

router = Router()


@router.register("installation", "created", "new_permissions_accepted", "unsuspend")
def installed(payload: Payload) -> list[Job]:
    inst = installation_id(payload)
    repos = payload.get("repositories") or []
    return [Job("scan", inst, r["full_name"]) for r in repos if inst is not None and "full_name" in r]


@router.register("installation_repositories", "added")
def repos_added(payload: Payload) -> list[Job]:
    inst = installation_id(payload)
    repos = payload.get("repositories_added") or []
    return [Job("scan", inst, r["full_name"]) for r in repos if inst is not None and "full_name" in r]
