"""Config files: reading them, and finding the one that applies to each linted file.

Settings live in ``.valohai-image-lint.toml`` or ``valohai-image-lint.toml`` (top-level keys) or
in ``pyproject.toml`` under ``[tool.valohai-image-lint]``. For each linted file the nearest one
is used, walking up from the file's folder and stopping at the repository root (the folder that
holds ``.git``); in one folder the dedicated files win over ``pyproject.toml``, and a
``pyproject.toml`` without the table does not count. Keys are kebab-case; an unknown key or a
wrong type is an error naming the file, the key and what was expected (``keys.validate``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from ..reading import PathError, folders_up, read_file
from .errors import ConfigError
from .keys import validate
from .location import TABLE, candidates_in

_NO_VALUES: Mapping[str, Any] = MappingProxyType({})


class FileSettings(NamedTuple):
    """The validated keys of one config file (``values`` keyed by the kebab-case key), and the
    bytes they were read from (the result cache's key holds them)."""

    path: str | None
    values: Mapping[str, Any] = _NO_VALUES
    raw: bytes | None = None

    @property
    def root(self) -> str | None:
        return os.path.dirname(os.path.abspath(self.path)) if self.path else None


def _read_toml(path: str) -> tuple[dict[str, Any], bytes]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        raw = read_file(path)
    except PathError as exc:
        raise ConfigError(str(exc)) from None
    try:
        # A UTF-8 byte-order mark (Windows editors write one) is not TOML, but means no harm.
        data: dict[str, Any] = tomllib.loads(raw.decode("utf-8").removeprefix("\ufeff"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: invalid TOML: not UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    return data, raw


def _table_of(path: str, data: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """The settings table of a config file and how to name it in messages."""
    if os.path.basename(path) != "pyproject.toml":
        return data, ""
    tool = data.get("tool")
    table = tool.get("valohai-image-lint") if isinstance(tool, dict) else None
    if table is None:
        near = [key for key in (tool or {}) if key.lower().replace("_", "-") == "valohai-image-lint"]
        if near:
            raise ConfigError(f'{path}: [tool.{near[0]}] is not read; did you mean "[{TABLE}]"?')
        return None, ""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [{TABLE}] must be a table")
    return table, f"[{TABLE}] "


class ConfigFinder:
    """Finds and loads the config for each linted file, reading every file once."""

    def __init__(self) -> None:
        self._by_folder: dict[str, FileSettings] = {}
        self._by_file: dict[str, FileSettings] = {}

    def load(self, path: str) -> FileSettings:
        path = os.path.abspath(path)
        if path not in self._by_file:
            data, raw = _read_toml(path)
            table, where = _table_of(path, data)
            if table is None:
                raise ConfigError(f"{path}: no [{TABLE}] table")
            self._by_file[path] = FileSettings(path, validate(table, f"{path}: {where}"), raw)
        return self._by_file[path]

    def for_file(self, linted: str) -> FileSettings:
        visited: list[str] = []
        found = FileSettings(None)
        for current in folders_up(os.path.dirname(os.path.abspath(linted))):
            if current in self._by_folder:
                found = self._by_folder[current]
                break
            visited.append(current)
            settings = self._in_folder(current)
            if settings is not None:
                found = settings
                break
        for folder_seen in visited:
            self._by_folder[folder_seen] = found
        return found

    def _in_folder(self, folder: str) -> FileSettings | None:
        for candidate in candidates_in(folder):
            data, raw = _read_toml(candidate)
            table, where = _table_of(candidate, data)
            if table is None:
                continue
            settings = FileSettings(candidate, validate(table, f"{candidate}: {where}"), raw)
            self._by_file[candidate] = settings
            return settings
        return None
