"""Hostile input: whatever a signed payload holds, never a 5xx; unsigned input never makes a job; a job that
cannot succeed is dropped after one try with one log line."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import logs
from app.jobs.job import Job
from tests.github_sim import Demo, Simulator, seed_demo
from tests.service import SECRET, Service, settings_for, wait_until

PAYLOADS = Path(__file__).resolve().parent.parent / "payloads"
SAMPLES = {p.stem: json.loads(p.read_text()) for p in sorted(PAYLOADS.glob("*.json"))}


@pytest.fixture
def intake_only(sim: Simulator, tmp_path: Path) -> Iterator[tuple[Service, httpx.Client]]:
    demo = seed_demo(sim.world, signers=0, webhook_secret=SECRET)
    service = Service(settings_for(sim, demo, tmp_path / "data", workers=0)).start()
    with httpx.Client(timeout=30) as client:
        yield service, client
    service.stop()


def _signed(body: bytes, event: str, secret: str = SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-GitHub-Event": event, "X-GitHub-Delivery": str(uuid.uuid4()), "X-Hub-Signature-256": f"sha256={digest}"}


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.sampled_from([0, -1, 2**31, 2**63, 10**400])
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def _paths(value: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield at
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*at, index))


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    """A stored payload with a few of its parts (fields the handlers read among them) replaced or removed."""
    name = draw(st.sampled_from(sorted(SAMPLES)))
    payload = json.loads(json.dumps(SAMPLES[name]))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(payload) if p]
        path = draw(st.sampled_from(paths))
        parent = payload
        for step in path[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(json_values)
        if not isinstance(payload, dict) or not payload:
            break
    return name.split(".")[0], json.dumps(payload).encode()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=mutated())
def test_no_signed_payload_gets_a_5xx(intake_only: tuple[Service, httpx.Client], case: tuple[str, bytes]) -> None:
    service, client = intake_only
    event, body = case
    answer = client.post(service.url, content=body, headers=_signed(body, event))
    assert answer.status_code < 500, answer.text
    assert answer.status_code in (202, 400), answer.text


def test_hostile_fixed_cases(intake_only: tuple[Service, httpx.Client]) -> None:
    service, client = intake_only
    queue = service.runtime.queue
    body = json.dumps(SAMPLES["pull_request.opened"]).encode()
    unsigned = {"X-GitHub-Event": "pull_request", "X-GitHub-Delivery": str(uuid.uuid4())}
    assert client.post(service.url, content=body, headers=unsigned).status_code == 401
    sha1 = "sha1=" + hmac.new(SECRET.encode(), body, hashlib.sha1).hexdigest()
    assert client.post(service.url, content=body, headers={**unsigned, "X-Hub-Signature": sha1}).status_code == 401
    wrong = _signed(body, "pull_request", secret="not-the-secret")
    assert client.post(service.url, content=body, headers=wrong).status_code == 401
    huge = b'{"a": "' + b"x" * (26 * 1024 * 1024) + b'"}'
    assert client.post(service.url, content=huge, headers=_signed(huge, "pull_request")).status_code == 413
    assert queue.pending() == 0  # nothing unsigned made a job
    deep = b"[" * 100_000 + b"]" * 100_000
    assert client.post(service.url, content=deep, headers=_signed(deep, "pull_request")).status_code == 400
    deep_object = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
    assert client.post(service.url, content=deep_object, headers=_signed(deep_object, "issues")).status_code == 202
    assert (
        client.post(service.url, content=deep_object, headers=_signed(deep_object, "pull_request")).status_code == 400
    )
    for number in (10**400, -1, 0, "1", 1.5, None, [1]):
        payload = {**SAMPLES["pull_request.opened"], "number": number}
        raw = json.dumps(payload).encode()
        assert client.post(service.url, content=raw, headers=_signed(raw, "pull_request")).status_code == 400
    giant_int = b'{"action": "opened", "number": 1' + b"0" * 5000 + b"}"
    assert client.post(service.url, content=giant_int, headers=_signed(giant_int, "pull_request")).status_code == 400
    not_utf8 = b'{"action": "opened", "x": "\xff\xfe"}'
    assert client.post(service.url, content=not_utf8, headers=_signed(not_utf8, "pull_request")).status_code == 400
    for event, field, value in [
        ("check_run", "check_run", ["not", "an", "object"]),
        ("installation", "repositories", [{"full_name": 5}]),
        ("issue_comment", "comment", {"body": {"text": "/recheck"}}),
        ("pull_request", "action", ["opened"]),
        ("pull_request", "repository", {"full_name": "../../etc/passwd"}),
    ]:
        name = next(k for k in SAMPLES if k.startswith(event + "."))
        raw = json.dumps({**SAMPLES[name], field: value}).encode()
        answer = client.post(service.url, content=raw, headers=_signed(raw, event))
        assert answer.status_code in (202, 400), (event, answer.text)
    assert queue.pending() == 0  # and no bad payload made one either


def test_a_job_that_cannot_succeed_is_dropped_with_one_line(
    sim: Simulator, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    demo: Demo = seed_demo(sim.world, signers=0, webhook_secret=SECRET)
    service = Service(settings_for(sim, demo, tmp_path / "data")).start()
    logs.setup("INFO")
    try:
        wait_until(service.idle, 20, "start-up passes")
        capfd.readouterr()
        inst = demo.installation.id
        service.runtime.queue.enqueue(Job("evaluate", inst, "maintainer/microsoft-drop-ice", 2**31 - 1))
        service.runtime.queue.enqueue(Job("scan", inst, "nobody/no-such-repo"))
        wait_until(service.idle, 20, "the jobs to be dropped")
        time.sleep(0.1)
    finally:
        logging.getLogger().handlers.clear()
        service.stop()
    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines() if line.startswith("{")]
    dropped = [line for line in lines if line["event"] == "job dropped"]
    assert len(dropped) == 2 and all("404" in line["reason"] for line in dropped)
    assert not [line for line in lines if line["level"] == "error" or "error" in line]
    assert all(line["ts"].endswith("Z") and "T" in line["ts"] for line in lines)
