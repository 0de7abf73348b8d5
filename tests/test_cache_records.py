"""The result cache's records (``cache.records``): every field survives the round trip through
``marshal``'s values, and a value of any other shape decodes to None, never to an exception."""

from __future__ import annotations

import marshal

import pytest

from valohai_image_lint.cache.records import StoredDiagnostic, StoredFix, StoredResult
from valohai_image_lint.model import Applicability, Diagnostic, Edit, Fix, Severity, Span

FIX = Fix(
    "Use the full name", (Edit(Span(3, 12, 3, 25), "docker.io/library/python:latest"),), Applicability.UNSAFE
)
FULL = Diagnostic(
    "v.yaml",
    Span(3, 12, 3, 25),
    "VIL103",
    "latest-tag",
    Severity.ERROR,
    "msg \u2028 é",
    "python:latest",
    "docker.io/library/python:latest",
    'step "train"',
    FIX,
    2,
)
BARE = Diagnostic("v.yaml", Span(1, 1, 1, 2), "VIL006", "invalid-top-level", Severity.INFO, "m")


@pytest.mark.parametrize("diagnostic", [FULL, BARE], ids=["every-field", "defaults"])
def test_a_diagnostic_survives_the_round_trip(diagnostic: Diagnostic) -> None:
    stored = StoredDiagnostic.from_diagnostic(diagnostic)
    encoded = marshal.loads(marshal.dumps(stored.encode()))
    decoded = StoredDiagnostic.decode(encoded)
    assert decoded == stored
    assert decoded is not None
    assert decoded.to_diagnostic("v.yaml") == diagnostic
    assert (decoded.line, decoded.column, decoded.severity) == (
        diagnostic.span.line,
        diagnostic.span.column,
        int(diagnostic.severity),
    )


def test_an_entry_survives_the_round_trip_and_is_found_only_under_its_key() -> None:
    stored = StoredResult("k", (StoredDiagnostic.from_diagnostic(FULL),), True, "concise")
    encoded = marshal.loads(marshal.dumps(stored.encode()))
    assert StoredResult.decode(encoded, "k") == stored
    assert StoredResult.decode(encoded, "other") is None
    assert "failing=True" in repr(stored)


GOOD_DIAGNOSTIC = StoredDiagnostic.from_diagnostic(FULL).encode()


def _with(index: int, value: object) -> list[object]:
    changed = list(GOOD_DIAGNOSTIC)
    changed[index] = value
    return changed


BAD_ENTRIES = [
    None,
    "k",
    ["k", [], False],  # too short
    ["k", [], False, None, "extra"],
    ("k", [], False, None),  # a tuple: not what this module writes
    ["k", {}, False, None],
    ["k", [], 1, None],  # failing is a bool
    ["k", [], False, 3],
    ["k", [["bad"]], False, None],
    ["k", [_with(0, [1, 2, 3])], False, None],
    ["k", [_with(0, [1, 2, 3, "4"])], False, None],
    ["k", [_with(1, None)], False, None],
    ["k", [_with(3, "error")], False, None],
    ["k", [_with(5, 5)], False, None],
    ["k", [_with(8, ["title", "safe"])], False, None],
    ["k", [_with(8, ["title", "safe", [[[1, 2, 3, 4]]]])], False, None],
    ["k", [_with(8, ["title", "safe", [[[1, 2, 3], "x"]]])], False, None],
    ["k", [_with(8, ["title", 1, []])], False, None],
    ["k", [_with(9, "2")], False, None],
]


@pytest.mark.parametrize("value", BAD_ENTRIES, ids=repr)
def test_a_value_of_another_shape_decodes_to_none(value: object) -> None:
    assert StoredResult.decode(value, "k") is None


def test_a_severity_or_applicability_this_version_does_not_know_is_a_value_error() -> None:
    for index, value in ((3, 7), (8, ["title", "maybe", []])):
        stored = StoredDiagnostic.decode(_with(index, value))
        assert stored is not None  # the shape is right: only the model knows the values
        with pytest.raises(ValueError):
            stored.to_diagnostic("v.yaml")


def test_the_fix_record_keeps_its_edits() -> None:
    stored = StoredDiagnostic.from_diagnostic(FULL).fix
    assert stored == StoredFix(
        "Use the full name", "unsafe", (((3, 12, 3, 25), "docker.io/library/python:latest"),)
    )
