"""SARIF 2.1.0: one run, every rule described in the driver, one result per diagnostic.

Locations are URI references relative to ``%SRCROOT%`` (the report's root, also given as a
``file:`` URI in ``originalUriBaseIds``); a file outside the root gets an absolute ``file:`` URI.
Columns count code points (``columnKind: unicodeCodePoints``), as our spans do, and our exclusive
``end_column`` is SARIF's ``endColumn``. ``partialFingerprints["valohaiImageLint/v1"]`` ignores
the line, so a finding keeps it when unrelated lines are inserted above. A fix becomes a SARIF
fix; its applicability (safe or unsafe) goes in the fix's property bag. Controls, line separators
and bidirectional controls are ``\\u`` escapes (``escape.json_text``).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from .. import __version__
from ..escape import json_text
from ..facts import ImageFacts, facts_record
from ..model import Diagnostic, Fix, Severity, Span
from ..rule import Rule
from . import Report
from .fingerprints import fingerprints, relative_path

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
TOOL_NAME = "valohai-image-lint"
# The project's repository, once pyproject.toml declares it ([project.urls] Repository); until
# then none: the field is optional in SARIF, and the package page it named is not published.
INFORMATION_URI: str | None = None
FINGERPRINT_KEY = "valohaiImageLint/v1"
SRCROOT = "%SRCROOT%"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}

_SECTION = re.compile(r"^## What it does\n(.*?)(?=^## |\Z)", re.MULTILINE | re.DOTALL)


def what_it_does(rule: Rule) -> str:
    """The "What it does" section of the rule's page, its lines unwrapped (the summary if none)."""
    match = _SECTION.search(rule.doc)
    if match is None:
        return rule.summary + "."
    # Join wrapped lines; keep paragraph breaks and a line break before each list item.
    text = re.sub(r"(?<!\n)\n(?!\n|[-*] )[ \t]*(?=\S)", " ", match.group(1).strip())
    return re.sub(r"\n{3,}", "\n\n", text)


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    from ..rule_pages import page

    configuration: dict[str, Any] = {"level": LEVELS[rule.severity]}
    if not rule.enabled_by_default:
        configuration["enabled"] = False
    help_page = page(rule)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": what_it_does(rule)},
        "help": {"text": help_page, "markdown": help_page},
        "defaultConfiguration": configuration,
    }


def artifact_location(path: str, root: str) -> dict[str, Any]:
    """A URI reference relative to %SRCROOT%, or an absolute file URI for a file outside the root."""
    relative = relative_path(path, root)
    if relative == ".." or relative.startswith("../") or Path(relative).is_absolute():
        return {"uri": Path(os.path.abspath(path)).as_uri()}
    # A file name that is not UTF-8 reaches us with surrogate escapes: quote its real bytes.
    return {"uri": quote(os.fsencode(relative), safe="/"), "uriBaseId": SRCROOT}


def root_uri(root: str) -> str:
    uri = Path(os.path.abspath(root)).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def region(span: Span) -> dict[str, int]:
    return {
        "startLine": span.line,
        "startColumn": span.column,
        "endLine": span.end_line,
        "endColumn": span.end_column,
    }


def _fix(fix: Fix, location: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": {"text": fix.title},
        "artifactChanges": [
            {
                "artifactLocation": location,
                "replacements": [
                    {"deletedRegion": region(edit.span), "insertedContent": {"text": edit.replacement}}
                    for edit in fix.edits
                ],
            }
        ],
        "properties": {"applicability": fix.applicability.value},
    }


def result(
    diagnostic: Diagnostic,
    fingerprint: str,
    rule_index: dict[str, int],
    root: str,
    facts: Mapping[str, ImageFacts] | None = None,
) -> dict[str, Any]:
    location = artifact_location(diagnostic.path, root)
    physical = {"artifactLocation": location, "region": region(diagnostic.span)}
    entry: dict[str, Any] = {"ruleId": diagnostic.code}
    if diagnostic.code in rule_index:
        entry["ruleIndex"] = rule_index[diagnostic.code]
    entry |= {
        "level": LEVELS[diagnostic.severity],
        "message": {"text": diagnostic.message},
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    if diagnostic.fix is not None:
        entry["fixes"] = [_fix(fix, location) for fix in (diagnostic.fix, *diagnostic.other_fixes)]
    if facts and diagnostic.canonical is not None and diagnostic.canonical in facts:
        entry["properties"] = {"registry": facts_record(facts[diagnostic.canonical])}
    return entry


def sarif_log(report: Report) -> dict[str, Any]:
    from ..rules import ALL_RULES

    rule_index = {rule.code: index for index, rule in enumerate(ALL_RULES)}
    prints = fingerprints(report.diagnostics, report.root)
    driver: dict[str, Any] = {"name": TOOL_NAME, "version": __version__}
    if INFORMATION_URI is not None:
        driver["informationUri"] = INFORMATION_URI
    driver["rules"] = [rule_descriptor(rule) for rule in ALL_RULES]
    run = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {SRCROOT: {"uri": root_uri(report.root)}},
        "columnKind": "unicodeCodePoints",
        # What went wrong besides findings (an unreadable file, a bad config): the run exited 2.
        "invocations": [
            {
                "executionSuccessful": not report.problems,
                "toolExecutionNotifications": [
                    {"level": "error", "message": {"text": problem}} for problem in report.problems
                ],
            }
        ],
        "results": [
            result(diagnostic, fingerprint, rule_index, report.root, report.facts)
            for diagnostic, fingerprint in zip(report.diagnostics, prints, strict=True)
        ],
    }
    if report.facts:
        # An online run: what the registries said of every image linted, clean ones too.
        run["properties"] = {
            "images": {name: facts_record(facts) for name, facts in sorted(report.facts.items())}
        }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


class SarifReporter:
    def write(self, report: Report, stream: TextIO) -> None:
        stream.write(json_text(json.dumps(sarif_log(report), indent=2, ensure_ascii=False)) + "\n")


REPORTER = SarifReporter()
