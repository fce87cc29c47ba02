"""The status page at `/` for browsers: signatures landed and the queue for anyone; for a person signed in with
GitHub, the installations and letters they administer and the last decisions on them, with their reasons.
Its figures refresh in place (pages/status.js); the GitHub side is read at most once a minute."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from app.github.reach import describe
from app.jobs.activity import Activity
from app.runtime import Runtime
from app.web.oauth import Signer
from app.web.pages import e, page
from app.web.setup import install_url
from app.web.signer_api import SendError, UserGitHub
from config import Config

log = logging.getLogger("undersigned.status")
REFRESH = 10  # seconds between the page's updates of its figures (status.js reads it from data-refresh)
OVERVIEW_TTL = 60.0  # seconds the installations and letters are trusted (each read costs API calls)
TONES = {"sign": "ok", "withdraw": "ok", "amend": "ok", "landed": "ok", "invalid": "bad", "blocked": "bad"}
WORDS = {"sign": "valid", "withdraw": "valid withdrawal", "amend": "valid change", "invalid": "needs changes",
         "not_a_signature": "not a signature", "waiting": "waiting for the maintainers"}  # fmt: skip
STATES = {"letter": ("ok", "a letter"), "config error": ("bad", "the config has errors"),
          "no config": ("muted", "no config: not a letter")}  # fmt: skip
MAX_REPOS = 30  # repos looked at per page build: a status page must not eat the rate limit


@dataclass
class Letter:
    repo: str
    html_url: str
    state: str  # "letter", "config error", "no config"


@dataclass
class Overview:
    installations: list[tuple[str, int]] = field(default_factory=list)  # (account, id)
    letters: list[Letter] = field(default_factory=list)
    problem: str | None = None
    more: bool = False


class Status:
    """Builds the page. The GitHub overview is cached; counts and decisions come from the store."""

    def __init__(self, rt: Runtime) -> None:
        self.rt, self.activity = rt, Activity(rt.queue.store)
        self.cached: tuple[float, Overview] | None = None
        self.lock = threading.Lock()
        self.people: dict[str, tuple[float, dict[int, set[str]]]] = {}  # login -> (when, installation -> repos)

    def administered(self, signer: Signer) -> dict[int, set[str]]:
        """The installations this person can reach through the App, each with the repos (lower-cased) they
        administer, from their own token (https://docs.github.com/en/rest/apps/installations#list-app-installations-accessible-to-the-user-access-token)."""
        with self.lock:
            found = self.people.get(signer.login)
            if found is not None and time.monotonic() - found[0] < OVERVIEW_TTL:
                return found[1]
        settings = self.rt.settings
        with UserGitHub(settings.github_api_url, signer.token, settings.http_timeout) as gh:
            mine = gh.administered()
        with self.lock:
            if len(self.people) > 1000:
                self.people.clear()
            self.people[signer.login] = (time.monotonic(), mine)
        return mine

    def overview(self) -> Overview:
        with self.lock:
            if self.cached is not None and time.monotonic() - self.cached[0] < OVERVIEW_TTL:
                return self.cached[1]
        found = self._read()
        if found.installations and found.problem is None:  # nothing yet is cheap to ask again
            with self.lock:
                self.cached = (time.monotonic(), found)
        return found

    def forget(self) -> None:
        with self.lock:
            self.cached = None

    def _read(self) -> Overview:
        github, dispatcher, out = self.rt.github, self.rt.dispatcher, Overview()
        if github is None or dispatcher is None:
            return out
        try:
            for account, installation_id in github.installations():
                out.installations.append((account, installation_id))
                api = github.api(installation_id)
                for repo in api.pages("/installation/repositories", key="repositories"):
                    if len(out.letters) >= MAX_REPOS:
                        out.more = True
                        break
                    name, branch = str(repo["full_name"]), str(repo.get("default_branch") or "main")
                    config = dispatcher.configs.get(api, name, branch)
                    state = "no config" if config is None else "config error"
                    state = "letter" if isinstance(config, Config) else state
                    out.letters.append(Letter(name, str(repo.get("html_url") or ""), state))
        except Exception as exc:  # GitHub unreachable or refusing: say so, never a 500
            out.problem = f"GitHub did not answer ({describe(exc)})"
            log.warning("status overview failed", extra={"fields": {"error": out.problem}})
        return out

    def html(self, signer: Signer | None = None) -> str:
        """The page: public figures for anyone; installations, letters and decisions only for a signed-in
        person, and only those of the repos they administer (a private repo's name is private)."""
        settings = self.rt.settings
        if not settings.has_app_credentials:
            body = (
                "<h1>Not set up yet</h1><p>This service has no GitHub App yet.</p>"
                '<p><a class="button" href="/setup">Set up the GitHub App</a></p>'
            )
            return page("Status", body)
        data, view = self.activity.read(), self.overview()
        today = int(data["landed"].get(datetime.now(UTC).strftime("%Y-%m-%d"), 0))
        problems = self.rt.not_ready()
        health = (
            '<p class="ok tag">Ready</p>'
            if not problems
            else "".join(f'<p class="bad tag">Not ready: {e(p)}</p>' for p in problems)
        )
        health += f'<p class="bad">{e(view.problem)}</p>' if view.problem else ""
        mine: dict[int, set[str]] | None = None
        if signer is not None:
            try:
                mine = self.administered(signer)
            except SendError as exc:
                health += f'<p class="bad">{e(exc)}</p>'
        cards = (
            '<div class="cards">'
            f'<div class="card"><b id="landed-today">{today}</b><span>signatures landed today</span></div>'
            f'<div class="card"><b id="landed-total">{data["total"]}</b><span>signatures landed in total</span></div>'
            f'<div class="card"><b id="queue">{self._queue_depth()}</b><span>jobs waiting</span></div>'
            f'<div class="card"><b id="budget">{self._budget()}</b><span>content-creating writes used '
            "(GitHub allows 80 in any minute and 500 in any hour; what waits is written later)</span></div>"
            + (f'<div class="card"><b>{len(mine)}</b><span>installations you administer</span></div>' if mine else "")
            + "</div>"
        )
        if mine is None:
            private = (
                '<h2>Installations and letters</h2><p class="muted">Sign in with GitHub to see the installations '
                'and letters you administer.</p><p><a class="button" href="/sign/-/status-login">Sign in with '
                "GitHub</a></p>"
            )
        else:
            repos = set().union(*mine.values()) if mine else set()
            private = self._letters(view, mine, repos) + self._decisions(
                [d for d in data["decisions"] if str(d.get("repo", "")).lower() in repos]
            )
        who = (
            f' · signed in as {e(signer.login)} · <a href="/dashboard">your dashboard</a>' if signer is not None else ""
        )
        link = install_url(settings.web_url, settings.app_slug)
        more = f' · <a href="{e(link)}">install on more repositories</a>' if link else ""
        body = (
            f'<h1>Status</h1><p class="muted">GitHub App {e(settings.app_id)}{more}{who}</p>'
            f'<div id="live" data-refresh="{REFRESH}">{health}{cards}{private}</div>'
        )
        return page("Status", body, script="status.js")

    def _budget(self) -> str:
        """The content budget used of the minute and the hour (app.github.budget), per installation this process
        has worked for, and how many writes waited for it; before any, the limits."""
        github = self.rt.github
        budgets = github.budgets() if github is not None else {}
        if not budgets:
            s = self.rt.settings
            return f"0/{s.content_burst:.0f} this minute, 0/{s.content_per_hour:.0f} this hour"
        try:
            return " · ".join(b.describe() for b in budgets.values())
        except Exception:
            return "?"

    def _queue_depth(self) -> str:
        try:
            return str(self.rt.queue.pending())
        except Exception:
            return "?"

    def _letters(self, view: Overview, mine: dict[int, set[str]], repos: set[str]) -> str:
        out = ["<h2>Installations and letters</h2>"]
        installations = [(account, inst_id) for account, inst_id in view.installations if inst_id in mine]
        if not installations and not view.problem:
            out.append('<p class="muted">None you administer.</p>')
        for account, inst_id in installations:
            out.append(f'<p>Installed on <b>{e(account)}</b> <span class="muted">(installation {inst_id})</span></p>')
        rows = "".join(
            f'<tr><td><a href="{e(x.html_url)}">{e(x.repo)}</a></td>'
            f'<td class="{ {"letter": "ok", "config error": "bad"}.get(x.state, "muted") }">{e(x.state)}</td></tr>'
            for x in view.letters
            if x.repo.lower() in repos
        )
        if rows:
            out.append(
                f"<table><thead><tr><th>Repository</th><th>Letter</th></tr></thead><tbody>{rows}</tbody></table>"
            )
        if view.more:
            out.append(f'<p class="muted">Only the first {MAX_REPOS} repositories are shown.</p>')
        return "".join(out)

    def _decisions(self, decisions: list[dict[str, object]]) -> str:
        if not decisions:
            return '<h2>Last decisions</h2><p class="muted">None yet: open a signature pull request.</p>'
        rows = []
        for d in decisions:
            when = datetime.fromtimestamp(float(str(d.get("at", 0))), UTC).strftime("%H:%M:%S")
            outcome = str(d.get("outcome", ""))
            tone = TONES.get(outcome, "wait")
            name, number = str(d.get("repo", "")), d.get("pr")
            url = f"{self.rt.settings.web_url}/{name}/pull/{number}"
            rows.append(
                f'<tr class="decision"><td>{when}</td><td><a href="{e(url)}">{e(name)}#{e(number)}</a></td>'
                f'<td class="tag {tone}">{e(WORDS.get(outcome, outcome))}</td><td>{e(d.get("reason", ""))}</td></tr>'
            )
        head = "<tr><th>UTC</th><th>Pull request</th><th>Decision</th><th>Reason</th></tr>"
        return f"<h2>Last decisions</h2><table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"
