"""Problem codes and the plain words each one says to the signer (golden-tested)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Stable codes: tools and labels may key on these. The text is what a person reads.
MESSAGES: dict[str, str] = {
    "other-files-changed": "This PR also changes {paths}. A signature PR may only change the "
    "signature list; please remove the other changes (open a separate PR for them).",
    "letter-text-changed": "This PR changes the letter's text as well as the signature list. Please "
    "keep only your signature line here and propose text changes in a separate PR.",
    "letter-missing": "The letter file `{file}`{marker} was not found on the default "
    "branch, so signatures cannot be checked. A maintainer needs to fix `.github/undersigned.yml`.",
    "line-format": "This line does not have the letter's format. Each line must look like `{template}`.",
    "file-format": "This signature file cannot be read: {reason}.",
    "invalid-login": "`{login}` is not a GitHub username: usernames have only letters, digits and "
    "single hyphens, and at most 39 characters. Use your own username, `{author}`.",
    "login-mismatch": "The username in the text (`{first}`) and in the link (`{second}`) differ. "
    "Both must be your username.",
    "author-mismatch": "This signature is for @{login}, but the PR was opened by @{author}. Each "
    "person signs from their own account; please sign only for yourself.{hint}",
    "duplicate-signer": "@{login} has already signed{where}. Each person signs once; if you want "
    "to change your line, edit it instead of adding a new one.",
    "edits-others-line": "This PR {verb} the line of @{login}. Only @{login} may change or remove "
    "their own signature; please undo this change.",
    "edits-unowned-line": "This PR {verb} a line that no GitHub account owns: it was in the letter before "
    "undersigned kept track of who signed, or a maintainer added it for someone. Only the letter's maintainers "
    "may change it; please undo this change and ask them.",
    "list-start-changed": "This PR removes or changes the `{marker}` line that the signature list starts "
    "after. Please keep that line as it is and add only your signature below it.",
    "too-many-lines": "This PR adds {count} signatures; at most {limit} per PR is allowed. Please keep "
    "only your own line.",
    "line-gone": "The line of @{login} that this pull request changes is no longer in the letter: it was "
    "removed or changed after this branch was made. Update your branch from the default branch, then change "
    "the line as it is now.",
    "wrong-position": "This line is in the wrong place: {where}.",
    "name-has-markup": "The name may not contain links, HTML or web addresses. It may not contain any of the "
    "characters {chars} either. Write your name as plain text.",
    "field-has-markup": "The {field} may not contain links or HTML, nor any of the characters {chars}. Write "
    "it as plain text.",
    "field-has-control-chars": "The {field} contains invisible or control characters (such as a line break, "
    "a zero-width or a right-to-left override character). Please type it again as plain text.",
    "line-has-control-chars": "This line contains invisible or control characters (such as a lone carriage "
    "return, a zero-width or a right-to-left override character). Please type it again as plain text.",
    "line-too-long": "This line is {length} characters long; a line may have at most {limit}. Please keep "
    "only your signature on it.",
    "file-too-large": "This signature file is {size} bytes; a signature file may have at most {limit}. Please "
    "keep only your signature in it.",
    "too-many-files": "This PR changes {count} files; a signature PR may change at most {limit}, so it was "
    "not read. Please keep only your own signature in it.",
    "too-slow": "Checking this PR took longer than {seconds} seconds, so it was stopped and cannot be "
    "accepted. Please keep only your own signature, in the letter's format, and push again.",
    "name-has-control-chars": "The name contains invisible or control characters (such as zero-width "
    "or right-to-left override characters). Please type it again as plain text.",
    "name-too-long": "The name is {length} characters long; the limit is {limit}.",
    "name-missing": "The signature has no name. Please add your name as plain text.",
    "withdraw-not-allowed": "This letter does not accept withdrawals by pull request. Please contact the maintainers.",
    "amend-not-allowed": "This letter does not accept changes to a signature by pull request. Please "
    "contact the maintainers.",
    "blocked": "@{login} may not sign this letter. Contact the maintainers if you think this is a mistake.",
    "bot-author": "@{login} is a bot account; signatures must come from people.",
    "account-too-new": "Your account was created {age} days ago; this letter accepts accounts older than {limit} days.",
    "not-normalized": "This line has invisible formatting (trailing spaces, a Windows line ending, "
    "a non-breaking space or a dash typed as a bullet). It is accepted and reads as the suggestion.",
    "invisible-edit": "This PR also changes line {number}, which is not your signature: {what}. Edits like "
    "this change how the letter reads, so a signature PR may change only its own line; please undo it.",
    "changes-incomplete": "This PR changes {count} files, more than undersigned can see in full (GitHub lists "
    "at most 300 files of a comparison), so none of it can land. Please open a new pull request, from a fresh "
    "branch, that changes only your signature.",
    "change-unreadable": "GitHub does not show the change to `{file}` as text (a binary file, or a change too "
    "large to show), so undersigned cannot check it. Please change only your signature, as plain text.",
    "unsupported-change": "This PR {what} `{file}`. A signature PR may change only the text of a signature; "
    "please undo this change.",
    "not-utf8": "`{file}` is not valid UTF-8 text. undersigned reads a letter's files exactly as they are, and "
    "this one cannot be read without altering it, so nothing can be checked or land. Save it as UTF-8: in your "
    "pull request if you changed it, or ask the maintainers if the letter itself is not UTF-8.",
    "letter-frozen": "This letter is closed and no longer accepts signatures or changes to them.",
    "marker-by-hand": "The line holds `{marker}`, the mark this letter gives a verified affiliation. Signers do "
    "not write it: undersigned adds it itself, once it has verified the affiliation. Please remove it from the "
    "{field}.",
    "affiliation-unverified": "This letter accepts the affiliation {affiliation} only once it is verified, and "
    "it could not be verified for @{login}. {how} Or write another affiliation, or none.",
    # Issue 23's new shapes (app.rules.freetext, app.rules.parts).
    "text-too-many-links": "The text has {count} web or email addresses; it may have {allowed}. Please keep "
    "one (written out plainly, such as https://example.org or you@example.org) and remove the others.",
    "duplicate-organisation": "{organisation} has already signed{where}. Each organisation signs once; to "
    "change its line, edit that line instead of adding a new one.",
}


@dataclass(frozen=True)
class Problem:
    """One thing the signer must change, with a stable code and, when derivable, the fixed line."""

    code: str
    message: str
    path: str | None = None
    line: int | None = None
    suggestion: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "suggestion": self.suggestion,
        }


def problem(
    code: str,
    path: str | None = None,
    line: int | None = None,
    suggestion: str | None = None,
    **values: Any,
) -> Problem:
    return Problem(code, MESSAGES[code].format(**values), path, line, suggestion)


def letter_missing(path: str, marker: str | None) -> Problem:
    """The letter (or its start marker) is not on the default branch."""
    return problem("letter-missing", path, None, file=path, marker=f" (or its `{marker}` line)" if marker else "")
