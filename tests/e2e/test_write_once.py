"""A write is sent once for each time the content budget counts it: PyGithub resends reads only (app.github.retry)."""

from __future__ import annotations

from pathlib import Path

import pytest
from github import GithubException

from app.action.env import ActionEnv
from app.github import graphql
from app.github.api import Api
from app.github.client import GitHubApp
from app.jobs.sqlite_backend import SqliteBackend
from app.jobs.store import Store
from app.review.render import MARKER
from app.review.report import Reporter
from tests.github_sim import Simulator, seed_demo
from tests.service import settings_for
from tests.sim.clients import sign

ROUTE = r"^POST /repos/[^/]+/[^/]+/issues/\d+/comments$"


def _app_api(sim: Simulator, tmp_path: Path) -> tuple[Api, str, int]:
    """The App's client, its repository, and a PR open there."""
    demo = seed_demo(sim.world, signers=1, webhook_secret="e2e-webhook-secret")
    number = int(str(sign(sim, demo, demo.signers[0].login)["number"]))
    app = GitHubApp(settings_for(sim, demo, tmp_path / "data", http_retries=4, retry_backoff=0))
    return app.api(demo.installation.id), demo.repo.full_name, number


def test_a_write_github_answers_with_a_502_is_not_sent_again(sim: Simulator, tmp_path: Path) -> None:
    # GitHub may have made the comment before answering 502: sent again, it would be made twice, and the
    # second would be a write no budget counted. The job fails, and runs again (counted again).
    api, repo, number = _app_api(sim, tmp_path)
    sim.faults.add("error", ROUTE, status=502, times=1)
    with pytest.raises(GithubException) as failed:
        api.create_comment(repo, number, "hello")
    assert failed.value.status == 502
    assert len(sim.faults.calls("POST", ROUTE[len("^POST ") :])) == 1 == api.writes


def test_a_read_github_answers_with_a_502_is_sent_again(sim: Simulator, tmp_path: Path) -> None:
    api, repo, _ = _app_api(sim, tmp_path)
    sim.faults.add("error", r"^GET /repos/[^/]+/[^/]+$", status=502, times=1)
    assert api.repository(repo).full_name == repo
    assert len(sim.faults.calls("GET", r"^/repos/[^/]+/[^/]+$")) == 2


def test_the_actions_client_sends_a_failed_write_once_too(sim: Simulator, tmp_path: Path) -> None:
    app_api, repo, number = _app_api(sim, tmp_path)
    token = app_api.req.auth.token if app_api.req.auth is not None else ""  # any token serves as GITHUB_TOKEN here
    env = ActionEnv("push", tmp_path / "event.json", token, repo, sim.base_url, sim.base_url, None, 0.0)
    api = env.api()
    sim.faults.add("error", ROUTE, status=503, times=1)
    with pytest.raises(GithubException):
        api.create_comment(repo, number, "hello")
    assert len(sim.faults.calls("POST", ROUTE[len("^POST ") :])) == 1


def test_a_comment_made_by_an_attempt_that_failed_is_found_not_made_again(sim: Simulator, tmp_path: Path) -> None:
    # GitHub made the comment and answered 502: the job fails, and its retry finds the comment and edits it.
    api, repo, number = _app_api(sim, tmp_path)
    reporter = Reporter(api, repo, Store(SqliteBackend(tmp_path / "store.db")))
    sim.faults.add("error_after", ROUTE, status=502, times=1)
    with pytest.raises(GithubException):
        reporter.comment_on(number, 0, f"{MARKER}\nfirst", only_if_exists=False)
    reporter.comment_on(number, 0, f"{MARKER}\nsecond", only_if_exists=False)  # the job's next attempt
    ours = [c for c in sim.world.comments.values() if c.number == number and c.user.type == "Bot"]
    assert [c.body for c in ours] == [f"{MARKER}\nsecond"]


def test_a_write_a_rate_limit_refused_is_sent_again_and_made_once(sim: Simulator, tmp_path: Path) -> None:
    # Refused by a secondary limit, the write was not made: PyGithub waits as the answer says, and sends it again.
    api, repo, number = _app_api(sim, tmp_path)
    sim.faults.add("secondary", ROUTE, times=1, retry_after=1)
    api.create_comment(repo, number, "hello")
    assert [c.status for c in sim.faults.calls("POST", ROUTE[len("^POST ") :])] == [403, 201]
    assert [c.body for c in sim.world.comments.values() if c.number == number] == ["hello"]


def test_a_graphql_query_is_sent_again_after_a_5xx_and_an_unanswered_one_falls_back(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A query is a POST the transport does not resend (app.github.retry): app.github.graphql does.
    monkeypatch.setattr(graphql, "BACKOFF", 0.01)
    demo = seed_demo(sim.world, signers=0, webhook_secret="e2e-webhook-secret")
    settings = settings_for(sim, demo, tmp_path / "data", http_retries=4, retry_backoff=0, http_timeout=1)
    api = GitHubApp(settings).api(demo.installation.id)
    sim.faults.add("error", "^POST /graphql$", status=502, times=2)
    data, _ = graphql.post(api.req, QUERY, {})
    assert "rateLimit" in data and len(sim.faults.calls("POST", "^/graphql$")) == 3
    sim.faults.add("latency", "^POST /graphql$", latency=1.5)  # no answer within the client's timeout
    with pytest.raises(graphql.GraphQLError, match="no answer"):
        graphql.post(api.req, QUERY, {})


QUERY = "query { rateLimit { cost limit remaining resetAt } }"
