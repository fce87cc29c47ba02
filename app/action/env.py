"""What GitHub Actions gives a step: the documented environment, and a client for its GITHUB_TOKEN.

https://docs.github.com/en/actions/reference/workflows-and-actions/variables#default-environment-variables
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from github import Auth, Github
from github.Requester import Requester

from app.action.hourly import RestFigures, TokenApi
from app.github.api import Api
from app.github.budget import ContentBudget
from app.github.pacing import Pacer
from app.github.retry import write_once_retry
from app.github.window import BURST, LANDING_GAP, PER_HOUR  # the App's defaults too

# Job.installation_id names the App's installation; an Action run has one token for one repo, so its jobs all
# carry this one (handlers read `installation.id`, which Actions payloads lack: it is added before routing).
INSTALLATION = 1
REQUIRED = ("GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "GITHUB_TOKEN", "GITHUB_REPOSITORY")


class ActionEnvError(ValueError):
    """The environment is not a GitHub Actions step's (or lacks the token): the message says what to set."""


@dataclass(frozen=True)
class ActionEnv:
    event_name: str
    event_path: Path
    token: str
    repository: str
    api_url: str
    server_url: str
    summary_path: Path | None
    mutation_interval: float
    rate_hour: float = 3600.0  # seconds in the content budget's hour (UNDERSIGNED_RATE_HOUR: a time-scaled drill)
    graphql_reads: bool = True  # our check runs learnt in bulk over GraphQL (UNDERSIGNED_GRAPHQL_READS, as the App)
    landing_gap: float = LANDING_GAP  # seconds between two landings (UNDERSIGNED_LANDING_GAP, as the App)

    @staticmethod
    def read(environ: Mapping[str, str]) -> ActionEnv:
        missing = [name for name in REQUIRED if not environ.get(name)]
        if missing:
            hint = ""
            if "GITHUB_TOKEN" in missing:
                hint = (
                    " (give the step `env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}`, as the README's workflow does)"
                )
            raise ActionEnvError(
                f"{', '.join(missing)} not set: `undersigned action` runs as a GitHub Actions step{hint}"
            )
        summary = environ.get("GITHUB_STEP_SUMMARY")
        try:
            interval = float(environ.get("UNDERSIGNED_MUTATION_INTERVAL", "1"))
        except ValueError:
            raise ActionEnvError("UNDERSIGNED_MUTATION_INTERVAL is not a number of seconds") from None
        try:
            hour = float(environ.get("UNDERSIGNED_RATE_HOUR", "3600"))
        except ValueError:
            raise ActionEnvError("UNDERSIGNED_RATE_HOUR is not a number of seconds") from None
        try:
            gap = float(environ.get("UNDERSIGNED_LANDING_GAP", str(LANDING_GAP)))
        except ValueError:
            raise ActionEnvError("UNDERSIGNED_LANDING_GAP is not a number of seconds") from None
        return ActionEnv(
            environ["GITHUB_EVENT_NAME"],
            Path(environ["GITHUB_EVENT_PATH"]),
            environ["GITHUB_TOKEN"],
            environ["GITHUB_REPOSITORY"],
            environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/"),
            environ.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/"),
            Path(summary) if summary else None,
            max(0.0, interval),
            hour if hour > 0 else 3600.0,
            environ.get("UNDERSIGNED_GRAPHQL_READS", "true").strip().lower() not in ("0", "false", "no", "off"),
            max(0.0, gap) if gap == gap else LANDING_GAP,  # (NaN is not a gap)
        )

    @staticmethod
    def current() -> ActionEnv:
        return ActionEnv.read(os.environ)

    def payload(self) -> dict[str, Any]:
        try:
            data = json.loads(self.event_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ActionEnvError(f"cannot read the event payload at {self.event_path}: {exc}") from None
        if not isinstance(data, dict):
            raise ActionEnvError(f"the event payload at {self.event_path} is not a JSON object")
        return data

    def api(self) -> Api:
        """The REST client for GITHUB_TOKEN: PyGithub's retries (a read after a 5xx or a rate limit, a write only
        after a rate limit: app.github.retry) and our counting and write pacing (one at a time, a second apart)."""
        # A used-up hourly limit is not waited out (the job would time out first): the run stops and says so,
        # and the next run after the reset goes on from GitHub's state.
        retry = write_once_retry(4, 0.5, 60, max_wait=120)
        github = Github(
            auth=Auth.Token(self.token),
            base_url=self.api_url,
            timeout=15,
            retry=retry,
            per_page=100,
            seconds_between_requests=None,
            seconds_between_writes=None,  # pacing is ours (Pacer)
        )
        budget = self.budget(github.requester)
        requester = cast(Requester, RestFigures(github.requester))  # the hour's figures stay REST's
        api = TokenApi(requester, INSTALLATION, Pacer(self.mutation_interval), budget=budget)
        api.start()
        return api

    def budget(self, requester: Requester) -> ContentBudget:
        """The run's content budget (app.github.budget). GITHUB_TOKEN's limits are per repository, and a run
        keeps nothing: it starts from what the repository's token used this hour (every content-creating
        request is a request, so at most that many were made), and never waits for a token, landing neither:
        what does not fit is left to the next run, which finds it from GitHub's state."""
        budget = ContentBudget(INSTALLATION, PER_HOUR, BURST, self.rate_hour, landing_wait=0.0)

        def start() -> list[tuple[float, int]]:  # no tally read (app.action.run): every request may have been one
            remaining, limit = requester.rate_limiting
            used = limit - remaining if limit > 0 else 0
            return [(time.time() - self.rate_hour / 60, used)]

        budget.start = start
        return budget
