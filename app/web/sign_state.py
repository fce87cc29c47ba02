"""The signing page's shared state (letters, sessions, limits) and how its pages are rendered."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from app.runtime import Runtime
from app.settings import Settings
from app.web.oauth import Sessions, oauth_client
from app.web.pages import render
from app.web.ratelimit import RateLimits
from app.web.signer_api import Progress, ProgressCache
from app.web.signing import Letters, UnavailableError

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")  # an owner or repository name as GitHub allows
HEADERS = {
    # Letter text is sanitised; the policy is a second wall: no inline script, no framing, forms post here only.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' https: data:; script-src 'self'; "
    "style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class SigningPage:
    """State shared by the page's routes: the letters, the signers' sessions, the rate limits."""

    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime
        self.sessions, self.limits, self.progress = Sessions(), RateLimits(), ProgressCache()
        self._letters: Letters | None = None
        self._oauth: tuple[tuple[str | None, str | None], Any] | None = None

    @property
    def settings(self) -> Settings:
        return self.rt.settings  # read each time: the setup page may store the client ID and secret later

    def letters(self) -> Letters:
        if self.rt.github is None:
            raise UnavailableError("undersigned is not set up yet: the App's ID and private key are missing.")
        if self._letters is None or self._letters.github is not self.rt.github:  # the setup page changed the App
            self._letters = Letters(self.rt.github, self.rt.queue.store, self.settings.config_ttl)
        return self._letters

    def oauth(self) -> Any:
        s = self.settings
        key = (s.client_id, s.client_secret.get_secret_value() if s.client_secret else None)
        if self._oauth is None or self._oauth[0] != key:
            self._oauth = (key, oauth_client(s))
        return self._oauth[1]

    def limited(self, kind: str, who: str) -> Response | None:
        wait = self.limits.hit(kind, who)
        if wait is None:
            return None
        answer = page("message.html", 429, title="Too many requests", message=f"Please wait {wait} seconds.")
        answer.headers["Retry-After"] = str(wait)
        return answer


def page(name: str, status: int = 200, **values: Any) -> HTMLResponse:
    values.setdefault("title", "Sign the letter")
    return HTMLResponse(render(name, **values), status, headers=HEADERS)


def progress_words(p: Progress) -> dict[str, str]:
    """The progress page's heading and its last step's words. The page and its script (which updates the page
    in place) both take them from here."""
    gone = p.action == "withdraw"
    if not p.landed:
        heading = "Your withdrawal is on its way" if gone else "Your pull request is on its way"
    elif gone:
        heading = "Your signature was removed"
    else:
        heading = "Your signature has landed" if p.action == "sign" else "Your change has landed"
    if gone:
        return {"heading": heading, "landed_text": "Removed in ", "landing": "Removing…"}
    return {"heading": heading, "landed_text": "Landed in ", "landing": "Landing…"}


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def repo_name(owner: str, name: str) -> str | None:
    return f"{owner}/{name}" if _NAME.match(owner) and _NAME.match(name) else None
