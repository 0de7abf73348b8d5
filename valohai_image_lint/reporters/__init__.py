"""Output formats, keyed by name; each is a small module imported only when chosen.

A reporter only formats: it receives a ``Report`` (the diagnostics and what some formats need
besides: every linted file, their text, the folder paths are relative to) and writes to a stream.
It never decides the exit code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import import_module
from typing import NamedTuple, Protocol, TextIO

from ..facts import ImageFacts
from ..model import Diagnostic
from ..option_reader import FORMAT_NAMES

FORMATS: dict[str, str] = {name: name.replace("-", "_") for name in FORMAT_NAMES}
"""Each output format's name -> its module in this package (which defines ``REPORTER``)."""


class Report(NamedTuple):
    """What one run found. ``files`` lists every file linted (clean ones too), in order;
    ``sources`` maps a path to its text (for formats that quote source lines); ``root`` is the
    folder that relative paths in the output start from (the current folder); ``color`` says
    whether the output may use ANSI colours; ``problems`` are the one-line errors of the run (a
    file that could not be read, a bad config), which formats that can carry them record.
    ``facts`` is, in an online run, what the registries said of each image, by canonical
    reference (JSON and SARIF carry it)."""

    diagnostics: Sequence[Diagnostic]
    files: Sequence[str] = ()
    sources: Mapping[str, str] = {}
    root: str = "."
    color: bool = False
    problems: Sequence[str] = ()
    facts: Mapping[str, ImageFacts] = {}


class Reporter(Protocol):
    def write(self, report: Report, stream: TextIO) -> None: ...


def get_reporter(name: str) -> Reporter:
    module = import_module(f".{FORMATS[name]}", __name__)
    reporter: Reporter = module.REPORTER
    return reporter
