"""The onboarding pull request's words: what undersigned found in the letter, and the config it proposes."""

from __future__ import annotations

import re

from app.infer.infer import Inference
from config import CONFIG_PATH

TITLE = "Configure undersigned for this letter"
MAX_SHOWN = 200  # characters of an unread line shown; the letter's lines are anyone's text
MAX_CONFIG = 20_000  # a config longer than this is left to the diff (GitHub caps a body at 65,536 characters)
_BACKTICKS = re.compile(r"`+")


def _printable(text: str) -> str:
    """The text with what could hide or reorder it (controls, bidi marks) shown as U+FFFD, cut to MAX_SHOWN."""
    cut = text[:MAX_SHOWN] + ("…" if len(text) > MAX_SHOWN else "")
    return "".join(c if c.isprintable() else "\ufffd" for c in cut)


def code(text: str) -> str:
    """Inline code that no backtick in `text` can close early (so nothing in it renders or mentions anyone)."""
    text = _printable(text)
    fence = "`" * (max((len(m) for m in _BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def block(text: str, lang: str = "") -> str:
    """A fenced code block longer than any run of backticks inside it."""
    fence = "`" * max(3, max((len(m) for m in _BACKTICKS.findall(text)), default=0) + 1)
    return f"{fence}{lang}\n{text.rstrip(chr(10))}\n{fence}"


def commit_message(found: Inference) -> str:
    return f"Configure undersigned: {found.source} holds the signatures\n\nInferred from the letter by undersigned."


def body(found: Inference) -> str:
    """What the PR says: the file or folder, the signatures it reads, the lines it cannot, and the config."""
    assert found.config is not None
    letter = found.config.letter
    what = "files" if letter.directory is not None else "lines"
    out = [
        f"undersigned is installed on this repository, which has no `{CONFIG_PATH}` yet. It read the letter and "
        "wrote the configuration that reads it: **merge this pull request and the letter is live.**",
        "",
        "### What it found",
        "",
    ]
    if letter.directory is not None:
        out.append(
            f"- The signatures: one file per signer in {code(letter.directory + '/')}, named {code(letter.filename)}."
        )
    else:
        after = f", after the line {code(letter.start_after)}" if letter.start_after else ""
        before = f", up to the line {code(letter.end_before)}" if letter.end_before else ""
        out.append(f"- The signatures: {code(letter.file)}{after}{before}.")
        shape = f"- Each line: {code(letter.line)}"
        shape += "".join(f", or {code(v)}" for v in letter.line_variants)
        order = {"sorted": f"; the list is kept sorted by {letter.sort_key}", "append": "; new lines go at the end"}
        out.append(shape + order.get(letter.order, "") + ".")
    share = f"{100 * found.share:.1f}%"
    if found.looked_at == found.existing:
        out.append(
            f"- **{found.accepted} signatures**: the configuration reads {found.accepted} of the {found.existing} "
            f"signature {what} ({share})."
        )
    else:  # a large folder: a sample was read
        out.append(
            f"- **{found.existing} signature files**: of the {found.looked_at} it read, the configuration "
            f"reads {found.accepted} ({share})."
        )
    if not any("{login}" in t for t in (letter.line, *letter.line_variants)) and letter.directory is None:
        out.append(
            f"- The lines carry no login: each new one is bound to its signer's account in {code(letter.ledger)}."
        )
    if found.unread_total:
        out += ["", f"### {what.capitalize()} it could not read ({found.unread_total})", ""]
        out.append(
            "They stay as they are, and nobody but a maintainer listed in `signers.trusted` may change them. "
            "`undersigned lint` says what is wrong with each."
        )
        out.append("")
        shown = [
            f"{line}: {_printable(text)}" if line else f"{path}: {_printable(text)}"
            for path, line, text in found.unread
        ]
        more = found.unread_total - len(found.unread)
        out.append(block("\n".join(shown + ([f"... and {more} more"] if more > 0 else [])), "text"))
    out += ["", f"### The configuration (`{CONFIG_PATH}`)", ""]
    if len(found.text) <= MAX_CONFIG:
        out.append(block(found.text, "yaml"))
    else:
        out.append("It is too long to show here: see the file in this pull request.")
    out += [
        "",
        "Once it is merged, each pull request that adds a signature is checked, and the valid ones land by "
        "themselves. To read the letter otherwise, edit the file in this pull request before merging (undersigned's "
        "`config/undersigned.example.yml` documents every key). If you close this pull request, undersigned will "
        "not open it again.",
    ]
    return "\n".join(out) + "\n"
