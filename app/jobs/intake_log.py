"""The intake log: a delivery's jobs are written to a segment file and answered 2xx only once fsynced.

The event loop writes the records of one loop iteration together (no thread, no lock) and tells the syncer
child (app.jobs.intake_sync) how far the segment now goes. The syncer fsyncs once for everything it was told
meanwhile (group commit) and answers with the sequence number it reached; the loop answers those deliveries
and tells the feeder child, which puts them on the job queue. After a crash, the feeder feeds what the
segments still hold before the service takes deliveries: nothing answered 2xx is lost. A child that dies is
replaced, and the new one picks up where the files say.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.jobs.child import Child
from app.jobs.intake_feed import FEED_EVERY
from app.jobs.push import Pushed, private_folder
from app.jobs.segments import SEGMENT_BYTES, Record, prepare, segment_name

log = logging.getLogger("undersigned.intake")
BUSY = 64  # jobs in one write to the queue that make the intake pace its lines to the feeder
__all__ = ["IntakeLog", "Record"]


@dataclass
class _Write:
    seq: int
    futures: list[asyncio.Future[None]]
    end: tuple[str, int]  # (segment, end) written


class IntakeLog:
    def __init__(self, folder: Path, data_dir: Path, redis_url: str | None, fed: Callable[[Pushed], None]) -> None:
        self.folder, self.data_dir, self.redis_url, self.fed = folder, data_dir, redis_url, fed
        self.segment_bytes = SEGMENT_BYTES
        self.unfed = 0  # jobs appended, not yet on the queue
        self.gathering: dict[asyncio.AbstractEventLoop, list[tuple[bytes, int, asyncio.Future[None]]]] = {}
        self.waiting: deque[_Write] = deque()
        self.seq = 0
        env = self._child_env()
        self.syncer = Child("app.jobs.intake_sync", [str(folder)], env)
        self.feeder = Child("app.jobs.intake_feed", [str(folder)], env)
        self.durable: tuple[str, int] | None = None  # (segment, end) the syncer last answered for
        self.loop: asyncio.AbstractEventLoop | None = None  # where the children's answers are read
        self.stopping = False
        self.failed_at = 0.0
        self.feed_due = False  # a line to the feeder is scheduled
        self.feeding = False  # the feeder has a line it has not answered yet
        self.busy = False  # its last answer covered many records: deliveries are pouring in
        self.told: tuple[str, int] | None = None  # how far the feeder was told
        self.told_at = 0.0  # when (on the loop's clock)

    def start(self) -> None:
        private_folder(self.folder)
        self.lock_fd = os.open(self.folder / "LOCK", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(self.lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self.lock_fd)
            raise RuntimeError(f"another undersigned process takes webhooks with {self.folder}") from None
        segments = sorted(self.folder.glob("*.log"))
        self.number = int(segments[-1].stem) + 1 if segments else 1
        self._open()
        self._spawn(wait=True)

    def down(self) -> list[str]:
        """The children not running (each is replaced at once when it dies: this lasts only if it cannot start)."""
        return [child.role for child in (self.syncer, self.feeder) if not child.alive()]

    def _open(self) -> None:
        """Start the next segment: the one prepared ahead (zero-filled, fsynced), renamed into place. The child
        fsyncs the folder before it acknowledges anything written to it."""
        self.path = self.folder / segment_name(self.number)
        spare = self.folder / "next.spare"
        preparing: threading.Thread | None = getattr(self, "preparing", None)
        if preparing is not None:
            preparing.join()
        if not spare.exists():
            prepare(spare, self.segment_bytes)
        os.rename(spare, self.path)
        self.fd = os.open(self.path, os.O_WRONLY)
        self.size = 0
        self.preparing = threading.Thread(target=prepare, args=(spare, self.segment_bytes), daemon=True)
        self.preparing.start()

    # --- the children ------------------------------------------------------------------------------
    def _spawn(self, *, wait: bool) -> None:
        """Start whichever child is not running. At start-up (`wait`), the feeder first feeds what a crash
        left, before anything new is taken; a feeder started later feeds everything the segments hold in the
        background (the queue drops repeats), and a syncer started later answers what waited."""
        if not self.feeder.alive():
            self.feeding, self.told = False, None
            self.feeder.start([str(self.data_dir), self.path.name], self._heard, wait=wait)
            self._feed_soon()
        if not self.syncer.alive():
            self.syncer.start([], self._heard, wait=wait)
            if self.waiting:  # after one died: make what was written durable, answer those waiting
                self.syncer.tell(f"W {self.seq} {self.path.name} {self.size}")
        if self.loop is not None:
            self._listen(self.loop)

    def _child_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "UNDERSIGNED_REDIS_URL"}
        if self.redis_url is not None:
            env["UNDERSIGNED_REDIS_URL"] = self.redis_url
        source = str(Path(__file__).resolve().parents[2])  # `app` importable wherever the service runs from
        env["PYTHONPATH"] = os.pathsep.join(p for p in (source, env.get("PYTHONPATH", "")) if p)
        return env

    def _listen(self, loop: asyncio.AbstractEventLoop) -> None:
        for child in (self.syncer, self.feeder):
            if child.proc is not None and not child.listening:
                loop.add_reader(child.fd, self._on_child, child)
                child.listening = True

    def _on_child(self, child: Child) -> None:
        """A child's answers, read on the event loop. When it exits, another starts (after a second, if it
        lived less than a few: one that cannot start must not be restarted in a tight loop)."""
        if child.read(self._heard):
            return
        assert self.loop is not None
        self.loop.remove_reader(child.fd)
        lived = child.age()
        code = child.close()
        if self.stopping:
            return
        log.error("intake child exited", extra={"fields": {"role": child.role, "code": code}})
        self.loop.call_later(0.0 if lived > 5 else 1.0, self._respawn)

    def _respawn(self) -> None:
        if self.stopping or not self.down():
            return
        try:
            self._spawn(wait=False)
            self.failed_at = 0.0
        except OSError as exc:
            self.failed_at = time.monotonic()
            log.error("intake child cannot start", extra={"fields": {"error": str(exc)}})
            if not self.syncer.alive():
                while self.waiting:
                    _settle(self.waiting.popleft().futures, exc)

    def _feed_soon(self) -> None:
        """Tell the feeder how far the log is durable, one line at a time: at once while the intake is quiet;
        while deliveries pour in, once per FEED_EVERY, so that each of its writes to the queue takes more."""
        if self.durable in (None, self.told) or self.feeding or self.feed_due or self.loop is None or self.stopping:
            return
        self.feed_due = True
        when = self.told_at + FEED_EVERY if self.busy else 0.0
        self.loop.call_at(max(self.loop.time(), when), self._tell_feeder)

    def _tell_feeder(self) -> None:
        self.feed_due = False
        if self.durable is None:
            return
        self.feeder.tell(f"D {self.durable[0]} {self.durable[1]}")
        self.told, self.feeding = self.durable, True
        self.told_at = self.loop.time() if self.loop is not None else 0.0

    def _heard(self, line: str) -> None:
        kind, _, rest = line.partition(" ")
        if kind == "A":
            reached = int(rest)
            while self.waiting and self.waiting[0].seq <= reached:
                write = self.waiting.popleft()
                _settle(write.futures, None)
                self.durable = write.end
            self._feed_soon()
        elif kind == "F":  # one per line the feeder was told (and some while it catches up at start)
            report = json.loads(rest)
            self.unfed = max(0, self.unfed - int(report["jobs"]))
            self.fed(Pushed(dict(report["enqueued"]), int(report["coalesced"])))
            self.feeding, self.busy = False, int(report["jobs"]) >= BUSY
            self._feed_soon()

    # --- appending ---------------------------------------------------------------------------------
    async def append_async(self, record: Record) -> None:
        """Append, and return once the record is fsynced. The records of one loop iteration are written
        together: one write, one line to the child."""
        loop = asyncio.get_running_loop()
        if self.loop is None:
            self.loop = loop
            self._listen(loop)
        future: asyncio.Future[None] = loop.create_future()
        gathered = self.gathering.get(loop)
        if gathered is None:
            gathered = self.gathering[loop] = []
            loop.call_soon(self._flush, loop)
        gathered.append((record.encode(), len(record.jobs), future))
        await future

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        items = self.gathering.pop(loop)
        futures = [future for _, _, future in items]
        if self.failed_at and not self.syncer.alive() and time.monotonic() - self.failed_at > 1.0:
            self._respawn()  # the last one could not be started: try again, at most once a second
        if self.stopping or (self.failed_at and not self.syncer.alive()):  # a syncer on its way is waited for
            _settle(futures, RuntimeError("intake is stopping" if self.stopping else "intake is unavailable"))
            return
        data = b"".join(encoded for encoded, _, _ in items)
        try:
            if self.size + len(data) > self.segment_bytes:
                self._roll()
            os.pwrite(self.fd, data, self.size)
        except OSError as exc:
            log.error("intake write failed", extra={"fields": {"error": str(exc)}})
            _settle(futures, exc)
            return
        self.size += len(data)
        self.seq += 1
        self.unfed += sum(jobs for _, jobs, _ in items)
        self.waiting.append(_Write(self.seq, futures, (self.path.name, self.size)))
        self.syncer.tell(f"W {self.seq} {self.path.name} {self.size}")

    def _roll(self) -> None:
        """The segment is full: continue in the next. The child takes a newer name as the end of the older."""
        os.close(self.fd)
        self.number += 1
        self._open()

    def stop(self) -> None:
        """The syncer exits; the feeder feeds what was written, deletes the segments and exits; then the folder
        is free."""
        self.stopping = True
        self._tell_feeder()
        for child in (self.syncer, self.feeder):
            if child.listening and self.loop is not None:
                with contextlib.suppress(Exception):  # the loop may be closed already
                    self.loop.remove_reader(child.fd)
            child.finish(self._heard)
        os.close(self.fd)
        os.close(self.lock_fd)


def _settle(futures: list[asyncio.Future[None]], exc: BaseException | None) -> None:
    """Settle futures of any loop: at once on the running one, through call_soon_threadsafe on others."""
    try:
        running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    for future in futures:
        loop = future.get_loop()
        if loop is running:
            _set(future, exc)
        else:
            with contextlib.suppress(RuntimeError):  # that loop is closed: nobody waits any more
                loop.call_soon_threadsafe(_set, future, exc)


def _set(future: asyncio.Future[None], exc: BaseException | None) -> None:
    if future.done():
        return
    if exc is None:
        future.set_result(None)
    else:
        future.set_exception(exc)
