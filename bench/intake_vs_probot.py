"""Webhook intake, undersigned against a no-op Probot app, on one machine, in one run, with one load generator.

Run: python -m bench.intake_vs_probot [--seconds 10] [--repeat 3]
Both get the same signed `pull_request.opened` deliveries from bench.loadgen (its own process): open loop at
100/s and 500/s (latency counted from when each delivery was due, so a backlog shows), and closed loop with 32
connections. undersigned runs as `undersigned serve` with no workers and its data on disk: every 2xx is
fsynced first (by its syncer process), and its feeder process puts every delivery on the job queue. Probot 14
(HMAC checked by @octokit/webhooks, nothing stored) is installed from the npm registry into
~/.cache/undersigned-bench/probot when node and npm are present; otherwise undersigned runs alone. The two run
back to back in each round, and every other round Probot goes first; the median ratio is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.processes import free_port

SECRET = "bench-secret"
CACHE = Path.home() / ".cache" / "undersigned-bench" / "probot"
PROBOT = "probot@14"
NOOP_APP = 'module.exports = (app) => { app.on("pull_request.opened", async () => {}); };\n'
ROOT = Path(__file__).resolve().parent.parent


def _wait_listening(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens at {url}")


@contextmanager
def undersigned(data: Path) -> Iterator[str]:
    """`undersigned serve`, intake only (no workers, no App credentials needed), data in `data`."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNDERSIGNED_")}
    env.update(UNDERSIGNED_WEBHOOK_SECRET=SECRET, UNDERSIGNED_DATA_DIR=str(data), UNDERSIGNED_WORKERS="0")
    env.update(UNDERSIGNED_LOG_LEVEL="WARNING")
    args = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
    proc = subprocess.Popen(args, env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        _wait_listening(f"http://127.0.0.1:{port}/healthz")
        yield f"http://127.0.0.1:{port}/webhooks"
    finally:
        proc.terminate()
        proc.wait(30)


def probot_ready() -> str | None:
    """Install Probot into the cache folder if needed; None (and why, printed) when it cannot run here."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        print("node and npm are not installed: running undersigned alone")
        return None
    binary = CACHE / "node_modules" / ".bin" / "probot"
    if not binary.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"installing {PROBOT} from the npm registry into {CACHE} ...")
        done = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(CACHE), PROBOT],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0 or not binary.exists():
            print(f"could not install {PROBOT}: {done.stderr.strip()[-300:]}; running undersigned alone")
            return None
    (CACHE / "app.cjs").write_text(NOOP_APP)
    key = CACHE / "app.pem"
    if not key.exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        )
        key.write_bytes(pem)
    return str(binary)


@contextmanager
def probot(binary: str) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "APP_ID": "1", "PRIVATE_KEY_PATH": str(CACHE / "app.pem"), "WEBHOOK_SECRET": SECRET}
    env.update(PORT=str(port), HOST="127.0.0.1", LOG_LEVEL="warn", NODE_ENV="production")
    proc = subprocess.Popen([binary, "run", "./app.cjs"], env=env, cwd=CACHE, stdout=subprocess.DEVNULL)
    try:
        _wait_listening(f"http://127.0.0.1:{port}/")
        yield f"http://127.0.0.1:{port}/api/github/webhooks"
    finally:
        proc.terminate()
        proc.wait(30)


def load(url: str, mode: list[str], seconds: float) -> dict[str, Any]:
    args = [sys.executable, "-m", "bench.loadgen", "--url", url, "--secret", SECRET, "--seconds", str(seconds)]
    done = subprocess.run([*args, *mode], capture_output=True, text=True, cwd=ROOT, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def versions(binary: str | None) -> str:
    ours = f"undersigned (Python {platform.python_version()}, uvicorn {version('uvicorn')}"
    for extra in ("uvloop", "httptools"):
        try:
            ours += f", {extra} {version(extra)}"
        except Exception:
            ours += f", no {extra}"
    ours += ")"
    if binary is None:
        return ours
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    package = json.loads((CACHE / "node_modules" / "probot" / "package.json").read_text())
    return f"{ours} vs Probot {package['version']} (Node {node})"


def main(seconds: float, repeat: int) -> None:
    binary = probot_ready()
    print(versions(binary), f"| {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    scenarios = [("open 100/s", ["open", "--rate", "100"]), ("open 500/s", ["open", "--rate", "500"])]
    scenarios.append(("closed, 32 connections", ["closed", "--conns", "32"]))
    print(f"| scenario | service | accepted/s | p50 ms | p99 ms | max ms | non-2xx |{' ratio |' if binary else ''}")
    print(f"|---|---|---|---|---|---|---|{'---|' if binary else ''}")
    ratios: dict[str, list[float]] = {}
    for round_ in range(repeat):
        for name, mode in scenarios:
            length = seconds * (2 if "500" in name else 1)
            # This machine's speed drifts by a fifth within minutes: the two run back to back, and every other
            # round Probot goes first, so neither always gets the faster half.
            order = ["undersigned", "Probot"] if binary is not None else ["undersigned"]
            got: dict[str, dict[str, Any]] = {}
            for who in order if round_ % 2 == 0 else order[::-1]:
                if who == "undersigned":
                    with tempfile.TemporaryDirectory(dir=ROOT / "bench") as data, undersigned(Path(data)) as url:
                        got[who] = load(url, mode, length)
                else:
                    assert binary is not None
                    with probot(binary) as url:
                        got[who] = load(url, mode, length)
            ratio = got["undersigned"]["accepted_per_s"] / max(got["Probot"]["accepted_per_s"], 0.1) if binary else 0
            ratios.setdefault(name, []).append(ratio)
            for who in order:
                row = got[who]
                bad = row["answered"] - row["accepted"] + row["sent"] - row["answered"]
                shown = (f" {ratio:.2f} |" if who == "undersigned" else " |") if binary else ""
                print(
                    f"| {name} | {who} | {row['accepted_per_s']:.0f} | {row['p50_ms']:.2f} | {row['p99_ms']:.2f} "
                    f"| {row['max_ms']:.1f} | {bad} |{shown}"
                )
    print("ratio: undersigned's accepted/s over Probot's (>= 1.00: at least as many). Open loop at 500/s runs 2x")
    print("longer. undersigned's figures include its intake's syncer and feeder processes (same machine, same CPUs).")
    if binary is not None and repeat > 1:
        for name, values in ratios.items():
            print(f"{name}: median ratio {statistics.median(values):.2f} over {len(values)} rounds")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    main(args.seconds, args.repeat)
