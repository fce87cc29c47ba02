"""One child process of the intake (its syncer or its feeder) and its pipes: lines to its stdin, lines back."""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
import sys
import time
from collections.abc import Callable

READY_TIMEOUT = 120.0  # seconds a new child may take to say it is ready (the feeder feeds what a crash left)


class Child:
    """One child process and its pipes: lines to its stdin, lines from its stdout."""

    def __init__(self, module: str, args: list[str], env: dict[str, str]) -> None:
        self.role, self.args, self.env = module.rsplit("_", 1)[-1], ["-m", module, *args], env
        self.proc: subprocess.Popen[bytes] | None = None
        self.heard = b""
        self.listening = False
        self.started = 0.0

    def start(self, more: list[str], heard: Callable[[str], None], *, wait: bool) -> None:
        """Start it; with `wait`, until its "R" (the feeder feeds what a crash left first), passing other lines
        on. Without, its "R" comes with its other answers."""
        args = [sys.executable, *self.args, *more]
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=self.env)
        self.heard, self.listening, self.started = b"", False, time.monotonic()
        deadline = time.monotonic() + READY_TIMEOUT
        while wait and (line := self._line(deadline)) != "R":
            if line is None:
                code = self.close(kill=True)
                raise RuntimeError(f"the intake's {self.role} process did not start (exit code {code})")
            heard(line)
        os.set_blocking(self.fd, False)

    @property
    def fd(self) -> int:
        assert self.proc is not None
        assert self.proc.stdout is not None
        return self.proc.stdout.fileno()

    def alive(self) -> bool:
        return self.proc is not None

    def age(self) -> float:
        return time.monotonic() - self.started

    def tell(self, line: str) -> None:
        if self.proc is not None and self.proc.stdin is not None:
            with contextlib.suppress(BrokenPipeError):  # it died: its reader sees that and starts another
                os.write(self.proc.stdin.fileno(), (line + "\n").encode())

    def read(self, heard: Callable[[str], None]) -> bool:
        """What it said since the last read; False once it has exited."""
        try:
            data = os.read(self.fd, 1 << 16)
        except BlockingIOError:
            return True
        if not data:
            return False
        *lines, self.heard = (self.heard + data).split(b"\n")
        for line in lines:
            heard(line.decode())
        return True

    def _line(self, deadline: float) -> str | None:
        """One line, read blocking (start and stop only); None at its exit or the deadline."""
        while b"\n" not in self.heard:
            if not select.select([self.fd], [], [], max(0.0, deadline - time.monotonic()))[0]:
                return None
            data = os.read(self.fd, 1 << 16)
            if not data:
                return None
            self.heard += data
        line, self.heard = self.heard.split(b"\n", 1)
        return line.decode()

    def finish(self, heard: Callable[[str], None]) -> None:
        """Close its stdin, pass on what it says until it exits (a minute at most)."""
        if self.proc is None or self.proc.stdin is None:
            return
        self.proc.stdin.close()
        os.set_blocking(self.fd, True)
        deadline = time.monotonic() + 60
        while (line := self._line(deadline)) is not None:
            heard(line)
        self.close()

    def close(self, *, kill: bool = False) -> int:
        proc, self.proc, self.listening = self.proc, None, False
        assert proc is not None
        if kill:
            proc.kill()
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
        if proc.stdin is not None and not proc.stdin.closed:
            with contextlib.suppress(OSError):
                proc.stdin.close()
        return code
