"""``path:line:col: CODE message``, one line per diagnostic."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from ..model import Diagnostic


def format_line(diagnostic: Diagnostic) -> str:
    span = diagnostic.span
    return f"{diagnostic.path}:{span.line}:{span.column}: {diagnostic.code} {diagnostic.message}"


class ConciseReporter:
    def write(self, diagnostics: Sequence[Diagnostic], stream: TextIO) -> None:
        for diagnostic in diagnostics:
            stream.write(format_line(diagnostic) + "\n")


REPORTER = ConciseReporter()
