"""Checks on one signature line that verify and lint share: shape, name, login."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from app.rules.freetext import text_link_problems
from app.rules.lineformat import salvage
from app.rules.model import Author, Change
from app.rules.problems import Problem, problem
from app.rules.text import (
    clean_name,
    has_control_chars,
    is_valid_login,
    login_key,
    markup_in,
    name_has_control_chars,
    name_has_markup,
    shown_markup,
)
from app.template import Parsed, Template
from config.model import SignerRules


def suggest_line(tpl: Template, text: str, login: str | None, number: int = 1) -> str | None:
    """The line rewritten in the template's format, with `login` when given; None if no name is found."""
    name, found_login, affiliation = salvage(text)
    if "login" not in tpl.fields:
        found_login = login = None  # a letter without logins never reads one out of other text (a link's @me)
    if found_login is None and not _LOOKS_LIKE_ITEM.match(text):
        return None  # not an attempt at a signature (a paragraph of the letter, say): nothing to suggest
    if found_login and login and login_key(found_login) != login_key(login):
        return None  # a fix never changes whose signature it is
    login = found_login or login or ""
    name = clean_name(name)
    if login and not is_valid_login(login):
        return None
    if not name or name_has_markup(name) or markup_in(name) or name_has_control_chars(name):
        return None
    if affiliation and (markup_in(affiliation) or has_control_chars(affiliation)):
        affiliation = None  # a fix never carries markup
    return tpl.render(name, login, affiliation if "affiliation" in tpl.fields else None, number)


_LOOKS_LIKE_ITEM = re.compile(r"\s*(?:[-*+]|\d+[.)])\s")

Fix = Callable[[Parsed, str], str | None]  # (what was read, a login) -> the line (or file) rewritten


def line_fixer(tpl: Template) -> Fix:
    """The Fix for list lines: the same name and affiliation in the template, with another login."""

    def fix(parsed: Parsed, login: str) -> str | None:
        return tpl.render_parsed(parsed, login)

    return fix


def line_problems(
    parsed: Parsed,
    rules: SignerRules,
    at: tuple[str, int],
    fix: Fix,
    *,
    author: str | None = None,
    name_required: bool = True,
) -> list[Problem]:
    """What is wrong with a line that has the right shape (`at`: its path and line): its name and its logins."""
    path, line = at
    out: list[Problem] = []
    name = parsed.name
    if not name and not name_required:
        pass  # the shape has no name (`login commit` lines, say)
    elif not name or name.isspace():
        out.append(problem("name-missing", path, line))
    elif name_has_markup(name) or markup_in(name, rules.allow_characters):
        out.append(problem("name-has-markup", path, line, chars=shown_markup(rules.allow_characters)))
    elif name_has_control_chars(name):
        out.append(problem("name-has-control-chars", path, line))
    elif len(name) > rules.max_name_length:
        out.append(problem("name-too-long", path, line, length=len(name), limit=rules.max_name_length))
    out += field_problems(parsed, rules, at)
    clean = not out
    # A login equal to the author's is a real account (GitHub vouches for it), even a legacy one
    # that today's rules would refuse, such as "Mazda--".
    real = author is not None and login_key(parsed.login) == login_key(author)
    if not parsed.login:
        pass  # a line without a login is bound to its author's account
    elif not real and not is_valid_login(parsed.login):
        fixed = fix(parsed, author) if author and clean else None
        out.append(problem("invalid-login", path, line, fixed, login=parsed.login, author=author or "your username"))
    elif second := _other_login(parsed):
        # The fix only makes text and link agree when one of them is the author's: never whose it is.
        mine = author is not None and login_key(author) in {login_key(x) for x in parsed.logins}
        fixed = fix(parsed, author) if clean and mine and author else None
        out.append(problem("login-mismatch", path, line, fixed, first=parsed.login, second=second))
    return out


# Field name -> how a message names it. A URL may hold `&` (a query string) and is matched as a web address.
_FIELD_WORDS = {"affiliation": "affiliation", "text": "text", "email": "email address", "url": "web address"}


def field_problems(parsed: Parsed, rules: SignerRules, at: tuple[str, int]) -> list[Problem]:
    """Markup or control characters in the fields other than the name and the login (checked on their own)."""
    out: list[Problem] = []
    fields = ([("affiliation", parsed.affiliation)] if parsed.affiliation else []) + list(parsed.extra)
    for field, value in fields:
        word = _FIELD_WORDS.get(field)
        if word is None:
            continue  # commit, slug, id: their patterns admit only letters, digits and a few marks
        allowed = rules.allow_characters + ("&" if field == "url" else "")
        if has_control_chars(value):
            out.append(problem("field-has-control-chars", *at, field=word))
        elif markup_in(value, allowed):
            out.append(problem("field-has-markup", *at, field=word, chars=shown_markup(allowed)))
    return out + text_link_problems(parsed, rules, at)


def raw_line_problems(text: str, rules: SignerRules, at: tuple[str, int]) -> list[Problem]:
    """What no line may be, checked before it is parsed: too long. (Control characters: `control_problems`.)"""
    if len(text) > rules.max_line_length:
        return [problem("line-too-long", *at, length=len(text), limit=rules.max_line_length)]
    return []


def control_problems(text: str, found: Sequence[Problem], at: tuple[str, int]) -> list[Problem]:
    """A control character anywhere in the line (a lone CR, say) that no field check named already."""
    if not has_control_chars(text) or any(p.code.endswith("-control-chars") and p.line == at[1] for p in found):
        return []
    return [problem("line-has-control-chars", *at)]


def _other_login(parsed: Parsed) -> str | None:
    """A login that disagrees with the first one (the link says someone else), if any."""
    first = parsed.login
    for other in parsed.logins:
        if other != first and other.casefold() != first.casefold():
            return other
    return None


def ownership_problems(
    changes: Sequence[Change], rules: SignerRules, author: str | Author, line_of: Callable[[Change], int | None]
) -> list[Problem]:
    """Only the owner of a line may change or remove it (trusted logins excepted); caps per PR. Where both
    account ids are known, they decide, never the logins: a login freed by a rename is someone else's."""
    who = author if isinstance(author, Author) else Author(author)
    trusted = login_key(who.login) in {login_key(t) for t in rules.trusted}
    out: list[Problem] = []
    # A line without a login that is edited reads as one removed and one added: the PR changes it.
    added_in = {c.path for c in changes if c.action == "add"}
    for change in changes:
        if change.account is not None and who.id is not None:
            mine = trusted or change.account == who.id
        else:
            mine = trusted or login_key(change.login) == login_key(who.login)
        if change.action != "add" and not mine and not change.login:
            verb = "changes" if change.action == "replace" or change.path in added_in else "removes"
            out.append(problem("edits-unowned-line", change.path, line_of(change), verb=verb))
        elif change.action != "add" and not mine:
            verb = "removes" if change.action == "remove" else "changes"
            out.append(problem("edits-others-line", change.path, line_of(change), login=change.login, verb=verb))
        elif change.action == "remove" and not rules.allow_withdraw and not trusted:
            out.append(problem("withdraw-not-allowed", change.path))
        elif change.action == "replace" and not rules.allow_amend and not trusted:
            out.append(problem("amend-not-allowed", change.path))
    adds = sum(1 for c in changes if c.action == "add")
    if adds > rules.max_signatures_per_pr and not trusted:
        out.append(problem("too-many-lines", None, None, count=adds, limit=rules.max_signatures_per_pr))
    return out
