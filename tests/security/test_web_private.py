"""Private stays private (issue 18): the status page, the signing page's answers, `_extends`, progress."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.github_sim import Demo, Simulator, person, seed_demo
from tests.github_sim.demo import DEMO_CONFIG
from tests.helpers import status_sign_in
from tests.service import Service, settings_for, settle

World = tuple[Simulator, Demo, Service]
LINE = "-  {name} [@{login}](https://github.com/{login})"
BROWSER = {"Accept": "text/html"}
SECRET_CONFIG = """version: 1
letter:
  file: README.md
  start_after: "CONFIDENTIAL-MARKER"
  line: "- {name} (@{login})"
  order: CONFIDENTIAL-ORDER
zebra_private_key_name: 1
"""


@pytest.fixture
def world(sim: Simulator, tmp_path: Path) -> Iterator[World]:
    """The demo letter, and beside it in the same installation `maintainer/board-minutes`: a letter with no
    signing page, with a signature PR decided while it was public, then made private (as GitHub does it)."""
    demo = seed_demo(sim.world, signers=4, webhook_url=None, webhook_secret="e2e-webhook-secret")
    text = (Path(__file__).resolve().parents[2].parent / "shared" / "letters" / "microsoft-drop-ice.md").read_text()
    files = {
        "README.md": text.encode(),
        ".github/undersigned.yml": DEMO_CONFIG.replace("signing_page: true\n", "").encode(),
    }
    files["secret.yml"] = SECRET_CONFIG.encode()
    private = sim.world.create_repo(demo.maintainer, "board-minutes", files)
    sim.world.create_repo(demo.maintainer, "not-installed", {"README.md": b"hello\n"})
    sim.world.add_installation_repos(demo.installation, [private.full_name])
    client_id, client_secret = sim.oauth.credentials(demo.app)
    settings = settings_for(sim, demo, tmp_path / "data", client_id=client_id, client_secret=client_secret)
    service = Service(settings).start()
    demo.app.webhook_url = service.url
    settle(sim, service)
    person(sim, "ada").sign(private.full_name, "README.md", "- not a signature line")
    settle(sim, service)
    made = httpx.patch(
        f"{sim.base_url}/repos/{private.full_name}",
        json={"private": True},
        headers={"Authorization": f"token {demo.maintainer.token}"},
    )
    assert made.status_code == 200 and made.json()["private"] is True
    yield sim, demo, service
    service.stop()


def test_the_simulator_hides_private_repositories(world: World) -> None:
    sim, demo, _ = world
    assert httpx.get(f"{sim.base_url}/repos/maintainer/board-minutes").status_code == 404  # anonymous
    ada = {"Authorization": f"token {demo.signers[0].token}"}
    assert httpx.get(f"{sim.base_url}/repos/maintainer/board-minutes", headers=ada).status_code == 404
    refused = httpx.patch(f"{sim.base_url}/repos/maintainer/microsoft-drop-ice", json={"private": True}, headers=ada)
    assert refused.status_code == 403


def test_the_status_page_shows_only_what_you_administer(world: World) -> None:
    _, _, service = world
    anonymous = httpx.get(service.base + "/", headers=BROWSER)
    assert anonymous.status_code == 200 and 'id="landed-total"' in anonymous.text  # public figures only
    for secret in ("board-minutes", "microsoft-drop-ice", "not a signature", "installation "):
        assert secret not in anonymous.text
    with httpx.Client(base_url=service.base) as http:
        ada = status_sign_in(http, "ada").text  # a signer: administers nothing here
    assert "signed in as ada" in ada and "board-minutes" not in ada and "microsoft-drop-ice" not in ada
    with httpx.Client(base_url=service.base) as http:
        mine = status_sign_in(http, "maintainer").text
    assert "maintainer/board-minutes" in mine and "maintainer/microsoft-drop-ice" in mine
    assert 'class="decision"' in mine  # the decision on the private repo, for its admin
    assert "board-minutes" not in httpx.get(service.base + "/", headers=BROWSER).text  # the cookie, not the IP


def test_every_letter_without_a_signing_page_answers_the_same_404(world: World) -> None:
    _, _, service = world
    answers = {}
    for repo in ("maintainer/board-minutes", "maintainer/not-installed", "nobody/nothing"):
        for path in ("", "/pr/1.json", "/pr/1"):
            answer = httpx.get(f"{service.base}/sign/{repo}{path}")
            answers[repo + path] = (answer.status_code, answer.text.replace(repo, "REPO"))
    assert {status for status, _ in answers.values()} == {404}
    assert len({text for _, text in answers.values()}) == 1, answers


def test_extends_reads_no_other_private_repo_and_echoes_nothing(world: World) -> None:
    """The config check on the maintainer's push names the file it extends, never its keys or values; and
    only the owner's `.github` or a public repo may be extended, never another private one."""
    sim, demo, service = world
    valid = SECRET_CONFIG.replace("  order: CONFIDENTIAL-ORDER\n", "").replace("zebra_private_key_name: 1\n", "")
    dotfiles = {".github/undersigned.yml": SECRET_CONFIG.encode(), "valid.yml": valid.encode()}
    dotgithub = sim.world.create_repo(demo.maintainer, ".github", dotfiles)
    sim.world.add_installation_repos(demo.installation, [dotgithub.full_name])
    configs = {
        "borrows": "_extends: board-minutes:secret.yml\n",
        "inherits": "_extends: .github\n",
        "inherits-valid": "_extends: .github:valid.yml\n",
    }
    for name in configs:
        repo = sim.world.create_repo(demo.maintainer, name, {"README.md": b"Signed,\n"})
        sim.world.add_installation_repos(demo.installation, [repo.full_name])
    settle(sim, service)
    maintainer = person(sim, "maintainer")
    for name, text in configs.items():
        maintainer.write(f"maintainer/{name}", ".github/undersigned.yml", text, "main", "Configure the letter")
    settle(sim, service)
    for name in configs:
        repo = sim.world.repo(f"maintainer/{name}")
        shown = " ".join(f"{r.output}" for r in sim.world.check_runs.values() if r.repo is repo)
        verdict = "is valid" if name == "inherits-valid" else "undersigned.yml has"  # the config check on the push
        assert verdict in shown, (name, shown)
        for secret in ("CONFIDENTIAL", "zebra_private_key_name"):
            assert secret not in shown, (name, shown)
        if name == "borrows":
            assert "may not read" in shown, shown
        elif name == "inherits":
            assert "`maintainer/.github:.github/undersigned.yml`" in shown, shown


def test_progress_trusts_only_the_apps_own_landed_comment(world: World) -> None:
    sim, demo, service = world
    repo = demo.repo.full_name
    number = int(person(sim, "linus").sign(repo, "README.md", "-  not valid")["number"])
    settle(sim, service)
    linus = {"Authorization": f"token {demo.signers[2].token}"}
    said = httpx.post(
        f"{sim.base_url}/repos/{repo}/issues/{number}/comments", json={"body": "landed in 1234567abc"}, headers=linus
    )
    assert said.status_code == 201
    closed = httpx.patch(f"{sim.base_url}/repos/{repo}/pulls/{number}", json={"state": "closed"}, headers=linus)
    assert closed.status_code == 200
    found = httpx.get(f"{service.base}/sign/{repo}/pr/{number}.json").json()
    assert found["state"] == "closed" and found["landed"] is None and found["commit_url"] is None
