"""GitHub Enterprise Server's site-admin routes in the simulator: users, renames that free a login, tokens."""

from __future__ import annotations

import httpx

from tests.github_sim import Simulator


def _client(sim: Simulator, token: str) -> httpx.Client:
    client = httpx.Client(base_url=sim.base_url, headers={"Authorization": f"token {token}"}, timeout=60)
    sim.closers.append(client.close)
    return client


def test_a_rename_frees_the_login_for_a_new_account_with_its_own_token(sim: Simulator) -> None:
    admin = sim.world.add_user("site-admin")
    admin.site_admin = True
    grace = sim.world.add_user("grace")
    http = _client(sim, admin.token)
    assert http.patch("/admin/users/grace", json={"login": "grace-hopper"}).status_code == 202
    assert http.get("/users/grace-hopper").json()["id"] == grace.id
    assert http.get("/users/grace").status_code == 404
    made = http.post("/admin/users", json={"login": "grace"})
    assert made.status_code == 201 and made.json()["id"] != grace.id
    token = http.post("/admin/users/grace/authorizations", json={"scopes": ["repo"]}).json()["token"]
    assert _client(sim, token).get("/user").json()["id"] == made.json()["id"]


def test_only_a_site_admin_may_use_the_admin_routes(sim: Simulator) -> None:
    someone = sim.world.add_user("someone")
    answer = _client(sim, someone.token).post("/admin/users", json={"login": "new"})
    assert answer.status_code == 403
