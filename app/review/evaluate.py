"""Evaluate one PR: read fresh state from GitHub, decide with the rules, report, and queue its landing."""

from __future__ import annotations

import logging
import time
from dataclasses import asdict
from datetime import UTC, datetime

from github import GithubException
from prometheus_client import Counter

from app.affiliations.verify import Facts, affirm, keep_notes
from app.github.api import NotUtf8Error
from app.github.budget import spending
from app.github.caches import LazyFiles
from app.github.models import Comparison
from app.github.patches import head_text
from app.jobs.ready import Ready, config_fingerprint
from app.jobs.store import Keys
from app.logs import event
from app.review.batch import batched_comparison
from app.review.budget import evaluate_within
from app.review.config_check import waiting_comment, waiting_report
from app.review.context import Context
from app.review.render import check_report, comment_body
from app.rules import Author, Snapshots, Verdict, evaluate
from app.rules.apply import needs_ledger
from app.rules.ledger import parse_ledger
from app.rules.listing import incomplete, not_utf8, unreadable
from config import Config, ConfigError

log = logging.getLogger("undersigned.evaluate")
VERDICTS = Counter("undersigned_verdicts_total", "Verdicts reached", ["kind"])


def review(ctx: Context) -> Verdict | None:
    """Evaluate `ctx.pr` and report on it. A valid signature is queued for landing, not landed here."""
    pr = ctx.pull
    if pr.state != "open":
        return None
    config = ctx.config(pr.default_branch)
    if not isinstance(config, Config):
        ctx.ready.withdraw(ctx.repo, pr.number, pr.head_sha)  # judged under a config that is gone
    if config is None:
        return None  # no .github/undersigned.yml: this repo is not a letter
    if isinstance(config, ConfigError):
        event(log, "config error", repo=ctx.repo, pr=pr.number, head_sha=pr.head_sha, issues=len(config.issues))
        # The signer cannot fix the maintainers' config: a neutral wait (the maintainer gets the errors on the
        # commit that broke it, see app.review.config_check); an existing comment of ours says so too.
        ctx.reporter.check(pr.head_sha, waiting_report(config))
        ctx.reporter.comment(pr, waiting_comment(), only_if_exists=True)
        return None
    verdict = decide(ctx, config)
    if verdict is None:
        return None  # its head reached the default branch meanwhile (it just landed): GitHub shows it merged
    VERDICTS.labels(verdict.kind).inc()
    problems = [p.code for p in verdict.problems]
    event(log, "decision", repo=ctx.repo, pr=pr.number, head_sha=pr.head_sha, kind=verdict.kind, problems=problems,
          author=pr.author)  # fmt: skip
    lands = verdict.ok and config.merge.enabled
    if not lands:
        # Validated before (then the config changed: frozen, blocked), still waiting to land: it never will.
        ctx.ready.withdraw(ctx.repo, pr.number, pr.head_sha)
    report = check_report(verdict, config.letter.directory or config.letter.file, lands=config.merge.enabled)
    body = comment_body(verdict, pr.author)
    quiet = verdict.kind != "invalid" and not verdict.notes  # a verified affiliation is said, even when valid
    commenting = not quiet and config.report.comment
    # Issue 21's order: landing, then the failing check (the signer's outcome), then the comment that explains
    # it. In the App each is paid at its own priority: when the budget is short the check goes out and the
    # comment waits, its job coming back (the check's digest makes the repeat free). An Action run's store does
    # not outlive the run, and its catch-up takes a head with our check as decided: there both are paid for
    # together at the check's priority, or neither (the whole report is left to the next run).
    apart = ctx.store.durable
    with spending("check", writes=2 if not apart and not lands and commenting else 1):
        if lands:
            # A valid PR lands within a batch or two, and GitHub then shows it merged: that is its outcome, so
            # the success check would be one paced write per signer for nothing. It is owed, not skipped: the
            # lander posts it for every PR it does not land (blocked, cannot apply, failed).
            ctx.reporter.check_later(pr.head_sha, report)
        else:
            ctx.reporter.check(pr.head_sha, report)
        if not apart:
            ctx.reporter.comment(pr, body, only_if_exists=quiet, enabled=config.report.comment)
    if apart:
        with spending("comment"):
            ctx.reporter.comment(pr, body, only_if_exists=quiet, enabled=config.report.comment)
    role = "valid" if verdict.ok else ("invalid" if verdict.kind == "invalid" else None)
    ctx.reporter.labels(pr, config, role)
    close_if_stale(ctx, config, verdict)
    if lands:
        changes = [asdict(c) for c in verdict.land]
        item = Ready(pr.number, pr.head_sha, pr.author, changes, verdict.placement_fixed, config_fingerprint(config))
        keep_notes(ctx.store, ctx.repo, pr, verdict.notes)
        ctx.ready.add(ctx.repo, item)
        ctx.queue("land")
    return verdict


def close_if_stale(ctx: Context, config: Config, verdict: Verdict) -> None:
    """With merge.close_invalid_after_days, a PR invalid for that long is closed, saying why."""
    pr = ctx.pull
    key = Keys.invalid_since(ctx.repo, pr.number)
    if verdict.kind != "invalid":
        ctx.store.delete(key)
        return
    ctx.store.claim(key)  # records when it first became invalid
    days = config.merge.close_invalid_after_days
    since = float(ctx.store.get(key) or time.time())
    if days is None or time.time() - since < days * 86400:
        return
    note = f"Closing: this pull request has needed changes for over {days} days. Reopen it once it is fixed."
    body = comment_body(verdict, pr.author).rstrip("\n") + f"\n\n{note}\n"
    with spending("comment", writes=2):  # a courtesy, after reports: the comment and the close go together
        ctx.reporter.comment(pr, body, only_if_exists=False, enabled=config.report.comment)
        ctx.api.close_pull(ctx.repo, pr.number)
    ctx.store.delete(key)
    event(log, "closed stale", repo=ctx.repo, pr=pr.number, days=days)


def patched(ctx: Context, compared: Comparison, base: str | None, path: str) -> None:
    """The letter at the head, from the base's text and the compare's patch when they give it exactly
    (checked by blob sha, app.github.patches): one read fewer per PR. Else the head's file is read."""
    entry = next((f for f in compared.files if f.filename == path), None)
    if entry is None or entry.status not in ("modified", "added"):
        return
    text = head_text(base if entry.status == "modified" else None, entry.patch, entry.sha)
    if text is not None:
        ctx.texts.prime(ctx.repo, ctx.pull.head_sha, path, text)


def decide(ctx: Context, config: Config) -> Verdict | None:
    """The verdict on `ctx.pr`'s head, from the letter at the merge base, the head and the current tip; None
    when the head is already in the default branch (the PR landed while this evaluation ran). A letter file
    that is not UTF-8, at any of them, is refused: read with replacement characters, it would not be the file."""
    try:
        return _decide(ctx, config)
    except NotUtf8Error as exc:
        return Verdict("invalid", problems=(not_utf8(exc.path),))


def _decide(ctx: Context, config: Config) -> Verdict | None:
    pr, api, repo = ctx.pull, ctx.api, ctx.repo
    default = pr.default_branch
    if pr.base.ref != default:
        return Verdict("not_a_signature")  # signatures land on the default branch only
    try:
        compared = batched_comparison(ctx, config) or api.compare(repo, default, pr.head_sha)
    except GithubException as exc:
        if exc.status == 406:  # "diff too large": what we cannot see is refused, never assumed
            return Verdict("invalid", problems=(unreadable(),))
        raise
    merge_base, tip = compared.merge_base_commit.sha, compared.base_commit.sha
    if merge_base == pr.head_sha:  # read as open, then landed: an empty diff must not read "not a signature"
        return None
    changed = compared.listing(pr.changed_files)
    if (cut := incomplete(changed)) is not None:
        return Verdict("invalid", problems=(cut,))  # before reading a file of it: 300 reads would be for nothing
    created = None
    if config.signers.min_account_age_days:
        created = api.user(pr.author).created_at
    author = Author(pr.author, pr.user.id, pr.user.type, created)
    if len(set(changed.paths)) > config.signers.max_changed_files:  # refused before any file is read
        return evaluate(config, Snapshots({}, {}), changed, author, datetime.now(UTC))
    letter, texts = config.letter, ctx.texts
    # Lines or files without a login are bound to their owner in the ledger, read at the tip (never the PR's).
    ownership = parse_ledger(texts.get(api, repo, tip, letter.ledger)) if needs_ledger(letter) else None
    if letter.directory is None:
        base = texts.letter(api, repo, merge_base, letter.file)
        touched = letter.file in changed.paths  # else the head's letter is the base's: no read needed
        if touched:
            patched(ctx, compared, base.get(letter.file), letter.file)
        head = texts.letter(api, repo, pr.head_sha, letter.file) if touched else base
        current = texts.letter(api, repo, tip, letter.file) if touched and tip != merge_base else base
        texts_at = Snapshots(base, head, current)
        verdict = evaluate_within(config, texts_at, changed, author, ownership, seconds=ctx.budget)
        return affirm(config, verdict, _facts(ctx, config, compared, tip))
    prefix = letter.directory.rstrip("/") + "/"
    mine = [p for p in changed.paths if p.startswith(prefix)]
    base_files = texts.folder(api, repo, merge_base, letter.directory)
    present = {p for p in mine if texts.get(api, repo, pr.head_sha, p) is not None}
    head_paths = sorted((set(base_files.paths) - set(mine)) | present)
    head_files = LazyFiles(api, texts, repo, pr.head_sha, head_paths)
    now_files = texts.folder(api, repo, tip, letter.directory) if tip != merge_base and mine else base_files
    folder = Snapshots(base_files, head_files, now_files)
    verdict = evaluate_within(config, folder, changed, author, ownership, seconds=ctx.budget)
    return affirm(config, verdict, _facts(ctx, config, compared, tip))


def _facts(ctx: Context, config: Config, compared: Comparison, tip: str) -> Facts:
    """What verifying affiliations may read: the verified ledger at the tip is read only if needed."""
    path = config.verified_ledger
    return Facts(ctx.api, ctx.store, ctx.repo, ctx.pull, compared, lambda: ctx.texts.get(ctx.api, ctx.repo, tip, path))
