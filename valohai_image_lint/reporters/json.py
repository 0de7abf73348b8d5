"""A JSON array of diagnostics with stable field names (later formats build on them).

Text is written as UTF-8, not ``\\u`` escapes, except the characters ``escape.json_text``
escapes (controls, line and paragraph separators, bidirectional controls): a path or value holding
them is still valid JSON that decodes to the same string, but cannot steer a terminal it is
printed on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TextIO

from ..escape import json_text
from ..facts import ImageFacts, facts_record
from ..model import Diagnostic, Fix
from . import Report


def as_dict(diagnostic: Diagnostic, facts: Mapping[str, ImageFacts] | None = None) -> dict[str, Any]:
    """One diagnostic; in an online run, with what the registry said of its image (``registry``)."""
    record = {
        "code": diagnostic.code,
        "name": diagnostic.name,
        "severity": diagnostic.severity.label,
        "message": diagnostic.message,
        "path": diagnostic.path,
        "line": diagnostic.span.line,
        "column": diagnostic.span.column,
        "end_line": diagnostic.span.end_line,
        "end_column": diagnostic.span.end_column,
        "image": diagnostic.image,
        "canonical": diagnostic.canonical,
        "context": diagnostic.context,
        "fix": _fix(diagnostic.fix),
    }
    if diagnostic.other_fixes:
        record["other_fixes"] = [_fix(fix) for fix in diagnostic.other_fixes]
    if facts and diagnostic.canonical is not None and diagnostic.canonical in facts:
        record["registry"] = facts_record(facts[diagnostic.canonical])
    return record


def _fix(fix: Fix | None) -> dict[str, Any] | None:
    if fix is None:
        return None
    return {
        "title": fix.title,
        "applicability": fix.applicability.value,
        "edits": [
            {
                "line": edit.span.line,
                "column": edit.span.column,
                "end_line": edit.span.end_line,
                "end_column": edit.span.end_column,
                "replacement": edit.replacement,
            }
            for edit in fix.edits
        ],
    }


class JsonReporter:
    def write(self, report: Report, stream: TextIO) -> None:
        stream.write(
            json_text(
                json.dumps(
                    [as_dict(d, report.facts) for d in report.diagnostics], indent=2, ensure_ascii=False
                )
            )
        )
        stream.write("\n")


REPORTER = JsonReporter()
