"""Onboarding by pull request: a repo with no config whose letter undersigned can read gets one PR adding the
config inferred from it. Opened once: the PR's branch is the record, read back from GitHub (open, merged or
closed, a PR from that branch means it was done), never from a copy of ours."""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

from github import GithubException

from app.infer.folder import MAX_FILE, candidate
from app.infer.infer import MAX_TEXT, Inference, infer, letter_candidates
from app.jobs.job import JobDeferredError
from app.jobs.store import Keys
from app.logs import event
from app.review.context import Context
from app.worker.onboarding_pr import TITLE, body, commit_message
from config import CONFIG_PATH

log = logging.getLogger("undersigned.onboard")

BRANCH = "undersigned/onboarding"
# What one onboarding may read: a few candidate files for a list, a sample of a signers' folder. One request each.
MAX_LIST_FILES = 8
MAX_FOLDER_FILES = 30
MIN_SIGNATURES, MIN_SHARE = 3, 0.5  # fewer, or a config that reads less of its list, is no letter found
_SIGNING = re.compile(r"sign|firm|support|unterz|undersign", re.IGNORECASE)  # Signed, Firmado, Unterzeichnet...
NO_LETTER_DAYS = 30  # how long "no letter at this commit" is remembered (the commit never changes)


def onboard(ctx: Context) -> None:
    """Open the onboarding PR if the repo has no config, never had the PR, and holds a letter we can read."""
    default = ctx.api.repository(ctx.repo).default_branch
    if ctx.config(default) is not None:
        return  # configured (well or not): nothing to propose
    with ctx.store.lock(Keys.onboard_lock(ctx.repo)) as mine:
        if not mine:
            raise JobDeferredError(f"another onboarding of {ctx.repo} holds the lock")
        if ctx.api.pulls_from(ctx.repo, BRANCH):
            return  # opened once already: merged, open, or closed by the maintainers (then never again)
        if ctx.api.ever_had(ctx.repo, CONFIG_PATH, default):
            return  # the maintainers removed their config: undersigned is turned off, not waiting to be set up
        _, ref = ctx.api.cached_get(f"/repos/{ctx.repo}/git/ref/heads/{quote(default)}")  # a 304 costs no rate limit
        sha = str(ref["object"]["sha"])
        if ctx.store.get(Keys.no_letter(ctx.repo)) == sha:
            return  # looked at this very commit already
        found = _infer(ctx, sha)
        if found is None or not looks_like_a_letter(found):
            ctx.store.put(Keys.no_letter(ctx.repo), sha, ttl=NO_LETTER_DAYS * 86400)
            event(log, "onboarding-no-letter", repo=ctx.repo, sha=sha)
            return
        _open(ctx, default, sha, found)


def looks_like_a_letter(found: Inference) -> bool:
    """Whether what was found is a list of signatures, not any bulleted list: an App installed on all of an
    organisation's repositories must not propose a config to every README with a list of features. Signatures
    carry GitHub handles, or sit under a line (or in a folder) whose name speaks of signing or support."""
    if found.config is None or found.accepted < MIN_SIGNATURES or found.share < MIN_SHARE:
        return False
    letter = found.config.letter
    if letter.directory is not None:
        templates = [letter.filename, letter.content or "", *(letter.fields or {}).values()]
        return any("{login}" in t for t in templates) or _SIGNING.search(letter.directory) is not None
    if any("{login}" in t for t in (letter.line, *letter.line_variants)):
        return True
    return _SIGNING.search(letter.start_after or "") is not None


def _infer(ctx: Context, sha: str) -> Inference | None:
    """The config inferred from the files at `sha`: the candidate files for a list, a sample of a folder."""
    entries, truncated = ctx.api.tree_listing(ctx.repo, sha)
    if truncated:
        return None  # GitHub did not list every file: we do not guess a letter from part of a repo
    sizes = {e.path: e.size or 0 for e in entries if e.type == "blob"}
    paths = list(sizes)
    wanted = [p for p in letter_candidates(paths) if sizes[p] <= MAX_TEXT][:MAX_LIST_FILES]
    folder = candidate(paths)
    if folder is not None:
        wanted += [p for p in folder[1] if sizes[p] <= MAX_FILE][:MAX_FOLDER_FILES]
    files: dict[str, str] = {}
    for path in dict.fromkeys(wanted):
        got = ctx.api.file(ctx.repo, path, sha)
        if got is not None:
            files[path] = got[0]
    return infer(files, paths)


def _open(ctx: Context, default: str, sha: str, found: Inference) -> None:
    """Branch, commit the config, open the PR. Each step finds what an earlier, interrupted run already did."""
    made = ctx.api.create_branch(ctx.repo, BRANCH, sha)
    if made or ctx.api.file(ctx.repo, CONFIG_PATH, BRANCH) is None:
        ctx.api.put_file(ctx.repo, CONFIG_PATH, found.text, BRANCH, commit_message(found))
    try:
        # Through Api.send, as every comment and check run: paced, counted (the content budget sees it).
        pr = ctx.api.create_pull(ctx.repo, BRANCH, default, TITLE, body(found))
    except GithubException as exc:
        if exc.status == 422 and ctx.api.pulls_from(ctx.repo, BRANCH):
            return  # "A pull request already exists": another run opened it
        raise
    event(log, "onboarding-opened", repo=ctx.repo, pr=pr.number, source=found.source, signatures=found.accepted)
