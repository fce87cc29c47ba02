"""The front doors a launch-day replay drives: the App as its own process, or the Action on the simulator's runner.

A mode is a context manager factory: given the simulator, a scratch folder and the time scale, it seeds a
letter, makes undersigned answer its events while the block runs, with its pacing shrunk by the scale
(GitHub's 1 s between mutations, its 60 s secondary wait, the content budget's hour), and yields the letter's
repository and the rate-limit bucket its requests are charged to. bench/launch_day.py and its drill pick a
mode by name (MODES).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from app.action.workflow import workflow
from app.settings import Settings
from bench.service_process import ServiceProcess
from tests.github_sim.actions import ActionsRunner
from tests.github_sim.demo import SEED_LETTER, seed_demo
from tests.github_sim.models import Repository
from tests.github_sim.server import Simulator
from tests.helpers import SEED_CONFIG_YAML


@dataclass(frozen=True)
class Door:
    """What a mode gives the replay: the letter, and the rate-limit bucket undersigned spends from."""

    repo: Repository
    bucket: str  # "installation:<id>" or "actions:<owner/repo>" (tests/github_sim/limits.py)
    limit: int  # that bucket's requests an hour


CRON_MINUTES = 12  # the README's workflow: `cron: "*/12 * * * *"`
Mode = Callable[[Simulator, Path, float], AbstractContextManager[Door]]


def scaled(scale: float) -> dict[str, str]:
    """undersigned's timing settings for a replay `scale` times faster than real time."""
    return {
        "mutation_interval": f"{1.0 / scale:.4f}",
        "secondary_rate_wait": f"{60.0 / scale:.3f}",
        "config_ttl": f"{60.0 / scale:.3f}",
        "rate_hour": f"{3600.0 / scale:.3f}",  # the content budget's hour (ignored by a build without one)
        "landing_gap": f"{Settings.model_fields['landing_gap'].default / scale:.3f}",  # (likewise)
    }


@contextlib.contextmanager
def app_mode(sim: Simulator, root: Path, scale: float) -> Iterator[Door]:
    """`undersigned serve` with production settings, every interval divided by `scale`."""
    demo = seed_demo(sim.world, signers=0, webhook_url=None, webhook_secret="launch-day")
    key = root / "app.pem"
    key.write_text(demo.private_key)
    settings = {
        "app_id": str(demo.app.id),
        "private_key_path": str(key),
        "webhook_secret": str(demo.app.webhook_secret),
        "github_api_url": sim.base_url,
        "data_dir": str(root / "data"),
        "workers": "4",
        "retry_backoff": "0.05",
        "http_timeout": "10",
        "log_level": "WARNING",
        **scaled(scale),
    }
    with ServiceProcess(settings, root / "service.log") as service:
        demo.app.webhook_url = service.url
        limit = sim.limits.policy.installation_limit(len(demo.installation.repos))
        yield Door(demo.repo, f"installation:{demo.installation.id}", limit)


@contextlib.contextmanager
def action_mode(sim: Simulator, root: Path, scale: float) -> Iterator[Door]:
    """The README's workflow on the letter, run by the simulator's Actions runner (one running and one pending
    run per repository; each run a fresh process with the repository's GITHUB_TOKEN, 1,000 requests an hour),
    with its schedule firing every 12 simulated minutes (what events left undone, the schedule's run finds)."""
    world = sim.world
    maintainer = world.add_user("maintainer", name="Letter Maintainer")
    files = {
        "README.md": SEED_LETTER.read_bytes(),
        ".github/workflows/undersigned.yml": workflow().encode(),
        ".github/undersigned.yml": SEED_CONFIG_YAML.encode(),
    }
    repo = world.create_repo(maintainer, "microsoft-drop-ice", files)
    env = {f"UNDERSIGNED_{k.upper()}": v for k, v in scaled(scale).items()}
    # PYTHONPATH passes on: a run of this bench from another checkout runs that checkout's undersigned.
    extra = {**env, "UNDERSIGNED_LOG_LEVEL": "WARNING", "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    runner = ActionsRunner(sim, extra)
    stop = threading.Event()

    def cron() -> None:  # the workflow's schedule (*/12 * * * *), on the replay's clock
        while not stop.wait(CRON_MINUTES * 60 / scale):
            runner.schedule(repo)

    threading.Thread(target=cron, name="actions-cron", daemon=True).start()
    try:
        yield Door(repo, f"actions:{repo.full_name.lower()}", sim.limits.policy.github_token)
    finally:
        stop.set()


MODES: dict[str, Mode] = {"app": app_mode, "action": action_mode}
