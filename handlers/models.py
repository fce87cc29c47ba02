"""The parts of webhook payloads that handlers read, as strict models: anything else is a bad payload.

A signed payload is GitHub's, but its shape is still checked: a wrong type or an absurd value gives a 400,
never a 500. https://docs.github.com/en/webhooks/webhook-events-and-payloads
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)

Number = Annotated[StrictInt, Field(ge=1, le=2**31 - 1)]  # issue and PR numbers
Id = Annotated[StrictInt, Field(ge=1, le=2**63 - 1)]
# https://docs.github.com/en/repositories/creating-and-managing-repositories/about-repositories (name rules)
RepoName = Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}$")]
Sha = Annotated[StrictStr, Field(pattern=r"^[0-9a-f]{40}([0-9a-f]{24})?$")]
Text = Annotated[StrictStr, Field(max_length=262_144)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Envelope(_Model):
    """Every event's model: the action routes it (GitHub's events without actions, such as push, have none)."""

    action: Annotated[StrictStr, Field(max_length=100)] | None = None


class Ping(_Model):
    """https://docs.github.com/en/webhooks/webhook-events-and-payloads#ping"""

    zen: Any = None


class Installation(_Model):
    id: Id


class Repository(_Model):
    full_name: RepoName


class UserRef(_Model):
    login: Annotated[StrictStr, Field(max_length=100)] = ""
    type: Annotated[StrictStr, Field(max_length=100)] | None = None


class Event(Envelope):
    """What every repository event carries: which installation, which repo."""

    installation: Installation | None = None
    repository: Repository | None = None


class SnapUser(_Model):
    login: Annotated[StrictStr, Field(max_length=100)]
    id: Id | None = None
    type: Annotated[StrictStr, Field(max_length=40)] | None = None


class SnapRepo(_Model):
    full_name: RepoName
    default_branch: Annotated[StrictStr, Field(max_length=255)]


class SnapRef(_Model):
    ref: Annotated[StrictStr, Field(max_length=255)]
    sha: Sha
    repo: SnapRepo | None = None


class SnapLabel(_Model):
    name: Annotated[StrictStr, Field(max_length=100)]


class PullSnapshot(_Model):
    """The fields of the webhook's pull request that review reads (app.github.models.PullRequest): the
    worker evaluates from them instead of reading the PR again. Landing still reads fresh state."""

    number: Number
    state: Annotated[StrictStr, Field(max_length=20)]
    user: SnapUser
    head: SnapRef
    base: SnapRef
    labels: Annotated[list[SnapLabel], Field(max_length=100)] = []
    comments: Annotated[StrictInt, Field(ge=0)] = 0
    changed_files: Annotated[StrictInt, Field(ge=0)] | None = None
    html_url: Annotated[StrictStr, Field(max_length=1000)] = ""


def _or_none(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """A pull request object we cannot use as a snapshot is no error: the worker reads the PR instead."""
    try:
        return handler(value)
    except ValidationError:
        return None


class PullRequestEvent(Event):
    number: Number
    pull_request: Annotated[PullSnapshot | None, WrapValidator(_or_none)] = None


class CheckRunPull(_Model):
    number: Number


class CheckRun(_Model):
    name: Text = ""
    head_sha: Sha | None = None
    pull_requests: list[CheckRunPull] = []


class CheckRunEvent(Event):
    check_run: CheckRun


class Issue(_Model):
    number: Number
    user: UserRef | None = None
    pull_request: dict[str, Any] | None = None  # present (an object) only when the issue is a PR


class Comment(_Model):
    id: Id | None = None
    body: Text | None = ""
    user: UserRef | None = None
    author_association: Text | None = None


class IssueCommentEvent(Event):
    issue: Issue
    comment: Comment


class InstalledRepo(_Model):
    full_name: RepoName


class InstallationEvent(Envelope):
    installation: Installation
    repositories: list[InstalledRepo] | None = None


class InstallationReposEvent(Envelope):
    installation: Installation
    repositories_added: list[InstalledRepo] = []


class PushCommit(_Model):
    added: list[Text] = []
    modified: list[Text] = []
    removed: list[Text] = []


class PushRepository(Repository):
    default_branch: Annotated[StrictStr, Field(max_length=255)] = ""


class PushEvent(Envelope):
    """https://docs.github.com/en/webhooks/webhook-events-and-payloads#push"""

    installation: Installation | None = None
    repository: PushRepository | None = None
    ref: Text = ""
    after: Sha | None = None
    deleted: bool = False
    commits: list[PushCommit] = []
