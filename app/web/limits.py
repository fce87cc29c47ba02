"""Refuse an over-limit request body with 413 before any route reads it, declared or streamed; and one that
takes too long to arrive with 408."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimit:
    """ASGI middleware. A declared Content-Length over `limit` is answered 413 at once, without reading the
    body. A chunked body is counted as it streams: past `limit` the request is cut short and answered 413.
    This guards the pages' forms; webhooks are answered before it, by intake, which applies the same limit
    (GitHub caps payloads at 25 MB: https://docs.github.com/en/webhooks/webhook-events-and-payloads)."""

    def __init__(self, app: ASGIApp, limit: int, seconds: float = 10.0) -> None:
        self.app, self.limit, self.seconds = app, limit, seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"").decode("latin-1")
        if declared.isdigit() and int(declared) > self.limit:
            await self._too_large(send, drain=receive)
            return
        seen, over, slow, done = 0, False, False, False
        deadline = asyncio.get_running_loop().time() + self.seconds  # for the whole body: a slow client lets go

        async def counted() -> Message:
            nonlocal seen, over, slow, done
            if done:  # after the body, the app may wait for the client to disconnect: no deadline then
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                slow = True
                raise _TooLargeError from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                done = not message.get("more_body", False)
                if seen > self.limit:
                    over = True
                    raise _TooLargeError
            return message

        tracked = Tracked(send)
        try:
            await self.app(scope, counted, tracked)
        except Exception:
            if not (over or slow) or tracked.started:
                raise
            if slow:
                await _answer(send, 408, "the body took too long to arrive")
            else:
                await self._too_large(send, drain=receive)

    async def _too_large(self, send: Send, drain: Receive | None = None) -> None:
        if drain is not None:
            await _drain(drain, self.limit)
        await _answer(send, 413, f"payload over {self.limit} bytes")


async def _answer(send: Send, status: int, error: str) -> None:
    """A JSON error, and the connection closed."""
    body = json.dumps({"error": error}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": [*headers, (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


async def _drain(receive: Receive, limit: int) -> None:
    """Read (and drop) what the client already sent, up to a bound: a client that is still sending when
    the server closes gets a connection reset instead of our 413 (TCP RST drops unread data)."""
    budget = 2 * limit
    while budget > 0:
        message: Any = await receive()
        if message["type"] != "http.request":
            return
        budget -= len(message.get("body", b""))
        if not message.get("more_body", False):
            return


class Tracked:
    """A `send` that remembers whether the response has started (after that, no other answer can be sent)."""

    def __init__(self, send: Send) -> None:
        self.send, self.started = send, False

    async def __call__(self, message: Message) -> None:
        self.started = self.started or message["type"] == "http.response.start"
        await self.send(message)


class _TooLargeError(Exception):
    """Raised inside the app's receive() once a streamed body passes the limit."""
