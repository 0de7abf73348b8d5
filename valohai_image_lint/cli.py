"""The command line: parse arguments, wire the parts, choose the exit code.

Exit codes: 0 clean (or only findings below the failure threshold), 1 findings at or above it,
2 a usage error or a file that could not be read. The same in every output format.
"""

from __future__ import annotations

import sys

from .command import (
    EXIT_CLEAN,
    EXIT_ERROR,
    EXIT_FINDINGS,
    PROG,
    STDIN_NAME,
    UsageError,
    clock_today,
    silence,
)
from .command import error as _error

TYPE_CHECKING = False
if TYPE_CHECKING:  # the annotations only: typing and the model cost a run many milliseconds
    from collections.abc import Sequence
    from typing import Any, TextIO

    from .workspace import Workspace


RULE_USAGE = f"usage: {PROG} rule CODE (or rule --all)"


def _rule_pages(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    """``rule CODE`` (a rule's page, by code or name) or ``rule --all`` (every page)."""
    from .rule_pages import all_pages, find_rule, page

    if argv[1:] == ["--all"]:
        out.write(all_pages())
        return EXIT_CLEAN
    if argv[1:] in (["--help"], ["-h"]):
        out.write(
            f"{RULE_USAGE}\n\nPrint a rule's page (by code, such as VIL103, or name, such as latest-tag),\n"
        )
        out.write(f"or with --all every rule's page. '{PROG} --list-rules' lists the rules.\n")
        return EXIT_CLEAN
    if len(argv) != 2:
        raise UsageError(RULE_USAGE)
    rule = find_rule(argv[1])
    if rule is None:
        _error(err, f"unknown rule {argv[1]!r}; see '{PROG} --list-rules'")
        return EXIT_ERROR
    out.write(page(rule))
    return EXIT_CLEAN


SERVER_USAGE = f"usage: {PROG} server"
SERVER_EXTRA = f"pip install '{PROG}[server]'"


def _language_server(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    """``server``: the language server over standard input and output, when its extra is installed."""
    if argv[1:] in (["--help"], ["-h"]):
        out.write(f"{SERVER_USAGE}\n\nRun the language server (LSP) over standard input and output.\n")
        out.write(f"It needs the server extra: {SERVER_EXTRA}\n")
        return EXIT_CLEAN
    if len(argv) != 1:
        raise UsageError(SERVER_USAGE)
    try:
        from .server import serve
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in ("pygls", "lsprotocol"):
            raise
        err.write(f"{PROG}: the language server needs its extra: {SERVER_EXTRA}\n")
        return EXIT_ERROR
    return serve()


def run(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    """The whole command: its exit code, having written its output to ``out`` and ``err``."""
    if argv[:1] == ["rule"]:
        return _rule_pages(argv, out, err)
    if argv[:1] == ["server"]:
        return _language_server(argv, out, err)
    from .option_reader import read_options
    from .workspace import Workspace

    args: Any = read_options(argv)
    if args is not None:  # the common options: the result cache may answer before anything loads
        workspace = Workspace.for_options(args, clock_today())
        code = workspace.answer_from_cache(out, err)
        if code is not None:
            return code
    else:  # what only argparse reads, or rejects with its message
        from .argument_parser import build_parser

        args = build_parser().parse_args(list(argv))
        workspace = Workspace.for_options(args, clock_today())
    if args.list_rules:
        from .rule_pages import rule_list

        out.write(rule_list())
        return EXIT_CLEAN
    _check_usage(args, workspace)
    from .config.errors import ConfigError

    try:
        workspace.load_config()
        if args.show_settings is not None:
            if args.paths:
                raise UsageError("--show-settings takes one PATH; lint paths cannot be given with it")
            from .config.show import show_settings

            target, command_line = args.show_settings, workspace.command_line
            shown = show_settings(
                target,
                workspace.settings_for,
                command_line,
                out,
                lambda m: _error(err, m),
                args.output_format,
            )
            return EXIT_CLEAN if shown else EXIT_ERROR
        _check_input(args)
        from .output import choose_format

        output_format, annotate = choose_format(args.output_format, workspace.settings_for)
    except ConfigError as exc:
        _error(err, str(exc))
        return EXIT_ERROR
    if args.statistics:
        from .reporters.statistics import STATISTICS_FORMATS

        if output_format not in STATISTICS_FORMATS:
            raise UsageError(f"--statistics prints {', '.join(STATISTICS_FORMATS)}; not {output_format}")
    from .adoption import run_mode
    from .output import note_nothing_found, only_folders, report

    workspace.progress = err  # the online stage's progress, shown on a terminal only

    code = run_mode(
        args, workspace, lambda done: report(done, args, output_format, annotate, out, err), out, err
    )
    if code is not None:
        return code
    if "-" in args.paths:
        result = workspace.lint_stream(args.stdin_filename or STDIN_NAME, sys.stdin.buffer)
    else:
        result = workspace.lint_paths(args.paths)
    workspace.save()
    report(result, args, output_format, annotate, out, err)
    if not result.linted and not result.problems and only_folders(args.paths):
        note_nothing_found(args.paths, err)
    if result.problems or result.broken:  # a VIL999 is a bug of ours: exit 2 like any error
        return EXIT_ERROR
    return EXIT_FINDINGS if result.failing and not args.exit_zero else EXIT_CLEAN


def _check_usage(args: Any, workspace: Workspace) -> None:
    """``UsageError`` for rule selectors that name no rule, or a contradiction."""
    command_line = workspace.command_line
    if command_line.select is not None or command_line.extend_select or command_line.ignore:
        from .config.files import FileSettings
        from .config.resolve import resolve
        from .linter import enabled_rules  # the rules' registry, to check the selectors
        from .selection import UnknownSelector

        try:
            enabled_rules(resolve(FileSettings(None), command_line)[0])
        except UnknownSelector as exc:
            raise UsageError(str(exc)) from None
    if args.config and args.isolated:
        raise UsageError("--config and --isolated contradict each other; choose one")


def _check_input(args: Any) -> None:
    """``UsageError`` unless standard input (``-``) comes alone."""
    if "-" in args.paths:
        if args.paths != ["-"]:
            raise UsageError(
                "'-' reads standard input: give it alone (with --stdin-filename PATH to name it)"
            )
    elif args.stdin_filename:
        raise UsageError("--stdin-filename goes with '-' as the path")


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
        silence(sys.stdout)
        return EXIT_ERROR
