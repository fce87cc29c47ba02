"""The GitHub simulator itself: auth, real git merges and conflicts, refs, contents, webhooks, faults."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import httpx
import jwt
import pytest
from github import Auth, Github, GithubException, GithubIntegration

from tests.conftest import Received
from tests.github_sim import Demo, Simulator, person
from tests.github_sim.keys import app_key

LINE = "-  {name} [@{login}](https://github.com/{login})"


def integration(sim: Simulator, demo: Demo) -> GithubIntegration:
    return GithubIntegration(auth=Auth.AppAuth(demo.app.id, demo.private_key), base_url=sim.base_url)


def installation_client(sim: Simulator, demo: Demo) -> Github:
    auth = Auth.AppAuth(demo.app.id, demo.private_key).get_installation_auth(demo.installation.id)
    return Github(auth=auth, base_url=sim.base_url, seconds_between_requests=0, seconds_between_writes=0)


def sign(sim: Simulator, demo: Demo, login: str) -> dict[str, object]:
    return person(sim, login).sign(demo.repo.full_name, "README.md", LINE.format(name=login.title(), login=login))


def wait_mergeable(gh: Github, repo: str, number: int) -> tuple[bool | None, str]:
    pr = gh.get_repo(repo).get_pull(number)
    for _ in range(20):
        if pr.mergeable is not None:
            return pr.mergeable, pr.mergeable_state
        pr = gh.get_repo(repo).get_pull(number)
    return None, "unknown"


# --- apps, JWTs and tokens ----------------------------------------------------------------------
def test_pygithub_app_and_installation_flow(sim: Simulator, demo: Demo) -> None:
    gi = integration(sim, demo)
    assert [i.id for i in gi.get_installations()] == [demo.installation.id]
    token = gi.get_access_token(demo.installation.id)
    assert token.token.startswith("ghs_")
    assert 3590 < (token.expires_at.timestamp() - time.time()) <= 3600
    gh = installation_client(sim, demo)
    repo = gh.get_repo(demo.repo.full_name)
    assert repo.default_branch == "main"
    assert b"Signed," in repo.get_contents("README.md").decoded_content  # type: ignore[union-attr]


def test_installation_tokens_expire_after_an_hour(sim: Simulator, demo: Demo) -> None:
    token = integration(sim, demo).get_access_token(demo.installation.id).token
    url = f"{sim.base_url}/repos/{demo.repo.full_name}/pulls"
    assert httpx.get(url, headers={"Authorization": f"token {token}"}).status_code == 200
    sim.world.offset = 3601
    expired = httpx.get(url, headers={"Authorization": f"token {token}"})
    assert expired.status_code == 401
    assert expired.json()["message"] == "Bad credentials"
    assert httpx.get(url, headers={"Authorization": "token ghs_nonsense"}).status_code == 401


def test_jwt_is_verified(sim: Simulator, demo: Demo) -> None:
    now = int(time.time())
    good = jwt.encode({"iat": now - 60, "exp": now + 540, "iss": str(demo.app.id)}, demo.private_key, algorithm="RS256")
    assert httpx.get(f"{sim.base_url}/app", headers={"Authorization": f"Bearer {good}"}).status_code == 200
    other_key = app_key(1)[0]
    forged = jwt.encode({"iat": now - 60, "exp": now + 540, "iss": str(demo.app.id)}, other_key, algorithm="RS256")
    assert httpx.get(f"{sim.base_url}/app", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    too_long = jwt.encode({"iat": now, "exp": now + 3600, "iss": str(demo.app.id)}, demo.private_key, algorithm="RS256")
    assert httpx.get(f"{sim.base_url}/app", headers={"Authorization": f"Bearer {too_long}"}).status_code == 401
    expired = jwt.encode(
        {"iat": now - 900, "exp": now - 60, "iss": str(demo.app.id)}, demo.private_key, algorithm="RS256"
    )
    assert httpx.get(f"{sim.base_url}/app", headers={"Authorization": f"Bearer {expired}"}).status_code == 401


def test_users_have_login_id_type_and_created_at(sim: Simulator, demo: Demo) -> None:
    gh = installation_client(sim, demo)
    ada = gh.get_user("ada")
    assert (ada.login, ada.type) == ("ada", "User")
    assert ada.id == sim.world.user("ada").id
    assert ada.created_at.year >= 2020
    assert gh.get_user("undersigned[bot]").type == "Bot"


# --- pull requests with real git ----------------------------------------------------------------
def test_two_prs_appending_to_the_same_file_conflict_after_the_first_merges(sim: Simulator, demo: Demo) -> None:
    first, second = sign(sim, demo, "ada"), sign(sim, demo, "grace")
    gh = installation_client(sim, demo)
    repo = gh.get_repo(demo.repo.full_name)
    pr = repo.get_pull(int(first["number"]))  # type: ignore[call-overload]
    assert pr.mergeable is None and pr.mergeable_state == "unknown"  # computing, as on GitHub
    assert wait_mergeable(gh, demo.repo.full_name, pr.number) == (True, "clean")
    assert wait_mergeable(gh, demo.repo.full_name, int(second["number"])) == (True, "clean")
    status = pr.merge(sha=pr.head.sha, merge_method="merge")
    assert status.merged
    assert repo.get_pull(pr.number).merged
    assert wait_mergeable(gh, demo.repo.full_name, int(second["number"])) == (False, "dirty")
    with pytest.raises(GithubException) as refused:
        repo.get_pull(int(second["number"])).merge(merge_method="merge")
    assert refused.value.status == 405


def test_merge_pinned_to_an_old_sha_is_409(sim: Simulator, demo: Demo) -> None:
    opened = sign(sim, demo, "ada")
    old_sha = opened["head"]["sha"]  # type: ignore[index]
    ada = person(sim, "ada")
    text, _ = ada.read("ada/microsoft-drop-ice", "README.md", "ada-sign")
    ada.write("ada/microsoft-drop-ice", "README.md", text + "-  Extra [@ada](https://github.com/ada)\n", "ada-sign")
    gh = installation_client(sim, demo)
    pr = gh.get_repo(demo.repo.full_name).get_pull(int(opened["number"]))  # type: ignore[call-overload]
    assert pr.head.sha != old_sha  # the push moved the PR head (a synchronize)
    with pytest.raises(GithubException) as stale:
        pr.merge(sha=old_sha)
    assert stale.value.status == 409


@pytest.mark.parametrize("method", ["merge", "squash", "rebase"])
def test_merge_methods_make_real_commits(sim: Simulator, demo: Demo, method: str) -> None:
    opened = sign(sim, demo, "ada")
    gh = installation_client(sim, demo)
    repo = gh.get_repo(demo.repo.full_name)
    pr = repo.get_pull(int(opened["number"]))  # type: ignore[call-overload]
    result = pr.merge(sha=pr.head.sha, merge_method=method)
    head = sim.world.repo(demo.repo.full_name).git.ref("refs/heads/main")
    assert result.sha == head
    parents = sim.world.repo(demo.repo.full_name).git.commit_info(result.sha)["parents"]
    assert len(parents) == (2 if method == "merge" else 1)  # type: ignore[arg-type]
    text = repo.get_contents("README.md").decoded_content.decode()  # type: ignore[union-attr]
    assert text.endswith("-  Ada [@ada](https://github.com/ada)\n")
    merged = repo.get_pull(pr.number)
    assert merged.merged and merged.state == "closed" and merged.merge_commit_sha == result.sha


def test_git_data_merge_commit_with_the_pr_head_marks_it_merged(sim: Simulator, demo: Demo) -> None:
    opened = sign(sim, demo, "ada")
    gh = installation_client(sim, demo)
    repo = gh.get_repo(demo.repo.full_name)
    pr = repo.get_pull(int(opened["number"]))  # type: ignore[call-overload]
    base = repo.get_git_ref("heads/main")
    base_commit = repo.get_git_commit(base.object.sha)
    blob = repo.create_git_blob("merged by the bot\n", "utf-8")
    from github.InputGitTreeElement import InputGitTreeElement

    tree = repo.create_git_tree([InputGitTreeElement("NOTE.md", "100644", "blob", sha=blob.sha)], base_commit.tree)
    head_commit = repo.get_git_commit(pr.head.sha)
    commit = repo.create_git_commit("Land #1", tree, [base_commit, head_commit])
    base.edit(commit.sha, force=False)
    merged = repo.get_pull(pr.number)
    assert merged.merged and merged.merge_commit_sha == commit.sha


def test_non_fast_forward_ref_update_is_422_unless_forced(sim: Simulator, demo: Demo) -> None:
    gh = installation_client(sim, demo)
    repo = gh.get_repo(demo.repo.full_name)
    ref = repo.get_git_ref("heads/main")
    base = repo.get_git_commit(ref.object.sha)
    sibling = repo.create_git_commit("sideways", base.tree, [])  # no parent: not a fast-forward
    with pytest.raises(GithubException) as refused:
        ref.edit(sibling.sha, force=False)
    assert refused.value.status == 422
    ref.edit(sibling.sha, force=True)
    assert repo.get_git_ref("heads/main").object.sha == sibling.sha


def test_stale_contents_sha_is_409(sim: Simulator, demo: Demo) -> None:
    maint = person(sim, "maintainer")
    _, sha = maint.read(demo.repo.full_name, "README.md")
    maint.write(demo.repo.full_name, "README.md", "changed\n", "main")
    body = {"message": "x", "content": "eA==", "sha": sha, "branch": "main"}
    stale = maint.http.put(f"/repos/{demo.repo.full_name}/contents/README.md", json=body)
    assert stale.status_code == 409
    missing = maint.http.put(
        f"/repos/{demo.repo.full_name}/contents/README.md", json={"message": "x", "content": "eA=="}
    )
    assert missing.status_code == 422


def test_pr_files_have_real_patches_and_pagination_follows_links(sim: Simulator, demo: Demo) -> None:
    opened = sign(sim, demo, "ada")
    gh = installation_client(sim, demo)
    files = list(gh.get_repo(demo.repo.full_name).get_pull(int(opened["number"])).get_files())  # type: ignore[call-overload]
    assert [(f.filename, f.status, f.additions) for f in files] == [("README.md", "modified", 2)]
    assert "+-  Ada [@ada](https://github.com/ada)" in (files[0].patch or "")
    for login in ("grace", "linus"):
        sign(sim, demo, login)
    pulls = gh.get_repo(demo.repo.full_name).get_pulls(state="open")
    pulls._PaginatedList__requester.per_page = 1  # type: ignore[attr-defined]
    assert sorted(p.number for p in gh.get_repo(demo.repo.full_name).get_pulls(state="open")) == [1, 2, 3]
    page = httpx.get(f"{sim.base_url}/repos/{demo.repo.full_name}/pulls", params={"per_page": 1})
    assert 'rel="next"' in page.headers["link"] and page.headers["link"].startswith(f"<{sim.base_url}/")


def test_comments_labels_and_check_runs(sim: Simulator, demo: Demo) -> None:
    opened = sign(sim, demo, "ada")
    gh = installation_client(sim, demo)
    repo = gh.get_repo(demo.repo.full_name)
    issue = repo.get_issue(int(opened["number"]))  # type: ignore[call-overload]
    comment = issue.create_comment("hello")
    comment.edit("hello again")
    assert [c.body for c in issue.get_comments()] == ["hello again"]
    issue.set_labels("signature")
    issue.add_to_labels("needs-changes")
    issue.remove_from_labels("signature")
    assert [label.name for label in repo.get_issue(issue.number).labels] == ["needs-changes"]
    head = opened["head"]["sha"]  # type: ignore[index]
    run = repo.create_check_run("undersigned", head, status="in_progress")
    annotations = [{"path": "README.md", "start_line": 1, "end_line": 1, "annotation_level": "failure", "message": "x"}]
    run.edit(conclusion="failure", output={"title": "t", "summary": "s", "annotations": annotations})
    runs = list(repo.get_commit(head).get_check_runs())
    assert [(r.name, r.status, r.conclusion, r.output.title) for r in runs] == [
        ("undersigned", "completed", "failure", "t")
    ]
    too_many = annotations * 51
    with pytest.raises(GithubException) as refused:
        run.edit(output={"title": "t", "summary": "s", "annotations": too_many})
    assert refused.value.status == 422
    # The request breaks the published contract too (maxItems 50), and the simulator says so.
    assert sim.contract is not None
    assert [(v.kind, v.operation) for v in sim.contract.take()] == [
        ("request", "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}")
    ]


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
