"""Landing: valid signatures reach the default branch exactly once, one repo at a time, in batches."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict
from typing import Any

from github import GithubException
from prometheus_client import Counter

from app.evaluate import Evaluator, Outcome
from app.github import Api, GitHubApp
from app.logs import event
from app.ready import Ready, ReadySet
from app.render import MARKER, CheckReport, comment_body
from app.rules import Verdict
from app.rules.apply import ApplyError, apply_changes
from app.store import Store
from config import Config
from handlers import Job

log = logging.getLogger("undersigned.land")
LANDED = Counter("undersigned_landed_total", "Pull requests landed", ["how"])
LOCK_STALE_AFTER = 300.0
MAX_BATCH = 50  # PR heads per merge commit
RACE_RETRIES = 5


class HeadMovedError(Exception):
    """The PR's head moved after validation: the push's own evaluation decides what happens next."""


class BlockedError(Exception):
    """GitHub will not let the App write to the default branch (protection, permissions)."""


class Lander:
    def __init__(self, github: GitHubApp, store: Store, evaluator: Evaluator, enqueue: Callable[[Job], bool]) -> None:
        self.github, self.store, self.evaluator, self.enqueue = github, store, evaluator, enqueue
        self.ready = ReadySet(store)
        self.known: dict[str, tuple[str, str]] = {}  # repo -> (tip sha, letter text) we committed

    def submit(self, outcome: Outcome) -> None:
        """A valid verdict: remember what to land, and ask for the repo's landing job."""
        verdict = outcome.verdict
        item = Ready(
            int(outcome.pr["number"]),
            outcome.head_sha,
            str(outcome.pr["user"]["login"]),
            [asdict(c) for c in verdict.land],
            verdict.placement_fixed,
        )
        self.ready.add(outcome.repo, item)
        self.enqueue(Job("land", outcome.installation_id, outcome.repo))

    def land(self, installation_id: int, repo: str) -> None:
        """Land everything waiting for `repo`. One landing per repo at a time, across processes."""
        lock = f"landing:{repo.lower()}"
        if not self.store.claim(lock, stale_after=LOCK_STALE_AFTER):
            self.enqueue(Job("land", installation_id, repo))  # the holder may miss what arrived: come back
            time.sleep(0.2)
            return
        try:
            api = self.github.api(installation_id)
            while waiting := self.ready.items(repo):
                self._land_batch(api, installation_id, repo, waiting[:MAX_BATCH])
        finally:
            self.store.delete(lock)

    def _land_batch(self, api: Api, installation_id: int, repo: str, waiting: list[Ready]) -> None:
        batch: list[tuple[Ready, dict[str, Any]]] = []
        gone: list[Ready] = []
        for item in waiting:
            pr = api.pull(repo, item.number)
            if pr["state"] != "open" or pr["head"]["sha"] != item.sha:
                gone.append(item)  # merged, closed, or pushed to since validation (that push re-evaluates)
            else:
                batch.append((item, pr))
        self.ready.drop(repo, gone)
        if not batch:
            return
        default = str(batch[0][1]["base"]["repo"]["default_branch"])
        config = self.evaluator.configs.get(api, repo, default)
        if not isinstance(config, Config) or not config.merge.enabled:
            self.ready.drop(repo, [item for item, _ in batch])
            return
        try:
            merged = self._merge_endpoint(api, repo, config, *batch[0]) if len(batch) == 1 else None
            if merged is not None:
                landed, how, sha = [batch[0]], "merge-endpoint", merged
            else:
                landed, how, sha = self._merge_commit(api, installation_id, repo, config, default, batch)
        except BlockedError as exc:
            for _, pr in batch:
                self._report_blocked(api, repo, pr, str(exc))
            self.ready.drop(repo, [item for item, _ in batch])
            return
        except HeadMovedError:
            self.ready.drop(repo, [item for item, _ in batch])  # never merge an unvalidated head
            return
        self.ready.drop(repo, [item for item, _ in batch])
        LANDED.labels(how).inc(len(landed))
        for _, pr in landed:
            self._after_landing(api, repo, config, pr, sha)
        event(log, "landed", repo=repo, prs=[item.number for item, _ in landed], how=how, sha=sha)

    def _merge_endpoint(self, api: Api, repo: str, config: Config, item: Ready, pr: dict[str, Any]) -> str | None:
        """The plain way: GitHub's merge, pinned to the validated sha. None when we must resolve it."""
        if item.placement_fixed or pr.get("mergeable_state") == "dirty":
            return None
        try:
            return str(api.merge(repo, item.number, item.sha, config.merge.method)["sha"])
        except GithubException as exc:
            if exc.status == 405 and "protected" in str(exc.data).lower():
                raise BlockedError(_reason(exc)) from exc
            if exc.status == 403:
                raise BlockedError(_reason(exc)) from exc
            if exc.status == 409:
                raise HeadMovedError from exc
            if exc.status in (405, 422):
                return None  # conflict or base moved: resolve it ourselves
            raise

    def _merge_commit(
        self,
        api: Api,
        installation_id: int,
        repo: str,
        config: Config,
        default: str,
        batch: list[tuple[Ready, dict[str, Any]]],
    ) -> tuple[list[tuple[Ready, dict[str, Any]]], str, str]:
        """One merge commit: parents are the tip and every PR head; the tree is the tip's letter with
        each validated change applied. The branch moves without force; a lost race rebuilds."""
        for _ in range(RACE_RETRIES):
            tip = api.branch_sha(repo, default)
            current = self._current_files(api, repo, config, tip)
            changed: dict[str, str | None] = {}
            accepted: list[tuple[Ready, dict[str, Any]]] = []
            for item, pr in batch:
                try:
                    result = apply_changes(config, current, item.change_list())
                except ApplyError as exc:
                    self._cannot_apply(api, installation_id, repo, item, pr, str(exc))
                    continue
                changed.update(result)
                current.write(result)
                accepted.append((item, pr))
            if not accepted:
                return [], "none", ""
            names = ", ".join(f"#{item.number}" for item, _ in accepted)
            message = f"Land signatures from {names}\n\n" + "\n".join(
                f"#{item.number} by @{item.author}" for item, _ in accepted
            )
            try:
                sha = self._commit(api, repo, tip, changed, message, [item.sha for item, _ in accepted])
                how = "merge-commit"
            except GithubException as exc:
                if exc.status != 422:
                    raise
                # GitHub refused a PR head as a parent (unreachable): the bot's own commit, crediting them.
                credits = "\n".join(
                    f"Co-authored-by: {i.author} <{i.author}@users.noreply.github.com>" for i, _ in accepted
                )
                sha = self._commit(api, repo, tip, changed, f"{message}\n\n{credits}", [])
                how = "bot-commit"
            try:
                api.update_branch(repo, default, sha)
            except GithubException as exc:
                if exc.status == 422 and "fast forward" in str(exc.data).lower():
                    continue  # someone moved the branch meanwhile: rebuild on the new tip
                if exc.status in (403, 422):
                    raise BlockedError(_reason(exc)) from exc
                raise
            if config.letter.directory is None and changed.get(config.letter.file) is not None:
                self.known[repo.lower()] = (sha, str(changed[config.letter.file]))
            if how == "bot-commit":
                for item, _ in accepted:
                    api.create_comment(repo, item.number, f"Landed in {sha} (GitHub could not merge this PR itself).")
                    api.close_pull(repo, item.number)
            return accepted, how, sha
        raise RuntimeError(f"the default branch of {repo} kept moving; landing will be retried")

    def _cannot_apply(
        self, api: Api, installation_id: int, repo: str, item: Ready, pr: dict[str, Any], reason: str
    ) -> None:
        """The change no longer fits the letter (someone signed meanwhile, say). First, evaluate again: the
        verdict will say why. If it still comes back valid for this very head, say so and stop there."""
        key = f"apply-failed:{repo}:{item.number}:{item.sha}"
        if self.store.claim(key):
            self.enqueue(Job("evaluate", installation_id, repo, item.number))
            return
        summary = f"The signature looks valid, but it cannot be applied to the letter as it is now: {reason}."
        report = CheckReport("failure", "Cannot be applied to the current letter", summary)
        self.evaluator.reporter.check(api, repo, item.sha, report)
        event(log, "cannot apply", repo=repo, pr=item.number, reason=reason)

    def _current_files(self, api: Api, repo: str, config: Config, tip: str) -> Layered:
        """The letter at `tip`, as `apply_changes` reads it; the batch's writes go on a layer on top."""
        if config.letter.directory is not None:
            return Layered(self.evaluator.texts.folder(api, repo, tip, config.letter.directory))
        known = self.known.get(repo.lower())
        if known is not None and known[0] == tip:
            return Layered({config.letter.file: known[1]})  # the letter we just wrote: no need to read it
        return Layered(self.evaluator.texts.letter(api, repo, tip, config.letter.file))

    def _commit(
        self, api: Api, repo: str, tip: str, changed: dict[str, str | None], message: str, heads: list[str]
    ) -> str:
        # Text goes inline in the tree ("content"), which saves a blob request per file; a null sha deletes.
        entries: list[dict[str, Any]] = [
            {"path": path, "mode": "100644", "type": "blob", **({"sha": None} if text is None else {"content": text})}
            for path, text in changed.items()
        ]
        tree = api.create_tree(repo, tip, entries)
        return str(api.create_commit(repo, message, tree, [tip, *heads])["sha"])

    def _after_landing(self, api: Api, repo: str, config: Config, pr: dict[str, Any], sha: str) -> None:
        """Thank the signer in the comment, if there is one (no new comment: it would cost a write per
        signer on launch day), and set the labels."""
        body = comment_body(Verdict("sign"), str(pr["user"]["login"]), landed=sha)
        self.evaluator.reporter.comment(api, repo, pr, body, True, config.report.comment)
        self.evaluator.reporter.labels(api, repo, pr, config, "landed")

    def _report_blocked(self, api: Api, repo: str, pr: dict[str, Any], reason: str) -> None:
        summary = (
            f"The signature is valid, but undersigned cannot land it: {reason}. "
            "A maintainer can merge it, or let the App push to the default branch and comment `/recheck`."
        )
        report = CheckReport("action_required", "Valid, but blocked from landing", summary)
        self.evaluator.reporter.check(api, repo, str(pr["head"]["sha"]), report)
        self.evaluator.reporter.comment(api, repo, pr, f"{MARKER}\n{summary}\n", only_if_exists=False)
        event(log, "landing blocked", repo=repo, pr=pr["number"], reason=reason)


class Layered(Mapping[str, str]):
    """Files as they will be: `below` as read (maybe lazily), with this batch's writes on top."""

    def __init__(self, below: Mapping[str, str]) -> None:
        self.below, self.top = below, dict[str, str | None]()

    def write(self, changes: Mapping[str, str | None]) -> None:
        self.top.update(changes)

    def __getitem__(self, path: str) -> str:
        if path in self.top:
            value = self.top[path]
            if value is None:
                raise KeyError(path)  # deleted in this batch
            return value
        return self.below[path]

    def __iter__(self) -> Iterator[str]:
        return (p for p in dict.fromkeys([*self.below, *self.top]) if self.top.get(p, "") is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _reason(exc: GithubException) -> str:
    data = exc.data if isinstance(exc.data, dict) else {}
    return str(data.get("message") or f"GitHub answered {exc.status}")
