"""Fixtures for the signing page's tests: the demo world with undersigned holding the App's OAuth client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.github_sim import Demo, Simulator, seed_demo
from tests.service import Service, settings_for

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
