"""Who may use /setup: the operator. They prove it with the setup token printed in the log at start-up (as
Jupyter does), or by browsing from this machine. And the manifest flow's `state` is bound to their browser."""

from __future__ import annotations

import hmac
import ipaddress
import logging
import secrets

from fastapi import Request
from fastapi.responses import Response

from app.logs import event

log = logging.getLogger("undersigned.setup")
COOKIE = "undersigned_setup"  # proof of the token, so the token leaves the address bar after one use
STATE_COOKIE = "undersigned_setup_state"  # the manifest flow's state, bound to the browser that asked
# Headers a reverse proxy adds: a request that came through one is not from this machine, even though the
# connection is (https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Forwarded).
PROXIED = ("forwarded", "x-forwarded-for", "x-forwarded-host", "x-real-ip")
LOCAL_NAMES = ("localhost",)


def is_loopback(text: str) -> bool:
    try:
        return ipaddress.ip_address(text.strip("[]")).is_loopback
    except ValueError:
        return text.lower() in LOCAL_NAMES


def from_this_machine(request: Request) -> bool:
    """A browser on this machine talking to us directly: a loopback peer, no proxy in between, and a loopback
    Host (a DNS-rebinding page reaches 127.0.0.1 under its own host name)."""
    peer = request.client.host if request.client else ""
    if not is_loopback(peer) or any(h in request.headers for h in PROXIED):
        return False
    host = request.headers.get("host", "")
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return is_loopback(name)


class Gate:
    """The setup token and the proof cookie. The token is the operator's setting or a random one per start."""

    def __init__(self, token: str | None) -> None:
        self.given = token is not None
        self.token = token or secrets.token_urlsafe(24)
        self.proof = hmac.new(self.token.encode(), b"undersigned setup", "sha256").hexdigest()

    def announce(self, where: str) -> None:
        """Say in the log how to open the setup page (only when the operator did not choose the token)."""
        if not self.given:
            event(log, "setup token", url=f"{where.rstrip('/')}/setup?token={self.token}")

    def allows(self, request: Request) -> bool:
        if from_this_machine(request):
            return True
        cookie = request.cookies.get(COOKIE, "")
        given = request.query_params.get("token", "")
        return hmac.compare_digest(cookie.encode(), self.proof.encode()) or self.token_ok(given)

    def token_ok(self, given: str) -> bool:
        return bool(given) and hmac.compare_digest(given.encode(), self.token.encode())

    def remember(self, response: Response, *, secure: bool) -> None:
        """After the token: a cookie stands for it (HttpOnly, this path only), so the URL can drop it."""
        response.set_cookie(COOKIE, self.proof, httponly=True, samesite="lax", path="/setup", secure=secure)


def bind_state(response: Response, state: str, *, secure: bool) -> None:
    """The browser that starts the manifest flow holds its state: only that browser can finish it. Lax, so
    GitHub's redirect back (a top-level GET) carries it."""
    response.set_cookie(STATE_COOKIE, state, httponly=True, samesite="lax", path="/setup", secure=secure, max_age=3600)


def state_of(request: Request, given: str) -> bool:
    """The `state` GitHub brought back is the one this browser was given."""
    held = request.cookies.get(STATE_COOKIE, "")
    return bool(given) and bool(held) and hmac.compare_digest(held.encode(), given.encode())
