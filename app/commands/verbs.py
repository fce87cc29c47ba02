"""The moderation verbs: remove a signature, hold landing, resume it (a trusted maintainer's, each)."""

from __future__ import annotations

from app.commands.base import Command, Unreadable, clean, verb
from app.rules.text import is_valid_login


@verb("remove", "/undersigned remove @login reason")
def remove(words: list[str]) -> Command | Unreadable:
    login = words[0][1:] if words and words[0].startswith("@") else ""  # the @ tells a login from a reason
    if not is_valid_login(login):
        return Unreadable(
            "Whose signature? Write `/undersigned remove @login reason`, e.g. `remove @ada at her request`."
        )
    return Command("remove", login, clean(" ".join(words[1:])))


@verb("hold", "/undersigned hold")
def hold(words: list[str]) -> Command | Unreadable:
    return Command("hold", reason=clean(" ".join(words)))


@verb("resume", "/undersigned resume")
def resume(words: list[str]) -> Command | Unreadable:
    return Command("resume", reason=clean(" ".join(words)))


@verb("verify", "/undersigned verify @login")
def verify(words: list[str]) -> Command | Unreadable:
    # A maintainer's word for a signer's affiliation (issue 24). On a pull request the evaluation reads it back
    # from the comments (app/affiliations/command.py); the command job only answers it anywhere else.
    login = words[0][1:] if len(words) == 1 and words[0].startswith("@") else ""
    if not is_valid_login(login):
        return Unreadable("Whose affiliation? Write `/undersigned verify @login` on the signer's pull request.")
    return Command("verify", login)
