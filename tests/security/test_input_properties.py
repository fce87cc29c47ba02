"""Hostile fields over every README gallery template: a valid verdict never carries markup or a control
character in anything a signer wrote, and the verdict never raises."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.rules import Author, Snapshots, Verdict, evaluate
from app.rules.letter import line_template, parse_signature_file, render_signature_file, signature_path
from config import Config, parse_config
from tests.helpers import NOW

ROOT = Path(__file__).resolve().parents[2]


def gallery() -> list[Config]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Gallery") : readme.index("**When a change counts.**")]
    found = [parse_config(block.split("```")[0]) for block in section.split("```yaml\n")[1:]]
    return [c for c in found if isinstance(c, Config)]


GALLERY = gallery()
PAYLOADS = [
    "[verify](https://evil.example/login)",
    "![t](https://evil.example/p.png)",
    "<img src=x>",
    "<!--",
    "\r<!--",
    "[Margaret Hamilton [MIT]](https&#58;//evil.zone/login)",
    "`code`",
    "&#58;",
    "\u2028",
    "\u202e",
    "\u200b",
    "\x00",
    "<script>alert(1)</script>",
    " (x) ",
    " | ",
    ", ",
    " [@ada](https://github.com/ada)",
]
pieces = st.sampled_from(PAYLOADS) | st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\n"), max_size=12
)
hostile = st.lists(pieces, min_size=1, max_size=4).map("".join)


def has_control_chars(text: str) -> bool:
    """The oracle, independent of app.rules.text: a control, format or separator character (ZWNJ/ZWJ between
    two letters excepted, as Persian writes them)."""
    for i, ch in enumerate(text):
        if ch in "\u200c\u200d" and 0 < i < len(text) - 1 and text[i - 1].isalpha() and text[i + 1].isalpha():
            continue
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            return True
    return False


def markup_in(text: str, allowed: str = "") -> bool:
    return any(seq in text for seq in ("![", "](", "<!--")) or any(c in text and c not in allowed for c in "[]<>&`")


def _clean(value: str | None, *, url: bool = False) -> bool:
    return value is None or (not markup_in(value, "&" if url else "") and not has_control_chars(value))


def _assert_no_markup(cfg: Config, verdict: Verdict) -> None:
    if not verdict.ok:
        return
    for sig in verdict.signatures:
        assert _clean(sig.name) and _clean(sig.affiliation), sig
    for change in verdict.land:
        text = change.text or ""
        assert not has_control_chars(text.replace("\r\n", "\n").replace("\n", "")), change  # CRLF endings are fine
        if cfg.letter.directory is None:
            parsed = line_template(cfg.letter).parse(text)
        else:
            got = parse_signature_file(change.path, text, cfg.letter)
            assert not isinstance(got, str), got
            parsed = got
        assert parsed is not None
        assert _clean(parsed.name) and _clean(parsed.affiliation), parsed
        assert all(_clean(v, url=k == "url") for k, v in parsed.extra), parsed


def _list_verdict(cfg: Config, line: str) -> Verdict:
    marker = cfg.letter.start_after
    base = f"# Letter\n\n{marker}\n\n" if marker else ""
    head = base + line + "\n"
    path = cfg.letter.file
    return evaluate(cfg, Snapshots({path: base}, {path: head}), [path], Author("ada", 1), NOW)


def _file_verdict(cfg: Config, path: str, text: str) -> Verdict:
    return evaluate(cfg, Snapshots({}, {path: text}), [path], Author("ada", 1), NOW)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(range(len(GALLERY))), hostile, hostile, hostile, st.booleans())
def test_hostile_fields_never_give_markup_in_a_valid_verdict(
    which: int, name: str, affiliation: str, text: str, body: bool
) -> None:
    cfg = GALLERY[which]
    if cfg.letter.directory is None:
        tpl = line_template(cfg.letter)
        line = tpl.render(name, "ada", affiliation, 1, text=text, email="ada@example.org", commit="3f9c2b1aa")
        verdict = _list_verdict(cfg, line if line is not None else f"- {name} {affiliation} {text}")
    else:
        path = signature_path(cfg.letter, "ada", name) or f"{cfg.letter.directory}/3f9c.md"
        content = render_signature_file(cfg.letter, name, "ada", affiliation) or f"name: {name}\n"
        verdict = _file_verdict(cfg, path, content + (text + "\n" if body else ""))
    _assert_no_markup(cfg, verdict)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(range(len(GALLERY))), hostile, st.sampled_from(["", "- ", "1. ", "| ", "---\nname: "]))
def test_any_hostile_line_or_file_gets_a_verdict(which: int, raw: str, lead: str) -> None:
    cfg = GALLERY[which]
    if cfg.letter.directory is None:
        verdict = _list_verdict(cfg, lead + raw)
    else:
        path = signature_path(cfg.letter, "ada", "Ada") or f"{cfg.letter.directory}/3f9c.md"
        verdict = _file_verdict(cfg, path, lead + raw + ("\n---\n" if lead.startswith("---") else "\n"))
    _assert_no_markup(cfg, verdict)
