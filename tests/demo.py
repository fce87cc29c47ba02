"""`make demo`: the simulator's world and undersigned together; three signers open a valid, an invalid and
a conflicting signature PR, and the demo prints what happened, with links that work while it runs.

python -m tests.demo [--sim-port 8765] [--port 8000] [--state data/demo] [--exit]"""

from __future__ import annotations

import argparse
import shutil
import signal
import threading
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from app.settings import Settings
from tests.github_sim import Simulator, World, person, seed_demo
from tests.service import Service, settle

LINE = "-  {name} [@{login}](https://github.com/{login})"
SECRET = "demo-webhook-secret"
# (login, what they do, the line they add)
SIGNERS = [
    ("ada", "valid", LINE.format(name="Ada Lovelace", login="ada")),
    ("grace", "invalid", "- Grace Hopper @grace"),
    ("linus", "conflicting", LINE.format(name="Linus Torvalds", login="linus")),
]


def start(state: Path, sim_port: int, port: int) -> tuple[Simulator, Any, Service]:
    shutil.rmtree(state, ignore_errors=True)  # a fresh world each time: the demo's own folder only
    state.mkdir(parents=True)
    # Checked against GitHub's published contract as it runs: the report says how it went.
    sim = Simulator(World(state / "github"), port=sim_port, validate=True).start()
    demo = seed_demo(sim.world, signers=3, webhook_url=None, webhook_secret=SECRET)
    client_id, client_secret = sim.oauth.credentials(demo.app)  # the signing page's OAuth client
    sim.world.add_user("margaret", name="Margaret Hamilton")  # who has not signed yet: try the signing page
    settings = Settings(
        client_id=client_id,
        client_secret=SecretStr(client_secret),
        app_id=demo.app.id,
        private_key=SecretStr(demo.private_key),
        webhook_secret=SecretStr(SECRET),
        github_api_url=sim.base_url,
        data_dir=state / "service",
        port=port,
        workers=2,
        mutation_interval=0,
    )
    service = Service(settings, port=port).start()
    demo.app.webhook_url = service.url
    settle(sim, service)
    return sim, demo, service


def act(sim: Simulator, demo: Any, service: Service) -> list[dict[str, Any]]:
    """The three PRs, opened while the workers wait, so the valid and the conflicting one race to land."""
    repo = demo.repo.full_name
    service.runtime.queue.stop_consumer()
    opened = []
    for login, kind, line in SIGNERS:
        pr = person(sim, login).sign(repo, "README.md", line)
        opened.append({"login": login, "kind": kind, "number": int(pr["number"]), "html_url": pr["html_url"]})
    assert sim.webhooks.wait(30)
    service.fed()
    service.runtime.queue.start_consumer(service.settings.workers)
    settle(sim, service, timeout=60)
    return opened


def report(sim: Simulator, demo: Any, service: Service, opened: list[dict[str, Any]]) -> str:
    world, repo = sim.world, demo.repo
    out = [f"undersigned demo: GitHub (simulated) at {sim.base_url}, undersigned at {service.base}", ""]
    for item in opened:
        pr = world.pull(repo, item["number"])
        runs = [r for r in world.check_runs.values() if r.repo is repo and r.head_sha == pr.head_sha]
        if runs:
            check = f"{runs[-1].conclusion}: {runs[-1].output.get('title')}"
        else:  # a valid signature that landed shows merged: that is its outcome, no check is posted
            check = "merged" if pr.merged else "no check yet"
        if pr.merged and pr.merge_commit_sha:
            outcome = f"landed in {sim.base_url}/{repo.full_name}/commit/{pr.merge_commit_sha}"
        else:
            outcome = "still open: the check and one comment tell the signer what to change"
        if item["kind"] == "conflicting":
            first = world.pull(repo, opened[0]["number"])
            if repo.git.merge_tree(first.head_sha, pr.head_sha) is None:  # both add the last line of the list
                outcome += f" (it conflicts with #{first.number}; undersigned resolved it)"
        out += [
            f"  {item['login']:<6} #{item['number']} ({item['kind']}): {check}",
            f"         {outcome}",
            f"         {item['html_url']}",
        ]
    out += [
        "",
        f"The letter:  {sim.base_url}/{repo.full_name}/blob/{repo.default_branch}/README.md",
        f"Sign with GitHub: {service.base}/sign/{repo.full_name}  (sign in as margaret; ada can amend or withdraw)",
        f"Status page: {service.base}/",
    ]
    found = sim.contract.violations if sim.contract is not None else []
    out.insert(1, f"GitHub's published contract: {len(found)} violation(s) in the demo's traffic")
    out[2:2] = [f"  {v}" for v in found[:20]]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.demo", description=__doc__)
    parser.add_argument("--sim-port", type=int, default=8765, help="the simulator's port (0: a free one)")
    parser.add_argument("--port", type=int, default=8000, help="undersigned's port (0: a free one)")
    parser.add_argument("--state", default="data/demo", help="the demo's folder (wiped at start)")
    parser.add_argument("--exit", action="store_true", help="stop after printing instead of serving the links")
    args = parser.parse_args()
    sim, demo, service = start(Path(args.state), args.sim_port, args.port)
    try:
        print(report(sim, demo, service, act(sim, demo, service)), flush=True)
        if args.exit:
            return
        print("\nPress Ctrl-C to stop.", flush=True)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        stop.wait()
    finally:
        service.stop()
        sim.stop()


if __name__ == "__main__":
    main()
