"""Verified affiliations end to end: each way verifies, each failure is marked or refused, goldens for each."""

from __future__ import annotations

import json

import httpx

from app.affiliations.recheck import dropped_key, next_key
from app.jobs.job import Job
from tests.e2e.affil_support import LEDGER, REPO, config, golden, letter, line, our_comment, set_config, sign_as
from tests.github_sim import Demo, Simulator, person
from tests.github_sim.routes_people import add_email, join_org
from tests.service import Service, settle

World = tuple[Simulator, Demo, Service]


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
    with httpx.Client(base_url=service.base) as http:  # the public outputs show each mark, and only marks
        rows = {r["login"]: r for r in http.get(f"/letters/{REPO}/signatures.json").json()["signatures"]}
        assert rows["ada1"]["verified"]["method"] == "org" and rows["grace1"]["verified"]["matched"] == "mozilla.org"
        assert rows["linus1"]["verified"] is None
        csv_text = http.get(f"/letters/{REPO}/signatures.csv").text
        assert "org: mozilla" in csv_text and "@mozilla.org" not in csv_text
        page = http.get(f"/sign/{REPO}", headers={"Accept": "text/html"}).text
        assert page.count("✓ verified") == 2 and "public membership of the GitHub organization mozilla" in page


# The hostile matrix: login -> (affiliation written, committer address, whose key signed the commit). The address
# is verified on the account whose key signed (or on the signer's own, for an unsigned commit).
MATRIX: dict[str, tuple[str, str | None, str | None]] = {
    "unsigned": ("Mozilla", "unsigned@mozilla.org", None),  # anyone can type any address in a commit
    "eve": ("Mozilla", "mallory@mozilla.org", "mallory"),  # signed and verified, but Mallory's, in Eve's PR
    "lookalike": ("Mozilla", "l@mozi11a.org", "lookalike"),
    "suffix": ("Mozilla", "s@mozilla.org.evil.com", "suffix"),
    "mit": ("MIT", "m@csail.mit.edu", "mit"),  # a subdomain, opted into with *.mit.edu
    "private": ("Mozilla", None, None),  # a private member of mozilla
    "corp": ("Mozilla Corp.", None, None),  # not a listed name: free text
}


def test_require_hostile_matrix_each_gives_its_documented_result(app_world: World) -> None:
    sim, _, service = app_world
    set_config(sim, config("require"))
    world = sim.world
    users = {k: world.add_user(k) for k in [*MATRIX, "mallory"]}
    join_org(world, "mozilla", users["private"], public=False)
    prs = {}
    for login, (affiliation, address, key) in MATRIX.items():
        signer = users[key] if key else None
        if address is not None:
            add_email(world, signer or users[login], address)
        text = line(login.title(), login, affiliation)
        prs[login] = sign_as(sim, users[login], text, committer=address, signed_by=signer)
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
    assert "/orgs/mozilla/public_members/private" in probes
    # A maintainer's word verifies what GitHub's data cannot: the refused PR lands, marked.
    person(sim, "maintainer").comment(REPO, prs["private"], "/undersigned verify @private")
    settle(sim, service)
    assert merged(sim, prs["private"])
    assert f"{users['private'].id}\tprivate\tMozilla\tmaintainer\tmaintainer\t" in letter(sim, LEDGER)
    golden("landed-verified-maintainer", our_comment(sim, prs["private"]))
    # The how-to works: the refused signer makes their membership public and asks again; it lands, marked.
    join_org(world, "mozilla", users["unsigned"])
    person(sim, "unsigned").comment(REPO, prs["unsigned"], "/recheck")
    settle(sim, service)
    assert merged(sim, prs["unsigned"])
    assert f"{users['unsigned'].id}\tunsigned\tMozilla\torg\tmozilla\t" in letter(sim, LEDGER)


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
