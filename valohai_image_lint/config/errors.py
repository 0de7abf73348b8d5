"""The error a config file that cannot be used raises."""

from __future__ import annotations


class ConfigError(Exception):
    """A config file that cannot be used; ``str()`` names the file, the key and the problem."""
