"""The intake's feeder process: it puts what the intake log holds, once durable, on the job queue, and deletes
segments the queue has on disk. It imports only the queue's storage (no settings, no metrics) to stay small.

One line per message, on stdin and stdout:
    <- D <segment> <end>   records up to byte <end> of <segment> are durable: feed them
    -> F <json>            one per batch of lines: {"jobs": n, "enqueued": {kind: n}, "coalesced": n}
    -> R                   ready: what a crash (or the last feeder) left is fed
A newer segment means the older ones are complete. Stdin closing means the service stopped or died: the
feeder feeds every whole record left (the service may have answered some it never announced), deletes the
segments once the queue has them, and exits. One feeder at a time: one left by a killed service finishes
before the next starts (a lock on FOLDER/FEEDER).

    python -m app.jobs.intake_feed FOLDER DATA_DIR CURRENT   (the Redis URL, if any, in UNDERSIGNED_REDIS_URL)
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from app import logs
from app.jobs.backend import Backend
from app.jobs.intake_sync import lines, say
from app.jobs.job import Job
from app.jobs.keys import Keys
from app.jobs.push import Pushed, backend_at, push_jobs, pushed
from app.jobs.segments import Record, read_records

log = logging.getLogger("undersigned.intake")
# Seconds between the service's lines to the feeder while deliveries pour in (otherwise each goes at once).
# Larger batches cost less per record: 17 us at 0.2 s, 21 us at 0.05 s, at 12,000 deliveries a second.
FEED_EVERY = 0.2
FEED_MAX = 4 * 1024 * 1024  # bytes of records per write to the queue


@dataclass
class Tally:
    """What feeding did: the jobs in the records fed (the service counts those as not fed yet), and what the
    queue made of them."""

    jobs: int = 0
    pushed: Pushed = field(default_factory=Pushed)

    def line(self) -> str:
        report = {"jobs": self.jobs, "enqueued": self.pushed.enqueued, "coalesced": self.pushed.coalesced}
        return "F " + json.dumps(report, separators=(",", ":"))


def push_records(backend: Backend, records: list[Record]) -> Pushed:
    """The jobs of deliveries the queue has not seen, queued, and the deliveries marked seen: one write."""
    keys = {r.delivery: Keys.delivery(r.delivery) for r in records}
    known = backend.present(list(keys.values()))
    fresh = [delivery for delivery, key in keys.items() if key not in known]  # each once, in order
    taken = set(fresh)
    jobs = [Job.loads(text) for r in records if r.delivery in taken for text in r.jobs]
    return pushed(jobs, push_jobs(backend, jobs, fresh, 0.0, durable=False))


@dataclass
class Segment:
    path: Path
    durable: int = 0  # bytes fsynced
    fed: int = 0  # bytes on the queue
    complete: bool = False  # the service writes no more to it


@dataclass
class Feeder:
    folder: Path
    backend: Backend
    segments: dict[str, Segment] = field(default_factory=dict)  # by name: oldest first

    def catch_up(self, current: str | None) -> None:
        """Fsync and feed every whole record the segments hold; delete all but the service's current one.
        At start, that is what a crash left; once stdin closes (current None), it is all of it: the service
        may have answered records it never got to announce here."""
        for path in sorted(self.folder.glob("*.log")):
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fdatasync(fd)  # written by a killed service, maybe not yet synced: durable now
            finally:
                os.close(fd)
            segment = self.segments.setdefault(path.name, Segment(path))
            segment.durable, segment.complete = path.stat().st_size, path.name != current
            tally = Tally()
            self.feed(segment, tally, recovering=True)
            segment.durable = segment.fed  # what follows is zeros, or a torn record that was never answered
            if tally.jobs:
                say(tally.line())
        self.retire()

    def run(self) -> None:
        """Feed on each batch of lines, and answer each batch with one F line (the service paces them)."""
        for batch in lines(wait=None):
            for line in batch:
                _, name, end = line.split(" ")
                self.segments.setdefault(name, Segment(self.folder / name)).durable = int(end)
            for name, segment in self.segments.items():
                segment.complete = segment.complete or name < max(self.segments)
            tally = Tally()
            for segment in list(self.segments.values()):
                self.feed(segment, tally)
            self.retire()
            say(tally.line())
        self.catch_up(None)

    def feed(self, segment: Segment, tally: Tally, *, recovering: bool = False) -> None:
        """Feed the segment's durable records not fed yet (deliveries the queue has seen add no jobs)."""
        while segment.fed < segment.durable:
            with segment.path.open("rb") as file:
                file.seek(segment.fed)
                raw = file.read(min(segment.durable - segment.fed, FEED_MAX))
            records, used = read_records(raw)
            if not records:
                if not recovering:  # the service said these bytes hold whole records: they never should fail
                    log.error("intake segment unreadable", extra={"fields": {"segment": segment.path.name}})
                    segment.fed = segment.durable
                return  # recovering: the rest is zeros, or a torn record that was never answered
            while True:
                try:
                    tally.pushed.add(push_records(self.backend, records))
                    break
                except Exception:  # the queue is down: keep the records, try again
                    log.exception("intake feed failed")
                    time.sleep(1.0)
            segment.fed += used
            tally.jobs += sum(len(r.jobs) for r in records)

    def retire(self) -> None:
        """Delete complete, fully fed segments, once what was fed is durable in the queue."""
        done = [name for name, s in self.segments.items() if s.complete and s.fed >= s.durable]
        if done:
            self.backend.checkpoint()
            for name in done:
                self.segments.pop(name).path.unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    folder = Path(argv[0])
    logs.setup(os.environ.get("UNDERSIGNED_LOG_LEVEL", "INFO"))
    lock = os.open(folder / "FEEDER", os.O_CREAT | os.O_RDWR, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)  # wait for a feeder left by a killed service
    feeder = Feeder(folder, backend_at(Path(argv[1]), os.environ.get("UNDERSIGNED_REDIS_URL")))
    feeder.catch_up(argv[2])
    say("R")
    feeder.run()
    feeder.backend.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
