"""The GitHub simulator itself: auth and tokens, real git merges and conflicts, refs, contents, checks."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest
from github import Github, GithubException

from tests.github_sim import Demo, Simulator, person
from tests.github_sim.keys import app_key
from tests.sim.clients import installation_client, integration, sign


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
