"""The intake's syncer process: it fsyncs what the service wrote to the intake log, and says so.

Why a process: the service answers a delivery only once its record is fsynced. A thread of the service that
fsyncs has to take Python's lock back from the event loop after each fsync; those hand-overs halved the
deliveries the loop could take (bench/intake_vs_probot.py, closed loop: about 8,500/s with the writer and
feeder threads, 12,000/s and more with the two child processes). Alone in its process, with nothing else to
import, the syncer answers within a fsync's time and stays small (about 10 MB).

One line per message, on stdin and stdout:
    <- W <seq> <segment> <end>   records up to byte <end> of <segment> are written: make them durable
    -> A <seq>                   everything up to <seq> is fsynced
    -> R                         ready
All the lines waiting are answered with one fsync per segment (group commit). Stdin closing ends it.

    python -m app.jobs.intake_sync FOLDER
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
from collections.abc import Iterator
from pathlib import Path

from app.jobs.segments import sync_dir


def say(line: str) -> None:
    """One line to the service. If it died (kill -9), nobody reads any more: the work goes on regardless (the
    feeder still feeds what is left), so a closed pipe is no error."""
    with contextlib.suppress(BrokenPipeError):
        os.write(1, (line + "\n").encode())


def lines(*, wait: float | None = None) -> Iterator[list[str]]:
    """Batches of whole lines from stdin: all that is there, waiting up to `wait` seconds (None: forever)
    for the first. An empty batch when the wait ran out; the iteration ends when stdin closes."""
    pending = b""
    while True:
        if wait is not None and b"\n" not in pending and not select.select([0], [], [], wait)[0]:
            yield []
            continue
        data = os.read(0, 1 << 16)
        if not data:
            return
        pending += data
        *whole, pending = pending.split(b"\n")
        if whole:
            yield [line.decode() for line in whole]


def sync(folder: Path) -> None:
    fds: dict[str, int] = {}
    say("R")
    for batch in lines():
        touched: dict[str, str] = {}
        for line in batch:
            _, seq, name, _ = line.split(" ")
            touched[name] = seq
        for name in touched:
            if name not in fds:
                sync_dir(folder)  # a new segment's name is durable before anything in it is answered
                fds[name] = os.open(folder / name, os.O_RDONLY)
            os.fdatasync(fds[name])
        say(f"A {max(touched.values(), key=int)}")
        for name in [n for n in fds if n < max(touched)]:
            os.close(fds.pop(name))


if __name__ == "__main__":
    sync(Path(sys.argv[1]))
