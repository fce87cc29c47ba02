"""Issue 18's markup and stall findings, end to end: a signer's PR through the simulator and the service over
HTTP. On main each of these landed (or stalled the service); here each is refused and nothing lands."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.pathological import BOMB
from tests.github_sim import Demo, Simulator, person, seed_demo
from tests.service import Service, settings_for, settle

REPO = "maintainer/microsoft-drop-ice"
World = tuple[Simulator, Demo, Service]
AFFILIATION = (
    'version: 1\nletter:\n  file: README.md\n  start_after: "Signed,"\n'
    '  line: "-  {name} ({affiliation}) [@{login}](https://github.com/{login})"\n'
)
FRONT = (
    'version: 1\nletter:\n  directory: _signatures\n  filename: "{id}.md"\n  front_matter: true\n'
    '  fields: {name: "{name}"}\n  optional_fields: {affiliation: "{affiliation}", github: "{login}"}\n'
)
AUDITED_FRONT = FRONT + "  forbidden_keys: [layout]\n  unknown_keys: allow\n"  # the README's shape at the audit
DATA = (
    'version: 1\nletter:\n  directory: _data/signed\n  filename: "{login}.yaml"\n'
    '  fields: {name: "{name}", link: "{text}"}\n  unknown_keys: allow\n'
)


def _world(sim: Simulator, data: Path, **settings: object) -> Iterator[World]:
    demo = seed_demo(sim.world, signers=6, webhook_url=None, webhook_secret="e2e-webhook-secret")
    service = Service(settings_for(sim, demo, data, **settings)).start()
    demo.app.webhook_url = service.url
    yield sim, demo, service
    service.stop()


@pytest.fixture
def world(sim: Simulator, tmp_path: Path) -> Iterator[World]:
    yield from _world(sim, tmp_path / "data")


@pytest.fixture
def tight_world(sim: Simulator, tmp_path: Path) -> Iterator[World]:
    yield from _world(sim, tmp_path / "data", eval_budget=1.0)


def set_config(sim: Simulator, text: str) -> None:
    person(sim, "maintainer").write(REPO, ".github/undersigned.yml", text, "main")


def propose(sim: Simulator, login: str, changes: dict[str, str]) -> int:
    who = person(sim, login)
    fork = who.fork(REPO)
    tip = who.http.get(f"/repos/{REPO}/git/ref/heads/main").json()["object"]["sha"]
    who.http.post(f"/repos/{fork}/git/refs", json={"ref": "refs/heads/sign", "sha": tip})
    for path, text in changes.items():
        who.write(fork, path, text, "sign")
    return int(who.open_pr(REPO, "sign", f"{login} signs", fork=fork)["number"])


def pull(sim: Simulator, number: int) -> Any:
    return sim.world.pull(sim.world.repo(REPO), number)


def check(sim: Simulator, number: int) -> Any:
    [run] = [r for r in sim.world.check_runs.values() if r.head_sha == pull(sim, number).head_sha]
    return run


def main_text(sim: Simulator, path: str) -> str | None:
    try:
        return person(sim, "maintainer").read(REPO, path, "main")[0]
    except AssertionError:
        return None


HOSTILE_LINES = {
    "ada": "-  Ada Lovelace (Navy [verify your signature](https://evil.example/login)) [@ada](https://github.com/ada)",
    "grace": "-  Grace ![t](https://evil.example/p.png) <img src=x> (Navy) [@grace](https://github.com/grace)",
    "linus": "-  Linus Torvalds (Linux) [@linus](https://github.com/linus)\r<!--",
    "margaret": "-  [Margaret Hamilton [MIT]](https&#58;//evil.zone/login) (MIT) [@margaret](https://github.com/margaret)",
}


def test_markup_in_a_list_line_never_lands(world: World) -> None:
    sim, _, service = world
    set_config(sim, AFFILIATION)
    base = main_text(sim, "README.md") or ""
    numbers = {
        login: propose(sim, login, {"README.md": base.rstrip("\n") + "\n" + line + "\n"})
        for login, line in HOSTILE_LINES.items()
    }
    settle(sim, service)
    for login, number in numbers.items():
        assert not pull(sim, number).merged, login
        assert check(sim, number).conclusion == "failure", login
    letter = main_text(sim, "README.md") or ""
    assert "evil" not in letter and "<!--" not in letter and "\r" not in letter


FRONT_FILES = {
    "ada": "---\nname: Ada Lovelace\npermalink: /index.html\n---\n",
    "grace": "---\nname: Grace Hopper\nredirect_to: https://evil.example\n---\n",
    "linus": "---\nname: Linus Torvalds\nlayout: default\n---\n",
    "margaret": "---\nname: Margaret Hamilton\n---\n<script>alert(1)</script>\n",
    "alan": "---\nname: [lol, lol]\n---\n",
}


@pytest.mark.parametrize("config", [FRONT, AUDITED_FRONT], ids=["gallery", "as-audited"])
def test_front_matter_keys_and_bodies_never_land(world: World, config: str) -> None:
    sim, _, service = world
    set_config(sim, config)
    numbers = {login: propose(sim, login, {f"_signatures/{login}.md": text}) for login, text in FRONT_FILES.items()}
    settle(sim, service)
    for login, number in numbers.items():
        assert not pull(sim, number).merged, login
        assert main_text(sim, f"_signatures/{login}.md") is None
        # The audited shape is now a config error: a neutral wait, the maintainer is told on their commit.
        assert check(sim, number).conclusion == ("failure" if config == FRONT else "neutral"), login


def test_a_yaml_alias_bomb_is_refused_and_the_service_carries_on(world: World) -> None:
    sim, _, service = world
    set_config(sim, DATA)
    bomb = propose(sim, "ada", {"_data/signed/ada.yaml": BOMB})
    settle(sim, service)
    assert not pull(sim, bomb).merged
    assert "anchors or aliases" in check(sim, bomb).output["summary"]
    fine = propose(sim, "grace", {"_data/signed/grace.yaml": "name: Grace Hopper\nlink: Navy\n"})
    settle(sim, service)
    assert pull(sim, fine).merged


def test_an_evaluation_past_its_budget_is_refused_once_not_retried(tight_world: World) -> None:
    sim, _, service = tight_world
    # A maintainer's own `pattern` may backtrack exponentially: the budget, not the template compiler, bounds it.
    pattern = r"^-  (?P<name>(?:a|a)+)+ \[@(?P<login>[a-z]+)\]\(https://github\.com/[a-z]+\)$"
    set_config(sim, AFFILIATION + f"  pattern: '{pattern}'\n")
    base = main_text(sim, "README.md") or ""
    slow = propose(sim, "ada", {"README.md": base.rstrip("\n") + "\n-  " + "a" * 40 + "!\n"})
    settle(sim, service, timeout=60)
    run = check(sim, slow)
    assert run.conclusion == "failure" and "took longer than 1 seconds" in run.output["summary"]
    assert not pull(sim, slow).merged
    assert service.idle()  # done with it: no retry loop
