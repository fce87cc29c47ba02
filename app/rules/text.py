"""Text helpers for signatures: line normalisation, name and login checks, locale-free sort keys."""

from __future__ import annotations

import re
import unicodedata

# https://docs.github.com/en/get-started/signing-up-for-github/signing-up-for-a-new-github-account
# Letters, digits and single inner hyphens; at most 39 characters.
_LOGIN = re.compile(r"[A-Za-z0-9](?:-?[A-Za-z0-9])*")
MAX_LOGIN = 39

# What people type as a bullet instead of "-": en dash, em dash, minus sign, bullet.
_DASH_BULLETS = "\u2013\u2014\u2212\u2022"
# Spaces that are not " " but look like one (NBSP, narrow NBSP, figure space, ideographic space...).
_ODD_SPACES = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]")

_MARKUP = re.compile(
    r"\[[^\]]*\]\([^)]*\)"  # markdown link or image
    r"|!\["  # start of an image
    r"|<\s*[A-Za-z/!]"  # HTML tag or comment
    r"|(?i:https?:|ftp:|mailto:|javascript:|www\.)"  # URL
    r"|(?i:\b[a-z0-9-]+\.(?:com|org|net|io|dev|ru|xyz|info|me)\b/?)"  # bare domain
)
# Zero-width and bidi controls that can hide or reorder text. ZWNJ/ZWJ (U+200C/D) are allowed
# only between two letters, where scripts such as Persian need them.
_INVISIBLE = set("\u200b\u2060\ufeff\u180e\u200e\u200f\u061c") | {
    chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
}
_JOINERS = "\u200c\u200d"


def normalize_line(raw: str) -> str:
    """One list line as undersigned compares it: NFC, no CR or trailing blanks, plain spaces."""
    line = raw.rstrip("\r\n")
    if not line.isascii():
        line = unicodedata.normalize("NFC", _ODD_SPACES.sub(" ", line))
        stripped = line.lstrip(" ")
        if stripped[:1] and stripped[0] in _DASH_BULLETS:
            line = line[: len(line) - len(stripped)] + "-" + stripped[1:]
    elif "\t" in line:
        line = line.replace("\t", " ")
    return line.rstrip(" ")


def is_valid_login(login: str) -> bool:
    return len(login) <= MAX_LOGIN and _LOGIN.fullmatch(login) is not None


def login_key(login: str) -> str:
    """Logins are compared case-insensitively (GitHub treats them so)."""
    return login.casefold()


def name_has_markup(name: str) -> bool:
    # Every pattern needs one of these characters; most names have none, so skip the regex.
    if "." not in name and "[" not in name and "<" not in name and ":" not in name:
        return False
    return _MARKUP.search(name) is not None


# What makes markup in Markdown or HTML. Refused outright in whatever a signer writes, rather than matched as
# patterns (`[Margaret Hamilton [MIT]](https&#58;//evil.zone/login)` got past the patterns). A letter may allow
# some of the characters (signers.allow_characters); the sequences stay refused whatever it allows.
MARKUP_CHARACTERS = "[]<>&`"
MARKUP_SEQUENCES = ("![", "](", "<!--")


def markup_in(text: str, allowed: str = "") -> str | None:
    """The first markup sequence or character in `text` that `allowed` does not allow, or None."""
    for sequence in MARKUP_SEQUENCES:
        if sequence in text:
            return sequence
    for ch in MARKUP_CHARACTERS:
        if ch in text and ch not in allowed:
            return ch
    return None


def shown_markup(allowed: str = "") -> str:
    """The refused markup characters, each as inline code, for a message ("`[` `]` ... `` ` ``")."""
    return " ".join("`` ` ``" if ch == "`" else f"`{ch}`" for ch in MARKUP_CHARACTERS if ch not in allowed)


def has_control_chars(text: str) -> bool:
    """Whether `text` holds a control, format, separator or unassigned character (CR, U+2028, bidi...)."""
    return name_has_control_chars(text)


def name_has_control_chars(name: str) -> bool:
    # str.isprintable() is False exactly for categories Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs other than
    # " ": one C-speed pass covers the common case. Odd spaces were made plain by normalize_line.
    if name.isprintable():
        return False
    for i, ch in enumerate(name):
        if ch in _INVISIBLE:
            return True
        if ch in _JOINERS:
            if not (0 < i < len(name) - 1 and name[i - 1].isalpha() and name[i + 1].isalpha()):
                return True
            continue
        if not ch.isprintable() and ch != " ":
            return True
    return False


def clean_name(name: str) -> str:
    """A name with runs of white space folded and the ends trimmed."""
    return " ".join(name.split())


def affiliation_key(text: str) -> str:
    """An affiliation as compared: case and runs of spaces ignored, nothing else ('Mozilla Corp.' stays itself)."""
    return " ".join(text.split()).casefold()


def fold(text: str) -> str:
    """Locale-independent sort key: accents folded, case folded."""
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


_PAREN = re.compile(r"\s*\([^)]*\)\s*$")


def surname(name: str) -> str:
    """The last word of a name, ignoring a trailing parenthesis ("Ada Lovelace (PhD)" -> Lovelace)."""
    words = _PAREN.sub("", name).split()
    return words[-1] if words else name


def sort_key(name: str, login: str, by: str) -> tuple[str, str]:
    if by == "login":
        return (fold(login), "")
    if by == "surname":
        return (fold(surname(name)), fold(name))
    return (fold(name), fold(login))
