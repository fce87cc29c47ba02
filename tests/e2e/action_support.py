"""The Action's end-to-end world: a letter with undersigned's workflow, signers, and the simulator's runner."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.action.workflow import workflow
from tests.github_sim import Simulator, person
from tests.github_sim.actions import ActionsRunner, Run
from tests.github_sim.demo import SEED_LETTER
from tests.github_sim.models import Repository
from tests.helpers import SEED_CONFIG_YAML

REPO = "maintainer/microsoft-drop-ice"
LINE = "-  {name} [@{login}](https://github.com/{login})"
FAST = {"UNDERSIGNED_MUTATION_INTERVAL": "0", "UNDERSIGNED_LANDING_GAP": "0"}  # the runner machine: no pacing


@dataclass
class ActionWorld:
    sim: Simulator
    runner: ActionsRunner
    repo: Repository

    def pull(self, number: int) -> Any:
        return self.sim.world.pull(self.repo, number)

    def sign(self, login: str, name: str | None = None, as_login: str | None = None) -> int:
        line = LINE.format(name=name or login.title(), login=as_login or login)
        return int(person(self.sim, login).sign(REPO, "README.md", line)["number"])

    def runs_on(self, sha: str) -> list[Any]:
        return [r for r in self.sim.world.check_runs.values() if r.head_sha == sha]

    def comments(self, number: int) -> list[Any]:
        return [c for c in self.sim.world.comments.values() if c.number == number and c.user.type == "Bot"]

    def settle(self, timeout: float = 180.0) -> list[Run]:
        assert self.runner.wait(timeout), "the runs did not finish"
        return list(self.runner.runs)

    def letter(self) -> str:
        tip = self.repo.git.ref("refs/heads/main")
        assert tip is not None
        found = self.repo.git.read_path(tip, "README.md")
        assert found is not None
        return found[1].decode()


def letter_world(
    sim: Simulator, signers: list[str], *, flow: str | None = None, config: str | None = SEED_CONFIG_YAML
) -> ActionWorld:
    """The seed letter, its config and undersigned's workflow on main; no App anywhere."""
    world = sim.world
    maintainer = world.add_user("maintainer", name="Letter Maintainer")
    for login in signers:
        world.add_user(login)
    files = {"README.md": SEED_LETTER.read_bytes(), ".github/workflows/undersigned.yml": (flow or workflow()).encode()}
    if config is not None:
        files[".github/undersigned.yml"] = config.encode()
    repo = world.create_repo(maintainer, "microsoft-drop-ice", files)
    runner = ActionsRunner(sim, FAST)
    return ActionWorld(sim, runner, repo)
