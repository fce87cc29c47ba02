"""GitHub's JSON, parsed once at the edge into typed models that hold only the fields we use.

Unknown fields are ignored, so GitHub adding fields never breaks us; a missing field we need fails here,
at the edge, not deep in a decision. https://docs.github.com/en/rest/pulls/pulls#get-a-pull-request
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from app.rules.model import ChangedFiles, FileChange


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class User(_Model):
    login: str
    id: int | None = None
    type: str | None = None  # "User", "Bot" or "Organization"


class Account(User):
    """`GET /users/{login}`: a user with the account's age."""

    created_at: datetime | None = None


class Repo(_Model):
    full_name: str = ""
    default_branch: str = "main"
    private: bool = True  # unknown counts as private: nothing about it may be shown to a stranger


class Ref(_Model):
    """One side of a PR: `head` (the signer's branch) or `base` (where it would merge)."""

    ref: str
    sha: str
    repo: Repo | None = None  # null when the head's fork was deleted


class Label(_Model):
    name: str


class PullRequest(_Model):
    number: int
    state: str
    user: User
    head: Ref
    base: Ref
    labels: list[Label] = []
    comments: int = 0  # issue comments; the list endpoint leaves it out (then we look)
    mergeable_state: str | None = None
    html_url: str = ""
    title: str = ""
    changed_files: int | None = None  # how many files the PR changes (the list endpoints leave it out)

    @property
    def head_sha(self) -> str:
        return self.head.sha

    @property
    def author(self) -> str:
        return self.user.login

    @property
    def default_branch(self) -> str:
        """The base repo's default branch: where signatures land and where config is read from."""
        return self.base.repo.default_branch if self.base.repo is not None else "main"

    @property
    def label_names(self) -> list[str]:
        return [label.name for label in self.labels]


class CompareFile(_Model):
    """One diff-entry. GitHub leaves `patch` out for a binary file, a diff too large to show, and a change of
    mode or type only (status `changed`). https://docs.github.com/en/rest/commits/commits#compare-two-commits"""

    filename: str
    status: str = "modified"
    previous_filename: str | None = None
    patch: str | None = None
    sha: str | None = None  # the file's blob at the head (null when removed)


class Commitish(_Model):
    sha: str


class GitPerson(_Model):
    email: str = ""


class Verification(_Model):
    """A commit's signature as GitHub checked it: `verified` only for a valid signature by a key of the account
    that has the committer's email verified. https://docs.github.com/en/rest/commits/commits#get-a-commit"""

    verified: bool = False
    reason: str = "unsigned"


class GitCommit(_Model):
    author: GitPerson | None = None
    committer: GitPerson | None = None
    verification: Verification | None = None


class CompareCommit(_Model):
    """One commit of a comparison; `author` and `committer` are the accounts GitHub matched (null: none)."""

    sha: str
    commit: GitCommit = GitCommit()
    author: User | None = None
    committer: User | None = None


class Comparison(_Model):
    """`GET /repos/{o}/{r}/compare/{base}...{head}`: the merge base, the base's tip, and changed files."""

    merge_base_commit: Commitish
    base_commit: Commitish
    files: list[CompareFile] = []
    commits: list[CompareCommit] = []  # at most 250, oldest first

    @property
    def changed_paths(self) -> list[str]:
        """Every path the PR touches; a rename counts as both its old and its new name."""
        return self.listing().paths

    def listing(self, total: int | None = None) -> ChangedFiles:
        """The files as the rules judge them; `total` is the PR's `changed_files`, when known."""
        files = [FileChange(f.filename, f.status, f.previous_filename, f.patch is not None) for f in self.files]
        return ChangedFiles(tuple(files), total)


class TreeEntry(_Model):
    """One entry of `GET /repos/{o}/{r}/git/trees/{sha}?recursive=1`."""

    path: str
    mode: str = "100644"
    type: str  # "blob", "tree" or "commit" (a submodule)
    sha: str
    size: int | None = None  # blobs only


class Comment(_Model):
    id: int
    body: str = ""
    user: User | None = None
