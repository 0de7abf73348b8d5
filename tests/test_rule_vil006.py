"""VIL006 invalid-top-level: valid YAML that Valohai cannot read as a config."""

from __future__ import annotations

import pytest
from rule_table import assert_fires, assert_silent, only

from valohai_image_lint import LintConfig, Severity, lint_text

CODE = "VIL006"
ON = LintConfig(select=(CODE,))
EXAMPLE = "such as - step: {name: train, image: ...}"

# (id, yaml, line, column, message)
FIRES = [
    ("empty", "", 1, 1, f"the file holds no config: a valohai.yaml is a list of items, {EXAMPLE}"),
    ("only-comments", "# todo\n# later\n", 1, 1, "the file holds no config"),
    ("explicit-document-end", "---\n...\n", 1, 1, "the file holds no config"),
    ("null-document", "~\n", 1, 1, "the file holds no config"),
    (
        "mapping",
        "# header\nstep:\n  name: train\n  image: python:3.12.1\n",
        2,
        1,
        f"the top level is a mapping, not a list: Valohai reads a list of items {EXAMPLE}",
    ),
    ("flow-mapping", "  {step: {name: a}}\n", 1, 3, "the top level is a mapping, not a list"),
    ("scalar", "hello world\n", 1, 1, 'the top level is a scalar ("hello world"), not a list'),
    ("long-scalar", "x" * 60 + "\n", 1, 1, 'a scalar ("' + "x" * 37 + '..."), not a list'),
    (
        "scalar-item",
        "- step: {name: a, image: python:3.12.1}\n- oops\n",
        2,
        3,
        f'item 2 is a scalar ("oops"), not a mapping {EXAMPLE}',
    ),
    ("list-item", "- [step]\n", 1, 3, "item 1 is a list, not a mapping"),
    (
        "second-document",
        "- step: {name: a, image: python:3.12.1}\n---\nname: b\n",
        3,
        1,
        "the top level is a mapping, not a list",
    ),
]

DOES_NOT_FIRE = [
    ("steps", "- step: {name: a, image: python:3.12.1}\n- endpoint: {name: b, image: python:3.12.1}\n"),
    ("empty-list", "[]\n"),
    ("unknown-item-kind", "- version: 1\n"),
    ("aliased-item", "- &s {step: {name: a, image: python:3.12.1}}\n- *s\n"),
]


@pytest.mark.parametrize(
    ("text", "line", "column", "message"), [pytest.param(*row[1:], id=row[0]) for row in FIRES]
)
def test_fires(text: str, line: int, column: int, message: str) -> None:
    found = only(lint_text(text, config=ON), CODE)
    assert_fires(found, line, column, CODE, message, severity=Severity.ERROR)


@pytest.mark.parametrize("text", [pytest.param(row[1], id=row[0]) for row in DOES_NOT_FIRE])
def test_does_not_fire(text: str) -> None:
    assert_silent(only(lint_text(text, config=ON), CODE))


def test_images_in_a_top_level_mapping_are_still_checked() -> None:
    found = lint_text("step:\n  name: a\n  image: python\n", config=LintConfig(select=(CODE, "VIL102")))
    assert [(d.span.line, d.code) for d in found] == [(1, "VIL006"), (3, "VIL102")]
