"""What a comment command is, and the registry of verbs: each verb's module registers its reader here."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

PREFIX = "/undersigned"
MAX_LINE = 1000  # characters of the first line read at most (a comment is hostile data)
MAX_REASON = 200  # characters of a reason kept (it goes into a commit message and a comment)


@dataclass(frozen=True)
class Command:
    """A command read from a comment. `login` is the account it is about (remove), without the @."""

    verb: str
    login: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Unreadable:
    """A comment that starts with /undersigned but says nothing we can do: `message` says what to write."""

    message: str


Reader = Callable[[list[str]], Command | Unreadable]
VERBS: dict[str, tuple[Reader, str]] = {}  # verb -> (its reader, its usage); filled by each verb's module


def verb(name: str, usage: str) -> Callable[[Reader], Reader]:
    """Register one verb's reader: it gets the words after the verb and returns a Command or an Unreadable."""

    def register(reader: Reader) -> Reader:
        VERBS[name] = (reader, usage)
        return reader

    return register


def usage() -> str:
    return "; ".join(f"`{u}`" for _, u in sorted(VERBS.values(), key=lambda x: x[1]))


def clean(text: str) -> str:
    """Control and format characters out, runs of blanks made one space, bounded."""
    kept = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text[: MAX_REASON * 4])
    return " ".join(kept.split())[:MAX_REASON]
