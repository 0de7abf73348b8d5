"""JUnit XML for Jenkins and GitLab: each linted file is a test case, each finding a failure.

One ``<testsuite name="valohai-image-lint">`` in ``<testsuites>``; one ``<testcase>`` per linted
file (clean files pass), named by its path relative to the report's root; one ``<failure>`` per
finding, its ``message`` and text the concise line. ``tests`` counts files and ``failures`` counts
the files with findings (JUnit counts failed tests, not failure elements, so ``tests - failures``
is the number that passed).

Paths are escaped for XML 1.0: in a test case's name a tab, line feed or carriage return is a
character reference (``&#10;``), as are DEL, the C1 controls, line and paragraph separators and
bidirectional controls (``&#x202e;``), so the name decodes to the real path; the other C0
controls (which XML 1.0 cannot hold even as references), lone surrogates, U+FFFE and U+FFFF are
shown as ``\\x1b`` or ``\\ufffe``. A failure's or an error's message and text are the one line
that stderr or the concise format prints (``escape.one_line``).
"""

from __future__ import annotations

import re
from typing import TextIO
from xml.etree import ElementTree as ET

from ..escape import UNSAFE, one_line
from ..model import Diagnostic
from . import Report
from .concise import format_line
from .fingerprints import relative_path

SUITE = "valohai-image-lint"
# XML 1.0 cannot hold these characters even escaped (controls, lone surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# XML 1.0 holds these, but they are not printed raw: written as character references.
_REFERENCES = {code: f"&#x{code:x};" for code in UNSAFE if code >= 127}


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _xml_text(text: str) -> str:
    return _NOT_XML.sub(_escape, text)


def junit_tree(report: Report) -> ET.Element:
    by_path: dict[str, list[Diagnostic]] = {path: [] for path in report.files}
    for diagnostic in report.diagnostics:
        by_path.setdefault(diagnostic.path, []).append(diagnostic)
    failing = sum(1 for found in by_path.values() if found)
    errors = len(report.problems)
    counts = {"tests": str(len(by_path) + errors), "failures": str(failing), "errors": str(errors)}
    suites = ET.Element("testsuites", {"name": SUITE, **counts})
    suite = ET.SubElement(suites, "testsuite", {"name": SUITE, **counts, "skipped": "0"})
    for problem in report.problems:  # a file that could not be read, a bad config: the run exited 2
        name = _xml_text(problem.split(": ", 1)[0])
        case = ET.SubElement(suite, "testcase", {"classname": SUITE, "name": name})
        shown = _xml_text(one_line(problem))
        error = ET.SubElement(case, "error", {"type": "error", "message": shown})
        error.text = shown
    for path, found in by_path.items():
        name = _xml_text(relative_path(path, report.root))
        case = ET.SubElement(suite, "testcase", {"classname": SUITE, "name": name, "file": name})
        for diagnostic in found:
            line = _xml_text(format_line(diagnostic._replace(path=relative_path(path, report.root))))
            failure = ET.SubElement(case, "failure", {"type": diagnostic.code, "message": line})
            failure.text = line
    return suites


class JUnitReporter:
    def write(self, report: Report, stream: TextIO) -> None:
        tree = junit_tree(report)
        ET.indent(tree)
        stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        # _REFERENCES' characters occur only in attribute values and text, where a reference means the same.
        stream.write(ET.tostring(tree, encoding="unicode").translate(_REFERENCES))
        stream.write("\n")


REPORTER = JUnitReporter()
