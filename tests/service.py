"""Run undersigned in-process over real HTTP, pointed at the simulator, for end-to-end tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from app.runtime import Runtime
from app.settings import Settings
from app.web.factory import create_app
from tests.github_sim import Demo, Simulator
from tests.github_sim.serving import ServerThread

SECRET = "e2e-webhook-secret"


def settings_for(sim: Simulator, demo: Demo, data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "app_id": demo.app.id,
        "private_key": SecretStr(demo.private_key),
        "webhook_secret": SecretStr(SECRET),
        "github_api_url": sim.base_url,
        "data_dir": data_dir,
        "workers": 2,
        "mutation_interval": 0.0,
        "content_per_hour": 0,  # unpaced and without a content budget (the launch-day drill keeps both)
        "landing_gap": 0,  # and each landing as soon as it can
        "retry_backoff": 0.05,
        "secondary_rate_wait": 1,
        "config_ttl": 0,
        "http_timeout": 10,
        # The service's default reads a burst in GraphQL batches; these tests were written against its REST reads
        # (faults on the compare, counts of requests), so they keep them. tests/e2e/test_graphql_burst.py and
        # tests/test_graphql_batch.py drive the batches.
        "graphql_reads": False,
    }
    values.update(overrides)
    return Settings(**values)


class Service:
    """undersigned on a free port; `url` is its webhook URL."""

    def __init__(self, settings: Settings, port: int = 0) -> None:
        self.settings = settings
        self.runtime = Runtime(settings)
        self.app = create_app(settings, self.runtime)
        self.http = ServerThread(self.app, port=port, lifespan="on")
        self.base = f"http://127.0.0.1:{self.http.port}"
        self.url = f"{self.base}{settings.webhook_path}"

    def start(self) -> Service:
        self.http.start()
        return self

    def stop(self) -> None:
        self.http.stop()
        self.runtime.queue.close()

    def idle(self) -> bool:
        return self.runtime.queue.idle()

    def fed(self) -> None:
        """Wait until every delivery answered so far is on the job queue (the intake feeds it a moment later)."""
        wait_until(lambda: self.runtime.intake.unfed == 0, 10, "the intake to feed the queue")


def wait_until(condition: Callable[[], bool], timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def settle(sim: Simulator, service: Service, timeout: float = 30.0) -> None:
    """Wait until every webhook is delivered and every job is done (twice: jobs cause events)."""
    for _ in range(3):
        assert sim.webhooks.wait(timeout)
        wait_until(service.idle, timeout, "the job queue to drain")
        time.sleep(0.05)
