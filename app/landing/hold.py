"""Landing on hold: a repository label that a trusted maintainer sets with `/undersigned hold` and removes with
`/undersigned resume` (or by deleting the label). The state lives on GitHub, where the maintainers see it,
the App and the Action both read it, and no store has to keep it (principle 4)."""

from __future__ import annotations

from app.github.api import Api

HOLD_LABEL = "undersigned-on-hold"
HOLD_COLOR = "b60205"
HOLD_WHY = "undersigned lands no signature while this label exists (/undersigned resume removes it)"


def on_hold(api: Api, repo: str) -> bool:
    """Read conditionally: unchanged labels cost no rate limit."""
    return any(name.lower() == HOLD_LABEL for name in api.repo_labels(repo))


def hold(api: Api, repo: str) -> None:
    api.create_label(repo, HOLD_LABEL, HOLD_COLOR, HOLD_WHY)


def resume(api: Api, repo: str) -> None:
    api.delete_label(repo, HOLD_LABEL)
