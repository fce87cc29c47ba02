"""Read a comment's first line as an `/undersigned VERB ...` command: bounded, linear, no I/O."""

from __future__ import annotations

from app.commands import verbs  # noqa: F401  (registers remove, hold, resume; another verb: one more import)
from app.commands.base import MAX_LINE, PREFIX, VERBS, Command, Unreadable, clean, usage


def parse(body: str | None) -> Command | Unreadable | None:
    """The command in a comment's first line, an Unreadable when it starts with /undersigned but is not one,
    or None when the comment is no command at all (most comments)."""
    first = (body or "")[:MAX_LINE].lstrip().split("\n", 1)[0]
    words = first.split()
    if not words or words[0].lower() != PREFIX:
        return None
    if len(words) < 2:
        return Unreadable(f"Which command? undersigned knows {usage()}.")
    found = VERBS.get(words[1].lower())
    shown = clean(words[1]).replace("`", "")[:40]
    if found is None:
        return Unreadable(f"undersigned does not know `{shown}`: it knows {usage()}.")
    return found[0](words[2:])
