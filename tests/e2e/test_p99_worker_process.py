"""`undersigned serve` runs its job workers in a child process (issue 18: evaluation never holds the GIL the
webhook intake needs): the jobs run there, its counters show on serve's /metrics, and it never outlives serve,
whether serve stops (SIGTERM) or dies (kill -9)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx

from app.jobs.sqlite_backend import SqliteBackend
from app.jobs.workers import roster
from tests.e2e.landing_support import burst
from tests.e2e.processes import Proc
from tests.github_sim import Simulator, seed_demo
from tests.service import wait_until


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"  # exited; its parent (serve, or init once serve is gone) has yet to reap it


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return 0  # gone


def _worker_pid(data: Path) -> int:
    beats = roster(SqliteBackend(data / "queue.db"))
    assert len(beats) == 1, beats
    return int(beats[0].process.split(":")[1])


def _counter(base: str, name: str, labels: str) -> float:
    text = httpx.get(base + "/metrics", timeout=10).text
    found = [line for line in text.splitlines() if line.startswith(f"{name}{{{labels}}} ")]
    assert len(found) == 1, [line for line in text.splitlines() if line.startswith(name)]
    return float(found[0].split()[1])


def test_serve_runs_its_jobs_in_a_child_process_that_never_outlives_it(sim: Simulator, tmp_path: Path) -> None:
    demo = seed_demo(sim.world, signers=0, webhook_secret="e2e-webhook-secret")
    service = Proc(sim, demo, tmp_path / "data").start()
    demo.app.webhook_url = service.url
    assert service.proc is not None
    base = service.url.removesuffix("/webhooks")
    try:
        wait_until(lambda: len(roster(SqliteBackend(tmp_path / "data" / "queue.db"))) == 1, 30, "a worker's beat")
        child = _worker_pid(tmp_path / "data")
        assert child != service.proc.pid and _parent(child) == service.proc.pid

        [number] = burst(sim, 1)
        repo = sim.world.repo("maintainer/microsoft-drop-ice")
        wait_until(lambda: sim.world.pull(repo, number).merged, 60, "the signature to land")
        # Counted in the child, shown by serve (prometheus_client's multiprocess files).
        assert _counter(base, "undersigned_jobs_done_total", 'outcome="ok"') >= 1
        assert _counter(base, "undersigned_webhooks_total", 'outcome="accepted"') >= 1  # serve's own, still there

        service.stop()  # SIGTERM: serve stops its worker process (running jobs finish), then exits
        assert _gone(child)
        assert roster(SqliteBackend(tmp_path / "data" / "queue.db")) == []  # stopped: off the roster at once

        service.start()
        wait_until(lambda: len(roster(SqliteBackend(tmp_path / "data" / "queue.db"))) == 1, 30, "a worker's beat")
        child = _worker_pid(tmp_path / "data")
        assert child != service.proc.pid
        service.kill9()  # its worker process sees its stdin end, finishes what it runs, and exits
        wait_until(lambda: _gone(child), 30, "the worker process to exit after serve's kill -9")
    finally:
        service.stop()


def test_a_worker_process_that_dies_is_replaced(sim: Simulator, tmp_path: Path) -> None:
    demo = seed_demo(sim.world, signers=0, webhook_secret="e2e-webhook-secret")
    service = Proc(sim, demo, tmp_path / "data").start()
    demo.app.webhook_url = service.url
    assert service.proc is not None
    serve_pid, queue = service.proc.pid, tmp_path / "data" / "queue.db"
    try:
        wait_until(lambda: len(roster(SqliteBackend(queue))) == 1, 30, "a worker's beat")
        first = _worker_pid(tmp_path / "data")
        os.kill(first, signal.SIGKILL)

        def replaced() -> bool:
            pids = {int(b.process.split(":")[1]) for b in roster(SqliteBackend(queue))}
            return any(pid != first and not _gone(pid) and _parent(pid) == serve_pid for pid in pids)

        wait_until(replaced, 60, "serve to start another worker process")
        [number] = burst(sim, 1)  # and the new one runs the jobs
        repo = sim.world.repo("maintainer/microsoft-drop-ice")
        wait_until(lambda: sim.world.pull(repo, number).merged, 60, "the signature to land")
    finally:
        service.stop()
