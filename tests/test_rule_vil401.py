"""VIL401 image-not-found: what the registry said, handed to the rule (an online run's facts);
tests/test_online.py runs it against a real registry."""

from __future__ import annotations

import pytest
from rule_table import assert_fires, assert_silent, lint_online, step

from valohai_image_lint import Severity
from valohai_image_lint.facts import ImageFacts, LookupKey, Manifest, Status

D = "sha256:" + "ab" * 32
FOUND = Manifest("sha256:" + "1" * 64, "application/vnd.oci.image.manifest.v1+json")


@pytest.mark.parametrize(
    ("image", "status", "reason", "fragment"),
    [
        ("pyhton:3.12.1", Status.MISSING_REPOSITORY, "", "there is no repository docker.io/library/pyhton"),
        ("python:3.12.99", Status.MISSING_TAG, "", 'docker.io/library/python has no tag "3.12.99"'),
        ("python", Status.MISSING_TAG, "", 'docker.io/library/python has no tag "latest"'),
        (f"python:3.12.1@{D}", Status.MISSING_DIGEST, "", "has no manifest sha256:abababababab…"),
        (
            "ghcr.io/acme/trainer:1.0.4",
            Status.DENIED,
            "ghcr.io answered 401 (UNAUTHORIZED)",
            "ghcr.io refused access (ghcr.io answered 401 (UNAUTHORIZED)); it does not exist, or it is "
            "private and your Docker credentials for ghcr.io cannot pull it. If it exists, Valohai pulls "
            'it only with registry credentials whose image pattern matches "ghcr.io/acme/trainer"',
        ),
    ],
)
def test_fires(image: str, status: Status, reason: str, fragment: str) -> None:
    found = lint_online(step(image), "VIL401", lambda key: ImageFacts(key, status, reason=reason))
    assert_fires(found, 3, 12, "VIL401", fragment, severity=Severity.ERROR, names_image=True)


def _found(key: LookupKey) -> ImageFacts:
    return ImageFacts(key, Status.FOUND, manifest=FOUND)


@pytest.mark.parametrize(
    ("image", "facts"),
    [
        ("python:3.12.4", _found),
        ("python:3.12.4", lambda key: ImageFacts(key, Status.FAILED, reason="timed out")),  # VIL404's
        ("{{ image }}", lambda key: ImageFacts(key, Status.MISSING_TAG)),  # a placeholder is not asked
        ("python:3.12.4", None),  # offline: no facts at all
    ],
)
def test_does_not_fire(image: str, facts: object) -> None:
    if facts is None:
        from valohai_image_lint import LintConfig, lint_text

        assert_silent(lint_text(step(image), config=LintConfig(select=("VIL401",))))
        return
    assert_silent(lint_online(step(image), "VIL401", facts))
