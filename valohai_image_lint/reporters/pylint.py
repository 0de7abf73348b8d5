"""pylint's parseable form, as flake8 writes it: ``path:line: [CODE] message``, one line each.

Editors and CI tools that read pylint's output (``--output-format=parseable``) pick these up.
There is no column in this form; the rule name is left out, as flake8 leaves it out.
"""

from __future__ import annotations

from typing import TextIO

from . import Report


class PylintReporter:
    def write(self, report: Report, stream: TextIO) -> None:
        for d in report.diagnostics:
            stream.write(f"{d.path}:{d.span.line}: [{d.code}] {d.message}\n")


REPORTER = PylintReporter()
