"""The worker's evaluation of one PR: read fresh state from GitHub, decide with the rules, report."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from prometheus_client import Counter

from app.github import Api, GitHubApp
from app.logs import event
from app.render import check_report as render_check
from app.render import comment_body, config_comment, config_error_report
from app.report import Reporter
from app.rules import Author, Verdict, evaluate
from config import CONFIG_PATH, Config, ConfigError, parse_config
from handlers import Job

log = logging.getLogger("undersigned.evaluate")
VERDICTS = Counter("undersigned_verdicts_total", "Verdicts reached", ["kind"])


@dataclass(frozen=True)
class Outcome:
    """A finished evaluation: what the lander needs to land it."""

    installation_id: int
    repo: str
    pr: dict[str, Any]
    config: Config
    verdict: Verdict
    default_branch: str

    @property
    def head_sha(self) -> str:
        return str(self.pr["head"]["sha"])


class TextCache:
    """File texts by (repo, commit, path): a file at a commit never changes, so no TTL is needed."""

    def __init__(self, size: int = 32) -> None:
        self.size, self.items, self.lock = size, OrderedDict[tuple[str, str, str], str | None](), threading.Lock()

    def letter(self, api: Api, repo: str, ref: str, path: str) -> dict[str, str]:
        """A single-file letter at `ref` as the rules take it: {path: text}, or {} when it is absent."""
        text = self.get(api, repo, ref, path)
        return {path: text} if text is not None else {}

    def folder(self, api: Api, repo: str, ref: str, directory: str) -> LazyFiles:
        """A one-file-per-signer folder at `ref`: its paths from one tree read, each file read when asked."""
        prefix = directory.rstrip("/") + "/"
        paths = [str(e["path"]) for e in api.tree(repo, ref) if str(e["path"]).startswith(prefix)]
        return LazyFiles(api, self, repo, ref, paths)

    def get(self, api: Api, repo: str, ref: str, path: str) -> str | None:
        key = (repo.lower(), ref, path)
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        found = api.file(repo, path, ref)
        text = found[0] if found else None
        with self.lock:
            self.items[key] = text
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return text


class ConfigCache:
    """Each repo's config, re-read at most every `ttl` seconds; parsed once per blob."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.clock, self.lock = ttl, clock, threading.Lock()
        self.entries: dict[str, tuple[float, Config | ConfigError | None]] = {}
        self.parsed: dict[str, Config | ConfigError] = {}

    def get(self, api: Api, repo: str, branch: str) -> Config | ConfigError | None:
        with self.lock:
            entry = self.entries.get(repo.lower())
            if entry is not None and self.clock() - entry[0] < self.ttl:
                return entry[1]
        found = api.file(repo, CONFIG_PATH, branch)  # always the default branch, never the PR
        result: Config | ConfigError | None = None
        if found is not None:
            text, sha = found
            result = self.parsed.get(sha)
            if result is None:
                result = self.parsed[sha] = parse_config(text)
        with self.lock:
            self.entries[repo.lower()] = (self.clock(), result)
        return result

    def forget(self, repo: str) -> None:
        with self.lock:
            self.entries.pop(repo.lower(), None)


class LazyFiles(Mapping[str, str]):
    """A letter folder at one commit: paths known up front, each file read only when asked for."""

    def __init__(self, api: Api, cache: TextCache, repo: str, ref: str, paths: list[str]) -> None:
        self.api, self.cache, self.repo, self.ref, self.paths = api, cache, repo, ref, paths
        self.known = set(paths)

    def __getitem__(self, path: str) -> str:
        if path not in self.known:
            raise KeyError(path)
        text = self.cache.get(self.api, self.repo, self.ref, path)
        if text is None:
            raise KeyError(path)
        return text

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)


class Evaluator:
    """Runs jobs: evaluate a PR (or every open PR of a repo) and report on it."""

    def __init__(self, github: GitHubApp, reporter: Reporter, config_ttl: float) -> None:
        self.github, self.reporter = github, reporter
        self.configs, self.texts = ConfigCache(config_ttl), TextCache()
        self.on_valid: Callable[[Outcome], None] | None = None  # the lander, when landing is on

    def run(self, job: Job) -> None:
        api = self.github.api(job.installation_id)
        if job.kind == "evaluate" and job.number is not None:
            self.evaluate(api, job.installation_id, job.repo, job.number)
        elif job.kind == "evaluate_sha":
            for pr in api.open_pulls(job.repo):
                if pr["head"]["sha"] == job.sha:
                    self.evaluate(api, job.installation_id, job.repo, int(pr["number"]))
        elif job.kind == "scan":
            for pr in api.open_pulls(job.repo):
                self.evaluate(api, job.installation_id, job.repo, int(pr["number"]))
        elif job.kind == "sweep":
            self.sweep(api, job.installation_id, job.repo)

    def evaluate(self, api: Api, installation_id: int, repo: str, number: int) -> Outcome | None:
        pr = api.pull(repo, number)
        if pr["state"] != "open":
            return None
        default = str(pr["base"]["repo"]["default_branch"])
        config = self.configs.get(api, repo, default)
        if config is None:
            return None  # no .github/undersigned.yml: this repo is not a letter
        head_sha = str(pr["head"]["sha"])
        author_login = str(pr["user"]["login"])
        if isinstance(config, ConfigError):
            event(log, "config error", repo=repo, pr=number, head_sha=head_sha, issues=len(config.issues))
            self.reporter.check(api, repo, head_sha, config_error_report(config))
            self.reporter.comment(api, repo, pr, config_comment(config), only_if_exists=False)
            return None
        verdict = self.decide(api, repo, pr, config, default)
        VERDICTS.labels(verdict.kind).inc()
        event(
            log,
            "decision",
            repo=repo,
            pr=number,
            head_sha=head_sha,
            kind=verdict.kind,
            problems=[p.code for p in verdict.problems],
        )
        self.reporter.check(api, repo, head_sha, render_check(verdict, config.letter.directory or config.letter.file))
        body = comment_body(verdict, author_login)
        self.reporter.comment(api, repo, pr, body, verdict.kind != "invalid", config.report.comment)
        role = "valid" if verdict.ok else ("invalid" if verdict.kind == "invalid" else None)
        self.reporter.labels(api, repo, pr, config, role)
        outcome = Outcome(installation_id, repo, pr, config, verdict, default)
        self._close_if_stale(api, repo, pr, config, verdict)
        if verdict.ok and config.merge.enabled and self.on_valid is not None:
            self.on_valid(outcome)
        return outcome

    def _close_if_stale(self, api: Api, repo: str, pr: dict[str, Any], config: Config, verdict: Verdict) -> None:
        """With merge.close_invalid_after_days, a PR invalid for that long is closed, saying why."""
        key = f"invalid-since:{repo}:{pr['number']}"
        store = self.reporter.store
        if verdict.kind != "invalid":
            store.delete(key)
            return
        store.claim(key)  # records when it first became invalid
        days = config.merge.close_invalid_after_days
        since = float(store.get(key) or time.time())
        if days is None or time.time() - since < days * 86400:
            return
        note = f"Closing: this pull request has needed changes for over {days} days. Reopen it once it is fixed."
        body = comment_body(verdict, str(pr["user"]["login"])).rstrip("\n") + f"\n\n{note}\n"
        self.reporter.comment(api, repo, pr, body, False, config.report.comment)
        api.close_pull(repo, int(pr["number"]))
        store.delete(key)
        event(log, "closed stale", repo=repo, pr=pr["number"], days=days)

    def sweep(self, api: Api, installation_id: int, repo: str) -> None:
        """Re-evaluate the open PRs that may have been invalid too long (none unless the repo asks)."""
        config = self.configs.get(api, repo, str(api.get(f"/repos/{repo}")["default_branch"]))
        if not isinstance(config, Config) or config.merge.close_invalid_after_days is None:
            return
        limit = config.merge.close_invalid_after_days * 86400
        for pr in api.open_pulls(repo):
            since = self.reporter.store.get(f"invalid-since:{repo}:{pr['number']}")
            if since is not None and time.time() - float(since) >= limit:
                self.evaluate(api, installation_id, repo, int(pr["number"]))

    def decide(self, api: Api, repo: str, pr: dict[str, Any], config: Config, default: str) -> Verdict:
        head_sha = str(pr["head"]["sha"])
        user = pr["user"]
        if pr["base"]["ref"] != default:
            return Verdict("not_a_signature")  # signatures land on the default branch only
        compared = api.compare(repo, default, head_sha)
        merge_base = str(compared["merge_base_commit"]["sha"])
        tip = str(compared["base_commit"]["sha"])
        changed = [str(f["filename"]) for f in compared.get("files") or []]
        changed += [str(f["previous_filename"]) for f in compared.get("files") or [] if f.get("previous_filename")]
        created = None
        if config.signers.min_account_age_days:
            created = datetime.fromisoformat(str(api.user(user["login"])["created_at"]).replace("Z", "+00:00"))
        author = Author(str(user["login"]), user.get("id"), user.get("type"), created)
        letter = config.letter
        if letter.directory is None:
            base = self.texts.letter(api, repo, merge_base, letter.file)
            touched = letter.file in changed  # else the head's letter is the base's: no read needed
            head = self.texts.letter(api, repo, head_sha, letter.file) if touched else base
            current = self.texts.letter(api, repo, tip, letter.file) if touched and tip != merge_base else base
            return evaluate(config, base, head, changed, author, datetime.now(UTC), current)
        prefix = letter.directory.rstrip("/") + "/"
        mine = [p for p in changed if p.startswith(prefix)]
        base_files = self.texts.folder(api, repo, merge_base, letter.directory)
        present = {p for p in mine if self.texts.get(api, repo, head_sha, p) is not None}
        head_paths = sorted((set(base_files.paths) - set(mine)) | present)
        head_files = LazyFiles(api, self.texts, repo, head_sha, head_paths)
        now_files = self.texts.folder(api, repo, tip, letter.directory) if tip != merge_base and mine else base_files
        return evaluate(config, base_files, head_files, changed, author, datetime.now(UTC), now_files)
