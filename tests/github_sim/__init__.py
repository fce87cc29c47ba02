"""A GitHub simulator for end-to-end tests: real HTTP, real git, PyGithub-compatible.

sim = start(tmp_path)               # a World on a free port
demo = seed_demo(sim.world, ...)    # the seed letter, the App, people
ada = person(sim, "ada")            # acts through REST with her own token
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.github_sim.demo import Demo, seed_demo
from tests.github_sim.limits import Limits, Policy
from tests.github_sim.people import Person
from tests.github_sim.server import Simulator
from tests.github_sim.webhooks import signature
from tests.github_sim.world import World


def start(
    state: Path,
    public_url: str | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    validate: bool | None = None,
    limits: Limits | None = None,
) -> Simulator:
    """Start a simulator with its git repositories under `state`; `validate` checks traffic against GitHub's
    contract (default: SIM_VALIDATE=1 in the environment, e.g. for a benchmark; stop() then reports to stderr).
    `limits`: GitHub's rate limits, all enforced at their real size unless given (see limits.py)."""
    if validate is None:
        validate = os.environ.get("SIM_VALIDATE") == "1"
        sim = Simulator(World(state), public_url, host, port, validate=validate, limits=limits)
        sim.report_on_stop = validate
        return sim.start()
    return Simulator(World(state), public_url, host, port, validate=validate, limits=limits).start()


def person(sim: Simulator, login: str) -> Person:
    user = sim.world.user(login)
    client = Person(sim.base_url, user.login, user.token)
    sim.closers.append(client.close_client)  # closed when the simulator stops
    return client


__all__ = ["Demo", "Limits", "Person", "Policy", "Simulator", "World", "person", "seed_demo", "signature", "start"]
