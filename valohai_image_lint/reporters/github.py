"""GitHub Actions workflow commands: one ``::error``, ``::warning`` or ``::notice`` line per diagnostic.

::

    ::error file=valohai.yaml,line=10,col=12,endLine=10,endColumn=44,title=VIL103 latest-tag::image ...

The runner turns each into an annotation on the file and line. Values are escaped as the
Actions toolkit escapes them (``escapeData`` / ``escapeProperty`` in ``@actions/core``): in the
message ``%``, ``\\r`` and ``\\n``; in a property value ``:`` and ``,`` as well. The runner
decodes only those, so any other control character, a line or paragraph separator or a
bidirectional control (which the log would otherwise show raw: ESC starts a colour) is written
as ``escape.one_line`` shows it, ``\\x1b``, ``\\u202e``. ``endColumn`` is
our exclusive end column, as ruff writes it. The runner keeps columns only on a one-line range
(it drops them, with a warning in the log, when ``line`` and ``endLine`` differ), so a span over
several lines is written with its lines only. Paths are written as given (relative to the
folder the linter ran in, which on Actions is the checkout).
"""

from __future__ import annotations

from typing import TextIO

from ..escape import one_line
from ..model import Diagnostic, Severity
from . import Report

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """The message after ``::``."""
    return one_line(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    """A property value (``file=...``, ``title=...``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_command(diagnostic: Diagnostic) -> str:
    span = diagnostic.span
    properties: list[tuple[str, object]] = [("file", diagnostic.path), ("line", span.line)]
    if span.end_line == span.line:
        properties += [("col", span.column), ("endLine", span.end_line), ("endColumn", span.end_column)]
    else:
        properties += [("endLine", span.end_line)]
    properties.append(("title", f"{diagnostic.code} {diagnostic.name}"))
    written = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties)
    return f"::{COMMANDS[diagnostic.severity]} {written}::{escape_data(diagnostic.message)}"


class GithubReporter:
    def write(self, report: Report, stream: TextIO) -> None:
        for diagnostic in report.diagnostics:
            stream.write(format_command(diagnostic) + "\n")


REPORTER = GithubReporter()
