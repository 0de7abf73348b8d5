"""GitLab Code Quality: a JSON array of issues, as a ``codequality`` report artifact expects.

Severity mapping (GitLab knows info, minor, major, critical and blocker):

| ours    | GitLab |
|---------|--------|
| info    | info   |
| warning | minor  |
| error   | major  |

``critical`` and ``blocker`` are left for findings that are security holes or stop a whole
pipeline; ours at worst make one step fail to pull or run an image that moves. Paths are relative
to the report's root (the repository root when run from it), with POSIX separators; the
fingerprint ignores line numbers (see ``fingerprints``), so GitLab tracks a finding across edits.
Controls, line separators and bidirectional controls are ``\\u`` escapes (``escape.json_text``).
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from ..escape import json_text
from ..model import Diagnostic, Severity
from . import Report
from .fingerprints import fingerprints, relative_path

SEVERITIES = {Severity.INFO: "info", Severity.WARNING: "minor", Severity.ERROR: "major"}


def issue(diagnostic: Diagnostic, fingerprint: str, root: str) -> dict[str, Any]:
    return {
        "description": diagnostic.message,
        "check_name": diagnostic.code,
        "fingerprint": fingerprint,
        "severity": SEVERITIES[diagnostic.severity],
        "location": {
            "path": relative_path(diagnostic.path, root),
            "lines": {"begin": diagnostic.span.line, "end": diagnostic.span.end_line},
        },
    }


class GitLabReporter:
    def write(self, report: Report, stream: TextIO) -> None:
        prints = fingerprints(report.diagnostics, report.root)
        issues = [issue(d, f, report.root) for d, f in zip(report.diagnostics, prints, strict=True)]
        stream.write(json_text(json.dumps(issues, indent=2, ensure_ascii=False)) + "\n")


REPORTER = GitLabReporter()
