"""Every real example payload of the events undersigned hears (@octokit/webhooks-examples) gets through intake.

No example gives a 5xx, and each routes as intended: accepted when a handler wants it, ignored otherwise."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.contract.fetch_schemas import fetch, path
from tests.github_sim import Simulator, seed_demo, signature, start
from tests.service import SECRET, Service, settings_for

# The App's events (.github/app.yml), check_suite (sent to the App that owns a suite), and those every App gets.
EVENTS = [
    "pull_request",
    "issue_comment",
    "check_run",
    "check_suite",
    "installation",
    "installation_repositories",
    "github_app_authorization",
    "ping",
]
# What undersigned acts on (handlers/): a change to a PR, "/recheck", Re-run, and being installed.
HANDLED = {
    ("pull_request", "opened"),
    ("pull_request", "synchronize"),
    ("pull_request", "edited"),
    ("pull_request", "reopened"),
    ("issue_comment", "created"),
    ("check_run", "rerequested"),
    ("installation", "created"),
    ("installation", "new_permissions_accepted"),
    ("installation", "unsuspend"),
    ("installation_repositories", "added"),
}


def examples() -> list[tuple[str, int, dict[str, Any]]]:
    fetch()
    index = json.loads(path("@octokit/webhooks-examples", "api.github.com/index.json").read_bytes())
    return [(e["name"], i, p) for e in index if e["name"] in EVENTS for i, p in enumerate(e["examples"])]


EXAMPLES = examples()


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    root: Path = tmp_path_factory.mktemp("examples")
    sim: Simulator = start(root / "sim")
    demo = seed_demo(sim.world, signers=1)
    # No workers: this is about intake (verify, parse, route, enqueue), not the jobs the examples would start.
    svc = Service(settings_for(sim, demo, root / "data", workers=0)).start()
    yield svc
    svc.stop()
    sim.stop()


def test_the_examples_cover_every_event_we_hear() -> None:
    assert {name for name, _, _ in EXAMPLES} == set(EVENTS)
    assert len(EXAMPLES) >= 63


@pytest.mark.parametrize(("event", "index", "payload"), EXAMPLES, ids=[f"{e}-{i}" for e, i, _ in EXAMPLES])
def test_example_routes_as_intended(service: Service, event: str, index: int, payload: dict[str, Any]) -> None:
    body = json.dumps(payload).encode()
    headers = {
        "Content-Type": "application/json",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": str(uuid.uuid4()),
        "X-Hub-Signature-256": signature(SECRET, body),
    }
    answer = httpx.post(service.url, content=body, headers=headers, timeout=10)
    assert answer.status_code < 500, answer.text
    action = payload.get("action")
    if event == "ping":
        assert (answer.status_code, answer.json()["status"]) == (200, "pong")
    else:
        expected = "accepted" if (event, action) in HANDLED else "ignored"
        assert (answer.status_code, answer.json()["status"]) == (202, expected), (event, action, answer.text)
