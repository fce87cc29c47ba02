"""issue_comment created: "/recheck" from the PR's author or a maintainer evaluates it again."""

from __future__ import annotations

from app.affiliations.command import is_verify
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
