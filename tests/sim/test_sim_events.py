"""The GitHub simulator itself: webhooks and deliveries, fault injection, protected branches."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import httpx
import pytest
from github import Auth, GithubException

from tests.conftest import Received
from tests.github_sim import Demo, Simulator, person
from tests.sim.clients import installation_client, integration, sign


# --- webhooks ---------------------------------------------------------------------------------
def test_webhooks_are_signed_and_shaped(sim: Simulator, demo: Demo, receiver: tuple[str, Received]) -> None:
    opened = sign(sim, demo, "ada")
    person(sim, "ada").comment(demo.repo.full_name, int(opened["number"]), "/recheck")  # type: ignore[call-overload]
    assert sim.webhooks.wait()
    got = receiver[1]
    events = got.events()
    assert ("installation", "created") in events
    assert ("pull_request", "opened") in events and ("issue_comment", "created") in events
    headers, body = next((h, b) for h, b in got.items if h["x-github-event"] == "pull_request")
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["x-hub-signature-256"], expected)
    assert headers["x-github-delivery"] and headers["x-github-hook-id"]
    payload = json.loads(body)
    assert payload["number"] == opened["number"] and payload["installation"]["id"] == demo.installation.id
    pr = payload["pull_request"]
    assert pr["head"]["sha"] == opened["head"]["sha"] and pr["head"]["repo"]["full_name"] == "ada/microsoft-drop-ice"  # type: ignore[index]
    assert pr["base"]["ref"] == "main" and pr["user"]["login"] == "ada" and pr["user"]["type"] == "User"
    assert payload["repository"]["full_name"] == demo.repo.full_name and payload["sender"]["login"] == "ada"


def test_signature_matches_githubs_test_vector() -> None:
    from tests.github_sim import signature

    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert signature("It's a Secret to Everybody", b"Hello, World!") == expected


def test_synchronize_reopen_close_and_rerequest_events(
    sim: Simulator, demo: Demo, receiver: tuple[str, Received]
) -> None:
    opened = sign(sim, demo, "ada")
    number = int(opened["number"])  # type: ignore[call-overload]
    ada = person(sim, "ada")
    ada.write("ada/microsoft-drop-ice", "NOTES.md", "x\n", "ada-sign")
    ada.close(demo.repo.full_name, number)
    ada.reopen(demo.repo.full_name, number)
    gh = installation_client(sim, demo)
    head = sim.world.pull(demo.repo, number).head_sha
    run = gh.get_repo(demo.repo.full_name).create_check_run("undersigned", head, status="in_progress")
    rerun = f"/repos/{demo.repo.full_name}/check-runs/{run.id}/rerequest"
    assert ada.http.post(rerun).status_code == 422  # as on GitHub, only a completed run can be re-run
    run.edit(conclusion="failure")
    assert ada.http.post(rerun).status_code == 201
    suite = sim.world.check_runs[run.id].suite
    assert ada.http.post(f"/repos/{demo.repo.full_name}/check-suites/{suite.id}/rerequest").status_code == 201
    sim.world.request_action(sim.world.check_runs[run.id], "fix", sim.world.user("ada"))
    assert sim.webhooks.wait()
    events = receiver[1].events()
    for expected in [
        ("pull_request", "synchronize"),
        ("pull_request", "closed"),
        ("pull_request", "reopened"),
        ("check_run", "rerequested"),
        ("check_suite", "rerequested"),
        ("check_run", "requested_action"),
    ]:
        assert expected in events
    assert sim.contract is not None and sim.contract.violations == []  # each delivery valid against its schema


def test_deliveries_can_be_listed_and_redelivered(sim: Simulator, demo: Demo, receiver: tuple[str, Received]) -> None:
    sim.faults.add("drop_webhook", r"^pull_request\.opened$", times=1)
    sign(sim, demo, "ada")
    assert sim.webhooks.wait()
    app_jwt = Auth.AppAuth(demo.app.id, demo.private_key).token
    headers = {"Authorization": f"Bearer {app_jwt}"}
    listed = httpx.get(f"{sim.base_url}/app/hook/deliveries", headers=headers, params={"per_page": 100}).json()
    failed = [d for d in listed if d["status_code"] == 0]
    assert len(failed) == 1 and failed[0]["event"] == "pull_request"
    before = len(receiver[1].items)
    retry = httpx.post(f"{sim.base_url}/app/hook/deliveries/{failed[0]['id']}/attempts", headers=headers)
    assert retry.status_code == 202
    assert sim.webhooks.wait()
    assert len(receiver[1].items) == before + 1
    assert receiver[1].items[-1][0]["x-github-delivery"] == failed[0]["guid"]  # the GUID survives redelivery


# --- faults and the request log -----------------------------------------------------------------
def test_fault_injection(sim: Simulator, demo: Demo) -> None:
    gh = installation_client(sim, demo)
    url = f"{sim.base_url}/repos/{demo.repo.full_name}"
    auth = {"Authorization": f"token {integration(sim, demo).get_access_token(demo.installation.id).token}"}

    sim.faults.add("latency", r"^GET /repos/[^/]+/[^/]+$", latency=0.2, times=1)
    start = time.monotonic()
    assert httpx.get(url, headers=auth).status_code == 200
    assert time.monotonic() - start >= 0.2

    for status in (500, 502):
        sim.faults.add("error", r"^GET /repos/[^/]+/[^/]+$", status=status, times=1)
        assert httpx.get(url, headers=auth).status_code == status

    sim.faults.add("secondary", r"^GET /repos/[^/]+/[^/]+$", retry_after=7, times=1)
    limited = httpx.get(url, headers=auth)
    assert limited.status_code == 403 and limited.headers["retry-after"] == "7"
    assert "secondary rate limit" in limited.json()["message"]

    sim.faults.add("primary", r"^GET /repos/[^/]+/[^/]+$", reset_in=30, times=1)
    exhausted = httpx.get(url, headers=auth)
    assert exhausted.status_code == 403 and exhausted.headers["x-ratelimit-remaining"] == "0"
    assert int(exhausted.headers["x-ratelimit-reset"]) >= int(time.time()) + 29

    sim.faults.add("error", r"^GET /repos/[^/]+/[^/]+$", status=502, rate=0.5)
    statuses = {httpx.get(url, headers=auth).status_code for _ in range(40)}
    assert statuses == {200, 502}
    sim.faults.clear()
    assert gh.get_repo(demo.repo.full_name).name == "microsoft-drop-ice"

    calls = sim.faults.calls("GET", r"^/repos/[^/]+/[^/]+$", actor="installation:")
    assert [c.status for c in calls[:5]] == [200, 500, 502, 403, 403]
    ok = httpx.get(url, headers=auth)
    assert int(ok.headers["x-ratelimit-remaining"]) < 5000 and ok.headers["x-ratelimit-limit"] == "5000"


def test_protected_branch_refuses_merges_and_pushes(sim: Simulator, demo: Demo) -> None:
    opened = sign(sim, demo, "ada")
    sim.world.repo(demo.repo.full_name).protected.add("main")
    gh = installation_client(sim, demo)
    with pytest.raises(GithubException) as refused:
        gh.get_repo(demo.repo.full_name).get_pull(int(opened["number"])).merge()  # type: ignore[call-overload]
    assert refused.value.status == 405
