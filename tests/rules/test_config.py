"""The repo config: the two configs from the issue, errors as values with lines, schema kept current."""

from __future__ import annotations

import itertools
import json

import yaml
from pydantic import BaseModel

from app.rules import Author, Snapshots, evaluate
from app.template import Template
from config import Config, ConfigError, parse_config
from config.model import LetterConfig
from config.schema import render_schema
from tests.helpers import DIRECTORY_CONFIG_YAML, NOW, ROOT, SEED_CONFIG_YAML


def test_single_file_config_as_written() -> None:
    cfg = parse_config(SEED_CONFIG_YAML)
    assert isinstance(cfg, Config)
    assert cfg.letter.file == "README.md"
    assert cfg.letter.start_after == "Signed,"
    assert cfg.letter.line == "-  {name} [@{login}](https://github.com/{login})"
    assert cfg.letter.order == "append"
    assert cfg.letter.directory is None


def test_directory_config_as_written() -> None:
    cfg = parse_config(DIRECTORY_CONFIG_YAML)
    assert isinstance(cfg, Config)
    assert cfg.letter.directory == "_data/signed"
    assert cfg.letter.filename == "{login}.yaml"
    assert cfg.letter.fields == {"name": "{name}", "link": "https://github.com/{login}"}


def test_empty_file_gives_every_default() -> None:
    cfg = parse_config("")
    assert cfg == Config()
    assert isinstance(cfg, Config)
    assert cfg.signers.max_signatures_per_pr == 1
    assert cfg.signers.author_must_match and cfg.signers.allow_withdraw and cfg.signers.allow_amend
    assert not cfg.signers.allow_bots
    assert cfg.signers.min_account_age_days == 0
    assert cfg.signers.max_name_length == 100
    assert cfg.merge.enabled and cfg.merge.method == "merge"
    assert not cfg.frozen


def test_unknown_key_is_named_with_its_line() -> None:
    err = parse_config("version: 1\nletter:\n  file: README.md\n  oder: sorted\n")
    assert isinstance(err, ConfigError)
    assert [(i.key, i.line) for i in err.issues] == [("letter.oder", 4)]
    assert "unknown key" in err.issues[0].message
    assert "`letter.oder` (line 4)" in err.markdown()


def test_bad_value_and_bad_yaml_are_values_not_exceptions() -> None:
    err = parse_config("version: 1\nmerge:\n  method: octopus\n")
    assert isinstance(err, ConfigError)
    assert err.issues[0].key == "merge.method" and err.issues[0].line == 3
    assert "merge" in err.issues[0].message and "squash" in err.issues[0].message
    broken = parse_config("letter: [\n")
    assert isinstance(broken, ConfigError)
    assert "not valid YAML" in broken.issues[0].message
    assert isinstance(parse_config("- a list\n"), ConfigError)
    assert isinstance(parse_config("version: 2\n"), ConfigError)


def test_bad_template_is_a_config_error() -> None:
    err = parse_config('version: 1\nletter:\n  line: "- {nam} @{login}"\n')
    assert isinstance(err, ConfigError)
    # Issue 19: said at the template's own line, with the field it was probably meant to be.
    assert err.issues[0].key == "letter.line" and err.issues[0].line == 3
    assert "unknown field {nam}; did you mean {name}?" in err.issues[0].message
    no_signer = parse_config('letter:\n  line: "- {affiliation}"\n')
    assert isinstance(no_signer, ConfigError) and "{name} or {login}" in no_signer.issues[0].message
    assert isinstance(parse_config('letter:\n  line: "- {name}"\n'), Config)  # names only: bound by the ledger
    bad_regex = parse_config("letter:\n  pattern: '(?P<name>'\n")
    assert isinstance(bad_regex, ConfigError) and "regex" in bad_regex.issues[0].message


def test_directory_letter_needs_a_content_shape() -> None:
    err = parse_config("letter:\n  directory: signed\n")
    assert isinstance(err, ConfigError)
    assert "fields" in err.issues[0].message


def test_example_file_parses_and_documents_every_key() -> None:
    text = (ROOT / "config" / "undersigned.example.yml").read_text(encoding="utf-8")
    cfg = parse_config(text)
    assert isinstance(cfg, Config), cfg
    documented = yaml.safe_load(text)

    def keys(model: type[BaseModel], data: dict[str, object], prefix: str = "") -> None:
        for name, field in model.model_fields.items():
            assert name in data, f"{prefix}{name} is not in the example"
            sub, value = field.annotation, data[name]
            if isinstance(sub, type) and issubclass(sub, BaseModel):
                assert isinstance(value, dict)
                keys(sub, value, f"{prefix}{name}.")

    keys(Config, documented)


def test_every_field_has_a_default_and_a_description() -> None:
    schema = json.loads(render_schema())
    for name, definition in [("Config", schema), *schema["$defs"].items()]:
        for key, prop in definition["properties"].items():
            # A nested section ($ref) carries its description on its own definition.
            assert "description" in prop or "$ref" in prop, f"{name}.{key} has no description"
            assert "default" in prop or "$ref" in prop, f"{name}.{key} has no default"
    assert LetterConfig().line  # constructible with no arguments: every key has a default


def test_exported_schema_is_current() -> None:
    on_disk = (ROOT / "config" / "undersigned.schema.json").read_text(encoding="utf-8")
    assert on_disk == render_schema(), "run `make schema` to regenerate config/undersigned.schema.json"


def test_readme_gallery_configs_parse() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## For maintainers") : readme.index("## For signers")]
    blocks = section.split("```yaml\n")[1:]
    assert len(blocks) >= 10
    for block in blocks:
        assert isinstance(parse_config(block.split("```")[0]), Config), block


def _gallery() -> list[tuple[str, Config]]:
    """Each gallery config with the sentence that introduces it (the paragraph just above its block)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Gallery") : readme.index("**When a change counts.**")]
    out = []
    chunks = section.split("```yaml\n")
    for before, block in itertools.pairwise(chunks):
        intro = before.split("```")[-1].strip().split("\n\n")[-1]
        cfg = parse_config(block.split("```")[0])
        assert isinstance(cfg, Config), block
        out.append((intro, cfg))
    return out


def _example_files(cfg: Config, path: str) -> dict[str, str]:
    """A signer's file at `path` (a README example), its fields filled with Ada's values."""
    letter = cfg.letter
    values = {"name": "Ada Lovelace", "login": "ada", "affiliation": "Analytical Engines", "text": "Lovelace, Ada"}
    values |= {"email": "ada@example.org", "url": "https://ada.example", "commit": "3f9c2b1aa"}

    def fill(template: str) -> str:
        extra: dict[str, str | None] = {k: v for k, v in values.items() if k not in ("name", "login", "affiliation")}
        text = Template(template, bullet=False).render(
            values["name"], values["login"], values["affiliation"], 1, **extra
        )
        assert text is not None, template
        return text

    if letter.content is not None:
        return {path: fill(letter.content) + "\n"}
    body = yaml.safe_dump({k: fill(t) for k, t in (letter.fields or {}).items()}, sort_keys=False)
    return {path: f"---\n{body}---\n" if letter.front_matter else body}


def test_every_readme_gallery_example_is_accepted() -> None:
    """Each gallery shape names an example (a line, or a signer's file) in backticks; the engine accepts it."""
    gallery = _gallery()
    assert len(gallery) >= 9
    for intro, cfg in gallery:
        letter = cfg.letter
        if letter.lists or letter.folders:
            continue  # a letter of several lists or folders: tests/rules/test_shapes_new_readme.py lands its examples
        spans = [s for i, s in enumerate(intro.split("`")) if i % 2]
        if letter.directory is not None:
            spans = [s for s in spans if s.startswith(letter.directory.rstrip("/") + "/")]
        assert spans, f"no example in backticks for the gallery shape introduced by: {intro}"
        for example in spans:
            if letter.directory is not None:
                before: dict[str, str] = {}
                after = _example_files(cfg, example)
            else:
                head = f"Text\n\n{letter.start_after}\n" if letter.start_after else ""
                before, after = {letter.file: head}, {letter.file: f"{head}{example}\n"}
            verdict = evaluate(cfg, Snapshots(before, after), sorted(after), Author("ada", 1), NOW)
            assert verdict.kind == "sign", (intro, example, verdict.problems)
