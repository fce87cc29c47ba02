"""issue_comment created: "/recheck" from the PR's author or a maintainer evaluates it again."""

from __future__ import annotations

from app.jobs.job import Job
from handlers.router import Payload, Router, installation_id, repo_name

router = Router()
COMMAND = "/recheck"
# https://docs.github.com/en/graphql/reference/enums#commentauthorassociation
MAINTAINERS = {"OWNER", "MEMBER", "COLLABORATOR"}


@router.register("issue_comment", "created")
def recheck(payload: Payload) -> list[Job]:
    issue, comment = payload.get("issue") or {}, payload.get("comment") or {}
    inst, repo, number = installation_id(payload), repo_name(payload), issue.get("number")
    if inst is None or repo is None or not isinstance(number, int) or "pull_request" not in issue:
        return []
    body = str(comment.get("body") or "").strip()
    if not body.split() or body.split()[0].lower() != COMMAND:
        return []
    commenter = (comment.get("user") or {}).get("login", "")
    author = (issue.get("user") or {}).get("login", "")
    if commenter.lower() != author.lower() and comment.get("author_association") not in MAINTAINERS:
        return []
    return [Job("evaluate", inst, repo, number)]
