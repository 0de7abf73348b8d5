"""The settings for one file: a config file's keys merged with the command line (``resolve``),
then narrowed to one path by ``exclude`` and ``per-file-ignores`` (``for_path``)."""

from __future__ import annotations

import os
from collections.abc import Hashable, Mapping
from typing import TYPE_CHECKING, Any

from ..model import Severity
from . import keys
from .files import FileSettings
from .settings import LintConfig, RegistrySettings
from .values import as_date, as_size

if TYPE_CHECKING:
    from ..option_reader import CommandLine


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
        from ..rules import BY_CODE, BY_NAME
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
    for key in ("severity", "exclude", "per-file-ignores", "per-image-ignores", "require-digest"):
        sources[key] = origin(key in values, False)
    options: dict[str, Hashable] = {}
    for option in keys.RULE_OPTIONS:
        sources[option.key] = origin(option.key in values, False)
        if option.key in values:
            options[option.key] = option.convert(values[option.key])
    config = LintConfig(
        select=tuple(values["select"]) if "select" in values else None,
        extend_select=extend,
        ignore=tuple(values.get("ignore", ())),
        failure_threshold=Severity.from_label(
            cli.failure_threshold or values.get("failure-threshold", "warning")
        ),
        severity=severity,
        options=options,
        require_digest=bool(values.get("require-digest", False)),
        exclude=tuple(values.get("exclude", ())),
        per_file_ignores=tuple(
            (glob, tuple(codes)) for glob, codes in values.get("per-file-ignores", {}).items()
        ),
        per_image_ignores=tuple(
            (pattern, tuple(codes)) for pattern, codes in values.get("per-image-ignores", {}).items()
        ),
        suppressions=cli.suppressions,
        root=settings.root,
        cli_select=cli.select,
        cli_extend_select=cli.extend_select,
        cli_ignore=cli.ignore,
        today=cli.today or (as_date(values["today"]) if "today" in values else None) or cli.clock_today,
    )
    if cli.max_file_size is not None or "max-file-size" in values:
        size = cli.max_file_size or as_size(values["max-file-size"])
        assert size is not None  # validated
        config = config._replace(max_file_size=size)
    online = cli.online if cli.online is not None else bool(values.get("online", False))
    config = config._replace(
        online=online,
        registry=_registry(values),
        fixable=tuple(values["fixable"]) if "fixable" in values else None,
        unfixable=tuple(values.get("unfixable", ())),
    )
    sources["online"] = "command line" if cli.online is not None else origin("online" in values, False)
    for key in _REGISTRY_KEYS:
        sources[key] = origin(key in values, False)
    in_file = "max-file-size" in values
    sources["max-file-size"] = "command line" if cli.max_file_size else origin(in_file, False)
    sources["today"] = "command line" if cli.today else origin("today" in values, False)
    if sources["today"] == "default" and cli.clock_today:
        sources["today"] = "the clock"
    return config, sources


_REGISTRY_KEYS = (
    "fixable",
    "unfixable",
    "insecure-registries",
    "connect-timeout",
    "read-timeout",
    "registry-cache-ttl",
    "registry-workers",
)


def _registry(values: Mapping[str, Any]) -> RegistrySettings:
    """How an online run talks to registries, from the config file's keys (validated)."""
    default = RegistrySettings()
    return RegistrySettings(
        insecure=tuple(values.get("insecure-registries", ())),
        connect_timeout=float(values.get("connect-timeout", default.connect_timeout)),
        read_timeout=float(values.get("read-timeout", default.read_timeout)),
        cache_ttl=float(values.get("registry-cache-ttl", default.cache_ttl)),
        workers=int(values.get("registry-workers", default.workers)),
    )


def for_path(config: LintConfig, path: str) -> LintConfig | None:
    """``config`` as it applies to ``path``: None when ``exclude`` excludes it, else with the
    codes of every matching ``per-file-ignores`` glob added to ``ignore``. Globs match the path
    relative to the config's folder (the current folder without a config file)."""
    if not config.exclude and not config.per_file_ignores:
        return config
    from ..discovery import path_matches

    root = config.root or os.getcwd()
    relative = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
    if any(path_matches(glob, relative) for glob in config.exclude):
        return None
    extra = tuple(
        code for glob, codes in config.per_file_ignores if path_matches(glob, relative) for code in codes
    )
    return config._replace(path_ignore=extra) if extra else config
