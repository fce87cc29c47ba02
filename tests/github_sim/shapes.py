"""GitHub-shaped JSON for the simulator's objects, with absolute URLs pointing at the simulator."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.github_sim.world import App, CheckRun, Comment, Installation, PullRequest, Repository, User, World


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Shapes:
    """Renders objects; `api` is the public API base URL (no trailing slash)."""

    def __init__(self, world: World, api: str) -> None:
        self.world, self.api = world, api.rstrip("/")

    def user(self, user: User | None) -> dict[str, Any] | None:
        if user is None:
            return None
        url = f"{self.api}/users/{user.login}"
        return {
            "login": user.login,
            "id": user.id,
            "node_id": f"U_{user.id}",
            "type": user.type,
            "site_admin": False,
            "url": url,
            "html_url": f"{self.api}/{user.login}",
            "avatar_url": f"{self.api}/avatars/{user.login}",
            "created_at": iso(user.created_at),
            "name": user.name,
        }

    def repo(self, repo: Repository) -> dict[str, Any]:
        url = f"{self.api}/repos/{repo.full_name}"
        out = {
            "id": repo.id,
            "node_id": f"R_{repo.id}",
            "name": repo.name,
            "full_name": repo.full_name,
            "owner": self.user(repo.owner),
            "private": False,
            "fork": repo.parent is not None,
            "default_branch": repo.default_branch,
            "url": url,
            "html_url": f"{self.api}/{repo.full_name}",
            "clone_url": f"{self.api}/{repo.full_name}.git",
            "pulls_url": url + "/pulls{/number}",
            "issues_url": url + "/issues{/number}",
            "visibility": "public",
            "archived": False,
            "disabled": False,
            "permissions": {"admin": False, "push": False, "pull": True},
        }
        if repo.parent is not None:
            out["parent"] = self.repo(repo.parent)
            out["source"] = out["parent"]
        return out

    def pull(self, pr: PullRequest, mergeable: bool | None = None, compute: bool = False) -> dict[str, Any]:
        url = f"{self.api}/repos/{pr.repo.full_name}/pulls/{pr.number}"
        base_sha = pr.repo.git.ref(f"refs/heads/{pr.base_ref}") or ""
        if compute and pr.state == "open":
            mergeable = self.world.mergeability(pr)
        state = "unknown" if mergeable is None else ("clean" if mergeable else "dirty")
        if pr.state != "open":
            mergeable, state = None, "unknown"
        return {
            "url": url,
            "id": pr.id,
            "node_id": f"PR_{pr.id}",
            "html_url": f"{self.api}/{pr.repo.full_name}/pull/{pr.number}",
            "issue_url": f"{self.api}/repos/{pr.repo.full_name}/issues/{pr.number}",
            "comments_url": f"{self.api}/repos/{pr.repo.full_name}/issues/{pr.number}/comments",
            "number": pr.number,
            "state": pr.state,
            "locked": False,
            "title": pr.title,
            "body": pr.body,
            "user": self.user(pr.user),
            "labels": [self.label(pr.repo, name) for name in pr.labels],
            "created_at": iso(pr.created_at),
            "updated_at": iso(pr.updated_at),
            "closed_at": iso(pr.closed_at),
            "merged_at": iso(pr.merged_at),
            "merge_commit_sha": pr.merge_commit_sha,
            "draft": False,
            "head": self.branch_ref(pr.head_repo, pr.head_ref, pr.head_sha),
            "base": self.branch_ref(pr.repo, pr.base_ref, base_sha),
            "merged": pr.merged,
            "mergeable": mergeable,
            "mergeable_state": state,
            "merged_by": self.user(pr.merged_by),
            "maintainer_can_modify": False,
            "comments": sum(1 for c in self.world.comments.values() if c.repo is pr.repo and c.number == pr.number),
            "author_association": "OWNER" if pr.user.login.lower() in pr.repo.collaborators else "CONTRIBUTOR",
        }

    def branch_ref(self, repo: Repository, ref: str, sha: str) -> dict[str, Any]:
        return {
            "label": f"{repo.owner.login}:{ref}",
            "ref": ref,
            "sha": sha,
            "user": self.user(repo.owner),
            "repo": self.repo(repo),
        }

    def label(self, repo: Repository, name: str) -> dict[str, Any]:
        meta = repo.labels.get(name.lower(), {"id": 0, "color": "ededed", "description": None})
        return {
            "id": meta["id"],
            "node_id": f"L_{meta['id']}",
            "url": f"{self.api}/repos/{repo.full_name}/labels/{name}",
            "name": name,
            "color": meta["color"],
            "default": False,
            "description": meta.get("description"),
        }

    def issue(self, repo: Repository, pr: PullRequest) -> dict[str, Any]:
        out = self.pull(pr)
        out["url"] = f"{self.api}/repos/{repo.full_name}/issues/{pr.number}"
        out["pull_request"] = {"url": f"{self.api}/repos/{repo.full_name}/pulls/{pr.number}"}
        out["comments"] = sum(1 for c in self.world.comments.values() if c.repo is repo and c.number == pr.number)
        return out

    def comment(self, c: Comment) -> dict[str, Any]:
        return {
            "id": c.id,
            "node_id": f"IC_{c.id}",
            "url": f"{self.api}/repos/{c.repo.full_name}/issues/comments/{c.id}",
            "html_url": f"{self.api}/{c.repo.full_name}/pull/{c.number}#issuecomment-{c.id}",
            "issue_url": f"{self.api}/repos/{c.repo.full_name}/issues/{c.number}",
            "body": c.body,
            "user": self.user(c.user),
            "created_at": iso(c.created_at),
            "updated_at": iso(c.updated_at),
            "author_association": "OWNER" if c.user.login.lower() in c.repo.collaborators else "NONE",
        }

    def app(self, app: App) -> dict[str, Any]:
        return {
            "id": app.id,
            "slug": app.slug,
            "name": app.name,
            "owner": self.user(app.owner),
            "node_id": f"A_{app.id}",
        }

    def installation(self, inst: Installation) -> dict[str, Any]:
        return {
            "id": inst.id,
            "app_id": inst.app.id,
            "app_slug": inst.app.slug,
            "account": self.user(inst.account),
            "target_type": inst.account.type,
            "permissions": inst.permissions,
            "events": ["pull_request", "issue_comment", "check_run"],
            "repository_selection": "selected",
            "access_tokens_url": f"{self.api}/app/installations/{inst.id}/access_tokens",
            "repositories_url": f"{self.api}/installation/repositories",
        }

    def check_run(self, run: CheckRun) -> dict[str, Any]:
        pulls = [
            {"number": pr.number, "id": pr.id, "url": f"{self.api}/repos/{pr.repo.full_name}/pulls/{pr.number}"}
            for pr in self.world.pulls.values()
            # As on GitHub, fork PRs are not listed on their check runs (github-facts.md).
            if pr.repo is run.repo and pr.head_sha == run.head_sha and pr.head_repo is pr.repo
        ]
        return {
            "id": run.id,
            "node_id": f"CR_{run.id}",
            "head_sha": run.head_sha,
            "external_id": run.external_id,
            "url": f"{self.api}/repos/{run.repo.full_name}/check-runs/{run.id}",
            "html_url": f"{self.api}/{run.repo.full_name}/runs/{run.id}",
            "details_url": run.details_url,
            "status": run.status,
            "conclusion": run.conclusion,
            "started_at": iso(run.started_at),
            "completed_at": iso(run.completed_at),
            "output": {**run.output, "annotations_count": len(run.annotations)},
            "name": run.name,
            "app": self.app(run.app),
            "pull_requests": pulls,
        }
