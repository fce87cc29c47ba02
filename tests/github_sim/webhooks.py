"""Webhook deliveries: GitHub-shaped payloads, signed with X-Hub-Signature-256, sent from a thread."""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.github_sim.contract import Contract
from tests.github_sim.faults import Faults
from tests.github_sim.models import Installation
from tests.github_sim.shapes import Shapes
from tests.github_sim.world import World


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_sha1(secret: str, body: bytes) -> str:
    # X-Hub-Signature: GitHub still sends the legacy SHA-1 HMAC beside the SHA-256 one.
    return "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


@dataclass
class Delivery:
    id: int
    guid: str
    event: str
    action: str | None
    installation_id: int | None
    repository_id: int | None
    body: bytes
    url: str | None
    secret: str | None
    hook_id: int
    app_id: int
    redelivery: bool = False
    status_code: int = 0
    status: str = "pending"
    delivered_at: float = 0.0
    duration: float = 0.0
    response: str = ""

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "guid": self.guid,
            "delivered_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.delivered_at)),
            "redelivery": self.redelivery,
            "duration": round(self.duration, 3),
            "status": self.status,
            "status_code": self.status_code,
            "event": self.event,
            "action": self.action,
            "installation_id": self.installation_id,
            "repository_id": self.repository_id,
        }


@dataclass
class WebhookSender:
    world: World
    shapes: Shapes
    faults: Faults
    contract: Contract | None = None
    deliveries: list[Delivery] = field(default_factory=list)
    ids: int = 0
    pending: queue.Queue[Delivery | None] = field(default_factory=queue.Queue)
    idle: threading.Event = field(default_factory=threading.Event)
    in_flight: int = 0  # sent and not yet attempted: idle is set only when none are
    counted: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.world.listeners.append(self.on_event)
        self.idle.set()
        self.thread = threading.Thread(target=self._run, name="sim-webhooks", daemon=True)
        self.thread.start()
        self.client = httpx.Client(timeout=10.0)

    def payload(
        self, event: str, action: str | None, body: dict[str, Any], inst: Installation | None
    ) -> dict[str, Any]:
        out: dict[str, Any] = {"action": action} if action else {}
        pr, repo, sender = body.pop("_pull", None), body.pop("_repo", None), body.pop("_sender", None)
        if pr is not None:
            out["number"] = pr.number
            out["pull_request"] = self.shapes.pull(pr)
            sender = sender or (pr.merged_by if pr.merged else pr.user)
        comment, run, suite, issue = (body.pop(k, None) for k in ("_comment", "_check_run", "_check_suite", "_issue"))
        if comment is not None:
            out["comment"] = self.shapes.comment(comment)
            sender = sender or comment.user
        if run is not None:
            out["check_run"] = self.shapes.check_run(run, webhook=True)
        if suite is not None:
            out["check_suite"] = self.shapes.check_suite(suite, webhook=True)
        if issue is not None:
            out["issue"] = self.shapes.issue(issue)
        out.update(body)
        if event == "push":  # its URLs are relative until here, where the base URL is known
            out["compare"] = f"{self.shapes.api}/{out['compare']}"
            for commit in [*out["commits"], *([out["head_commit"]] if out["head_commit"] else [])]:
                commit["url"] = commit["url"] if "://" in commit["url"] else f"{self.shapes.api}/{commit['url']}"
        if repo is not None:
            out["repository"] = self.shapes.repo(repo)
        if inst is not None:
            out["installation"] = {"id": inst.id, "node_id": f"I_{inst.id}"}
            if event.startswith("installation"):
                out["installation"] = self.shapes.installation(inst)
            sender = sender or inst.account
        out["sender"] = self.shapes.user(sender)
        return out

    def on_event(self, event: str, action: str | None, body: dict[str, Any], inst: Installation | None) -> None:
        if inst is None:
            return  # only an App's installations get deliveries
        repo = body.get("_repo")
        payload = self.payload(event, action, dict(body), inst)
        if self.contract is not None:
            self.contract.add(self.contract.checker.webhook(event, action, payload))
        data = json.dumps(payload).encode()
        with self.world.lock:
            self.ids += 1
            app = inst.app
            delivery = Delivery(
                self.ids,
                str(uuid.uuid4()),
                event,
                action,
                inst.id,
                repo.id if repo else None,
                data,
                app.webhook_url,
                app.webhook_secret,
                app.id * 10,
                app.id,
            )
            self.deliveries.append(delivery)
        self.send(delivery)

    def send(self, delivery: Delivery) -> None:
        # Counted before it is queued: clearing idle and then queueing let the delivery thread find the queue
        # empty in between and set idle, so wait() returned with this delivery pending.
        with self.counted:
            self.in_flight += 1
            self.idle.clear()
        self.pending.put(delivery)

    def redeliver(self, original: Delivery) -> Delivery:
        with self.world.lock:
            self.ids += 1
            again = Delivery(
                self.ids,
                original.guid,
                original.event,
                original.action,
                original.installation_id,
                original.repository_id,
                original.body,
                original.url,
                original.secret,
                original.hook_id,
                original.app_id,
                True,
            )
            self.deliveries.append(again)
        self.send(again)
        return again

    def wait(self, timeout: float = 10.0) -> bool:
        """Block until every queued delivery has been attempted."""
        return self.idle.wait(timeout)

    def close(self) -> None:
        self.pending.put(None)
        self.thread.join(timeout=5)
        self.client.close()

    def _run(self) -> None:
        while True:
            delivery = self.pending.get()
            if delivery is None:
                return
            try:
                self._deliver(delivery)
            except Exception as exc:
                # A bug here still fails the running test (pytest watches the hook), and the thread lives on to
                # attempt the deliveries queued after this one, so the count gets back to 0 and wait() returns.
                args = (type(exc), exc, exc.__traceback__, threading.current_thread())
                threading.excepthook(threading.ExceptHookArgs(args))
            finally:
                with self.counted:
                    self.in_flight -= 1
                    if self.in_flight == 0:
                        self.idle.set()

    def _deliver(self, d: Delivery) -> None:
        start = time.monotonic()
        d.delivered_at = time.time()
        # Dropped deliveries are matched on "event.action", e.g. "pull_request.opened".
        if d.url is None or self.faults.take(f"{d.event}.{d.action}", ("drop_webhook",)):
            d.status, d.status_code = "failed to connect to host", 0
            return
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "GitHub-Hookshot/sim",
            "X-GitHub-Event": d.event,
            "X-GitHub-Delivery": d.guid,
            "X-GitHub-Hook-ID": str(d.hook_id),
            "X-GitHub-Hook-Installation-Target-Type": "integration",
            "X-GitHub-Hook-Installation-Target-ID": str(d.app_id),
        }
        if d.secret:
            headers["X-Hub-Signature"] = signature_sha1(d.secret, d.body)
            headers["X-Hub-Signature-256"] = signature(d.secret, d.body)
        try:
            # GitHub waits 10 s for an answer, then records a failure and never retries on its own.
            response = self.client.post(d.url, content=d.body, headers=headers, timeout=10.0)
            d.status_code, d.response = response.status_code, response.text[:2000]
            d.status = "OK" if response.is_success else f"Invalid HTTP Response: {response.status_code}"
        except httpx.HTTPError as exc:
            d.status, d.status_code = f"failed: {type(exc).__name__}", 0
        d.duration = time.monotonic() - start
