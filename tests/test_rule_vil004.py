"""VIL004 image-placeholder: template leftovers that Valohai sends to Docker as written."""

from __future__ import annotations

import pytest
from rule_table import FIRES_ARGS, assert_fires, assert_silent, cases, only, texts

from valohai_image_lint import Severity, lint_text

CODE = "VIL004"

# (id, yaml, line, column, code, message fragment)
FIRES = [
    (
        "double-angle",
        "- step:\n    name: train\n    image: <<registry/image:tag>>\n",
        3,
        12,
        CODE,
        'image "<<registry/image:tag>>" is a template placeholder',
    ),
    (
        "double-angle-quoted",
        "- step: {name: train, image: '<<registry/image:tag>>'}",
        1,
        31,
        CODE,
        "template placeholder",
    ),
    (
        "dollar-brace",
        "- step:\n    name: train\n    image: ${IMAGE}\n",
        3,
        12,
        CODE,
        'image "${IMAGE}" is a template placeholder',
    ),
    ("dollar-brace-quoted", "- step: {name: train, image: '${IMAGE}'}", 1, 31, CODE, "template placeholder"),
    (
        "dollar-variable",
        "- step: {name: train, image: $IMAGE}",
        1,
        30,
        CODE,
        'image "$IMAGE" is a template placeholder',
    ),
    (
        "jinja",
        "- step: {name: train, image: '{{ image }}'}",
        1,
        31,
        CODE,
        'image "{{ image }}" is a template placeholder',
    ),
    ("jinja-double-quoted", '- step: {name: train, image: "{{image}}"}', 1, 31, CODE, "template placeholder"),
    # Unquoted, `{{ image }}` is a YAML flow mapping; people mean a template, so VIL004 says so.
    (
        "jinja-unquoted",
        "- step:\n    name: train\n    image: {{ image }}\n",
        3,
        12,
        CODE,
        'image "{{ image }}" is a template placeholder',
    ),
    (
        "jinja-block",
        "- step: {name: train, image: '{% if gpu %}a:1{% endif %}'}",
        1,
        31,
        CODE,
        "template placeholder",
    ),
    (
        "angle",
        "- step: {name: train, image: <your-image>}",
        1,
        30,
        CODE,
        'image "<your-image>" is a template placeholder',
    ),
    (
        "tag-variable",
        "- step: {name: train, image: 'python:${PYTHON_VERSION}'}",
        1,
        31,
        CODE,
        "template placeholder (${PYTHON_VERSION})",
    ),
    (
        "registry-variable",
        "- step: {name: train, image: '{{ registry }}/trainer:1.0.0'}",
        1,
        31,
        CODE,
        "({{ registry }})",
    ),
    ("path-variable", "- step: {name: train, image: ghcr.io/acme/$IMAGE}", 1, 30, CODE, "($IMAGE)"),
    ("says-what-to-do", "- step: {name: train, image: $IMAGE}", 1, 30, CODE, "replace it with a real image"),
    ("endpoint", "- endpoint: {name: serve, image: <your-image>}", 1, 34, CODE, "template placeholder"),
    (
        "pipeline-override",
        "- pipeline: {name: p, nodes: [{name: n, override: {image: $IMAGE}}]}",
        1,
        59,
        CODE,
        "template placeholder",
    ),
    ("unknown-item", "- foo: {image: '${IMAGE}'}", 1, 17, CODE, "template placeholder"),
    # Names copied from an example: not template syntax, but no registry serves them either.
    (
        "example-name-and-tag",
        "- step: {name: train, image: image:tag}",
        1,
        30,
        CODE,
        'image "image:tag" is a placeholder (image), not an image name; replace it with a real image',
    ),
    (
        "your-registry-your-image",
        "- step: {name: train, image: your-registry/your-image:1.0.0}",
        1,
        30,
        CODE,
        "placeholder (your-registry)",
    ),
    (
        "yourdocker",
        "- step:\n    name: train\n    image: docker.io/yourdocker/titanic-ml\n",
        3,
        12,
        CODE,
        'image "docker.io/yourdocker/titanic-ml" is a placeholder (yourdocker)',
    ),
    (
        "your-dockerhub-username",
        "- step: {name: a, image: YOUR_DOCKERHUB_USERNAME/app:1}",
        1,
        26,
        CODE,
        "(YOUR_",
    ),
    (
        "my-registry-host",
        "- step: {name: a, image: my-registry.example.com/app:1}",
        1,
        26,
        CODE,
        "placeholder",
    ),
    ("myusername", "- step: {name: a, image: myusername/trainer:1.0}", 1, 26, CODE, "(myusername)"),
    ("my-image", "- step: {name: a, image: my-image:latest}", 1, 26, CODE, "(my-image)"),
    ("image-alone", "- step: {name: a, image: image}", 1, 26, CODE, 'image "image" is a placeholder, not'),
    ("tag-word", "- step: {name: a, image: acme/trainer:tag}", 1, 26, CODE, "placeholder (tag)"),
    (
        "todo",
        "- step: {name: a, image: TODO}",
        1,
        26,
        CODE,
        'image "TODO" is a placeholder, not an image name',
    ),
    ("todo-tag", "- step: {name: a, image: 'acme/trainer:TODO'}", 1, 27, CODE, "placeholder (TODO)"),
    ("fixme", "- step: {name: a, image: FIXME}", 1, 26, CODE, "placeholder"),
    ("changeme", "- step: {name: a, image: acme/changeme:1}", 1, 26, CODE, "(changeme)"),
    ("xxx", "- step: {name: a, image: xxx/trainer:1}", 1, 26, CODE, "(xxx)"),
    ("version-letters", "- step: {name: a, image: python:x.y.z}", 1, 26, CODE, "(x.y.z)"),
    ("endpoint-example", "- endpoint: {name: serve, image: image:tag}", 1, 34, CODE, "placeholder (image)"),
]

# (id, yaml)
DOES_NOT_FIRE = [
    ("pinned", "- step: {name: train, image: python:3.9.18}"),
    ("registry-with-port", "- step: {name: train, image: localhost:5000/acme/trainer:1.4.2}"),
    ("digest", "- step: {name: train, image: 'python@sha256:" + "a" * 64 + "'}"),
    ("invalid-but-no-template", "- step: {name: train, image: Python:3.9.18}"),
    ("dollar-in-command-only", "- step: {name: train, image: python:3.9.18, command: echo $HOME}"),
    ("template-in-other-key", "- step: {name: '{{ name }}', image: python:3.9.18}"),
    ("non-string", "- step: {name: train, image: 3.9}"),
    # Real names that merely hold an example's word.
    ("word-in-name", "- step: {name: train, image: acme/image-tools:1.0}"),
    ("imagemagick", "- step: {name: train, image: dpokidov/imagemagick:7.1.1}"),
    ("image-as-owned-repository", "- step: {name: train, image: ghcr.io/acme/image:1.0}"),
    ("yourls-is-official", "- step: {name: train, image: yourls:1.9.2}"),
    ("myapp", "- step: {name: train, image: acme/myapp:1.0}"),
    ("todo-app", "- step: {name: train, image: acme/todo-api:1.0}"),
    ("registry-image", "- step: {name: train, image: registry:2.8.3}"),
    ("tag-holding-a-word", "- step: {name: train, image: acme/trainer:v1-images}"),
    ("xx-is-not-xxx", "- step: {name: train, image: acme/xxhash:1.0}"),
]


@pytest.mark.parametrize(FIRES_ARGS, cases(FIRES))
def test_fires(text: str, line: int, column: int, code: str, fragment: str) -> None:
    assert_fires(
        only(lint_text(text), CODE),
        line,
        column,
        code,
        fragment,
        severity=Severity.ERROR,
        image_on_line_of=text,
    )


@pytest.mark.parametrize("text", texts(FIRES))
def test_placeholder_is_not_also_an_invalid_reference(text: str) -> None:
    assert_silent(only(lint_text(text), "VIL101"))


@pytest.mark.parametrize("text", texts(DOES_NOT_FIRE))
def test_does_not_fire(text: str) -> None:
    assert_silent(only(lint_text(text), CODE, "VIL001"))
