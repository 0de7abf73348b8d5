"""A run answered wholly from the result cache, before anything heavy is imported.

Pre-commit, CI and editors mostly lint files that have not changed since the last run. When the
command line names only files and options this module understands, and every file has an entry
in the result cache under the very key the full run would compute (see ``result_cache``), this
module prints what the full run would print and returns its exit code. It imports only
``reading``, ``config_location``, ``result_cache``, ``cache_file`` and ``plain_text``: no
argparse, ``typing``, ``re``, ``enum``, JSON, TOML, rules or model, which are most of a run's
start-up.

Anything else returns None and the full run does the work, reporting any error itself: an option
not listed below (or abbreviated, or ``--help``), a directory, standard input, ``--no-cache``,
an output format other than concise (or GitHub annotations), a file it cannot read, a config
file for the current folder that no linted file uses, any miss. A wrong guess can only cost a
miss: the key holds the config file's path and bytes, the options, the date, the file's text
and the code's fingerprint, so an entry found was stored by a full run of the same inputs,
which validated them. It never writes the cache.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import TextIO

_FLAGS = frozenset({"--isolated", "--no-suppressions", "--exit-zero"})
_REPEATED = frozenset({"--select", "--extend-select", "--ignore"})  # each use adds selectors
_VALUED = frozenset(
    {"--failure-threshold", "--config", "--today", "--max-file-size", "--output-format", "--color"}
)
_CHOICES = {
    "--failure-threshold": ("error", "warning", "info"),
    "--color": ("auto", "always", "never"),
    "--output-format": ("concise",),  # the others are the full run's
}


class _Options:
    """The command line as far as a cached run reads it."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.flags: set[str] = set()
        self.selectors: dict[str, list[list[str]]] = {}
        self.values: dict[str, str] = {}


def _read_options(argv: Sequence[str]) -> _Options | None:
    """The options, as argparse would read them, or None for anything this module leaves to it."""
    from .cli import split_selectors

    options = _Options()
    index = 0
    while index < len(argv):
        argument = argv[index]
        index += 1
        if not argument.startswith("-"):
            options.paths.append(argument)
            continue
        name, equals, value = argument.partition("=")
        if name in _FLAGS and not equals:
            options.flags.add(name)
            continue
        if name not in _REPEATED and name not in _VALUED:
            return None  # --help, --no-cache, '-', an abbreviation, a typo: argparse's to answer
        if not equals:
            if index == len(argv) or argv[index].startswith("-"):
                return None
            value = argv[index]
            index += 1
        if name in _CHOICES and value not in _CHOICES[name]:
            return None
        if name in _REPEATED:
            selectors = split_selectors(value)
            if not selectors:
                return None
            options.selectors.setdefault(name, []).append(selectors)
        else:
            options.values[name] = value  # the last one wins, as in argparse
    contradictory = "--config" in options.values and "--isolated" in options.flags
    if not options.paths or options.paths[0] == "rule" or contradictory:
        return None
    return options


def _today(value: str | None) -> tuple[bool, str | None]:
    """``--today`` as the full run holds it, when it is plainly ``YYYY-MM-DD``."""
    if value is None:
        return True, None
    plain = len(value) == 10 and value[4] == value[7] == "-" and value.replace("-", "").isdigit()
    return plain and value.isascii(), value


def _size(value: str | None) -> tuple[bool, int | None]:
    """``--max-file-size`` as the full run holds it, when it is plain digits."""
    if value is None:
        return True, None
    return value.isascii() and value.isdigit(), int(value) if value.isascii() and value.isdigit() else None


def answer(argv: Sequence[str], out: TextIO, err: TextIO) -> int | None:
    """The exit code of the run, having printed its output, or None when the cache cannot answer."""
    options = _read_options(argv)
    if options is None:
        return None
    from .cache_file import default_directory

    directory = default_directory()
    chosen_format = options.values.get("--output-format")
    if directory is None or (chosen_format is None and os.environ.get("GITHUB_ACTIONS") == "true"):
        return None
    today_ok, today = _today(options.values.get("--today"))
    size_ok, max_file_size = _size(options.values.get("--max-file-size"))
    if not today_ok or not size_ok:
        return None

    from .cli import clock_today, config_bytes, flatten
    from .config_location import first_candidate
    from .reading import MAX_FILE_SIZE, PathError, is_python_source, nearest_config_text, read_config
    from .result_cache import ResultCache, settings_key

    run_date = clock_today()

    def settings_of(config: str | None) -> str:
        return settings_key(
            config,
            config_bytes(config),
            select=flatten(options.selectors.get("--select")),
            extend_select=flatten(options.selectors.get("--extend-select")) or (),
            ignore=flatten(options.selectors.get("--ignore")) or (),
            failure_threshold=options.values.get("--failure-threshold"),
            suppressions="--no-suppressions" not in options.flags,
            today=today,
            clock_today=run_date,
            max_file_size=max_file_size,
        )

    fixed = options.values.get("--config")
    isolated = "--isolated" in options.flags

    def config_of(path: str) -> str | None:
        if fixed is not None:
            return os.path.abspath(fixed)
        return None if isolated else first_candidate(path)

    results = ResultCache(directory)
    max_bytes = max_file_size or MAX_FILE_SIZE
    settings: dict[str | None, str] = {}
    yaml_texts: dict[str, str | None] = {}
    output_formats: dict[str | None, str | None] = {}  # per config file used, from its entries
    rows: list[tuple[str, int, int, str, str, int]] = []
    failing = False
    for path in sorted(dict.fromkeys(os.path.normpath(path) for path in options.paths)):
        config = config_of(path)
        if config not in settings:
            settings[config] = settings_of(config)
        try:
            text = read_config(path, max_bytes)
        except PathError:
            return None
        nearest = nearest_config_text(path, yaml_texts, max_bytes) if is_python_source(path) else None
        extra = "" if nearest is None else f"{nearest[0]}\0{nearest[1]}"
        entry = results.entry(path, results.key(path, text, settings[config], extra))
        if entry is None:
            return None
        try:
            for item in entry[1]:
                span, code, _name, severity, message = item[:5]
                rows.append((path, int(span[0]), int(span[1]), str(code), str(message), int(severity)))
        except (TypeError, ValueError, IndexError):
            return None  # written by something else: the full run lints again
        failing = failing or bool(entry[2])
        output_formats[config] = entry[3]
    here = config_of(os.path.join(os.getcwd(), "valohai.yaml"))
    if here is not None and here not in output_formats:
        return None  # the full run reads (and checks) that config for its output-format
    if (chosen_format or output_formats.get(here) or "concise") != "concise":
        return None
    _write(rows, out, err)
    return 1 if failing and "--exit-zero" not in options.flags else 0


def _write(rows: list[tuple[str, int, int, str, str, int]], out: TextIO, err: TextIO) -> None:
    """The concise lines in the full run's order (path, line, column, code; ties as stored)."""
    from .cli import silence
    from .plain_text import concise_line, summary

    rows.sort(key=lambda row: row[:4])
    try:
        out.writelines(concise_line(*row[:5]) + "\n" for row in rows)
        out.flush()
    except BrokenPipeError:
        silence(out)
    if rows:
        err.write(summary((row[5] for row in rows), len({row[0] for row in rows})))
