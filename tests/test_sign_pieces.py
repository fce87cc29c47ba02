"""The signing page's pieces on their own: GitHub's web address, sessions, rate limits, markdown, plans."""

from __future__ import annotations

import time
from dataclasses import replace

from app.rules import Author
from app.web.markdown import render_markdown
from app.web.oauth import Sessions, Signer, github_web_url
from app.web.ratelimit import RateLimits
from app.web.sign_state import progress_words
from app.web.signer_api import Progress
from app.web.signing import Letter, existing, form_fields, form_limits, plan
from tests.helpers import DIRECTORY_CONFIG_YAML, SEED_CONFIG_YAML, assert_golden, config, seed_text


def test_github_web_url() -> None:
    assert github_web_url("https://api.github.com") == "https://github.com"
    assert github_web_url("https://ghe.example.org/api/v3/") == "https://ghe.example.org"
    assert github_web_url("http://127.0.0.1:8765") == "http://127.0.0.1:8765"


def test_sessions_expire_and_end() -> None:
    sessions = Sessions(seconds=0.05, limit=2)
    sid = sessions.create(Signer("ada", 1, "User", None, "ghu_x"))
    cookie = {"sid": sid}
    found = sessions.get(cookie)
    assert found is not None and found.login == "ada" and "ghu_x" not in repr(found)
    time.sleep(0.06)
    assert sessions.get(cookie) is None
    for login in ("a", "b", "c"):
        sessions.create(Signer(login, None, None, None, "t"))
    assert len(sessions.items) == 2  # bounded: the oldest goes first
    sessions.end(cookie)
    assert "sid" not in cookie and sessions.get({"sid": 5}) is None


def test_csrf_check() -> None:
    signer = Signer("ada", 1, "User", None, "t")
    assert signer.check_csrf(signer.csrf)
    assert not signer.check_csrf(None) and not signer.check_csrf("") and not signer.check_csrf(signer.csrf + "x")


def test_rate_limits_per_key() -> None:
    limits = RateLimits({"send": "2/minute"})
    assert [limits.hit("send", "ada") for _ in range(2)] == [None, None]
    wait = limits.hit("send", "ada")
    assert wait is not None and 0 < wait <= 60
    assert limits.hit("send", "grace") is None


def test_markdown_is_sanitised() -> None:
    out = render_markdown("---\nlayout: x\n---\n# T\n<script>x()</script>\n\n[a](javascript:x()) [b](https://e.org)")
    assert "<script" not in out and "javascript:" not in out.split("[a]")[0] and "layout" not in out
    assert '<a href="https://e.org" rel="noopener noreferrer nofollow">b</a>' in out
    assert "<h1>T</h1>" in out


def _letter(yaml: str, files: dict[str, str], count: int = 0) -> Letter:
    cfg = config(yaml + "signing_page: true\n")
    return Letter("o/r", 1, "main", "sha", cfg, files, "", count, form_fields(cfg))


def test_plans_use_the_rules_engine() -> None:
    letter = _letter(SEED_CONFIG_YAML, {"README.md": seed_text()}, 21)
    ada = Author("ada", 1, "User")
    ok = plan(letter, ada, "sign", " Ada Lovelace ")
    assert ok.ok and ok.text == "-  Ada Lovelace [@ada](https://github.com/ada)" and list(ok.writes) == ["README.md"]
    assert [p.code for p in plan(letter, ada, "sign", "").problems] == ["name-missing"]
    assert [p.code for p in plan(letter, ada, "sign", "Ada\u202eLovelace").problems] == ["name-has-control-chars"]
    assert "bot-author" in [p.code for p in plan(letter, Author("x[bot]", 2, "Bot"), "sign", "X").problems]
    assert not plan(letter, ada, "withdraw").ok  # nothing to withdraw
    signed = _letter(SEED_CONFIG_YAML, {"README.md": ok.writes["README.md"] or ""}, 22)
    mine = existing(signed, "ADA")
    assert mine is not None and mine.name == "Ada Lovelace"
    assert [p.code for p in plan(signed, ada, "sign", "Ada").problems] == ["duplicate-signer"]
    gone = plan(signed, ada, "withdraw")
    assert gone.ok and gone.old == ok.text and "[@ada]" not in (gone.writes["README.md"] or "")
    amended = plan(signed, ada, "amend", "Ada King")
    assert amended.ok and amended.text == "-  Ada King [@ada](https://github.com/ada)"


def test_plans_for_one_file_per_signer() -> None:
    letter = _letter(DIRECTORY_CONFIG_YAML, {})
    made = plan(letter, Author("ada", 1, "User"), "sign", "Ada Lovelace")
    assert made.ok and made.path == "_data/signed/ada.yaml"
    assert made.writes == {"_data/signed/ada.yaml": "name: Ada Lovelace\nlink: https://github.com/ada\n"}
    signed = _letter(DIRECTORY_CONFIG_YAML, dict(made.writes), 1)  # type: ignore[arg-type]
    withdrawn = plan(signed, Author("ada", 1, "User"), "withdraw")
    assert withdrawn.ok and withdrawn.writes == {"_data/signed/ada.yaml": None}


NAMES_ONLY = 'version: 1\nletter:\n  file: README.md\n  start_after: "Signed,"\n  line: "- {name}"\n'


def test_names_only_letters_go_by_the_ledger() -> None:
    from app.rules.ledger import parse_ledger

    text = "# Letter\n\nSigned,\n\n- Grace Hopper\n"
    letter = _letter(NAMES_ONLY, {"README.md": text}, 1)
    ada = Author("ada", 7, "User")
    made = plan(letter, ada, "sign", "Ada Lovelace")
    assert made.ok and made.text == "- Ada Lovelace" and list(made.writes) == ["README.md"]  # no ledger in the PR
    ledger = "7\tada\t- Ada Lovelace\n"
    signed = _letter(NAMES_ONLY, {"README.md": made.writes["README.md"] or ""}, 2)
    signed = replace(signed, ledger=ledger, ownership=parse_ledger(ledger))
    mine = existing(signed, "ada", 7)
    assert mine is not None and mine.text == "- Ada Lovelace"
    assert existing(signed, "grace", 8) is None  # Grace's line is nobody's in the ledger
    assert plan(signed, ada, "withdraw").ok


def test_the_form_takes_the_rules_limits() -> None:
    assert form_limits(config(SEED_CONFIG_YAML)) == {"name": 100, "affiliation": None}  # the rules' default
    assert form_limits(config(SEED_CONFIG_YAML + "signers:\n  max_name_length: 42\n"))["name"] == 42


def test_progress_words_say_what_happened() -> None:
    lines = []
    for action in ("sign", "amend", "withdraw", None):
        for landed in (None, "0123456789abcdef"):
            p = Progress(7, "https://github.com/o/r/pull/7", "open", None, None, landed, None, action)
            words = progress_words(p)
            lines.append(f"{action} {'landed' if landed else 'open'}: {words['heading']} | {words['landed_text']}")
    assert_golden("web/progress-words.txt", "\n".join(lines) + "\n")
