"""The verified marker end to end: undersigned writes `✓` on a verified line, takes it off when a re-check drops
the mark (in the same commit as the verified ledger), and never lands one a signer typed (issue 24)."""

from __future__ import annotations

from app.affiliations.recheck import next_key
from app.jobs.job import Job
from tests.e2e.affil_support import LEDGER, REPO, config, golden, letter, line, our_comment, set_config, sign_as
from tests.github_sim import Demo, Simulator
from tests.github_sim.routes_people import join_org
from tests.service import Service, settle

World = tuple[Simulator, Demo, Service]
LINK = "(https://github.com/{login})"
MARKED = config("mark").replace(f'{LINK}"', LINK + '{? {verified}}"')


def merged(sim: Simulator, number: int) -> bool:
    return sim.world.pull(sim.world.repo(REPO), number).merged


def test_the_marker_is_ours_to_write_and_to_take_off(app_world: World) -> None:
    sim, demo, service = app_world
    assert "{? {verified}}" in MARKED
    set_config(sim, MARKED)
    world = sim.world
    ada, eve, mal = world.add_user("ada1"), world.add_user("eve1"), world.add_user("mal1")
    join_org(world, "mozilla", ada)
    verified = sign_as(sim, ada, line("Ada Lovelace", "ada1", "Mozilla"))
    settle(sim, service)
    typed = sign_as(sim, eve, line("Eve", "eve1", "Mozilla") + " ✓")  # not a member: typed by hand
    settle(sim, service)
    elsewhere = sign_as(sim, mal, line("Mal", "mal1", "Mozilla✓"))
    settle(sim, service)
    assert merged(sim, verified) and merged(sim, typed) and not merged(sim, elsewhere)
    lines = letter(sim).splitlines()
    assert line("Ada Lovelace", "ada1", "Mozilla") + " ✓" in lines  # computed by undersigned
    assert line("Eve", "eve1", "Mozilla") in lines  # the marker Eve typed is left out
    assert not any("mal1" in x for x in lines) and "\tada1\tMozilla\torg\tmozilla\t" in letter(sim, LEDGER)
    golden("landed-marker-left-out", our_comment(sim, typed))
    golden("refused-marker-by-hand", our_comment(sim, elsewhere))
    # The membership lapses: the weekly re-check drops the mark and takes the marker off, in one commit.
    join_org(world, "mozilla", ada, public=False)
    store = service.runtime.queue.store
    store.delete(next_key(REPO))  # a week has passed
    service.runtime.queue.enqueue(Job("reconcile", demo.installation.id, REPO))
    settle(sim, service)
    text = letter(sim)
    assert line("Ada Lovelace", "ada1", "Mozilla") in text.splitlines() and "✓" not in text  # the signature stays
    assert "\tada1\t" not in letter(sim, LEDGER)
    git = world.repo(REPO).git
    changed = git.git("diff", "--name-only", "refs/heads/main~1", "refs/heads/main").split()
    assert sorted(changed) == sorted(["README.md", LEDGER])  # one commit: the line and the verified ledger
