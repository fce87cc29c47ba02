"""Several processes on one Redis: two worker processes share one queue and one landing lock."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.landing_support import REPO, assert_landed_exactly_once, burst
from tests.github_sim import Simulator, seed_demo
from tests.service import Service, settings_for, wait_until


def test_two_worker_processes_on_one_redis_land_fifty_exactly_once(
    sim: Simulator, tmp_path: Path, redis_url: str
) -> None:
    demo = seed_demo(sim.world, signers=0, webhook_secret="e2e-webhook-secret")
    settings = settings_for(sim, demo, tmp_path / "data", redis_url=redis_url, workers=0)
    service = Service(settings).start()  # intake only: the workers are other processes
    demo.app.webhook_url = service.url
    key = tmp_path / "app.pem"
    key.write_text(demo.private_key)
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNDERSIGNED_")}
    env.update(
        UNDERSIGNED_APP_ID=str(demo.app.id),
        UNDERSIGNED_PRIVATE_KEY_PATH=str(key),
        UNDERSIGNED_WEBHOOK_SECRET="e2e-webhook-secret",
        UNDERSIGNED_GITHUB_API_URL=sim.base_url,
        UNDERSIGNED_REDIS_URL=redis_url,
        UNDERSIGNED_MUTATION_INTERVAL="0",
        UNDERSIGNED_RETRY_BACKOFF="0.05",
        UNDERSIGNED_CONFIG_TTL="0",
        UNDERSIGNED_LOG_LEVEL="WARNING",
    )
    workers = [
        subprocess.Popen([sys.executable, "-m", "app.cli", "worker", "--threads", "3"], env=env, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    try:
        initial = sim.world.repo(REPO).git.ref("refs/heads/main")
        assert initial is not None
        numbers = burst(sim, 50)
        assert sim.webhooks.wait(60)
        wait_until(
            lambda: all(sim.world.pull(sim.world.repo(REPO), n).merged for n in numbers), 180, "every PR to land"
        )
        assert_landed_exactly_once(sim, numbers, initial)
        landers = {c.actor for c in sim.faults.log if c.method == "PATCH" and "/git/refs/" in c.path}
        assert landers <= {f"installation:{demo.installation.id}"}
    finally:
        for proc in workers:
            proc.terminate()
        for proc in workers:
            proc.wait(20)
            assert proc.stderr is not None
            proc.stderr.close()
        service.stop()
