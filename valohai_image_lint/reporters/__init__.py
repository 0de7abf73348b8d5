"""Output formats, keyed by name; each is a small module imported only when chosen.

A reporter only formats: it receives a ``Report`` (the diagnostics and what some formats need
besides: every linted file, their text, the folder paths are relative to) and writes to a stream.
It never decides the exit code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import import_module
from typing import NamedTuple, Protocol, TextIO

from ..model import Diagnostic

# name -> module in this package (each module defines REPORTER)
FORMATS: dict[str, str] = {
    "concise": "concise",
    "full": "full",
    "json": "json",
    "json-lines": "json_lines",
    "sarif": "sarif",
    "github": "github",
    "gitlab": "gitlab",
    "junit": "junit",
    "pylint": "pylint",
    "grouped": "grouped",
}


class Report(NamedTuple):
    """What one run found. ``files`` lists every file linted (clean ones too), in order;
    ``sources`` maps a path to its text (for formats that quote source lines); ``root`` is the
    folder that relative paths in the output start from (the current folder); ``color`` says
    whether the output may use ANSI colours; ``problems`` are the one-line errors of the run (a
    file that could not be read, a bad config), which formats that can carry them record."""

    diagnostics: Sequence[Diagnostic]
    files: Sequence[str] = ()
    sources: Mapping[str, str] = {}
    root: str = "."
    color: bool = False
    problems: Sequence[str] = ()


class Reporter(Protocol):
    def write(self, report: Report, stream: TextIO) -> None: ...


def get_reporter(name: str) -> Reporter:
    module = import_module(f".{FORMATS[name]}", __name__)
    reporter: Reporter = module.REPORTER
    return reporter
