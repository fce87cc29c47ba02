"""Workers' health: each process that runs jobs beats on a roster in the shared queue; /readyz and /metrics
of any serve report it, and `undersigned worker --alive` is a worker container's health check."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr, ValidationError

from app.jobs.sqlite_backend import SqliteBackend
from app.jobs.workers import beat, roster
from app.runtime import NO_WORKER
from app.settings import Settings
from tests.e2e.processes import Proc, free_port
from tests.github_sim import Simulator, seed_demo
from tests.service import Service, settings_for, wait_until


def _alive(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "app.cli", "worker", "--alive"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)


def _workers(service: Service) -> dict[str, Any]:
    answer = httpx.get(service.base + "/readyz", timeout=10)
    assert answer.status_code == 200, answer.text  # workers or none, this serve takes deliveries
    body: dict[str, Any] = answer.json()
    assert isinstance(body["workers"], dict)
    return body


def _gauge(service: Service) -> float:
    text = httpx.get(service.base + "/metrics", timeout=10).text
    [line] = [x for x in text.splitlines() if x.startswith("undersigned_workers_alive ")]
    return float(line.split()[1])


def test_a_worker_process_on_redis_is_reported_alive_then_lapses_after_kill_9(
    sim: Simulator, tmp_path: Path, redis_url: str
) -> None:
    demo = seed_demo(sim.world, signers=0, webhook_secret="e2e-webhook-secret")
    serve = Service(settings_for(sim, demo, tmp_path / "data", redis_url=redis_url, workers=0)).start()
    worker = Proc(sim, demo, tmp_path / "w", "worker", UNDERSIGNED_REDIS_URL=redis_url)  # job lease 4 s
    worker.data.mkdir()
    try:
        body = _workers(serve)
        assert body["workers"] == {"alive": 0, "processes": []}
        assert body["warnings"] == [NO_WORKER]
        assert _alive(worker.env).returncode == 1  # nothing on this host beats yet

        worker.start()
        wait_until(lambda: _workers(serve)["workers"]["alive"] == 1, 30, "the worker's first beat")
        body = _workers(serve)
        [process] = body["workers"]["processes"]
        assert process["threads"] == 3 and process["seconds_ago"] < 4
        assert worker.proc is not None and process["process"].split(":")[1] == str(worker.proc.pid)
        assert "warnings" not in body
        assert _gauge(serve) == 1
        done = _alive(worker.env)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("alive: ")

        worker.kill9()
        killed = time.monotonic()
        wait_until(lambda: _workers(serve)["workers"]["alive"] == 0, 10, "the dead worker to drop off")
        assert time.monotonic() - killed <= 4 + 1  # one job lease, and a beat's rounding
        assert _workers(serve)["warnings"] == [NO_WORKER]
        assert _gauge(serve) == 0
        done = _alive(worker.env)
        assert done.returncode == 1
        assert done.stderr.startswith("undersigned: no worker process on ") and done.stderr.count("\n") == 1
    finally:
        worker.stop()
        serve.stop()


def test_a_worker_that_stops_leaves_the_roster_at_once(sim: Simulator, tmp_path: Path, redis_url: str) -> None:
    demo = seed_demo(sim.world, signers=0, webhook_secret="e2e-webhook-secret")
    serve = Service(settings_for(sim, demo, tmp_path / "data", redis_url=redis_url, workers=0)).start()
    worker = Proc(sim, demo, tmp_path / "w", "worker", UNDERSIGNED_REDIS_URL=redis_url, UNDERSIGNED_JOB_LEASE="60")
    worker.data.mkdir()
    try:
        worker.start()
        wait_until(lambda: _workers(serve)["workers"]["alive"] == 1, 30, "the worker's first beat")
        worker.stop()  # SIGTERM: its beat would last a minute, but it takes itself off
        assert _workers(serve)["workers"]["alive"] == 0
    finally:
        worker.stop()
        serve.stop()


def test_in_process_workers_are_on_the_roster_on_sqlite(sim: Simulator, tmp_path: Path) -> None:
    demo = seed_demo(sim.world, signers=0, webhook_secret="e2e-webhook-secret")
    service = Service(settings_for(sim, demo, tmp_path / "data", workers=2)).start()
    try:
        wait_until(lambda: service.runtime.queue.warm.is_set(), 30, "the start-up passes")
        [process] = _workers(service)["workers"]["processes"]
        assert process["threads"] == 2
        assert _gauge(service) == 1
    finally:
        service.stop()
    assert roster(SqliteBackend(tmp_path / "data" / "queue.db")) == []  # stopped: off the roster


def test_a_lapsed_beat_is_gone_and_a_foreign_one_ignored(tmp_path: Path) -> None:
    backend = SqliteBackend(tmp_path / "q.db")
    beat(backend, "host:1:a", threads=2, running=0, lease=0.2)
    backend.beat("host:2:b", "not json", 60)
    assert [b.process for b in roster(backend)] == ["host:1:a"]
    time.sleep(0.3)
    assert roster(backend) == []


def test_secrets_from_files(tmp_path: Path) -> None:
    secret, client = tmp_path / "webhook_secret", tmp_path / "client_secret"
    secret.write_text("s3cret\n")  # as `echo s3cret > file` writes it
    client.write_text("c1ient")
    settings = Settings(data_dir=tmp_path, webhook_secret_path=secret, client_secret_path=client)
    assert settings.webhook_secret == SecretStr("s3cret") and settings.client_secret == SecretStr("c1ient")
    assert Settings(data_dir=tmp_path, webhook_secret=SecretStr("env"), webhook_secret_path=secret).webhook_secret == (
        SecretStr("env")
    )
    secret.write_text("\n")
    with pytest.raises(ValidationError, match="is empty"):
        Settings(data_dir=tmp_path, webhook_secret_path=secret)
    with pytest.raises(ValidationError, match="file not found"):
        Settings(data_dir=tmp_path, webhook_secret_path=tmp_path / "nope")


def test_a_worker_process_serves_its_metrics(sim: Simulator, tmp_path: Path, redis_url: str) -> None:
    demo = seed_demo(sim.world, signers=0, webhook_secret="e2e-webhook-secret")
    env = Proc(sim, demo, tmp_path / "w", "worker", UNDERSIGNED_REDIS_URL=redis_url).env
    (tmp_path / "w").mkdir()
    port = free_port()
    command = [sys.executable, "-m", "app.cli", "worker", "--threads", "2", "--metrics-port", str(port)]
    proc = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)

    def gauge() -> float:
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
        return float(next(x for x in text.splitlines() if x.startswith("undersigned_workers_alive ")).split()[1])

    def alive() -> bool:
        try:
            return gauge() == 1
        except httpx.HTTPError:
            return False

    try:
        wait_until(alive, 30, "the worker's metrics to show itself alive")
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
        [depth] = [x for x in text.splitlines() if x.startswith("undersigned_queue_depth ")]
        assert float(depth.split()[1]) >= 0  # read from Redis at the scrape (its start-up passes queue jobs)
    finally:
        proc.terminate()
        proc.wait(30)


def test_a_worker_thread_outlives_the_store_failing_as_its_job_ends(tmp_path: Path) -> None:
    import redis

    from app.jobs.job import Job
    from app.jobs.queue import JobQueue

    ran: list[str] = []
    queue = JobQueue(Settings(data_dir=tmp_path, job_lease=1), lambda job: ran.append(job.repo))
    finish, failures = queue.backend.finish, [redis.ConnectionError("Redis restarting")]

    def flaky_finish(key: str, owner: str, gen: int) -> None:
        if failures:
            raise failures.pop()
        finish(key, owner, gen)

    queue.backend.finish = flaky_finish  # type: ignore[method-assign]
    queue.start_consumer(1)
    try:
        queue.enqueue(Job("evaluate", 1, "o/first", 1))
        wait_until(lambda: not failures, 10, "the store to fail once")
        queue.enqueue(Job("evaluate", 1, "o/second", 2))
        wait_until(lambda: "o/second" in ran, 10, "the same thread to run the next job")
        assert [t.is_alive() for t in queue.threads] == [True, True]  # the worker and the periodic thread
        assert [b.threads for b in roster(queue.backend)] == [1]
        wait_until(lambda: ran.count("o/first") == 2, 10, "the first job, whose end was not recorded, to run again")
    finally:
        queue.stop_consumer()
        queue.close()
