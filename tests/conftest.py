"""Shared fixtures: a running GitHub simulator with the demo world, and a webhook receiver."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.browser import browser_page  # noqa: F401  (the shared headless Chromium fixture)
from tests.github_sim import Demo, Limits, Simulator, seed_demo, start
from tests.github_sim.contract import assert_contract_kept


@dataclass
class Received:
    """Webhooks caught by the test receiver."""

    items: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def events(self) -> list[tuple[str, str | None]]:
        with self.lock:
            return [(h["x-github-event"], json.loads(b).get("action")) for h, b in self.items]


@pytest.fixture
def receiver() -> Iterator[tuple[str, Received]]:
    got = Received()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with got.lock:
                got.items.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(202)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/webhooks", got
    server.shutdown()
    server.server_close()


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[Simulator]:
    # The secondary limits are counted, not enforced: these tests run the service unpaced (mutation_interval
    # 0), which GitHub would limit. bench/launch_day.py and its drill enforce them all.
    simulator = start(tmp_path / "sim", validate=True, limits=Limits(secondary=False))
    yield simulator
    simulator.stop()
    assert_contract_kept(simulator)


@pytest.fixture
def demo(sim: Simulator, receiver: tuple[str, Received]) -> Demo:
    return seed_demo(sim.world, signers=3, webhook_url=receiver[0], webhook_secret="s3cret")


@pytest.fixture
def app_world(sim: Simulator, tmp_path: Path) -> Iterator[tuple[Simulator, Demo, Any]]:
    """The simulator's demo world with undersigned installed on it, running over real HTTP."""
    from tests.service import Service, settings_for

    world = seed_demo(sim.world, signers=4, webhook_url=None, webhook_secret="e2e-webhook-secret")
    service = Service(settings_for(sim, world, tmp_path / "data")).start()
    world.app.webhook_url = service.url
    yield sim, world, service
    service.stop()
