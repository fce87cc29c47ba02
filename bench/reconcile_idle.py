"""The cost of an idle reconciliation pass over a repo with 1,000 open PRs, every head already judged.

Run: python -m bench.reconcile_idle [--prs 1000]
Prints the requests of a first pass (nothing cached) and of the next (conditional: 304s, which GitHub does not
count against the rate limit), and the rate limit each one used.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from pathlib import Path

from app.jobs.job import Job
from app.jobs.store import Keys
from app.runtime import Runtime
from app.worker.reconcile import reconcile
from tests.github_sim import person, seed_demo, start
from tests.service import settings_for


def main(prs: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="reconcile-"))
    sim = start(root / "sim")
    try:
        demo = seed_demo(sim.world, signers=0, webhook_secret="bench")
        repo = demo.repo
        maintainer = person(sim, "maintainer")
        maintainer.branch(repo.full_name, "sign")
        text, _ = maintainer.read(repo.full_name, "README.md")
        maintainer.write(repo.full_name, "README.md", text + "-  Someone [@x](https://github.com/x)\n", "sign")
        user = sim.world.user("maintainer")
        made = time.monotonic()
        pulls = [sim.world.open_pull(repo, user, "sign", "main", f"Sign {i}", None) for i in range(prs)]
        print(f"{prs} open PRs made in {time.monotonic() - made:.1f} s")
        runtime = Runtime(settings_for(sim, demo, root / "data", workers=0, config_ttl=0))
        assert runtime.dispatcher is not None
        for pr in pulls:  # as if each head had its verdict already
            runtime.queue.store.put(Keys.check_digest(repo.full_name, pr.head_sha), "judged")
        ctx = runtime.dispatcher.context(Job("reconcile", demo.installation.id, repo.full_name))
        for label in ("first pass (nothing cached)", "idle pass", "idle pass"):
            before = len(sim.faults.log)
            began = time.perf_counter()
            reconcile(ctx)
            took = time.perf_counter() - began
            calls = [c for c in sim.faults.log[before:] if c.actor.startswith("installation:")]
            statuses = Counter(c.status for c in calls)
            counted = sum(n for s, n in statuses.items() if s != 304)
            print(
                f"{label}: {len(calls)} requests ({dict(sorted(statuses.items()))}), "
                f"rate limit used: {counted}, {took * 1000:.0f} ms, queued: {runtime.queue.pending()} jobs"
            )
        runtime.queue.close()
    finally:
        sim.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prs", type=int, default=1000)
    main(parser.parse_args().prs)
