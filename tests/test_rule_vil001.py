"""VIL001 yaml-syntax-error: a file that is not YAML, with the parser's message and position."""

from __future__ import annotations

import pytest

from valohai_image_lint import Diagnostic, Severity, lint_text

CODE = "VIL001"

# (id, yaml, line, column, code, message fragment)
FIRES = [
    ("bad-indent", "- step:\n    name: train\n    image: python:3.12.1\n   command: python train.py\n",
     4, 4, CODE, "expected <block end>"),
    ("bad-indent-crlf", "- step:\r\n    name: train\r\n    image: python:3.12.1\r\n   command: x\r\n",
     4, 4, CODE, "expected <block end>"),
    ("bad-indent-bom", "\ufeff- step:\n    name: train\n    image: python:3.12.1\n   command: x\n",
     4, 4, CODE, "expected <block end>"),
    # Pointed at where the quote opens, not at the end of the file.
    ("unclosed-quote", "- step:\n    name: 'train\n", 2, 11, CODE, "while scanning a quoted scalar"),
    ("tab-indent", "- step:\n\tname: train\n", 2, 1, CODE, "found character '\\t' that cannot start any token"),
    ("unclosed-flow-mapping", "- step: {name: train, image: python\n", 1, 9, CODE, "expected ',' or '}'"),
    ("unclosed-flow-sequence", "- step: [\n", 2, 1, CODE, "expected the node content"),
    ("mapping-then-sequence", "key: value\n- item\n", 2, 1, CODE, "expected <block end>, but found '-'"),
    ("nested-mapping-value", "a: b: c\n", 1, 5, CODE, "mapping values are not allowed here"),
    ("undefined-alias", "- step:\n    name: train\n    image: *img\n", 3, 12, CODE, "found undefined alias 'img'"),
    ("at-sign-starts-value", "- step: {name: a, image: @x}\n", 1, 26, CODE, "found character '@'"),
    ("control-character", '- step:\n    name: a\n    image: "\x07"\n', 3, 13, CODE, "unacceptable character"),
    ("duplicate-directive", "%YAML 1.1\n%YAML 1.1\n---\na: b\n", 2, 1, CODE, "found duplicate YAML directive"),
    ("error-in-second-document", "- step: {name: a, image: python:3.9.18}\n---\n- step: [\n",
     4, 1, CODE, "expected the node content"),
]

# (id, yaml)
DOES_NOT_FIRE = [
    ("valid-step", "- step:\n    name: train\n    image: python:3.12.1\n    command: python train.py\n"),
    ("valid-flow", "- step: {name: train, image: python:3.12.1}\n"),
    ("empty-file", ""),
    ("comment-only", "# nothing here\n"),
    ("document-marker-only", "---\n"),
    ("multi-document", "- step: {name: a, image: python:3.9.18}\n---\n- step: {name: b, image: python:3.9.18}\n"),
    ("crlf", "- step:\r\n    name: train\r\n    image: python:3.12.1\r\n"),
    ("bom", "\ufeff- step:\n    name: train\n    image: python:3.12.1\n"),
    ("not-valohai", "foo: [1, 2, {bar: baz}]\n"),
    ("tab-inside-quotes", '- step: {name: train, image: "python:3.12.1\t"}\n'),
    ("anchors-and-merge", "- step: &s {name: a, image: python:3.9.18}\n- step: {<<: *s, name: b}\n"),
]


def _lines(text: str) -> list[str]:
    return text.removeprefix("\ufeff").splitlines()


def _only(diagnostics: list[Diagnostic], code: str) -> list[Diagnostic]:
    return [d for d in diagnostics if d.code == code]


@pytest.mark.parametrize(
    ("text", "line", "column", "code", "fragment"), [c[1:] for c in FIRES], ids=[c[0] for c in FIRES]
)
def test_fires(text: str, line: int, column: int, code: str, fragment: str) -> None:
    found = _only(lint_text(text), CODE)
    assert len(found) == 1, found
    d = found[0]
    assert d.code == code
    assert (d.span.line, d.span.column) == (line, column), d
    assert fragment in d.message
    assert d.message.startswith("invalid YAML: ")
    assert d.severity is Severity.ERROR
    if d.image is not None:
        assert d.image in _lines(text)[d.span.line - 1]


@pytest.mark.parametrize("text", [c[1] for c in DOES_NOT_FIRE], ids=[c[0] for c in DOES_NOT_FIRE])
def test_does_not_fire(text: str) -> None:
    assert _only(lint_text(text), CODE) == []


@pytest.mark.parametrize("text", [c[1] for c in FIRES], ids=[c[0] for c in FIRES])
def test_no_other_rule_runs_on_invalid_yaml(text: str) -> None:
    assert [d.code for d in lint_text(text)] == [CODE]
