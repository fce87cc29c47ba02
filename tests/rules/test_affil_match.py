"""Verified affiliations, the pure parts: config, which name is listed, domains label by label, records, command."""

from __future__ import annotations

from typing import cast

import pytest

from app.action.memory import MemoryBackend
from app.action.run import ActionRun
from app.affiliations.command import maintainer_for, verified_logins
from app.affiliations.match import Mark, domain_matches, domain_of, listed, near
from app.affiliations.recheck import due
from app.affiliations.records import HEADER, parse_records, public_marks, record_of, update_records
from app.github.api import Api
from app.github.models import Comment, User
from app.jobs.store import Store
from app.rules.model import Change
from config import Config, ConfigError, parse_config

CONFIG = """
affiliations:
  Mozilla: {domains: [mozilla.com, mozilla.org], orgs: [mozilla]}
  MIT: {domains: ["*.mit.edu"]}
verify_affiliation: mark
"""


def cfg(text: str = CONFIG) -> Config:
    parsed = parse_config(text)
    assert isinstance(parsed, Config), parsed
    return parsed


def test_defaults_are_off_and_empty() -> None:
    default = Config()
    assert default.verify_affiliation == "off" and default.affiliations == {}
    assert default.verified_ledger == ".github/undersigned-verified.tsv"


@pytest.mark.parametrize(
    "bad",
    [
        "affiliations: {X: {domains: [Mozilla.org]}}",  # domains are lower case, as GitHub keeps them
        "affiliations: {X: {domains: ['mozilla.org/evil']}}",
        "affiliations: {X: {domains: ['*mozilla.org']}}",
        "affiliations: {X: {orgs: ['-bad-']}}",
        "affiliations: {X: {}}",  # nothing to verify by
        "affiliations: {X: {domains: [a.org], emails: [x]}}",  # unknown key
        "verify_affiliation: always",
    ],
)
def test_bad_affiliation_config_is_an_error_with_its_key(bad: str) -> None:
    assert isinstance(parse_config(bad), ConfigError)


@pytest.mark.parametrize(
    ("written", "found"),
    [("Mozilla", "Mozilla"), ("mozilla", "Mozilla"), ("  Mozilla  ", "Mozilla"), ("Mozilla Corp.", None), ("", None)],
)
def test_listed_names_compare_ignoring_case_and_spaces_only(written: str, found: str | None) -> None:
    got = listed(cfg(), written)
    assert (got[0] if got else None) == found


def test_a_near_name_is_pointed_at_the_listed_one() -> None:
    assert near(cfg(), "Mozilla Corp.") == "Mozilla"
    assert near(cfg(), "Mozilla") is None and near(cfg(), "Google") is None


@pytest.mark.parametrize(
    ("address", "affiliation", "matched"),
    [
        ("ada@mozilla.org", "Mozilla", "mozilla.org"),
        ("ada@MOZILLA.ORG", "Mozilla", "mozilla.org"),
        ("ada@mozi11a.org", "Mozilla", None),  # a look-alike
        ("ada@mozilla.org.evil.com", "Mozilla", None),  # the domain as a prefix of another
        ("ada@evilmozilla.org", "Mozilla", None),  # as a suffix of a label
        ("ada@eng.mozilla.org", "Mozilla", None),  # a subdomain, not opted into
        ("ada@csail.mit.edu", "MIT", "*.mit.edu"),  # opted in with *.mit.edu
        ("ada@mit.edu", "MIT", "*.mit.edu"),
        ("ada@notmit.edu", "MIT", None),
        ("ada@mit.edu.evil.com", "MIT", None),
        ("ada@mozilla.org@evil.com", "Mozilla", None),  # not one address
        ("ada@mоzilla.org", "Mozilla", None),  # a Cyrillic o
    ],
)
def test_domains_match_label_by_label(address: str, affiliation: str, matched: str | None) -> None:
    found = listed(cfg(), affiliation)
    assert found is not None
    assert domain_matches(found[1], domain_of(address)) == matched


def test_records_keep_no_address_and_follow_the_affiliation() -> None:
    mark = Mark("Mozilla", "org", "mozilla", "2026-12-06")
    add = Change("add", "README.md", "ada", "- Ada, Mozilla", account=7, mark=mark.encode())
    text = update_records(None, [add])
    assert text == HEADER + "7\tada\tMozilla\torg\tmozilla\t2026-12-06\n"
    records = parse_records(text)
    assert record_of(records, "ADA", 7, "mozilla") is not None  # the same signer, the same affiliation
    assert record_of(records, "ada", 7, "Google") is None  # another affiliation: no mark
    assert record_of(records, "ada", 8, "Mozilla") is None  # another account with the login
    amended = Change("replace", "README.md", "ada", "- Ada L, Google", "- Ada, Mozilla", account=7)
    assert update_records(text, [amended]) == HEADER  # changed affiliation, not verified: the mark goes
    withdrawn = Change("remove", "README.md", "ada", None, "- Ada, Mozilla", account=7)
    assert update_records(text, [withdrawn]) == HEADER
    assert parse_records("junk\n7\tada\tMozilla\tbogus\tx\ty\n") == []  # lines that do not read are skipped


def test_verify_command_reads_one_login_per_line_from_trusted_people_only() -> None:
    assert verified_logins("/undersigned verify @ada\n/undersigned verify grace\nthanks") == ["ada", "grace"]
    assert verified_logins("please /undersigned verify @ada") == []
    assert verified_logins("/undersigned verify @ada @grace") == []
    assert verified_logins("/undersigned verify @" + "a" * 40) == []
    comments = [
        Comment(id=1, body="/undersigned verify @ada", user=User(login="mallory")),
        Comment(id=2, body="/undersigned verify @ada", user=User(login="Maintainer")),
    ]
    assert maintainer_for(comments, "ada", ["maintainer"]) == "Maintainer"
    assert maintainer_for(comments[:1], "ada", ["maintainer"]) is None
    assert maintainer_for(comments, "grace", ["maintainer"]) is None


def test_an_unquoted_off_is_the_policy_off() -> None:
    assert cfg("verify_affiliation: off").verify_affiliation == "off"
    assert cfg("verify_affiliation: require").verify_affiliation == "require"
    assert isinstance(parse_config("verify_affiliation: true"), ConfigError)


def test_public_marks_say_method_and_match_never_an_address() -> None:
    text = HEADER + "7\tAda\tMozilla\tcommit\tmozilla.org\t2026-12-06\n"
    assert public_marks(text) == {
        "ada": {"affiliation": "Mozilla", "method": "commit", "matched": "mozilla.org", "date": "2026-12-06"}
    }


def test_the_action_never_runs_the_weekly_recheck() -> None:
    """An Action run keeps nothing for the next one: the re-check would run on every scheduled run."""
    run = ActionRun(cast(Api, object()), "o/r")
    assert not due(run.store, "o/r") and due(Store(MemoryBackend()), "o/r")
