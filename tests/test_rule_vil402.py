"""VIL402 missing-platform: what the registry said, handed to the rule (an online run's facts);
tests/test_online.py runs it against a real registry."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rule_table import assert_fires, assert_silent, lint_online, step

from valohai_image_lint import Severity
from valohai_image_lint.facts import (
    OCI_INDEX,
    OCI_MANIFEST,
    ImageFacts,
    LookupKey,
    Manifest,
    Platform,
    Status,
)

AMD64, ARM64, ARM64_V8 = (
    Platform("linux", "amd64"),
    Platform("linux", "arm64"),
    Platform("linux", "arm64", "v8"),
)
WINDOWS = Platform("windows", "amd64")
INDEX_DIGEST, AMD_CHILD, ARM_CHILD = ("sha256:" + c * 64 for c in "iab")
INDEX = Manifest(INDEX_DIGEST, OCI_INDEX, ((AMD64, AMD_CHILD), (ARM64_V8, ARM_CHILD)))


def _single(*platform: Platform) -> Manifest:
    return Manifest("sha256:" + "5" * 64, OCI_MANIFEST, platform=platform[0] if platform else None)


def _facts(manifest: Manifest, tag_manifest: Manifest | None = None) -> Callable[[LookupKey], ImageFacts]:
    return lambda key: ImageFacts(key, Status.FOUND, manifest=manifest, tag_manifest=tag_manifest)


@pytest.mark.parametrize(
    ("image", "manifest", "tag_manifest", "settings", "fragment"),
    [
        (
            "acme/trainer:1.0.4",
            _single(ARM64),
            None,
            {},
            "has no linux/amd64 build, which Valohai's workers run; it has linux/arm64",
        ),
        (
            "acme/trainer:1.0.4",
            Manifest(INDEX_DIGEST, OCI_INDEX, ((ARM64, ARM_CHILD), (WINDOWS, AMD_CHILD))),
            None,
            {},
            "it has linux/arm64, windows/amd64",
        ),
        (
            "acme/trainer:1.0.4",
            _single(AMD64),
            None,
            {"platforms": ("linux/arm64",)},
            "has no linux/arm64 build",
        ),
        (
            f"acme/trainer:1.0@{ARM_CHILD}",
            _single(ARM64_V8),
            INDEX,
            {},
            f'pins the linux/arm64/v8 image of the multi-platform tag "1.0", which Valohai\'s workers '
            f"(linux/amd64) cannot run; pin the index digest {INDEX_DIGEST} instead",
        ),
    ],
)
def test_fires(
    image: str, manifest: Manifest, tag_manifest: Manifest | None, settings: dict[str, object], fragment: str
) -> None:
    found = lint_online(step(image), "VIL402", _facts(manifest, tag_manifest), settings)
    assert_fires(found, 3, 12, "VIL402", fragment, severity=Severity.ERROR, names_image=True)


def test_the_fix_pins_the_index_and_is_unsafe() -> None:
    (found,) = lint_online(step(f"acme/trainer:1.0@{ARM_CHILD}"), "VIL402", _facts(_single(ARM64), INDEX))
    assert found.fix is not None and found.fix.applicability.value == "unsafe"
    (edit,) = found.fix.edits
    assert (edit.span.column, edit.span.end_column, edit.replacement) == (
        12 + len("acme/trainer:1.0@"),
        12 + len(f"acme/trainer:1.0@{ARM_CHILD}"),
        INDEX_DIGEST,
    )


@pytest.mark.parametrize(
    ("image", "manifest", "tag_manifest", "settings"),
    [
        ("acme/trainer:1.0.4", _single(AMD64), None, {}),
        ("acme/trainer:1.0.4", INDEX, None, {}),
        ("acme/trainer:1.0.4", _single(), None, {}),  # platform unknown (config not read): no verdict
        ("acme/trainer:1.0.4", _single(ARM64), None, {"platforms": ("linux/amd64", "linux/arm64")}),
        ("acme/trainer:1.0.4", _single(ARM64_V8), None, {"platforms": ("linux/arm64",)}),  # any variant
        (f"acme/trainer:1.0@{AMD_CHILD}", _single(AMD64), INDEX, {}),  # the amd64 child runs
        (f"acme/trainer:1.0@{INDEX_DIGEST}", INDEX, INDEX, {}),
    ],
)
def test_does_not_fire(
    image: str, manifest: Manifest, tag_manifest: Manifest | None, settings: dict[str, object]
) -> None:
    assert_silent(lint_online(step(image), "VIL402", _facts(manifest, tag_manifest), settings))


def test_a_missing_image_is_vil401s() -> None:
    assert_silent(lint_online(step("acme/x:1"), "VIL402", lambda key: ImageFacts(key, Status.MISSING_TAG)))


def test_platform_reads_variants() -> None:
    assert Platform.parse("linux/arm64/v8") == ARM64_V8
    assert str(ARM64_V8) == "linux/arm64/v8"
    assert ARM64_V8.runs(ARM64) and ARM64.runs(ARM64_V8)  # an image without a variant serves any
    assert not Platform("linux", "arm", "v7").runs(Platform("linux", "arm", "v6"))
    assert not AMD64.runs(ARM64)
    with pytest.raises(ValueError):
        Platform.parse("amd64")
