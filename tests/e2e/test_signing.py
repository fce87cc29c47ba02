"""The "Sign with GitHub" page end to end: headless Chromium, the service and the simulator over real HTTP."""

from __future__ import annotations

import logging
import time
from typing import Any

from tests.browser import ARTIFACTS, looks
from tests.e2e.conftest import World
from tests.github_sim import Simulator, person
from tests.service import Service, settle

REPO = "maintainer/microsoft-drop-ice"


def shoot(page: Any, name: str, *, full_page: bool = True) -> None:
    """A screenshot of one page state under tests/artifacts/signing-NAME.png, for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"signing-{name}.png"), full_page=full_page)


def letter(sim: Simulator) -> str:
    found = sim.world.repo(REPO).git.read_path("refs/heads/main", "README.md")
    assert found is not None
    return found[1].decode()


def sign_in(page: Any, service: Service, login: str, *, shots: bool = False) -> None:
    page.goto(f"{service.base}/sign/{REPO}")
    if shots:
        shoot(page, "1-letter")
    page.get_by_role("link", name="Sign with GitHub").click()
    page.wait_for_url("**/login/oauth/authorize**")
    if shots:
        shoot(page, "2-github-login")
    page.get_by_label("Username").fill(login)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{service.base}/sign/{REPO}#sign")  # at the form, not the top of the letter
    assert page.get_by_text(f"Signed in as @{login}").is_visible()


def wait_landed(page: Any, timeout: float = 30) -> float:
    """Wait until the progress page says the change landed; returns when it did (monotonic)."""
    page.locator("#step-landed.done").wait_for(timeout=timeout * 1000)
    return time.monotonic()


def test_sign_then_see_it_land(signing_world: World, browser_page: Any, caplog: Any) -> None:
    sim, _, service = signing_world
    caplog.set_level(logging.DEBUG)
    page = browser_page
    seen: list[str] = []
    page.on("response", lambda r: seen.append(r.text()) if "text/html" in r.headers.get("content-type", "") else None)
    sign_in(page, service, "ada", shots=True)
    shoot(page, "3-form")
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("pre.line")
    assert preview.inner_text() == "-  Ada Lovelace [@ada](https://github.com/ada)"
    assert page.get_by_text("The letter's rules accept this. Nothing has been sent yet.").is_visible()
    shoot(page, "4-preview")
    assert not sim.world.pulls  # a preview sends nothing
    clicked = time.monotonic()
    page.get_by_role("button", name="Sign", exact=True).click()
    page.wait_for_url(f"**/sign/{REPO}/pr/*")
    shoot(page, "5-progress")
    landed = wait_landed(page)
    print(f"\nsigning page: click Sign -> landed commit shown: {landed - clicked:.2f} s")
    shoot(page, "6-landed")
    assert looks(page, "sign-landed") == []
    assert page.get_by_role("heading", name="Your signature has landed").is_visible()
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


def test_second_visit_shows_the_signature_and_withdraw_lands(signing_world: World, browser_page: Any) -> None:
    sim, _, service = signing_world
    page = browser_page
    sign_in(page, service, "grace")
    page.get_by_label("Your name").fill("Grace Hopper")
    page.get_by_label("Your name").press("Enter")  # the form's first button: Preview
    page.get_by_role("button", name="Sign", exact=True).click()
    wait_landed(page)
    page.get_by_role("link", name="Back to the letter").click()
    assert page.get_by_role("heading", name="Your signature").is_visible()
    assert page.locator("pre.line").inner_text() == "-  Grace Hopper [@grace](https://github.com/grace)"
    assert page.get_by_role("button", name="Amend my signature").is_visible()
    shoot(page, "7-second-visit")
    page.get_by_role("button", name="Withdraw my signature").click()
    assert page.locator("pre.line.removed").inner_text() == "-  Grace Hopper [@grace](https://github.com/grace)"
    shoot(page, "8-withdraw-preview")
    page.get_by_role("button", name="Yes, withdraw my signature").click()
    wait_landed(page)
    assert page.get_by_role("heading", name="Your signature was removed").is_visible()  # not "Your change has landed"
    assert "Removed in commit" in page.inner_text("#step-landed")
    shoot(page, "8b-withdrawn")
    assert "[@grace]" not in letter(sim)
    prs = sorted(sim.world.pulls.values(), key=lambda p: p.number)
    assert [p.user.login for p in prs] == ["grace", "grace"] and all(p.merged for p in prs)
    settle(sim, service)


def test_amend_lands(signing_world: World, browser_page: Any) -> None:
    sim, _, service = signing_world
    page = browser_page
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


def test_a_tampered_state_is_refused(signing_world: World, browser_page: Any) -> None:
    sim, _, service = signing_world
    page = browser_page
    page.goto(f"{service.base}/sign/{REPO}")
    page.get_by_role("link", name="Sign with GitHub").click()
    page.wait_for_url("**/login/oauth/authorize**")
    page.locator("input[name=state]").evaluate("e => e.value = e.value.slice(0, -2) + 'xx'")
    page.get_by_label("Username").fill("ada")
    page.get_by_role("button", name="Authorize").click()
    assert page.get_by_role("heading", name="Sign-in refused").is_visible()
    shoot(page, "9-state-refused")
    page.get_by_role("link", name="Back to the letter").click()
    assert page.get_by_role("link", name="Sign with GitHub").is_visible()  # not signed in
    assert not [t for t in sim.world.tokens if t.startswith("ghu_")]  # the code was never exchanged


def test_an_invalid_name_shows_the_rules_message_and_sends_nothing(signing_world: World, browser_page: Any) -> None:
    sim, _, service = signing_world
    page = browser_page
    sign_in(page, service, "margaret")
    page.get_by_label("Your name").fill("Margaret <a href='https://evil.example'>Hamilton</a>")
    page.get_by_role("button", name="Preview").click()
    alert = page.get_by_role("alert")
    assert "The name may not contain links, HTML or web addresses." in alert.inner_text()
    assert page.get_by_label("Your name").get_attribute("aria-invalid") == "true"
    shoot(page, "10-error")
    page.get_by_role("button", name="Sign", exact=True).click()
    assert "The name may not contain links" in page.get_by_role("alert").inner_text()
    assert not sim.world.pulls  # nothing was sent


def test_keyboard_and_narrow_screen(signing_world: World, browser_page: Any) -> None:
    _, _, service = signing_world
    page = browser_page
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
    shoot(page, "11-narrow-focus", full_page=False)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    page.keyboard.press("Enter")
    page.wait_for_url("**/login/oauth/authorize**")
    page.get_by_label("Username").fill("ada")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{service.base}/sign/{REPO}#sign")
    top = page.evaluate("document.getElementById('name').getBoundingClientRect().top")
    assert 0 < top < 740  # the form is on screen, not below the letter
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_role("button", name="Preview").click()
    shoot(page, "12-narrow-preview")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


HOSTILE = """# A letter

<script>window.pwned = 1</script>
<img src=x onerror="window.pwned = 2">
[click](javascript:window.pwned=3) <a href="#" onclick="window.pwned=4">a</a>

Signed,
"""


def test_letter_text_cannot_inject_script(signing_world: World, browser_page: Any) -> None:
    sim, _, service = signing_world
    person(sim, "maintainer").write(REPO, "README.md", HOSTILE, "main", "Hostile words")
    page = browser_page
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


def test_every_rule_stays_in_force(signing_world: World, browser_page: Any) -> None:
    sim, _, service = signing_world
    maintainer = person(sim, "maintainer")
    config, _ = maintainer.read(REPO, ".github/undersigned.yml")
    rules = "signers:\n  blocked: [margaret]\n  min_account_age_days: 30\n"
    maintainer.write(REPO, ".github/undersigned.yml", config + rules, "main", "Rules")
    sim.world.add_user("newcomer", created_at=sim.world.now() - 2 * 86400)
    page = browser_page
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
