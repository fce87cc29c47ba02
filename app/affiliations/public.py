"""The verified marks the public outputs show, read at a commit: one read of the verified ledger."""

from __future__ import annotations

from app.affiliations.records import kept, public_marks
from app.github.api import Api
from config.model import Config


def marks_at(api: Api, repo: str, ref: str, config: Config) -> dict[str, dict[str, str]] | None:
    """The public marks at `ref` by lower-cased login, or None when the letter verifies nothing."""
    if not kept(config):
        return None
    found = api.file(repo, config.verified_ledger, ref)
    return public_marks(found[0] if found is not None else None)
