"""The command line: parse arguments, wire the parts, choose the exit code.

Exit codes: 0 clean (or only findings below the failure threshold), 1 findings at or above it,
2 a usage error or a file that could not be read. The same in every output format.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from . import __version__

if TYPE_CHECKING:
    from .config import LintConfig
    from .model import Diagnostic, StepImage

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
STATISTICS_FORMATS = ("concise", "full", "pylint", "grouped", "json", "json-lines")
PROG = "valohai-image-lint"


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)

    def _get_formatter(self) -> argparse.HelpFormatter:
        # argparse's own asks shutil for the terminal width each time an argument is added
        # (importing shutil, and with it bz2 and lzma: a few ms of every run); the width only
        # matters for --help, so it is read there, from os.
        return argparse.HelpFormatter(prog=self.prog, width=_terminal_width())


def _terminal_width() -> int:
    import os

    try:
        columns = int(os.environ.get("COLUMNS", "")) or os.get_terminal_size(sys.stdout.fileno()).columns
    except (ValueError, OSError, AttributeError):
        columns = 80
    return max(columns - 2, 20)


def _format_names() -> tuple[str, ...]:
    from .reporters import FORMATS

    return tuple(FORMATS)


def _iso_date(value: str) -> str:
    from datetime import date

    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _size(value: str) -> int:
    from .config_file import as_size

    size = as_size(value)
    if size is None:
        raise argparse.ArgumentTypeError(f'expected a size in bytes, such as 10485760 or 50MB, not "{value}"')
    return size


def _selectors(value: str) -> list[str]:
    parts = [part.strip() for part in value.split(",") if part.strip()]
    if not parts:
        raise argparse.ArgumentTypeError("an empty rule selector; name codes, prefixes, rule names or ALL")
    return parts


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Lint the Docker images named in valohai.yaml files. "
        f"'{PROG} rule CODE' prints a rule's page.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="valohai.yaml files, or directories to search (default: the current directory)",
    )
    parser.add_argument(
        "--select",
        action="append",
        type=_selectors,
        metavar="RULES",
        help="run only these rules: codes, prefixes (VIL1), names or ALL; comma-separated",
    )
    parser.add_argument(
        "--extend-select",
        action="append",
        type=_selectors,
        default=[],
        metavar="RULES",
        help="run these rules too (e.g. VIL105)",
    )
    parser.add_argument(
        "--ignore",
        action="append",
        type=_selectors,
        default=[],
        metavar="RULES",
        help="do not run these rules",
    )
    parser.add_argument(
        "--failure-threshold",
        choices=("error", "warning", "info"),
        default=None,
        help="the lowest severity that makes the exit code 1 (default: warning, or the config's)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="use this config file (a pyproject.toml or a valohai-image-lint.toml) for every file",
    )
    parser.add_argument("--isolated", action="store_true", help="ignore every config file")
    parser.add_argument(
        "--show-settings",
        nargs="?",
        const=".",
        metavar="PATH",
        help="print the settings that apply to PATH (a file or folder) and where each comes from",
    )
    parser.add_argument(
        "--max-file-size",
        type=_size,
        metavar="SIZE",
        help="refuse files bigger than this, unread: bytes, or 50MB, 20MiB (default: 10MiB, or the config's)",
    )
    parser.add_argument(
        "--today",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="judge end-of-life as on this date (default: the config's today, else the real date)",
    )
    parser.add_argument(
        "--no-suppressions",
        action="store_true",
        help="report everything, whatever '# valohai-image-lint: ignore[...]' comments say",
    )
    parser.add_argument(
        "--statistics",
        action="store_true",
        help="print the number of findings per rule instead of the findings",
    )
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    parser.add_argument(
        "--output-format",
        choices=_format_names(),
        default=None,
        help="how to print findings (default: concise, or the config's output-format)",
    )
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour in the full format: auto (a terminal, and NO_COLOR unset), always or never",
    )
    parser.add_argument(
        "--stdin-filename",
        metavar="PATH",
        help="with '-' as the path: lint standard input as if it were this file (editors)",
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="do not read or write the cache of parsed image references"
    )
    parser.add_argument("--list-rules", action="store_true", help="list every rule and exit")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    return parser


def _flatten(groups: list[list[str]] | None) -> tuple[str, ...] | None:
    return None if groups is None else tuple(s for group in groups for s in group)


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


def _summary(found: Sequence[Diagnostic]) -> str:
    from .model import Severity

    counts = {severity: sum(1 for d in found if d.severity is severity) for severity in Severity}
    parts = []
    for severity, word in ((Severity.ERROR, "error"), (Severity.WARNING, "warning"), (Severity.INFO, "info")):
        count = counts[severity]
        if count:
            parts.append(f"{count} {word}{'s' if count != 1 and word != 'info' else ''}")
    files = len({d.path for d in found})
    problems = "problem" if len(found) == 1 else "problems"
    return f"Found {len(found)} {problems} ({', '.join(parts)}) in {files} file{'s' if files != 1 else ''}.\n"


def run(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    if argv[:1] == ["rule"]:
        if argv[1:] == ["--all"]:
            from .rule_pages import all_pages

            out.write(all_pages())
            return EXIT_CLEAN
        if len(argv) != 2:
            raise UsageError("usage: valohai-image-lint rule CODE (or rule --all)")
        return _print_rule(argv[1], out, err)
    args = build_parser().parse_args(list(argv))
    if args.list_rules:
        return _list_rules(out)

    from .config_file import CommandLine, ConfigError, ConfigFinder, FileSettings, for_path, resolve
    from .discovery import PathError, discover, is_python_source, read_config, read_stream
    from .model import INTERNAL_ERROR_CODE
    from .reference_cache import ReferenceCache, default_directory
    from .reporters import Report, get_reporter
    from .result_cache import ResultCache

    command_line = CommandLine(
        select=_flatten(args.select),
        extend_select=_flatten(args.extend_select) or (),
        ignore=_flatten(args.ignore) or (),
        failure_threshold=args.failure_threshold,
        suppressions=not args.no_suppressions,
        today=args.today,
        clock_today=_clock_today(),
        max_file_size=args.max_file_size,
    )
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
    resolved: dict[str | None, LintConfig] = {}  # per config file: most files share one
    steps_cache: dict[str, Mapping[str, StepImage]] = {}  # per valohai.yaml
    yaml_texts: dict[str, str | None] = {}  # the valohai.yaml nearest to Python files, read once
    for path in paths:
        try:
            settings = settings_for(path)
            if settings.path not in resolved:
                resolved[settings.path] = resolve(settings, command_line)[0]
            config = for_path(resolved[settings.path], path)
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
        nearest = _nearest_yaml(path, yaml_texts, config.max_file_size) if python else None
        key = results.key(path, text, config, "" if nearest is None else f"{nearest[0]}\0{nearest[1]}")
        cached = results.get(path, key)
        if cached is not None:
            found = cached
        elif python:
            from .linter import lint_python, step_images

            steps = None
            if nearest is not None:
                if nearest[0] not in steps_cache:
                    steps_cache[nearest[0]] = step_images(nearest[1], nearest[0], references.parse)
                steps = steps_cache[nearest[0]]
            found = lint_python(text, path, config, references.parse, steps)
        else:
            from .linter import lint_text

            found = lint_text(text, path, config, references.parse)
        if cached is None:
            results.put(path, key, found)
        linted.append(path)
        if found:
            sources[path] = text
        failing = failing or any(d.severity >= config.failure_threshold for d in found)
        broken = broken or any(d.code == INTERNAL_ERROR_CODE for d in found)
        diagnostics.extend(found)
    references.save()
    results.save()
    diagnostics.sort(key=lambda d: d.sort_key)

    try:
        if args.statistics:
            _write_statistics(diagnostics, output_format, out)
        else:
            color = _use_color(args.color, out)
            report = Report(diagnostics, linted, sources, _report_root(), color, tuple(problems))
            get_reporter(output_format).write(report, out)
            if annotate:
                get_reporter("github").write(report, out)
        out.flush()
    except BrokenPipeError:
        _silence(out)  # the reader left (`| head`); the exit code still tells the truth
    for problem in dict.fromkeys(problems):
        _error(err, problem)
    if diagnostics and output_format in ("concise", "full") and not args.statistics:
        err.write(_summary(diagnostics))
    if problems or broken:
        return EXIT_ERROR
    return EXIT_FINDINGS if failing and not args.exit_zero else EXIT_CLEAN


def _nearest_yaml(path: str, texts: dict[str, str | None], max_bytes: int) -> tuple[str, str] | None:
    """The ``valohai.yaml`` nearest to a Python file and its text (read once per config);
    ``None`` when there is none or it cannot be read (linting it reports why)."""
    from .discovery import PathError, nearest_config, read_config

    config = nearest_config(path)
    if config is None:
        return None
    if config not in texts:
        try:
            texts[config] = read_config(config, max_bytes)
        except PathError:
            texts[config] = None
    text = texts[config]
    return None if text is None else (config, text)


def _error(err: TextIO, message: str) -> None:
    """One line on ``err``: a path or value holding a line break or a control character is
    shown escaped, so an error never spans lines or steers the terminal."""
    from .escape import one_line

    err.write(f"{PROG}: error: {one_line(message)}\n")


def _clock_today() -> str:
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
    return "concise", os.environ.get("GITHUB_ACTIONS") == "true" and "github" in _format_names()


def _report_root() -> str:
    """Where machine formats (SARIF, GitLab, JUnit) make paths relative to: the repository root
    above the current folder, so that fingerprints do not depend on where the tool was run."""
    import os

    from .discovery import repository_root

    return repository_root(os.getcwd()) or "."


def _use_color(choice: str, out: TextIO) -> bool:
    import os

    if choice != "auto":
        return choice == "always"
    return not os.environ.get("NO_COLOR") and hasattr(out, "isatty") and out.isatty()


def _write_statistics(diagnostics: Sequence[Diagnostic], output_format: str, out: TextIO) -> None:
    """Findings per rule, most frequent first (ties in code order)."""
    from collections import Counter

    counts = Counter((d.code, d.name) for d in diagnostics)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    items = [{"code": code, "name": name, "count": count} for (code, name), count in rows]
    if output_format in ("json", "json-lines"):
        import json

        if output_format == "json":
            json.dump(items, out, indent=2)
            out.write("\n")
        else:
            out.writelines(json.dumps(item) + "\n" for item in items)
        return
    for (code, name), count in rows:
        out.write(f"{count:>6}  {code}  {name}\n")


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


def _silence(stream: TextIO) -> None:
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
        return run(argv, sys.stdout, sys.stderr)
    except UsageError as exc:
        _error(sys.stderr, str(exc))
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        _silence(sys.stdout)
        return EXIT_ERROR
