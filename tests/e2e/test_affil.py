"""Verified affiliations end to end: each way verifies, each failure is marked or refused, goldens for each."""

from __future__ import annotations

import json
import re

from app.affiliations.recheck import dropped_key, next_key
from app.jobs.job import Job
from tests.e2e.affil_support import LEDGER, REPO, config, letter, line, our_comment, set_config, sign_as
from tests.github_sim import Demo, Simulator, person
from tests.github_sim.routes_people import add_email, join_org
from tests.helpers import assert_golden
from tests.service import Service, settle

World = tuple[Simulator, Demo, Service]


def golden(name: str, body: str) -> None:
    assert_golden(f"affil/{name}.md", re.sub(r"\b[0-9a-f]{40}\b", "<sha>", body))


def merged(sim: Simulator, number: int) -> bool:
    return sim.world.pull(sim.world.repo(REPO), number).merged


def test_mark_verifies_by_org_and_by_signed_commit_and_notes_the_unverified(app_world: World) -> None:
    sim, _, service = app_world
    set_config(sim, config("mark"))
    world = sim.world
    ada, grace, linus = world.add_user("ada1"), world.add_user("grace1"), world.add_user("linus1")
    join_org(world, "mozilla", ada)
    add_email(world, grace, "grace@mozilla.org")
    add_email(world, linus, "linus@mozilla.org")
    by_org = sign_as(sim, ada, line("Ada Lovelace", "ada1", "Mozilla"))
    by_commit = sign_as(
        sim, grace, line("Grace Hopper", "grace1", "Mozilla"), committer="grace@mozilla.org", signed_by=grace
    )
    unsigned = sign_as(sim, linus, line("Linus T", "linus1", "Mozilla"), committer="linus@mozilla.org")
    settle(sim, service)
    assert all(merged(sim, n) for n in (by_org, by_commit, unsigned))  # mark never refuses
    records = letter(sim, LEDGER)
    assert f"{ada.id}\tada1\tMozilla\torg\tmozilla\t" in records
    assert f"{grace.id}\tgrace1\tMozilla\tcommit\tmozilla.org\t" in records
    assert "linus1" not in records and "@" not in records.replace("# ", "")  # no address, ever
    golden("landed-verified-org", our_comment(sim, by_org))
    golden("landed-verified-commit", our_comment(sim, by_commit))
    golden("landed-unverified-mark", our_comment(sim, unsigned))


def test_require_hostile_matrix_each_gives_its_documented_result(app_world: World) -> None:
    sim, _, service = app_world
    set_config(sim, config("require"))
    world = sim.world
    users = {
        k: world.add_user(k) for k in ("unsigned", "eve", "mallory", "lookalike", "suffix", "mit", "private", "corp")
    }
    for login, address in (
        ("unsigned", "unsigned@mozilla.org"),
        ("mallory", "mallory@mozilla.org"),
        ("lookalike", "l@mozi11a.org"),
        ("suffix", "s@mozilla.org.evil.com"),
        ("mit", "m@csail.mit.edu"),
    ):
        add_email(world, users[login], address)
    join_org(world, "mozilla", users["private"], public=False)
    prs = {
        # An unsigned commit from a work address proves nothing: anyone can write any address in a commit.
        "unsigned": sign_as(
            sim, users["unsigned"], line("U N", "unsigned", "Mozilla"), committer="unsigned@mozilla.org"
        ),
        # Signed and verified, but Mallory's commit, in Eve's pull request.
        "eve": sign_as(
            sim,
            users["eve"],
            line("Eve E", "eve", "Mozilla"),
            committer="mallory@mozilla.org",
            signed_by=users["mallory"],
        ),
        "lookalike": sign_as(
            sim,
            users["lookalike"],
            line("L L", "lookalike", "Mozilla"),
            committer="l@mozi11a.org",
            signed_by=users["lookalike"],
        ),
        "suffix": sign_as(
            sim,
            users["suffix"],
            line("S S", "suffix", "Mozilla"),
            committer="s@mozilla.org.evil.com",
            signed_by=users["suffix"],
        ),
        "mit": sign_as(
            sim, users["mit"], line("M M", "mit", "MIT"), committer="m@csail.mit.edu", signed_by=users["mit"]
        ),
        "private": sign_as(sim, users["private"], line("P P", "private", "Mozilla")),
        "corp": sign_as(sim, users["corp"], line("C C", "corp", "Mozilla Corp.")),
    }
    settle(sim, service)
    landed = {k for k, n in prs.items() if merged(sim, n)}
    assert landed == {"mit", "corp"}  # the subdomain opted in with *.mit.edu; an unlisted name stays free text
    records = letter(sim, LEDGER)
    assert f"{users['mit'].id}\tmit\tMIT\tcommit\tcsail.mit.edu\t" in records
    assert "corp" not in records and "private" not in records
    for refused in ("unsigned", "eve", "lookalike", "suffix", "private"):
        assert "`affiliation-unverified`" in our_comment(sim, prs[refused]), refused
    golden("refused-require", our_comment(sim, prs["unsigned"]))
    golden("landed-free-text-near", our_comment(sim, prs["corp"]))
    golden("landed-verified-subdomain", our_comment(sim, prs["mit"]))
    # A private membership is never probed: only the public endpoint was asked, and it said no.
    probes = [c.path for c in sim.faults.log if c.path.startswith("/orgs/")]
    assert probes and all("/public_members/" in p for p in probes)
    assert len([p for p in probes if p.endswith("/private")]) == 1  # one request, however often it was judged
    # A maintainer's word verifies what GitHub's data cannot: the refused PR lands, marked.
    person(sim, "maintainer").comment(REPO, prs["private"], "/undersigned verify @private")
    settle(sim, service)
    assert merged(sim, prs["private"])
    assert f"{users['private'].id}\tprivate\tMozilla\tmaintainer\tmaintainer\t" in letter(sim, LEDGER)
    golden("landed-verified-maintainer", our_comment(sim, prs["private"]))


def test_a_lapsed_membership_loses_its_mark_and_keeps_its_signature(app_world: World) -> None:
    sim, demo, service = app_world
    set_config(sim, config("mark"))
    world = sim.world
    ada, grace = world.add_user("ada1"), world.add_user("grace1")
    for who in (ada, grace):
        join_org(world, "mozilla", who)
    numbers = [sign_as(sim, u, line(u.login.title(), u.login, "Mozilla")) for u in (ada, grace)]
    settle(sim, service)
    assert all(merged(sim, n) for n in numbers)
    assert "\tada1\tMozilla\torg\tmozilla\t" in letter(sim, LEDGER)
    join_org(world, "mozilla", ada, public=False)  # made private: the public endpoint no longer shows it
    store = service.runtime.queue.store
    store.delete(next_key(REPO))  # a week has passed
    before = len([c for c in sim.faults.log if c.path.startswith("/orgs/")])
    service.runtime.queue.enqueue(Job("reconcile", demo.installation.id, REPO))
    settle(sim, service)
    probes = len([c for c in sim.faults.log if c.path.startswith("/orgs/")]) - before
    assert probes == 2  # one per org-verified signer
    records = letter(sim, LEDGER)
    assert "\tada1\t" not in records and "\tgrace1\tMozilla\torg\tmozilla\t" in records
    assert "Ada1, Mozilla [@ada1]" in letter(sim) and "Grace1, Mozilla [@grace1]" in letter(sim)  # the signature stays
    assert json.loads(store.get(dropped_key(REPO)) or "[]")[0]["login"] == "ada1"  # the dashboard is told
    # Until next week, reconciliation asks nothing more.
    service.runtime.queue.enqueue(Job("reconcile", demo.installation.id, REPO))
    settle(sim, service)
    assert len([c for c in sim.faults.log if c.path.startswith("/orgs/")]) - before == 2
