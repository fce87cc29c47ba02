"""Api.open_pulls_among: a landing reads its PRs from the open listing, page by page, only as far as it pays."""

from __future__ import annotations

from app.github.api import Api
from app.github.pacing import Pacer
from tests.github_sim import Demo, Simulator
from tests.security.landing_attacker import seed
from tests.sim.clients import installation_client

OPEN = 250  # three pages of open PRs


def _letter_with_open_pulls(sim: Simulator) -> tuple[Demo, list[int]]:
    demo = seed(sim, {"README.md": "# A letter\n\nSigned,\n"})
    repo, git = demo.repo, demo.repo.git
    tip = git.ref("refs/heads/main")
    assert tip is not None
    blob = git.write_blob(b"# A letter\n\nSigned,\n\n-  Ada\n")
    who = demo.maintainer.person
    head = git.commit_tree(git.tree_with(tip, {"README.md": ("100644", blob)}), [tip], "Sign", who, who)
    numbers = []
    for i in range(OPEN):
        assert git.set_ref(f"refs/heads/sign-{i}", head)
        numbers.append(sim.world.open_pull(repo, demo.maintainer, f"sign-{i}", "main", f"Sign {i}", None).number)
    return demo, numbers


def _listing_reads(sim: Simulator) -> int:
    return len(sim.faults.calls("GET", r"/pulls$", actor="installation:"))


def test_old_waiting_prs_are_found_in_pages_not_one_by_one(sim: Simulator) -> None:
    demo, numbers = _letter_with_open_pulls(sim)
    api = Api(installation_client(sim, demo).requester, demo.installation.id, Pacer(0))
    # Five PRs opened before the newest 200: the third page names them (three reads, not one plus five).
    wanted = set(numbers[10:15])
    found = api.open_pulls_among(demo.repo.full_name, wanted)
    assert set(found) == wanted
    assert all(found[n].head_sha for n in wanted)
    assert _listing_reads(sim) == 3


def test_paging_stops_where_reading_by_number_costs_less(sim: Simulator) -> None:
    demo, numbers = _letter_with_open_pulls(sim)
    api = Api(installation_client(sim, demo).requester, demo.installation.id, Pacer(0))
    # One old PR and one new: the first page names the new one, and one more page would cost what reading the
    # old one by number does: the listing stops there.
    found = api.open_pulls_among(demo.repo.full_name, {numbers[0], numbers[-1]})
    assert set(found) == {numbers[-1]}
    assert _listing_reads(sim) == 1


def test_closed_prs_stop_the_paging_once_passed(sim: Simulator) -> None:
    demo, numbers = _letter_with_open_pulls(sim)
    api = Api(installation_client(sim, demo).requester, demo.installation.id, Pacer(0))
    for number in numbers[-3], numbers[-5]:
        sim.world.pull(demo.repo, number).state = "closed"
    found = api.open_pulls_among(demo.repo.full_name, {numbers[-1], numbers[-3], numbers[-5]})
    assert set(found) == {numbers[-1]}  # the closed ones were passed on the first page: read by number
    assert _listing_reads(sim) == 1
