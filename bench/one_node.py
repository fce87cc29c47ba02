"""Up to what load one node suffices: webhook deliveries a second on one `undersigned serve`, signatures an hour
on one serve (its 4 job workers in serve's child process, the default: UNDERSIGNED_WORKER_PROCESS), and the same
burst with one more `undersigned worker` process beside it (on Redis).

Run: python -m bench.one_node [--prs 60] [--seconds 10]
The simulator runs here with 50 ms of latency on every GitHub call; undersigned runs as its own processes with
production pacing (one mutating request a second per installation, as GitHub asks). Prints the figures the
README's "Scale out" quotes, with the machine's CPU count and load.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.intake_vs_probot import load, undersigned
from bench.service_process import ServiceProcess, _free_port
from tests.github_sim import person, seed_demo, start
from tests.service import SECRET, wait_until

LINE = "-  {name} [@{login}](https://github.com/{login})"
BUDGET = 5000  # GitHub's REST requests an hour per installation (the floor; large organisations get more)


def intake(seconds: float) -> dict[str, float]:
    """Deliveries a second one serve accepts (each fsynced before its 2xx), 32 connections in a closed loop."""
    with tempfile.TemporaryDirectory() as data, undersigned(Path(data)) as url:
        got = load(url, ["closed", "--conns", "32"], seconds)
    return {"per_s": round(got["accepted_per_s"]), "p50_ms": got["p50_ms"], "p99_ms": got["p99_ms"]}


@contextmanager
def redis_server(root: Path) -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        raise SystemExit("redis-server is not installed (apt-get install redis-server)")
    port = _free_port()
    args = [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(root)]
    args += ["--appendonly", "yes", "--appendfsync", "always"]  # as deploy/compose.yaml runs it
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)


def landing(prs: int, *, second_process: bool) -> dict[str, float]:
    """`prs` signers at once against one letter; until every PR has landed."""
    root = Path(tempfile.mkdtemp(prefix="one-node-"))
    sim = start(root / "sim")
    demo = seed_demo(sim.world, signers=0, webhook_secret=SECRET)
    key = root / "app.pem"
    key.write_text(demo.private_key)
    settings = {"app_id": str(demo.app.id), "private_key_path": str(key), "webhook_secret": SECRET,
                "github_api_url": sim.base_url, "data_dir": str(root / "data"), "workers": "4",
                "mutation_interval": "1.0", "retry_backoff": "0.05", "secondary_rate_wait": "1",
                "log_level": "WARNING"}  # fmt: skip
    logins = [f"signer{i:04d}" for i in range(prs)]
    for login in logins:
        sim.world.add_user(login)
    worker: subprocess.Popen[bytes] | None = None
    try:
        with redis_server(root) if second_process else _nothing() as redis_url:
            if redis_url:
                settings["redis_url"] = redis_url
                env = {k: v for k, v in os.environ.items() if not k.startswith("UNDERSIGNED_")}
                env.update({f"UNDERSIGNED_{k.upper()}": v for k, v in settings.items()})
                env["UNDERSIGNED_DATA_DIR"] = str(root / "worker")
                worker = subprocess.Popen([sys.executable, "-m", "app.cli", "worker", "--threads", "4"], env=env)
            with ServiceProcess(settings, root / "service.log") as service:
                demo.app.webhook_url = service.url
                sim.faults.add("latency", ".*", latency=0.05)
                started = time.monotonic()

                def sign(login: str) -> int:
                    line = LINE.format(name=f"Person {login}", login=login)
                    return int(person(sim, login).sign(demo.repo.full_name, "README.md", line)["number"])

                with concurrent.futures.ThreadPoolExecutor(16) as pool:
                    numbers = list(pool.map(sign, logins))
                wait_until(lambda: all(sim.world.pull(demo.repo, n).merged for n in numbers), 1800, "every PR to land")
                took = time.monotonic() - started
                service.stop_sampling()
            if worker is not None:  # before Redis stops
                worker.terminate()
                worker.wait(30)
        calls = [c for c in sim.faults.log if c.actor.startswith("installation:")]
        writes = [c for c in calls if c.method != "GET" and c.path != "/graphql"]  # a GraphQL query reads
        deliveries = len(sim.webhooks.deliveries)
        return {"prs": prs, "landed_s": round(took, 1), "per_hour": round(prs / took * 3600),
                "requests": round(len(calls) / prs, 2), "mutations": round(len(writes) / prs, 2),
                "deliveries": round(deliveries / prs, 2), "rss_mb": round(service.peak_mb, 1)}  # fmt: skip
    finally:
        if worker is not None and worker.poll() is None:
            worker.terminate()
            worker.wait(30)
        sim.stop()
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def _nothing() -> Iterator[str]:
    yield ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prs", type=int, default=60)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    got = intake(args.seconds)
    print(
        f"intake, one serve: {got['per_s']} deliveries/s accepted (32 connections, each fsynced before its 2xx; "
        f"median {got['p50_ms']:.1f} ms, p99 {got['p99_ms']:.1f} ms)"
    )
    one = landing(args.prs, second_process=False)
    ceiling = BUDGET / one["requests"]
    print(
        f"landing, one serve with 4 workers in its child process (SQLite): {one['prs']} signatures in "
        f"{one['landed_s']} s = {one['per_hour']} signatures/hour; per signature {one['requests']} GitHub requests, "
        f"{one['mutations']} mutating, {one['deliveries']} webhook deliveries; peak RSS {one['rss_mb']} MB"
    )
    print(
        f"GitHub's ceiling for one installation: {BUDGET} requests/hour / {one['requests']} = {ceiling:.0f} "
        f"signatures/hour; pacing (3,600 mutations/hour) / {one['mutations']} = "
        f"{3600 / max(one['mutations'], 0.01):.0f} signatures/hour"
    )
    two = landing(args.prs, second_process=True)
    print(
        f"landing, one serve + one `undersigned worker` (Redis, 8 workers in all): {two['prs']} signatures in "
        f"{two['landed_s']} s = {two['per_hour']} signatures/hour "
        f"({two['per_hour'] / max(one['per_hour'], 1):.2f}x one serve alone)"
    )


if __name__ == "__main__":
    main()
