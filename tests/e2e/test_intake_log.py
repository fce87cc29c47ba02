"""The intake log and its two child processes: a record is answered once durable and fed to the queue once;
nothing answered is lost when the syncer, the feeder or the service dies."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from app.jobs.intake_log import IntakeLog
from app.jobs.job import Job
from app.jobs.push import Pushed, backend_at
from app.jobs.segments import Record, segment_name


def record(n: int, delivery: str | None = None) -> Record:
    return Record(delivery or f"delivery-{n}", [Job("evaluate", 1, "o/r", n).dumps()])


def queued(data: Path) -> int:
    backend = backend_at(data, None)
    try:
        return backend.size()
    finally:
        backend.close()


async def until(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def run(data: Path, scenario: Callable[[IntakeLog], object]) -> list[Pushed]:
    """Start an intake log in `data`, play `scenario` (a coroutine function) on a loop, stop the log."""
    fed: list[Pushed] = []
    log = IntakeLog(data / "intake", data, None, fed.append)
    log.start()

    async def main() -> None:
        try:
            await scenario(log)  # type: ignore[misc]
            await until(lambda: log.unfed == 0, "the feeder")
        finally:
            log.stop()

    asyncio.run(main())
    return fed


def test_records_are_fed_once_and_a_clean_stop_leaves_no_segment(tmp_path: Path) -> None:
    async def scenario(log: IntakeLog) -> None:
        assert log.down() == []
        await asyncio.gather(*(log.append_async(record(n)) for n in range(1, 51)))
        await until(lambda: log.unfed == 0, "the first feed")
        # A redelivery has the GUID it had: its jobs are not queued again, whatever it carries.
        await log.append_async(record(999, delivery="delivery-7"))

    fed = run(tmp_path, scenario)
    assert queued(tmp_path) == 50
    assert sum(p.enqueued.get("evaluate", 0) for p in fed) == 50
    assert not list((tmp_path / "intake").glob("*.log"))


def test_a_killed_syncer_is_replaced_and_what_waited_is_answered(tmp_path: Path) -> None:
    async def scenario(log: IntakeLog) -> None:
        await log.append_async(record(1))
        assert log.syncer.proc is not None
        os.kill(log.syncer.proc.pid, signal.SIGKILL)
        await asyncio.wait_for(log.append_async(record(2)), 20)
        await asyncio.wait_for(log.append_async(record(3)), 20)

    run(tmp_path, scenario)
    assert queued(tmp_path) == 3


def test_a_killed_feeder_is_replaced_and_feeds_what_it_missed(tmp_path: Path) -> None:
    async def scenario(log: IntakeLog) -> None:
        await log.append_async(record(1))
        assert log.feeder.proc is not None
        os.kill(log.feeder.proc.pid, signal.SIGKILL)
        await asyncio.gather(*(log.append_async(record(n)) for n in range(2, 11)))

    run(tmp_path, scenario)
    assert queued(tmp_path) == 10


def test_what_a_crash_left_is_fed_before_anything_new_up_to_a_torn_record(tmp_path: Path) -> None:
    folder = tmp_path / "intake"
    folder.mkdir()
    whole = b"".join(record(n).encode() for n in range(1, 6))
    torn = record(6).encode()[:-3]  # the service died while writing it: never answered
    (folder / segment_name(3)).write_bytes(whole + torn + b"\0" * 4096)

    async def scenario(log: IntakeLog) -> None:
        assert queued(tmp_path) == 5  # fed while the log started, before it took anything
        assert log.path.name == segment_name(4)
        await log.append_async(record(7))

    run(tmp_path, scenario)
    assert queued(tmp_path) == 6
    assert not list(folder.glob("*.log"))


def test_a_feeder_whose_service_died_feeds_what_is_left_and_exits_quietly(tmp_path: Path) -> None:
    folder = tmp_path / "intake"
    folder.mkdir()
    (folder / segment_name(1)).write_bytes(b"".join(record(n).encode() for n in range(1, 4)) + b"\0" * 64)
    args = [sys.executable, "-m", "app.jobs.intake_feed", str(folder), str(tmp_path), segment_name(1)]
    feeder = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert feeder.stdin is not None and feeder.stdout is not None and feeder.stderr is not None
    feeder.stdout.close()  # the service is gone (kill -9): nobody reads its answers
    feeder.stdin.close()
    with feeder.stderr:
        stderr = feeder.stderr.read()
    assert feeder.wait(30) == 0 and b"Traceback" not in stderr, stderr.decode()
    assert queued(tmp_path) == 3
    assert not list(folder.glob("*.log"))
