"""End-to-end fixtures: a Redis server of the test's own, and the signing page's world."""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.github_sim import Demo, Simulator, seed_demo
from tests.service import Service, settings_for, wait_until

World = tuple[Simulator, Demo, Service]


@pytest.fixture
def signing_world(sim: Simulator, tmp_path: Path) -> Iterator[World]:
    """The demo world (its letter enables the page) with undersigned holding the App's OAuth client."""
    world = seed_demo(sim.world, signers=4, webhook_url=None, webhook_secret="e2e-webhook-secret")
    client_id, client_secret = sim.oauth.credentials(world.app)
    settings = settings_for(sim, world, tmp_path / "data", client_id=client_id, client_secret=client_secret)
    service = Service(settings).start()
    world.app.webhook_url = service.url
    yield sim, world, service
    service.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), 0.2).close()
        return True
    except OSError:
        return False


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is not installed: `make deps` installs it from Debian's packages")
    port = _free_port()
    proc = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: _answers(port), 10, "redis to listen")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)
