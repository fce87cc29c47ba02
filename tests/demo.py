"""`make demo`: the simulator's world and undersigned together; three signers open a valid, an invalid and
a conflicting signature PR, and the demo prints what happened, with links that work while it runs.

python -m tests.demo [--port 8000] [--sim-port 8765] [--state data/demo] [--exit]
(`make demo DEMO_ARGS='--port 0'`: both on free ports, beside a demo or `make run` already running)"""

# ruff: noqa: E402 (Ctrl-C is handled before the slow imports)
from __future__ import annotations

import os
import signal


def _quit_at_once(*_: object) -> None:
    os.write(2, b"\nmake demo: stopped\n")
    os._exit(130)


# Ctrl-C in the first seconds (the imports and the start take several on a busy machine, and a KeyboardInterrupt
# raised inside them was lost: the demo went on): stop at once, there is nothing to save yet.
signal.signal(signal.SIGINT, _quit_at_once)

import argparse
import fcntl
import shutil
import socket
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

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


WAY_OUT = "make demo DEMO_ARGS='--port 0'"
EXIT_BUSY = 3  # as `undersigned serve` when its port is taken


def taken(ports: list[int]) -> int | None:
    """The first of these ports another process listens on (0: any free port, never taken)."""
    for port in ports:
        if port == 0:
            continue
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                return port
    return None


def claim(state: Path) -> int | None:
    """An exclusive lock beside the demo's folder, held while the demo runs; None if another demo holds it."""
    state.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(state.parent / f".{state.name}.lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def stop_now(code: int, text: str) -> NoReturn:
    print(f"make demo: {text}", file=sys.stderr, flush=True)
    raise SystemExit(code)


def start(state: Path, sim_port: int, port: int, running: list[Callable[[], None]]) -> tuple[Simulator, Any, Service]:
    """Start the world; what is started goes on `running`, so that Ctrl-C at any point stops it."""
    shutil.rmtree(state, ignore_errors=True)  # a fresh world each time: the demo's own folder only
    state.mkdir(parents=True)
    # Checked against GitHub's published contract as it runs: the report says how it went.
    sim = Simulator(World(state / "github"), port=sim_port, validate=True)
    running.append(sim.stop)
    sim.start()
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
        landing_gap=0,  # the demo's signatures land at once, one by one
    )
    service = Service(settings, port=port)
    running.append(service.stop)
    service.start()
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


def interrupt(*_: object) -> None:
    if signal.getsignal(signal.SIGINT) is _quit_at_once:
        _quit_at_once(signal.SIGTERM, None)
    raise KeyboardInterrupt  # SIGTERM stops the demo as Ctrl-C does


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.demo", description=__doc__)
    parser.add_argument(
        "--port", type=int, default=8000, help="undersigned's port (0: a free one, and for the simulator)"
    )
    parser.add_argument("--sim-port", type=int, default=None, help="the simulator's port (default 8765; 0: a free one)")
    parser.add_argument("--state", default="data/demo", help="the demo's folder (wiped at start)")
    parser.add_argument("--exit", action="store_true", help="stop after printing instead of serving the links")
    args = parser.parse_args()
    sim_port = args.sim_port if args.sim_port is not None else (0 if args.port == 0 else 8765)
    state = Path(args.state)
    signal.signal(signal.SIGTERM, interrupt)
    # Nothing is touched before both ports and the folder are known to be free: a second demo leaves the first be.
    busy = taken([args.port, sim_port])
    if busy is not None:
        stop_now(EXIT_BUSY, f"port {busy} is in use (another demo, or `make run`?); nothing was touched: {WAY_OUT}")
    lock = claim(state)
    if lock is None and args.state == "data/demo" and args.port == 0:
        state = Path(f"data/demo-{os.getpid()}")  # beside a running demo: a folder of its own
        lock = claim(state)
    if lock is None:
        stop_now(EXIT_BUSY, f"another demo uses {state}; nothing was touched: {WAY_OUT}")
    running: list[Callable[[], None]] = []
    try:
        sim, demo, service = start(state, sim_port, args.port, running)
        print(report(sim, demo, service, act(sim, demo, service)), flush=True)
        if not args.exit:
            signal.signal(signal.SIGINT, signal.default_int_handler)  # from now on, a graceful stop
            print("\nPress Ctrl-C to stop.", flush=True)
            threading.Event().wait()
    except KeyboardInterrupt:
        print("\nmake demo: stopping", file=sys.stderr, flush=True)
    finally:
        signal.signal(signal.SIGINT, _quit_at_once)  # a second Ctrl-C while stopping: out at once
        for stop in reversed(running):
            stop()
        if state != Path(args.state):
            shutil.rmtree(state, ignore_errors=True)
        os.close(lock)


if __name__ == "__main__":
    main()
