"""Config files: finding them, reading them, and saying exactly what is wrong with them.

Settings live in ``.valohai-image-lint.toml`` or ``valohai-image-lint.toml`` (top-level keys) or
in ``pyproject.toml`` under ``[tool.valohai-image-lint]``. For each linted file the nearest one
is used, walking up from the file's folder and stopping at the repository root (the folder that
holds ``.git``); in one folder the dedicated files win over ``pyproject.toml``, and a
``pyproject.toml`` without the table does not count. Keys are kebab-case; an unknown key or a
wrong type is an error naming the file, the key and what was expected.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from .config import LintConfig
from .config_location import candidates_in, folders_up
from .model import Severity

TABLE = "tool.valohai-image-lint"
SEVERITY_WORDS = ("error", "warning", "info", "off")


class ConfigError(Exception):
    """A config file that cannot be used; ``str()`` names the file, the key and the problem."""


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
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {(exc.strerror or str(exc)).lower()}") from None
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


# -- validation -------------------------------------------------------------------------------


def _string_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _check_selectors(key: str, value: list[str], where: str) -> None:
    from .rules import ALL_RULES
    from .selection import UnknownSelector, expand

    for selector in value:
        try:
            expand(selector, ALL_RULES)
        except UnknownSelector as exc:
            raise ConfigError(f'{where}"{key}": {exc}') from None


def _check_patterns(key: str, value: list[str], where: str) -> None:
    from .patterns import ImagePattern, InvalidPattern

    if not value and key == "allowed-images":
        raise ConfigError(
            f'{where}"{key}" is empty, which would refuse every image; list patterns or remove it'
        )
    for text in value:
        try:
            ImagePattern.parse(text)
        except InvalidPattern as exc:
            raise ConfigError(f'{where}"{key}": pattern "{text}" is not valid: {exc.reason}') from None


def _check_severity_table(key: str, value: dict[str, Any], where: str) -> None:
    from .rules import BY_CODE, BY_NAME

    for rule, level in value.items():
        if rule.upper() not in BY_CODE and rule.lower() not in BY_NAME:
            if rule.upper().startswith("VIL") and any(code.startswith(rule.upper()) for code in BY_CODE):
                raise ConfigError(
                    f'{where}"{key}": "{rule}" is a prefix; a severity names one rule (code or name)'
                )
            import difflib

            close = difflib.get_close_matches(rule, [*BY_CODE, *BY_NAME], n=1)
            hint = f'; did you mean "{close[0]}"?' if close else ""
            raise ConfigError(f'{where}"{key}": "{rule}" is not a rule code or name{hint}')
        if level not in SEVERITY_WORDS:
            raise ConfigError(
                f'{where}"{key}": "{rule}" must be one of {", ".join(SEVERITY_WORDS)}, not {level!r}'
            )


def _check_globs(key: str, globs: Any, where: str) -> None:
    from .discovery import check_path_glob

    for glob in globs:
        problem = check_path_glob(glob)
        if problem is not None:
            raise ConfigError(f'{where}"{key}": "{glob}" is {problem}')


_UNITS = {"": 1, "b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3}
_UNITS |= {"kib": 1024, "mib": 1024**2, "gib": 1024**3}


def as_size(value: Any) -> int | None:
    """A size in bytes: a positive integer, or a string such as ``"50MB"``, ``"10 MiB"`` or
    ``"2048"`` (units B, kB, MB, GB, KiB, MiB, GiB, any case); None if it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if not isinstance(value, str):
        return None
    import re

    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*", value)
    if match is None or match.group(2).lower() not in _UNITS:
        return None
    size = int(float(match.group(1)) * _UNITS[match.group(2).lower()])
    return size if size > 0 else None


def _as_date(value: Any) -> str | None:
    """A TOML date or a YYYY-MM-DD string, as YYYY-MM-DD; None if it is neither."""
    from datetime import date, datetime

    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            return None
    return None


def _check_output_format(key: str, value: str, where: str) -> None:
    from .reporters import FORMATS

    if value not in FORMATS:
        raise ConfigError(f'{where}"{key}" must be one of {", ".join(FORMATS)}, not {value!r}')


def _check_per_file_ignores(key: str, value: dict[str, Any], where: str) -> None:
    _check_globs(key, value, where)
    for glob, codes in value.items():
        if not _string_list(codes):
            raise ConfigError(f'{where}"{key}": "{glob}" must be a list of rule codes, not {_type(codes)}')
        _check_selectors(f"{key}.{glob}", codes, where)


class _Key(NamedTuple):
    expected: str
    accepts: Callable[[Any], bool]
    check: Callable[[str, Any, str], None] | None = None


KEYS: dict[str, _Key] = {
    "select": _Key("a list of rule codes", _string_list, _check_selectors),
    "extend-select": _Key("a list of rule codes", _string_list, _check_selectors),
    "ignore": _Key("a list of rule codes", _string_list, _check_selectors),
    "severity": _Key(
        'a table of rule code to "error", "warning", "info" or "off"',
        lambda v: isinstance(v, dict),
        _check_severity_table,
    ),
    "failure-threshold": _Key('"error", "warning" or "info"', lambda v: v in ("error", "warning", "info")),
    "exclude": _Key("a list of path globs", _string_list, _check_globs),
    "per-file-ignores": _Key(
        "a table of path glob to a list of rule codes", lambda v: isinstance(v, dict), _check_per_file_ignores
    ),
    "allowed-images": _Key("a list of image patterns", _string_list, _check_patterns),
    "private-registries": _Key("a list of image patterns", _string_list, _check_patterns),
    "require-digest": _Key("true or false", lambda v: isinstance(v, bool)),
    "today": _Key("a date (2026-11-30)", lambda v: _as_date(v) is not None),
    "max-file-size": _Key('a size in bytes, such as 10485760 or "50MB"', lambda v: as_size(v) is not None),
    "output-format": _Key("the name of an output format", lambda v: isinstance(v, str), _check_output_format),
}


def _type(value: Any) -> str:
    names = {
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a float",
        list: "a list",
        dict: "a table",
    }
    return names.get(type(value), type(value).__name__)


def validate(table: dict[str, Any], where: str) -> dict[str, Any]:
    """The table's keys checked against ``KEYS``; ``where`` prefixes every message."""
    for key, value in table.items():
        spec = KEYS.get(key)
        if spec is None and key == "tool" and isinstance(value, dict) and "valohai-image-lint" in value:
            raise ConfigError(
                f"{where}[{TABLE}] belongs in pyproject.toml; this file takes the keys at its top level"
            )
        if spec is None:
            import difflib

            folded = key.lower().replace("_", "-")
            close = [folded] if folded in KEYS else difflib.get_close_matches(folded, KEYS, n=1, cutoff=0.8)
            hint = f'; did you mean "{close[0]}"?' if close else ""
            raise ConfigError(f'{where}unknown key "{key}"{hint}')
        if not spec.accepts(value):
            odd = (
                [(i, v) for i, v in enumerate(value, 1) if not isinstance(v, str)]
                if isinstance(value, list)
                else []
            )
            if odd and spec.accepts([str(v) for v in value]):
                position, item = odd[0]
                raise ConfigError(f'{where}"{key}" must be {spec.expected}; item {position} is {_type(item)}')
            shown = f"{value!r}" if isinstance(value, (str, bool, int, float)) else _type(value)
            raise ConfigError(f'{where}"{key}" must be {spec.expected}, not {shown}')
        if spec.check is not None:
            spec.check(key, value, where)
    return dict(table)


# -- merging with the command line --------------------------------------------------------------


class CommandLine(NamedTuple):
    """What the command line says; None (or empty) where it says nothing."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    failure_threshold: str | None = None
    suppressions: bool = True
    today: str | None = None  # --today
    clock_today: str | None = None  # the real date, which the CLI reads; used when nothing pins one
    max_file_size: int | None = None  # --max-file-size, in bytes


def resolve(settings: FileSettings, cli: CommandLine) -> tuple[LintConfig, dict[str, str]]:
    """The settings for one file and, for each, where it came from (a path, "command line" or
    "default"). The command line overrides the file: its ``--select`` replaces the file's
    selection, its ``--extend-select`` and ``--ignore`` apply after the file's (so they can turn a
    rule back on or off), and its ``--failure-threshold`` replaces the file's."""
    values = settings.values
    source = settings.path or "default"

    def origin(in_file: bool, from_cli: bool) -> str:
        if in_file and from_cli:
            return f"{source} + command line"
        return "command line" if from_cli else source if in_file else "default"

    extend = tuple(values.get("extend-select", ()))
    if values.get("require-digest"):
        extend += ("VIL105",)
    severity: dict[str, Severity | None] = {}
    if values.get("severity"):
        from .rules import BY_CODE, BY_NAME  # the rules' modules: imported only when needed
    for rule, level in values.get("severity", {}).items():
        code = BY_CODE[rule.upper()].code if rule.upper() in BY_CODE else BY_NAME[rule.lower()].code
        severity[code] = None if level == "off" else Severity.from_label(level)
    sources = {
        "select": "command line" if cli.select is not None else origin("select" in values, False),
        "extend-select": origin(bool(extend), bool(cli.extend_select)),
        "ignore": origin("ignore" in values, bool(cli.ignore)),
        "failure-threshold": "command line"
        if cli.failure_threshold
        else origin("failure-threshold" in values, False),
        "suppressions": "default" if cli.suppressions else "command line",
    }
    for key in (
        "severity",
        "exclude",
        "per-file-ignores",
        "allowed-images",
        "private-registries",
        "require-digest",
    ):
        sources[key] = origin(key in values, False)
    config = LintConfig(
        select=tuple(values["select"]) if "select" in values else None,
        extend_select=extend,
        ignore=tuple(values.get("ignore", ())),
        failure_threshold=Severity.from_label(
            cli.failure_threshold or values.get("failure-threshold", "warning")
        ),
        severity=severity,
        allowed_images=tuple(values.get("allowed-images", ())),
        private_registries=tuple(values.get("private-registries", ())),
        require_digest=bool(values.get("require-digest", False)),
        exclude=tuple(values.get("exclude", ())),
        per_file_ignores=tuple(
            (glob, tuple(codes)) for glob, codes in values.get("per-file-ignores", {}).items()
        ),
        suppressions=cli.suppressions,
        root=settings.root,
        cli_select=cli.select,
        cli_extend_select=cli.extend_select,
        cli_ignore=cli.ignore,
        today=cli.today or (_as_date(values["today"]) if "today" in values else None) or cli.clock_today,
    )
    if cli.max_file_size is not None or "max-file-size" in values:
        size = cli.max_file_size or as_size(values["max-file-size"])
        assert size is not None  # validated
        config = config._replace(max_file_size=size)
    in_file = "max-file-size" in values
    sources["max-file-size"] = "command line" if cli.max_file_size else origin(in_file, False)
    sources["today"] = "command line" if cli.today else origin("today" in values, False)
    if sources["today"] == "default" and cli.clock_today:
        sources["today"] = "the clock"
    return config, sources


def for_path(config: LintConfig, path: str) -> LintConfig | None:
    """``config`` as it applies to ``path``: None when ``exclude`` excludes it, else with the
    codes of every matching ``per-file-ignores`` glob added to ``ignore``. Globs match the path
    relative to the config's folder (the current folder without a config file)."""
    if not config.exclude and not config.per_file_ignores:
        return config
    from .discovery import path_matches

    root = config.root or os.getcwd()
    relative = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
    if any(path_matches(glob, relative) for glob in config.exclude):
        return None
    extra = tuple(
        code for glob, codes in config.per_file_ignores if path_matches(glob, relative) for code in codes
    )
    return config._replace(path_ignore=extra) if extra else config
