"""The simulator's world: users, apps, repositories and pull requests, with git as the only code store."""

from __future__ import annotations

from tests.github_sim.accounts import Accounts
from tests.github_sim.git import Repo
from tests.github_sim.models import (
    ApiError,
    App,
    CheckRun,
    CheckSuite,
    PullRequest,
    Repository,
    User,
)
from tests.github_sim.pushes import push_event


class World(Accounts):
    """The simulator's world: the accounts, and the repositories, pull requests and checks that live in git."""

    # --- repositories ---------------------------------------------------------------------------
    def create_repo(self, owner: User, name: str, files: dict[str, bytes], branch: str = "main") -> Repository:
        with self.lock:
            git = Repo.init(self.root / "repos" / owner.login / f"{name}.git", branch)
            repo = Repository(
                self.next_id(), owner, name, branch, git, collaborators={owner.login.lower()}, created_at=self.now()
            )
            self.repos[repo.full_name.lower()] = repo
            if files:
                changes: dict[str, tuple[str, str] | None] = {
                    p: ("100644", git.write_blob(data)) for p, data in files.items()
                }
                tree = git.tree_with(None, changes)
                sha = git.commit_tree(tree, [], "Initial commit", owner.person, owner.person)
                git.set_ref(f"refs/heads/{branch}", sha)
            return repo

    def fork(self, parent: Repository, owner: User) -> Repository:
        with self.lock:
            existing = self.repos.get(f"{owner.login}/{parent.name}".lower())
            if existing is not None:
                return existing
            where = self.root / "repos" / owner.login / f"{parent.name}.git"
            if where.exists():  # an account renamed away left its folder: this login is a new account's
                where = self.root / "repos" / f"{owner.login}.{owner.id}" / f"{parent.name}.git"
            git = Repo.fork(parent.git, where)
            repo = Repository(
                self.next_id(), owner, parent.name, parent.default_branch, git, parent, {owner.login.lower()}
            )
            repo.created_at = self.now()
            self.repos[repo.full_name.lower()] = repo
            return repo

    def branch_sha(self, repo: Repository, branch: str) -> str:
        sha = repo.git.ref(f"refs/heads/{branch}")
        if sha is None:
            raise ApiError(404, "Branch not found")
        return sha

    def move_branch(
        self, repo: Repository, branch: str, sha: str, *, force: bool = False, old: str | None = None
    ) -> None:
        """Update a branch as GitHub does: fast-forward only unless forced; then react to the push."""
        with self.lock:
            current = repo.git.ref(f"refs/heads/{branch}")
            if not repo.git.has_commit(sha):
                raise ApiError(422, "Object does not exist")
            if branch in repo.protected and current is not None:
                raise ApiError(422, f"Protected branch update failed for refs/heads/{branch}.")
            if current is not None and not force and not repo.git.is_ancestor(current, sha):
                raise ApiError(422, "Update is not a fast forward")
            if not repo.git.set_ref(f"refs/heads/{branch}", sha, old or current):
                raise ApiError(422, "Reference cannot be updated")
            # Webhooks go to an App's installations only (webhooks.py); the Actions runner hears every push.
            self.emit("push", None, push_event(repo, branch, current, sha), self.installation_for(repo))
            self.after_push(repo, branch, sha)

    def after_push(self, repo: Repository, branch: str, sha: str) -> None:
        """A branch moved: PRs whose head is this branch get the new head; PRs into it may be merged now."""
        for pr in list(self.pulls.values()):
            if pr.state != "open":
                continue
            if pr.head_repo is repo and pr.head_ref == branch and pr.head_sha != sha:
                before = pr.head_sha
                pr.repo.git.fetch(repo.git, sha, f"refs/pull/{pr.number}/head")
                pr.head_sha, pr.updated_at = sha, self.now()
                self.emit(
                    "pull_request",
                    "synchronize",
                    {"before": before, "after": sha, **self.pr_event(pr)},
                    self.installation_for(pr.repo),
                )
            if pr.repo is repo and pr.base_ref == branch and repo.git.is_ancestor(pr.head_sha, sha):
                self.mark_merged(pr, sha, None)

    def mark_merged(self, pr: PullRequest, commit: str, by: User | None) -> None:
        # https://docs.github.com/en/pull-requests: a PR is merged once its head is reachable from its base.
        pr.state, pr.merged, pr.merged_at, pr.closed_at = "closed", True, self.now(), self.now()
        pr.merge_commit_sha, pr.merged_by, pr.updated_at = commit, by or pr.merged_by, self.now()
        self.emit("pull_request", "closed", self.pr_event(pr), self.installation_for(pr.repo))

    # --- pull requests --------------------------------------------------------------------------
    def pull(self, repo: Repository, number: int) -> PullRequest:
        found = self.pulls.get((repo.full_name.lower(), number))
        if found is None:
            raise ApiError(404, "Not Found")
        return found

    def open_pull(
        self, repo: Repository, user: User, head: str, base: str, title: str, body: str | None
    ) -> PullRequest:
        with self.lock:
            owner, _, branch = head.rpartition(":")
            head_repo = self.repo(f"{owner}/{repo.name}") if owner else repo
            if head_repo is not repo and head_repo.parent is not repo:
                raise ApiError(
                    422, "Validation Failed", errors=[{"resource": "PullRequest", "field": "head", "code": "invalid"}]
                )
            head_sha = self.branch_sha(head_repo, branch)
            base_sha = self.branch_sha(repo, base)
            number = repo.next_number
            # As on GitHub, the base repository keeps refs/pull/N/head, so the PR's commits live there too.
            repo.git.fetch(head_repo.git, head_sha, f"refs/pull/{number}/head")
            if repo.git.is_ancestor(head_sha, base_sha):
                repo.git.delete_ref(f"refs/pull/{number}/head")
                raise ApiError(422, "Validation Failed", errors=[{"message": f"No commits between {base} and {head}"}])
            repo.next_number += 1
            now = self.now()
            pr = PullRequest(
                number, self.next_id(), repo, head_repo, branch, head_sha, base, user, title, body, now, now
            )
            self.pulls[(repo.full_name.lower(), number)] = pr
        self.emit("pull_request", "opened", self.pr_event(pr), self.installation_for(repo))
        return pr

    def comment_count(self, pr: PullRequest) -> int:
        return sum(1 for c in self.comments.values() if c.repo is pr.repo and c.number == pr.number)

    def pull_stats(self, pr: PullRequest, base: str) -> tuple[int, int, int, int]:
        """(commits, additions, deletions, changed files) of a PR, from its merge base (cached per head and base)."""
        if pr.stats_key != (base, pr.head_sha) and base:
            pr.stats, pr.stats_key = pr.repo.git.pr_stats(base, pr.head_sha), (base, pr.head_sha)
        return pr.stats

    def check_suite(self, repo: Repository, app: App, head_sha: str) -> CheckSuite:
        """The App's suite for this commit, made on first use (as GitHub makes one per App and commit)."""
        for suite in self.check_suites.values():
            if suite.repo is repo and suite.app is app and suite.head_sha == head_sha:
                return suite
        branch = next((r[11:] for r, s in repo.git.refs().items() if s == head_sha), None)
        suite = CheckSuite(self.next_id(), repo, app, head_sha, branch, None, self.now(), self.now())
        self.check_suites[suite.id] = suite
        return suite

    def rerequest_run(self, run: CheckRun, user: User) -> None:
        """Someone pressed "Re-run" on a check run (GitHub's UI or the rerequest endpoint)."""
        body = {"_check_run": run, "_repo": run.repo, "_sender": user}
        self.emit("check_run", "rerequested", body, self.installation_for(run.repo))

    def rerequest_suite(self, suite: CheckSuite, user: User) -> None:
        """Someone pressed "Re-run all checks": the suite's App hears check_suite rerequested."""
        self.emit(
            "check_suite",
            "rerequested",
            {"_check_suite": suite, "_repo": suite.repo, "_sender": user},
            self.installation_for(suite.repo),
        )

    def request_action(self, run: CheckRun, identifier: str, user: User) -> None:
        """Someone pressed one of the run's action buttons (the App's `actions`): check_run requested_action."""
        body = {"_check_run": run, "_repo": run.repo, "_sender": user, "requested_action": {"identifier": identifier}}
        self.emit("check_run", "requested_action", body, self.installation_for(run.repo))

    def mergeability(self, pr: PullRequest) -> bool | None:
        """As on GitHub: None on the first read after a change, while it computes; then the answer."""
        base_sha = self.branch_sha(pr.repo, pr.base_ref)
        key = (base_sha, pr.head_sha)
        if pr.mergeable_key != key:
            pr.mergeable_key = key
            pr.mergeable_tree = pr.repo.git.merge_tree(base_sha, pr.head_sha)
            return None
        return pr.mergeable_tree is not None

    def set_pr_state(self, pr: PullRequest, state: str) -> None:
        with self.lock:
            if state == pr.state or pr.merged:
                return
            pr.state, pr.updated_at = state, self.now()
            pr.closed_at = self.now() if state == "closed" else None
        self.emit(
            "pull_request",
            "closed" if state == "closed" else "reopened",
            self.pr_event(pr),
            self.installation_for(pr.repo),
        )
