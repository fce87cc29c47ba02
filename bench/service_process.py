"""undersigned as its own process (`undersigned serve`), with its resident memory sampled from /proc."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType

import httpx

MB = 1024 * 1024


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def status_kb(pid: int, field: str) -> int:
    """A "VmRSS:  1234 kB" line of /proc/PID/status, in kB (0 once the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def family_kb(pid: int, field: str) -> int:
    """`status_kb` summed over the process and its children (the intake's syncer and feeder)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    return status_kb(pid, field) + sum(status_kb(int(child), field) for child in children)


class ServiceProcess:
    """`undersigned serve` (web intake and job workers, with the intake's two small child processes) on a free
    port, env from `settings`.

    A thread samples the RSS of the process and its children every `every` seconds; `peak_mb` is the largest
    sample, and `hwm_mb` the sum of their kernel high-water marks (VmHWM): an upper bound that also catches
    peaks between samples."""

    def __init__(self, settings: dict[str, str], log: Path, every: float = 0.05) -> None:
        self.port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("UNDERSIGNED_")}
        env.update({f"UNDERSIGNED_{k.upper()}": v for k, v in settings.items()})
        env.update(UNDERSIGNED_HOST="127.0.0.1", UNDERSIGNED_PORT=str(self.port))
        self.log = log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve"], env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        self.url = f"http://127.0.0.1:{self.port}/webhooks"
        self.every, self.samples = every, list[int]()
        self.sampling = threading.Event()
        self.sampler = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> ServiceProcess:
        deadline = time.monotonic() + 120  # a loaded machine starts it slowly
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"undersigned serve exited with {self.proc.returncode}: see {self.log.name}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        else:
            self.proc.kill()  # not left running (with its intake children) after the bench gives up on it
            self.proc.wait()
            self.log.close()
            raise RuntimeError("undersigned serve did not become ready")
        self.idle_mb = family_kb(self.proc.pid, "VmRSS") / 1024
        self.sampling.set()
        self.sampler.start()
        return self

    def _sample(self) -> None:
        while self.sampling.is_set():
            self.samples.append(family_kb(self.proc.pid, "VmRSS"))
            time.sleep(self.every)

    def stop_sampling(self) -> None:
        self.hwm_mb = family_kb(self.proc.pid, "VmHWM") / 1024
        self.sampling.clear()
        if self.sampler.is_alive():
            self.sampler.join()

    @property
    def peak_mb(self) -> float:
        return max(self.samples, default=0) / 1024

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self.sampling.is_set():
            self.stop_sampling()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
