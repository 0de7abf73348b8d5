"""One JSON object per line (JSON Lines), with the fields of the ``json`` format; nothing when clean.

Each line is a complete object, so a consumer can stream the output line by line. Besides the
control characters JSON always escapes, the characters ``escape.json_text`` escapes are written as
``\\u`` escapes: among them U+0085, U+2028 and U+2029, which are legal inside a JSON string but
at which some line readers (Python's ``str.splitlines``) end a line.
"""

from __future__ import annotations

import json
from typing import TextIO

from ..escape import json_text
from . import Report
from .json import as_dict


class JsonLinesReporter:
    def write(self, report: Report, stream: TextIO) -> None:
        for diagnostic in report.diagnostics:
            stream.write(json_text(json.dumps(as_dict(diagnostic, report.facts), ensure_ascii=False)) + "\n")


REPORTER = JsonLinesReporter()
