"""One JSON object per line (JSON Lines), with the fields of the ``json`` format; nothing when clean.

Each line is a complete object, so a consumer can stream the output line by line. Besides the
control characters JSON always escapes, U+0085, U+2028 and U+2029 are written as ``\\u`` escapes:
they are legal inside a JSON string, but some line readers (Python's ``str.splitlines``) end a
line at them.
"""

from __future__ import annotations

import json
from typing import TextIO

from . import Report
from .json import as_dict

_LINE_ENDS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


class JsonLinesReporter:
    def write(self, report: Report, stream: TextIO) -> None:
        for diagnostic in report.diagnostics:
            # The three characters can only occur inside strings in the dump, where the escape means the same.
            line = json.dumps(as_dict(diagnostic), ensure_ascii=False).translate(_LINE_ENDS)
            stream.write(line + "\n")


REPORTER = JsonLinesReporter()
