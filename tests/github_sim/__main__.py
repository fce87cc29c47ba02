"""Run the simulator by hand, e.g.: python -m tests.github_sim --demo --port 8765 --state /tmp/sim.

Add --webhook-url URL --webhook-secret S to have the demo App's webhooks sent to a running undersigned, and
--validate to check every request, response and delivery against GitHub's published contract: GET /_sim/violations
lists what broke it, and so does stderr on exit (the exit code is 3 then)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
import threading
from pathlib import Path

from tests.github_sim import seed_demo
from tests.github_sim.limits import Limits, Policy
from tests.github_sim.server import Simulator
from tests.github_sim.world import World


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.github_sim", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--state", help="folder for repositories and the App key (default: a temporary one)")
    parser.add_argument("--public-url", help="the URL clients reach the simulator at, when behind a proxy")
    parser.add_argument("--demo", action="store_true", help="seed the demo world (letter, App, people)")
    parser.add_argument("--signers", type=int, default=3)
    parser.add_argument("--webhook-url", help="where the App's webhooks go (e.g. http://127.0.0.1:8000/webhooks)")
    parser.add_argument("--webhook-secret", help="the App's webhook secret")
    parser.add_argument("--validate", action="store_true", help="check traffic against GitHub's published contract")
    parser.add_argument("--scale", type=float, default=1.0, help="rate-limit windows last 1/scale of real time")
    parser.add_argument("--no-secondary", action="store_true", help="count GitHub's secondary limits, enforce none")
    args = parser.parse_args()
    state = Path(args.state or tempfile.mkdtemp(prefix="github-sim-"))
    state.mkdir(parents=True, exist_ok=True)
    limits = Limits(Policy(scale=args.scale), secondary=not args.no_secondary)
    sim = Simulator(World(state), args.public_url, args.host, args.port, validate=args.validate, limits=limits)
    info: dict[str, object] = {"base_url": sim.base_url}
    if args.demo:
        demo = seed_demo(sim.world, args.signers, args.webhook_url, args.webhook_secret)
        key_path = state / "app.pem"
        key_path.write_text(demo.private_key)
        key_path.chmod(0o600)
        info = demo.description(sim, key_path)
    sim.start()
    print(json.dumps(info), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    sim.stop()
    if sim.contract is not None and sim.contract.violations:
        print(sim.contract.report(), file=sys.stderr, flush=True)
        sys.exit(3)


if __name__ == "__main__":
    main()
