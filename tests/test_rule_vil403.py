"""VIL403 stale-digest: what the registry said, handed to the rule (an online run's facts);
tests/test_online.py runs it against a real registry, a tag moved after pinning."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rule_table import apply_edit, assert_fires, assert_silent, lint_online, step

from valohai_image_lint import Diagnostic, Severity
from valohai_image_lint.facts import (
    OCI_INDEX,
    OCI_MANIFEST,
    ImageFacts,
    LookupKey,
    Manifest,
    Platform,
    Status,
)

OLD, NEW, CHILD = ("sha256:" + c * 64 for c in "0ec")
AMD64 = Platform("linux", "amd64")


def _moved(pinned: str, current: str, index: bool = False) -> Callable[[LookupKey], ImageFacts]:
    children = ((AMD64, CHILD),) if index else ()
    tag_manifest = Manifest(current, OCI_INDEX if index else OCI_MANIFEST, children)
    manifest = Manifest(pinned, OCI_MANIFEST, platform=AMD64)
    return lambda key: ImageFacts(
        key, Status.FOUND, manifest=manifest, tag_manifest=tag_manifest, tag_digest=current
    )


def test_fires_with_a_safe_fix_to_the_current_digest() -> None:
    text = step(f"python:3.11.9@{OLD}")
    (found,) = assert_fires_once(text)
    assert found.message == (
        f'image "python:3.11.9@{OLD}": tag "3.11.9" now points at {NEW}, not at the pinned '
        "sha256:000000000000…; pin the current digest"
    )
    assert found.fix is not None and found.fix.applicability.value == "safe"
    (edit,) = found.fix.edits
    assert apply_edit(text, edit.span, edit.replacement) == step(f"python:3.11.9@{NEW}")


def assert_fires_once(text: str) -> list[Diagnostic]:
    found = lint_online(text, "VIL403", _moved(OLD, NEW))
    assert_fires(found, 3, 12, "VIL403", "now points at", severity=Severity.WARNING, names_image=True)
    return list(found)


def test_no_fix_when_the_file_does_not_hold_the_value_verbatim() -> None:
    text = step(f'"python:3.11.9\\x40{OLD}"')  # "\x40" is "@" written as an escape
    (found,) = lint_online(text, "VIL403", _moved(OLD, NEW))
    assert found.fix is None


@pytest.mark.parametrize(
    ("image", "facts"),
    [
        (f"python:3.11.9@{NEW}", _moved(NEW, NEW)),  # current
        (f"python@{OLD}", _moved(OLD, NEW)),  # no tag to compare with
        ("python:3.11.9", _moved(NEW, NEW)),  # no digest
        (f"python:3.11.9@{CHILD}", _moved(CHILD, NEW, index=True)),  # one platform's image: VIL402's
        (f"python:3.11.9@{OLD}", lambda key: ImageFacts(key, Status.MISSING_DIGEST)),  # VIL401's
    ],
)
def test_does_not_fire(image: str, facts: object) -> None:
    assert_silent(lint_online(step(image), "VIL403", facts))
