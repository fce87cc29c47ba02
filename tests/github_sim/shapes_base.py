"""Shapes of people, repositories, labels and Apps, in full as GitHub's REST description and webhook schemas give them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from tests.github_sim.models import App, Installation, Repository, User
from tests.github_sim.world import World

JSON = dict[str, Any]
EVENTS = ["check_run", "check_suite", "issue_comment", "pull_request"]
ZERO_REACTIONS = {"total_count": 0, "+1": 0, "-1": 0, "laugh": 0, "confused": 0, "heart": 0, "hooray": 0}


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def stamp(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class BaseShapes:
    """Renders objects; `api` is the public API base URL (no trailing slash), also standing in for github.com."""

    def __init__(self, world: World, api: str) -> None:
        self.world, self.api = world, api.rstrip("/")

    # --- people ---------------------------------------------------------------------------------------------
    def user(self, user: User) -> JSON:
        """simple-user (REST) and user (webhooks). A bot's login holds "[bot]": quoted in URLs, as GitHub does."""
        url = f"{self.api}/users/{quote(user.login)}"
        out: JSON = {
            "login": user.login,
            "id": user.id,
            "node_id": f"U_{user.id}",
            "avatar_url": f"{self.api}/avatars/u/{user.id}?v=4",
            "gravatar_id": "",
            "url": url,
            "html_url": f"{self.api}/{quote(user.login)}",
            "followers_url": f"{url}/followers",
            "following_url": f"{url}/following{{/other_user}}",
            "gists_url": f"{url}/gists{{/gist_id}}",
            "starred_url": f"{url}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{url}/subscriptions",
            "organizations_url": f"{url}/orgs",
            "repos_url": f"{url}/repos",
            "events_url": f"{url}/events{{/privacy}}",
            "received_events_url": f"{url}/received_events",
            "type": user.type,
            "site_admin": user.site_admin,
        }
        if user.name is not None:
            out["name"] = user.name
        return out

    def maybe_user(self, user: User | None) -> JSON | None:
        return None if user is None else self.user(user)

    def public_user(self, user: User) -> JSON:
        """GET /users/{username}, GET /user: the profile, with the account's creation time."""
        return {
            **self.user(user),
            "name": user.name,
            "company": None,
            "blog": "",
            "location": None,
            "email": None,
            "hireable": None,
            "bio": None,
            "public_repos": sum(1 for r in self.world.repos.values() if r.owner is user),
            "public_gists": 0,
            "followers": 0,
            "following": 0,
            "created_at": stamp(user.created_at),
            "updated_at": stamp(user.created_at),
        }

    # --- repositories ---------------------------------------------------------------------------------------
    def repo(self, repo: Repository) -> JSON:
        """repository (REST) and repository (webhooks)."""
        url = f"{self.api}/repos/{repo.full_name}"
        html = f"{self.api}/{repo.full_name}"
        urls = {
            "forks_url": f"{url}/forks",
            "keys_url": f"{url}/keys{{/key_id}}",
            "collaborators_url": f"{url}/collaborators{{/collaborator}}",
            "teams_url": f"{url}/teams",
            "hooks_url": f"{url}/hooks",
            "issue_events_url": f"{url}/issues/events{{/number}}",
            "events_url": f"{url}/events",
            "assignees_url": f"{url}/assignees{{/user}}",
            "branches_url": f"{url}/branches{{/branch}}",
            "tags_url": f"{url}/tags",
            "blobs_url": f"{url}/git/blobs{{/sha}}",
            "git_tags_url": f"{url}/git/tags{{/sha}}",
            "git_refs_url": f"{url}/git/refs{{/sha}}",
            "trees_url": f"{url}/git/trees{{/sha}}",
            "statuses_url": f"{url}/statuses/{{sha}}",
            "languages_url": f"{url}/languages",
            "stargazers_url": f"{url}/stargazers",
            "contributors_url": f"{url}/contributors",
            "subscribers_url": f"{url}/subscribers",
            "subscription_url": f"{url}/subscription",
            "commits_url": f"{url}/commits{{/sha}}",
            "git_commits_url": f"{url}/git/commits{{/sha}}",
            "comments_url": f"{url}/comments{{/number}}",
            "issue_comment_url": f"{url}/issues/comments{{/number}}",
            "contents_url": f"{url}/contents/{{+path}}",
            "compare_url": f"{url}/compare/{{base}}...{{head}}",
            "merges_url": f"{url}/merges",
            "archive_url": f"{url}/{{archive_format}}{{/ref}}",
            "downloads_url": f"{url}/downloads",
            "issues_url": f"{url}/issues{{/number}}",
            "pulls_url": f"{url}/pulls{{/number}}",
            "milestones_url": f"{url}/milestones{{/number}}",
            "notifications_url": f"{url}/notifications{{?since,all,participating}}",
            "labels_url": f"{url}/labels{{/name}}",
            "releases_url": f"{url}/releases{{/id}}",
            "deployments_url": f"{url}/deployments",
        }
        created = stamp(repo.created_at)
        open_issues = sum(1 for p in self.world.pulls.values() if p.repo is repo and p.state == "open")
        return {
            **self.world.repo_brief(repo),  # id, node_id, name, full_name, private
            "owner": self.user(repo.owner),
            "html_url": html,
            "description": None,
            "fork": repo.parent is not None,
            "url": url,
            **urls,
            "created_at": created,
            "updated_at": created,
            "pushed_at": created,
            "git_url": f"git://{html.split('://', 1)[-1]}.git",
            "ssh_url": f"git@{html.split('://', 1)[-1].split('/', 1)[0]}:{repo.full_name}.git",
            "clone_url": f"{html}.git",
            "svn_url": html,
            "homepage": None,
            "size": 0,
            "stargazers_count": 0,
            "watchers_count": 0,
            "language": None,
            "has_issues": True,
            "has_projects": False,
            "has_downloads": True,
            "has_wiki": False,
            "has_pages": False,
            "has_discussions": False,
            "forks_count": sum(1 for r in self.world.repos.values() if r.parent is repo),
            "mirror_url": None,
            "archived": False,
            "disabled": False,
            "open_issues_count": open_issues,
            "license": None,
            "allow_forking": True,
            "is_template": False,
            "web_commit_signoff_required": False,
            "topics": [],
            "visibility": "private" if repo.private else "public",
            "forks": sum(1 for r in self.world.repos.values() if r.parent is repo),
            "open_issues": open_issues,
            "watchers": 0,
            "default_branch": repo.default_branch,
            "custom_properties": {},
        }

    def full_repo(self, repo: Repository) -> JSON:
        """full-repository: GET /repos/{owner}/{repo} and a new fork."""
        out = self.repo(repo)
        del out["custom_properties"]
        out.update(network_count=0, subscribers_count=0, permissions={"admin": False, "push": False, "pull": True})
        if repo.parent is not None:
            out["parent"] = self.repo(repo.parent)
            root = repo.parent
            while root.parent is not None:
                root = root.parent
            out["source"] = self.repo(root)
        return out

    def label(self, repo: Repository, name: str) -> JSON:
        meta = repo.labels.get(name.lower(), {"id": 0, "color": "ededed", "description": None})
        return {
            "id": meta["id"],
            "node_id": f"LA_{meta['id']}",
            "url": f"{self.api}/repos/{repo.full_name}/labels/{quote(name)}",
            "name": name,
            "color": meta["color"],
            "default": False,
            "description": meta.get("description"),
        }

    # --- Apps -----------------------------------------------------------------------------------------------
    def app(self, app: App) -> JSON:
        """integration (REST) and app (webhooks)."""
        return {
            "id": app.id,
            "slug": app.slug,
            "node_id": f"A_{app.id}",
            "owner": self.user(app.owner),
            "name": app.name,
            "description": None,
            "external_url": f"{self.api}/apps/{app.slug}",
            "html_url": f"{self.api}/apps/{app.slug}",
            "created_at": stamp(app.owner.created_at),
            "updated_at": stamp(app.owner.created_at),
            "permissions": dict(app.permissions),
            "events": list(EVENTS),
        }

    def installation(self, inst: Installation) -> JSON:
        return {
            "id": inst.id,
            "account": self.user(inst.account),
            "repository_selection": "selected",
            "access_tokens_url": f"{self.api}/app/installations/{inst.id}/access_tokens",
            "repositories_url": f"{self.api}/installation/repositories",
            "html_url": f"{self.api}/settings/installations/{inst.id}",
            "app_id": inst.app.id,
            "app_slug": inst.app.slug,
            "target_id": inst.account.id,
            "target_type": inst.account.type,
            "permissions": dict(inst.permissions),
            "events": list(EVENTS),
            "created_at": stamp(inst.created_at),
            "updated_at": stamp(inst.created_at),
            "single_file_name": None,
            "has_multiple_single_files": False,
            "single_file_paths": [],
            "suspended_by": None,
            "suspended_at": None,
        }

    def association(self, repo: Repository, user: User) -> str:
        if user is repo.owner:
            return "OWNER"
        if user.login.lower() in repo.collaborators:
            return "COLLABORATOR"
        merged = any(p.merged and p.user is user for p in self.world.pulls.values() if p.repo is repo)
        return "CONTRIBUTOR" if merged else "NONE"
