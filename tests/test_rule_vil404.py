"""VIL404 registry-check-failed: what the registry said, handed to the rule (an online run's
facts); tests/test_online.py runs it against a stopped, slow and rate-limiting registry."""

from __future__ import annotations

import pytest
from rule_table import assert_fires, assert_silent, lint_online, step

from valohai_image_lint import Severity
from valohai_image_lint.facts import ImageFacts, Status


def test_fires_and_says_why() -> None:
    found = lint_online(
        step("registry.acme.dev/trainer:1.0.4"),
        "VIL404",
        lambda key: ImageFacts(
            key, Status.FAILED, reason="timed out after 20 s reading from registry.acme.dev"
        ),
    )
    d = assert_fires(found, 3, 12, "VIL404", "", severity=Severity.WARNING, names_image=True)
    assert d.message == (
        'image "registry.acme.dev/trainer:1.0.4" could not be checked with registry.acme.dev: '
        "timed out after 20 s reading from registry.acme.dev"
    )


def test_a_reason_with_control_characters_stays_on_one_line() -> None:
    found = lint_online(
        step("registry.acme.dev/trainer:1.0.4"),
        "VIL404",
        lambda key: ImageFacts(key, Status.FAILED, reason="bad\nanswer\x1b[31m"),
    )
    (d,) = found
    assert "\n" not in d.message and "\x1b" not in d.message


@pytest.mark.parametrize("status", [s for s in Status if s is not Status.FAILED])
def test_does_not_fire(status: Status) -> None:
    assert_silent(lint_online(step("acme/app:1.0"), "VIL404", lambda key: ImageFacts(key, status)))
