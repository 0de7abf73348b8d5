"""``path:line:col: CODE message``, one line per diagnostic."""

from __future__ import annotations

from typing import TextIO

from ..model import Diagnostic
from ..plain_text import concise_line
from . import Report


def format_line(diagnostic: Diagnostic) -> str:
    span = diagnostic.span
    return concise_line(diagnostic.path, span.line, span.column, diagnostic.code, diagnostic.message)


class ConciseReporter:
    def write(self, report: Report, stream: TextIO) -> None:
        for diagnostic in report.diagnostics:
            stream.write(format_line(diagnostic) + "\n")


REPORTER = ConciseReporter()
