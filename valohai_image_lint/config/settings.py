"""The resolved settings for linting one file: what config files and the command line say."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from types import MappingProxyType
from typing import NamedTuple

from ..model import Severity
from ..reading import MAX_FILE_SIZE

_NO_SEVERITIES: Mapping[str, Severity | None] = MappingProxyType({})
_NO_OPTIONS: Mapping[str, Hashable] = MappingProxyType({})


class RegistrySettings(NamedTuple):
    """How an online run talks to registries: the hosts it may reach over plain HTTP (besides
    loopback ones), the connect and read timeouts (seconds), how long what a tag points at is
    trusted from the facts cache (seconds), and how many lookups run at once."""

    insecure: tuple[str, ...] = ()
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    cache_ttl: float = 3600.0
    workers: int = 8


class LintConfig(NamedTuple):
    """Settings for one file.

    ``select`` None means the default rules; selectors are codes, prefixes, names or ALL.
    ``severity`` maps rule codes to a severity, or to None for "off". The ``cli_*`` selectors are
    applied after those (and after "off"), as the command line overrides config files:
    ``cli_select`` replaces the selection, ``cli_extend_select`` adds, ``cli_ignore`` removes.
    ``path_ignore`` (the codes ``per-file-ignores`` gives this file) is removed last.
    ``options`` holds the settings of the options rules declare (``option.Option``), by key, as
    each option's ``convert`` made them (``{"allowed-images": ("docker.io/library/*",)}``); an
    option not there has its default.
    ``per_file_ignores`` pairs path globs with selectors, matched against ``root``-relative paths
    (``root`` is the folder of the config file the settings came from). ``suppressions`` False
    reports everything, whatever ``# valohai-image-lint: ignore[...]`` comments say.
    """

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    failure_threshold: Severity = Severity.WARNING
    severity: Mapping[str, Severity | None] = _NO_SEVERITIES
    options: Mapping[str, Hashable] = _NO_OPTIONS
    require_digest: bool = False
    exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    per_image_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()  # image pattern, selectors
    suppressions: bool = True
    root: str | None = None
    cli_select: tuple[str, ...] | None = None
    cli_extend_select: tuple[str, ...] = ()
    cli_ignore: tuple[str, ...] = ()
    path_ignore: tuple[str, ...] = ()
    today: str | None = None  # YYYY-MM-DD: the date end-of-life rules judge by (None: the real date)
    max_file_size: int = MAX_FILE_SIZE  # bytes: a bigger file is refused unread
    online: bool = False  # ask the images' registries (--online, online = true)
    fixable: tuple[str, ...] | None = None  # selectors of the rules --fix may fix (None: all)
    unfixable: tuple[str, ...] = ()  # selectors of the rules --fix leaves alone
    registry: RegistrySettings = RegistrySettings()
