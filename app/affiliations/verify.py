"""Verify the affiliations a valid verdict lands, from GitHub's data, and mark, note or refuse them.

Cheapest first: the signer's record on the default branch (kept while they amend other fields), a verified
address the signing page saw (only its domain was kept), the PR's head commit (already in the comparison:
no request), public membership of an organization (one request per signer per evaluation at most, its
answer kept for an hour), a trusted maintainer's `/undersigned verify @login` (one read of the comments)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from app.affiliations.command import maintainer_for
from app.affiliations.match import Mark, domain_matches, domain_of, listed, near, today
from app.affiliations.records import Record, parse_records, record_of
from app.github.api import Api
from app.github.models import Comment, Comparison, PullRequest
from app.jobs.store import Store
from app.rules import Verdict
from app.rules.letter import Signature
from app.rules.marker import with_marker
from app.rules.model import Change
from app.rules.problems import Problem, problem
from app.rules.text import affiliation_key
from config.model import AffiliationRule, Config

MEMBERSHIP_TTL = 3600.0  # seconds an organization's answer is trusted within evaluations of one signer
EMAIL_TTL = 30 * 86400.0  # seconds the signing page's verified domain waits for its PR to land
NOTES_TTL = 7 * 86400.0  # seconds a valid head's notes wait for its landing


def email_key(repo: str, account: int) -> str:
    """The domain (never the address) the signing page saw verified for this signer, with the affiliation."""
    return f"affil:email:{repo.lower()}:{account}"


def keep_email_domain(
    store: Store, repo: str, account: int, config: Config, affiliation: str, domains: list[str]
) -> bool:
    """The signing page saw the signer's verified addresses (as their domains only): keep the one domain that
    verifies the affiliation they typed, for their PR's evaluation. Nothing else is kept, or logged."""
    found = listed(config, affiliation)
    if found is None:
        return False
    name, rule = found
    matched = next((d for d in domains if domain_matches(rule, d)), None)
    if matched is None:
        return False
    store.put(email_key(repo, account), f"{name}\t{matched}", EMAIL_TTL)
    return True


def wants_email(config: Config, affiliation: str) -> bool:
    """Whether the signing page should look at the signer's verified addresses for this affiliation."""
    found = listed(config, affiliation) if config.verify_affiliation != "off" else None
    return found is not None and bool(found[1].domains)


def notes_key(repo: str, number: int, sha: str) -> str:
    """The notes a valid head's evaluation gave: the thank-you comment after landing says them again."""
    return f"affil:notes:{repo.lower()}:{number}:{sha}"


def keep_notes(store: Store, repo: str, pr: PullRequest, notes: tuple[str, ...]) -> None:
    if notes:
        store.put(notes_key(repo, pr.number, pr.head_sha), json.dumps(list(notes)), NOTES_TTL)


def kept_notes(store: Store, repo: str, pr: PullRequest) -> tuple[str, ...]:
    raw = store.get(notes_key(repo, pr.number, pr.head_sha))
    found = json.loads(raw) if raw else []
    return tuple(str(n) for n in found) if isinstance(found, list) else ()


def member_key(org: str, login: str) -> str:
    return f"affil:org:{org.lower()}:{login.lower()}"


@dataclass
class Facts:
    """What one evaluation reads, each at most once: the records at the tip, the PR's comments."""

    api: Api
    store: Store
    repo: str
    pr: PullRequest
    compared: Comparison
    records: Callable[[], str | None]
    _records: list[Record] | None = None
    _comments: list[Comment] | None = None

    def recorded(self) -> list[Record]:
        if self._records is None:
            self._records = parse_records(self.records())
        return self._records

    def comments(self) -> list[Comment]:
        if self._comments is None:
            self._comments = self.api.comments(self.repo, self.pr.number) if self.pr.comments else []
        return self._comments


def affirm(config: Config, verdict: Verdict, facts: Facts) -> Verdict:
    """The verdict with each verified affiliation marked on its change, a note per listed affiliation, and,
    under `require`, a problem for each one that cannot be verified."""
    if config.verify_affiliation == "off" or not config.affiliations or not verdict.ok:
        return verdict
    changes: list[Change] = []
    notes: list[str] = []
    problems: list[Problem] = []
    for change in verdict.land:
        sig = _signature(config, verdict.signatures, change)
        if change.action == "remove" or sig is None:
            changes.append(change)
            continue
        found = listed(config, sig.affiliation)
        if found is None:
            meant = near(config, sig.affiliation)
            if meant is not None:
                notes.append(
                    f"The affiliation `{sig.affiliation}` is not one this letter verifies, so it carries no "
                    f"verified mark. To have it verified, write it as `{meant}`."
                )
            changes.append(change)
            continue
        name, rule = found
        mark = verify_one(config, facts, sig, change.account, (name, rule))
        if mark is not None:
            text = with_marker(config.letter, change.text, marked=True) if change.text is not None else None
            changes.append(replace(change, text=text, mark=mark.encode()))
            notes.append(f"Verified: the affiliation **{name}** of @{sig.login}, by {mark.how()}.")
            continue
        changes.append(change)
        how = how_to(config, name, rule, sig.login)
        if config.verify_affiliation == "require":
            problems.append(unverified(name, sig.login, how, sig.path, sig.line))
        else:
            notes.append(f"Not verified: the affiliation **{name}** of @{sig.login}. It lands without the mark. {how}")
    if problems:
        return Verdict("invalid", verdict.signatures, (), tuple(problems), verdict.skipped, verdict.kind)
    return replace(verdict, land=tuple(changes), notes=verdict.notes + tuple(notes))


def unverified(name: str, login: str, how: str, path: str | None = None, line: int | None = None) -> Problem:
    return problem("affiliation-unverified", path, line, affiliation=name, login=login, how=how)


def verify_one(
    config: Config, facts: Facts, sig: Signature, account: int | None, found: tuple[str, AffiliationRule]
) -> Mark | None:
    """The first way that verifies this signer's listed affiliation, or None."""
    name, rule = found
    pr = facts.pr
    mine = sig.login.casefold() == pr.author.casefold() or not sig.login
    login = sig.login or pr.author
    account = account if account is not None else (pr.user.id if mine else None)
    kept = record_of(facts.recorded(), login, account, name)
    if kept is not None:
        return kept.mark
    if mine and account is not None:
        seen = (facts.store.get(email_key(facts.repo, account)) or "").split("\t")
        if len(seen) == 2 and affiliation_key(seen[0]) == affiliation_key(name) and domain_matches(rule, seen[1]):
            return Mark(name, "email", seen[1], today())
    if mine:
        domain = commit_domain(facts.compared, pr)
        if domain_matches(rule, domain) and domain is not None:
            return Mark(name, "commit", domain, today())
    org = member_of(facts, rule.orgs, login)
    if org is not None:
        return Mark(name, "org", org, today())
    if config.signers.trusted:
        maintainer = maintainer_for(facts.comments(), login, config.signers.trusted)
        if maintainer is not None:
            return Mark(name, "maintainer", maintainer, today())
    return None


def commit_domain(compared: Comparison, pr: PullRequest) -> str | None:
    """The domain of the verified address that signed the PR's head commit, when GitHub verified its signature
    and both its author and committer are the PR's author (a verified commit of someone else proves nothing)."""
    head = next((c for c in compared.commits if c.sha == pr.head_sha), None)
    if head is None or head.commit.verification is None or not head.commit.verification.verified:
        return None
    if head.commit.verification.reason != "valid" or head.commit.committer is None:
        return None
    for account in (head.author, head.committer):
        if account is None or not _same(account.login, account.id, pr.author, pr.user.id):
            return None
    # GitHub verifies a signature against the committer's address, which must be verified on the account.
    return domain_of(head.commit.committer.email)


def member_of(facts: Facts, orgs: Sequence[str], login: str) -> str | None:
    """The first organization `login` is a public member of, with at most one request. A yes is kept an hour;
    a no is not kept, so a signer who makes their membership public and comments `/recheck` is asked again."""
    asked = False
    for org in orgs:
        if facts.store.get(member_key(org, login)) == "1":
            return org
        if asked:
            continue  # one request per signer per evaluation: the next evaluation asks this one
        asked = True
        if facts.api.public_member(org, login):
            facts.store.put(member_key(org, login), "1", MEMBERSHIP_TTL)
            return org
    return None


def how_to(config: Config, name: str, rule: AffiliationRule, login: str) -> str:
    """How a signer gets a listed affiliation verified, from the ways this letter allows."""
    ways = []
    if rule.orgs:
        orgs = " or ".join(f"[{o}](https://github.com/orgs/{o}/people)" for o in rule.orgs)
        ways.append(f"make your membership of the GitHub organization {orgs} public")
    if rule.domains:
        domains = " or ".join(f"`{d}`" for d in rule.domains)
        ways.append(
            f"sign your commit (GPG or SSH, with a key on your GitHub account) and commit it from a verified "
            f"address of your account at {domains}"
        )
        if config.signing_page:
            ways.append(f"sign on the letter's signing page, with a verified address at {domains} on your account")
    if config.signers.trusted:
        ways.append(f"ask a maintainer to comment `/undersigned verify @{login}`")
    listed_ways = "; or ".join(ways)
    if config.verify_affiliation == "mark":
        # A valid signature lands within seconds: the mark then comes with the signer's next change to the line.
        then = "Then comment `/recheck` before it lands, or open a pull request that changes your line later."
    else:
        then = ""  # the refusal itself ends with how to have it checked again
    return f"To verify {name}: {listed_ways}. {then}".rstrip()


def _signature(config: Config, signatures: Sequence[Signature], change: Change) -> Signature | None:
    # The change's line is the signer's with any marker they wrote left out (app.rules.marker).
    bare = [(s, with_marker(config.letter, s.text, marked=False)) for s in signatures]
    by_text = next((s for s, text in bare if change.text in (s.text, text)), None)
    return by_text or next((s for s in signatures if s.login.casefold() == change.login.casefold()), None)


def _same(login: str, account: int | None, other: str, other_id: int | None) -> bool:
    if account is not None and other_id is not None:
        return account == other_id
    return login.casefold() == other.casefold()
