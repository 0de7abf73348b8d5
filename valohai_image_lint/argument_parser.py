"""The command line's options: an argparse parser, imported only by a run the result cache
cannot answer (the workspace's first stage reads the common options itself, and argparse costs a run a
third of its start-up)."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from . import __version__
from .command import PROG, UsageError
from .option_reader import FORMAT_NAMES, split_selectors


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


def _iso_date(value: str) -> str:
    from datetime import date

    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _size(value: str) -> int:
    from .config.values import as_size

    size = as_size(value)
    if size is None:
        raise argparse.ArgumentTypeError(f'expected a size in bytes, such as 10485760 or 50MB, not "{value}"')
    return size


def _selectors(value: str) -> list[str]:
    parts = split_selectors(value)
    if not parts:
        raise argparse.ArgumentTypeError("an empty rule selector; name codes, prefixes, rule names or ALL")
    return parts


MODES = (
    (
        "--add-suppressions",
        "write '# valohai-image-lint: ignore[CODE] reason: TODO' for every finding, then exit 0",
    ),
    ("--watch", "lint again whenever a linted file or config file changes; Ctrl-C stops"),
    ("--fix", "apply the safe fixes, editing only the image values; then report what remains"),
    (
        "--unsafe-fixes",
        "with --fix, --fix-only or --diff: apply the unsafe fixes too (they may change what runs)",
    ),
    ("--diff", "print the unified diff --fix would make, write nothing (exit 1 when there is one)"),
    ("--fix-only", "apply the fixes and report nothing but how many"),
)
"""The run's modes besides linting: flags that are in the namespace only when given."""


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
        help="valohai.yaml files, or directories to search (default: the current directory); "
        "'-' reads standard input",
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
        choices=FORMAT_NAMES,
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
        help="with '-' as the path: lint standard input as if it were this file (editors; "
        "default: valohai.yaml in the current directory)",
    )
    online = parser.add_mutually_exclusive_group()
    online.add_argument(
        "--online",
        action="store_true",
        help="ask each image's registry whether it exists, runs on linux/amd64 and its digest is "
        "current (default: the config's online, else offline)",
    )
    online.add_argument(
        "--offline", action="store_true", help="do not ask registries, whatever the config says"
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="do not read or write the caches (each file's results, parsed image references)",
    )
    # The modes are left out of the namespace unless given (argparse.SUPPRESS), so that
    # option_reader, which leaves them to argparse, gives the same namespace without them.
    for flag, help_text in MODES:
        parser.add_argument(flag, action="store_true", default=argparse.SUPPRESS, help=help_text)
    parser.add_argument("--list-rules", action="store_true", help="list every rule and exit")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    return parser
