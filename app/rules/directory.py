"""Read what a PR changes in a one-file-per-signer letter (`_data/signed/{login}.yaml`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.rules.checks import line_problems, ownership_problems
from app.rules.letter import (
    Signature,
    file_templates,
    parse_signature_file,
    render_signature_file,
    signature_path,
)
from app.rules.lineformat import salvage
from app.rules.model import Change, Reading
from app.rules.problems import Problem, problem
from app.rules.text import clean_name, login_key
from app.template import Parsed
from config.model import Config


def _login_of(config: Config, path: str, text: str | None) -> str:
    parsed = file_templates(config.letter)[0].parse(path.rsplit("/", 1)[-1])
    if parsed is not None:
        return parsed.login
    return (salvage(text or "")[1] if text else None) or path.rsplit("/", 1)[-1].split(".")[0]


def _suggest_file(config: Config, text: str, author: str) -> str | None:
    names = [value for key, _, value in (raw.partition(":") for raw in text.splitlines()) if key.strip() == "name"]
    name = clean_name(names[0].strip().strip("\"'")) if names else clean_name(salvage(text)[0])
    return render_signature_file(config.letter, name, author, None) if name else None


def read_directory(
    config: Config,
    base: Mapping[str, str],
    head: Mapping[str, str],
    changed: Sequence[str],
    author: str,
    current: Mapping[str, str] | None = None,
) -> Reading:
    letter, rules = config.letter, config.signers
    trusted = {login_key(t) for t in rules.trusted}
    is_trusted, author_k = login_key(author) in trusted, login_key(author)
    problems: list[Problem] = []
    changes: list[Change] = []
    signatures: list[Signature] = []
    base_names: set[str] | None = None

    def fixer(parsed: Parsed, login: str) -> str:
        return render_signature_file(letter, parsed.name, login, parsed.affiliation)

    for path in changed:
        old, new = base.get(path), head.get(path)
        if old == new:
            continue
        if new is None:
            login = _login_of(config, path, old)
            changes.append(Change("remove", path, login, None, old))
            continue
        parsed = parse_signature_file(path, new, letter)
        if isinstance(parsed, str):
            fix = _suggest_file(config, new, author)
            want = signature_path(letter, author)
            reason = parsed + ("" if path == want else f"; your file should be `{want}`")
            problems.append(problem("file-format", path, 1, fix, reason=reason))
            continue
        problems += line_problems(parsed, rules, path, 1, fixer, author)
        signatures.append(Signature(parsed.name, parsed.login, parsed.affiliation, path, 1, new))
        # Editing an existing file is judged by whose it was (ownership_problems).
        if rules.author_must_match and not is_trusted and login_key(parsed.login) != author_k and old is None:
            fix = render_signature_file(letter, parsed.name, author, parsed.affiliation)
            problems.append(
                problem(
                    "author-mismatch",
                    path,
                    1,
                    fix,
                    login=parsed.login,
                    author=author,
                    hint=f" Your file is `{signature_path(letter, author)}`.",
                )
            )
        if old is not None:
            changes.append(Change("replace", path, parsed.login, new, old))
            continue
        if base_names is None:
            base_names = {p.rsplit("/", 1)[-1].casefold() for p in (*base, *(current or ()))}
        if path.rsplit("/", 1)[-1].casefold() in base_names:
            problems.append(problem("duplicate-signer", path, 1, login=parsed.login, where=""))
        changes.append(Change("add", path, parsed.login, new, None))
    problems += ownership_problems(changes, rules, author, lambda change: 1)
    if current is not None:
        now = {p.casefold() for p in current}
        gone = [c for c in changes if c.action == "replace" and c.path.casefold() not in now]
        problems += [problem("line-gone", c.path, 1, login=c.login) for c in gone]
    return Reading(tuple(changes), tuple(signatures), tuple(problems))
