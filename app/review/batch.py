"""Evaluations in a burst share their reads: one GraphQL batch (app.github.graphql) for up to 100 waiting PRs of a
repo gives each its merge base, tip and letter texts, instead of a compare and a file read or two each.

The burst is the queue itself: the first evaluation of a repo's burst reads its own PR and the evaluate jobs of
that repo still waiting (up to 99), and their workers wait for its batch. A lone PR waits for nobody: usually one
query instead of a compare. (GATHER can give a burst a moment more to reach the queue: measured with a second, it
delayed outcomes while batches stayed small, as workers keep up with arrivals; so it is 0.) What a
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

from app.github.graphql import MAX_BYTES, PAGE, GraphQLError, Pull, Unusable, read_blobs, read_pulls
from app.github.models import Commitish, CompareFile, Comparison
from app.logs import event
from app.review.context import Context
from config import Config

log = logging.getLogger("undersigned.batch")
FRESH = 60.0  # seconds a batch's read of a PR serves its evaluation
RESERVE = 0.25  # share of the GraphQL budget kept back: below it, batches pause until the budget resets
LIMITED_PAUSE = 60.0  # seconds without batches after GitHub refused one (a secondary limit, an outage)
GATHER = 0.0  # seconds a batch would wait for more of a burst to reach the queue (only when others wait)
TEXT_BYTES = 64 * 1024 * 1024  # letter texts kept between a batch and the evaluations it serves
INLINE_UNKNOWN = 1_000_000  # bytes assumed of a letter no batch has seen yet (heads' texts inline up to 4 PRs)
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

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, text_bytes: int = TEXT_BYTES, gather: float = GATHER
    ) -> None:
        self.clock, self.text_bytes, self.gather, self.lock = clock, text_bytes, gather, threading.Lock()
        self.reads: dict[Key, tuple[float, Pull | Unusable]] = {}
        self.texts: OrderedDict[str, str] = OrderedDict()
        self.held = 0  # characters in `texts`
        self.fetching: dict[Key, threading.Event] = {}
        self.paused: dict[int, float] = {}  # installation -> wall-clock time batches may resume
        self.letter_size: dict[str, int] = {}  # repo -> bytes of its letter, as the last batch saw it
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
        commits = (read.merge_base, read.head, read.tip)
        with self.lock:
            texts = [self.texts.get(b) if b is not None else None for b in read.blobs]
        for sha, blob, text in zip(commits, read.blobs, texts, strict=True):
            if blob is not None and text is None and not ctx.texts.peek(ctx.repo, sha, letter.file):
                return None  # a text that did not check out, or was dropped to bound memory
        for sha, blob, text in zip(commits, read.blobs, texts, strict=True):
            if text is not None or blob is None:
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
        installation, repo, number = key
        with self.lock:
            running = self.fetching.get(key)
            leader = running is None
            if running is None:
                if time.time() < self.paused.get(installation, 0.0):
                    return
                now = self.clock()
                self.reads = {k: v for k, v in self.reads.items() if now - v[0] < FRESH}
                running = self.fetching[key] = threading.Event()
        if not leader:
            running.wait(30.0)
            return
        numbers = [number]
        try:
            numbers += self._claim(ctx, key, running, PAGE - 1)
            if 1 < len(numbers) < PAGE and self.gather > 0:
                # Others wait: a burst is arriving. A moment more lets more of it reach the queue (a lone PR,
                # with nobody waiting, never waits); their workers wait for this batch instead of reading alone.
                time.sleep(self.gather)
                numbers += self._claim(ctx, key, running, PAGE - len(numbers))
            self._read(ctx, path, numbers)
        finally:
            with self.lock:
                for n in numbers:
                    self.fetching.pop((installation, repo, n), None)
            running.set()

    def _claim(self, ctx: Context, key: Key, running: threading.Event, room: int) -> list[int]:
        """Up to `room` of the repo's other evaluate jobs still on the queue, not read already nor being read,
        marked as read by this batch."""
        prefix = f"evaluate:{key[1]}:"
        listed = ctx.store.jobs_waiting(prefix, 2 * PAGE)
        out: list[int] = []
        with self.lock:
            for job in listed:
                tail = job[len(prefix) :]
                k = (key[0], key[1], int(tail) if tail.isdigit() else 0)
                if k[2] and k not in self.fetching and k not in self.reads and len(out) < room:
                    self.fetching[k] = running
                    out.append(k[2])
        return out

    def _read(self, ctx: Context, path: str, numbers: list[int]) -> None:
        installation, repo = ctx.installation_id, ctx.repo.lower()
        try:
            # Small batches carry their heads' texts (bounded by the letter's size, once known): often the only
            # query, as the merge base's and the tip's texts are shared by many PRs and kept from earlier batches.
            inline = len(numbers) * self.letter_size.get(repo, INLINE_UNKNOWN) <= MAX_BYTES
            reads, seen, rate = read_pulls(ctx.api.req, ctx.repo, numbers, path, texts=inline)
            # Texts this process knows by commit (the tip it just landed, a merge base read before) are not asked.
            wanted = {
                b
                for r in reads
                if isinstance(r, Pull)
                for sha, b in zip((r.merge_base, r.head, r.tip), r.blobs, strict=True)
                if b is not None and not ctx.texts.peek(ctx.repo, sha, path)
            }
            texts = dict(seen.texts)
            with self.lock:
                missing = {o: n for o, n in seen.sizes.items() if o in wanted and o not in self.texts | texts}
            texts.update(read_blobs(ctx.api.req, ctx.repo, missing) if missing else {})
        except (GraphQLError, GithubException) as exc:
            event(log, "batch read failed", logging.WARNING, repo=ctx.repo, prs=len(numbers), error=str(exc)[:200])
            resume = exc.resume_at if isinstance(exc, GraphQLError) else 0.0
            with self.lock:
                self.paused[installation] = max(time.time() + LIMITED_PAUSE, resume)
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
            if seen.sizes:
                self.letter_size[repo] = max(seen.sizes.values())
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
