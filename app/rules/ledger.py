"""The ledger: which GitHub account owns each line or file undersigned landed, kept as a file in the repo.

One line per signature, `account id<TAB>login<TAB>key`, where the key is the signature's normalized line
(single-file letters) or its file path (one file per signer). undersigned writes it in the same commit that
lands the signature, so the binding is atomic with the signature and survives a new deployment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from app.rules.model import Change
from app.template import Template

HEADER = (
    "# undersigned ledger: the GitHub account that owns each signature undersigned landed.\n"
    "# account id, login, then the signature's line or file. Written with each signature; do not edit.\n"
)
# A signature a trusted maintainer added for someone else has no account: `-<TAB>by:maint<TAB>line`. It records
# who added it; nobody owns it (only trusted maintainers may change it). No GitHub login holds a ':'.
ADDED_BY = "by:"


@dataclass(frozen=True)
class Owner:
    """An account as the ledger knows it; the numeric id survives a renamed login."""

    id: int | None
    login: str

    def is_(self, login: str, account: int | None) -> bool:
        if self.id is not None and account is not None:
            return self.id == account
        return self.login.casefold() == login.casefold()


@dataclass(frozen=True)
class Ownership:
    """The pure fact the rules decide with: the owners of each key (a line or a file path)."""

    owners_by_key: Mapping[str, tuple[Owner, ...]] = field(default_factory=dict)

    def owners(self, key: str) -> tuple[Owner, ...]:
        """Who owns a line or a file (a path is also found when only its case differs)."""
        found = self.owners_by_key.get(key)
        if found is None and "/" in key:
            folded = key.casefold()
            found = next((v for k, v in self.owners_by_key.items() if k.casefold() == folded), None)
        return found or ()

    def keys_of(self, login: str, account: int | None) -> list[str]:
        """Every key the account owns."""
        return [k for k, owners in self.owners_by_key.items() if any(o.is_(login, account) for o in owners)]


def parse_ledger(text: str | None) -> Ownership:
    """Read the ledger file (None: there is none yet). Lines that do not read are skipped, never fatal."""
    found: dict[str, list[Owner]] = {}
    for raw in (text or "").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        parts = raw.split("\t", 2)
        if len(parts) != 3 or not parts[2]:
            continue
        ident, login, key = parts
        if login.startswith(ADDED_BY):
            continue  # added by a maintainer for someone without an account: owned by nobody
        key = key.split("\t", 1)[0]  # a fourth column names the list or folder (app.rules.parts)
        account = int(ident) if ident.isdigit() else None
        found.setdefault(key, []).append(Owner(account, login))
    return Ownership({k: tuple(v) for k, v in found.items()})


def _entry(change: Change, key: str) -> str:
    ident = "-" if change.account is None else str(change.account)
    login = change.login or (f"{ADDED_BY}{change.by}" if change.by else "")
    part = f"\t{change.part}" if change.part else ""
    return f"{ident}\t{login}\t{key}{part}\n"


def update_ledger(text: str | None, changes: Sequence[Change], *, folder: bool) -> str:
    """The ledger after landing `changes`: adds bound to their account, amendments re-keyed, withdrawals gone."""
    lines = (text or HEADER).splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"

    def find(key: str, change: Change) -> int | None:
        for i, raw in enumerate(lines):
            parts = raw.rstrip("\n").split("\t", 2)
            found = parts[2].split("\t", 1)[0] if len(parts) == 3 else ""
            if len(parts) == 3 and (found == key or (folder and found.casefold() == key.casefold())):
                account = int(parts[0]) if parts[0].isdigit() else None
                if Owner(account, parts[1]).is_(change.login, change.account) or change.account is None:
                    return i
        return None

    for change in changes:
        new_key = change.path if folder else (change.text or "")
        old_key = change.path if folder else (change.old or "")
        at = find(old_key, change) if change.action != "add" else find(new_key, change)
        if change.action == "remove":
            if at is not None:
                del lines[at]
        elif change.action == "replace":
            if at is not None:
                lines[at] = _entry(change, new_key)
            elif change.account is not None:
                lines.append(_entry(change, new_key))
        elif at is None:
            lines.append(_entry(change, new_key))
    return "".join(lines)


def login_optional(tpl: Template) -> bool:
    """Whether a line of this template (or of one of its variants) may leave the login out."""
    return any(not _required_login(t) for t in (tpl, *tpl.variants))


def _required_login(tpl: Template) -> bool:
    if tpl.pattern is not None:
        return "login" in tpl.regex.groupindex
    return any(kind == "field" and value == "login" for kind, value in tpl.parts)
