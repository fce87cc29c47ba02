"""Issue 18, "Signers can write markup" and "One PR can stall the service", at the rules: each finding's input
is refused (it was accepted on main), and every bound holds before parsing."""

from __future__ import annotations

import subprocess
import sys

import pytest

from app.rules import Author, Snapshots, Verdict, evaluate
from app.template import Template, TemplateError
from bench.pathological import BOMB
from config import Config, ConfigError, parse_config
from tests.helpers import NOW, SEED_CONFIG_YAML, config, seed_text, with_line

ADA = "-  Ada Lovelace [@ada](https://github.com/ada)"
AFFILIATION = config(SEED_CONFIG_YAML.replace("{name} [@", "{name} ({affiliation}) [@"))
FRONT = (
    "letter:\n  directory: _signatures\n  filename: '{id}.md'\n  front_matter: true\n  fields: {name: '{name}'}\n"
    "  optional_fields: {affiliation: '{affiliation}', github: '{login}'}\n"
)
DATA = "letter:\n  directory: _data/signed\n  filename: '{login}.yaml'\n  fields: {name: '{name}'}\n"


def judge(line: str, cfg: Config = AFFILIATION) -> Verdict:
    head = with_line(seed_text(), line)
    return evaluate(cfg, Snapshots({"README.md": seed_text()}, {"README.md": head}), ["README.md"], Author("ada"), NOW)


def judge_file(cfg: Config, path: str, text: str) -> Verdict:
    return evaluate(cfg, Snapshots({}, {path: text}), [path], Author("ada", 1), NOW)


def codes(verdict: Verdict) -> set[str]:
    return {p.code for p in verdict.problems}


@pytest.mark.parametrize(
    ("line", "code"),
    [
        # A phishing link in the affiliation.
        (
            "-  Ada Lovelace (Navy [verify your signature](https://evil.example/login)) [@ada](https://github.com/ada)",
            "field-has-markup",
        ),
        # Tracking images.
        (
            "-  Ada ![t](https://evil.example/p.png) <img src=x> (Navy) [@ada](https://github.com/ada)",
            "name-has-markup",
        ),
        ("-  Ada Lovelace (Navy ![t](https://evil.example/p.png)) [@ada](https://github.com/ada)", "field-has-markup"),
        (
            "-  Ada Lovelace (Navy <img src=https://evil.example/p.png>) [@ada](https://github.com/ada)",
            "field-has-markup",
        ),
        # An entity-escaped link past the name filter.
        (
            "-  [Margaret Hamilton [MIT]](https&#58;//evil.zone/login) (MIT) [@ada](https://github.com/ada)",
            "name-has-markup",
        ),
        # A lone CR (a line ending in CommonMark), then a comment that hides the rest of the letter.
        ("-  Ada Lovelace (Navy) [@ada](https://github.com/ada)\r<!--", "line-has-control-chars"),
        ("-  Ada Lovelace (Navy\r<!--) [@ada](https://github.com/ada)", "field-has-control-chars"),
        ("-  Ada Lovelace (Navy\u2028Army) [@ada](https://github.com/ada)", "field-has-control-chars"),
        ("-  Ada Lovelace (Navy `code`) [@ada](https://github.com/ada)", "field-has-markup"),
        ("-  Ada Lovelace (AT&amp;T) [@ada](https://github.com/ada)", "field-has-markup"),
    ],
)
def test_markup_and_control_characters_in_any_field_are_refused(line: str, code: str) -> None:
    verdict = judge(line)
    assert verdict.kind == "invalid" and code in codes(verdict), verdict.problems


def test_a_maintainer_may_allow_the_ampersand_and_nothing_more() -> None:
    cfg = config(
        SEED_CONFIG_YAML.replace("{name} [@", "{name} ({affiliation}) [@") + "signers:\n  allow_characters: '&'\n"
    )
    assert judge("-  Ada Lovelace (AT&T) [@ada](https://github.com/ada)", cfg).kind == "sign"
    assert "field-has-markup" in codes(judge("-  Ada Lovelace (AT&T <b>) [@ada](https://github.com/ada)", cfg))


@pytest.mark.parametrize(
    "text",
    [
        "---\nname: Ada Lovelace\npermalink: /index.html\n---\n",
        "---\nname: Ada Lovelace\nredirect_to: https://evil.example\n---\n",
        "---\nname: Ada Lovelace\nlayout: default\n---\n",
        "---\nname: Ada Lovelace\n---\n<script>alert(1)</script>\n",
        "---\nname: [lol, lol]\n---\n",
        "---\nname: {a: b}\n---\n",
        "---\nname: Ada Lovelace\naffiliation: '[verify](https://evil.example)'\n---\n",
    ],
)
def test_front_matter_takes_only_named_keys_plain_values_and_no_body(text: str) -> None:
    verdict = judge_file(config(FRONT), "_signatures/3f9c.md", text)
    assert verdict.kind == "invalid", verdict


def test_a_body_is_plain_text_when_the_letter_allows_one() -> None:
    cfg = config(FRONT + "  body: text\n")
    assert judge_file(cfg, "_signatures/3f9c.md", "---\nname: Ada Lovelace\n---\nFor the record.\n").kind == "sign"
    assert judge_file(cfg, "_signatures/3f9c.md", "---\nname: Ada Lovelace\n---\n<script>x</script>\n").kind == (
        "invalid"
    )


def test_unknown_keys_allow_is_a_config_error_with_front_matter() -> None:
    got = parse_config(f"version: 1\n{FRONT}  unknown_keys: allow\n")
    assert isinstance(got, ConfigError)
    assert "permalink" in str(got.issues)


def test_an_unknown_key_allowed_in_a_data_file_still_holds_plain_text() -> None:
    cfg = config(DATA + "  unknown_keys: allow\n")
    assert judge_file(cfg, "_data/signed/ada.yaml", "name: Ada Lovelace\nnote: hi\n").kind == "sign"
    assert judge_file(cfg, "_data/signed/ada.yaml", "name: Ada Lovelace\nnote: <b>hi</b>\n").kind == "invalid"


def test_yaml_aliases_and_anchors_are_refused_before_anything_is_built() -> None:
    cfg = config(DATA + "  unknown_keys: allow\n  fields: {name: '{name}', link: '{text}'}\n")
    verdict = judge_file(cfg, "_data/signed/ada.yaml", BOMB)
    assert codes(verdict) == {"file-format"} and "anchors or aliases" in verdict.problems[0].message
    small = "name: &n Ada Lovelace\nlink: *n\n"
    assert "anchors or aliases" in judge_file(cfg, "_data/signed/ada.yaml", small).problems[0].message


def test_caps_hold_before_parsing() -> None:
    assert codes(judge(ADA + " " + "x" * 2000)) == {"line-too-long"}
    big = "name: Ada Lovelace\n" + "#" * 10_000 + "\n"
    assert codes(judge_file(config(DATA), "_data/signed/ada.yaml", big)) == {"file-too-large"}
    many = ["README.md", *(f"x/{i}.md" for i in range(150))]
    verdict = evaluate(AFFILIATION, Snapshots({}, {}), many, Author("ada"), NOW)
    assert codes(verdict) == {"too-many-files"}


def test_deep_nesting_in_a_template_is_a_config_error() -> None:
    with pytest.raises(TemplateError):
        Template("- {name}" + "{?" * 5000 + "x" + "}" * 5000)
    got = parse_config("version: 1\nletter:\n  line: '- {name}" + "{?" * 2000 + "}" * 2000 + "'\n")
    assert isinstance(got, ConfigError)


GALLERY = [
    "-  {name} [@{login}](https://github.com/{login})",
    "N. {name}{? ({affiliation})}",
    "- {name}{? (@{login})}",
    "| {name} | {affiliation} | [@{login}](https://github.com/{login}) |",
    "- {name}, {affiliation}, {text}",
    "- {name} ({affiliation}) [@{login}](https://github.com/{login})",
]
PROBE = """
import sys
from app.template import Template
hostile = ["a (" , " (", "| a ", " [@", "a, ", ") (", "( ", " ", "a ) [@ (", "a | ", ", ,"]
for source in sys.argv[1:]:
    t = Template(source)
    for body in hostile:
        for lead in ("- ", "1. ", "| "):
            line = lead + body * (100_000 // len(body))
            t.parse(line)
            if t.multiline is not None:
                t.multiline.findall(line)
print("ok")
"""


def test_templates_read_hostile_100kb_lines_in_linear_time() -> None:
    # On main, `\\S.*?` per free field made these quadratic or cubic: hours. Linear, they take well under a
    # second; the generous bound only catches a return of backtracking.
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *GALLERY], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.stdout.strip() == "ok", done.stderr
