"""Webhook intake: verify the signature over the raw body, then parse, deduplicate and enqueue durably."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any

from prometheus_client import Counter

from app.jobs.queue import JobQueue
from app.logs import event
from handlers import Router

log = logging.getLogger("undersigned.intake")
DELIVERIES = Counter("undersigned_webhooks_total", "Webhook deliveries by outcome", ["outcome"])


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]


def valid_signature(secret: bytes, body: bytes, header: str | None) -> bool:
    """X-Hub-Signature-256: "sha256=" + hex HMAC-SHA256 of the raw body, compared in constant time."""
    if not header or not header.startswith("sha256="):
        return False
    expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.encode())


def accept(secret: bytes, router: Router, queue: JobQueue, headers: dict[str, str], body: bytes, limit: int) -> Answer:
    """Decide the HTTP answer to one delivery. Jobs are on disk (or in Redis) before a 2xx."""
    if len(body) > limit:
        return _count(Answer(413, {"error": f"payload over {limit} bytes"}), "too_large")
    if not valid_signature(secret, body, headers.get("x-hub-signature-256")):
        return _count(Answer(401, {"error": "bad or missing X-Hub-Signature-256"}), "bad_signature")
    name, delivery = headers.get("x-github-event"), headers.get("x-github-delivery")
    if not name or not delivery:
        return _count(Answer(400, {"error": "missing X-GitHub-Event or X-GitHub-Delivery"}), "bad_request")
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _count(Answer(400, {"error": "body is not JSON"}), "bad_request")
    if not isinstance(payload, dict):
        return _count(Answer(400, {"error": "body is not a JSON object"}), "bad_request")
    if name == "ping":
        return _count(Answer(200, {"status": "pong", "zen": payload.get("zen")}), "ping")
    action = payload.get("action") if isinstance(payload.get("action"), str) else None
    if not router.handles(name, action):
        return _count(Answer(202, {"status": "ignored", "event": name, "action": action}), "ignored")
    if queue.seen(delivery):
        return _count(Answer(202, {"status": "duplicate", "delivery": delivery}), "duplicate")
    jobs = router.dispatch(name, payload)
    queued = sum(1 for job in jobs if queue.enqueue(job))
    queue.mark_seen(delivery)  # only after the jobs are safe: a failed enqueue may be redelivered
    event(log, "delivery accepted", delivery=delivery, event=name, action=action, jobs=len(jobs), queued=queued)
    return _count(Answer(202, {"status": "accepted", "jobs": len(jobs), "queued": queued}), "accepted")


def _count(answer: Answer, outcome: str) -> Answer:
    DELIVERIES.labels(outcome).inc()
    return answer
