"""The keys a config file may hold, and ``validate``, which says exactly what is wrong with one.

``RUN_KEYS`` are the keys of the run that no rule reads (the selection, paths, output); the
rest are the options the rules declare (``Rule.options``), collected from ``rules.ALL_RULES``
into ``RULE_OPTIONS``. ``KEYS`` is both, by key.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..escape import one_line
from ..rule import Rule
from ..rules import ALL_RULES, BY_CODE, BY_NAME
from .errors import ConfigError
from .location import TABLE
from .option import Option
from .values import as_date, as_seconds, as_size, string_list, type_name

SEVERITY_WORDS = ("error", "warning", "info", "off")
_RULE_CODES = "a list of rule codes"


def _string(value: Any) -> bool:
    return isinstance(value, str)


def _check_selectors(key: str, value: list[str], where: str) -> None:
    from ..selection import UnknownSelector, expand

    for selector in value:
        try:
            expand(selector, ALL_RULES)
        except UnknownSelector as exc:
            raise ConfigError(f'{where}"{key}": {exc}') from None


def _check_severity_table(key: str, value: dict[str, Any], where: str) -> None:
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
    from ..discovery import check_path_glob

    for glob in globs:
        problem = check_path_glob(glob)
        if problem is not None:
            raise ConfigError(f'{where}"{key}": "{glob}" is {problem}')


def _check_output_format(key: str, value: str, where: str) -> None:
    from ..option_reader import FORMAT_NAMES as FORMATS

    if value not in FORMATS:
        raise ConfigError(f'{where}"{key}" must be one of {", ".join(FORMATS)}, not {value!r}')


def _check_per_file_ignores(key: str, value: dict[str, Any], where: str) -> None:
    _check_globs(key, value, where)
    for glob, codes in value.items():
        if not string_list(codes):
            raise ConfigError(f'{where}"{key}": "{glob}" must be {_RULE_CODES}, not {type_name(codes)}')
        _check_selectors(f"{key}.{glob}", codes, where)


def _check_per_image_ignores(key: str, value: dict[str, Any], where: str) -> None:
    from ..patterns import ImagePattern, InvalidPattern

    for text, codes in value.items():
        try:
            ImagePattern.parse(text)
        except InvalidPattern as exc:
            raise ConfigError(f'{where}"{key}": {exc}') from None
        if not string_list(codes):
            raise ConfigError(f'{where}"{key}": "{text}" must be {_RULE_CODES}, not {type_name(codes)}')
        _check_selectors(f"{key}.{text}", codes, where)


_SECONDS = "a number of seconds, more than 0 and at most 600"


def _ttl(value: Any) -> float | None:
    return 0.0 if value == 0 and not isinstance(value, bool) else as_seconds(value, 10**9)


def _workers(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 64 else None


def _check_registry_hosts(key: str, value: list[str], where: str) -> None:
    import re

    for host in value:
        if not re.fullmatch(r"[A-Za-z0-9.-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:]+\](:[0-9]{1,5})?", host):
            raise ConfigError(
                f'{where}"{key}": "{one_line(host)}" is not a registry host such as registry.local:5000'
            )


RUN_KEYS: tuple[Option[Any], ...] = (
    Option("select", _RULE_CODES, string_list, check=_check_selectors),
    Option("extend-select", _RULE_CODES, string_list, check=_check_selectors),
    Option("ignore", _RULE_CODES, string_list, check=_check_selectors),
    Option(
        "severity",
        'a table of rule code to "error", "warning", "info" or "off"',
        lambda v: isinstance(v, dict),
        check=_check_severity_table,
    ),
    Option("failure-threshold", '"error", "warning" or "info"', lambda v: v in ("error", "warning", "info")),
    Option("exclude", "a list of path globs", string_list, check=_check_globs),
    Option(
        "per-file-ignores",
        "a table of path glob to a list of rule codes",
        lambda v: isinstance(v, dict),
        check=_check_per_file_ignores,
    ),
    Option(
        "per-image-ignores",
        "a table of image pattern to a list of rule codes",
        lambda v: isinstance(v, dict),
        check=_check_per_image_ignores,
    ),
    Option("require-digest", "true or false", lambda v: isinstance(v, bool)),
    Option("today", "a date (2026-11-30)", lambda v: as_date(v) is not None),
    Option("max-file-size", 'a size in bytes, such as 10485760 or "50MB"', lambda v: as_size(v) is not None),
    Option("output-format", "the name of an output format", _string, check=_check_output_format),
    Option("online", "true or false", lambda v: isinstance(v, bool)),
    Option("fixable", _RULE_CODES, string_list, check=_check_selectors),
    Option("unfixable", _RULE_CODES, string_list, check=_check_selectors),
    Option(
        "insecure-registries",
        "a list of registry hosts (host or host:port)",
        string_list,
        check=_check_registry_hosts,
    ),
    Option("connect-timeout", _SECONDS, lambda v: as_seconds(v, 600) is not None),
    Option("read-timeout", _SECONDS, lambda v: as_seconds(v, 600) is not None),
    Option("registry-cache-ttl", "a number of seconds (0: ask every run)", lambda v: _ttl(v) is not None),
    Option("registry-workers", "an integer from 1 to 64", lambda v: _workers(v) is not None),
)
"""The keys no rule reads: ``resolve`` and the CLI read them, each in its own way."""


def declared_options(rules: Iterable[Rule]) -> tuple[Option[Any], ...]:
    """The options ``rules`` declare, each once, in rule order. Two options may not share a
    key, nor take a run-level key's."""
    by_key: dict[str, Option[Any]] = {key.key: key for key in RUN_KEYS}
    declared: list[Option[Any]] = []
    for rule in rules:
        for option in rule.options:
            known = by_key.setdefault(option.key, option)
            if known is not option:
                raise ValueError(f'{rule.title} declares option "{option.key}", which is already declared')
            if option not in declared:
                declared.append(option)
    return tuple(declared)


RULE_OPTIONS = declared_options(ALL_RULES)
"""The options the rules read, in rule order (``--show-settings`` lists them so)."""
KEYS: dict[str, Option[Any]] = {option.key: option for option in (*RUN_KEYS, *RULE_OPTIONS)}


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
                problem = f"item {position} is {type_name(item)}"
                raise ConfigError(f'{where}"{key}" must be {spec.expected}; {problem}')
            shown = f"{value!r}" if isinstance(value, (str, bool, int, float)) else type_name(value)
            raise ConfigError(f'{where}"{key}" must be {spec.expected}, not {shown}')
        if spec.check is not None:
            spec.check(key, value, where)
    return dict(table)
