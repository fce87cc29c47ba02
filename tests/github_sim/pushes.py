"""`push` webhooks: what GitHub sends when a branch moves (ref, before, after, commits with their files).

https://docs.github.com/en/webhooks/webhook-events-and-payloads#push"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.github_sim.models import Repository

MAX_COMMITS = 20  # GitHub lists at most 20 commits in a push payload (`commits`); `head_commit` is the tip


def push_event(repo: Repository, branch: str, before: str | None, after: str) -> dict[str, Any]:
    """The push's own fields; the sender adds `repository`, `installation` and `sender`."""
    git = repo.git
    shas = git.rev_list(after, before) if before else [after]
    commits = [_commit(repo, sha) for sha in shas[-MAX_COMMITS:]]
    zero = "0" * 40
    return {
        "ref": f"refs/heads/{branch}",
        "base_ref": None,
        "before": before or zero,
        "after": after,
        "created": before is None,
        "deleted": False,
        "forced": before is not None and not git.is_ancestor(before, after),
        "compare": f"{repo.full_name}/compare/{(before or zero)[:12]}...{after[:12]}",
        "commits": commits,
        "head_commit": commits[-1] if commits else None,
        "pusher": {"name": repo.owner.login, "email": None},
        "_repo": repo,
    }


def _commit(repo: Repository, sha: str) -> dict[str, Any]:
    info = repo.git.commit_info(sha)
    # One git call for the files: against the first parent, as GitHub lists a merge commit's changes.
    out = repo.git.git(
        "diff-tree", "-r", "--root", "-m", "--first-parent", "--no-commit-id", "--name-status", "-z", sha
    )
    fields = out.split("\0")
    by: dict[str, list[str]] = {"added": [], "removed": [], "modified": []}
    for status, path in zip(fields[0::2], fields[1::2], strict=False):
        if path:
            by[{"A": "added", "D": "removed"}.get(status[:1], "modified")].append(path)
    author: dict[str, Any] = info["author"]  # type: ignore[assignment]
    committer: dict[str, Any] = info["committer"]  # type: ignore[assignment]
    return {
        "id": sha,
        "tree_id": info["tree"],
        "distinct": True,
        "message": info["message"],
        "timestamp": datetime.fromtimestamp(int(author["date"]), UTC).isoformat().replace("+00:00", "Z"),
        "url": f"{repo.full_name}/commit/{sha}",  # made absolute by the sender, which knows the base URL
        "author": {"name": author["name"], "email": author["email"]},
        "committer": {"name": committer["name"], "email": committer["email"]},
        "added": by["added"],
        "removed": by["removed"],
        "modified": by["modified"],
    }
