"""The SARIF 2.1.0 reporter: the golden file, the official schema, rules, fixes and fingerprints.

Regenerate the golden file after an intended change with
``VIL_UPDATE_GOLDEN=1 pytest tests/test_format_sarif.py`` and review the diff. The golden file holds
``file:///project/`` where the output has the checkout's own folder as a ``file:`` URI.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from format_fixtures import (
    EXAMPLE,
    GOLDEN_DIR,
    ROOT,
    assert_fingerprints_survive_lines_inserted_above,
    assert_matches_golden,
    example_report,
    render_report,
    report_of,
)

from valohai_image_lint import LintConfig, Severity, Span, __version__, lint_text
from valohai_image_lint.model import Diagnostic
from valohai_image_lint.reporters import Report
from valohai_image_lint.reporters.sarif import REPORTER, what_it_does

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib
from valohai_image_lint.rule_pages import page
from valohai_image_lint.rules import ALL_RULES

GOLDEN = GOLDEN_DIR / "example.sarif.json"
ROOT_PLACEHOLDER = "file:///project/"
FINGERPRINT = "valohaiImageLint/v1"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def sarif_text(report: Report) -> str:
    return render_report(REPORTER, report)


def sarif(report: Report) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(sarif_text(report))
    return log


def results(log: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = log["runs"][0]["results"]
    return found


@pytest.fixture(scope="module")
def validate(shared_dir: Path) -> Any:
    import jsonschema  # type: ignore[import-untyped, unused-ignore]  # no stubs in the test extra

    schema = json.loads((shared_dir / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    # The validator the schema declares in "$schema" (draft-04 for the official SARIF 2.1.0 schema).
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    return validator.validate


def test_example_output_matches_the_golden_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    out = sarif_text(example_report(with_clean=True))
    root_uri = ROOT.as_uri() + "/"
    assert f'"uri": "{root_uri}"' in out
    assert_matches_golden(GOLDEN, out.replace(f'"{root_uri}"', f'"{ROOT_PLACEHOLDER}"'))


def test_the_golden_file_is_valid_sarif(validate: Any) -> None:
    validate(json.loads(GOLDEN.read_text(encoding="utf-8")))


def test_the_example_output_validates_against_the_schema(
    validate: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    log = sarif(example_report(with_clean=True))
    validate(log)
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    assert len(results(log)) == 7


def test_an_empty_report_is_valid_sarif_with_no_results(validate: Any) -> None:
    log = sarif(Report([]))
    validate(log)
    assert results(log) == []
    assert len(log["runs"][0]["tool"]["driver"]["rules"]) == len(ALL_RULES)


def test_the_driver_names_the_tool() -> None:
    driver = sarif(Report([]))["runs"][0]["tool"]["driver"]
    assert driver["name"] == "valohai-image-lint"
    assert driver["version"] == __version__
    # informationUri is the repository pyproject.toml declares, and absent while none is declared
    # (no package page is published; the README names the repository only as <owner>'s).
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    repository = project.get("urls", {}).get("Repository")
    assert driver.get("informationUri") == repository
    assert repository is None or repository.startswith("https://")


def test_every_rule_is_described_in_the_driver() -> None:
    rules = sarif(Report([]))["runs"][0]["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [rule.code for rule in ALL_RULES]
    for descriptor, rule in zip(rules, ALL_RULES, strict=True):
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"] == {"text": rule.summary}
        assert descriptor["fullDescription"] == {"text": what_it_does(rule)}
        assert descriptor["help"] == {"text": page(rule), "markdown": page(rule)}
        configuration = descriptor["defaultConfiguration"]
        assert configuration["level"] == LEVELS[rule.severity]
        assert configuration.get("enabled", True) is rule.enabled_by_default


def test_the_full_description_is_the_what_it_does_section() -> None:
    latest = next(rule for rule in ALL_RULES if rule.code == "VIL103")
    text = what_it_does(latest)
    assert text.startswith("Reports an image tagged `latest` or a moving variant of it: `latest-gpu`, ")
    assert text.endswith("An image pinned by digest is not reported.")
    assert "\n" not in text and "##" not in text
    for rule in ALL_RULES:
        text = what_it_does(rule)
        assert text and "## " not in text and "\n " not in text and not text.endswith("\n")


def test_the_full_description_keeps_paragraphs_and_list_items() -> None:
    by_code = {rule.code: rule for rule in ALL_RULES}
    floating = what_it_does(by_code["VIL104"]).split("\n\n")
    assert len(floating) == 6 and floating[2].startswith("It does not report full versions")
    assert floating[5].startswith("Online (`--online`), a tag with a one- or two-number version")
    assert (
        floating[1].startswith("- in a repository whose scheme is known")
        and "\n- in any repository" in floating[1]
    )
    malformed = what_it_does(by_code["VIL203"]).split("\n")
    items = [line for line in malformed if line.startswith("- ")]
    assert len(items) == 5 and items[0].startswith(
        "- Amazon ECR: a host that looks like ECR but is not `<12-digit"
    )


def test_rules_off_by_default_are_disabled_and_the_others_are_not() -> None:
    rules = sarif(Report([]))["runs"][0]["tool"]["driver"]["rules"]
    disabled = {
        descriptor["id"] for descriptor in rules if descriptor["defaultConfiguration"].get("enabled") is False
    }
    assert disabled == {rule.code for rule in ALL_RULES if not rule.enabled_by_default}
    assert disabled  # the example set has rules off by default (VIL105 missing-digest among them)


def test_results_point_at_their_rule_and_span(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    report = example_report(with_clean=True)
    log = sarif(report)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert len(results(log)) == len(report.diagnostics)
    for entry, diagnostic in zip(results(log), report.diagnostics, strict=True):
        assert entry["ruleId"] == diagnostic.code
        assert rules[entry["ruleIndex"]]["id"] == diagnostic.code
        assert entry["level"] == LEVELS[diagnostic.severity]
        assert entry["message"] == {"text": diagnostic.message}
        (location,) = entry["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": EXAMPLE, "uriBaseId": "%SRCROOT%"}
        span = diagnostic.span
        assert physical["region"] == {
            "startLine": span.line,
            "startColumn": span.column,
            "endLine": span.end_line,
            "endColumn": span.end_column,
        }
    first = results(log)[0]
    assert (first["ruleId"], first["locations"][0]["physicalLocation"]["region"]) == (
        "VIL102",
        {"startLine": 5, "startColumn": 12, "endLine": 5, "endColumn": 18},
    )


def test_the_source_root_is_the_report_root_as_a_file_uri(tmp_path: Path) -> None:
    run = sarif(Report([], root=str(tmp_path)))["runs"][0]
    uri = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert uri == tmp_path.as_uri() + "/"
    assert run["columnKind"] == "unicodeCodePoints"


def test_columns_count_code_points() -> None:
    text = "- step: {name: \U0001f682 train, image: python:3.9}\n"  # one code point, two UTF-16 units
    (entry,) = results(sarif(report_of(("valohai.yaml", text))))
    region = entry["locations"][0]["physicalLocation"]["region"]
    assert text[region["startColumn"] - 1 : region["endColumn"] - 1] == "python:3.9"


def test_a_path_with_spaces_is_a_percent_encoded_uri_reference(
    validate: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = "my configs/valohai #1 100%.yaml"
    log = sarif(report_of((path, "- step: {name: train, image: python:3.9}\n")))
    validate(log)
    location = results(log)[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "my%20configs/valohai%20%231%20100%25.yaml", "uriBaseId": "%SRCROOT%"}


def test_paths_are_relative_to_the_root_with_posix_separators(tmp_path: Path) -> None:
    path = os.path.join(str(tmp_path), "sub", "dir", "valohai.yaml")
    log = sarif(
        Report(report_of((path, "- step: {name: t, image: python}\n")).diagnostics, root=str(tmp_path))
    )
    location = results(log)[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "sub/dir/valohai.yaml", "uriBaseId": "%SRCROOT%"}


def test_a_file_outside_the_root_gets_an_absolute_file_uri(validate: Any, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "valohai.yaml"
    root = tmp_path / "project"
    diagnostics = lint_text("- step: {name: t, image: python}\n", str(outside))
    log = sarif(Report(diagnostics, root=str(root)))
    validate(log)
    location = results(log)[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": outside.as_uri()}


PRIVATE = LintConfig(options={"private-registries": ("docker.io/acme/*",)})


def test_fixes_carry_their_edits(validate: Any) -> None:
    line = "- step: {name: train, image: index.docker.io/acme/trainer:1.0}"
    log = sarif(report_of(("valohai.yaml", line + "\n"), config=PRIVATE))
    validate(log)
    by_code = {entry["ruleId"]: entry for entry in results(log)}
    assert {"VIL202", "VIL205"} <= by_code.keys()
    expected = {
        "VIL202": ('Write the full name "docker.io/acme/trainer:1.0"', "docker.io/acme/trainer:1.0"),
        "VIL205": ("Replace index.docker.io with docker.io", "docker.io/acme/trainer:1.0"),
    }
    for code, (title, image) in expected.items():
        (fix,) = by_code[code]["fixes"]
        assert fix["description"] == {"text": title}
        assert fix["properties"] == {"applicability": "safe"}
        (change,) = fix["artifactChanges"]
        assert change["artifactLocation"] == {"uri": "valohai.yaml", "uriBaseId": "%SRCROOT%"}
        (replacement,) = change["replacements"]
        region = replacement["deletedRegion"]
        assert region["startLine"] == region["endLine"] == 1
        fixed = (
            line[: region["startColumn"] - 1]
            + replacement["insertedContent"]["text"]
            + line[region["endColumn"] - 1 :]
        )
        assert fixed == "- step: {name: train, image: " + image + "}"


def test_a_result_without_a_fix_has_no_fixes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert all("fixes" not in entry for entry in results(sarif(example_report(with_clean=True))))


def test_a_severity_set_in_the_config_is_the_result_level() -> None:
    config = LintConfig(severity={"VIL104": Severity.INFO})
    (entry,) = results(
        sarif(report_of(("valohai.yaml", "- step: {name: t, image: python:3.9}\n"), config=config))
    )
    assert entry["level"] == "note"


def _fingerprints_by_finding(text: str) -> dict[tuple[str, str], tuple[int, str]]:
    log = sarif(report_of(("valohai.yaml", text)))
    return {
        (entry["ruleId"], entry["message"]["text"]): (
            entry["locations"][0]["physicalLocation"]["region"]["startLine"],
            entry["partialFingerprints"][FINGERPRINT],
        )
        for entry in results(log)
    }


def test_fingerprints_survive_unrelated_lines_inserted_above() -> None:
    assert_fingerprints_survive_lines_inserted_above(_fingerprints_by_finding)


def test_identical_findings_get_different_fingerprints() -> None:
    text = "- step: {name: a, image: python:3.9}\n- step: {name: b, image: python:3.9}\n"
    entries = results(sarif(report_of(("valohai.yaml", text))))
    assert [entry["ruleId"] for entry in entries] == ["VIL104", "VIL104"]
    assert entries[0]["partialFingerprints"] != entries[1]["partialFingerprints"]


def test_fingerprints_differ_between_files_and_codes() -> None:
    text = "- step: {name: a, image: python:3.9}\n"
    entries = results(sarif(report_of(("a/valohai.yaml", text), ("b/valohai.yaml", text))))
    assert len({entry["partialFingerprints"][FINGERPRINT] for entry in entries}) == 2


def test_a_diagnostic_of_an_unknown_code_is_reported_without_a_rule_index(validate: Any) -> None:
    diagnostic = Diagnostic("valohai.yaml", Span(1, 1, 1, 2), "VIL998", "future-rule", Severity.INFO, "note")
    (entry,) = results(sarif(Report([diagnostic])))
    validate(sarif(Report([diagnostic])))
    assert entry["ruleId"] == "VIL998"
    assert "ruleIndex" not in entry
