"""People acting on the simulator through the same REST endpoints their clients use."""

from __future__ import annotations

import base64
from typing import Any

import httpx


class Person:
    """One signed-in person (their own token) doing what people do on GitHub."""

    def __init__(self, base_url: str, login: str, token: str) -> None:
        self.login = login
        self.http = httpx.Client(base_url=base_url, headers={"Authorization": f"token {token}"}, timeout=30)

    def _ok(self, response: httpx.Response) -> Any:
        if response.is_error:
            raise AssertionError(
                f"{response.request.method} {response.request.url} -> {response.status_code}: {response.text}"
            )
        return response.json() if response.content else None

    def fork(self, repo: str) -> str:
        return str(self._ok(self.http.post(f"/repos/{repo}/forks"))["full_name"])

    def read(self, repo: str, path: str, ref: str | None = None) -> tuple[str, str]:
        """(text, blob sha) of a file."""
        data = self._ok(self.http.get(f"/repos/{repo}/contents/{path}", params={"ref": ref} if ref else None))
        return base64.b64decode(data["content"]).decode(), data["sha"]

    def branch(self, repo: str, name: str, from_branch: str = "main") -> None:
        sha = self._ok(self.http.get(f"/repos/{repo}/git/ref/heads/{from_branch}"))["object"]["sha"]
        self._ok(self.http.post(f"/repos/{repo}/git/refs", json={"ref": f"refs/heads/{name}", "sha": sha}))

    def write(self, repo: str, path: str, text: str, branch: str, message: str = "Update") -> str:
        """Create or replace a file on a branch (the web editor's commit); returns the commit sha."""
        got = self.http.get(f"/repos/{repo}/contents/{path}", params={"ref": branch})
        body = {"message": message, "content": base64.b64encode(text.encode()).decode(), "branch": branch}
        if got.status_code == 200:
            body["sha"] = got.json()["sha"]
        return str(self._ok(self.http.put(f"/repos/{repo}/contents/{path}", json=body))["commit"]["sha"])

    def delete(self, repo: str, path: str, branch: str, message: str = "Delete") -> str:
        sha = self._ok(self.http.get(f"/repos/{repo}/contents/{path}", params={"ref": branch}))["sha"]
        body = {"message": message, "sha": sha, "branch": branch}
        return str(self._ok(self.http.request("DELETE", f"/repos/{repo}/contents/{path}", json=body))["commit"]["sha"])

    def open_pr(
        self, repo: str, branch: str, title: str, fork: str | None = None, base: str = "main"
    ) -> dict[str, Any]:
        head = f"{fork.split('/')[0]}:{branch}" if fork else branch
        return dict(self._ok(self.http.post(f"/repos/{repo}/pulls", json={"head": head, "base": base, "title": title})))

    def comment(self, repo: str, number: int, body: str) -> dict[str, Any]:
        return dict(self._ok(self.http.post(f"/repos/{repo}/issues/{number}/comments", json={"body": body})))

    def close(self, repo: str, number: int) -> None:
        self._ok(self.http.patch(f"/repos/{repo}/pulls/{number}", json={"state": "closed"}))

    def reopen(self, repo: str, number: int) -> None:
        self._ok(self.http.patch(f"/repos/{repo}/pulls/{number}", json={"state": "open"}))

    def sign(self, repo: str, path: str, line: str, branch: str | None = None, transform: Any = None) -> dict[str, Any]:
        """Fork, add `line` at the end of `path` on a new branch, open a PR: what a signer does."""
        fork = self.fork(repo)
        branch = branch or f"{self.login}-sign"
        self.branch(fork, branch)
        text, _ = self.read(fork, path, branch)
        new = transform(text) if transform else text.rstrip("\n") + "\n" + line + "\n"
        self.write(fork, path, new, branch, f"Sign as {self.login}")
        return self.open_pr(repo, branch, f"Add {self.login}", fork=fork)

    def close_client(self) -> None:
        self.http.close()
