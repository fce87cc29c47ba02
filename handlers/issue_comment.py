"""issue_comment created: "/recheck" from the PR's author or a maintainer evaluates it again; an
`/undersigned ...` command on any issue or PR becomes a job that reads the comment and acts (app/landing/moderate)."""

from __future__ import annotations

from app.affiliations.command import is_verify
from app.commands.base import Command
from app.commands.read import parse
from app.jobs.job import Job
from handlers.models import IssueCommentEvent
from handlers.router import Router

router = Router()
COMMAND = "/recheck"
# https://docs.github.com/en/graphql/reference/enums#commentauthorassociation
MAINTAINERS = {"OWNER", "MEMBER", "COLLABORATOR"}


@router.register("issue_comment", "created", model=IssueCommentEvent)
def recheck(event: IssueCommentEvent) -> list[Job]:
    issue, comment = event.issue, event.comment
    if event.installation is None or event.repository is None or issue.pull_request is None:
        return []
    words = (comment.body or "").split()
    if not words:
        return []
    if words[0].lower() != COMMAND:
        # `/undersigned verify @login`: the evaluation reads the comment and trusts only `signers.trusted`.
        verify = comment.author_association in MAINTAINERS and is_verify(comment.body or "")
        return [Job("evaluate", event.installation.id, event.repository.full_name, issue.number)] if verify else []
    commenter = comment.user.login if comment.user else ""
    author = issue.user.login if issue.user else ""
    if commenter.lower() != author.lower() and comment.author_association not in MAINTAINERS:
        return []
    return [Job("evaluate", event.installation.id, event.repository.full_name, issue.number)]


@router.register("issue_comment", "created", model=IssueCommentEvent)
def command(event: IssueCommentEvent) -> list[Job]:
    """Who may run it is decided by the job, from the config on the default branch (signers.trusted)."""
    comment = event.comment
    if event.installation is None or event.repository is None or comment.id is None:
        return []
    if comment.user is not None and comment.user.type == "Bot":
        return []  # our own answers, and other bots'
    found = parse(comment.body)
    if found is None:
        return []
    if isinstance(found, Command) and found.verb == "verify" and event.issue.pull_request is not None:
        return []  # on a PR, `recheck` above queues its evaluation, which reads the maintainer's word back
    return [Job("command", event.installation.id, event.repository.full_name, comment.id)]
