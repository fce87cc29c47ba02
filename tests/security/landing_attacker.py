"""What the landing security tests share: letters seeded with many files, an attacker who writes raw trees
(modes, symlinks, submodules) through GitHub's Git Data API, and a site administrator (GHES's /admin)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.github_sim import Demo, Simulator
from tests.github_sim.keys import app_key
from tests.service import SECRET, Service, settings_for

DIR_CONFIG = """version: 1
letter:
  directory: _data/signed
  filename: "{login}.yaml"
  fields: {name: "{name}", link: "https://github.com/{login}"}
"""
SCRIPT = "<script src=https://evil.example/x.js></script>"


def signature_file(name: str, login: str) -> str:
    return f"name: {name}\nlink: https://github.com/{login}\n"


def seed(sim: Simulator, files: dict[str, str], name: str = "letter") -> Demo:
    """A letter repo holding `files`, with undersigned installed on it (no webhook URL yet)."""
    world = sim.world
    maintainer = world.add_user("maintainer", name="Letter Maintainer")
    repo = world.create_repo(maintainer, name, {p: t.encode() for p, t in files.items()})
    private, public = app_key()
    app = world.add_app("undersigned", maintainer, public, None, SECRET)
    installation = world.install(app, maintainer, [repo.full_name])
    return Demo(world, app, private, installation, repo, maintainer, [])


def serve(sim: Simulator, demo: Demo, data: Path) -> Service:
    service = Service(settings_for(sim, demo, data)).start()
    demo.app.webhook_url = service.url
    return service


class Client:
    """Someone acting through GitHub's REST API with a token of theirs."""

    def __init__(self, sim: Simulator, token: str) -> None:
        self.http = httpx.Client(base_url=sim.base_url, headers={"Authorization": f"token {token}"}, timeout=60)
        sim.closers.append(self.http.close)

    def call(self, method: str, path: str, body: Any = None) -> Any:
        answer = self.http.request(method, path, json=body)
        assert answer.status_code < 300, (method, path, answer.status_code, answer.text)
        return answer.json() if answer.content else None


class Attacker(Client):
    """Forks, commits raw trees and opens PRs: every mode and type git allows, as `git push` would."""

    def commit(self, repo: str, branch: str, changes: dict[str, tuple[str, str] | None], new: bool = True) -> str:
        """Commit on the fork's `branch` (made from main when `new`): path -> (mode, content), or None to delete.
        Mode 160000 takes a commit sha as its content (a submodule)."""
        fork = str(self.call("POST", f"/repos/{repo}/forks")["full_name"])
        start = self.call("GET", f"/repos/{fork}/git/ref/heads/{'main' if new else branch}")["object"]["sha"]
        entries: list[dict[str, Any]] = []
        for path, entry in changes.items():
            if entry is None:
                entries.append({"path": path, "mode": "100644", "type": "blob", "sha": None})
            elif entry[0] == "160000":
                entries.append({"path": path, "mode": "160000", "type": "commit", "sha": entry[1]})
            else:
                blob = self.call("POST", f"/repos/{fork}/git/blobs", {"content": entry[1], "encoding": "utf-8"})
                entries.append({"path": path, "mode": entry[0], "type": "blob", "sha": blob["sha"]})
        tree = self.call("POST", f"/repos/{fork}/git/trees", {"base_tree": start, "tree": entries})["sha"]
        commit = self.call("POST", f"/repos/{fork}/git/commits", {"message": "Sign", "tree": tree, "parents": [start]})
        if new:
            self.call("POST", f"/repos/{fork}/git/refs", {"ref": f"refs/heads/{branch}", "sha": commit["sha"]})
        else:
            self.call("PATCH", f"/repos/{fork}/git/refs/heads/{branch}", {"sha": commit["sha"]})
        return str(commit["sha"])

    def open_pr(self, repo: str, branch: str) -> int:
        owner = self.call("GET", "/user")["login"]
        pr = self.call("POST", f"/repos/{repo}/pulls", {"head": f"{owner}:{branch}", "base": "main", "title": "Sign"})
        return int(pr["number"])


def admin(sim: Simulator) -> Client:
    """A site administrator of the (simulated) GitHub Enterprise Server."""
    user = sim.world.add_user("site-admin")
    user.site_admin = True
    return Client(sim, user.token)


def tree_of(sim: Simulator, demo: Demo, ref: str = "refs/heads/main") -> dict[str, tuple[str, str]]:
    """path -> (mode, blob or commit sha) of the whole tree at `ref`."""
    git = demo.repo.git
    sha = git.ref(ref)
    assert sha is not None
    return {e.path: (e.mode, e.sha) for e in git.ls_tree(sha, recursive=True)}
