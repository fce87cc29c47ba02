"""What the landing tests share: a burst of signers, and the check that each landed exactly once."""

from __future__ import annotations

import concurrent.futures
from pathlib import Path

from app.rules.lint import lint_letter
from config import Config, parse_config
from tests.github_sim import Demo, Simulator, person
from tests.service import Service

REPO = "maintainer/microsoft-drop-ice"
LINE = "-  {name} [@{login}](https://github.com/{login})"
World = tuple[Simulator, Demo, Service]


def letter(sim: Simulator, path: str = "README.md") -> str:
    repo = sim.world.repo(REPO)
    found = repo.git.read_path("refs/heads/main", path)
    assert found is not None
    return found[1].decode()


def burst(sim: Simulator, count: int, prefix: str = "signer") -> list[int]:
    """`count` people fork, sign and open PRs at the same time."""
    logins = [f"{prefix}{i:03d}" for i in range(count)]
    for login in logins:
        sim.world.add_user(login)

    def sign(login: str) -> int:
        return int(
            person(sim, login).sign(REPO, "README.md", LINE.format(name=f"Person {login}", login=login))["number"]
        )

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        return list(pool.map(sign, logins))


def assert_landed_exactly_once(sim: Simulator, numbers: list[int], initial: str) -> None:
    text = letter(sim)
    repo = sim.world.repo(REPO)
    for number in numbers:
        pr = sim.world.pull(repo, number)
        assert pr.merged, f"#{number} did not land"
        login = pr.user.login
        assert text.count(f"[@{login}](https://github.com/{login})") == 1, login
    cfg = parse_config(
        (Path(__file__).resolve().parents[1] / "github_sim" / "demo.py")
        .read_text()
        .split('DEMO_CONFIG = """')[1]
        .split('"""')[0]
    )
    assert isinstance(cfg, Config)
    report = lint_letter(cfg, {"README.md": text})
    assert report.clean, report.problems  # well formed, nobody twice
    tip = repo.git.ref("refs/heads/main")
    assert tip is not None and repo.git.is_ancestor(initial, tip)  # nothing forced: history only grew
    writers = {c.actor for c in sim.faults.log if c.method != "GET" and c.path.startswith(f"/repos/{REPO}/")}
    assert all(
        w.startswith("installation:") for w in writers - {f"user:{p.user.login}" for p in sim.world.pulls.values()}
    )
