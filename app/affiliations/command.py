"""`/undersigned verify @login`: a trusted maintainer's word that a signer's affiliation is theirs.

The smallest parser for this one command (the comment-command parser of app/commands/, when there is one,
takes it over). Bounded before parsing: only the first lines of a comment are read, each at most 200 chars."""

from __future__ import annotations

import re
from collections.abc import Iterable

from app.github.models import Comment

_VERIFY = re.compile(r"^/undersigned[ \t]+verify[ \t]+@?([A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38})[ \t]*$")
MAX_LINES = 20
MAX_LINE = 200


def verified_logins(body: str) -> list[str]:
    """The logins a comment verifies, one command per line (`/undersigned verify @ada`)."""
    out = []
    for line in body[: MAX_LINES * (MAX_LINE + 1)].splitlines()[:MAX_LINES]:
        found = _VERIFY.match(line.strip()[:MAX_LINE])
        if found:
            out.append(found.group(1))
    return out


def is_verify(body: str) -> bool:
    """Whether a comment holds the command (the webhook handler queues an evaluation for it)."""
    return bool(verified_logins(body))


def maintainer_for(comments: Iterable[Comment], login: str, trusted: Iterable[str]) -> str | None:
    """The trusted maintainer who verified `login` in these comments, if one did (the last word counts)."""
    allowed = {t.casefold() for t in trusted}
    found = None
    for comment in comments:
        who = comment.user.login if comment.user is not None else ""
        if who.casefold() in allowed and login.casefold() in {x.casefold() for x in verified_logins(comment.body)}:
            found = who
    return found
