"""Property tests: rendered lines parse back to their fields, and no input makes the engine raise."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.rules import Author, Snapshots, evaluate
from app.rules.letter import line_template
from app.rules.lint import lint_letter
from app.rules.text import name_has_control_chars, name_has_markup
from bench.corpus_replay import LETTERS, load_config
from config import parse_config
from config.model import LetterConfig
from tests.helpers import NOW, SEED_CONFIG_YAML, config

TEMPLATES = [load_config(letter).letter for letter in LETTERS if load_config(letter).letter.directory is None]
TEMPLATES.append(config(SEED_CONFIG_YAML).letter)

logins = st.from_regex(r"[A-Za-z0-9](?:-?[A-Za-z0-9]){0,37}", fullmatch=True)
name_chars = st.characters(
    blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"),
    blacklist_characters="[]()<>@,\\",
)
names = (
    st.lists(st.text(name_chars, min_size=1, max_size=12), min_size=1, max_size=4)
    .map(" ".join)
    .filter(lambda n: not name_has_markup(n) and not name_has_control_chars(n) and n == n.strip())
)
affiliations = st.none() | st.text(name_chars, min_size=1, max_size=20).filter(
    lambda a: a == a.strip() and ")" not in a
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.sampled_from(TEMPLATES), names, logins, affiliations)
def test_rendered_lines_parse_back(letter: LetterConfig, name: str, login: str, affiliation: str | None) -> None:
    tpl = line_template(letter)
    aff = affiliation if "affiliation" in tpl.fields else None
    line = tpl.render(name, login, aff)
    assert line is not None
    parsed = tpl.parse(line)
    assert parsed is not None, line
    assert (parsed.name, parsed.login, parsed.affiliation) == (name, login, aff)
    assert all(other == login for other in parsed.logins)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text(max_size=300), st.text(max_size=40))
def test_random_text_never_raises(noise: str, login: str) -> None:
    cfg = config(SEED_CONFIG_YAML)
    base = "Letter\n\nSigned,\n\n-  Ada [@ada](https://github.com/ada)\n"
    verdict = evaluate(
        cfg, Snapshots({"README.md": base}, {"README.md": base + noise}), ["README.md"], Author(login), NOW
    )
    assert verdict.kind in ("sign", "withdraw", "amend", "not_a_signature", "invalid")
    lint_letter(cfg, {"README.md": noise})


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_random_config_text_never_raises(text: str) -> None:
    parse_config(text)
