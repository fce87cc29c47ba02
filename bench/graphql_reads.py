"""REST against GraphQL batch reads: the same burst of signature PRs, read each way, against GitHub's enforced limits.

Run: python -m bench.graphql_reads [--prs 200] [--lone 8]
The simulator runs here (every limit enforced, 50 ms of latency on every call); undersigned runs as its own
process with production settings (1 s between mutations, a landing every 30 s at most; the letter's thank-you
comments off, see CONFIG), once with
UNDERSIGNED_GRAPHQL_READS off and once on. Prints, per mode:
- burst: N PRs opened at once; REST requests and GraphQL queries and points per valid signature (the App's own,
  reads included), REST reads by endpoint, limit hits, and each signer's time to outcome (opened to merged);
- lone: PRs opened one at a time, each landing (landing gap 0) before the next: a lone PR's time to outcome.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.landing_burst import LINE, _shape
from bench.service_process import ServiceProcess
from tests.github_sim import Simulator, person, seed_demo, start
from tests.github_sim.demo import DEMO_CONFIG
from tests.service import SECRET, wait_until

Figures = dict[str, float | str]
# The demo letter without the thank-you comment (one content-creating write per landed signer, issue 22): the
# content budget (70 at once, 400 an hour) would otherwise pace a burst of 200 for half an hour, the same for
# both modes; reads are what this bench compares.
CONFIG = DEMO_CONFIG + "report:\n  thank_you: false\n"


def settings_for(sim: Simulator, root: Path, app_id: int, *, graphql: bool, gap: float) -> dict[str, str]:
    return {
        "app_id": str(app_id),
        "private_key_path": str(root / "app.pem"),
        "webhook_secret": SECRET,
        "github_api_url": sim.base_url,
        "data_dir": str(root / "data"),
        "mutation_interval": "1",
        "landing_gap": str(gap),
        "workers": "4",
        "config_ttl": "60",
        "retry_backoff": "0.05",
        "http_timeout": "10",
        "log_level": "WARNING",
        "graphql_reads": "true" if graphql else "false",
    }


def run(prs: int, *, graphql: bool, lone: bool, latency: float = 0.05) -> Figures:
    root = Path(tempfile.mkdtemp(prefix="graphql-reads-"))
    sim = start(root / "sim")
    demo = seed_demo(sim.world, signers=0, webhook_secret=SECRET, config=CONFIG)
    (root / "app.pem").write_text(demo.private_key)
    repo = demo.repo
    logins = [f"signer{i:04d}" for i in range(prs)]
    for login in logins:
        sim.world.add_user(login)

    def sign(login: str) -> int:
        line = LINE.format(name=f"Person {login}", login=login)
        return int(person(sim, login).sign(repo.full_name, "README.md", line)["number"])

    try:
        settings = settings_for(sim, root, demo.app.id, graphql=graphql, gap=0 if lone else 30)
        with ServiceProcess(settings, root / "service.log") as service:
            demo.app.webhook_url = service.url
            sim.faults.add("latency", ".*", latency=latency)
            started = time.monotonic()
            if lone:
                numbers = []
                for login in logins:
                    numbers.append(sign(login))
                    wait_until(lambda: sim.world.pull(repo, numbers[-1]).merged, 120, "the lone PR to land")
            else:
                with concurrent.futures.ThreadPoolExecutor(16) as pool:
                    numbers = list(pool.map(sign, logins))
                wait_until(lambda: all(sim.world.pull(repo, n).merged for n in numbers), 1800, "every PR to land")
            landed = time.monotonic() - started
        return figures(sim, numbers, landed)
    finally:
        sim.stop()


def figures(sim: Simulator, numbers: list[int], landed: float) -> Figures:
    calls = [c for c in sim.faults.log if c.actor.startswith("installation:")]
    rest = [c for c in calls if c.path != "/graphql"]
    queries = len(calls) - len(rest)
    points = sum(v for k, v in sim.limits.used.items() if k.startswith("graphql:installation:"))
    repo = next(iter(sim.world.pulls.values())).repo
    pulls = [sim.world.pull(repo, n) for n in numbers]
    waits = sorted((p.merged_at or 0) - p.created_at for p in pulls)
    n = len(numbers)
    reads = Counter(f"{_shape(c.path)}" for c in rest if c.method == "GET")
    return {
        "prs": n,
        "all_landed_s": round(landed, 1),
        "rest_per_valid": round(len(rest) / n, 2),
        "rest_reads_per_valid": round(sum(reads.values()) / n, 2),
        "graphql_queries_per_valid": round(queries / n, 3),
        "graphql_points_per_valid": round(points / n, 3),
        "requests_per_valid": round(len(calls) / n, 2),
        "outcome_p50_s": round(waits[n // 2], 1),
        "outcome_p99_s": round(waits[min(n - 1, (99 * n) // 100)], 1),
        "outcome_max_s": round(waits[-1], 1),
        "primary_hits": sim.limits.tally.primary,
        "secondary_hits": sim.limits.tally.secondary,
        "reads": ", ".join(f"{k}: {v / n:.2f}" for k, v in reads.most_common(6)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prs", type=int, default=200, help="PRs in the burst")
    parser.add_argument("--lone", type=int, default=8, help="PRs opened one at a time (0: skip)")
    parser.add_argument("--modes", default="rest,graphql", help="rest, graphql or both (the default)")
    args = parser.parse_args()
    modes = [m == "graphql" for m in args.modes.split(",")]
    for lone, count in ((False, args.prs), (True, args.lone)):
        if not count:
            continue
        for graphql in modes:
            found = run(count, graphql=graphql, lone=lone)
            reads = found.pop("reads")
            label = f"{'lone' if lone else 'burst'} {'graphql' if graphql else 'rest'}"
            print(f"{label}: " + ", ".join(f"{k}={v}" for k, v in found.items()), flush=True)
            print(f"  REST reads per valid signature by endpoint: {reads}", flush=True)


if __name__ == "__main__":
    main()
