"""The App's GitHub clients: PyGithub for the JWT, installation tokens, retries and timeouts."""

from __future__ import annotations

import threading

from github import Auth, GithubIntegration

from app.github.api import Api
from app.github.budget import ContentBudget
from app.github.pacing import Pacer, SharedPacer
from app.github.reach import Reach
from app.github.retry import write_once_retry
from app.github.signer import KeySigner
from app.jobs.store import Store
from app.settings import Settings


class GitHubApp:
    """One integration (JWT), one Api per installation (its token refreshed by PyGithub)."""

    def __init__(self, settings: Settings, shared: Store | None = None) -> None:
        """`shared`: pace writes through this store (set when several processes share Redis)."""
        if settings.app_id is None or settings.private_key is None:
            raise RuntimeError("the App's ID and private key are not set")
        retry = write_once_retry(settings.http_retries, settings.retry_backoff, settings.secondary_rate_wait)
        self.integration = GithubIntegration(
            auth=Auth.AppAuth(settings.app_id, sign_func=KeySigner(settings.private_key.get_secret_value())),
            base_url=settings.github_api_url,
            timeout=settings.http_timeout,
            retry=retry,
            per_page=100,
            seconds_between_requests=None,
            seconds_between_writes=None,  # pacing is ours: thread-safe, see app.github.pacing
        )
        self.mutation_interval, self.shared, self.settings = settings.mutation_interval, shared, settings
        self.reach = Reach(settings.github_api_url)  # the last call's outcome, for readiness
        self._apis: dict[int, Api] = {}
        self._lock = threading.Lock()

    def api(self, installation_id: int) -> Api:
        with self._lock:
            found = self._apis.get(installation_id)
            if found is None:
                gh = self.integration.get_github_for_installation(installation_id)
                pacer, budget = self._pacer(installation_id), self._budget(installation_id)
                found = Api(gh.requester, installation_id, pacer, self.reach, budget)
                self._apis[installation_id] = found
            return found

    def _budget(self, installation_id: int) -> ContentBudget:
        """The installation's content budget, in the shared store when processes share one."""
        s = self.settings
        return ContentBudget(installation_id, s.content_per_hour, s.content_burst, s.rate_hour, self.shared)

    def budgets(self) -> dict[int, ContentBudget]:
        """The content budget of each installation this process has worked for (the status page)."""
        with self._lock:
            return {i: api.budget for i, api in self._apis.items() if api.budget is not None}

    def _pacer(self, installation_id: int) -> Pacer:
        if self.shared is not None:
            return SharedPacer(self.mutation_interval, self.shared, installation_id)
        return Pacer(self.mutation_interval)

    def installations(self) -> list[tuple[str, int]]:
        """(account login, installation id) of each installation of the App."""
        with self.reach.watch():
            found = list(self.integration.get_installations())
        return [(str((i.raw_data.get("account") or {}).get("login", "?")), int(i.id)) for i in found]

    def installation_ids(self) -> list[int]:
        return [installation_id for _, installation_id in self.installations()]
