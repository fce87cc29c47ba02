"""Pure matching: which listed affiliation a signer wrote, and whether a domain or an organization is its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from app.rules.text import affiliation_key
from config.model import AffiliationRule, Config

Method = Literal["email", "commit", "org", "maintainer"]
METHODS: dict[str, str] = {
    "email": "a verified email address at {matched}, on the signing page",
    "commit": "a signed commit GitHub verified, from an address at {matched}",
    "org": "public membership of the GitHub organization {matched}",
    "maintainer": "the word of the maintainer @{matched}",
}


def listed(config: Config, affiliation: str | None) -> tuple[str, AffiliationRule] | None:
    """The listed affiliation (its configured name and rule) a signer's affiliation is, or None (free text)."""
    if not affiliation:
        return None
    wanted = affiliation_key(affiliation)
    return next(((name, rule) for name, rule in config.affiliations.items() if affiliation_key(name) == wanted), None)


def near(config: Config, affiliation: str | None) -> str | None:
    """A listed name the signer may have meant ('Mozilla' for 'Mozilla Corp.'): its first word is theirs."""
    if not affiliation or listed(config, affiliation) is not None:
        return None
    words = affiliation_key(affiliation).split()
    return next((name for name in config.affiliations if words and affiliation_key(name).split()[0] == words[0]), None)


def domain_of(address: str) -> str | None:
    """The domain of an address as GitHub shows it, lower-cased; None when it is not one address."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local or not domain or not domain.isascii() or "@" in local:
        return None
    return domain.lower()


def domain_matches(rule: AffiliationRule, domain: str | None) -> str | None:
    """The rule's domain an address's domain matches (exactly, or below a '*.' entry), or None.

    Label by label, never by substring: mozilla.org.evil.com and mozi11a.org are not mozilla.org."""
    if not domain:
        return None
    for wanted in rule.domains:
        if wanted.startswith("*."):
            base = wanted[2:]
            if domain == base or domain.endswith("." + base):
                return wanted
        elif domain == wanted:
            return wanted
    return None


@dataclass(frozen=True)
class Mark:
    """A verified affiliation: how, against what (a domain, an organization, a maintainer), and when."""

    affiliation: str
    method: Method
    matched: str
    on: str  # ISO date, UTC

    def how(self) -> str:
        return METHODS.get(self.method, self.method).format(matched=self.matched)

    def encode(self) -> str:
        return "\t".join((self.affiliation, self.method, self.matched, self.on))

    @staticmethod
    def decode(text: str | None) -> Mark | None:
        parts = (text or "").split("\t")
        if len(parts) != 4 or parts[1] not in METHODS:
            return None
        affiliation, method, matched, on = parts
        return Mark(affiliation, method, matched, on)  # type: ignore[arg-type]

    def public(self) -> dict[str, str]:
        """What the public outputs show: never an address, only the domain or organization matched."""
        return {"affiliation": self.affiliation, "method": self.method, "matched": self.matched, "date": self.on}


def today() -> str:
    return date.today().isoformat()
