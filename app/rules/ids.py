"""`{id}` file names ("something unique": `Kim_E._Lee.md`, `Zoë_Tölva.md`): portable on every file system.

The template reads an {id} as letters of any script, digits, `_`, `-` and dots, never a separator and never a
leading dot (app.template). This adds what a regex cannot say: the name means the same on a case-insensitive,
normalising file system (macOS, Windows), so two signers never get one file and a checkout never fails."""

from __future__ import annotations

import unicodedata

# Windows refuses these as file names, whatever the extension:
# https://learn.microsoft.com/en-us/windows/win32/fileio/naming-a-file#naming-conventions
_DEVICES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def id_problem(value: str | None) -> str | None:
    """Why an {id} is not a portable file name, in plain words; None when it is (or there is no {id})."""
    if value is None:
        return None
    if value.startswith("."):
        return "the file name starts with a dot, which hides the file"
    if value.endswith("."):
        return f"`{value}` ends with a dot, which Windows drops from a file name"
    if unicodedata.normalize("NFC", value) != value:
        # macOS stores names decomposed: `Zoë` typed two ways would be two files in git and one on a Mac.
        return f"`{value}` has accents typed as separate marks; type them as single letters"
    if unicodedata.normalize("NFKC", value) != value:
        return f"`{value}` has a character with a plainer form (a ligature, a superscript, a wide letter)"
    odd = next((ch for ch in value if ch.lower() != ch.casefold() or len(ch.lower()) != 1), None)
    if odd is not None:
        # `ß` folds to `ss` and `İ` lowers to two characters: a case-insensitive file system may merge such names.
        return f"`{value}` has `{odd}`, whose lower case is not one letter (file systems disagree on it)"
    if value.split(".", 1)[0].casefold() in _DEVICES:
        return f"`{value}` is a device name on Windows, not a file name; add a word to it"
    return None
