"""What ``--show-settings`` prints: the settings that apply to one file, each as TOML, with
where it came from. Rows are the run-level settings, with the options the rules declare
(``keys.RULE_OPTIONS``, each shown by its ``show``) among them. Paths are shown as
``escape.shown_path`` shows them; values are TOML (JSON's) strings, which escape every character
that is not printable ASCII."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from ..escape import one_line, shown_path
from . import keys
from .errors import ConfigError
from .files import FileSettings
from .resolve import for_path, resolve

if TYPE_CHECKING:
    from ..option_reader import CommandLine


def show_settings(
    target: str,
    settings_for: Callable[[str], FileSettings],
    command_line: CommandLine,
    out: TextIO,
    error: Callable[[str], None],
    output_format: str | None = None,
) -> bool:
    """Print the settings that apply to a file (or to a valohai.yaml in a folder) and their
    sources; False, with ``error`` told why, when there is no such file or its config is bad.
    ``output_format`` is the command line's ``--output-format``, if given."""
    if not os.path.exists(target):
        error(f"{target}: no such file or directory")
        return False
    probe = os.path.normpath(os.path.join(target, "valohai.yaml") if os.path.isdir(target) else target)
    try:
        settings = settings_for(probe)
        config, sources = resolve(settings, command_line)
    except ConfigError as exc:
        error(str(exc))
        return False
    applied = for_path(config, probe)
    out.write(f"Settings for {shown_path(probe)}\n")
    out.write(f"config file: {shown_path(settings.path) if settings.path else '(none: defaults)'}\n")
    if applied is None:
        out.write("excluded: yes (by exclude); this file is not linted\n")
    path_ignore = applied.path_ignore if applied is not None else ()
    select = config.cli_select if config.cli_select is not None else config.select
    shown: dict[str, object] = {
        "select": list(select) if select is not None else "(the default rules)",
        "extend-select": list(config.extend_select + config.cli_extend_select),
        "ignore": list(config.ignore + config.cli_ignore + path_ignore),
        "severity": {code: level.label if level else "off" for code, level in config.severity.items()},
        "failure-threshold": config.failure_threshold.label,
        "exclude": list(config.exclude),
        "per-file-ignores": {glob: list(codes) for glob, codes in config.per_file_ignores},
    }
    for option in keys.RULE_OPTIONS:
        shown[option.key] = option.show(config.options.get(option.key, option.default))
    shown |= {
        "per-image-ignores": {pattern: list(codes) for pattern, codes in config.per_image_ignores},
        "require-digest": config.require_digest,
        "today": config.today,
        "max-file-size": config.max_file_size,
        "suppressions": config.suppressions,
        "fixable": list(config.fixable) if config.fixable is not None else ["ALL"],
        "unfixable": list(config.unfixable),
        "online": config.online,
        "insecure-registries": list(config.registry.insecure),
        "connect-timeout": config.registry.connect_timeout,
        "read-timeout": config.registry.read_timeout,
        "registry-cache-ttl": config.registry.cache_ttl,
        "registry-workers": config.registry.workers,
    }
    configured = settings.values.get("output-format")
    shown["output-format"] = output_format or configured or "concise"
    if output_format is not None:
        sources["output-format"] = "command line"
    elif configured is not None:
        sources["output-format"] = str(settings.path)
    if path_ignore:
        per_file = f"per-file-ignores in {shown_path(str(settings.path))}"
        before = sources["ignore"]
        sources["ignore"] = per_file if before == "default" else f"{before} + {per_file}"
    width = max(len(key) for key in shown)
    for key, value in shown.items():
        source = _shown_source(sources.get(key, "default"), settings.path)
        out.write(f"{key:<{width}} = {toml_value(value)}    # {source}\n")
    return True


def _shown_source(source: str, path: str | None) -> str:
    """Where a setting came from (the config file's path, "command line", "default"...), its path
    as ``shown_path`` shows it."""
    if path and source.startswith(path):
        return shown_path(path) + one_line(source[len(path) :])
    return one_line(source)


def toml_value(value: object) -> str:
    """``value`` (a string, number, boolean, None, list or dict of those) as TOML writes it;
    None as ``null``."""
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)
