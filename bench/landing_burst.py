"""Launch day: a burst of signature PRs against one letter, 50 ms of latency on every GitHub call.

Run: python -m bench.landing_burst [--prs 300] [--pacing off|on|both]
The simulator runs here; undersigned runs as its own process (`undersigned serve`: intake and job workers),
so its resident memory is its own (summed with its two small intake child processes). Prints, per run: time
until all landed, requests and mutating requests per signature (the App's own), check runs posted, whether
every signer has an outcome (merged, or a check run on the head), and the service's RSS (idle, peak of
samples every 50 ms, and the sum of the processes' high-water marks).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from bench.service_process import ServiceProcess
from tests.github_sim import Simulator, person, seed_demo, start
from tests.github_sim.models import Repository
from tests.service import SECRET, wait_until

LINE = "-  {name} [@{login}](https://github.com/{login})"


def run(prs: int, pacing: float, latency: float = 0.05) -> dict[str, float | str]:
    root = Path(tempfile.mkdtemp(prefix="burst-"))
    sim = start(root / "sim")
    demo = seed_demo(sim.world, signers=0, webhook_secret=SECRET)
    key = root / "app.pem"
    key.write_text(demo.private_key)
    # Production settings, but for the pacing under test (and quick retries, as in the tests).
    settings = {
        "app_id": str(demo.app.id),
        "private_key_path": str(key),
        "webhook_secret": SECRET,
        "github_api_url": sim.base_url,
        "data_dir": str(root / "data"),
        "mutation_interval": str(pacing),
        "workers": "4",
        "config_ttl": "60",
        "retry_backoff": "0.05",
        "secondary_rate_wait": "1",
        "http_timeout": "10",
        "log_level": "WARNING",
    }
    repo = demo.repo
    logins = [f"signer{i:04d}" for i in range(prs)]
    for login in logins:
        sim.world.add_user(login)
    try:
        with ServiceProcess(settings, root / "service.log") as service:
            demo.app.webhook_url = service.url
            sim.faults.add("latency", ".*", latency=latency)
            started = time.monotonic()

            def sign(login: str) -> int:
                line = LINE.format(name=f"Person {login}", login=login)
                return int(person(sim, login).sign(repo.full_name, "README.md", line)["number"])

            progress = Progress(sim, repo, started)
            with concurrent.futures.ThreadPoolExecutor(16) as pool:
                numbers = list(pool.map(sign, logins))
            opened = time.monotonic() - started
            wait_until(lambda: all(sim.world.pull(repo, n).merged for n in numbers), 1800, "every PR to land")
            landed = time.monotonic() - started
            service.stop_sampling()
            progress.stop()
        app_calls = [c for c in sim.faults.log if c.actor.startswith("installation:")]
        writes = [c for c in app_calls if c.method != "GET" and c.path != "/graphql"]  # a GraphQL query reads
        text = repo.git.read_path("refs/heads/main", "README.md")
        assert text is not None
        once = all(text[1].decode().count(f"[@{login}]") == 1 for login in logins)
        checked = {r.head_sha for r in sim.world.check_runs.values()}
        pulls = [sim.world.pull(repo, n) for n in numbers]
        outcomes = sum(1 for p in pulls if p.merged or p.head_sha in checked)
        waits = sorted((p.merged_at or 0) - p.created_at for p in pulls)
        kinds = Counter(f"{c.method} {_shape(c.path)}" for c in app_calls)
        breakdown = ", ".join(f"{k}: {v / prs:.2f}" for k, v in kinds.most_common())
        return {
            "breakdown_per_signature": breakdown,
            "progress": " ".join(progress.marks),
            "prs": prs,
            "opened_s": round(opened, 1),
            "all_landed_s": round(landed, 1),
            "requests_per_signature": round(len(app_calls) / prs, 2),
            "mutations_per_signature": round(len(writes) / prs, 2),
            "landing_commits": sum(1 for c in writes if c.path.endswith(("/git/commits", "/merge"))),
            "check_runs": len(sim.world.check_runs),
            "exactly_once": float(once),
            "wait_p50_s": round(waits[len(waits) // 2], 1),
            "wait_max_s": round(waits[-1], 1),
            "with_outcome": outcomes,
            "rss_idle_mb": round(service.idle_mb, 1),
            "rss_peak_mb": round(service.peak_mb, 1),
            "rss_hwm_mb": round(service.hwm_mb, 1),
        }
    finally:
        sim.stop()


class Progress:
    """Every 10 s: PRs opened, evaluated (compared by the App) and merged, as "t:opened/evaluated/merged"."""

    def __init__(self, sim: Simulator, repo: Repository, started: float) -> None:
        self.sim, self.repo, self.started, self.marks = sim, repo, started, list[str]()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.done.wait(10):
            pulls = [p for p in list(self.sim.world.pulls.values()) if p.repo is self.repo]
            compared = sum(1 for c in list(self.sim.faults.log) if "/compare/" in c.path)
            merged = sum(1 for p in pulls if p.merged)
            self.marks.append(f"{time.monotonic() - self.started:.0f}:{len(pulls)}/{compared}/{merged}")

    def stop(self) -> None:
        self.done.set()
        self.thread.join()


def _shape(path: str) -> str:
    """/repos/o/r/pulls/12 -> /pulls/N, for grouping requests by endpoint."""
    parts = path.split("/")[4:] if path.startswith("/repos/") else path.split("/")[1:]
    if parts and parts[0] == "compare":
        return "/compare/BASE...HEAD"
    return "/" + "/".join("N" if p.isdigit() or len(p) == 40 else p for p in parts[:2])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prs", type=int, default=300)
    parser.add_argument("--pacing", choices=["off", "on", "both"], default="both")
    args = parser.parse_args()
    modes = {"off": [0.0], "on": [1.0], "both": [0.0, 1.0]}[args.pacing]
    for pacing in modes:
        figures = run(args.prs, pacing)
        label = f"pacing {'on (1 s between mutations)' if pacing else 'off'}"
        breakdown = figures.pop("breakdown_per_signature")
        progress = figures.pop("progress")
        print(f"{label}: " + ", ".join(f"{k}={v}" for k, v in figures.items()), flush=True)
        print(f"  requests per signature by endpoint: {breakdown}", flush=True)
        print(f"  progress (s:opened/evaluated/merged): {progress}", flush=True)
    print(
        "targets: every PR lands once and every signer has an outcome; with pacing, all landed < 240 s and"
        " <= 0.8 mutations per signature; the service's RSS <= 150 MB"
    )


if __name__ == "__main__":
    main()
