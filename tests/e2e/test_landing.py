"""Landing end to end: bursts land exactly once, nothing forced, conflicts resolved, pushes respected."""

from __future__ import annotations

import time
from pathlib import Path

from app.jobs.job import Job
from tests.e2e.landing_support import LINE, REPO, World, assert_landed_exactly_once, burst, letter
from tests.github_sim import Simulator, person, seed_demo
from tests.service import Service, settings_for, settle


def test_fifty_concurrent_signatures_all_land_exactly_once(app_world: World) -> None:
    sim, _, service = app_world
    initial = sim.world.repo(REPO).git.ref("refs/heads/main")
    assert initial is not None
    numbers = burst(sim, 50)
    settle(sim, service, timeout=120)
    assert_landed_exactly_once(sim, numbers, initial)
    humans = [
        c
        for c in sim.faults.log
        if c.actor.startswith("user:") and ("/merge" in c.path or ("/git/refs" in c.path and c.method == "PATCH"))
    ]
    assert humans == []  # no human merged or moved the branch


def test_a_push_after_validation_is_never_merged(app_world: World) -> None:
    sim, _, service = app_world
    # Slow the landing down, so the signer's next push lands between validation and landing.
    sim.faults.add("latency", r"^POST /repos/[^/]+/[^/]+/git/commits$", latency=1.0, times=1)
    ada = person(sim, "ada")
    opened = ada.sign(REPO, "README.md", LINE.format(name="Ada Lovelace", login="ada"))
    validated = opened["head"]["sha"]
    time.sleep(0.3)
    text, _ = ada.read("ada/microsoft-drop-ice", "README.md", "ada-sign")
    pushed = ada.write("ada/microsoft-drop-ice", "README.md", text.replace("Lea Verou", "Someone Else"), "ada-sign")
    settle(sim, service)
    repo = sim.world.repo(REPO)
    tip = repo.git.ref("refs/heads/main")
    assert tip is not None
    assert not repo.git.is_ancestor(pushed, tip)
    pr = sim.world.pull(repo, int(opened["number"]))
    assert not pr.merged or (pr.merge_commit_sha and repo.git.is_ancestor(validated, tip))
    assert "Someone Else" not in letter(sim)


def test_editing_someone_elses_line_never_lands(app_world: World) -> None:
    sim, _, service = app_world
    mallory = sim.world.add_user("mallory")
    opened = person(sim, mallory.login).sign(
        REPO, "README.md", "", transform=lambda t: t.replace("Lea Verou", "L. Verou")
    )
    settle(sim, service)
    pr = sim.world.pull(sim.world.repo(REPO), int(opened["number"]))
    assert not pr.merged and pr.state == "open"
    assert "L. Verou" not in letter(sim)


def test_conflicting_pair_is_resolved_without_touching_the_fork(app_world: World) -> None:
    sim, _, service = app_world
    service.runtime.queue.stop_consumer()  # let both wait, so the second conflicts when it lands
    numbers = [
        int(person(sim, x).sign(REPO, "README.md", LINE.format(name=x.title(), login=x))["number"])
        for x in ("ada", "grace")
    ]
    assert sim.webhooks.wait()
    service.fed()
    service.runtime.queue.start_consumer(2)
    settle(sim, service)
    initial = sim.world.repo(REPO).git.commit_info("refs/heads/main")["parents"]
    assert initial
    for number in numbers:
        assert sim.world.pull(sim.world.repo(REPO), number).merged
    forks = [
        c
        for c in sim.faults.log
        if c.actor.startswith("installation:")
        and c.path.startswith(("/repos/ada/", "/repos/grace/"))
        and c.method != "GET"
    ]
    assert forks == []


def test_sorted_letter_with_fix_placement_lands_in_place(sim: Simulator, tmp_path: Path) -> None:
    config = "version: 1\nletter:\n  start_after: 'Signed,'\n  line: '- {name}, @{login}'\n  order: sorted\nmerge:\n  fix_placement: true\n"
    text = "Letter.\n\nSigned,\n\n- Ana Alpha, @aa\n- Cy Gamma, @cg\n"
    demo = seed_demo(sim.world, signers=0, webhook_secret="e2e-webhook-secret", letter=text, config=config)
    service = Service(settings_for(sim, demo, tmp_path / "data")).start()
    demo.app.webhook_url = service.url
    try:
        sim.world.add_user("bb")
        opened = person(sim, "bb").sign(REPO, "README.md", "- Bo Beta, @bb")  # appended at the end
        settle(sim, service)
        assert sim.world.pull(sim.world.repo(REPO), int(opened["number"])).merged
        assert letter(sim) == "Letter.\n\nSigned,\n\n- Ana Alpha, @aa\n- Bo Beta, @bb\n- Cy Gamma, @cg\n"
    finally:
        service.stop()


def test_protected_branch_blocks_landing_and_says_so(app_world: World) -> None:
    sim, _, service = app_world
    sim.world.repo(REPO).protected.add("main")
    opened = person(sim, "ada").sign(REPO, "README.md", LINE.format(name="Ada", login="ada"))
    settle(sim, service)
    pr = sim.world.pull(sim.world.repo(REPO), int(opened["number"]))
    assert not pr.merged and pr.state == "open"
    [run] = [r for r in sim.world.check_runs.values() if r.head_sha == pr.head_sha]
    assert run.conclusion == "action_required" and run.output["title"] == "Valid, but blocked from landing"
    assert [c for c in sim.world.comments.values() if c.number == pr.number and "cannot land it" in c.body]


def test_refused_merge_commit_falls_back_to_a_credited_bot_commit(app_world: World) -> None:
    sim, _, service = app_world
    service.runtime.queue.stop_consumer()
    numbers = [
        int(person(sim, x).sign(REPO, "README.md", LINE.format(name=x.title(), login=x))["number"])
        for x in ("ada", "grace")
    ]
    assert sim.webhooks.wait()
    service.fed()
    sim.faults.add("error", r"^POST /repos/[^/]+/[^/]+/git/commits$", status=422, times=1)
    service.runtime.queue.start_consumer(2)
    settle(sim, service)
    repo = sim.world.repo(REPO)
    text = letter(sim)
    fallen_back = []
    for number in numbers:
        pr = sim.world.pull(repo, number)
        login = pr.user.login
        assert text.count(f"[@{login}]") == 1  # landed, once
        assert pr.state == "closed"
        if not pr.merged:
            fallen_back.append(pr)
    # The second PR conflicts, so it needs a merge commit: the refused one falls back to the bot's commit.
    assert fallen_back
    for pr in fallen_back:
        [note] = [
            c.body for c in sim.world.comments.values() if c.number == pr.number and c.body.startswith("Landed in ")
        ]
        sha = note.split()[2]
        assert repo.git.is_ancestor(sha, "refs/heads/main")
        assert f"Co-authored-by: {pr.user.login} " in str(repo.git.commit_info(sha)["message"])


def test_prs_invalid_for_n_days_are_closed_by_the_sweep(app_world: World) -> None:
    sim, demo, service = app_world
    maint = person(sim, "maintainer")
    text, _ = maint.read(REPO, ".github/undersigned.yml")
    maint.write(REPO, ".github/undersigned.yml", text + "merge:\n  close_invalid_after_days: 2\n", "main")
    opened = person(sim, "grace").sign(REPO, "README.md", LINE.format(name="Grace", login="ada"))
    number = int(opened["number"])
    settle(sim, service)
    store = service.runtime.queue.store
    key = f"invalid-since:{REPO}:{number}"
    assert store.get(key) is not None
    service.runtime.queue.enqueue(Job("sweep", demo.installation.id, REPO))
    settle(sim, service)
    assert sim.world.pull(sim.world.repo(REPO), number).state == "open"  # not yet two days
    store.put(key, str(time.time() - 3 * 86400))
    service.runtime.sweep_all()
    settle(sim, service)
    pr = sim.world.pull(sim.world.repo(REPO), number)
    assert pr.state == "closed" and not pr.merged
    [comment] = [c for c in sim.world.comments.values() if c.number == number and c.user.type == "Bot"]
    assert "needed changes for over 2 days" in comment.body


def test_one_file_per_signer_letter_lands_once_per_person(sim: Simulator, tmp_path: Path) -> None:
    config = (
        "version: 1\nletter:\n  directory: _data/signed\n  filename: '{login}.yaml'\n"
        "  fields: {name: '{name}', link: 'https://github.com/{login}'}\n"
    )
    demo = seed_demo(sim.world, signers=2, webhook_secret="e2e-webhook-secret", letter="# Letter\n", config=config)
    service = Service(settings_for(sim, demo, tmp_path / "data")).start()
    demo.app.webhook_url = service.url
    try:
        service.runtime.queue.stop_consumer()  # both PRs wait, so both look new when judged
        ada = person(sim, "ada")
        fork = ada.fork(REPO)
        numbers = []
        for branch, name in (("one", "ada.yaml"), ("two", "ADA.yaml")):
            ada.branch(fork, branch)
            ada.write(
                fork, f"_data/signed/{name}", f"name: Ada Lovelace\nlink: https://github.com/{name[:3]}\n", branch
            )
            numbers.append(int(ada.open_pr(REPO, branch, f"Sign ({branch})", fork=fork)["number"]))
        grace = person(sim, "grace")
        gfork = grace.fork(REPO)
        grace.branch(gfork, "sign")
        grace.write(gfork, "_data/signed/grace.yaml", "name: Grace Hopper\nlink: https://github.com/grace\n", "sign")
        numbers.append(int(grace.open_pr(REPO, "sign", "Sign", fork=gfork)["number"]))
        assert sim.webhooks.wait()
        service.fed()
        service.runtime.queue.start_consumer(2)
        settle(sim, service)
        repo = sim.world.repo(REPO)
        signed = [e.path for e in repo.git.ls_tree("refs/heads/main:_data/signed")]
        assert sorted(p.lower() for p in signed) == ["ada.yaml", "grace.yaml"]  # Ada once, not twice
        merged = [sim.world.pull(repo, n).merged for n in numbers]
        assert merged[2] and merged[:2].count(True) == 1
        loser = numbers[merged[:2].index(False)]
        runs = [r for r in sim.world.check_runs.values() if r.head_sha == sim.world.pull(repo, loser).head_sha]
        assert runs[-1].conclusion == "failure" and "duplicate-signer" in runs[-1].output["summary"]
    finally:
        service.stop()
