"""A letter's signatures at a commit, read through the API, and the date each landed, read from git's history.

A folder's files are cached by blob sha (a blob never changes), so a new tip reads only the files it changed.
Landing dates come from undersigned's own landing commits ("#12 by @ada" in the message), newest read first and
only down to the last commit already read; a signature landed some other way has no known date (None)."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Mapping

from app.github.api import Api
from app.github.caches import TextCache
from app.rules.apply import needs_ledger
from app.rules.export import date_key
from app.rules.roster import Signatory
from app.rules.text import login_key
from config.model import LetterConfig

MAX_FILES = 20_000  # a folder letter's files read at most
MAX_PAGES = 20  # pages of 100 commits read at most when a letter's history is first read
BLOBS_KEPT = 50_000
_CREDIT = re.compile(r"^#\d+ by @([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\s*$", re.MULTILINE)


class RosterReader:
    """Shared by every job and page of the process; thread-safe."""

    def __init__(self, texts: TextCache | None = None) -> None:
        self.texts = texts or TextCache(64)
        self.blobs: OrderedDict[str, str] = OrderedDict()
        self.history: dict[str, tuple[str, dict[str, str]]] = {}  # repo -> (tip read, date by key)
        self.lock = threading.Lock()

    def files(self, api: Api, repo: str, sha: str, cfg: LetterConfig) -> dict[str, str]:
        """The letter's files at `sha` (and the ledger, when the letter has one)."""
        if cfg.directory is None:
            files = dict(self.texts.letter(api, repo, sha, cfg.file))
        else:
            prefix = cfg.directory.rstrip("/") + "/"
            entries = [e for e in api.tree(repo, sha) if e.type == "blob" and e.path.startswith(prefix)]
            files = {}
            for entry in entries[:MAX_FILES]:
                text = self._blob(api, repo, sha, entry.path, entry.sha)
                if text is not None:
                    files[entry.path] = text
        if needs_ledger(cfg):
            ledger = self.texts.get(api, repo, sha, cfg.ledger)
            if ledger is not None:
                files[cfg.ledger] = ledger
        return files

    def _blob(self, api: Api, repo: str, ref: str, path: str, blob: str) -> str | None:
        with self.lock:
            if blob in self.blobs:
                return self.blobs[blob]
        found = api.file(repo, path, ref)
        if found is None:
            return None
        with self.lock:
            self.blobs[blob] = found[0]
            while len(self.blobs) > BLOBS_KEPT:
                self.blobs.popitem(last=False)
        return found[0]

    def dates(self, api: Api, repo: str, tip: str, cfg: LetterConfig) -> dict[str, str]:
        """Landing date (YYYY-MM-DD, UTC) by `date_key`: the first landing commit that credits the login."""
        key = f"{api.req.base_url}|{repo.lower()}"  # one process may serve several GitHubs (tests do)
        path = cfg.directory.rstrip("/") if cfg.directory else cfg.file
        with self.lock:
            known = self.history.get(key)
        if known is not None and known[0] == tip:
            return known[1]
        newer: list[tuple[str, str]] = []  # (message, date), newest first
        stop, met = (known[0] if known else None), False
        for page in range(1, MAX_PAGES + 1):
            found = api.commits(repo, tip, path, page)
            for commit in found:
                if commit.get("sha") == stop:
                    met = True
                    break
                data = commit.get("commit") or {}
                when = str(((data.get("committer") or {}).get("date")) or "")[:10]
                newer.append((str(data.get("message") or ""), when))
            else:
                if len(found) == 100:
                    continue
            break
        dates = dict(known[1]) if known and met else {}  # not met: the history was rewritten, start again
        for message, when in reversed(newer):  # oldest first: the first landing is the date kept
            for login in _CREDIT.findall(message):
                dates.setdefault(f"@{login_key(login)}", when)
        with self.lock:
            self.history[key] = (tip, dates)
        return dates


def with_today(people: list[Signatory], dates: Mapping[str, str], logins: list[str], today: str) -> dict[str, str]:
    """`dates`, plus today for the logins landing now (a commit being built is in no history yet)."""
    out = dict(dates)
    for login in logins:
        out.setdefault(f"@{login_key(login)}", today)
    known = {date_key(s) for s in people}
    return {k: v for k, v in out.items() if k in known}


READER = RosterReader()  # one per process: blobs and histories are shared by landing, moderation and the pages
