"""Webhook intake: verify the signature over the raw body, parse what handlers read, and answer 2xx only
once the delivery's jobs are fsynced in the intake log (group commit; see app.jobs.intake_log).

A plain ASGI endpoint on the event loop (no thread hand-off, no framework layers) keeps the common case
fast; a large body is checked in a thread so it never stalls the others.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import json
import logging
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from prometheus_client import Counter
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from app.jobs.intake_log import IntakeLog, Record
from handlers import BadPayloadError, Router
from handlers.models import Ping
from handlers.router import NotJsonError, not_json

log = logging.getLogger("undersigned.intake")
DELIVERIES = Counter("undersigned_webhooks_total", "Webhook deliveries by outcome", ["outcome"])
IN_THREAD = 1024 * 1024  # bodies above this are checked off the event loop
RECENT = 65536  # delivery GUIDs remembered in memory, to answer "duplicate" at once
_GUID = re.compile(r"^[A-Za-z0-9-]{1,100}$")
# The headers intake reads. ASGI servers give header names in lower case (ASGI spec, HTTP connection scope).
_READ = frozenset((b"x-hub-signature-256", b"x-github-event", b"x-github-delivery", b"content-length"))


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    record: Record | None = None  # to append before answering
    guid: str = ""  # X-GitHub-Delivery


def valid_signature(secret: bytes, body: bytes, header: str | None) -> bool:
    """X-Hub-Signature-256: "sha256=" + hex HMAC-SHA256 of the raw body, compared in constant time."""
    return signed_digest(secret, body, header) is not None


def signed_digest(secret: bytes, body: bytes, header: str | None) -> bytes | None:
    """The body's HMAC-SHA256 when the header carries it, else None. (The digest, not the header's text,
    names the body: the same digest can be spelled in upper case, or with spaces that fromhex skips.)"""
    if not header or not header.startswith("sha256="):
        return None
    try:
        given = bytes.fromhex(header[7:])
    except ValueError:
        return None
    digest = hmac.digest(secret, body, "sha256")
    return digest if hmac.compare_digest(digest, given) else None


def decide(secret: bytes, router: Router, headers: dict[str, str], body: bytes, limit: int) -> Answer:
    """The answer to one delivery, and what to log before giving it. No input raises."""
    if len(body) > limit:
        return Answer(413, {"error": f"payload over {limit} bytes"})
    digest = signed_digest(secret, body, headers.get("x-hub-signature-256"))
    if digest is None:
        return Answer(401, {"error": "bad or missing X-Hub-Signature-256"})
    name, delivery = headers.get("x-github-event", ""), headers.get("x-github-delivery", "")
    if not name or not _GUID.match(delivery):
        return Answer(400, {"error": "missing X-GitHub-Event or X-GitHub-Delivery"})
    if name != "ping" and not router.knows(name):
        return Answer(202, {"status": "ignored", "event": name})
    if name == "ping":
        try:
            zen = Ping.model_validate_json(body).zen
        except ValidationError as exc:
            return Answer(400, {"error": str(not_json(exc))})
        return Answer(200, {"status": "pong", "zen": zen if isinstance(zen, str) else None})
    try:
        routed = router.route(name, body)  # parsed once, straight into the event's model
    except NotJsonError as exc:
        return Answer(400, {"error": str(exc)})
    except BadPayloadError as exc:
        return Answer(400, {"error": f"payload does not match GitHub's {name} schema: {exc}"})
    jobs = routed.jobs
    if jobs is None:
        return Answer(202, {"status": "ignored", "event": name, "action": routed.action})
    body_out = {"status": "accepted", "jobs": len(jobs)}
    # Deduplicated by the body, not the GUID: the HMAC does not cover X-GitHub-Delivery, so a captured delivery
    # replayed under fresh GUIDs would be queued each time. The signature is a digest of the body (under our
    # secret) already computed; a redelivery by GitHub has the same body, and the queue remembers it 7 days.
    key = "b" + digest.hex()
    return Answer(202, body_out, Record(key, [job.dumps() for job in jobs]) if jobs else None, delivery)


@dataclass(frozen=True)
class Bounds:
    """What one client can make intake hold before its delivery is verified (issue 18, "slow clients")."""

    body: int  # bytes in one delivery (GitHub caps payloads at 25 MB)
    read_seconds: float = 10.0  # for a whole body to arrive: GitHub itself gives up on a delivery after 10 s
    reading: int = 64  # bodies being read at once; more are answered 503 at once (GitHub redelivers, we ask it to)
    held: int = 64 * 1024 * 1024  # unverified body bytes held at once, across deliveries


class Intake:
    """The ASGI endpoint for POST /webhooks."""

    def __init__(
        self, secret: Callable[[], bytes | None], router: Router, intake_log: IntakeLog, bounds: Bounds
    ) -> None:
        """`secret` is read per delivery: the setup page can set it while the service runs."""
        self.secret, self.router, self.log, self.limit = secret, router, intake_log, bounds.body
        self.bounds = bounds
        self.recent: OrderedDict[str, None] = OrderedDict()
        self.reading = self.held = 0  # bodies being read now, and their bytes (unverified)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await _send(send, 405, {"error": "POST only"})
            return
        secret = self.secret()
        if secret is None:  # no App yet (setup mode): nothing can be verified
            await _send(send, 503, {"error": "not set up yet: open /setup to create the GitHub App"}, outcome="no_app")
            return
        headers = {k.decode(): v.decode("latin-1") for k, v in scope["headers"] if k in _READ}
        declared = headers.get("content-length", "")
        expected = int(declared) if declared.isdigit() else 0
        if expected > self.limit:
            await _send(send, 413, {"error": f"payload over {self.limit} bytes"}, outcome="too_large")
            return
        bounds = self.bounds
        if self.reading >= bounds.reading or self.held + expected > bounds.held:
            await _send(send, 503, {"error": "too many deliveries at once"}, outcome="busy", close=True)
            return
        self.reading += 1
        self.held += expected
        counted = [expected]  # bytes this request holds in self.held (more than declared when chunked)
        try:
            async with asyncio.timeout(bounds.read_seconds):
                body = await self._body(receive, send, counted)
        except TimeoutError:  # a slow client holds a connection and memory: let it go
            await _send(send, 408, {"error": "the body took too long to arrive"}, outcome="slow", close=True)
            return
        finally:
            self.reading -= 1
            self.held -= counted[0]
        if body is None:
            return
        if len(body) > IN_THREAD:
            answer = await run_in_threadpool(decide, secret, self.router, headers, body, self.limit)
        else:
            answer = decide(secret, self.router, headers, body, self.limit)
        await self._answer(send, answer)

    async def _body(self, receive: Receive, send: Send, counted: list[int]) -> bytes | None:
        """The whole body, or None once answered (too large, too many bytes held) or the client has gone."""
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await _send(send, 413, {"error": f"payload over {self.limit} bytes"}, outcome="too_large")
                return None
            if size > counted[0]:  # more than declared (or chunked): hold it within the shared cap
                if self.held + size - counted[0] > self.bounds.held:
                    await _send(send, 503, {"error": "too many deliveries at once"}, outcome="busy", close=True)
                    return None
                self.held += size - counted[0]
                counted[0] = size
            chunks.append(chunk)
            more = message.get("more_body", False)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    async def _answer(self, send: Any, answer: Answer) -> None:
        record = answer.record
        if record is None:
            outcome = {401: "bad_signature", 413: "too_large", 200: "ping"}.get(answer.status)
            status_word = answer.body.get("status")
            await _send(send, answer.status, answer.body, outcome=outcome or str(status_word or "bad_request"))
            return
        if record.delivery in self.recent:
            await _send(send, 202, {"status": "duplicate", "delivery": answer.guid}, outcome="duplicate")
            return
        self.recent[record.delivery] = None
        if len(self.recent) > RECENT:
            self.recent.popitem(last=False)
        try:
            await self.log.append_async(record)
        except Exception as exc:  # the disk is full or gone: GitHub will show the failure; we redeliver
            self.recent.pop(record.delivery, None)
            log.error("intake unavailable", extra={"fields": {"error": str(exc)}})
            await _send(send, 503, {"error": "cannot store the delivery now"}, outcome="unavailable")
            return
        await _send(send, 202, answer.body, outcome="accepted")


@functools.cache
def _counter(outcome: str) -> Any:
    return DELIVERIES.labels(outcome)


async def _send(
    send: Any, status: int, body: dict[str, Any], outcome: str = "bad_request", *, close: bool = False
) -> None:
    """Answer. `close`: and close the connection (uvicorn does on "Connection: close"), so that a client cut
    short, or one turned away, holds nothing more."""
    _counter(outcome).inc()
    data = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})
