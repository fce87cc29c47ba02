"""The intake log: a delivery's jobs are appended to a file and fsynced before the delivery is answered.

Group commit: one writer thread takes every record that arrived while it was busy, writes them, and makes
one fsync for them all; then it wakes their requests. A feeder thread puts the fsynced records on the job
queue (deduplicated by delivery GUID, in one write per batch), and deletes a segment file once all of it is
on the queue. After a crash, the segments left are replayed at start-up: nothing answered 2xx is lost.

A record: 4-byte length, 4-byte CRC-32, JSON {"d": delivery GUID, "j": [job, ...]}. A torn last record (a
crash mid-write) fails its CRC and is dropped: it was never fsynced, so never answered. Segments are written
full of zeros (and fsynced) before use, so an fdatasync after a write flushes data only, never the file's
size: on this kind of disk that halves the fsync's tail latency. A zero length ends a segment.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import struct
import threading
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger("undersigned.intake")
HEADER = struct.Struct("<II")
SEGMENT_BYTES = 4 * 1024 * 1024


@dataclass
class Record:
    delivery: str
    jobs: list[str]  # Job.dumps() texts

    def encode(self) -> bytes:
        data = json.dumps({"d": self.delivery, "j": self.jobs}, separators=(",", ":")).encode()
        return HEADER.pack(len(data), zlib.crc32(data)) + data


Feed = Callable[[list[Record]], None]
FEED_MAX = 2000  # records per write to the queue


@dataclass
class _Batch:
    records: list[Record]
    segment: Path
    closes: bool = False  # the last batch of its segment: delete the file once fed


@dataclass
class _Waiting:
    data: bytes
    record: Record
    done: Callable[[BaseException | None], None] | None = None
    future: asyncio.Future[None] | None = None  # or this is settled on its loop, one wake-up per batch


def read_segment(path: Path) -> list[Record]:
    """The whole records of a segment, up to a torn or corrupt tail."""
    raw = path.read_bytes()
    out, at = [], 0
    while at + HEADER.size <= len(raw):
        size, crc = HEADER.unpack_from(raw, at)
        data = raw[at + HEADER.size : at + HEADER.size + size]
        if size == 0 or len(data) < size or zlib.crc32(data) != crc:
            break
        item = json.loads(data)
        out.append(Record(str(item["d"]), [str(j) for j in item["j"]]))
        at += HEADER.size + size
    return out


@dataclass
class IntakeLog:
    folder: Path
    feed: Feed  # onto the queue; need not be fsynced on its own:
    checkpoint: Callable[[], None]  # makes all that was fed durable (before a segment is deleted)
    segment_bytes: int = SEGMENT_BYTES
    waiting: list[_Waiting] = field(default_factory=list)
    fed: deque[_Batch] = field(default_factory=deque)
    cond: threading.Condition = field(default_factory=threading.Condition)
    unfed: int = 0  # jobs appended, not yet on the queue
    stopping: bool = False

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.lock_fd = os.open(self.folder / "LOCK", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(self.lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self.lock_fd)
            raise RuntimeError(f"another undersigned process takes webhooks with {self.folder}") from None
        segments = sorted(self.folder.glob("*.log"))
        self.number = int(segments[-1].stem) + 1 if segments else 1
        for path in segments:  # what a crash left: replayed before anything new
            records = read_segment(path)
            for at in range(0, len(records), FEED_MAX):
                self.feed(records[at : at + FEED_MAX])
            self.checkpoint()
            path.unlink()
            log.info("intake replayed", extra={"fields": {"segment": path.name, "records": len(records)}})
        self._open()
        self.threads = [
            threading.Thread(target=self._write_loop, name="undersigned-intake-writer", daemon=True),
            threading.Thread(target=self._feed_loop, name="undersigned-intake-feeder", daemon=True),
        ]
        for thread in self.threads:
            thread.start()

    def _open(self) -> None:
        """Start the next segment: the one prepared ahead (zero-filled, fsynced), renamed into place."""
        self.path = self.folder / f"{self.number:012d}.log"
        spare = self.folder / "next.spare"
        preparing: threading.Thread | None = getattr(self, "preparing", None)
        if preparing is not None:
            preparing.join()
        if not spare.exists():
            _prepare(spare, self.segment_bytes)
        os.rename(spare, self.path)
        _sync_dir(self.folder)  # the new name is durable before any record in it is acknowledged
        self.fd = os.open(self.path, os.O_WRONLY)
        self.size = 0
        self.preparing = threading.Thread(target=_prepare, args=(spare, self.segment_bytes), daemon=True)
        self.preparing.start()

    # --- appending -----------------------------------------------------------------------------
    def submit(
        self,
        record: Record,
        done: Callable[[BaseException | None], None] | None = None,
        future: asyncio.Future[None] | None = None,
    ) -> None:
        """Queue `record` for the next group commit; `done` is called (on the writer thread), or `future`
        settled (on its loop), once it is on disk, or with the error that kept it off."""
        item = _Waiting(record.encode(), record, done, future)
        with self.cond:
            if self.stopping:
                raise RuntimeError("intake is stopping")
            self.waiting.append(item)
            self.unfed += len(record.jobs)
            self.cond.notify_all()

    def append(self, record: Record) -> None:
        """Append and wait until it is fsynced (for callers that are not on an event loop)."""
        finished = threading.Event()
        error: list[BaseException] = []

        def done(exc: BaseException | None) -> None:
            if exc is not None:
                error.append(exc)
            finished.set()

        self.submit(record, done)
        finished.wait()
        if error:
            raise error[0]

    async def append_async(self, record: Record) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.submit(record, future=future)
        await future

    def _write_loop(self) -> None:
        while True:
            with self.cond:
                while not self.waiting and not self.stopping:
                    self.cond.wait()
                if not self.waiting:
                    return
                batch, self.waiting = self.waiting, []
            error: BaseException | None = None
            try:
                data = b"".join(item.data for item in batch)
                if self.size + len(data) + HEADER.size > self.segment_bytes:
                    self._roll()
                os.pwrite(self.fd, data, self.size)
                os.fdatasync(self.fd)
                self.size += len(data)
            except OSError as exc:
                error = exc
                log.error("intake write failed", extra={"fields": {"error": str(exc)}})
            _notify(batch, error)
            with self.cond:
                if error is not None:
                    self.unfed -= sum(len(i.record.jobs) for i in batch)
                    continue
                self.fed.append(_Batch([i.record for i in batch], self.path))
                self.cond.notify_all()

    def _roll(self) -> None:
        """The current segment is full: the feeder deletes it once it has fed the batches before this."""
        with self.cond:
            self.fed.append(_Batch([], self.path, closes=True))
            self.cond.notify_all()
        os.close(self.fd)
        self.number += 1
        self._open()

    def _feed_loop(self) -> None:
        while True:
            with self.cond:
                while not self.fed and not (self.stopping and not self.waiting and not self.writer_busy()):
                    self.cond.wait(0.5)
                if not self.fed:
                    return
                batches = [self.fed.popleft()]  # all that waits, in one write to the queue
                while self.fed and sum(len(b.records) for b in batches) < FEED_MAX:
                    batches.append(self.fed.popleft())
            records = [r for b in batches for r in b.records]
            while records:
                try:
                    self.feed(records)
                    break
                except Exception:  # the queue is down: keep the records, try again
                    log.exception("intake feed failed")
                    threading.Event().wait(1.0)
            with self.cond:
                self.unfed -= sum(len(r.jobs) for r in records)
                self.cond.notify_all()
            done = [b.segment for b in batches if b.closes]
            if done:
                self.checkpoint()  # what was fed is durable in the queue: the segment may go
                for segment in done:
                    segment.unlink(missing_ok=True)

    def writer_busy(self) -> bool:
        return self.threads[0].is_alive()

    def stop(self) -> None:
        """Finish what was submitted, feed it, and close (a segment fully fed is deleted)."""
        with self.cond:
            self.stopping = True
            self.cond.notify_all()
        for thread in self.threads:
            thread.join(timeout=30)
        os.close(self.fd)
        if self.unfed == 0:
            self.checkpoint()
            self.path.unlink(missing_ok=True)
        os.close(self.lock_fd)


def _prepare(path: Path, size: int) -> None:
    """A segment to be: `size` zero bytes, on disk, under a name replay ignores."""
    temp = path.with_suffix(".tmp")
    fd = os.open(temp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    try:
        block = b"\0" * (1024 * 1024)
        for at in range(0, size, len(block)):
            os.pwrite(fd, block[: min(len(block), size - at)], at)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.rename(temp, path)


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _notify(batch: list[_Waiting], error: BaseException | None) -> None:
    """Tell each waiter; the futures of one event loop are settled with one call onto that loop."""
    by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
    for item in batch:
        if item.done is not None:
            item.done(error)
        if item.future is not None:
            by_loop.setdefault(item.future.get_loop(), []).append(item.future)
    for loop, futures in by_loop.items():
        with contextlib.suppress(RuntimeError):  # that loop is closed: nobody waits any more
            loop.call_soon_threadsafe(_settle, futures, error)


def _settle(futures: list[asyncio.Future[Any]], exc: BaseException | None) -> None:
    for future in futures:
        if future.done():
            continue
        if exc is None:
            future.set_result(None)
        else:
            future.set_exception(exc)
