"""pylint's parseable form, as flake8 writes it: ``path:line: [CODE] message``, one line each.

Editors and CI tools that read pylint's output (``--output-format=parseable``) pick these up.
There is no column in this form; the rule name is left out, as flake8 leaves it out. The path
is shown as ``escape.shown_path`` shows it, the message on one line.
"""

from __future__ import annotations

from typing import TextIO

from ..escape import one_line, shown_path
from . import Report


class PylintReporter:
    def write(self, report: Report, stream: TextIO) -> None:
        for d in report.diagnostics:
            stream.write(f"{shown_path(d.path)}:{d.span.line}: [{d.code}] {one_line(d.message)}\n")


REPORTER = PylintReporter()
