"""The `/undersigned ...` comment commands: one reader per verb, bounded, hostile text kept harmless."""

from __future__ import annotations

from app.commands.base import MAX_REASON, VERBS, Command, Unreadable
from app.commands.read import parse


def test_ordinary_comments_are_no_command() -> None:
    for body in (None, "", "LGTM", "please /undersigned remove @ada", "/recheck", "/undersignedremove @ada"):
        assert parse(body) is None


def test_remove_takes_a_login_and_a_reason() -> None:
    assert parse("/undersigned remove @Ada at her request, by e-mail") == Command(
        "remove", "Ada", "at her request, by e-mail"
    )
    assert parse("  /Undersigned REMOVE @ada\nmore words on the next line") == Command("remove", "ada", "")


def test_hold_and_resume() -> None:
    assert parse("/undersigned hold") == Command("hold")
    assert parse("/undersigned resume now please") == Command("resume", reason="now please")


def test_what_is_not_a_command_says_what_to_write() -> None:
    bare = parse("/undersigned")
    assert isinstance(bare, Unreadable) and "/undersigned remove @login reason" in bare.message
    unknown = parse("/undersigned `rm` -rf")
    assert isinstance(unknown, Unreadable) and "`rm`" in unknown.message and "hold" in unknown.message
    for login in ("", "ada", "@", "@-ada", "@ada!", "@" + "a" * 40):
        found = parse(f"/undersigned remove {login} reason")
        assert isinstance(found, Unreadable) and "Whose signature?" in found.message, login


def test_a_reason_is_bounded_and_has_no_control_characters() -> None:
    found = parse("/undersigned remove @ada " + "x\u202e\x07 " * 5000)
    assert isinstance(found, Command)
    assert len(found.reason) <= MAX_REASON and "\u202e" not in found.reason and "\x07" not in found.reason
    assert parse("/undersigned hold " + "y" * 10**6) is not None  # read from a bounded first line


def test_every_verb_has_one_entry() -> None:
    assert {"remove", "hold", "resume"} <= set(VERBS)
