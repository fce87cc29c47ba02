"""Shapes of code: git commits, commits as the REST API shows them, contents, file diffs and comparisons."""

from __future__ import annotations

import posixpath
from typing import Any
from urllib.parse import quote

from tests.github_sim.models import Repository, User
from tests.github_sim.shapes_base import JSON, BaseShapes, stamp

UNSIGNED = {"verified": False, "reason": "unsigned", "signature": None, "payload": None, "verified_at": None}


class GitShapes(BaseShapes):
    def author_of(self, email: str) -> User | None:
        """The account a commit email belongs to: GitHub matches the noreply address "ID+login@users.noreply...",
        and any verified address of an account."""
        login = email.split("@", 1)[0].split("+", 1)[-1]
        found = self.world.users.get(login.lower())
        if found is not None and email.startswith(f"{found.id}+"):
            return found
        return next((u for u in self.world.users.values() if _has_email(u, email, verified=True)), None)

    def verification(self, sha: str, committer_email: str, when: int) -> JSON:
        """A commit's verification object as GitHub computes it: a signature by a key of the account is
        valid only when the committer's address is verified on that account.
        https://docs.github.com/en/authentication/managing-commit-signature-verification/about-commit-signature-verification
        """
        signer = self.world.users.get(self.world.signed.get(sha, ""))
        if signer is None:
            return dict(UNSIGNED)
        if _has_email(signer, committer_email, verified=True) or committer_email == signer.person.email:
            reason, verified = "valid", True
        elif _has_email(signer, committer_email, verified=False):
            reason, verified = "unverified_email", False
        else:
            reason, verified = "bad_email", False
        signature = "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n"
        return {
            "verified": verified,
            "reason": reason,
            "signature": signature,
            "payload": f"tree {sha}\n",
            "verified_at": stamp(when) if verified else None,
        }

    def git_commit(self, repo: Repository, sha: str) -> JSON:
        """git-commit: the Git Data API's commit."""
        info: Any = repo.git.commit_info(sha)
        api, html = f"{self.api}/repos/{repo.full_name}", f"{self.api}/{repo.full_name}"

        def who(p: Any) -> JSON:
            return {"name": p["name"], "email": p["email"], "date": stamp(p["date"])}

        return {
            "sha": sha,
            "node_id": f"C_{sha}",
            "url": f"{api}/git/commits/{sha}",
            "html_url": f"{html}/commit/{sha}",
            "author": who(info["author"]),
            "committer": who(info["committer"]),
            "message": info["message"],
            "tree": {"sha": info["tree"], "url": f"{api}/git/trees/{info['tree']}"},
            "parents": [
                {"sha": p, "url": f"{api}/git/commits/{p}", "html_url": f"{html}/commit/{p}"} for p in info["parents"]
            ],
            "verification": self.verification(sha, str(info["committer"]["email"]), int(self.world.now())),
        }

    def commit(self, repo: Repository, sha: str) -> JSON:
        """commit: GET /repos/{o}/{r}/commits/{ref}, the commit list, a branch's and a comparison's commits."""
        git = self.git_commit(repo, sha)
        api, html = f"{self.api}/repos/{repo.full_name}", f"{self.api}/{repo.full_name}"
        author, committer = self.author_of(git["author"]["email"]), self.author_of(git["committer"]["email"])
        return {
            "url": f"{api}/commits/{sha}",
            "sha": sha,
            "node_id": f"C_{sha}",
            "html_url": f"{html}/commit/{sha}",
            "comments_url": f"{api}/commits/{sha}/comments",
            "commit": {
                "url": git["url"],
                "author": git["author"],
                "committer": git["committer"],
                "message": git["message"],
                "comment_count": 0,
                "tree": git["tree"],
                "verification": git["verification"],
            },
            "author": self.user(author) if author else None,
            "committer": self.user(committer) if committer else None,
            "parents": [
                {"sha": p["sha"], "url": f"{api}/commits/{p['sha']}", "html_url": p["html_url"]} for p in git["parents"]
            ],
        }

    def diff_entry(self, repo: Repository, head: str, f: dict[str, Any]) -> JSON:
        """diff-entry: one file of a comparison or of a PR (of git's diff to `head`)."""
        name = str(f["filename"])
        html = f"{self.api}/{repo.full_name}"
        out: JSON = {
            "sha": f.get("blob"),  # the file's blob at head; null when removed
            "filename": name,
            "status": f["status"],
            "additions": f["additions"],
            "deletions": f["deletions"],
            "changes": int(f["additions"]) + int(f["deletions"]),
            "blob_url": f"{html}/blob/{head}/{quote(name)}",
            "raw_url": f"{html}/raw/{head}/{quote(name)}",
            "contents_url": f"{self.api}/repos/{repo.full_name}/contents/{quote(name)}?ref={head}",
        }
        if f.get("patch") is not None:
            out["patch"] = f["patch"]
        return out

    def content(self, repo: Repository, path: str, sha: str, ref: str, kind: str = "file", size: int = 0) -> JSON:
        """One entry of the Contents API (content-file without its content, or a directory's item)."""
        url = f"{self.api}/repos/{repo.full_name}/contents/{quote(path)}"
        html = f"{self.api}/{repo.full_name}/{'blob' if kind == 'file' else 'tree'}/{quote(ref)}/{quote(path)}"
        git_url = f"{self.api}/repos/{repo.full_name}/git/{'blobs' if kind == 'file' else 'trees'}/{sha}"
        return {
            "type": kind,
            "name": posixpath.basename(path),
            "path": path,
            "sha": sha,
            "size": size,
            "url": f"{url}?ref={quote(ref)}",
            "html_url": html,
            "git_url": git_url,
            "download_url": f"{self.api}/{repo.full_name}/raw/{quote(ref)}/{quote(path)}" if kind == "file" else None,
            "_links": {"self": f"{url}?ref={quote(ref)}", "git": git_url, "html": html},
        }


def _has_email(user: User, address: str, *, verified: bool) -> bool:
    return any(e["email"].lower() == address.lower() and bool(e["verified"]) == verified for e in user.emails)
