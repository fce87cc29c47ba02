"""Intake under abuse (issue 18): slow clients, unverified bytes held at once, replays under fresh GUIDs."""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_reporting import sign
from tests.github_sim import Demo, Simulator, seed_demo, signature
from tests.service import SECRET, Service, settings_for, settle, wait_until

World = tuple[Simulator, Demo, Service]


@pytest.fixture
def bounded(sim: Simulator, tmp_path: Path) -> Iterator[World]:
    """The service with a short read deadline and small caps, so abuse shows in seconds."""
    demo = seed_demo(sim.world, signers=2, webhook_url=None, webhook_secret=SECRET)
    settings = settings_for(
        sim, demo, tmp_path / "data", intake_read_seconds=2, intake_reading=8, intake_held_bytes=1_000_000
    )
    service = Service(settings).start()
    demo.app.webhook_url = service.url
    yield sim, demo, service
    service.stop()


def slow_start(service: Service, length: int) -> socket.socket:
    """A delivery whose headers arrive, and then one byte of its body (then nothing)."""
    sock = socket.create_connection(("127.0.0.1", service.http.port))
    head = (
        f"POST {service.settings.webhook_path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-GitHub-Event: push\r\n"
        f"X-GitHub-Delivery: {uuid.uuid4()}\r\nContent-Length: {length}\r\n\r\n{{"
    )
    sock.sendall(head.encode())
    return sock


def answer_of(sock: socket.socket, timeout: float) -> bytes:
    """Everything the server sends until it closes the connection (b"" read), within `timeout` seconds."""
    sock.settimeout(timeout)
    got = b""
    try:
        while chunk := sock.recv(4096):
            got += chunk
    except TimeoutError:
        raise AssertionError(f"still held open after {timeout} s: {got!r}") from None
    finally:
        sock.close()
    return got


def test_slow_clients_are_let_go(bounded: World) -> None:
    _, _, service = bounded
    socks = [slow_start(service, 1000) for _ in range(100)]
    started = time.monotonic()
    answers = [answer_of(sock, 30) for sock in socks]  # the read deadline is 2 s; GitHub gives up after 10
    assert time.monotonic() - started < 30
    statuses = {a.split(b" ", 2)[1] for a in answers}
    assert statuses <= {b"408", b"503"} and b"408" in statuses, statuses
    assert service.runtime.intake.unfed == 0 and service.app.intake_route is not None
    assert service.app.intake_route[1].held == 0 and service.app.intake_route[1].reading == 0
    assert httpx.get(service.base + "/healthz").status_code == 200


def test_unverified_bytes_held_at_once_are_capped(bounded: World) -> None:
    _, _, service = bounded
    first = slow_start(service, 900_000)  # holds 900 KB of the 1 MB cap until its deadline
    time.sleep(0.3)
    second = slow_start(service, 900_000)
    assert answer_of(second, 5).startswith(b"HTTP/1.1 503")  # turned away at once, before its body
    assert answer_of(first, 30).startswith(b"HTTP/1.1 408")
    small = httpx.post(service.url, content=b"{}", headers={"X-GitHub-Event": "ping", "X-GitHub-Delivery": "p1"})
    assert small.status_code == 401  # room again (and unsigned, so refused on its merits)


def test_bodies_read_at_once_are_capped(bounded: World) -> None:
    _, _, service = bounded
    held = [slow_start(service, 100) for _ in range(8)]
    time.sleep(0.3)
    assert answer_of(slow_start(service, 100), 5).startswith(b"HTTP/1.1 503")
    for sock in held:
        answer_of(sock, 30)


def test_a_replay_under_fresh_guids_is_not_queued_again(bounded: World) -> None:
    sim, _, service = bounded
    sign(sim, "ada", "Ada Lovelace")
    settle(sim, service)
    delivery = next(d for d in sim.webhooks.deliveries if d.event == "pull_request")
    calls = len(sim.faults.log)
    signed = signature(SECRET, delivery.body)
    for spelled in (
        signed,
        "sha256=" + signed[7:].upper(),
        "sha256=" + " ".join(signed[7:][i : i + 2] for i in range(0, 64, 2)),
    ):
        replay = httpx.post(
            service.url,
            content=delivery.body,
            headers={
                "X-GitHub-Event": "pull_request",
                "X-GitHub-Delivery": str(uuid.uuid4()),  # the HMAC does not cover the GUID
                "X-Hub-Signature-256": spelled,  # nor is its spelling the body's name
            },
        )
        assert replay.status_code == 202 and replay.json()["status"] == "duplicate", replay.text
    service.fed()
    wait_until(service.idle, 20, "the queue to drain")
    assert len(sim.faults.log) == calls  # not one GitHub call


def test_a_replay_after_a_restart_is_not_queued_again(sim: Simulator, tmp_path: Path) -> None:
    """The service's memory of recent deliveries is gone after a restart; the queue's is not."""
    demo = seed_demo(sim.world, signers=1, webhook_url=None, webhook_secret=SECRET)
    data = tmp_path / "data"
    first = Service(settings_for(sim, demo, data)).start()
    demo.app.webhook_url = first.url
    sign(sim, "ada", "Ada Lovelace")
    settle(sim, first)
    first.stop()
    delivery = next(d for d in sim.webhooks.deliveries if d.event == "pull_request")
    second = Service(settings_for(sim, demo, data)).start()
    try:
        wait_until(second.idle, 20, "the start-up reconciliation")
        calls = len(sim.faults.log)
        headers = {
            "X-GitHub-Event": "pull_request",
            "X-GitHub-Delivery": str(uuid.uuid4()),
            "X-Hub-Signature-256": signature(SECRET, delivery.body),
        }
        assert httpx.post(second.url, content=delivery.body, headers=headers).status_code == 202
        second.fed()
        wait_until(second.idle, 20, "the queue to drain")
        assert len(sim.faults.log) == calls
    finally:
        second.stop()


def test_slow_form_posts_are_let_go_too(bounded: World) -> None:
    _, _, service = bounded
    for path in ("/sign/maintainer/microsoft-drop-ice",):  # a form the signing page reads
        sock = socket.create_connection(("127.0.0.1", service.http.port))
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            "Content-Length: 1000\r\n\r\nstate="
        )
        sock.sendall(head.encode())
        answer = answer_of(sock, 30)  # the deadline is 2 s
        assert answer.startswith((b"HTTP/1.1 408", b"HTTP/1.1 503")), (path, answer[:100])
