"""Speed of the GitHub simulator: one fork + PR + merge scenario, and several simulators side by side.

Run: python -m bench.sim_speed   (target: a fork, a PR and a merge well under a second)
"""

from __future__ import annotations

import concurrent.futures
import statistics
import tempfile
import time
from pathlib import Path

from github import Auth, Github

from tests.github_sim import person, seed_demo, start


def scenario(root: Path) -> float:
    """Seconds for: a signer forks, commits, opens a PR; the App merges it."""
    sim = start(root)
    demo = seed_demo(sim.world, signers=1)
    auth = Auth.AppAuth(demo.app.id, demo.private_key).get_installation_auth(demo.installation.id)
    gh = Github(auth=auth, base_url=sim.base_url, seconds_between_requests=None, seconds_between_writes=None)
    repo = gh.get_repo(demo.repo.full_name)  # token fetched before the clock starts
    try:
        began = time.perf_counter()
        opened = person(sim, "ada").sign(demo.repo.full_name, "README.md", "-  Ada [@ada](https://github.com/ada)")
        pr = repo.get_pull(int(opened["number"]))
        pr.merge(sha=pr.head.sha)
        took = time.perf_counter() - began
        assert repo.get_pull(pr.number).merged
        return took
    finally:
        gh.close()
        sim.stop()


def main() -> None:
    base = Path(tempfile.mkdtemp(prefix="sim-speed-"))
    scenario(base / "warm")
    times = [scenario(base / f"run{i}") for i in range(5)]
    print(
        f"fork + PR + merge: median {statistics.median(times) * 1000:.0f} ms, best {min(times) * 1000:.0f} ms "
        "(target: well under 1 s)"
    )
    began = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        parallel = list(pool.map(scenario, [base / f"par{i}" for i in range(4)]))
    print(
        f"4 simulators at once: each {statistics.median(parallel) * 1000:.0f} ms (median), "
        f"all done in {(time.perf_counter() - began) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
