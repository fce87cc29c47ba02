"""`/undersigned remove|hold|resume` from a trusted maintainer: done, answered in one comment, recorded."""

from __future__ import annotations

import logging

from github import GithubException

from app.commands.base import Command, Unreadable
from app.commands.read import parse
from app.github.config_source import load_config
from app.jobs.job import JobDeferredError
from app.jobs.store import Keys
from app.landing.hold import hold, resume
from app.landing.merge import RACE_RETRIES, BlockedError, _commit, current_files, reason, tree_entries
from app.landing.publish import with_published
from app.logs import event
from app.review.context import Context
from app.review.render import quiet_mentions
from app.rules.apply import ApplyError, apply_changes
from app.rules.roster import removal
from app.rules.text import login_key
from config import Config

log = logging.getLogger("undersigned.land")
TRUSTED = "the letter's trusted maintainers (`signers.trusted` in `.github/undersigned.yml`)"


def run_command(ctx: Context, comment_id: int) -> None:
    """Read the comment as it is now, and act on it once. Its answer is the one write a replay skips."""
    done = f"command-answered:{ctx.repo.lower()}:{comment_id}"
    if ctx.store.get(done) is not None:
        return
    try:
        comment = ctx.api.issue_comment(ctx.repo, comment_id)
    except GithubException as exc:
        if exc.status == 404:
            return  # deleted since: nothing asked any more
        raise
    by = str((comment.get("user") or {}).get("login") or "")
    number = int(str(comment.get("issue_url", "")).rsplit("/", 1)[-1] or 0)
    command = parse(str(comment.get("body") or ""))
    if command is None or not number or (comment.get("user") or {}).get("type") == "Bot":
        return
    answer, outcome = _act(ctx, command, by)
    ctx.api.create_comment(ctx.repo, number, quiet_mentions(answer, by))
    ctx.store.put(done, "1", ttl=30 * 86400)
    verb = command.verb if isinstance(command, Command) else "unknown"
    login = command.login if isinstance(command, Command) else ""
    why = command.reason if isinstance(command, Command) else ""
    event(log, "moderation", repo=ctx.repo, pr=number, verb=verb, login=login, by=by, outcome=outcome, reason=why)


def _act(ctx: Context, command: Command | Unreadable, by: str) -> tuple[str, str]:
    """(the answer, the outcome: done, refused, not found, blocked)."""
    if isinstance(command, Unreadable):
        return f"@{by}: {command.message}", "refused"
    repository = ctx.api.repository(ctx.repo)
    config = load_config(ctx.api, ctx.repo, repository.default_branch, ctx.configs.parsed)
    if not isinstance(config, Config):
        return f"@{by}: undersigned cannot act on this letter until `.github/undersigned.yml` is valid.", "refused"
    if login_key(by) not in {login_key(x) for x in config.signers.trusted}:
        return (
            f"@{by}: only {TRUSTED} can use `/undersigned {command.verb}`, and you are not one of them. "
            "Nothing was changed.",
            "refused",
        )
    if command.verb == "verify":  # on a PR it is read by the evaluation; the handler sends only the rest here
        return (
            f"@{by}: `/undersigned verify @{command.login}` works on the pull request of @{command.login}: "
            "comment it there.",
            "refused",
        )
    if command.verb == "hold":
        hold(ctx.api, ctx.repo)
        return (
            f"On hold, as @{by} asked: undersigned still checks signatures but lands none until a trusted "
            "maintainer comments `/undersigned resume`.",
            "done",
        )
    if command.verb == "resume":
        resume(ctx.api, ctx.repo)
        ctx.queue("land")  # what waited during the hold lands now
        return f"Resumed, as @{by} asked: valid signatures land again.", "done"
    return _remove(ctx, config, repository.default_branch, command, by)


def _remove(ctx: Context, config: Config, branch: str, command: Command, by: str) -> tuple[str, str]:
    login, why = command.login, command.reason or "no reason given"
    with ctx.store.lock(Keys.landing_lock(ctx.repo)) as mine:
        if not mine:
            raise JobDeferredError(f"a landing on {ctx.repo} holds the lock")
        for _ in range(RACE_RETRIES):
            tip = ctx.api.branch_sha(ctx.repo, branch)
            files = current_files(ctx, config, tip)
            change = removal(config.letter, files, login)
            if change is None:
                return f"@{by}: the letter has no signature of @{login}: nothing to remove.", "not found"
            try:
                changed = with_published(ctx, config, tip, apply_changes(config, files, [change]), [])
            except ApplyError as exc:
                return f"@{by}: the signature of @{login} could not be removed: {exc}.", "refused"
            message = f"Remove the signature of @{login}\n\nAsked by @{by}: {why}"
            try:
                entries = tree_entries(ctx, tip, changed)
            except BlockedError as exc:
                return f"@{by}: the signature of @{login} could not be removed: {exc}.", "blocked"
            sha = _commit(ctx, tip, entries, message, [])
            try:
                ctx.api.update_branch(ctx.repo, branch, sha)
            except GithubException as exc:
                if exc.status == 422 and "fast forward" in str(exc.data).lower():
                    continue
                if exc.status in (403, 422):
                    return f"@{by}: undersigned cannot write to `{branch}`: {reason(exc)}.", "blocked"
                raise
            return f"Removed the signature of @{login} in {sha}, as @{by} asked: {why}", "done"
    raise RuntimeError(f"the default branch of {ctx.repo} kept moving; the removal will be retried")
