"""Findings grouped under their file: the path on its own line, then ``line:col  CODE  message``.

::

    examples/valohai.yaml
       5:12  VIL102  image "python" has no tag, ...
      23:3   VIL002  step "export" has no image; ...

Files come in the order of their first finding (the order the diagnostics are given in), with a
blank line between files; clean files are not listed. Within a file the line numbers are
right-aligned and the columns left-aligned, so the colons and the codes line up. The path is
shown as ``escape.shown_path`` shows it, each message on one line.
"""

from __future__ import annotations

from typing import TextIO

from ..escape import one_line, shown_path
from ..model import Diagnostic
from . import Report


class GroupedReporter:
    def write(self, report: Report, stream: TextIO) -> None:
        groups: dict[str, list[Diagnostic]] = {}
        for diagnostic in report.diagnostics:
            groups.setdefault(diagnostic.path, []).append(diagnostic)
        for index, (path, diagnostics) in enumerate(groups.items()):
            if index:
                stream.write("\n")
            stream.write(shown_path(path) + "\n")
            line_width = max(len(str(d.span.line)) for d in diagnostics)
            column_width = max(len(str(d.span.column)) for d in diagnostics)
            for d in diagnostics:
                position = f"{d.span.line:>{line_width}}:{d.span.column:<{column_width}}"
                stream.write(f"  {position}  {d.code}  {one_line(d.message)}\n")


REPORTER = GroupedReporter()
