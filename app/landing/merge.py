"""How a batch reaches the default branch: our own merge commit, whose tree we compute.

The landing invariant (README, "Security"): what undersigned writes is the tip plus the validated changes,
computed here, byte for byte. GitHub's merge endpoint would write whatever else the PR head holds (modes,
files past the compare API's 300-file cap), so it is never used. The PR heads are parents of the commit,
so GitHub still shows each PR merged (a PR is merged once its head is reachable from the base branch)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from github import GithubException

from app.affiliations.records import kept, records_after
from app.github.api import NotUtf8Error
from app.github.budget import spending
from app.github.models import PullRequest
from app.github.trees import NotAFileError, entries_at
from app.github.window import LANDING_WRITES
from app.jobs.ready import Ready
from app.jobs.store import Keys
from app.landing.layered import Layered
from app.landing.publish import with_published
from app.logs import event
from app.review.context import Context
from app.review.render import CheckReport
from app.rules.apply import ApplyError, apply_changes, needs_ledger
from config import Config

log = logging.getLogger("undersigned.land")
RACE_RETRIES = 5


class BlockedError(Exception):
    """GitHub will not let the App write to the default branch (protection, permissions)."""


@dataclass(frozen=True)
class Landed:
    """What a batch did: the PRs in the commit, how it was made, and the commit."""

    prs: list[tuple[Ready, PullRequest]]
    how: str
    sha: str


def merge_commit(
    ctx: Context, config: Config, batch: list[tuple[Ready, PullRequest]], rejected: list[tuple[Ready, str]]
) -> Landed:
    """One merge commit: parents are the tip and every PR head; the tree is the tip's letter with
    each validated change applied. The branch moves without force; a lost race rebuilds. A change that
    no longer applies goes to `rejected`, for `cannot_apply` once this attempt is over."""
    default = batch[0][1].default_branch
    for _ in range(RACE_RETRIES):
        tip = ctx.api.branch_sha(ctx.repo, default)
        try:
            current = current_files(ctx, config, tip)
        except NotUtf8Error as exc:  # written back from replacement characters, it would not be the file
            raise BlockedError(f"`{exc.path}` on the default branch is not valid UTF-8 text") from None
        changed: dict[str, str | None] = {}
        accepted: list[tuple[Ready, PullRequest]] = []
        for item, pr in batch:
            try:
                result = apply_changes(config, current, item.change_list())
                result.update(records_after(config, current, item.change_list()))
            except ApplyError as exc:
                rejected.append((item, f"{exc} (`{exc.code}`)"))
                continue
            changed.update(result)
            current.write(result)
            accepted.append((item, pr))
        batch = accepted  # a rebuild does not judge the rejected again
        if not accepted:
            return Landed([], "none", "")
        changed = with_published(ctx, config, tip, changed, [item.author for item, _ in accepted])
        names = ", ".join(f"#{item.number}" for item, _ in accepted)
        message = f"Land signatures from {names}\n\n" + "\n".join(
            f"#{item.number} by @{item.author}" for item, _ in accepted
        )
        entries = tree_entries(ctx, tip, changed)
        # The tree, the commit and the ref are paid for at the first of them, or none is sent: a landing the
        # content budget cut short would have spent two writes for nothing (app.github.budget).
        with spending("landing", writes=LANDING_WRITES):
            try:
                sha = _commit(ctx, tip, entries, message, [item.sha for item, _ in accepted])
                how = "merge-commit"
            except GithubException as exc:
                if exc.status != 422:
                    raise
                # GitHub refused a PR head as a parent (unreachable): the bot's own commit, crediting them.
                credits = "\n".join(
                    f"Co-authored-by: {i.author} <{i.author}@users.noreply.github.com>" for i, _ in accepted
                )
                sha = _commit(ctx, tip, entries, f"{message}\n\n{credits}", [])
                how = "bot-commit"
            try:
                ctx.api.update_branch(ctx.repo, default, sha)
            except GithubException as exc:
                if exc.status == 422 and "fast forward" in str(exc.data).lower():
                    continue  # someone moved the branch meanwhile: rebuild on the new tip
                if exc.status in (403, 422):
                    raise BlockedError(reason(exc)) from exc
                raise
        if config.letter.directory is None and changed.get(config.letter.file) is not None:
            # The letter we just wrote: the next batch builds on it without reading it back.
            ctx.texts.prime(ctx.repo, sha, config.letter.file, changed[config.letter.file])
            if needs_ledger(config.letter):
                ctx.texts.prime(ctx.repo, sha, config.letter.ledger, current.get(config.letter.ledger))
        if how == "bot-commit":
            for item, _ in accepted:
                ctx.api.create_comment(
                    ctx.repo, item.number, f"Landed in {sha} (GitHub could not merge this PR itself)."
                )
                ctx.api.close_pull(ctx.repo, item.number)
        return Landed(accepted, how, sha)
    raise RuntimeError(f"the default branch of {ctx.repo} kept moving; landing will be retried")


def cannot_apply(ctx: Context, item: Ready, why: str) -> None:
    """The change no longer fits the letter (someone signed meanwhile, say). First, evaluate again, once
    the batch has landed: the verdict on the new tip will say why. If it still comes back valid for this
    very head, say so and stop there."""
    if ctx.store.claim(Keys.apply_failed(ctx.repo, item.number, item.sha)):
        ctx.queue("evaluate", item.number)
    else:
        summary = f"The signature looks valid, but it cannot be applied to the letter as it is now: {why}."
        ctx.reporter.check(item.sha, CheckReport("failure", "Cannot be applied to the current letter", summary))
        event(log, "cannot apply", repo=ctx.repo, pr=item.number, reason=why)
    # Dropped at once, and only after the evaluation is queued: dropped any later, it could remove the
    # fresh evaluation's entry for this same head, and the PR would never land; dropped before, a crash
    # in between would lose it.
    ctx.ready.drop(ctx.repo, [item])


def current_files(ctx: Context, config: Config, tip: str) -> Layered:
    """The letter at `tip`, as `apply_changes` reads it; the batch's writes go on a layer on top."""
    letter = config.letter
    if letter.directory is not None:
        files = Layered(ctx.texts.folder(ctx.api, ctx.repo, tip, letter.directory))
    else:
        files = Layered(ctx.texts.letter(ctx.api, ctx.repo, tip, letter.file))
    if needs_ledger(letter):
        # Who owns each line without a login: read at the tip, rewritten in the same commit as the signatures.
        ledger = ctx.texts.get(ctx.api, ctx.repo, tip, letter.ledger)
        if ledger is not None:
            files.write({letter.ledger: ledger})
    if kept(config):
        # The verified affiliations: rewritten in the same commit as the signatures they mark.
        verified = ctx.texts.get(ctx.api, ctx.repo, tip, config.verified_ledger)
        if verified is not None:
            files.write({config.verified_ledger: verified})
    return files


def tree_entries(ctx: Context, tip: str, changed: dict[str, str | None]) -> list[dict[str, Any]]:
    """The new tree's entries, each file's mode kept from the tip's (app.github.trees)."""
    try:
        return entries_at(ctx.api, ctx.repo, tip, changed)
    except NotAFileError as exc:
        raise BlockedError(str(exc)) from None


def _commit(ctx: Context, tip: str, entries: list[dict[str, Any]], message: str, heads: list[str]) -> str:
    # https://docs.github.com/en/rest/git/trees#create-a-tree
    tree = ctx.api.create_tree(ctx.repo, tip, entries)
    return str(ctx.api.create_commit(ctx.repo, message, tree, [tip, *heads])["sha"])


def reason(exc: GithubException) -> str:
    data = exc.data if isinstance(exc.data, dict) else {}
    return str(data.get("message") or f"GitHub answered {exc.status}")
