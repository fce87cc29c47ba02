"""Repo config: the versioned model of `.github/undersigned.yml` and its parser."""

from config.loader import ConfigError, ConfigIssue, load_config_file, parse_config
from config.model import CONFIG_PATH, Config

__all__ = ["CONFIG_PATH", "Config", "ConfigError", "ConfigIssue", "load_config_file", "parse_config"]
