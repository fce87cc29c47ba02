"""The "Sign with GitHub" page end to end: headless Chromium, the service and the simulator over real HTTP."""

from __future__ import annotations

import html
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from tests import chromium
from tests.github_sim import Demo, Simulator, person, seed_demo
from tests.service import SECRET, Service, settings_for, settle

REPO = "maintainer/microsoft-drop-ice"
World = tuple[Simulator, Demo, Service]


@pytest.fixture
def signing_world(sim: Simulator, tmp_path: Path) -> Iterator[World]:
    """The demo world (its letter enables the page) with undersigned holding the App's OAuth client."""
    world = seed_demo(sim.world, signers=4, webhook_url=None, webhook_secret="e2e-webhook-secret")
    client_id, client_secret = sim.oauth.credentials(world.app)
    settings = settings_for(sim, world, tmp_path / "data", client_id=client_id, client_secret=client_secret)
    service = Service(settings).start()
    world.app.webhook_url = service.url
    yield sim, world, service
    service.stop()


@pytest.fixture
def browser() -> Iterator[Any]:
    """A fresh headless Chromium (its own profile) per test; tests/browser.py will share this."""
    from playwright.sync_api import sync_playwright

    if not chromium.available():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    profile = tempfile.mkdtemp(prefix="chromium-")
    with sync_playwright() as pw:
        context = chromium.launch(pw, Path(profile))
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


class Shots:
    """Screenshots of each page state, kept in UNDERSIGNED_SCREENSHOTS (a folder) when it is set."""

    def __init__(self, tmp_path: Path) -> None:
        self.folder = Path(os.environ.get("UNDERSIGNED_SCREENSHOTS") or tmp_path / "shots")
        self.folder.mkdir(parents=True, exist_ok=True)

    def take(self, page: Any, name: str, full_page: bool = True) -> None:
        page.screenshot(path=str(self.folder / f"{name}.png"), full_page=full_page)


@pytest.fixture
def shots(tmp_path: Path) -> Shots:
    return Shots(tmp_path)


def letter(sim: Simulator) -> str:
    found = sim.world.repo(REPO).git.read_path("refs/heads/main", "README.md")
    assert found is not None
    return found[1].decode()


def sign_in(page: Any, service: Service, login: str, shots: Shots | None = None) -> None:
    page.goto(f"{service.base}/sign/{REPO}")
    if shots:
        shots.take(page, "1-letter")
    page.get_by_role("link", name="Sign with GitHub").click()
    page.wait_for_url("**/login/oauth/authorize**")
    if shots:
        shots.take(page, "2-github-login")
    page.get_by_label("Username").fill(login)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{service.base}/sign/{REPO}")
    assert page.get_by_text(f"Signed in as @{login}").is_visible()


def wait_landed(page: Any, timeout: float = 30) -> float:
    """Wait until the progress page says the signature landed; returns when it did (monotonic)."""
    page.get_by_text("Landed in").wait_for(timeout=timeout * 1000)
    return time.monotonic()


def test_sign_then_see_it_land(signing_world: World, browser: Any, shots: Shots, caplog: Any) -> None:
    sim, _, service = signing_world
    caplog.set_level(logging.DEBUG)
    page = browser.new_page()
    seen: list[str] = []
    page.on("response", lambda r: seen.append(r.text()) if "text/html" in r.headers.get("content-type", "") else None)
    sign_in(page, service, "ada", shots)
    shots.take(page, "3-form")
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("pre.line")
    assert preview.inner_text() == "-  Ada Lovelace [@ada](https://github.com/ada)"
    assert page.get_by_text("The letter's rules accept this. Nothing has been sent yet.").is_visible()
    shots.take(page, "4-preview")
    assert not sim.world.pulls  # a preview sends nothing
    clicked = time.monotonic()
    page.get_by_role("button", name="Sign", exact=True).click()
    page.wait_for_url(f"**/sign/{REPO}/pr/*")
    shots.take(page, "5-progress")
    landed = wait_landed(page)
    print(f"\nsigning page: click Sign -> landed commit shown: {landed - clicked:.2f} s")
    shots.take(page, "6-landed")
    [pr] = sim.world.pulls.values()
    assert pr.user.login == "ada" and pr.head_repo.full_name == "ada/microsoft-drop-ice"  # the signer's own PR
    assert "-  Ada Lovelace [@ada](https://github.com/ada)" in letter(sim)
    link = page.get_by_role("link", name="commit")
    assert link.get_attribute("href").endswith(f"/commit/{pr.merge_commit_sha}")
    # The user's token never reaches a page, a log or the data folder.
    tokens = [t for t in sim.world.tokens if t.startswith("ghu_")]
    assert len(tokens) == 1
    assert not any(tokens[0] in html for html in seen)
    assert tokens[0] not in caplog.text
    for path in service.settings.data_dir.rglob("*"):
        assert not path.is_file() or tokens[0].encode() not in path.read_bytes(), path


def test_second_visit_shows_the_signature_and_withdraw_lands(signing_world: World, browser: Any, shots: Shots) -> None:
    sim, _, service = signing_world
    page = browser.new_page()
    sign_in(page, service, "grace")
    page.get_by_label("Your name").fill("Grace Hopper")
    page.get_by_label("Your name").press("Enter")  # the form's first button: Preview
    page.get_by_role("button", name="Sign", exact=True).click()
    wait_landed(page)
    page.get_by_role("link", name="Back to the letter").click()
    assert page.get_by_role("heading", name="Your signature").is_visible()
    assert page.locator("pre.line").inner_text() == "-  Grace Hopper [@grace](https://github.com/grace)"
    assert page.get_by_role("button", name="Amend my signature").is_visible()
    shots.take(page, "7-second-visit")
    page.get_by_role("button", name="Withdraw my signature").click()
    assert page.locator("pre.line.removed").inner_text() == "-  Grace Hopper [@grace](https://github.com/grace)"
    shots.take(page, "8-withdraw-preview")
    page.get_by_role("button", name="Yes, withdraw my signature").click()
    wait_landed(page)
    assert "[@grace]" not in letter(sim)
    prs = sorted(sim.world.pulls.values(), key=lambda p: p.number)
    assert [p.user.login for p in prs] == ["grace", "grace"] and all(p.merged for p in prs)
    settle(sim, service)


def test_amend_lands(signing_world: World, browser: Any) -> None:
    sim, _, service = signing_world
    page = browser.new_page()
    sign_in(page, service, "linus")
    page.get_by_label("Your name").fill("Linus T")
    page.get_by_role("button", name="Sign", exact=True).click()  # Sign checks with the rules first, too
    wait_landed(page)
    page.goto(f"{service.base}/sign/{REPO}")
    page.get_by_role("button", name="Amend my signature").click()
    assert page.get_by_label("Your name").input_value() == "Linus T"
    page.get_by_label("Your name").fill("Linus Torvalds")
    page.get_by_role("button", name="Save the change").click()
    wait_landed(page)
    text = letter(sim)
    assert "-  Linus Torvalds [@linus](https://github.com/linus)" in text and "Linus T [" not in text


def test_a_tampered_state_is_refused(signing_world: World, browser: Any, shots: Shots) -> None:
    sim, _, service = signing_world
    page = browser.new_page()
    page.goto(f"{service.base}/sign/{REPO}")
    page.get_by_role("link", name="Sign with GitHub").click()
    page.wait_for_url("**/login/oauth/authorize**")
    page.locator("input[name=state]").evaluate("e => e.value = e.value.slice(0, -2) + 'xx'")
    page.get_by_label("Username").fill("ada")
    page.get_by_role("button", name="Authorize").click()
    assert page.get_by_role("heading", name="Sign-in refused").is_visible()
    shots.take(page, "9-state-refused")
    page.get_by_role("link", name="Back to the letter").click()
    assert page.get_by_role("link", name="Sign with GitHub").is_visible()  # not signed in
    assert not [t for t in sim.world.tokens if t.startswith("ghu_")]  # the code was never exchanged


def test_an_invalid_name_shows_the_rules_message_and_sends_nothing(
    signing_world: World, browser: Any, shots: Shots
) -> None:
    sim, _, service = signing_world
    page = browser.new_page()
    sign_in(page, service, "margaret")
    page.get_by_label("Your name").fill("Margaret <a href='https://evil.example'>Hamilton</a>")
    page.get_by_role("button", name="Preview").click()
    alert = page.get_by_role("alert")
    assert "The name may not contain links, HTML or web addresses." in alert.inner_text()
    assert page.get_by_label("Your name").get_attribute("aria-invalid") == "true"
    shots.take(page, "10-error")
    page.get_by_role("button", name="Sign", exact=True).click()
    assert "The name may not contain links" in page.get_by_role("alert").inner_text()
    assert not sim.world.pulls  # nothing was sent


def test_keyboard_and_narrow_screen(signing_world: World, browser: Any, shots: Shots) -> None:
    _, _, service = signing_world
    page = browser.new_page()
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{service.base}/sign/{REPO}")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Sign with GitHub":
            break
    else:
        raise AssertionError("the Sign with GitHub button is not reachable with the keyboard")
    shots.take(page, "11-narrow-focus", full_page=False)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    page.keyboard.press("Enter")
    page.wait_for_url("**/login/oauth/authorize**")
    page.get_by_label("Username").fill("ada")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{service.base}/sign/{REPO}")
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_role("button", name="Preview").click()
    shots.take(page, "12-narrow-preview")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


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


HOSTILE = """# A letter

<script>window.pwned = 1</script>
<img src=x onerror="window.pwned = 2">
[click](javascript:window.pwned=3) <a href="#" onclick="window.pwned=4">a</a>

Signed,
"""


def test_letter_text_cannot_inject_script(signing_world: World, browser: Any) -> None:
    sim, _, service = signing_world
    person(sim, "maintainer").write(REPO, "README.md", HOSTILE, "main", "Hostile words")
    page = browser.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(f"{service.base}/sign/{REPO}")
    assert page.get_by_role("heading", name="A letter").is_visible()
    assert page.get_by_text("<script>window.pwned = 1</script>").is_visible()  # shown as text, not run
    assert page.locator(".letter-text script, .letter-text [onclick], .letter-text [onerror]").count() == 0
    assert page.locator(".letter-text a").count() == 0  # the javascript: link is not a link
    assert page.evaluate("window.pwned") is None and not dialogs


def test_every_rule_stays_in_force(signing_world: World, browser: Any) -> None:
    sim, _, service = signing_world
    maintainer = person(sim, "maintainer")
    config, _ = maintainer.read(REPO, ".github/undersigned.yml")
    rules = "signers:\n  blocked: [margaret]\n  min_account_age_days: 30\n"
    maintainer.write(REPO, ".github/undersigned.yml", config + rules, "main", "Rules")
    sim.world.add_user("newcomer", created_at=sim.world.now() - 2 * 86400)
    page = browser.new_page()
    sign_in(page, service, "newcomer")
    page.get_by_label("Your name").fill("New Comer")
    page.get_by_role("button", name="Sign", exact=True).click()
    assert "this letter accepts accounts older than 30 days" in page.get_by_role("alert").inner_text()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, service, "margaret")
    page.get_by_label("Your name").fill("Margaret Hamilton")
    page.get_by_role("button", name="Sign", exact=True).click()
    assert "@margaret may not sign this letter" in page.get_by_role("alert").inner_text()
    assert not sim.world.pulls


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


def test_one_file_per_signer_letter_previews_the_file_and_lands(sim: Simulator, tmp_path: Path) -> None:
    world = seed_demo(sim.world, signers=2, webhook_url=None, webhook_secret=SECRET, config=DIRECTORY_CONFIG)
    client_id, client_secret = sim.oauth.credentials(world.app)
    settings = settings_for(sim, world, tmp_path / "data", client_id=client_id, client_secret=client_secret)
    service = Service(settings).start()
    world.app.webhook_url = service.url
    try:
        with httpx.Client(base_url=service.base) as http:
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
    finally:
        service.stop()


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
    runtime.queue.huey.storage.close()
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
