"""`push` webhooks: what GitHub sends when a branch moves (ref, before, after, commits with their files).

https://docs.github.com/en/webhooks/webhook-events-and-payloads#push"""

from __future__ import annotations

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
        "before": before or zero,
        "after": after,
        "created": before is None,
        "deleted": False,
        "forced": before is not None and not git.is_ancestor(before, after),
        "compare": f"{repo.full_name}/compare/{(before or zero)[:12]}...{after[:12]}",
        "commits": commits,
        "head_commit": commits[-1] if commits else None,
        "_repo": repo,
    }


def _commit(repo: Repository, sha: str) -> dict[str, Any]:
    info = repo.git.commit_info(sha)
    parents: list[str] = list(info["parents"])  # type: ignore[call-overload]
    files = repo.git.diff_files(parents[0], sha) if parents else [
        {"filename": e.path, "status": "added"} for e in repo.git.ls_tree(sha, recursive=True)
    ]  # fmt: skip
    by: dict[str, list[str]] = {"added": [], "removed": [], "modified": []}
    for item in files:
        by.setdefault(str(item["status"]), []).append(str(item["filename"]))
    author: dict[str, Any] = info["author"]  # type: ignore[assignment]
    return {
        "id": sha,
        "tree_id": info["tree"],
        "message": info["message"],
        "author": {"name": author["name"], "email": author["email"]},
        "added": by["added"],
        "removed": by["removed"],
        "modified": by["modified"],
    }
