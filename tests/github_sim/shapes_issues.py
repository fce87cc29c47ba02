"""Shapes of the conversation on a PR: the pull request itself, its issue side and its comments."""

from __future__ import annotations

from tests.github_sim.models import Comment, PullRequest, Repository
from tests.github_sim.shapes_base import JSON, ZERO_REACTIONS, BaseShapes, iso, stamp


class IssueShapes(BaseShapes):
    # --- conversation ---------------------------------------------------------------------------------------
    def comment(self, c: Comment) -> JSON:
        url = f"{self.api}/repos/{c.repo.full_name}/issues/comments/{c.id}"
        return {
            "url": url,
            "html_url": f"{self.api}/{c.repo.full_name}/pull/{c.number}#issuecomment-{c.id}",
            "issue_url": f"{self.api}/repos/{c.repo.full_name}/issues/{c.number}",
            "id": c.id,
            "node_id": f"IC_{c.id}",
            "user": self.user(c.user),
            "created_at": stamp(c.created_at),
            "updated_at": stamp(c.updated_at),
            "author_association": self.association(c.repo, c.user),
            "body": c.body,
            "reactions": {**ZERO_REACTIONS, "url": f"{url}/reactions", "eyes": 0, "rocket": 0},
            "performed_via_github_app": self.app(c.via) if c.via is not None else None,
        }

    def issue(self, pr: PullRequest) -> JSON:
        """The issue side of a PR: GET /repos/{o}/{r}/issues/{n}, and issue_comment's `issue`."""
        base = f"{self.api}/repos/{pr.repo.full_name}"
        url = f"{base}/issues/{pr.number}"
        return {
            "url": url,
            "repository_url": base,
            "labels_url": f"{url}/labels{{/name}}",
            "comments_url": f"{url}/comments",
            "events_url": f"{url}/events",
            "html_url": f"{self.api}/{pr.repo.full_name}/pull/{pr.number}",
            "id": pr.id + 1,
            "node_id": f"I_{pr.id}",
            "number": pr.number,
            "title": pr.title,
            "user": self.user(pr.user),
            "labels": [self.label(pr.repo, n) for n in pr.labels],
            "state": pr.state,
            "locked": False,
            "assignee": None,
            "assignees": [],
            "milestone": None,
            "comments": self.world.comment_count(pr),
            "created_at": stamp(pr.created_at),
            "updated_at": stamp(pr.updated_at),
            "closed_at": iso(pr.closed_at),
            "author_association": self.association(pr.repo, pr.user),
            "active_lock_reason": None,
            "draft": False,
            "pull_request": {
                "url": f"{base}/pulls/{pr.number}",
                "html_url": f"{self.api}/{pr.repo.full_name}/pull/{pr.number}",
                "diff_url": f"{self.api}/{pr.repo.full_name}/pull/{pr.number}.diff",
                "patch_url": f"{self.api}/{pr.repo.full_name}/pull/{pr.number}.patch",
                "merged_at": iso(pr.merged_at),
            },
            "body": pr.body,
            "reactions": {**ZERO_REACTIONS, "url": f"{url}/reactions", "eyes": 0, "rocket": 0},
            "timeline_url": f"{url}/timeline",
            "performed_via_github_app": None,
            "state_reason": None if pr.state == "open" else "completed",
        }

    # --- pull requests --------------------------------------------------------------------------------------
    def branch_ref(self, repo: Repository, ref: str, sha: str) -> JSON:
        return {
            "label": f"{repo.owner.login}:{ref}",
            "ref": ref,
            "sha": sha,
            "user": self.user(repo.owner),
            "repo": self.repo(repo),
        }

    def pull_simple(self, pr: PullRequest, base_sha: str | None = None) -> JSON:
        """pull-request-simple: what GET /repos/{o}/{r}/pulls lists."""
        repo = pr.repo
        base_sha = pr.base_sha if base_sha is None else base_sha
        api, html = f"{self.api}/repos/{repo.full_name}", f"{self.api}/{repo.full_name}"
        url = f"{api}/pulls/{pr.number}"

        def link(href: str) -> JSON:
            return {"href": href}

        return {
            "url": url,
            "id": pr.id,
            "node_id": f"PR_{pr.id}",
            "html_url": f"{html}/pull/{pr.number}",
            "diff_url": f"{html}/pull/{pr.number}.diff",
            "patch_url": f"{html}/pull/{pr.number}.patch",
            "issue_url": f"{api}/issues/{pr.number}",
            "commits_url": f"{url}/commits",
            "review_comments_url": f"{url}/comments",
            "review_comment_url": f"{api}/pulls/comments{{/number}}",
            "comments_url": f"{api}/issues/{pr.number}/comments",
            "statuses_url": f"{api}/statuses/{pr.head_sha}",
            "number": pr.number,
            "state": pr.state,
            "locked": False,
            "title": pr.title,
            "user": self.user(pr.user),
            "body": pr.body,
            # The PR listing types a label's description as a string, never null: "" stands for none.
            "labels": [
                {**(label := self.label(repo, n)), "description": label["description"] or ""} for n in pr.labels
            ],
            "milestone": None,
            "active_lock_reason": None,
            "created_at": stamp(pr.created_at),
            "updated_at": stamp(pr.updated_at),
            "closed_at": iso(pr.closed_at),
            "merged_at": iso(pr.merged_at),
            "merge_commit_sha": pr.merge_commit_sha,
            "assignee": None,
            "assignees": [],
            "requested_reviewers": [],
            "requested_teams": [],
            "head": self.branch_ref(pr.head_repo, pr.head_ref, pr.head_sha),
            "base": self.branch_ref(repo, pr.base_ref, base_sha),
            "_links": {
                "self": link(url),
                "html": link(f"{html}/pull/{pr.number}"),
                "issue": link(f"{api}/issues/{pr.number}"),
                "comments": link(f"{api}/issues/{pr.number}/comments"),
                "review_comments": link(f"{url}/comments"),
                "review_comment": link(f"{api}/pulls/comments{{/number}}"),
                "commits": link(f"{url}/commits"),
                "statuses": link(f"{api}/statuses/{pr.head_sha}"),
            },
            "author_association": self.association(repo, pr.user),
            "auto_merge": None,
            "draft": False,
        }

    def pull(self, pr: PullRequest, *, mergeable: bool | None = None, compute: bool = False) -> JSON:
        """pull-request (REST) and pull-request (webhooks): the simple shape, with counts and merge state."""
        if compute and pr.state == "open":
            mergeable = self.world.mergeability(pr)
        state = "unknown" if mergeable is None else ("clean" if mergeable else "dirty")
        if pr.state != "open":
            mergeable, state = None, "unknown"
        base_sha = pr.base_sha  # one git call for both
        commits, additions, deletions, changed = self.world.pull_stats(pr, base_sha)
        return {
            **self.pull_simple(pr, base_sha),
            "merged": pr.merged,
            "mergeable": mergeable,
            "rebaseable": mergeable,
            "mergeable_state": state,
            "merged_by": self.maybe_user(pr.merged_by),
            "comments": self.world.comment_count(pr),
            "review_comments": 0,
            "maintainer_can_modify": False,
            "commits": commits,
            "additions": additions,
            "deletions": deletions,
            "changed_files": changed,
        }
