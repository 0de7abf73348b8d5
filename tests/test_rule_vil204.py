"""VIL204 unreachable-registry: a registry on this machine or a private network."""

from __future__ import annotations

import pytest
from rule_table import FIRES_ARGS, assert_fires, assert_silent, cases, texts

from valohai_image_lint import LintConfig, Severity, lint_text

CODE = "VIL204"


def _step(image: str) -> str:
    return f"- step: {{name: train, image: {image}}}"


# (id, yaml, line, column, code, message fragment)
FIRES = [
    (
        "localhost-port",
        _step("localhost:5000/trainer:1.0"),
        1,
        30,
        CODE,
        'image "localhost:5000/trainer:1.0" is in the registry localhost:5000 (this machine), which Valohai '
        "workers cannot reach; push it to a registry they can reach",
    ),
    ("localhost", _step("localhost/trainer:1.0"), 1, 30, CODE, "registry localhost (this machine)"),
    ("localhost-upper", _step("LOCALHOST:5000/trainer:1.0"), 1, 30, CODE, "(this machine)"),
    ("dot-localhost", _step("registry.localhost:5000/trainer:1.0"), 1, 30, CODE, "(this machine)"),
    (
        "loopback",
        _step("127.0.0.1:5000/trainer:1.0"),
        1,
        30,
        CODE,
        "registry 127.0.0.1:5000 (a loopback address)",
    ),
    ("loopback-other", _step("127.1.2.3/trainer:1.0"), 1, 30, CODE, "(a loopback address)"),
    (
        "private-10",
        _step("10.0.0.5:5000/trainer:1.0"),
        1,
        30,
        CODE,
        "registry 10.0.0.5:5000 (a private address)",
    ),
    ("private-172", _step("172.16.4.2/trainer:1.0"), 1, 30, CODE, "(a private address)"),
    ("private-192", _step("192.168.1.20:5000/trainer:1.0"), 1, 30, CODE, "(a private address)"),
    ("link-local", _step("169.254.169.254/trainer:1.0"), 1, 30, CODE, "(a link-local address)"),
    ("unspecified", _step("0.0.0.0:5000/trainer:1.0"), 1, 30, CODE, "(the unspecified address)"),
    (
        "ipv6-loopback",
        _step("'[::1]:5000/trainer:1.0'"),
        1,
        31,
        CODE,
        "registry [::1]:5000 (a loopback address)",
    ),
    ("ipv6-no-port", _step("'[::1]/trainer:1.0'"), 1, 31, CODE, "(a loopback address)"),
    ("ipv6-unique-local", _step("'[fc00::1]:5000/trainer:1.0'"), 1, 31, CODE, "(a private address)"),
    ("ipv6-unique-local-fd", _step("'[fd12:3456::1]/trainer:1.0'"), 1, 31, CODE, "(a private address)"),
    ("ipv6-link-local", _step("'[fe80::1]:5000/trainer:1.0'"), 1, 31, CODE, "(a link-local address)"),
    ("ipv6-unspecified", _step("'[::]:5000/trainer:1.0'"), 1, 31, CODE, "(the unspecified address)"),
    (
        "ipv6-mapped-loopback",
        _step("'[::ffff:7f00:1]:5000/trainer:1.0'"),
        1,
        31,
        CODE,
        "(a loopback address)",
    ),
    ("dot-local", _step("registry.local:5000/trainer:1.0"), 1, 30, CODE, "(a local network name)"),
    ("dot-internal", _step("registry.corp.internal/trainer:1.0"), 1, 30, CODE, "(a local network name)"),
    (
        "docker-desktop",
        _step("host.docker.internal:5000/trainer:1.0"),
        1,
        30,
        CODE,
        "(Docker Desktop's name for this machine)",
    ),
    (
        "block",
        "- step:\n    name: train\n    image: localhost:5000/trainer:1.0\n",
        3,
        12,
        CODE,
        "this machine",
    ),
    ("endpoint", "- endpoint: {name: serve, image: localhost:5000/trainer:1.0}", 1, 34, CODE, "this machine"),
    (
        "pipeline-override",
        "- pipeline: {name: p, nodes: [{name: n, override: {image: localhost:5000/trainer:1.0}}]}",
        1,
        59,
        CODE,
        "this machine",
    ),
]

# (id, yaml)
DOES_NOT_FIRE = [
    ("docker-hub", _step("python:3.12.4")),
    ("public-registry", _step("ghcr.io/acme/trainer:1.0")),
    ("public-ipv4", _step("203.0.114.7:5000/trainer:1.0")),
    ("public-ipv6", _step("'[2001:4860:4860::8888]:5000/trainer:1.0'")),
    ("localhost-is-a-repository", _step("localhost:1.0")),
    ("local-in-path", _step("ghcr.io/acme/local:1.0")),
    ("local-not-a-suffix", _step("registry.localdomain.example.com/trainer:1.0")),
    ("internal-not-a-suffix", _step("internal.example.com/trainer:1.0")),
    ("invalid-is-vil101", _step("localhost:5000/Trainer:1.0")),
    ("placeholder", _step("'localhost:5000/{{image}}'")),
]


@pytest.mark.parametrize(FIRES_ARGS, cases(FIRES))
def test_fires(text: str, line: int, column: int, code: str, fragment: str) -> None:
    d = assert_fires(
        lint_text(text, config=LintConfig(select=(CODE,))),
        line,
        column,
        code,
        fragment,
        severity=Severity.ERROR,
        names_image=True,
    )
    assert d.fix is None


@pytest.mark.parametrize("text", texts(DOES_NOT_FIRE))
def test_does_not_fire(text: str) -> None:
    assert_silent(lint_text(text, config=LintConfig(select=(CODE,))))
