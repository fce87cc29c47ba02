"""The weekly re-check: marks won by public organization membership are asked again, and dropped when the
membership is gone (left the organization, or made private). It drops the mark, never the signature.

Budget: one request per org-verified signer per week, at most BATCH per pass (reconciliation runs every few
minutes), so a letter with thousands of marks spreads them over the week's passes."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass

from github import GithubException

from app.affiliations.records import Record, parse_records, render_records
from app.affiliations.verify import member_key
from app.github.api import Api
from app.github.caches import TextCache
from app.github.trees import entries_at
from app.jobs.store import Keys, Store
from app.logs import event
from app.rules.apply import apply_changes, needs_ledger
from app.rules.marker import unmark, uses_marker
from config.model import Config

log = logging.getLogger("undersigned.affiliations")
WEEK = 7 * 86400.0
BATCH = 50  # membership requests per pass at most
RETRIES = 3


def next_key(repo: str) -> str:
    return f"affil:recheck:next:{repo.lower()}"


def cursor_key(repo: str) -> str:
    return f"affil:recheck:cursor:{repo.lower()}"


def dropped_key(repo: str) -> str:
    """The marks the last re-checks dropped, for the dashboard (login, affiliation, organization, date)."""
    return f"affil:recheck:dropped:{repo.lower()}"


@dataclass(frozen=True)
class Where:
    """The letter a re-check works on: its API client, store, text cache, repo and default branch."""

    api: Api
    store: Store
    texts: TextCache
    repo: str
    branch: str


def due(store: Store, repo: str, now: float | None = None) -> bool:
    """Whether this week's re-check of `repo` is still to finish."""
    at = store.get(next_key(repo))
    return at is None or float(at) <= (now or time.time())


def recheck(where: Where, config: Config, now: float | None = None) -> list[Record]:
    """One pass: the next BATCH org-verified records asked again; the lapsed ones dropped in one commit."""
    if not due(where.store, where.repo, now):
        return []
    api, store, repo = where.api, where.store, where.repo
    tip = api.branch_sha(repo, where.branch)
    records = parse_records(where.texts.get(api, repo, tip, config.verified_ledger))
    by_org = [r for r in records if r.mark.method == "org"]
    start = int(store.get(cursor_key(repo)) or 0)
    batch = by_org[start : start + BATCH]
    lapsed = [r for r in batch if not api.public_member(r.mark.matched, r.login)]
    for record in lapsed:
        store.delete(member_key(record.mark.matched, record.login))
    if start + BATCH >= len(by_org):
        store.put(cursor_key(repo), "0")
        store.put(next_key(repo), f"{(now or time.time()) + WEEK:.0f}")
    else:
        store.put(cursor_key(repo), str(start + BATCH - len(lapsed)))
    if lapsed:
        with store.lock(Keys.landing_lock(repo)) as mine:
            if not mine:
                store.put(cursor_key(repo), str(start))  # a landing holds the letter: the next pass asks again
                store.delete(next_key(repo))
                return []
            _write(where, config, lapsed)
        _tell(store, repo, lapsed)
    return lapsed


def _write(where: Where, config: Config, lapsed: list[Record]) -> None:
    """The verified ledger without the lapsed marks, committed on the default branch (never forced)."""
    api, repo, path = where.api, where.repo, config.verified_ledger
    gone = {(r.account, r.login) for r in lapsed}
    names = ", ".join(f"@{r.login}" for r in lapsed)
    message = f"Affiliation re-check: {names} no longer public members; their verified mark is dropped"
    for _ in range(RETRIES):
        tip = api.branch_sha(repo, where.branch)
        now_records = parse_records(where.texts.get(api, repo, tip, path))
        text = render_records([r for r in now_records if (r.account, r.login) not in gone])
        changed: dict[str, str] = {path: text}
        if uses_marker(config.letter):
            # The letter's lines lose their marker in the same commit (and the ledger of who owns a line
            # without a login follows its new text): computed by the rules, like a landing's.
            changed.update(_unmarked(where, config, tip, lapsed))
        tree = api.create_tree(repo, tip, entries_at(api, repo, tip, changed))  # modes kept from the tip
        sha = str(api.create_commit(repo, message, tree, [tip])["sha"])
        try:
            api.update_branch(repo, where.branch, sha)
            return
        except GithubException as exc:
            if exc.status != 422:
                raise  # the next week's pass (or this one's retry as a job) tries again
    raise RuntimeError(f"the default branch of {repo} kept moving; the affiliation re-check will be retried")


def _unmarked(where: Where, config: Config, tip: str, lapsed: list[Record]) -> dict[str, str]:
    """The letter (and its ownership ledger) with the lapsed signers' lines written without the marker."""
    letter, api, repo = config.letter, where.api, where.repo
    files: dict[str, str] = {}
    if (text := where.texts.get(api, repo, tip, letter.file)) is not None:
        files[letter.file] = text
    if needs_ledger(letter) and (ledger := where.texts.get(api, repo, tip, letter.ledger)) is not None:
        files[letter.ledger] = ledger
    changes = unmark(config, files, [(r.login, r.account) for r in lapsed])
    written = apply_changes(config, files, changes) if changes else {}
    return {p: t for p, t in written.items() if t is not None}  # a list letter's files are rewritten, never deleted


def _tell(store: Store, repo: str, lapsed: list[Record]) -> None:
    today = time.strftime("%Y-%m-%d", time.gmtime())
    told = json.loads(store.get(dropped_key(repo)) or "[]")
    told += [
        {"login": r.login, "affiliation": r.mark.affiliation, "org": r.mark.matched, "date": today} for r in lapsed
    ]
    store.put(dropped_key(repo), json.dumps(told[-200:]))
    event(log, "affiliation marks dropped", repo=repo, logins=[r.login for r in lapsed])
