"""Whether GitHub answers, from the outcome of the last call made (readiness asks no call of its own)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from github import GithubException
from requests import RequestException

_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\"()\]]+)")


def describe(exc: BaseException) -> str:
    """A failed call in a few plain words, never a raw exception (its text nests four reprs deep)."""
    if isinstance(exc, GithubException):
        message = exc.data.get("message") if isinstance(exc.data, dict) else None
        return f"GitHub answered {exc.status}" + (f": {str(message)[:120]}" if message else "")
    text = str(exc)
    if "timed out" in text.lower() or "timeout" in type(exc).__name__.lower():
        return "no answer in time (timed out)"
    found = _ERRNO.search(text)
    if found is not None:
        return found.group(1).strip().rstrip(".").lower()
    return type(exc).__name__


class Reach:
    """The last call's outcome: None (fine, or nothing asked yet) or why GitHub did not answer."""

    def __init__(self, url: str) -> None:
        self.url: str = url
        self.problem: str | None = None
        self._lock = threading.Lock()

    def _set(self, problem: str | None) -> None:
        with self._lock:
            self.problem = problem

    @contextmanager
    def watch(self) -> Iterator[None]:
        """Around one call: an answer (any 4xx included) means GitHub is reached; none, or a 5xx, not."""
        try:
            yield
        except GithubException as exc:
            self._set(f"GitHub at {self.url} fails: {describe(exc)}" if exc.status >= 500 else None)
            raise
        except (RequestException, OSError) as exc:
            self._set(f"GitHub cannot be reached at {self.url}: {describe(exc)}")
            raise
        self._set(None)
