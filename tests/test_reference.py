"""parse_image against Go's distribution/reference, through the upstream vectors and beyond."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from valohai_image_lint import ImageRef, InvalidImageReference, parse_image

DIGEST = "sha256:" + "e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582"


def _vectors(shared: Path, *ops: str) -> list[dict[str, Any]]:
    cases = json.loads((shared / "reference-vectors" / "vectors.json").read_text(encoding="utf-8"))
    return [case for case in cases if case["op"] in ops]


def _parse(text: str) -> ImageRef | InvalidImageReference:
    try:
        return parse_image(text)
    except InvalidImageReference as exc:
        return exc


def test_parse_normalized_named_vectors(shared_dir: Path) -> None:
    cases = _vectors(shared_dir, "ParseNormalizedNamed")
    assert len(cases) == 102
    failures = []
    for case in cases:
        result = _parse(case["input"])
        valid = isinstance(result, ImageRef)
        if valid != case["valid"]:
            failures.append(f"{case['input']!r}: valid={valid}, Go says {case['valid']}")
            continue
        if not isinstance(result, ImageRef):
            continue
        for field, attribute in (
            ("domain", "domain"),
            ("path", "path"),
            ("normalized", "canonical"),
            ("familiar", "familiar"),
        ):
            if field in case and case[field] != getattr(result, attribute):
                failures.append(
                    f"{case['input']!r}: {attribute}={getattr(result, attribute)!r}, Go says {case[field]!r}"
                )
    assert failures == []


def test_parse_named_vectors(shared_dir: Path) -> None:
    """ParseNamed is ParseNormalizedNamed plus 'the input must already be canonical'."""
    cases = _vectors(shared_dir, "ParseNamed")
    assert cases
    for case in cases:
        result = _parse(case["input"])
        canonical = isinstance(result, ImageRef) and result.canonical == case["input"]
        assert canonical == case["valid"], case


def test_parse_docker_ref_vectors(shared_dir: Path) -> None:
    """ParseDockerRef adds :latest to a bare name and drops the tag beside a digest; our name agrees."""
    cases = _vectors(shared_dir, "ParseDockerRef")
    assert cases
    for case in cases:
        ref = parse_image(case["input"])
        expected = case["normalized"]
        if ref.digest:
            assert expected == f"{ref.name}@{ref.digest}"
        else:
            assert expected == f"{ref.name}:{ref.tag or 'latest'}"


@pytest.mark.parametrize(
    ("text", "canonical", "familiar", "domain", "path", "tag", "digest"),
    [
        ("python", "docker.io/library/python", "python", "docker.io", "library/python", None, None),
        (
            "python:3.11",
            "docker.io/library/python:3.11",
            "python:3.11",
            "docker.io",
            "library/python",
            "3.11",
            None,
        ),
        (
            "tensorflow/tensorflow:latest-gpu",
            "docker.io/tensorflow/tensorflow:latest-gpu",
            "tensorflow/tensorflow:latest-gpu",
            "docker.io",
            "tensorflow/tensorflow",
            "latest-gpu",
            None,
        ),
        (
            "index.docker.io/library/python:3.9",
            "docker.io/library/python:3.9",
            "python:3.9",
            "docker.io",
            "library/python",
            "3.9",
            None,
        ),
        (
            "ghcr.io/acme/app:1.0",
            "ghcr.io/acme/app:1.0",
            "ghcr.io/acme/app:1.0",
            "ghcr.io",
            "acme/app",
            "1.0",
            None,
        ),
        (
            "localhost:5000/app",
            "localhost:5000/app",
            "localhost:5000/app",
            "localhost:5000",
            "app",
            None,
            None,
        ),
        # docker-image-py's familiar_name() raises TypeError on a digest-only name; ours does not.
        (
            f"python@{DIGEST}",
            f"docker.io/library/python@{DIGEST}",
            f"python@{DIGEST}",
            "docker.io",
            "library/python",
            None,
            DIGEST,
        ),
        (
            f"python:3.9@{DIGEST}",
            f"docker.io/library/python:3.9@{DIGEST}",
            f"python:3.9@{DIGEST}",
            "docker.io",
            "library/python",
            "3.9",
            DIGEST,
        ),
        # Go accepts foo_bar.com/x as a name with no domain; docker-image-py's pre-check rejects it.
        ("foo_bar.com/x", "foo_bar.com/x", "foo_bar.com/x", "", "foo_bar.com/x", None, None),
        (
            "[fc00::1]:5000/app:1",
            "[fc00::1]:5000/app:1",
            "[fc00::1]:5000/app:1",
            "[fc00::1]:5000",
            "app",
            "1",
            None,
        ),
    ],
)
def test_normalization(
    text: str, canonical: str, familiar: str, domain: str, path: str, tag: str | None, digest: str | None
) -> None:
    ref = parse_image(text)
    assert (ref.raw, ref.canonical, ref.familiar, ref.domain, ref.path, ref.tag, ref.digest) == (
        text,
        canonical,
        familiar,
        domain,
        path,
        tag,
        digest,
    )
    assert ref.name == canonical.split("@")[0].rsplit(":", 1)[0] if tag else canonical.split("@")[0]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("python:3.11\n", "whitespace"),  # docker-image-py's `$` accepts a final newline; Go does not
        (" python", "whitespace"),
        ("Python:3.9", "must be lowercase"),
        ("docker/Docker", "must be lowercase"),
        ("python:", "tag after ':' is empty"),
        ("python:3.9:1", "more than one ':'"),
        ("https://github.com/docker/docker", "URL"),
        ("python@sha256:abc", "digest"),
        (f"python@sha256:{'a' * 63}", "digest"),
        ("python@md5:" + "a" * 32, "digest"),  # docker-image-py raises outside its hierarchy here
        ("a" * 256, "255 characters"),
        ("", "it is empty"),
        ("a" * 64, "image ID"),
        ("py thon", "whitespace"),
        ("pythön", "'ö'"),
    ],
)
def test_invalid(text: str, reason: str) -> None:
    with pytest.raises(InvalidImageReference) as info:
        parse_image(text)
    assert reason in info.value.reason
    assert info.value.text == text
    assert isinstance(info.value, ValueError)


def test_non_string_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        parse_image(3.9)  # type: ignore[arg-type]
