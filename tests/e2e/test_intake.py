"""Webhook intake over real HTTP: signatures, bad input, dedup, durability, faults, start-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_reporting import bot_comments, post, pr_state, runs, sign
from tests.github_sim import Demo, Simulator, signature
from tests.service import Service, settings_for, settle, wait_until

World = tuple[Simulator, Demo, Service]
PAYLOAD = json.loads((Path(__file__).resolve().parent.parent / "payloads" / "pull_request.opened.json").read_text())


def test_signature_and_input_errors(app_world: World) -> None:
    _, _, service = app_world
    wait_until(service.idle, 20, "the start-up reconciliation to finish")
    body = json.dumps(PAYLOAD).encode()
    bad = httpx.post(
        service.url,
        content=body,
        headers={
            "X-GitHub-Event": "pull_request",
            "X-GitHub-Delivery": "d1",
            "X-Hub-Signature-256": "sha256=" + "0" * 64,
        },
    )
    assert bad.status_code == 401
    assert (
        httpx.post(
            service.url, content=body, headers={"X-GitHub-Event": "pull_request", "X-GitHub-Delivery": "d2"}
        ).status_code
        == 401
    )
    assert post(service, "pull_request", PAYLOAD, secret="wrong").status_code == 401
    assert service.runtime.queue.pending() == 0 and service.runtime.queue.seen("d1") is False
    assert post(service, "", PAYLOAD).status_code == 400
    junk = b"{not json"
    headers = {
        "X-GitHub-Event": "pull_request",
        "X-GitHub-Delivery": "d3",
        "X-Hub-Signature-256": signature("e2e-webhook-secret", junk),
    }
    malformed = httpx.post(service.url, content=junk, headers=headers)
    assert malformed.status_code == 400 and "JSON" in malformed.json()["error"]
    assert post(service, "ping", {"zen": "Keep it logically awesome."}).status_code == 200
    ignored = post(service, "star", {"action": "created"})
    assert ignored.status_code == 202 and ignored.json()["status"] == "ignored"
    huge = httpx.post(service.url, content=b"x" * (25 * 1024 * 1024 + 1), headers={"X-GitHub-Event": "push"})
    assert huge.status_code == 413
    assert httpx.get(service.base + "/healthz").json() == {"status": "ok"}
    assert httpx.get(service.base + "/readyz").status_code == 200
    assert "undersigned_webhooks_total" in httpx.get(service.base + "/metrics").text


def test_replayed_delivery_does_no_second_piece_of_work(app_world: World) -> None:
    sim, _, service = app_world
    number = sign(sim, "ada", "Ada Lovelace")
    settle(sim, service)
    delivery = next(d for d in sim.webhooks.deliveries if d.event == "pull_request")
    calls = len(sim.faults.log)
    for _ in range(3):
        replay = httpx.post(
            service.url,
            content=delivery.body,
            headers={
                "X-GitHub-Event": "pull_request",
                "X-GitHub-Delivery": delivery.guid,
                "X-Hub-Signature-256": signature("e2e-webhook-secret", delivery.body),
            },
        )
        assert replay.status_code == 202 and replay.json()["status"] == "duplicate"
    settle(sim, service)
    assert len(sim.faults.log) == calls  # not one GitHub call
    # A new delivery for the same PR (say a redelivered event with a new id) is harmless too:
    assert post(service, "pull_request", json.loads(delivery.body)).status_code == 202
    settle(sim, service)
    writes = [
        (c.method, c.path.rsplit("/", 1)[-1]) for c in sim.faults.calls(actor="installation:") if c.method != "GET"
    ]
    # Evaluated and landed once, whatever came again. (Issue 18: the landing is our own merge commit, no
    # longer GitHub's merge endpoint: a tree, a commit and the branch moved, once. Issue 22: and the signer
    # thanked, once.)
    assert writes == [("POST", "trees"), ("POST", "commits"), ("PATCH", "main"), ("POST", "comments")]
    assert pr_state(sim, number).merged and runs(sim, pr_state(sim, number).head_sha) == []  # merged: no check


def test_a_job_accepted_before_a_restart_runs_after_it(sim: Simulator, tmp_path: Path) -> None:
    from tests.github_sim import seed_demo

    demo = seed_demo(sim.world, signers=1, webhook_url=None, webhook_secret="e2e-webhook-secret")
    data = tmp_path / "data"
    first = Service(settings_for(sim, demo, data, workers=0)).start()  # accepts, never processes
    demo.app.webhook_url = first.url
    number = sign(sim, "ada", "Ada Lovelace")
    assert sim.webhooks.wait()
    first.fed()
    assert first.runtime.queue.pending() == 1
    first.stop()
    assert runs(sim, pr_state(sim, number).head_sha) == []
    second = Service(settings_for(sim, demo, data)).start()
    try:
        settle(sim, second)
        assert pr_state(sim, number).merged  # evaluated and landed after the restart (merged: no check run)
    finally:
        second.stop()


@pytest.mark.parametrize(
    ("kind", "extra"),
    [("error", {"status": 502}), ("secondary", {"retry_after": 1}), ("primary", {"reset_in": 1})],
)
def test_github_faults_during_evaluation_end_in_the_right_report(
    app_world: World, kind: str, extra: dict[str, int]
) -> None:
    sim, _, service = app_world
    # The PR comes with its webhook (issue 21): evaluation's first read is the compare.
    sim.faults.add(kind, r"^GET /repos/[^/]+/[^/]+/compare/", times=1, **extra)  # type: ignore[arg-type]
    sim.faults.add(kind, r"^POST /repos/[^/]+/[^/]+/check-runs$", times=1, **extra)  # type: ignore[arg-type]
    number = sign(sim, "grace", "Grace Hopper", as_login="ada")
    settle(sim, service, timeout=60)
    [run] = runs(sim, pr_state(sim, number).head_sha)
    assert run.conclusion == "failure" and "author-mismatch" in run.output["summary"]
    assert len(bot_comments(sim, number)) == 1
    statuses = [c.status for c in sim.faults.calls(path=r"/compare/", actor="installation:")]
    assert statuses[0] in (403, 502) and 200 in statuses


def test_an_app_without_a_webhook_secret_refuses_to_start(tmp_path: Path) -> None:
    # With no App at all, the service starts for its setup page (tests/e2e/test_setup.py); with an App ID
    # but no secret, it would have to accept unsigned webhooks, so it does not start.
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNDERSIGNED_")}
    env["UNDERSIGNED_DATA_DIR"] = str(tmp_path)
    env["UNDERSIGNED_APP_ID"] = "12"
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "serve", "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path.parent if False else None,
    )
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "UNDERSIGNED_WEBHOOK_SECRET is not set" in done.stderr


def test_without_app_credentials_it_starts_and_says_what_to_set(tmp_path: Path) -> None:
    from pydantic import SecretStr

    from app.settings import Settings

    service = Service(Settings(webhook_secret=SecretStr("s"), data_dir=tmp_path)).start()
    try:
        page = httpx.get(service.base + "/").text
        assert "UNDERSIGNED_APP_ID" in page and "UNDERSIGNED_PRIVATE_KEY" in page
        assert httpx.get(service.base + "/readyz").status_code == 503
    finally:
        service.stop()


def test_secrets_never_reach_a_log_line(app_world: World, capfd: pytest.CaptureFixture[str]) -> None:
    import logging

    from app import logs

    sim, demo, service = app_world
    logs.setup("DEBUG")  # the service's own logging, as `serve` sets it up
    try:
        sign(sim, "ada", "Ada Lovelace")
        settle(sim, service)
        logging.getLogger("undersigned.test").info("key %s secret %s", demo.private_key, "e2e-webhook-secret")
        time.sleep(0.1)
    finally:
        logging.getLogger().handlers.clear()
    err = capfd.readouterr().err
    assert "decision" in err
    assert "e2e-webhook-secret" not in err and "PRIVATE KEY" not in err and "ghs_" not in err


def test_a_bad_setting_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNDERSIGNED_")}
    env.update(UNDERSIGNED_APP_ID="twelve", UNDERSIGNED_WEBHOOK_SECRET="s", UNDERSIGNED_DATA_DIR=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "serve"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.startswith("undersigned: UNDERSIGNED_APP_ID: ") and "Traceback" not in done.stderr


def test_a_delivery_answered_2xx_survives_kill_9_one_millisecond_later(sim: Simulator, tmp_path: Path) -> None:
    import http.client

    from app.jobs.sqlite_backend import SqliteBackend
    from tests.e2e.processes import Proc
    from tests.github_sim import seed_demo

    demo = seed_demo(sim.world, signers=0, webhook_secret="e2e-webhook-secret")
    service = Proc(sim, demo, tmp_path / "data", UNDERSIGNED_WORKERS="0")
    numbers = list(range(101, 106))
    try:
        for number in numbers:
            service.start()
            body = json.dumps({**PAYLOAD, "number": number}).encode()
            headers = {
                "X-GitHub-Event": "pull_request",
                "X-GitHub-Delivery": str(uuid.uuid4()),
                "X-Hub-Signature-256": signature("e2e-webhook-secret", body),
            }
            conn = http.client.HTTPConnection("127.0.0.1", service.port)
            conn.request("POST", "/webhooks", body, headers)
            assert conn.getresponse().status == 202
            time.sleep(0.001)
            service.kill9()
            conn.close()
        service.start()  # replays what the kills left in the intake log
    finally:
        service.stop()
    backend = SqliteBackend(tmp_path / "data" / "queue.db")
    try:
        repo = PAYLOAD["repository"]["full_name"].lower()
        assert all(backend.queued(f"evaluate:{repo}:{n}") for n in numbers)
    finally:
        backend.close()
