"""The command line: parse arguments, wire the parts, choose the exit code.

Exit codes: 0 clean (or only findings below the failure threshold), 1 findings at or above it,
2 a usage error or a file that could not be read. The same in every output format.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # the annotations only: typing and the model cost a run many milliseconds
    from collections.abc import Mapping, Sequence
    from typing import Any, TextIO

    from .config import LintConfig
    from .model import Diagnostic, StepImage

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
PROG = "valohai-image-lint"


class UsageError(Exception):
    pass


def _print_rule(code: str, out: TextIO, err: TextIO) -> int:
    from .rule_pages import page
    from .rules import BY_CODE, BY_NAME

    rule = BY_CODE.get(code.upper()) or BY_NAME.get(code.lower())
    if rule is None:
        _error(err, f"unknown rule {code!r}; see '{PROG} --list-rules'")
        return EXIT_ERROR
    out.write(page(rule))
    return EXIT_CLEAN


def _list_rules(out: TextIO) -> int:
    from .rules import ALL_RULES

    for rule in ALL_RULES:
        state = rule.severity.label if rule.enabled_by_default else "off"
        out.write(f"{rule.code}  {rule.name:<22} {state:<8} {rule.summary}\n")
    return EXIT_CLEAN


def run(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    if argv[:1] == ["rule"]:
        if argv[1:] == ["--all"]:
            from .rule_pages import all_pages

            out.write(all_pages())
            return EXIT_CLEAN
        if len(argv) != 2:
            raise UsageError("usage: valohai-image-lint rule CODE (or rule --all)")
        return _print_rule(argv[1], out, err)
    from .options import read_options, settings_options

    args: Any = read_options(argv)
    if args is None:  # what only argparse reads, or rejects with its message
        from .arguments import build_parser

        args = build_parser().parse_args(list(argv))
    if args.list_rules:
        return _list_rules(out)

    from .cache.files import default_directory
    from .cache.references import ReferenceCache
    from .cache.results import ResultCache, settings_key
    from .config_file import CommandLine, ConfigError, ConfigFinder, FileSettings, for_path, resolve
    from .discovery import discover
    from .model import INTERNAL_ERROR_CODE
    from .reading import (
        PathError,
        is_python_source,
        nearest_config_key,
        nearest_config_text,
        read_config,
        read_stream,
    )
    from .reporters import Report, get_reporter
    from .reporters.statistics import STATISTICS_FORMATS, write_statistics

    from_command_line = settings_options(args, clock_today())
    command_line = CommandLine(**from_command_line.as_dict())
    if command_line.select is not None or command_line.extend_select or command_line.ignore:
        from .linter import enabled_rules  # the rules' registry, to check the selectors
        from .selection import UnknownSelector

        try:
            enabled_rules(resolve(FileSettings(None), command_line)[0])
        except UnknownSelector as exc:
            raise UsageError(str(exc)) from None
    if args.config and args.isolated:
        raise UsageError("--config and --isolated contradict each other; choose one")

    finder = ConfigFinder()
    try:
        fixed = finder.load(args.config) if args.config else FileSettings(None) if args.isolated else None
    except ConfigError as exc:
        _error(err, str(exc))
        return EXIT_ERROR

    def settings_for(path: str) -> FileSettings:
        return fixed if fixed is not None else finder.for_file(path)

    if args.show_settings is not None:
        if args.paths:
            raise UsageError("--show-settings takes one PATH; lint paths cannot be given with it")
        return _show_settings(args.show_settings, settings_for, command_line, out, err)

    from_stdin = "-" in args.paths
    if from_stdin:
        if args.paths != ["-"] or not args.stdin_filename:
            raise UsageError("'-' reads standard input: give it alone, with --stdin-filename PATH")
    elif args.stdin_filename:
        raise UsageError("--stdin-filename goes with '-' as the path")

    try:
        output_format, annotate = _output_format(args.output_format, settings_for)
    except ConfigError as exc:
        _error(err, str(exc))
        return EXIT_ERROR
    if args.statistics and output_format not in STATISTICS_FORMATS:
        raise UsageError(f"--statistics prints {', '.join(STATISTICS_FORMATS)}; not {output_format}")
    cache_directory = None if args.no_cache else default_directory()
    references = ReferenceCache(cache_directory)
    results = ResultCache(cache_directory)
    errors: list[PathError] = []
    if from_stdin:
        paths = [args.stdin_filename]
    else:
        paths, errors = discover(args.paths)
    problems: list[str] = [str(error) for error in errors]
    diagnostics: list[Diagnostic] = []
    linted: list[str] = []
    sources: dict[str, str] = {}
    failing = False
    broken = False  # a VIL999: a bug of ours, which exits 2 like any error the user did not cause
    resolved: dict[str | None, tuple[LintConfig, str]] = {}  # per config file: most files share one
    steps_cache: dict[str, Mapping[str, StepImage]] = {}  # per valohai.yaml
    yaml_texts: dict[tuple[str, int], str | None] = {}  # nearest valohai.yaml per limit, read once
    last = None  # the last document composed, when Python files need a valohai.yaml's steps too
    if any(is_python_source(path) for path in paths):
        from .linter import LastDocument

        last = LastDocument()
    for path in paths:
        try:
            settings = settings_for(path)
            if settings.path not in resolved:
                resolved[settings.path] = (
                    resolve(settings, command_line)[0],
                    settings_key(settings.path, settings.raw, from_command_line),
                )
            config = for_path(resolved[settings.path][0], path)
        except ConfigError as exc:
            problems.append(str(exc))
            continue
        if config is None:
            continue  # excluded by the config
        try:
            if from_stdin:
                text = read_stream(path, sys.stdin.buffer, config.max_file_size)
            else:
                text = read_config(path, config.max_file_size)
        except PathError as exc:
            problems.append(str(exc))
            continue
        python = is_python_source(path)
        nearest = nearest_config_text(path, yaml_texts, config.max_file_size) if python else None
        key = results.key(path, text, resolved[settings.path][1], nearest_config_key(nearest))
        cached = results.get(path, key)
        if cached is not None:
            found = cached
        elif python:
            from .linter import lint_python, step_images

            steps = None
            if nearest is not None and nearest[1] is not None:
                if nearest[0] not in steps_cache:
                    steps_cache[nearest[0]] = step_images(nearest[1], nearest[0], references.parse, last)
                steps = steps_cache[nearest[0]]
            found = lint_python(text, path, config, references.parse, steps)
        else:
            from .linter import lint_text

            found = lint_text(text, path, config, references.parse, last)
        fails = any(d.severity >= config.failure_threshold for d in found)
        if cached is None:
            results.put(path, key, found, fails, settings.values.get("output-format"))
        linted.append(path)
        if found:
            sources[path] = text
        failing = failing or fails
        broken = broken or any(d.code == INTERNAL_ERROR_CODE for d in found)
        diagnostics.extend(found)
    references.save()
    results.save()
    diagnostics.sort(key=lambda d: d.sort_key)

    try:
        if args.statistics:
            write_statistics(diagnostics, output_format, out)
        else:
            color = _use_color(args.color, out)
            report = Report(diagnostics, linted, sources, _report_root(), color, tuple(problems))
            get_reporter(output_format).write(report, out)
            if annotate:
                get_reporter("github").write(report, out)
        out.flush()
    except BrokenPipeError:
        silence(out)  # the reader left (`| head`); the exit code still tells the truth
    for problem in dict.fromkeys(problems):
        _error(err, problem)
    if diagnostics and output_format in ("concise", "full") and not args.statistics:
        from .plain_text import summary

        err.write(summary((d.severity for d in diagnostics), len({d.path for d in diagnostics})))
    if problems or broken:
        return EXIT_ERROR
    return EXIT_FINDINGS if failing and not args.exit_zero else EXIT_CLEAN


def _error(err: TextIO, message: str) -> None:
    """One line on ``err``: a path or value holding a line break or a control character is
    shown escaped, so an error never spans lines or steers the terminal."""
    from .escape import one_line

    err.write(f"{PROG}: error: {one_line(message)}\n")


def clock_today() -> str:
    """The real date, read here so that no rule ever reads the clock."""
    import time

    return time.strftime("%Y-%m-%d")  # the local date, as date.today() gives it


def _output_format(chosen: str | None, settings_for: Any) -> tuple[str, bool]:
    """The format (the command line's, else the config's found from the current folder, else
    concise) and whether to add GitHub annotations: on GitHub Actions when no format was chosen."""
    import os

    if chosen is not None:
        return chosen, False
    configured = settings_for(os.path.join(os.getcwd(), "valohai.yaml")).values.get("output-format")
    if configured is not None:
        return str(configured), False
    return "concise", os.environ.get("GITHUB_ACTIONS") == "true"


def _report_root() -> str:
    """Where machine formats (SARIF, GitLab, JUnit) make paths relative to: the repository root
    above the current folder, so that fingerprints do not depend on where the tool was run."""
    import os

    from .reading import repository_root

    return repository_root(os.getcwd()) or "."


def _use_color(choice: str, out: TextIO) -> bool:
    import os

    if choice != "auto":
        return choice == "always"
    return not os.environ.get("NO_COLOR") and hasattr(out, "isatty") and out.isatty()


def _show_settings(target: str, settings_for: Any, command_line: Any, out: TextIO, err: TextIO) -> int:
    """Print the settings that apply to a file (or to a valohai.yaml in a folder) and their sources."""
    import os

    from .config_file import ConfigError, for_path, resolve

    if not os.path.exists(target):
        _error(err, f"{target}: no such file or directory")
        return EXIT_ERROR
    probe = os.path.normpath(os.path.join(target, "valohai.yaml") if os.path.isdir(target) else target)
    try:
        settings = settings_for(probe)
        config, sources = resolve(settings, command_line)
    except ConfigError as exc:
        _error(err, str(exc))
        return EXIT_ERROR
    applied = for_path(config, probe)
    out.write(f"Settings for {probe}\n")
    out.write(f"config file: {settings.path or '(none: defaults)'}\n")
    if applied is None:
        out.write("excluded: yes (by exclude); this file is not linted\n")
    path_ignore = applied.path_ignore if applied is not None else ()
    select = config.cli_select if config.cli_select is not None else config.select
    shown = {
        "select": list(select) if select is not None else "(the default rules)",
        "extend-select": list(config.extend_select + config.cli_extend_select),
        "ignore": list(config.ignore + config.cli_ignore + path_ignore),
        "severity": {code: level.label if level else "off" for code, level in config.severity.items()},
        "failure-threshold": config.failure_threshold.label,
        "exclude": list(config.exclude),
        "per-file-ignores": {glob: list(codes) for glob, codes in config.per_file_ignores},
        "allowed-images": list(config.allowed_images),
        "private-registries": list(config.private_registries),
        "require-digest": config.require_digest,
        "today": config.today,
        "max-file-size": config.max_file_size,
        "suppressions": config.suppressions,
    }
    if path_ignore:
        per_file = f"per-file-ignores in {settings.path}"
        before = sources["ignore"]
        sources["ignore"] = per_file if before == "default" else f"{before} + {per_file}"
    width = max(len(key) for key in shown)
    for key, value in shown.items():
        out.write(f"{key:<{width}} = {_toml_value(value)}    # {sources.get(key, 'default')}\n")
    return EXIT_CLEAN


def _toml_value(value: object) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


def silence(stream: TextIO) -> None:
    """Point a closed pipe's file descriptor at /dev/null so the interpreter's final flush is quiet."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: ``main(["valohai.yaml"])`` returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    for stream in (sys.stdout, sys.stderr):
        # A console that cannot show a character (cp1252, a file name that is not UTF-8) gets an
        # escape such as \u2028 instead of a crash; in JSON output that escape is valid JSON.
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        from .cached_run import answer  # a run the result cache answers imports nothing more

        code = answer(argv, sys.stdout, sys.stderr)
        return run(argv, sys.stdout, sys.stderr) if code is None else code
    except UsageError as exc:
        _error(sys.stderr, str(exc))
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        silence(sys.stdout)
        return EXIT_ERROR
