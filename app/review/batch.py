"""Evaluations in a burst share their reads: one GraphQL batch (app.github.graphql) for up to 100 waiting PRs of a
repo gives each its merge base, tip and letter texts, instead of a compare and a file read or two each.

The burst is the queue itself: the first evaluation of a repo's burst reads its own PR and the evaluate jobs of
that repo still waiting (up to 99), so a lone PR waits for nobody and a burst costs one batch per 100 PRs. What a
batch read is kept in this process for FRESH seconds and used once; an evaluation whose PR it did not read, or
read as unusable (more than one commit, other files, a rename, a symlink, a non-UTF-8 or cut text, an error),
reads over REST exactly as before (principle 1). The tip a batch saw may move before the PR's turn: as with
REST's compare, which is as old as the evaluation, landing applies the change on the tip it finds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from github import GithubException

from app.github.graphql import PAGE, GraphQLError, Pull, Unusable, read_blobs, read_pulls
from app.github.models import Commitish, CompareFile, Comparison
from app.logs import event
from app.review.context import Context
from config import Config

log = logging.getLogger("undersigned.batch")
FRESH = 60.0  # seconds a batch's read of a PR serves its evaluation
RESERVE = 0.25  # share of the GraphQL budget kept back: below it, batches pause until the budget resets
LIMITED_PAUSE = 60.0  # seconds without batches after GitHub refused one (a secondary limit, an outage)
TEXT_BYTES = 64 * 1024 * 1024  # letter texts kept between a batch and the evaluations it serves
Key = tuple[int, str, int]  # installation, repo (lower case), PR number
_CURRENT: ContextVar[BatchReads | None] = ContextVar("batch_reads", default=None)


@dataclass
class Tally:
    """What batches did in this process (the bench prints it)."""

    batches: int = 0
    prs: int = 0
    used: int = 0  # evaluations served by a batch
    unusable: dict[str, int] = field(default_factory=dict)  # why PRs went to REST


class BatchReads:
    """One process's batch reads: each PR's read, kept until its evaluation takes it, and the texts they need."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, text_bytes: int = TEXT_BYTES) -> None:
        self.clock, self.text_bytes, self.lock = clock, text_bytes, threading.Lock()
        self.reads: dict[Key, tuple[float, Pull | Unusable]] = {}
        self.texts: OrderedDict[str, str] = OrderedDict()
        self.held = 0  # characters in `texts`
        self.fetching: dict[Key, threading.Event] = {}
        self.paused: dict[int, float] = {}  # installation -> wall-clock time batches may resume
        self.tally = Tally()

    def comparison(self, ctx: Context, config: Config) -> Comparison | None:
        """The PR's comparison as a batch read it, with its letter texts primed in `ctx.texts`; None: use REST."""
        pr, letter = ctx.pull, config.letter
        if letter.directory is not None or (config.verify_affiliation != "off" and config.affiliations):
            return None  # a folder needs its tree; verifying by commit needs the compare's commits
        key = (ctx.installation_id, ctx.repo.lower(), pr.number)
        read = self._take(key)
        if read is None:
            self._fetch(ctx, letter.file, key)
            read = self._take(key)
        if not isinstance(read, Pull) or read.head != pr.head_sha:
            return None
        with self.lock:
            texts = [self.texts.get(b) if b is not None else None for b in read.blobs]
        if any(b is not None and t is None for b, t in zip(read.blobs, texts, strict=True)):
            return None  # a text that did not check out, or was dropped to bound memory
        for sha, text in zip((read.merge_base, read.head, read.tip), texts, strict=True):
            ctx.texts.prime(ctx.repo, sha, letter.file, text)
        with self.lock:
            self.tally.used += 1
        # The compare as the rules read it: one changed file, the letter, whose change GitHub shows as text
        # (`patch` present); its text comes from the cache just primed, not from a patch.
        changed = CompareFile(filename=letter.file, status=read.status, patch="", sha=None)
        return Comparison(merge_base_commit=Commitish(sha=read.merge_base), base_commit=Commitish(sha=read.tip),
                          files=[changed])  # fmt: skip

    def _take(self, key: Key) -> Pull | Unusable | None:
        """A kept read, or None. A usable one serves once (a later evaluation of the PR reads fresh); an
        unusable one stays while fresh, so evaluating that PR again goes straight to REST."""
        with self.lock:
            kept = self.reads.get(key)
            if kept is not None and isinstance(kept[1], Pull):
                del self.reads[key]
        return kept[1] if kept is not None and self.clock() - kept[0] < FRESH else None

    def _fetch(self, ctx: Context, path: str, key: Key) -> None:
        """Read this PR, and the repo's waiting ones, in one batch; or wait for the batch already reading it."""
        installation, repo, _ = key
        with self.lock:
            running = self.fetching.get(key)
            if running is None:
                if time.time() < self.paused.get(installation, 0.0):
                    return
                now = self.clock()
                self.reads = {k: v for k, v in self.reads.items() if now - v[0] < FRESH}
                numbers = [key[2], *self._waiting(ctx, key)]
                running = threading.Event()
                for n in numbers:
                    self.fetching[(installation, repo, n)] = running
                leader = True
            else:
                leader = False
        if not leader:
            running.wait(30.0)
            return
        try:
            self._read(ctx, path, numbers)
        finally:
            with self.lock:
                for n in numbers:
                    self.fetching.pop((installation, repo, n), None)
            running.set()

    def _waiting(self, ctx: Context, key: Key) -> list[int]:
        """The repo's other evaluate jobs still on the queue, not read already nor being read."""
        prefix = f"evaluate:{key[1]}:"
        out: list[int] = []
        for job in ctx.store.jobs_waiting(prefix, 2 * PAGE):
            tail = job[len(prefix) :]
            n = int(tail) if tail.isdigit() else None
            k = (key[0], key[1], n or 0)
            if n is not None and n != key[2] and k not in self.fetching and k not in self.reads:
                out.append(n)
        return out[: PAGE - 1]

    def _read(self, ctx: Context, path: str, numbers: list[int]) -> None:
        installation, repo = ctx.installation_id, ctx.repo.lower()
        try:
            reads, sizes, rate = read_pulls(ctx.api.req, ctx.repo, numbers, path)
            wanted = {b for r in reads if isinstance(r, Pull) for b in r.blobs if b is not None}
            with self.lock:
                missing = {oid: size for oid, size in sizes.items() if oid in wanted and oid not in self.texts}
            texts = read_blobs(ctx.api.req, ctx.repo, missing) if missing else {}
        except (GraphQLError, GithubException) as exc:
            event(log, "batch read failed", logging.WARNING, repo=ctx.repo, prs=len(numbers), error=str(exc)[:200])
            with self.lock:
                self.paused[installation] = time.time() + LIMITED_PAUSE
            return
        now = self.clock()
        with self.lock:
            self.tally.batches += 1
            self.tally.prs += len(numbers)
            for r in reads:
                self.reads[(installation, repo, r.number)] = (now, r)
                if isinstance(r, Unusable):
                    self.tally.unusable[r.why] = self.tally.unusable.get(r.why, 0) + 1
            for oid, text in texts.items():
                self._keep(oid, text)
            if rate is not None and rate.remaining < rate.limit * RESERVE:
                self.paused[installation] = rate.reset_at  # GitHub's GraphQL budget is running low: REST meanwhile
        usable = sum(isinstance(r, Pull) for r in reads)
        event(log, "batch read", repo=ctx.repo, prs=len(numbers), usable=usable, cost=rate.cost if rate else None)

    def _keep(self, oid: str, text: str) -> None:
        """Keep a text (under the lock), dropping the oldest past `text_bytes`."""
        if oid in self.texts:
            self.texts.move_to_end(oid)
            return
        self.texts[oid] = text
        self.held += len(text)
        while self.held > self.text_bytes and len(self.texts) > 1:
            _, dropped = self.texts.popitem(last=False)
            self.held -= len(dropped)


@contextmanager
def batching(reads: BatchReads | None) -> Iterator[None]:
    """Let evaluations in this block use `reads` (None: REST only)."""
    token = _CURRENT.set(reads)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def batched_comparison(ctx: Context, config: Config) -> Comparison | None:
    """The hook evaluation calls before its compare: a batch's read of the PR, or None (read over REST)."""
    reads = _CURRENT.get()
    return reads.comparison(ctx, config) if reads is not None else None
