"""What people read: the check run's title and summary, and the PR comment, rendered from a verdict."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from app.rules import Problem, Verdict

CHECK_NAME = "undersigned"
MARKER = "<!-- undersigned:comment -->"
DOCS = "https://github.com/undersigned/undersigned#for-signers"


@dataclass(frozen=True)
class CheckReport:
    conclusion: str  # success, failure or neutral
    title: str
    summary: str
    annotations: tuple[dict[str, Any], ...] = ()


# An @-mention GitHub would notify: not part of a word, an e-mail address, a path or another mention.
# https://docs.github.com/en/get-started/writing-on-github/getting-started-with-writing-and-formatting-on-github/basic-writing-and-formatting-syntax#mentioning-people-and-teams
_MENTION = re.compile(r"(?<![\w`@/.-])@([A-Za-z0-9][A-Za-z0-9-]{0,38})")


def quiet_mentions(text: str, author: str = "") -> str:
    """Every @-mention but the PR author's, put in a code span: GitHub notifies whoever a comment mentions,
    and logins read from signers' lines (another's, anyone's) must not be pinged by the bot. Code blocks and
    spans already notify no one and are left as they are."""
    out, fenced = [], False
    for line in text.split("\n"):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced:
            parts = line.split("`")
            for i in range(0, len(parts), 2):  # the even parts are outside code spans
                parts[i] = _MENTION.sub(lambda m: _quiet(m, author), parts[i])
            line = "`".join(parts)
        out.append(line)
    return "\n".join(out)


def _quiet(found: re.Match[str], author: str) -> str:
    return found.group(0) if author and found.group(1).lower() == author.lower() else f"`{found.group(0)}`"


def _who(verdict: Verdict) -> str:
    logins = sorted(({s.login for s in verdict.signatures} | {c.login for c in verdict.land}) - {""})
    return ", ".join(f"@{x}" for x in logins) or "the signer"


def check_report(verdict: Verdict, letter_path: str, *, lands: bool = True) -> CheckReport:
    """The check run for a verdict; `lands` says whether undersigned lands a valid PR itself."""
    if verdict.kind == "not_a_signature":
        summary = (
            f"This pull request does not change the signature list in `{letter_path}`, so undersigned leaves "
            "it to the maintainers."
        )
        return CheckReport("neutral", "Not a signature: left to the maintainers", summary)
    if verdict.ok:
        titles = {
            "sign": f"Signature of {_who(verdict)} is valid",
            "withdraw": f"Withdrawal by {_who(verdict)} is valid",
            "amend": f"Change to the signature of {_who(verdict)} is valid",
        }
        # A name a trusted maintainer adds for someone else has no login (issue 23).
        lines = [
            f"- {s.name}{f' (@{s.login})' if s.login else ''}, `{s.path}` line {s.line}" for s in verdict.signatures
        ]
        then = "undersigned will land this on the default branch." if lands else "A maintainer can merge it."
        summary = "\n".join([f"Everything checks out. {then}", "", *lines])
        if verdict.skipped:
            summary += "\n\nNot checked (facts unavailable):\n" + "\n".join(f"- {s}" for s in verdict.skipped)
        return CheckReport("success", titles[verdict.kind], quiet_mentions(summary.rstrip()))
    count = len(verdict.problems)
    title = f"{count} problem{'s' if count != 1 else ''} to fix before this can land"
    body = ["This pull request cannot land yet. For each problem, what to change:", ""]
    body += [_problem_markdown(p, fence="text") for p in verdict.problems]
    annotations = tuple(
        {
            "path": p.path,
            "start_line": p.line,
            "end_line": p.line,
            "annotation_level": "failure",
            "title": p.code,
            "message": p.message + (f"\n\nSuggested line:\n{p.suggestion}" if p.suggestion else ""),
        }
        for p in verdict.problems
        if p.path and p.line
    )
    return CheckReport("failure", title, quiet_mentions("\n".join(body).rstrip()), annotations)


def _problem_markdown(p: Problem, fence: str, *, in_diff: bool = False) -> str:
    where = f"`{p.path}` line {p.line}" if p.path and p.line else (f"`{p.path}`" if p.path else "this pull request")
    out = [f"- **{p.message}** ({where}, `{p.code}`)"]
    if p.suggestion:
        label = "Replace the line with:" if p.line else "Use this instead:"
        block = "suggestion" if in_diff else fence
        out += ["", f"  {label}", "", f"  ```{block}", *(f"  {x}" for x in p.suggestion.splitlines()), "  ```"]
    return "\n".join(out)


def comment_body(verdict: Verdict, author: str, landed: str | None = None, letter: str = "") -> str:
    """The one comment on a PR, rewritten in place as the verdict changes."""
    if landed is not None:
        text = f"Thank you, @{author}! Your change has landed in {landed}. 🎉"
        text += f"\n\nSee the letter: {letter}" if letter else ""
    elif verdict.ok:
        text = f"Thanks, @{author}: everything is fixed and your change will land shortly."
    elif verdict.kind == "not_a_signature":
        text = "This pull request no longer changes the signature list, so it is left to the maintainers."
    else:
        fixes = "\n\n".join(_problem_markdown(p, fence="text", in_diff=bool(p.line)) for p in verdict.problems)
        text = (
            f"Thanks for signing, @{author}! Before this can land, please change the following "
            f"(edit the file in this pull request; undersigned checks again on every push):\n\n{fixes}\n\n"
            "Comment `/recheck` to have it checked again."
        )
    if verdict.notes:
        text += "\n\n" + "\n".join(f"- {note}" for note in verdict.notes)
    return f"{MARKER}\n{quiet_mentions(text, author)}\n"
