"""``path:line:column: severity: CODE message``, one line per diagnostic: the concise line with
the finding's severity (``error``, ``warning`` or ``info``) before the code, for editors.

The recipes in docs/editors.md read the severity word from this line, so that an editor shows an
info-level finding as a hint and an error as an error, instead of everything at one level. The
path is shown as ``escape.shown_path`` shows it, the message on one line.
"""

from __future__ import annotations

from typing import TextIO

from ..escape import one_line, shown_path
from . import Report


class EditorReporter:
    def write(self, report: Report, stream: TextIO) -> None:
        for d in report.diagnostics:
            span = d.span
            place = f"{shown_path(d.path)}:{span.line}:{span.column}"
            stream.write(f"{place}: {d.severity.label}: {d.code} {one_line(d.message)}\n")


REPORTER = EditorReporter()
