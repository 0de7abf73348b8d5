"""A run answered wholly from the result cache, before anything heavy is imported.

Pre-commit, CI and editors mostly lint files that have not changed since the last run. When the
command line names only files and options this module understands, and every file has an entry
in the result cache under the very key the full run would compute (see ``cache.results``), this
module prints what the full run would print and returns its exit code. It imports only
``options``, ``reading``, ``config_location``, ``cache.files``, ``cache.results``, ``cache.records``
and ``plain_text``: no argparse, ``typing``, ``re``, ``enum``, JSON, TOML, rules or model, which
are most of a run's start-up.

Anything else returns None and the full run does the work, reporting any error itself: a command
line ``options`` leaves to argparse, no path, a directory, standard input, ``--no-cache``,
``--statistics``,
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


def answer(argv: Sequence[str], out: TextIO, err: TextIO) -> int | None:
    """The exit code of the run, having printed its output, or None when the cache cannot answer."""
    from .options import read_options, settings_options

    options = read_options(argv)
    if options is None or options.no_cache or options.statistics or options.list_rules:
        return None
    if not options.paths or argv[0] == "rule" or "-" in options.paths or options.stdin_filename is not None:
        return None  # the current folder (discovery's), a rule's page, standard input
    if options.config is not None and options.isolated:
        return None  # a usage error
    from .cache.files import default_directory

    directory = default_directory()
    chosen_format = options.output_format
    if chosen_format is None and os.environ.get("GITHUB_ACTIONS") == "true":
        return None  # the full run adds GitHub annotations
    if directory is None or chosen_format not in (None, "concise"):
        return None

    from .cache.results import ResultCache, settings_key
    from .cli import clock_today
    from .config_location import first_candidate
    from .reading import (
        MAX_FILE_SIZE,
        PathError,
        is_python_source,
        nearest_config_key,
        nearest_config_text,
        read_bytes,
        read_config,
    )

    from_command_line = settings_options(options, clock_today())

    def settings_of(config: str | None) -> str:
        return settings_key(config, read_bytes(config) if config is not None else None, from_command_line)

    fixed = options.config
    isolated = options.isolated

    def config_of(path: str) -> str | None:
        if fixed is not None:
            return os.path.abspath(fixed)
        return None if isolated else first_candidate(path)

    results = ResultCache(directory)
    max_bytes = options.max_file_size or MAX_FILE_SIZE
    settings: dict[str | None, str] = {}
    yaml_texts: dict[tuple[str, int], str | None] = {}
    output_formats: dict[str | None, str | None] = {}  # per config file used, from its entries
    rows: list[tuple[str, int, int, str, str, int]] = []
    failing = False
    if any(os.path.isdir(path) or not os.path.lexists(path) for path in options.paths):
        return None  # as discovery judges the paths as given: `valohai.yaml/` is no file
    for path in sorted(dict.fromkeys(os.path.normpath(path) for path in options.paths)):
        config = config_of(path)
        if config not in settings:
            settings[config] = settings_of(config)
        try:
            text = read_config(path, max_bytes)
        except PathError:
            return None
        nearest = nearest_config_text(path, yaml_texts, max_bytes) if is_python_source(path) else None
        if nearest is not None and nearest[1] is None:
            return None  # unreadable under the default limit, which a config may raise
        stored = results.lookup(path, results.key(path, text, settings[config], nearest_config_key(nearest)))
        if stored is None:
            return None  # a miss, or an entry written by something else: the full run lints again
        for diagnostic in stored.diagnostics:
            rows.append((path, diagnostic.line, diagnostic.column, diagnostic.code, diagnostic.message,
                         diagnostic.severity))
        failing = failing or stored.failing
        output_formats[config] = stored.output_format
    here = config_of(os.path.join(os.getcwd(), "valohai.yaml"))
    if here is not None and here not in output_formats:
        return None  # the full run reads (and checks) that config for its output-format
    if (chosen_format or output_formats.get(here) or "concise") != "concise":
        return None
    _write(rows, out, err)
    return 1 if failing and not options.exit_zero else 0


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
