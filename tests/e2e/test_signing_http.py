"""The signing page over plain HTTP (no browser): CSRF, cookies, one file per signer, failures, double presses."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from pydantic import SecretStr

from tests.e2e.conftest import World
from tests.github_sim import Simulator, seed_demo
from tests.service import SECRET, Service, settings_for, settle

REPO = "maintainer/microsoft-drop-ice"


def test_posts_need_the_csrf_token_and_pages_are_rate_limited(signing_world: World) -> None:
    _, _, service = signing_world
    with httpx.Client(base_url=service.base) as http:
        page = http.get(f"/sign/{REPO}")
        assert page.status_code == 200 and "Sign with GitHub" in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]
        refused = http.post(f"/sign/{REPO}", data={"name": "Ada", "step": "send", "csrf": "guess"})
        assert refused.status_code == 401 and "session has ended" in refused.text
        assert http.get("/sign/nobody/nothing").status_code == 404
        assert http.get("/sign/..%2F..%2Fetc/passwd").status_code == 404
        statuses = [http.get(f"/sign/{REPO}").status_code for _ in range(130)]
        assert statuses.count(429) > 0 and statuses[0] == 200


def http_sign_in(http: httpx.Client, repo: str, login: str) -> httpx.Response:
    """The OAuth round trip without a browser: follow the redirects, submit the simulator's sign-in form."""
    authorize = http.get(f"/sign/{repo}/login", follow_redirects=True)
    assert authorize.status_code == 200 and "Authorize" in authorize.text
    fields = dict(re.findall(r'name="(client_id|redirect_uri|state)" value="([^"]*)"', authorize.text))
    fields = {k: html.unescape(v) for k, v in fields.items()}
    return http.post(str(authorize.url), data={**fields, "login": login}, follow_redirects=True)


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


DIRECTORY_CONFIG = """version: 1
letter:
  directory: _data/signed
  filename: "{login}.yaml"
  fields: {name: "{name}", link: "https://github.com/{login}"}
signing_page: true
"""


@contextmanager
def page_service(sim: Simulator, tmp_path: Path, config: str, letter: str | None = None) -> Iterator[Service]:
    """The service with the App's OAuth client, on the demo world seeded with this config (and letter)."""
    world = seed_demo(sim.world, signers=2, webhook_url=None, webhook_secret=SECRET, config=config, letter=letter)
    client_id, client_secret = sim.oauth.credentials(world.app)
    settings = settings_for(sim, world, tmp_path / "data", client_id=client_id, client_secret=client_secret)
    service = Service(settings).start()
    world.app.webhook_url = service.url
    try:
        yield service
    finally:
        service.stop()


def test_one_file_per_signer_letter_previews_the_file_and_lands(sim: Simulator, tmp_path: Path) -> None:
    with page_service(sim, tmp_path, DIRECTORY_CONFIG) as service, httpx.Client(base_url=service.base) as http:
        page = http_sign_in(http, REPO, "ada")
        assert "0</strong> people have signed" in page.text
        form = {"csrf": csrf_of(page), "action": "sign", "name": "Ada Lovelace"}
        preview = http.post(f"/sign/{REPO}", data={**form, "step": "preview"})
        assert "<code>_data/signed/ada.yaml</code>" in preview.text
        assert "name: Ada Lovelace\nlink: https://github.com/ada\n" in html.unescape(preview.text)
        sent = http.post(f"/sign/{REPO}", data={**form, "step": "send"})
        assert sent.status_code == 303 and "/pr/1" in sent.headers["location"]
        settle(sim, service)
        status = http.get(f"{sent.headers['location']}.json").json()
        assert status["checked"] == "success" and status["landed"]
        found = sim.world.repo(REPO).git.read_path("refs/heads/main", "_data/signed/ada.yaml")
        assert found is not None and b"Ada Lovelace" in found[1]
        again = http.get(f"/sign/{REPO}")
        assert "1</strong> person has signed" in again.text and "Withdraw my signature" in again.text


def test_a_replayed_or_missing_csrf_token_is_refused(signing_world: World) -> None:
    sim, _, service = signing_world
    with httpx.Client(base_url=service.base) as http:
        page = http_sign_in(http, REPO, "ada")
        assert "Signed in as <strong>@ada</strong>" in page.text
        for csrf in ("", "x" * 32):
            answer = http.post(f"/sign/{REPO}", data={"csrf": csrf, "name": "Ada", "step": "send"})
            assert answer.status_code == 403 and "did not come from this page" in answer.text
        assert not sim.world.pulls
        # Another browser (no session cookie) with the right token is refused too.
        with httpx.Client(base_url=service.base) as other:
            answer = other.post(f"/sign/{REPO}", data={"csrf": csrf_of(page), "name": "Ada", "step": "send"})
            assert answer.status_code == 401
        cookie = next(c for c in http.cookies.jar if c.name == "undersigned_sign")
        assert cookie.path == "/sign" and cookie.has_nonstandard_attr("httponly")
        assert cookie.get_nonstandard_attr("samesite") == "lax" and not cookie.secure  # plain http here


def test_the_cookie_is_secure_behind_https(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from app.runtime import Runtime
    from app.settings import Settings
    from app.web.factory import create_app

    settings = Settings(
        webhook_secret=SecretStr("s"),
        client_id="Iv23abc",
        client_secret=SecretStr("secret"),
        public_url="https://signing.example",
        data_dir=tmp_path,
        workers=0,
    )
    runtime = Runtime(settings)
    with TestClient(create_app(settings, runtime), base_url="https://signing.example") as client:
        answer = client.get(f"/sign/{REPO}/login", follow_redirects=False)
    runtime.queue.close()
    assert answer.status_code == 302
    assert answer.headers["location"].startswith("https://github.com/login/oauth/authorize?")
    assert "redirect_uri=https%3A%2F%2Fsigning.example%2Fsign%2Fcallback" in answer.headers["location"]
    cookie = answer.headers["set-cookie"].lower()
    assert "; secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie and "path=/sign" in cookie


def test_a_revoked_token_asks_to_sign_in_again(signing_world: World) -> None:
    sim, _, service = signing_world
    with httpx.Client(base_url=service.base) as http:
        page = http_sign_in(http, REPO, "ada")
        for value in [t for t in sim.world.tokens if t.startswith("ghu_")]:
            del sim.world.tokens[value]  # the person revoked the App's access on GitHub
        answer = http.post(f"/sign/{REPO}", data={"csrf": csrf_of(page), "name": "Ada Lovelace", "step": "send"})
        assert answer.status_code == 502 and "Please sign in with GitHub again." in answer.text
        assert "Sign with GitHub</a>" in answer.text
        assert "Signed in as" not in http.get(f"/sign/{REPO}").text
        assert not sim.world.pulls


def test_pressing_sign_twice_opens_one_pull_request(signing_world: World) -> None:
    sim, _, service = signing_world
    with httpx.Client(base_url=service.base) as http:
        page = http_sign_in(http, REPO, "ada")
        form = {"csrf": csrf_of(page), "name": "Ada Lovelace", "step": "send", "action": "sign"}
        first = http.post(f"/sign/{REPO}", data=form)
        second = http.post(f"/sign/{REPO}", data=form)
        assert first.status_code == second.status_code == 303
        assert first.headers["location"] == second.headers["location"] == f"/sign/{REPO}/pr/1"
        assert len(sim.world.pulls) == 1
        assert 'href="/sign/maintainer/microsoft-drop-ice/pr/1"' in http.get(f"/sign/{REPO}").text


def test_github_failing_shows_a_page_in_words(signing_world: World) -> None:
    sim, _, service = signing_world
    sim.faults.add("error", r"^GET /repos/[^/]+/[^/]+/contents/", status=500, times=100)
    with httpx.Client(base_url=service.base) as http:
        answer = http.get(f"/sign/{REPO}")
    assert answer.status_code == 503 and "please try again in a minute" in answer.text
    assert "Traceback" not in answer.text
