"""Handlers are pure: a stored payload (by event and action) in, jobs out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.jobs.job import Job
from handlers import build_router

PAYLOADS = Path(__file__).resolve().parent.parent / "payloads"
ROUTER = build_router()


def load(name: str) -> dict[str, Any]:
    return dict(json.loads((PAYLOADS / f"{name}.json").read_text()))


@pytest.mark.parametrize("action", ["opened", "synchronize", "edited", "reopened"])
def test_pull_request_changes_evaluate_the_pr(action: str) -> None:
    payload = load(f"pull_request.{action}")
    assert ROUTER.dispatch("pull_request", payload) == [
        Job("evaluate", payload["installation"]["id"], payload["repository"]["full_name"], payload["number"])
    ]


def test_closed_is_not_handled() -> None:
    assert not ROUTER.handles("pull_request", "closed")
    assert ROUTER.dispatch("pull_request", load("pull_request.closed")) == []


def test_recheck_comment_by_the_author() -> None:
    payload = load("issue_comment.created")
    [job] = ROUTER.dispatch("issue_comment", payload)
    assert (job.kind, job.number) == ("evaluate", payload["issue"]["number"])
    stranger = json.loads(json.dumps(payload))
    stranger["comment"]["user"]["login"] = "mallory"
    stranger["comment"]["author_association"] = "NONE"
    assert ROUTER.dispatch("issue_comment", stranger) == []
    stranger["comment"]["author_association"] = "COLLABORATOR"
    assert len(ROUTER.dispatch("issue_comment", stranger)) == 1
    chatter = json.loads(json.dumps(payload))
    chatter["comment"]["body"] = "thanks, will /recheck later"
    assert ROUTER.dispatch("issue_comment", chatter) == []


def test_rerun_of_a_fork_pr_check_is_found_by_sha() -> None:
    payload = load("check_run.rerequested")
    assert payload["check_run"]["pull_requests"] == []  # fork PRs: GitHub leaves it empty
    [job] = ROUTER.dispatch("check_run", payload)
    assert (job.kind, job.sha) == ("evaluate_sha", payload["check_run"]["head_sha"])
    other_app = json.loads(json.dumps(payload))
    other_app["check_run"]["name"] = "ci"
    assert ROUTER.dispatch("check_run", other_app) == []


def test_installation_events_scan_their_repos_and_onboard_them() -> None:
    created = load("installation.created")
    assert [j.kind for j in ROUTER.dispatch("installation", created)] == ["scan", "onboard"]
    added = load("installation_repositories.added")
    [job, onboarding] = ROUTER.dispatch("installation_repositories", added)
    assert (job.kind, job.repo) == ("scan", added["repositories_added"][0]["full_name"])
    assert (onboarding.kind, onboarding.repo) == ("onboard", job.repo)


def test_jobs_for_one_pr_share_a_key() -> None:
    a = ROUTER.dispatch("pull_request", load("pull_request.opened"))[0]
    b = ROUTER.dispatch("pull_request", load("pull_request.synchronize"))[0]
    assert a.key == b.key
