"""VIL203 malformed-registry-path: a well-known registry written in a shape it cannot serve."""

from __future__ import annotations

import pytest
from rule_table import FIRES_ARGS, assert_fires, assert_silent, cases, texts

from valohai_image_lint import LintConfig, Severity, lint_text

CODE = "VIL203"
HEX64 = "0123456789abcdef" * 4


ECR_SHAPE = "write it as <12-digit account>.dkr.ecr.<region>.amazonaws.com/<repository>"

# (id, yaml, line, column, code, message fragment)
FIRES = [
    (
        "ecr-short-account",
        "- step: {name: train, image: 12345.dkr.ecr.eu-west-1.amazonaws.com/trainer:1}",
        1,
        30,
        CODE,
        'image "12345.dkr.ecr.eu-west-1.amazonaws.com/trainer:1" is not a valid Amazon ECR image; '
        + ECR_SHAPE,
    ),
    (
        "ecr-no-region",
        "- step: {name: train, image: 123456789012.dkr.ecr.amazonaws.com/trainer:1}",
        1,
        30,
        CODE,
        "not a valid Amazon ECR image",
    ),
    (
        "ecr-bad-region",
        "- step: {name: train, image: 123456789012.dkr.ecr.europe.amazonaws.com/trainer:1}",
        1,
        30,
        CODE,
        "not a valid Amazon ECR image",
    ),
    (
        "ecr-no-dkr",
        "- step: {name: train, image: 123456789012.ecr.eu-west-1.amazonaws.com/trainer:1}",
        1,
        30,
        CODE,
        "not a valid Amazon ECR image",
    ),
    (
        "ecr-api-host",
        "- step: {name: train, image: api.ecr.us-east-1.amazonaws.com/trainer:1}",
        1,
        30,
        CODE,
        "not a valid Amazon ECR image",
    ),
    (
        "ecr-other-domain",
        "- step: {name: train, image: 123456789012.dkr.ecr.eu-west-1.amazonaws.org/x:1}",
        1,
        30,
        CODE,
        "not a valid Amazon ECR image",
    ),
    (
        "gcr-no-project",
        "- step: {name: train, image: gcr.io/trainer:1.0.3}",
        1,
        30,
        CODE,
        'image "gcr.io/trainer:1.0.3" is not a valid Google Container Registry image; '
        "write it as gcr.io/<project>/<image>",
    ),
    (
        "eu-gcr-no-project",
        "- step: {name: train, image: eu.gcr.io/trainer:1.0.3}",
        1,
        30,
        CODE,
        "write it as eu.gcr.io/<project>/<image>",
    ),
    (
        "artifact-registry-no-repository",
        "- step: {name: train, image: europe-west4-docker.pkg.dev/acme/trainer:1}",
        1,
        30,
        CODE,
        "is not a valid Artifact Registry image; write it as "
        "europe-west4-docker.pkg.dev/<project>/<repository>/<image>",
    ),
    (
        "artifact-registry-image-only",
        "- step: {name: train, image: us-docker.pkg.dev/trainer:1}",
        1,
        30,
        CODE,
        "Artifact Registry",
    ),
    (
        "acr-dash",
        "- step: {name: train, image: acme-ml.azurecr.io/trainer:1}",
        1,
        30,
        CODE,
        'image "acme-ml.azurecr.io/trainer:1" is not a valid Azure Container Registry image; write it as '
        "<name>.azurecr.io/<repository>, the name 5 to 50 letters and digits",
    ),
    (
        "acr-short",
        "- step: {name: train, image: acme.azurecr.io/trainer:1}",
        1,
        30,
        CODE,
        "Azure Container Registry",
    ),
    (
        "acr-long",
        "- step: {name: train, image: " + "a" * 51 + ".azurecr.io/trainer:1}",
        1,
        30,
        CODE,
        "Azure Container Registry",
    ),
    (
        "ghcr-no-owner",
        "- step: {name: train, image: ghcr.io/trainer:1.0.3}",
        1,
        30,
        CODE,
        'image "ghcr.io/trainer:1.0.3" is not a valid GitHub Container Registry image; '
        "write it as ghcr.io/<owner>/<image>",
    ),
    (
        "quay-no-owner",
        "- step: {name: train, image: quay.io/trainer:1.0.3}",
        1,
        30,
        CODE,
        "is not a valid Quay image; write it as quay.io/<owner>/<image>",
    ),
    (
        "host-case",
        "- step: {name: train, image: GHCR.io/trainer:1.0.3}",
        1,
        30,
        CODE,
        "GitHub Container Registry",
    ),
    (
        "with-port",
        "- step: {name: train, image: ghcr.io:443/trainer:1.0.3}",
        1,
        30,
        CODE,
        "GitHub Container Registry",
    ),
    (
        "digest",
        "- step: {name: train, image: gcr.io/trainer@sha256:" + HEX64 + "}",
        1,
        30,
        CODE,
        "Google Container Registry",
    ),
    ("block", "- step:\n    name: train\n    image: gcr.io/trainer:1.0.3\n", 3, 12, CODE, "gcr.io/<project>"),
    ("quoted", "- step: {name: train, image: 'gcr.io/trainer:1.0.3'}", 1, 31, CODE, "gcr.io/<project>"),
    ("endpoint", "- endpoint: {name: serve, image: gcr.io/trainer:1.0.3}", 1, 34, CODE, "gcr.io/<project>"),
    (
        "pipeline-override",
        "- pipeline: {name: p, nodes: [{name: n, override: {image: gcr.io/trainer:1}}]}",
        1,
        59,
        CODE,
        "gcr.io/<project>",
    ),
]

# (id, yaml)
DOES_NOT_FIRE = [
    ("ecr", "- step: {name: train, image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/trainer:1}"),
    ("ecr-nested", "- step: {name: train, image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/ml/trainer:1}"),
    ("ecr-china", "- step: {name: train, image: 123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/trainer:1}"),
    ("ecr-gov", "- step: {name: train, image: 123456789012.dkr.ecr.us-gov-west-1.amazonaws.com/trainer:1}"),
    ("ecr-fips", "- step: {name: train, image: 123456789012.dkr.ecr-fips.us-east-1.amazonaws.com/trainer:1}"),
    ("ecr-public", "- step: {name: train, image: public.ecr.aws/docker/library/python:3.12.4}"),
    ("ecr-public-alias", "- step: {name: train, image: public.ecr.aws/acme/trainer:1}"),
    ("other-amazonaws", "- step: {name: train, image: registry.example.amazonaws.com/trainer:1}"),
    ("gcr", "- step: {name: train, image: gcr.io/acme-ml/trainer:1.0.3}"),
    ("asia-gcr", "- step: {name: train, image: asia.gcr.io/acme-ml/team/trainer:1.0.3}"),
    ("other-gcr-like", "- step: {name: train, image: mirror.gcr.io/trainer:1.0.3}"),
    ("artifact-registry", "- step: {name: train, image: europe-west4-docker.pkg.dev/acme/ml/trainer:1}"),
    ("artifact-registry-nested", "- step: {name: train, image: us-docker.pkg.dev/acme/ml/team/trainer:1}"),
    ("acr", "- step: {name: train, image: acmeml.azurecr.io/trainer:1}"),
    ("acr-longest", "- step: {name: train, image: " + "a" * 50 + ".azurecr.io/trainer:1}"),
    ("ghcr", "- step: {name: train, image: ghcr.io/acme/trainer:1.0.3}"),
    ("quay", "- step: {name: train, image: quay.io/acme/trainer:1.0.3}"),
    ("docker-hub", "- step: {name: train, image: python:3.12.4}"),
    ("other-registry", "- step: {name: train, image: registry.example.com/trainer:1}"),
    ("invalid-is-vil101", "- step: {name: train, image: gcr.io/Trainer:1}"),
    ("placeholder", "- step: {name: train, image: 'gcr.io/{{image}}'}"),
]


@pytest.mark.parametrize(FIRES_ARGS, cases(FIRES))
def test_fires(text: str, line: int, column: int, code: str, fragment: str) -> None:
    d = assert_fires(
        lint_text(text, config=LintConfig(select=(CODE,))),
        line,
        column,
        code,
        fragment,
        severity=Severity.WARNING,
        names_image=True,
    )
    assert d.fix is None


@pytest.mark.parametrize("text", texts(DOES_NOT_FIRE))
def test_does_not_fire(text: str) -> None:
    assert_silent(lint_text(text, config=LintConfig(select=(CODE,))))


def test_runs_by_default() -> None:
    assert CODE in [d.code for d in lint_text("- step: {name: train, image: gcr.io/trainer:1.0.3}")]
