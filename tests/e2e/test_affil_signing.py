"""Verified affiliations on the signing page: a verified address's domain verifies, the address is never kept."""

from __future__ import annotations

import logging

import httpx
import pytest

from tests.e2e.affil_support import LEDGER, REPO, config, golden, letter, our_comment, set_config
from tests.e2e.conftest import World
from tests.e2e.test_signing_http import csrf_of, http_sign_in
from tests.github_sim.routes_people import add_email
from tests.service import settle


def sign_on_page(service_base: str, login: str, affiliation: str) -> int:
    with httpx.Client(base_url=service_base) as http:
        page = http_sign_in(http, REPO, login)
        form = {"csrf": csrf_of(page), "name": "Ada Lovelace", "affiliation": affiliation, "step": "send"}
        sent = http.post(f"/sign/{REPO}", data={**form, "action": "sign"})
        assert sent.status_code == 303, sent.text
        return int(sent.headers["location"].rsplit("/", 1)[1])


def test_a_verified_address_at_a_subdomain_verifies_and_only_its_domain_is_kept(
    signing_world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sim, demo, service = signing_world
    demo.app.permissions["emails"] = "read"
    set_config(sim, config("require"))
    settle(sim, service)
    ada = sim.world.user("ada")
    add_email(sim.world, ada, "ada.lovelace@csail.mit.edu")
    add_email(sim.world, ada, "ada@mozilla.org", verified=False)  # unverified: never counts
    number = sign_on_page(service.base, "ada", "MIT")
    settle(sim, service)
    assert sim.world.pull(sim.world.repo(REPO), number).merged
    records = letter(sim, LEDGER)
    assert f"{ada.id}\tada\tMIT\temail\tcsail.mit.edu\t" in records
    comment = our_comment(sim, number)
    golden("landed-verified-email", comment)
    # The address is nowhere: not in the repository, the store, nor the service's log.
    kept = service.runtime.queue.store
    assert kept.get(f"affil:email:{REPO}:{ada.id}") == "MIT\tcsail.mit.edu"
    assert "pull request opened" in caplog.text  # the log was captured
    everything = records + letter(sim) + comment + caplog.text
    assert "ada.lovelace" not in everything


def test_without_the_email_permission_the_page_still_signs_and_require_refuses(signing_world: World) -> None:
    sim, demo, service = signing_world
    demo.app.permissions.pop("emails", None)
    set_config(sim, config("require"))
    settle(sim, service)
    add_email(sim.world, sim.world.user("ada"), "ada@mozilla.org")
    number = sign_on_page(service.base, "ada", "Mozilla")
    settle(sim, service)
    assert not sim.world.pull(sim.world.repo(REPO), number).merged
    assert "`affiliation-unverified`" in our_comment(sim, number)
