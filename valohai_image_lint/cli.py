"""The command line: parse arguments, wire the parts, choose the exit code.

Exit codes: 0 clean (or only findings below the failure threshold), 1 findings at or above it,
2 a usage error or a file that could not be read. The same in every output format.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn, TextIO

from . import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
PROG = "valohai-image-lint"


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


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
        default="warning",
        help="the lowest severity that makes the exit code 1 (default: warning)",
    )
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    parser.add_argument(
        "--output-format",
        choices=("concise", "json"),
        default="concise",
        help="how to print findings (default: concise)",
    )
    parser.add_argument("--no-cache", action="store_true",
                        help="do not read or write the cache of parsed image references")
    parser.add_argument("--list-rules", action="store_true", help="list every rule and exit")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    return parser


def _flatten(groups: list[list[str]] | None) -> tuple[str, ...] | None:
    return None if groups is None else tuple(s for group in groups for s in group)


def _print_rule(code: str, out: TextIO, err: TextIO) -> int:
    from .rules import BY_CODE, BY_NAME

    rule = BY_CODE.get(code.upper()) or BY_NAME.get(code.lower())
    if rule is None:
        err.write(f"{PROG}: error: unknown rule {code!r}; see '{PROG} --list-rules'\n")
        return EXIT_ERROR
    out.write(
        f"# {rule.title}\n\nDefault severity: {rule.severity.label}"
        f"{'' if rule.enabled_by_default else ' (off unless selected)'}\n"
    )
    page = rule.doc.split("\n", 1)[1] if "\n" in rule.doc else rule.doc
    out.write(page.rstrip() + "\n")
    return EXIT_CLEAN


def _list_rules(out: TextIO) -> int:
    from .rules import ALL_RULES

    for rule in ALL_RULES:
        state = rule.severity.label if rule.enabled_by_default else "off"
        out.write(f"{rule.code}  {rule.name:<22} {state:<8} {rule.summary}\n")
    return EXIT_CLEAN


def _summary(diagnostics: Sequence[object]) -> str:
    from .model import Diagnostic, Severity

    found = [d for d in diagnostics if isinstance(d, Diagnostic)]
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
        if len(argv) != 2:
            raise UsageError("usage: valohai-image-lint rule CODE")
        return _print_rule(argv[1], out, err)
    args = build_parser().parse_args(list(argv))
    if args.list_rules:
        return _list_rules(out)

    from .config import LintConfig
    from .discovery import PathError, discover, read_config
    from .linter import enabled_rules, lint_text
    from .model import Severity
    from .reference_cache import ReferenceCache, default_directory
    from .reporters import get_reporter
    from .selection import UnknownSelector

    config = LintConfig(
        select=_flatten(args.select),
        extend_select=_flatten(args.extend_select) or (),
        ignore=_flatten(args.ignore) or (),
        failure_threshold=Severity.from_label(args.failure_threshold),
    )
    try:
        enabled_rules(config)
    except UnknownSelector as exc:
        raise UsageError(str(exc)) from None

    references = ReferenceCache(None if args.no_cache else default_directory())
    paths, errors = discover(args.paths)
    diagnostics = []
    for path in paths:
        try:
            text = read_config(path)
        except PathError as exc:
            errors.append(exc)
            continue
        diagnostics.extend(lint_text(text, path, config, references.parse))
    references.save()
    diagnostics.sort(key=lambda d: d.sort_key)

    try:
        get_reporter(args.output_format).write(diagnostics, out)
        out.flush()
    except BrokenPipeError:
        _silence(out)  # the reader left (`| head`); the exit code still tells the truth
    for error in errors:
        err.write(f"{PROG}: error: {error}\n")
    if diagnostics and args.output_format == "concise":
        err.write(_summary(diagnostics))
    if errors:
        return EXIT_ERROR
    failing = any(d.severity >= config.failure_threshold for d in diagnostics)
    return EXIT_FINDINGS if failing and not args.exit_zero else EXIT_CLEAN


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
    try:
        return run(argv, sys.stdout, sys.stderr)
    except UsageError as exc:
        sys.stderr.write(f"{PROG}: error: {exc}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        _silence(sys.stdout)
        return EXIT_ERROR
