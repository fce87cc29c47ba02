"""The verified ledger: one line per signer whose affiliation undersigned verified, written with the signature.

`account id<TAB>login<TAB>affiliation<TAB>method<TAB>matched<TAB>date`. `matched` is a domain, an organization
or a maintainer's login: never an email address. A signer keeps the line while they amend other fields, and
loses it when they withdraw or change the affiliation (the landing that changes it rewrites the line)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.affiliations.match import Mark
from app.rules.model import Change
from app.rules.text import affiliation_key
from config.model import Config

HEADER = (
    "# undersigned: verified affiliations (account id, login, affiliation, method, domain or organization matched,\n"
    "# date). Written with each signature; no email address is ever recorded. Do not edit.\n"
)


@dataclass(frozen=True)
class Record:
    account: int | None
    login: str
    mark: Mark

    def line(self) -> str:
        ident = "-" if self.account is None else str(self.account)
        return f"{ident}\t{self.login}\t{self.mark.encode()}\n"

    def is_(self, login: str, account: int | None) -> bool:
        if self.account is not None and account is not None:
            return self.account == account
        return self.login.casefold() == login.casefold()


def parse_records(text: str | None) -> list[Record]:
    """The records of a verified ledger; a line that does not read is skipped, never fatal."""
    out: list[Record] = []
    for raw in (text or "").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        ident, _, rest = raw.partition("\t")
        login, _, encoded = rest.partition("\t")
        mark = Mark.decode(encoded)
        if login and mark is not None:
            out.append(Record(int(ident) if ident.isdigit() else None, login, mark))
    return out


def record_of(records: Sequence[Record], login: str, account: int | None, affiliation: str) -> Record | None:
    """The signer's record, if it is for this very affiliation (a changed affiliation has none)."""
    wanted = affiliation_key(affiliation)
    return next((r for r in records if r.is_(login, account) and affiliation_key(r.mark.affiliation) == wanted), None)


def render_records(records: Sequence[Record]) -> str:
    return HEADER + "".join(r.line() for r in records)


def update_records(text: str | None, changes: Sequence[Change]) -> str:
    """The verified ledger after landing `changes`: a change carrying a mark sets its signer's line, any other
    add or amendment drops it (the affiliation changed, or no longer verifies), a withdrawal drops it."""
    records = parse_records(text)
    for change in changes:
        records = [r for r in records if not r.is_(change.login, change.account)]
        mark = Mark.decode(change.mark) if change.action != "remove" else None
        if mark is not None:
            records.append(Record(change.account, change.login, mark))
    return render_records(records)


def kept(config: Config) -> bool:
    """Whether landing keeps the verified ledger (on while the letter lists affiliations or verifies)."""
    return config.verify_affiliation != "off" or bool(config.affiliations)


def records_after(config: Config, files: Mapping[str, str], changes: Sequence[Change]) -> dict[str, str]:
    """The verified ledger's new text, for the landing commit (nothing when it does not change)."""
    if not kept(config):
        return {}
    path = config.verified_ledger
    before = files.get(path)
    after = update_records(before, changes)
    return {} if after == (before or HEADER) else {path: after}


def public_marks(text: str | None) -> dict[str, dict[str, str]]:
    """Each verified signer's mark as the public outputs show it (signatures.json and .csv, the signing page's
    list, the dashboard), by lower-cased login: affiliation, method, the domain or organization matched, date."""
    return {r.login.lower(): r.mark.public() for r in parse_records(text)}
