"""Read what a PR changes in a one-file-per-signer letter (`_data/signed/{login}.yaml`, `{slug}.yml`, `{id}.md`)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from app.rules.checks import line_problems, ownership_problems
from app.rules.ledger import Ownership
from app.rules.letter import (
    Signature,
    file_templates,
    needs_name,
    parse_signature_file,
    render_signature_file,
    signature_path,
    slug_problem,
)
from app.rules.lineformat import salvage
from app.rules.model import Author, Change, Reading, Snapshots
from app.rules.problems import Problem, problem
from app.rules.text import clean_name, login_key, normalize_line
from app.template import Parsed, Template
from config.model import Config


def _owner(config: Config, path: str, text: str | None, owned: Ownership, who: Author) -> tuple[str, int | None]:
    """Whose file it is (login, account id): its name or content, else the ledger; "" when nobody is known."""
    base = path.rsplit("/", 1)[-1]
    by_name = file_templates(config.letter).name.parse(base)
    if by_name is not None and by_name.login:
        return by_name.login, None
    parsed = parse_signature_file(path, text, config.letter) if text is not None else None
    if isinstance(parsed, Parsed) and parsed.login:
        return parsed.login, None
    owners = owned.owners(path)
    for o in owners:
        if o.is_(who.login, who.id):
            return who.login, o.id if o.id is not None else who.id
    if owners:
        return owners[0].login, owners[0].id
    if "login" in file_templates(config.letter).name.fields:
        return (salvage(text or "")[1] if text else None) or base.split(".")[0], None
    return "", None


def _has_login(config: Config) -> bool:
    """Whether the letter's files can carry a login at all (else none is ever read out of other text)."""
    tpls = file_templates(config.letter)
    shapes = (tpls.name, *tpls.fields.values(), *tpls.optional.values(), *([tpls.content] if tpls.content else []))
    return any("login" in t.fields for t in shapes)


def _signer_of(name_tpl: Template, path: str) -> str:
    """What makes a file name someone's: its login (`ada` and `ada.txt` are one signer), else the name."""
    base = path.rsplit("/", 1)[-1]
    parsed = name_tpl.parse(base)
    return login_key(parsed.login) if parsed is not None and parsed.login else "\0" + base.casefold()


_KEY_LINE = re.compile(r"^\s*[\w-]+\s*:(?:\s|$)", re.MULTILINE)


def _name_guess(config: Config, text: str) -> str:
    """The signer's name in a file that does not read: the value of a key holding {name}, or plain text."""
    tpls = file_templates(config.letter)
    if tpls.content is not None:
        # Content that fits the letter's shape is the signer's as written; only the file's name was wrong.
        read = tpls.content.parse("\n".join(normalize_line(x) for x in text.strip("\n").split("\n")))
        if read is not None and read.name:
            return clean_name(read.name)
    keys = {k for k, t in {**tpls.fields, **tpls.optional}.items() if "name" in t.fields}
    for raw in text.splitlines():
        key, sep, value = raw.partition(":")
        if sep and key.strip() in keys:
            return clean_name(value.strip().strip("\"'"))
    if tpls.content is None and _KEY_LINE.search(text):
        return ""  # YAML without the name key: nothing sure to offer
    return clean_name(salvage(text)[0])


def _suggest_file(config: Config, text: str, author: str) -> str | None:
    """The file rewritten in the letter's shape, unless that would make it someone else's."""
    found = salvage(text)[1] if _has_login(config) else None
    if found and login_key(found) != login_key(author):
        return None
    name = _name_guess(config, text)
    return render_signature_file(config.letter, name, author, None) if name else None


def read_directory(
    config: Config,
    texts: Snapshots[Mapping[str, str]],
    changed: Sequence[str],
    author: str | Author,
    ownership: Ownership | None = None,
) -> Reading:
    """What a PR changes in the signers' folder: `texts` map each file's path to its text."""
    base, head, current = texts.base, texts.head, texts.current
    who = author if isinstance(author, Author) else Author(author)
    letter, rules, owned = config.letter, config.signers, ownership or Ownership()
    trusted = {login_key(t) for t in rules.trusted}
    is_trusted, author_k = login_key(who.login) in trusted, login_key(who.login)
    tpls, name_required = file_templates(letter), needs_name(letter)
    problems: list[Problem] = []
    changes: list[Change] = []
    signatures: list[Signature] = []
    base_names: set[str] | None = None

    def fixer(parsed: Parsed, login: str) -> str | None:
        return render_signature_file(letter, parsed.name, login, parsed.affiliation)

    for path in changed:
        old, new = base.get(path), head.get(path)
        if old == new:
            continue
        if new is None:
            login, account = _owner(config, path, old, owned, who)
            changes.append(Change("remove", path, login, None, old, None, account))
            continue
        if (size := len(new.encode())) > rules.max_file_bytes:  # bounded before any parsing
            problems.append(problem("file-too-large", path, 1, size=size, limit=rules.max_file_bytes))
            continue
        parsed = parse_signature_file(path, new, letter)
        slug = slug_problem(path, parsed.name, letter) if old is None and not isinstance(parsed, str) else None
        if slug is not None:
            problems.append(problem("file-format", path, 1, None, reason=slug))
            continue
        if isinstance(parsed, str):
            fix = _suggest_file(config, new, who.login)
            want = signature_path(letter, who.login, _name_guess(config, new))
            reason = parsed + ("" if want is None or path == want else f"; your file should be `{want}`")
            problems.append(problem("file-format", path, 1, fix, reason=reason))
            continue
        problems += line_problems(parsed, rules, (path, 1), fixer, author=who.login, name_required=name_required)
        # A trusted maintainer's new file without a login is for the person it names, not for the maintainer.
        for_other = is_trusted and old is None and not parsed.login and bool(parsed.name)
        login = parsed.login or ("" if for_other else who.login)
        signatures.append(Signature(parsed.name, login, parsed.affiliation, path, 1, new))
        # Editing an existing file is judged by whose it was (ownership_problems).
        mismatch = parsed.login and login_key(parsed.login) != author_k
        if rules.author_must_match and not is_trusted and mismatch and old is None:
            mine = signature_path(letter, who.login, parsed.name)
            hint = f" Your file is `{mine}`." if mine else ""
            problems.append(problem("author-mismatch", path, 1, login=parsed.login, author=who.login, hint=hint))
        if old is not None:
            owner, account = _owner(config, path, old, owned, who)
            changes.append(Change("replace", path, owner, new, old, None, account))
            continue
        if base_names is None:
            base_names = {_signer_of(tpls.name, p) for p in (*base, *(current or ()))}
        present = {p.casefold() for p in (*base, *(current or ()))}
        if _signer_of(tpls.name, path) in base_names:
            problems.append(problem("duplicate-signer", path, 1, login=login, where=""))
        elif not for_other and (prior := [k for k in owned.keys_of(who.login, who.id) if k.casefold() in present]):
            problems.append(problem("duplicate-signer", path, 1, login=login, where=f" in `{prior[0]}`"))
        account = who.id if login_key(login) == author_k else None
        changes.append(Change("add", path, login, new, None, None, account, who.login if for_other else None))
    problems += ownership_problems(changes, rules, who, lambda change: 1)
    if current is not None:
        now = {p.casefold() for p in current}
        gone = [c for c in changes if c.action == "replace" and c.path.casefold() not in now]
        problems += [problem("line-gone", c.path, 1, login=c.login) for c in gone]
    return Reading(tuple(changes), tuple(signatures), tuple(problems))
