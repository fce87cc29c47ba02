"""Parse `.github/undersigned.yml` text into a Config, or a ConfigError value that names key and line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError

from config.model import CONFIG_PATH, Config
from config.wording import friendly


@dataclass(frozen=True)
class ConfigIssue:
    """One thing wrong with the file: where (dotted key, 1-based line) and what."""

    key: str
    message: str
    line: int | None


@dataclass(frozen=True)
class ConfigError:
    """A config that cannot be used, as a value the caller shows to the maintainer."""

    issues: tuple[ConfigIssue, ...]
    path: str = CONFIG_PATH

    def markdown(self) -> str:
        rows = [f"`{self.path}` cannot be used, so no signature can be checked until it is fixed:", ""]
        for issue in self.issues:
            where = f"line {issue.line}" if issue.line else "the file"
            key = f"`{issue.key}`" if issue.key else "the file"
            message, _, example = issue.message.partition("\n\n")  # an example to copy goes in a code block
            rows.append(f"- {key} ({where}): {message}")
            if example:
                rows += ["", "  ```yaml", *(f"  {x}" for x in example.splitlines()), "  ```"]
        rows += ["", "See `config/undersigned.example.yml` in undersigned for every key and its default."]
        return "\n".join(rows)

    def text(self) -> str:
        return "\n".join(f"{self.path}:{i.line or 1}: {i.key or '(file)'}: {i.message}" for i in self.issues)


def _node_line(root: yaml.Node | None, loc: tuple[str | int, ...]) -> int | None:
    """The 1-based line of the YAML node at `loc`, or of the deepest ancestor that exists."""
    node, line = root, (root.start_mark.line + 1 if root is not None else None)
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == part:
                    # A missing/unknown key's own line is more useful than its value's.
                    line = key_node.start_mark.line + 1
                    node = value_node
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


_UNKNOWN_FIELD = re.compile(r"unknown field (\{[^}]*\})")


def _template_key(root: yaml.Node | None, loc: tuple[str | int, ...], message: str) -> tuple[str | int, ...]:
    """A template error is the whole section's (its validator sees every template together); point it at
    the key whose template holds the unknown field, so it is reported at that line."""
    found = _UNKNOWN_FIELD.search(message)
    if found is None or not isinstance(root, yaml.MappingNode):
        return loc
    node: yaml.Node | None = root
    for part in loc:
        node = next((v for k, v in node.value if k.value == part), None) if isinstance(node, yaml.MappingNode) else None
    if not isinstance(node, yaml.MappingNode):
        return loc
    for key_node, value_node in node.value:
        if found.group(1) in yaml.serialize(value_node):
            return (*loc, str(key_node.value))
    return loc


def _friendly(err: dict[str, Any]) -> str:
    return friendly(err)


def parse_config(text: str, path: str = CONFIG_PATH) -> Config | ConfigError:
    """Validate the YAML text. Never raises: a bad file comes back as a ConfigError."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 1 if mark is not None else None
        return ConfigError((ConfigIssue("", f"not valid YAML: {problem}", line),), path)
    if data is None:
        data = {}
    return validate(data, root, path)


def validate(data: Any, root: yaml.Node | None, path: str = CONFIG_PATH) -> Config | ConfigError:
    """Validate loaded YAML data; `root` (the composed YAML) gives each issue its line."""
    if not isinstance(data, dict):
        return ConfigError((ConfigIssue("", "must be a mapping of keys to values", 1),), path)
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        issues = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"])
            message = _friendly(dict(err))
            loc = _template_key(root, loc, message)
            key = ".".join(str(p) for p in loc if p != "[key]")  # pydantic marks a bad mapping key "[key]"
            issues.append(ConfigIssue(key, message, _node_line(root, loc)))
        return ConfigError(tuple(issues), path)


def load_config_file(path: str) -> Config | ConfigError:
    """Read and parse a config file from disk (the CLI's --config)."""
    try:
        with open(path, encoding="utf-8") as fh:
            return parse_config(fh.read(), path)
    except OSError as exc:
        return ConfigError((ConfigIssue("", f"cannot read: {exc.strerror}", None),), path)
    except UnicodeDecodeError:
        return ConfigError((ConfigIssue("", "is not UTF-8 text", None),), path)
