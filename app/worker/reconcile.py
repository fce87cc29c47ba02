"""Reconciliation: find what no webhook announced. Open PRs whose head has no verdict of ours are queued
for evaluation, and a repo with validated PRs waiting gets a landing. Level-triggered: it reads state.

An idle pass costs almost no rate limit: the repo and its open PRs are read with conditional requests, and
GitHub does not count a 304. https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
"""

from __future__ import annotations

import logging

from app.affiliations.recheck import Where, due, recheck
from app.jobs.job import Job
from app.jobs.store import Keys
from app.logs import event
from app.review.context import Context
from config import Config

log = logging.getLogger("undersigned.reconcile")


def reconcile(ctx: Context) -> None:
    default = ctx.api.repository(ctx.repo).default_branch
    config = ctx.config(default)
    if config is None:
        # No config: an installation no webhook announced gets its onboarding PR (once; an idle pass costs nothing).
        ctx.queue("onboard")
        return
    if not isinstance(config, Config):
        return  # its config is broken, which its PRs' checks already say
    if config.verify_affiliation != "off" and due(ctx.store, ctx.repo):
        recheck(Where(ctx.api, ctx.store, ctx.texts, ctx.repo, default), config)  # weekly: marks that lapsed
    missing = [
        pr.number
        for pr in ctx.api.open_pulls(ctx.repo)
        if ctx.store.get(Keys.check_digest(ctx.repo, pr.head_sha)) is None
        and not ctx.store.job_queued(Job("evaluate", ctx.installation_id, ctx.repo, pr.number).key)
    ]
    for number in missing:
        ctx.queue("evaluate", number)
    waiting = bool(ctx.ready.items(ctx.repo))
    if waiting:
        ctx.queue("land")
    if missing or waiting:
        event(log, "reconciled", repo=ctx.repo, evaluate=missing, land=waiting)
