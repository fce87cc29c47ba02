"""Webhook intake latency: one delivery at a time, each answered only once it is fsynced, no GitHub call.

Run: python -m bench.intake_speed [--seconds 10]   (target: milliseconds; GitHub gives up after 10 s)

The service runs as its own process (`undersigned serve`, data on disk) and bench.loadgen drives it from
another, over one keep-alive connection. (This bench used to run the service in a thread of its own process
and time an httpx client there: the ~44 ms it printed was mostly its own client waiting for the GIL.)
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench.intake_vs_probot import ROOT, load, undersigned


def main(seconds: float) -> None:
    with tempfile.TemporaryDirectory(dir=ROOT / "bench") as data, undersigned(Path(data)) as url:
        got = load(url, ["closed", "--conns", "1"], seconds)
    print(
        f"intake: {got['answered']} deliveries one at a time, median {got['p50_ms']:.2f} ms, "
        f"p99 {got['p99_ms']:.2f} ms, max {got['max_ms']:.2f} ms (each fsynced before its 2xx), "
        f"{got['accepted_per_s']:.0f}/s"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    main(parser.parse_args().seconds)
