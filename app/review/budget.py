"""Evaluation off the service's process, within a time budget: a PR that runs past it is refused, not retried.

The rules are pure CPU. Run in a worker thread they hold Python's GIL, and one slow PR stalled the webhook
intake of the whole process. Here they run in a child process (app.review.rules_child), one per worker thread
at a time; the thread waits on a pipe without the GIL, and kills the child when the budget is spent. Time the
parent spends reading a file the child asked for does not count."""

from __future__ import annotations

import atexit
import contextlib
import os
import select
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.review.rules_child import Remote, read_frame, write_frame
from app.rules import Author, Snapshots, Verdict
from app.rules.ledger import Ownership
from app.rules.model import ChangedFiles
from app.rules.verdict import too_slow
from config import Config

START_TIMEOUT = 60.0  # seconds a new child may take to import the rules


class Evaluator:
    """One child process and its pipes."""

    def __init__(self) -> None:
        env = dict(os.environ)
        source = str(Path(__file__).resolve().parents[2])  # `app` importable wherever the service runs from
        env["PYTHONPATH"] = os.pathsep.join(p for p in (source, env.get("PYTHONPATH", "")) if p)
        args = [sys.executable, "-m", "app.review.rules_child"]
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        if self._wait(START_TIMEOUT) != ("ready",):
            self.close()
            raise RuntimeError("the rules' child process did not start")

    def _wait(self, seconds: float) -> Any:
        """The child's next message; TimeoutError when it says nothing for `seconds`."""
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], max(seconds, 0.0))
        if not ready:
            raise TimeoutError
        return read_frame(self.proc.stdout)

    def run(self, request: tuple[Any, ...], folders: Mapping[str, Mapping[str, str]], budget: float) -> Verdict | None:
        """The child's verdict, or None when it ran out of time (the child is then gone)."""
        assert self.proc.stdin is not None
        write_frame(self.proc.stdin, request)
        left = budget
        while True:
            started = time.monotonic()
            try:
                message = self._wait(left)
            except TimeoutError:
                self.close()
                return None
            left -= time.monotonic() - started
            if message is None:
                self.close()
                raise RuntimeError("the rules' child process exited during an evaluation")
            if message[0] == "get":  # a file of a folder: read here, through the caches, off the clock
                write_frame(self.proc.stdin, folders[message[1]].get(message[2]))
            elif message[0] == "done":
                verdict: Verdict = message[1]
                return verdict
            else:
                raise RuntimeError(f"the rules failed in their child process:\n{message[1]}")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.kill()
        self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()


_idle: list[Evaluator] = []
_lock = threading.Lock()


def _take() -> Evaluator:
    with _lock:
        while _idle:
            found = _idle.pop()
            if found.alive():
                return found
            found.close()
    return Evaluator()


def _give_back(evaluator: Evaluator) -> None:
    if evaluator.alive():
        with _lock:
            _idle.append(evaluator)


@atexit.register
def close_all() -> None:
    """Stop every idle child (each also exits by itself when its parent's pipe closes)."""
    with _lock:
        while _idle:
            _idle.pop().close()


def _stub(which: str, part: Any, folders: dict[str, Mapping[str, str]]) -> Any:
    """A folder read lazily (app.github.caches.LazyFiles) crosses as its paths; its texts are asked for."""
    if part is None or isinstance(part, str | dict):
        return part
    folders[which] = part
    return Remote(which, list(part))


def evaluate_within(
    config: Config,
    texts: Snapshots[Any],
    changed: Iterable[str] | ChangedFiles,
    author: Author,
    ownership: Ownership | None = None,
    *,
    seconds: float,
) -> Verdict:
    """app.rules.evaluate, in a child process, stopped after `seconds` of work: then a `too-slow` refusal."""
    folders: dict[str, Mapping[str, str]] = {}
    stubs = Snapshots(_stub("base", texts.base, folders), _stub("head", texts.head, folders))
    stubs = Snapshots(stubs.base, stubs.head, _stub("current", texts.current, folders))
    request = (
        config,
        stubs,
        changed if isinstance(changed, ChangedFiles) else list(changed),
        author,
        datetime.now(UTC),
        ownership,
    )
    evaluator = _take()
    try:
        verdict = evaluator.run(request, folders, seconds)
    except BaseException:
        evaluator.close()
        raise
    _give_back(evaluator)
    return verdict if verdict is not None else too_slow(seconds)
