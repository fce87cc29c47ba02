"""What the verified-affiliation tests share: the letter's config, and signers who commit as GitHub lets them."""

from __future__ import annotations

import base64
import re
from typing import Any

from tests.github_sim import Simulator, person
from tests.github_sim.models import User
from tests.github_sim.routes_people import sign_commit
from tests.helpers import assert_golden

REPO = "maintainer/microsoft-drop-ice"
LEDGER = ".github/undersigned-verified.tsv"
LINE = "-  {name}{affiliation} [@{login}](https://github.com/{login})"


def config(policy: str, extra: str = "") -> str:
    return f"""version: 1
letter:
  file: README.md
  start_after: "Signed,"
  line: "-  {{name}}{{?, {{affiliation}}}} [@{{login}}](https://github.com/{{login}})"
signing_page: true
signers:
  trusted: [maintainer]
affiliations:
  Mozilla: {{domains: [mozilla.com, mozilla.org], orgs: [mozilla]}}
  MIT: {{domains: ["*.mit.edu"]}}
verify_affiliation: {policy}
{extra}"""


def set_config(sim: Simulator, text: str) -> None:
    person(sim, "maintainer").write(REPO, ".github/undersigned.yml", text, "main")


def line(name: str, login: str, affiliation: str | None = None) -> str:
    return LINE.format(name=name, login=login, affiliation=f", {affiliation}" if affiliation else "")


def sign_as(
    sim: Simulator, user: User, text: str, *, committer: str | None = None, signed_by: User | None = None
) -> int:
    """Fork, commit the line (as `committer`'s address when given; signed with `signed_by`'s key), open a PR."""
    who = person(sim, user.login)
    fork = who.fork(REPO)
    branch = f"{user.login}-sign"
    who.branch(fork, branch)
    current, sha = who.read(fork, "README.md", branch)
    body: dict[str, Any] = {
        "message": f"Sign as {user.login}",
        "content": base64.b64encode((current.rstrip("\n") + "\n" + text + "\n").encode()).decode(),
        "branch": branch,
        "sha": sha,
    }
    if committer is not None:
        body["committer"] = {"name": user.login, "email": committer}
    made = who.http.put(f"/repos/{fork}/contents/README.md", json=body)
    assert made.status_code == 200, made.text
    if signed_by is not None:
        sign_commit(sim.world, made.json()["commit"]["sha"], signed_by)
    return int(who.open_pr(REPO, branch, f"Add {user.login}", fork=fork)["number"])


def letter(sim: Simulator, path: str = "README.md") -> str:
    found = sim.world.repo(REPO).git.read_path("refs/heads/main", path)
    return "" if found is None else found[1].decode()


def our_comment(sim: Simulator, number: int) -> str:
    repo = sim.world.repo(REPO)
    bodies = [c.body for c in sim.world.comments.values() if c.number == number and c.repo is repo]
    ours = [b for b in bodies if b.startswith("<!-- undersigned:comment -->")]
    return ours[-1] if ours else ""


def golden(name: str, body: str) -> None:
    """A comment of ours against tests/golden/affil/NAME.md, commit ids and the simulator's address masked."""
    body = re.sub(r"http://127\.0\.0\.1:\d+/[^/\s]+/[^/\s]+", "<site>", body)  # the simulator's port varies
    assert_golden(f"affil/{name}.md", re.sub(r"\b[0-9a-f]{40}\b", "<sha>", body))
