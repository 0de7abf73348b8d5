"""VIL202 private-image-short-name: a private-registry image not written with its full name."""

from __future__ import annotations

import pytest
from rule_table import apply_edit, assert_fires, assert_safe_fix, assert_silent, cases, texts

from valohai_image_lint import Diagnostic, LintConfig, Severity, Span, lint_text

CODE = "VIL202"
HEX64 = "0123456789abcdef" * 4
PRIVATE = ("docker.io/acme/*", "docker.io/library/internal-*", "ghcr.io/acme/**")


# (id, yaml, private-registries, line, column, code, message fragment)
FIRES = [
    (
        "familiar",
        "- step: {name: train, image: acme/trainer:1.0}",
        PRIVATE,
        1,
        30,
        CODE,
        'image "acme/trainer:1.0" is in the private registry docker.io/acme/* but is not written with its full '
        'name; write "docker.io/acme/trainer:1.0" so Valohai matches its registry credentials',
    ),
    (
        "official-short",
        "- step: {name: train, image: internal-base:2.1.0}",
        PRIVATE,
        1,
        30,
        CODE,
        "private registry docker.io/library/internal-* but is not written with its full name; "
        'write "docker.io/library/internal-base:2.1.0"',
    ),
    (
        "hub-without-library",
        "- step: {name: train, image: docker.io/internal-base:2.1.0}",
        PRIVATE,
        1,
        30,
        CODE,
        'write "docker.io/library/internal-base:2.1.0"',
    ),
    (
        "legacy-host",
        "- step: {name: train, image: index.docker.io/acme/trainer:1.0}",
        PRIVATE,
        1,
        30,
        CODE,
        'write "docker.io/acme/trainer:1.0"',
    ),
    (
        "familiar-pattern",
        "- step: {name: train, image: acme/trainer:1.0}",
        ("acme/*",),
        1,
        30,
        CODE,
        "in the private registry docker.io/acme/*",
    ),
    (
        "untagged",
        "- step: {name: train, image: acme/trainer}",
        PRIVATE,
        1,
        30,
        CODE,
        'write "docker.io/acme/trainer" so',
    ),
    (
        "digest",
        "- step: {name: train, image: acme/trainer@sha256:" + HEX64 + "}",
        PRIVATE,
        1,
        30,
        CODE,
        f'write "docker.io/acme/trainer@sha256:{HEX64}"',
    ),
    (
        "tag-and-digest",
        "- step: {name: train, image: acme/trainer:1.0@sha256:" + HEX64 + "}",
        PRIVATE,
        1,
        30,
        CODE,
        f'write "docker.io/acme/trainer:1.0@sha256:{HEX64}"',
    ),
    ("block", "- step:\n    name: train\n    image: acme/trainer:1.0\n", PRIVATE, 3, 12, CODE, "full name"),
    ("endpoint", "- endpoint: {name: serve, image: acme/trainer:1.0}", PRIVATE, 1, 34, CODE, "full name"),
    (
        "pipeline-override",
        "- pipeline: {name: p, nodes: [{name: n, override: {image: acme/trainer:1.0}}]}",
        PRIVATE,
        1,
        59,
        CODE,
        "full name",
    ),
]

# (id, yaml, private-registries)
DOES_NOT_FIRE = [
    ("not-configured", "- step: {name: train, image: acme/trainer:1.0}", ()),
    ("full-name", "- step: {name: train, image: docker.io/acme/trainer:1.0}", PRIVATE),
    ("full-name-library", "- step: {name: train, image: docker.io/library/internal-base:2.1.0}", PRIVATE),
    ("other-registry-host", "- step: {name: train, image: ghcr.io/acme/ml/trainer:1.0}", PRIVATE),
    ("public-image", "- step: {name: train, image: python:3.12.4}", PRIVATE),
    ("other-owner", "- step: {name: train, image: acmecorp/trainer:1.0}", PRIVATE),
    ("registry-host-case", "- step: {name: train, image: GHCR.io/acme/trainer:1.0}", PRIVATE),
    ("tag-outside-pattern", "- step: {name: train, image: acme/trainer:2.0}", ("docker.io/acme/*:1.*",)),
    ("invalid-is-vil101", "- step: {name: train, image: Acme/Trainer:1.0}", PRIVATE),
    ("placeholder", "- step: {name: train, image: 'acme/{{name}}'}", PRIVATE),
    ("non-string", "- step: {name: train, image: [acme/trainer]}", PRIVATE),
]

# (id, yaml, span of the edit, replacement)
FIXES = [
    (
        "familiar",
        "- step: {name: train, image: acme/trainer:1.0}",
        Span(1, 30, 1, 42),
        "docker.io/acme/trainer",
    ),
    (
        "block",
        "- step:\n    name: train\n    image: acme/trainer:1.0\n",
        Span(3, 12, 3, 24),
        "docker.io/acme/trainer",
    ),
    (
        "single-quoted",
        "- step: {name: train, image: 'acme/trainer'}",
        Span(1, 31, 1, 43),
        "docker.io/acme/trainer",
    ),
    (
        "double-quoted",
        '- step: {name: train, image: "acme/trainer:1"}',
        Span(1, 31, 1, 43),
        "docker.io/acme/trainer",
    ),
    (
        "library",
        "- step: {name: train, image: internal-base@sha256:" + HEX64 + "}",
        Span(1, 30, 1, 43),
        "docker.io/library/internal-base",
    ),
    (
        "hub-without-library",
        "- step: {name: train, image: docker.io/internal-base:2.1.0}",
        Span(1, 30, 1, 53),
        "docker.io/library/internal-base",
    ),
]

# (id, yaml): the file does not hold the value verbatim, so no fix
NO_FIX = [
    ("double-quoted-escape", '- step: {name: train, image: "acme/\\x74rainer:1.0"}'),
    (
        "double-quoted-line-continuation",
        '- step:\n    name: train\n    image: "acme/\\\n      trainer:1.0"\n',
    ),
]


def _lint(text: str, private: tuple[str, ...]) -> list[Diagnostic]:
    return lint_text(text, config=LintConfig(select=(CODE,), options={"private-registries": private}))


@pytest.mark.parametrize(("text", "private", "line", "column", "code", "fragment"), cases(FIRES))
def test_fires(text: str, private: tuple[str, ...], line: int, column: int, code: str, fragment: str) -> None:
    assert_fires(
        _lint(text, private), line, column, code, fragment, severity=Severity.ERROR, names_image=True
    )


@pytest.mark.parametrize(("text", "private"), cases(DOES_NOT_FIRE))
def test_does_not_fire(text: str, private: tuple[str, ...]) -> None:
    assert_silent(_lint(text, private))


@pytest.mark.parametrize(("text", "span", "replacement"), cases(FIXES))
def test_fix(text: str, span: Span, replacement: str) -> None:
    (d,) = _lint(text, PRIVATE)
    assert_safe_fix(d, span, replacement)
    assert_silent(_lint(apply_edit(text, span, replacement), PRIVATE))


@pytest.mark.parametrize("text", texts(NO_FIX))
def test_no_fix_when_the_file_does_not_hold_the_value_verbatim(text: str) -> None:
    (d,) = _lint(text, PRIVATE)
    assert d.fix is None
    assert 'write "docker.io/acme/trainer:1.0' in d.message


# -- online: a Docker Hub image that only the user's credentials can read is private -----------------

_PRIVATE_HUB = "- step:\n    name: train\n    image: acme/trainer:1.0.3\n    command: python train.py\n"


def _online(text: str, private: bool | None, found: bool = True) -> list[Diagnostic]:
    from valohai_image_lint.facts import ImageFacts, Manifest, Status, lookup_key
    from valohai_image_lint.linter import image_refs

    manifest = Manifest("sha256:" + "1" * 64, "application/vnd.oci.image.manifest.v1+json")
    facts = {
        lookup_key(ref): ImageFacts(
            lookup_key(ref),
            Status.FOUND if found else Status.DENIED,
            manifest=manifest if found else None,
            private=private,
        )
        for ref in image_refs(text, "valohai.yaml")
    }
    return lint_text(text, config=LintConfig(select=("VIL202",)), facts=facts)


def test_online_a_private_docker_hub_image_needs_its_full_name() -> None:
    (found,) = _online(_PRIVATE_HUB, private=True)
    assert found.message == (
        'image "acme/trainer:1.0.3" is private on Docker Hub (only your Docker credentials could read '
        'it) but is not written with its full name; write "docker.io/acme/trainer:1.0.3" so Valohai '
        "matches its registry credentials"
    )
    assert (found.span.line, found.span.column) == (3, 12)
    assert found.fix is not None and found.fix.edits[0].replacement == "docker.io/acme/trainer"


@pytest.mark.parametrize(
    ("text", "private", "found"),
    [
        (_PRIVATE_HUB, False, True),  # anonymous access read it: public
        (_PRIVATE_HUB, None, True),  # unknown
        (_PRIVATE_HUB, True, False),  # not read at all: VIL401's
        (_PRIVATE_HUB.replace("acme/trainer", "docker.io/acme/trainer"), True, True),  # written in full
        (_PRIVATE_HUB.replace("acme/trainer", "ghcr.io/acme/trainer"), True, True),  # not Docker Hub
    ],
)
def test_online_does_not_fire(text: str, private: bool | None, found: bool) -> None:
    assert _online(text, private, found) == []


def test_offline_a_docker_hub_short_name_is_not_judged_private() -> None:
    assert lint_text(_PRIVATE_HUB, config=LintConfig(select=("VIL202",))) == []
