"""The deployment drill: deploy/compose.yaml up (Redis, two serve replicas behind Caddy, two workers) against
the simulator on this host; 50 signers at once; one serve replica and one worker killed mid-burst, Redis
killed and started again (AOF). Every signature lands exactly once, and every delivery answered 2xx reached
the queue. Prints the figures. Run by .ci/compose-drill, which makes the images and sets podman up."""

from __future__ import annotations

import argparse
import hmac
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx

from tests import compose_bridge
from tests.e2e.landing_support import REPO, assert_landed_exactly_once, burst
from tests.github_sim import Simulator, seed_demo, start
from tests.github_sim.webhooks import Delivery

ROOT = Path(__file__).resolve().parent.parent
SECRET = "drill-webhook-secret"
SIGNERS = 50
# Fast enough for a drill of a few minutes: the simulator has no write pacing, a dead worker's job is taken
# over after 4 s, and reconciliation with redelivery of failed deliveries runs every 15 s.
TUNING = {
    "UNDERSIGNED_MUTATION_INTERVAL": "0",
    "UNDERSIGNED_CONTENT_PER_HOUR": "0",  # unpaced, without a content budget (issue 21), as the other drills
    "UNDERSIGNED_LANDING_GAP": "0",
    "UNDERSIGNED_RETRY_BACKOFF": "0.05",
    "UNDERSIGNED_SECONDARY_RATE_WAIT": "1",
    "UNDERSIGNED_CONFIG_TTL": "0",
    "UNDERSIGNED_JOB_LEASE": "4",
    "UNDERSIGNED_RECONCILE_MINUTES": "0.25",
    "UNDERSIGNED_LOG_LEVEL": "WARNING",
}
APP_SERVICES = ("serve-1", "serve-2", "worker-1", "worker-2")
SERVICES = ("redis", *APP_SERVICES, "proxy")


def say(text: str) -> None:
    print(f"compose drill: {text}", flush=True)


def free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def host_address() -> str:
    """This host's address on its default route: the containers reach it through their network's gateway."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
        return str(s.getsockname()[0])


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if condition():
                return time.monotonic() - started
        except (httpx.HTTPError, OSError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"compose drill failed: timed out after {timeout:.0f} s waiting for {what}")


class Deployment:
    """The compose project, driven through `podman compose` (podman-compose) and podman."""

    def __init__(self, files: list[str], env: dict[str, str], project: str) -> None:
        self.files, self.env, self.project = files, env, project
        self.network = f"{project}_default"  # podman-compose's name for the project's network
        self.bridge = self.mac = ""

    def compose(self, *args: str) -> None:
        command = ["podman-compose", "-p", self.project, *(a for f in self.files for a in ("-f", f)), *args]
        done = subprocess.run(command, env=self.env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"compose drill failed: {' '.join(args)}: {(done.stderr or done.stdout)[-2000:]}")

    def container(self, service: str) -> str:
        return f"{self.project}_{service}_1"  # podman-compose's names

    def podman(self, *args: str) -> str:
        done = subprocess.run(["podman", *args], env=self.env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"compose drill failed: podman {' '.join(args)}: {done.stderr[-1000:]}")
        return done.stdout

    def pin_bridge(self) -> None:
        """Pins the network bridge's MAC address (tests/compose_bridge.py says why)."""
        containers = [self.container(s) for s in SERVICES]
        self.bridge, self.mac = compose_bridge.pin(self.network, containers, self.env)

    def bridge_report(self) -> str:
        """The bridge's address now and as pinned, and the containers' ARP entries (a failure's log)."""
        if not self.bridge:
            return "bridge not pinned"
        now = compose_bridge.mac_of(self.bridge)
        arp = compose_bridge.gateway_entries([self.container(s) for s in SERVICES], self.env)
        return f"bridge {self.bridge}: {now}, pinned {self.mac}\n{arp}"

    def kill(self, service: str) -> None:
        self.podman("kill", "--signal", "KILL", self.container(service))

    def start(self, service: str) -> None:
        self.podman("start", self.container(service))

    def healthy(self, service: str) -> bool:
        """Runs the service's own health check now (podman runs them on a timer only under systemd); unhealthy
        after three failures in a row, as compose.yaml's `retries` says."""
        for _ in range(3):
            command = ["podman", "healthcheck", "run", self.container(service)]
            done = subprocess.run(command, env=self.env, capture_output=True, text=True, check=False)
            if done.returncode == 0:
                return True
            say(f"{service}: health check failed ({(done.stdout + done.stderr).strip()[-300:]})")
            time.sleep(2)
        return False

    def readyz(self, service: str) -> str:
        """What a serve replica's /readyz says, from inside its container."""
        code = "import urllib.request as u, urllib.error as e\ntry: print(u.urlopen('http://127.0.0.1:8000/readyz').read())\n"
        code += "except e.HTTPError as x: print(x.code, x.read())"
        done = subprocess.run(["podman", "exec", self.container(service), "python", "-c", code], env=self.env,
                              capture_output=True, text=True, check=False)  # fmt: skip
        return (done.stdout + done.stderr).strip()

    def redis(self, *args: str) -> str:
        return self.podman("exec", self.container("redis"), "redis-cli", "--raw", *args).strip()

    def logs(self, service: str, lines: int = 15) -> str:
        done = subprocess.run(["podman", "logs", "--tail", str(lines), self.container(service)], env=self.env,
                              capture_output=True, text=True, check=False)  # fmt: skip
        return done.stdout + done.stderr


def proxy_errors(log: str) -> dict[str, int]:
    """Caddy's error lines (JSON, one a line), counted by message and upstream error."""
    found: Counter[str] = Counter()
    for line in log.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("level") == "error":
            found[f"{entry.get('msg')}: {str(entry.get('error', ''))[:80]}"] += 1
    return dict(found)


def accepted(delivery: Delivery) -> bool:
    """Answered 2xx with jobs to queue (ignored events and duplicates carry none)."""
    if not 200 <= delivery.status_code < 300:
        return False
    try:
        body = json.loads(delivery.response)
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("status") == "accepted" and int(body.get("jobs", 0)) > 0


def drill(sim: Simulator, deploy: Deployment, public: str, initial: str) -> dict[str, object]:
    figures: dict[str, object] = {}
    began = time.monotonic()
    deploy.compose("up", "-d")
    figures["up_s"] = round(time.monotonic() - began, 1)
    deploy.pin_bridge()
    if deploy.bridge:
        say(f"pinned the MAC address of {deploy.network}'s bridge {deploy.bridge} ({deploy.mac})")
    else:
        say(f"{deploy.network}'s bridge is not on this host's network (rootless podman): its MAC is not pinned")
    wait_for(lambda: httpx.get(public + "/healthz", timeout=2).status_code == 200, 120, "the proxy to answer")
    ready = wait_for(
        lambda: httpx.get(public + "/readyz", timeout=2).json()["workers"]["alive"] == 2, 120, "both workers to beat"
    )
    figures["ready_s"] = round(time.monotonic() - began, 1)
    say(f"up in {figures['up_s']} s, answering with two workers on the roster {ready:.1f} s later")
    unhealthy = [s for s in SERVICES if not deploy.healthy(s)]
    assert not unhealthy, f"health checks failing after start: {unhealthy}"

    numbers: list[int] = []
    signers = threading.Thread(target=lambda: numbers.extend(burst(sim, SIGNERS)), daemon=True)
    t0 = time.monotonic()
    signers.start()
    wait_for(lambda: sum(accepted(d) for d in sim.webhooks.deliveries) >= 12, 120, "the burst to start")
    deploy.kill("serve-1")
    deploy.kill("worker-1")
    killed = sum(1 for d in sim.webhooks.deliveries if 200 <= d.status_code < 300)
    say(f"killed serve-1 and worker-1 (kill -9) after {killed} deliveries answered 2xx")
    time.sleep(2)
    deploy.kill("redis")
    time.sleep(1)
    deploy.start("redis")
    say("killed Redis (kill -9) and started it again from its AOF")
    time.sleep(4)
    for service in ("serve-1", "worker-1"):
        deploy.start(service)  # as its restart policy would, where podman runs under systemd
    signers.join(300)
    assert len(numbers) == SIGNERS, f"only {len(numbers)} of {SIGNERS} PRs were opened"
    repo = sim.world.repo(REPO)
    landed = wait_for(lambda: all(sim.world.pull(repo, n).merged for n in numbers), 240, "every PR to land")
    figures["all_landed_s"] = round(time.monotonic() - t0, 1)

    deliveries = list(sim.webhooks.deliveries)
    ok = [d for d in deliveries if accepted(d)]
    # Intake remembers a delivery by its body's HMAC, not its GUID (a replay under a fresh GUID is the same body).
    guids = sorted({"b" + hmac.new(SECRET.encode(), d.body, "sha256").hexdigest() for d in ok})
    present = int(deploy.redis("EXISTS", *(f"undersigned:kv:delivery:{g}" for g in guids)))
    statuses = Counter(str(d.status_code) for d in deliveries)
    figures.update(
        signatures=SIGNERS,
        deliveries=len(deliveries),
        answered=dict(sorted(statuses.items())),
        accepted=len(guids),
        accepted_on_queue=present,
        redelivered=sum(1 for d in deliveries if d.redelivery),
        refused=dict(
            Counter(f"{d.status_code} {d.status} {d.response[:80]}" for d in deliveries if d.status_code != 202)
        ),
        landed_after_burst_s=round(landed, 1),
    )
    figures["proxy_errors"] = proxy_errors(deploy.logs("proxy", 100000))
    figures["bridge_mac_kept"] = not deploy.bridge or compose_bridge.mac_of(deploy.bridge) == deploy.mac
    assert figures["bridge_mac_kept"], f"the bridge's MAC address changed: {deploy.bridge_report()}"
    assert present == len(guids), f"{len(guids) - present} deliveries answered 2xx never reached the queue"
    assert_landed_exactly_once(sim, numbers, initial)
    heads = {sim.world.pull(repo, n).head_sha for n in numbers}
    per_head = Counter(r.head_sha for r in sim.world.check_runs.values() if r.head_sha in heads)
    assert not per_head or max(per_head.values()) == 1, "two check runs on one head"
    per_pr = Counter(c.number for c in sim.world.comments.values() if c.user.type == "Bot")
    assert not per_pr or max(per_pr.values()) <= 1, "two comments of ours on one PR"
    wait_for(lambda: httpx.get(public + "/readyz", timeout=2).json()["workers"]["alive"] == 2, 60, "both workers back")
    unhealthy = [s for s in SERVICES if not deploy.healthy(s)]
    for service in ("serve-1", "serve-2"):
        say(f"{service} /readyz: {deploy.readyz(service)[:600]}")
    assert not unhealthy, f"health checks failing after the drill: {unhealthy}"
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--image", default="localhost/undersigned:smoke", help="the undersigned image to run")
    parser.add_argument("--debian", action="store_true", help="Redis and Caddy built from Debian (deploy/debian.yaml)")
    args = parser.parse_args(argv)
    host = host_address()  # the simulator listens there (not on every interface): the containers reach it
    sim_port, public_port = free_port(host), free_port("127.0.0.1")
    project = f"{os.environ.get('DRILL_PROJECT', 'undersigned-drill')}-{os.getpid()}"  # a name of one's own
    with tempfile.TemporaryDirectory(prefix="undersigned-drill-") as tmp:
        root = Path(tmp)
        sim = start(root / "sim", f"http://{host}:{sim_port}", host, sim_port, validate=False)
        public = f"http://127.0.0.1:{public_port}"
        demo = seed_demo(sim.world, signers=0, webhook_url=f"http://{host}:{public_port}/webhooks",
                         webhook_secret=SECRET)  # fmt: skip
        secrets = root / "secrets"
        secrets.mkdir()
        (secrets / "app.pem").write_text(demo.private_key)
        (secrets / "webhook-secret").write_text(SECRET + "\n")
        for path in secrets.iterdir():  # readable by the image's user (uid 10001) only
            path.chmod(0o400)
            if os.geteuid() == 0:
                os.chown(path, 10001, 10001)
            else:
                path.chmod(0o444)
        tuning = root / "drill.yaml"  # an override: JSON is YAML
        tuning.write_text(json.dumps({"services": {s: {"environment": TUNING} for s in APP_SERVICES}}))
        files = [str(ROOT / "deploy" / "compose.yaml")]
        files += [str(ROOT / "deploy" / "debian.yaml")] if args.debian else []
        env = dict(os.environ, UNDERSIGNED_IMAGE=args.image, UNDERSIGNED_APP_ID=str(demo.app.id),
                   UNDERSIGNED_GITHUB_API_URL=sim.base_url, UNDERSIGNED_SECRETS_DIR=str(secrets),
                   UNDERSIGNED_PUBLIC_PORT=str(public_port))  # fmt: skip
        deploy = Deployment([*files, str(tuning)], env, project)
        initial = sim.world.repo(REPO).git.ref("refs/heads/main")
        assert initial is not None
        passed = False
        try:
            figures = drill(sim, deploy, public, initial)
            passed = True
        finally:
            if not passed:
                for service in SERVICES:
                    print(f"--- {service} ---\n{deploy.logs(service)}", file=sys.stderr)
                print(f"--- network ---\n{deploy.bridge_report()}", file=sys.stderr)
            if not os.environ.get("DRILL_KEEP"):  # DRILL_KEEP=1: left up to look at (then `down -v`)
                deploy.compose("down", "-v")
                # podman-compose 1.0 leaves the project's network behind; left over, they pile up run after run.
                subprocess.run(
                    ["podman", "network", "rm", "-f", f"{project}_default"], capture_output=True, check=False
                )
            sim.stop()
    say(json.dumps(figures))
    answered = figures["answered"]
    say(
        f"passed: {SIGNERS} of {SIGNERS} signatures landed exactly once in {figures['all_landed_s']} s; "
        f"{figures['accepted_on_queue']} of {figures['accepted']} deliveries answered 2xx reached the queue; "
        f"{figures['deliveries']} deliveries ({answered}), {figures['redelivered']} redelivered"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
