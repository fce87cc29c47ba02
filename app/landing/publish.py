"""`publish`: the signatures as JSON, written into the repository in the same commit as the change to them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from app.affiliations.records import kept, public_marks
from app.landing.layered import Layered
from app.landing.roster_read import READER, with_today
from app.review.context import Context
from app.rules.export import as_json, records
from app.rules.roster import signatories
from config import Config


def published(ctx: Context, config: Config, tip: str, changed: Mapping[str, str | None], logins: list[str]) -> str:
    """The file's text after this commit: the letter at `tip` with `changed` on top; `logins` land today."""
    files = Layered(READER.files(ctx.api, ctx.repo, tip, config.letter))
    files.write(changed)
    people = signatories(config.letter, files)
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    dates = with_today(people, READER.dates(ctx.api, ctx.repo, tip, config.letter), logins, today)
    marks = None
    if kept(config):  # the verified ledger as this commit leaves it
        path = config.verified_ledger
        verified = changed[path] if path in changed else ctx.texts.get(ctx.api, ctx.repo, tip, path)
        marks = public_marks(verified)
    return as_json(ctx.repo, records(people, dates, marks))


def with_published(
    ctx: Context, config: Config, tip: str, changed: dict[str, str | None], logins: list[str]
) -> dict[str, str | None]:
    """`changed`, plus the published file when the letter asks for one."""
    if config.publish is None:
        return changed
    return {**changed, config.publish.path: published(ctx, config, tip, changed, logins)}
