"""Image patterns: globs over canonical names, normalization, tags, names as written, errors."""

from __future__ import annotations

import pytest

from valohai_image_lint import parse_image
from valohai_image_lint.patterns import ImagePattern, InvalidPattern

HEX64 = "0123456789abcdef" * 4
DIGEST = "@sha256:" + HEX64

# (pattern, normalized glob)
NORMALIZED = [
    ("python", "docker.io/library/python"),
    ("acme/*", "docker.io/acme/*"),
    ("*", "docker.io/library/*"),
    ("**", "docker.io/**"),
    ("docker.io/*", "docker.io/library/*"),
    ("docker.io/**", "docker.io/**"),
    ("docker.io/library/**", "docker.io/library/**"),
    ("index.docker.io/x/*", "docker.io/x/*"),
    ("index.docker.io/python", "docker.io/library/python"),
    ("python:3.11*", "docker.io/library/python:3.11*"),
    ("ghcr.io/acme/**", "ghcr.io/acme/**"),
    ("localhost/x", "localhost/x"),
    ("localhost:5000/x:1.*", "localhost:5000/x:1.*"),
    ("GHCR.io/acme/*", "ghcr.io/acme/*"),
    ("[fc00::1]:5000/*", "[fc00::1]:5000/*"),
    ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/*", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/*"),
]

# (pattern, image, matches)
MATCHES = [
    # * stays within one component, ** crosses them
    ("docker.io/library/*", "python:3.12.4", True),
    ("docker.io/library/*", "library/python", True),
    ("docker.io/library/*", "acme/python", False),
    ("ghcr.io/acme/*", "ghcr.io/acme/trainer", True),
    ("ghcr.io/acme/*", "ghcr.io/acme/ml/trainer", False),
    ("ghcr.io/acme/**", "ghcr.io/acme/trainer", True),
    ("ghcr.io/acme/**", "ghcr.io/acme/ml/trainer:1", True),
    ("ghcr.io/acme/**", "ghcr.io/acme-ml/trainer", False),
    ("ghcr.io/acme/**/trainer", "ghcr.io/acme/trainer", True),
    ("ghcr.io/acme/**/trainer", "ghcr.io/acme/a/b/trainer", True),
    ("ghcr.io/acme/**/trainer", "ghcr.io/acme/a/b/other", False),
    ("ghcr.io/ac**", "ghcr.io/acme/ml/trainer", True),
    ("ghcr.io/*", "ghcr.io/acme/trainer", False),
    ("*.gcr.io/*/*", "eu.gcr.io/p/x", True),
    ("*.gcr.io/*/*", "gcr.io/p/x", False),
    ("**.example.com/*", "registry.example.com/x", True),
    ("**.example.com/*", "docker.io/evil/registry.example.com/x", False),  # ** stays in the host
    # ? is one character other than /
    ("ghcr.io/acme/trainer-v?", "ghcr.io/acme/trainer-v2", True),
    ("ghcr.io/acme/trainer-v?", "ghcr.io/acme/trainer-v22", False),
    ("ghcr.io/acme?trainer", "ghcr.io/acme/trainer", False),
    # classes
    ("ghcr.io/acme/team-[a-c]", "ghcr.io/acme/team-b", True),
    ("ghcr.io/acme/team-[a-c]", "ghcr.io/acme/team-d", False),
    ("ghcr.io/acme/team-[!a-c]", "ghcr.io/acme/team-d", True),
    ("ghcr.io/acme/team-[^a-c]", "ghcr.io/acme/team-a", False),
    ("ghcr.io/acme[!x]trainer", "ghcr.io/acme/trainer", False),
    ("registry[0-9].example.com/*", "registry2.example.com/x", True),
    # familiar patterns mean their canonical names
    ("python", "python", True),
    ("python", "docker.io/library/python:3.12.4", True),
    ("python", "index.docker.io/python", True),
    ("python", "acme/python", False),
    ("acme/*", "docker.io/acme/trainer", True),
    ("acme/*", "acme/trainer:1.0", True),
    ("acme/*", "ghcr.io/acme/trainer", False),
    ("*", "ubuntu:24.04", True),
    ("*", "acme/trainer", False),
    ("**", "acme/ml/trainer", True),
    ("**", "ghcr.io/acme/trainer", False),
    ("docker.io/**", "acme/trainer", True),
    ("docker.io/**", "python", True),
    # tag constraints
    ("python:3.11*", "python:3.11.9", True),
    ("python:3.11*", "python:3.12.4", False),
    ("python:3.11*", "python:3.11.9" + DIGEST, True),
    ("python:3.1?", "python:3.12", True),
    ("python:3.1?", "python:3.1", False),
    ("python:3.[0-9]*-slim", "python:3.12.4-slim", True),
    ("python:*-slim", "python:3.12.4", False),
    ("python:Latest*", "python:Latest-GPU", True),
    # an image without a tag is compared as latest
    ("python:latest", "python", True),
    ("python:3*", "python", False),
    # a digest without a tag matches tag-less patterns only
    ("python:latest", "python" + DIGEST, False),
    ("python:*", "python" + DIGEST, False),
    ("python", "python" + DIGEST, True),
    # ports belong to the host, not a tag
    ("localhost:5000/*", "localhost:5000/trainer:1.0", True),
    ("localhost:5000/*", "localhost/trainer", False),
    ("localhost:*/*", "localhost:5001/trainer", True),
    ("localhost:5000/trainer:1.*", "localhost:5000/trainer:1.0", True),
    ("localhost:5000/trainer:1.*", "localhost:5000/trainer:2.0", False),
    ("[fc00::1]:5000/*", "[fc00::1]:5000/trainer", True),
    ("[fc00::1]:5000/*", "[fc00::2]:5000/trainer", False),
    # the registry host is compared without regard to case
    ("ghcr.io/acme/*", "GHCR.io/acme/trainer", True),
    ("GHCR.IO/acme/*", "ghcr.io/acme/trainer", True),
    # literal dots are dots
    ("ghcr.io/acme/a.b", "ghcr.io/acme/axb", False),
]

# (pattern, text as written, matches as written)
WRITTEN = [
    ("docker.io/acme/*", "docker.io/acme/trainer:1.0", True),
    ("docker.io/acme/*", "acme/trainer:1.0", False),
    ("acme/*", "acme/trainer:1.0", False),
    ("acme/*", "docker.io/acme/trainer", True),
    ("docker.io/library/*", "python:3.12.4", False),
    ("docker.io/library/*", "docker.io/python", False),
    ("docker.io/library/*", "docker.io/library/python" + DIGEST, True),
    ("docker.io/acme/*", "index.docker.io/acme/trainer", False),
    ("ghcr.io/acme/**", "ghcr.io/acme/ml/trainer:1.0" + DIGEST, True),
    ("localhost:5000/*", "localhost:5000/trainer:1.0", True),
    ("python:3.11*", "docker.io/library/python:2.7", True),  # only the name is compared
]

# (pattern, reason fragment)
INVALID = [
    ("", "it is empty"),
    (" python", "it contains whitespace"),
    ("python ", "it contains whitespace"),
    ("acme/\ttrainer", "it contains whitespace"),
    ("python@sha256:" + HEX64, "it has a digest part"),
    ("python:3.12@sha256:" + HEX64, "it has a digest part"),
    ("Python", "the repository path must be lowercase"),
    ("ghcr.io/Acme/*", "the repository path must be lowercase"),
    ("ghcr.io/acme/[A-Z]*", "the repository path must be lowercase"),
    ("ghcr.io/acme/$x", "it contains the character '$'"),
    ("ghcr.io/acme/{a,b}", "it contains the character '{'"),
    ("ghcr.io/acme/é", "it contains the character 'é'"),
    ("python:3.12+", "the tag contains the character '+'"),
    ("python:", "the tag after ':' is empty"),
    ("python:3:12", "more than one ':' in the last path component"),
    ("ghcr.io/a:b/c", "':' may only follow the registry host"),
    ("ghcr.io//x", "it has an empty path component"),
    ("ghcr.io/acme/", "it has an empty path component"),
    ("/acme", "it has an empty path component"),
    ("ghcr.io/acme/[a-c", "a '[' class is not closed with ']'"),
    ("python:3.[0-9", "a '[' class is not closed with ']'"),
    ("ghcr.io/acme/a]", "a ']' has no '[' to close"),
    ("ghcr.io/acme/[]", "a '[...]' class is empty"),
    ("ghcr.io/acme/[!]", "a '[...]' class is empty"),
    ("ghcr.io/acme[/]x", "a '[...]' class cannot hold '/'"),
    ("ghcr.io/acme/[c-a]", "the range 'c-a' in a '[...]' class is out of order"),
]


@pytest.mark.parametrize(("text", "glob"), NORMALIZED, ids=[c[0] for c in NORMALIZED])
def test_normalized(text: str, glob: str) -> None:
    pattern = ImagePattern.parse(text)
    assert pattern.text == text
    assert pattern.glob == glob
    assert str(pattern) == text


@pytest.mark.parametrize(("text", "image", "expected"), MATCHES, ids=[f"{c[0]}~{c[1]}" for c in MATCHES])
def test_matches(text: str, image: str, expected: bool) -> None:
    assert ImagePattern.parse(text).matches(parse_image(image)) is expected


@pytest.mark.parametrize(("text", "written", "expected"), WRITTEN, ids=[f"{c[0]}~{c[1]}" for c in WRITTEN])
def test_matches_written(text: str, written: str, expected: bool) -> None:
    assert ImagePattern.parse(text).matches_written(written) is expected


@pytest.mark.parametrize(("text", "reason"), INVALID, ids=[repr(c[0]) for c in INVALID])
def test_invalid(text: str, reason: str) -> None:
    with pytest.raises(InvalidPattern) as raised:
        ImagePattern.parse(text)
    assert reason in raised.value.reason
    assert raised.value.text == text
    assert str(raised.value).startswith(f"invalid image pattern {text!r}: ")
    assert isinstance(raised.value, ValueError)


def test_tag_part_is_separate() -> None:
    pattern = ImagePattern.parse("localhost:5000/trainer:1.*")
    assert (pattern.name_glob, pattern.tag_glob) == ("localhost:5000/trainer", "1.*")
    assert ImagePattern.parse("localhost:5000/trainer").tag_glob is None


def test_patterns_are_values() -> None:
    assert ImagePattern.parse("acme/*") == ImagePattern.parse("acme/*")
    assert hash(ImagePattern.parse("acme/*")) == hash(ImagePattern.parse("acme/*"))
    assert ImagePattern.parse("acme/*") != ImagePattern.parse("docker.io/acme/*")  # written differently


def test_importing_patterns_does_not_load_the_reference_grammar() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from valohai_image_lint.patterns import ImagePattern; "
        "ImagePattern.parse('ghcr.io/acme/**'); print('docker_image' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
