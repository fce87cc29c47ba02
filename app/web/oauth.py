"""Signing in with GitHub: Authlib's OAuth web flow, and signers' tokens held in server memory only."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App

from app.settings import Settings

SESSION_SECONDS = 3600  # a signer's session (and with it their token) is forgotten after an hour
MAX_SESSIONS = 10_000
STATUS_COOKIE = "undersigned_status"  # a session id for the status page at / (set after signing in for it)


def github_web_url(api_url: str) -> str:
    """Where people sign in: github.com for api.github.com, the server itself for GHES (…/api/v3)."""
    url = api_url.rstrip("/")
    if url == "https://api.github.com":
        return "https://github.com"
    return url.removesuffix("/api/v3")


def oauth_client(settings: Settings) -> StarletteOAuth2App | None:
    """The App's OAuth client, or None until the client ID and secret are set (the setup page stores them)."""
    if not settings.client_id or settings.client_secret is None:
        return None
    web = github_web_url(settings.github_api_url)
    registry = OAuth()
    client = registry.register(
        name="github",
        client_id=settings.client_id,
        client_secret=settings.client_secret.get_secret_value(),
        authorize_url=f"{web}/login/oauth/authorize",
        access_token_url=f"{web}/login/oauth/access_token",
        # GitHub reads client_id and client_secret from the form body; it answers JSON when asked.
        client_kwargs={"token_endpoint_auth_method": "client_secret_post", "timeout": settings.http_timeout},
    )
    assert isinstance(client, StarletteOAuth2App)
    return client


@dataclass
class Signer:
    """A signed-in person. `token` is their user access token: it never leaves this process's memory."""

    login: str
    id: int | None
    type: str | None
    created_at: datetime | None
    token: str = field(repr=False)
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24), repr=False)
    expires: float = field(default_factory=lambda: time.monotonic() + SESSION_SECONDS)
    sent: dict[str, tuple[float, str, int]] = field(default_factory=dict)  # repo -> (when, action, PR number)
    profile_name: str = ""  # the name on their GitHub profile: the form starts with it

    def recent(self, repo: str, action: str, seconds: float = 120) -> int | None:
        """The PR this person opened for `action` moments ago (a second press of Sign must not open another)."""
        found = self.sent.get(repo.lower())
        if found is None or found[1] != action or time.monotonic() - found[0] > seconds:
            return None
        return found[2]

    def check_csrf(self, given: str | None) -> bool:
        return given is not None and secrets.compare_digest(self.csrf.encode(), given.encode())


class Sessions:
    """Session id (a random value inside the signed cookie) -> Signer, in memory, with expiry."""

    def __init__(self, seconds: float = SESSION_SECONDS, limit: int = MAX_SESSIONS) -> None:
        self.seconds, self.limit = seconds, limit
        self.items: dict[str, Signer] = {}
        self.lock = threading.Lock()

    def create(self, signer: Signer) -> str:
        sid = secrets.token_urlsafe(32)
        signer.expires = time.monotonic() + self.seconds
        with self.lock:
            self._expire()
            while len(self.items) >= self.limit:  # oldest first: dicts keep insertion order
                self.items.pop(next(iter(self.items)))
            self.items[sid] = signer
        return sid

    def get(self, session: dict[str, Any]) -> Signer | None:
        sid = session.get("sid")
        if not isinstance(sid, str):
            return None
        with self.lock:
            found = self.items.get(sid)
            if found is not None and found.expires < time.monotonic():
                del self.items[sid]
                return None
            return found

    def end(self, session: dict[str, Any]) -> None:
        sid = session.pop("sid", None)
        if isinstance(sid, str):
            with self.lock:
                self.items.pop(sid, None)

    def _expire(self) -> None:
        now = time.monotonic()
        for sid in [s for s, v in self.items.items() if v.expires < now]:
            del self.items[sid]


def parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
