"""undersigned as real processes (`undersigned serve`, `undersigned worker`), to kill -9 and restart."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from tests.github_sim import Demo, Simulator
from tests.service import SECRET, wait_until


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Proc:
    """`undersigned serve` (on a fixed port, so the App's webhook URL survives restarts) or `worker`."""

    def __init__(self, sim: Simulator, demo: Demo, data: Path, command: str = "serve", **env: str) -> None:
        self.data, self.command, self.port = data, command, free_port()
        key = data.parent / "app.pem"
        key.write_text(demo.private_key)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("UNDERSIGNED_")}
        self.env.update(
            UNDERSIGNED_APP_ID=str(demo.app.id),
            UNDERSIGNED_PRIVATE_KEY_PATH=str(key),
            UNDERSIGNED_WEBHOOK_SECRET=SECRET,
            UNDERSIGNED_GITHUB_API_URL=sim.base_url,
            UNDERSIGNED_DATA_DIR=str(data),
            UNDERSIGNED_MUTATION_INTERVAL="0",
            UNDERSIGNED_CONTENT_PER_HOUR="0",  # unpaced and without a content budget, as in tests/service.py
            UNDERSIGNED_LANDING_GAP="0",
            UNDERSIGNED_RETRY_BACKOFF="0.05",
            UNDERSIGNED_SECONDARY_RATE_WAIT="1",
            UNDERSIGNED_CONFIG_TTL="0",
            UNDERSIGNED_LOG_LEVEL="WARNING",
            UNDERSIGNED_JOB_LEASE="4",
        )
        self.env.update(env)
        self.url = f"http://127.0.0.1:{self.port}/webhooks"
        self.proc: subprocess.Popen[bytes] | None = None
        self.logs: list[Path] = []

    def start(self) -> Proc:
        log = self.data.parent / f"{self.command}-{self.port}-{len(self.logs)}.log"
        self.logs.append(log)
        args = ["serve", "--port", str(self.port)] if self.command == "serve" else ["worker", "--threads", "3"]
        with open(log, "wb") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "app.cli", *args], env=self.env, stderr=out)
        if self.command == "serve":
            wait_until(self._answers, 30, "the service to listen")
        return self

    def _answers(self) -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill9()

    def log_text(self) -> str:
        return "".join(p.read_text(errors="replace") for p in self.logs if p.exists())
