"""Suppression comments: parsing, placement, applying them, VIL901/VIL902 and their pages."""

from __future__ import annotations

import re

import pytest

from valohai_image_lint import Diagnostic, LintConfig, Severity, Span, lint_text
from valohai_image_lint.model import Finding
from valohai_image_lint.rule import Rule, SuppressionOutcome
from valohai_image_lint.rules import ALL_RULES, blanket_suppression, unused_suppression
from valohai_image_lint.sources.comments import Suppression, parse_suppressions
from valohai_image_lint.suppressions import apply_suppressions, rule_resolver

M = "# valohai-image-lint:"
# These tests are about suppressions: they run the rules of issues 2 and 3, not the image-knowledge
# rules (VIL3xx), which have their own tests.
CORE = LintConfig(ignore=("VIL3",))
META_RULES = (unused_suppression.RULE, blanket_suppression.RULE)


def _reported(outcome: SuppressionOutcome) -> tuple[list[Diagnostic], list[Finding], list[Finding]]:
    """The diagnostics kept, and the findings of VIL901 and VIL902 on the outcome."""
    unused = list(unused_suppression.check_suppressions(outcome))
    blanket = list(blanket_suppression.check_suppressions(outcome))
    return outcome.kept, unused, blanket


RESOLVE = rule_resolver((*ALL_RULES, *META_RULES))

# ---------------------------------------------------------------------------------------------
# Parsing: (id, text, [(line, column, end_column, codes, file_level, target_line, reason)])
# ---------------------------------------------------------------------------------------------
Parsed = tuple[int, int, int, tuple[str, ...], bool, "int | None", str]

PARSES: list[tuple[str, str, list[Parsed]]] = [
    ("trailing", f"image: python:latest  {M} ignore[VIL103]", [(1, 23, 59, ("VIL103",), False, 1, "")]),
    (
        "several-codes",
        f"image: x  {M} ignore[VIL103, VIL104]",
        [(1, 11, 55, ("VIL103", "VIL104"), False, 1, "")],
    ),
    ("rule-name", f"image: x  {M} ignore[latest-tag]", [(1, 11, 51, ("latest-tag",), False, 1, "")]),
    (
        "code-and-name",
        f"image: x  {M} ignore[VIL104,latest-tag]",
        [(1, 11, 58, ("VIL104", "latest-tag"), False, 1, "")],
    ),
    (
        "reason",
        f"image: x  {M} ignore[VIL103] smoke test only  ",
        [(1, 11, 63, ("VIL103",), False, 1, "smoke test only")],
    ),
    (
        "no-spaces",
        "image: x #valohai-image-lint:ignore[VIL103]why",
        [(1, 10, 47, ("VIL103",), False, 1, "why")],
    ),
    (
        "spaces-everywhere",
        "image: x  #  valohai-image-lint :  ignore [ VIL103 ,  VIL104 ]  why not",
        [(1, 11, 72, ("VIL103", "VIL104"), False, 1, "why not")],
    ),
    (
        "tabs",
        "image: x\t#\tvalohai-image-lint:\tignore\t[\tVIL103\t]\tr",
        [(1, 10, 51, ("VIL103",), False, 1, "r")],
    ),
    ("empty-entries-dropped", f"image: x  {M} ignore[VIL103,, ]", [(1, 11, 50, ("VIL103",), False, 1, "")]),
    (
        "second-hash-in-comment",
        f"image: x  # pinned by ops  {M} ignore[VIL103]",
        [(1, 28, 64, ("VIL103",), False, 1, "")],
    ),
    (
        "file-level-top",
        f"{M} ignore-file[VIL104] legacy\nimage: x",
        [(1, 1, 49, ("VIL104",), True, None, "legacy")],
    ),
    (
        "file-level-bottom",
        f"image: x\nname: y\n{M} ignore-file[VIL104]",
        [(3, 1, 42, ("VIL104",), True, None, "")],
    ),
    (
        "file-level-trailing",
        f"a: 1\nimage: x  {M} ignore-file[VIL104]\nb: 2",
        [(2, 11, 52, ("VIL104",), True, None, "")],
    ),
    ("bare-ignore", f"image: x  {M} ignore", [(1, 11, 39, (), False, 1, "")]),
    ("bare-ignore-with-text", f"image: x  {M} ignore this line", [(1, 11, 49, (), False, 1, "this line")]),
    ("empty-brackets", f"image: x  {M} ignore[ ]", [(1, 11, 42, (), False, 1, "")]),
    ("colon-list-is-bare", f"image: x  {M} ignore: VIL103", [(1, 11, 47, (), False, 1, ": VIL103")]),
    ("unclosed-bracket-is-bare", f"image: x  {M} ignore[VIL103", [(1, 11, 46, (), False, 1, "[VIL103")]),
    ("bare-ignore-file", f"{M} ignore-file\nimage: x", [(1, 1, 34, (), True, None, "")]),
    ("unicode-columns", f'name: "héllo wörld"  {M} ignore[VIL103]', [(1, 22, 58, ("VIL103",), False, 1, "")]),
    (
        "indented-own-line",
        f"- step:\n    {M} ignore[VIL103]\n    image: x",
        [(2, 5, 41, ("VIL103",), False, 3, "")],
    ),
    ("crlf", f"a: 1\r\n{M} ignore[VIL103] why\r\nimage: x\r\n", [(2, 1, 41, ("VIL103",), False, 3, "why")]),
    ("cr", f"a: 1\r{M} ignore[VIL103]\rimage: x\r", [(2, 1, 37, ("VIL103",), False, 3, "")]),
    ("bom", f"\ufeffimage: x  {M} ignore[VIL103]", [(1, 11, 47, ("VIL103",), False, 1, "")]),
    ("bom-own-line", f"\ufeff{M} ignore[VIL103]\nimage: x", [(1, 1, 37, ("VIL103",), False, 2, "")]),
    ("after-single-quoted", f"image: 'a # b'  {M} ignore[VIL103]", [(1, 17, 53, ("VIL103",), False, 1, "")]),
    ("after-double-quoted", f'image: "a # b"  {M} ignore[VIL103]', [(1, 17, 53, ("VIL103",), False, 1, "")]),
    (
        "apostrophe-in-plain",
        f"command: it's fine  {M} ignore[VIL103]",
        [(1, 21, 57, ("VIL103",), False, 1, "")],
    ),
    (
        "after-block-scalar",
        f"command: |\n  echo # {M} ignore[VIL103]\nimage: x  {M} ignore[VIL104]",
        [(3, 11, 47, ("VIL104",), False, 3, "")],
    ),
    (
        "block-header-comment",
        f"command: |  {M} ignore[VIL103]\n  echo",
        [(1, 13, 49, ("VIL103",), False, 1, "")],
    ),
    (
        "pipe-in-plain-scalar-is-not-a-header",
        f"command: echo a |\n  {M} ignore[VIL103]\n  image: x",
        [(2, 3, 39, ("VIL103",), False, 3, "")],
    ),
    (
        "pipe-in-quotes-is-not-a-header",
        f"command: 'a |'\n  {M} ignore[VIL103]\n  image: x",
        [(2, 3, 39, ("VIL103",), False, 3, "")],
    ),
]

# (id, text): comment-like text that is not a suppression
NOT_SUPPRESSIONS: list[tuple[str, str]] = [
    ("in-single-quotes", f"image: '{M} ignore[VIL103]'"),
    ("in-single-quotes-after-space", f"image: 'python:latest {M} ignore[VIL103]'"),
    ("in-single-quotes-escaped", f"image: 'it''s {M} ignore[VIL103]'"),
    ("in-double-quotes", f'image: "python:latest {M} ignore[VIL103]"'),
    ("in-double-quotes-escaped", f'image: "a \\" {M} ignore[VIL103]"'),
    ("in-flow-sequence-quotes", f"images: [a, 'b {M} ignore[VIL103]']"),
    ("in-flow-mapping-quotes", f'- {{image: "b {M} ignore[VIL103]"}}'),
    ("quoted-after-anchor", f"image: &img 'b {M} ignore[VIL103]'"),
    ("quoted-after-tag", f'image: !!str "b {M} ignore[VIL103]"'),
    ("sequence-entry-quoted", f"- 'b {M} ignore[VIL103]'"),
    ("no-space-before-hash", "image: python:latest#valohai-image-lint: ignore[VIL103]"),
    ("marker-case", "image: x  # Valohai-Image-Lint: ignore[VIL103]"),
    ("keyword-case", f"image: x  {M} IGNORE[VIL103]"),
    ("other-keyword", f"image: x  {M} disable[VIL103]"),
    ("ignored", f"image: x  {M} ignored[VIL103]"),
    ("ignore-files", f"image: x  {M} ignore-files[VIL103]"),
    ("no-keyword", f"image: x  {M}"),
    ("other-tool", "image: x  # noqa: VIL103"),
    ("literal-block", f"command: |\n  python train.py  {M} ignore[VIL103]\n  {M} ignore[VIL104]"),
    ("folded-block-in-sequence", f"- >-\n  {M} ignore[VIL103]\n\n  more"),
    ("block-with-indicator", f"- step:\n    command: |2-\n      # {M} ignore[VIL103]"),
    ("block-after-tag-and-anchor", f"key: !!str &a >+\n  {M} ignore[VIL103]"),
    ("block-quoted-key", f'"my key": |\n  {M} ignore[VIL103]'),
    ("block-document-start", f"--- |\n  {M} ignore[VIL103]"),
]


def _parsed(s: Suppression) -> Parsed:
    return (s.span.line, s.span.column, s.span.end_column, s.codes, s.file_level, s.target_line, s.reason)


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in PARSES], ids=[c[0] for c in PARSES])
def test_parse(text: str, expected: list[Parsed]) -> None:
    found = parse_suppressions(text)
    assert [_parsed(s) for s in found] == expected
    for s in found:
        assert s.span.end_line == s.span.line
        line = (
            text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")[s.span.line - 1]
        )
        comment = line[s.span.column - 1 : s.span.end_column - 1]
        assert comment.startswith("#")
        assert comment == line[s.span.column - 1 :].rstrip()


@pytest.mark.parametrize("text", [c[1] for c in NOT_SUPPRESSIONS], ids=[c[0] for c in NOT_SUPPRESSIONS])
def test_not_a_suppression(text: str) -> None:
    assert parse_suppressions(text) == []


@pytest.mark.parametrize(
    "text", [c[1] for c in NOT_SUPPRESSIONS[:10]], ids=[c[0] for c in NOT_SUPPRESSIONS[:10]]
)
def test_quoted_examples_are_yaml_strings(text: str) -> None:
    """The quoted cases really are strings to the YAML parser, not comments."""
    assert [d.code for d in lint_text(text) if d.code == "VIL001"] == []


# ---------------------------------------------------------------------------------------------
# Placement: (id, text, [target line of each suppression, in order])
# ---------------------------------------------------------------------------------------------
PLACEMENTS: list[tuple[str, str, list[int | None]]] = [
    ("same-line", f"a: 1\nimage: x  {M} ignore[VIL103]\nb: 2", [2]),
    ("line-above", f"a: 1\n{M} ignore[VIL103]\nimage: x", [3]),
    (
        "line-above-blank-and-comment-between",
        f"{M} ignore[VIL103]\n\n   \n# a note\n\t\n  # another\nimage: x",
        [7],
    ),
    ("stacked", f"{M} ignore[VIL103]\n{M} ignore[VIL104]\nimage: x", [3, 3]),
    ("trailing-does-not-apply-to-next", f"a: 1  {M} ignore[VIL103]\nimage: x", [1]),
    ("above-and-trailing-same-line", f"{M} ignore[VIL103]\nimage: x  {M} ignore[VIL104]", [2, 2]),
    ("own-line-at-end", f"image: x\n{M} ignore[VIL103]\n\n# bye\n", [None]),
    ("file-level-has-no-line", f"{M} ignore-file[VIL103]\nimage: x", [None]),
    ("above-block-header", f"{M} ignore[VIL103]\ncommand: |\n  # not a comment\n", [2]),
    ("above-after-block", f"command: >\n  text\n\n{M} ignore[VIL103]\nimage: x", [5]),
    ("crlf-blank-between", f"{M} ignore[VIL103]\r\n\r\nimage: x\r\n", [3]),
    ("above-flow-continuation", f"- step: {{name: a,\n    {M} ignore[VIL103]\n    image: x}}", [3]),
]


@pytest.mark.parametrize(("text", "targets"), [c[1:] for c in PLACEMENTS], ids=[c[0] for c in PLACEMENTS])
def test_placement(text: str, targets: list[int | None]) -> None:
    assert [s.target_line for s in parse_suppressions(text)] == targets


def test_order_is_the_order_written() -> None:
    text = (
        f"{M} ignore[VIL101]\nimage: x  {M} ignore[VIL102]\n{M} ignore-file[VIL103]\n{M} ignore[VIL104]\nb: 1"
    )
    assert [s.codes for s in parse_suppressions(text)] == [("VIL101",), ("VIL102",), ("VIL103",), ("VIL104",)]


# ---------------------------------------------------------------------------------------------
# Applying: (id, text, diagnostics as (line, code), kept, VIL901 messages, VIL902 messages)
# ---------------------------------------------------------------------------------------------
def _diagnostic(line: int, code: str) -> Diagnostic:
    rule = next(r for r in (*ALL_RULES, *META_RULES) if r.code == code)
    return Diagnostic(
        "valohai.yaml", Span(line, 12, line, 20), code, rule.name, rule.severity, f"{code} here"
    )


LineCode = tuple[int, str]
APPLIES: list[tuple[str, str, list[LineCode], list[LineCode], list[str], list[str]]] = [
    ("suppressed-same-line", f"image: x  {M} ignore[VIL103]", [(1, "VIL103")], [], [], []),
    ("suppressed-line-above", f"{M} ignore[VIL103]\n\nimage: x", [(3, "VIL103")], [], [], []),
    ("suppressed-by-name", f"image: x  {M} ignore[latest-tag]", [(1, "VIL103")], [], [], []),
    ("suppressed-by-lowercase-code", f"image: x  {M} ignore[vil103]", [(1, "VIL103")], [], [], []),
    (
        "one-entry-two-diagnostics",
        f"image: x  {M} ignore[VIL103, VIL104]",
        [(1, "VIL103"), (1, "VIL104")],
        [],
        [],
        [],
    ),
    (
        "other-code-kept",
        f"image: x  {M} ignore[VIL103, VIL105]",
        [(1, "VIL103"), (1, "VIL104"), (1, "VIL105")],
        [(1, "VIL104")],
        [],
        [],
    ),
    (
        "other-line-kept",
        f"a: 1  {M} ignore[VIL103]\nimage: x",
        [(2, "VIL103")],
        [(2, "VIL103")],
        ["suppression of VIL103 on line 1 matched nothing; remove it"],
        [],
    ),
    (
        "file-level",
        f"{M} ignore-file[VIL104]\nimage: x\nimage: y",
        [(2, "VIL104"), (3, "VIL104"), (3, "VIL103")],
        [(3, "VIL103")],
        [],
        [],
    ),
    (
        "file-level-and-line-both-used",
        f"{M} ignore-file[VIL104]\nimage: x  {M} ignore[VIL104]",
        [(2, "VIL104")],
        [],
        [],
        [],
    ),
    (
        "two-line-suppressions-both-used",
        f"{M} ignore[VIL103]\nimage: x  {M} ignore[VIL103]",
        [(2, "VIL103")],
        [],
        [],
        [],
    ),
    (
        "unused",
        f"a: 1\nb: 2\nimage: x  {M} ignore[VIL104]",
        [(3, "VIL103")],
        [(3, "VIL103")],
        ["suppression of VIL104 on line 3 matched nothing; remove it"],
        [],
    ),
    (
        "unused-name",
        f"image: x  {M} ignore[floating-tag]",
        [],
        [],
        ["suppression of floating-tag (VIL104) on line 1 matched nothing; remove it"],
        [],
    ),
    (
        "unused-file-level",
        f"{M} ignore-file[VIL104]\nimage: x",
        [(2, "VIL103")],
        [(2, "VIL103")],
        ["file-level suppression of VIL104 on line 1 matched nothing; remove it"],
        [],
    ),
    (
        "partly-used",
        f"image: x  {M} ignore[VIL103, VIL104]",
        [(1, "VIL103")],
        [],
        ["suppression of VIL104 on line 1 matched nothing; remove it"],
        [],
    ),
    (
        "dangling-own-line",
        f"image: x\n{M} ignore[VIL103]\n",
        [(1, "VIL103")],
        [(1, "VIL103")],
        ["suppression of VIL103 on line 2 matched nothing; remove it"],
        [],
    ),
    (
        "unknown-code",
        f"image: x  {M} ignore[VIL998, VIL103]",
        [(1, "VIL103")],
        [],
        ['suppression on line 1 names unknown code "VIL998"; use a rule code or name, or remove it'],
        [],
    ),
    (
        "unknown-name",
        f"image: x  {M} ignore[latest]",
        [(1, "VIL103")],
        [(1, "VIL103")],
        ['suppression on line 1 names unknown code "latest"; use a rule code or name, or remove it'],
        [],
    ),
    # Spaces separate codes as commas do; VIL104 here matched nothing.
    (
        "space-separated",
        f"image: x  {M} ignore[VIL103 VIL104]",
        [(1, "VIL103")],
        [],
        ["suppression of VIL104 on line 1 matched nothing; remove it"],
        [],
    ),
    (
        "bare-ignore",
        f"image: x  {M} ignore",
        [(1, "VIL104"), (1, "VIL103")],
        [(1, "VIL104"), (1, "VIL103")],
        [],
        [
            'suppression "ignore" on line 1 names no codes and suppresses nothing; name the codes, as in ignore[VIL103, VIL104]'
        ],
    ),
    (
        "empty-brackets",
        f"{M} ignore[]\nimage: x",
        [(2, "VIL103")],
        [(2, "VIL103")],
        [],
        [
            'suppression "ignore" on line 1 names no codes and suppresses nothing; name the codes, as in ignore[VIL103]'
        ],
    ),
    (
        "bare-nothing-reported",
        f"image: x  {M} ignore",
        [],
        [],
        [],
        [
            'suppression "ignore" on line 1 names no codes and suppresses nothing; name the codes to suppress, as in ignore[CODE], or remove it'
        ],
    ),
    (
        "bare-ignore-file",
        f"{M} ignore-file\nimage: x\nimage: y",
        [(2, "VIL104"), (3, "VIL102")],
        [(2, "VIL104"), (3, "VIL102")],
        [],
        [
            'suppression "ignore-file" on line 1 names no codes and suppresses nothing; name the codes, as in ignore-file[VIL102, VIL104]'
        ],
    ),
    (
        "unbracketed-code",
        f"image: x  {M} ignore VIL103",
        [(1, "VIL103")],
        [(1, "VIL103")],
        [],
        [
            'suppression "ignore" on line 1 writes its codes without brackets and suppresses nothing; '
            "write the codes in brackets: ignore[VIL103]"
        ],
    ),
    (
        "colon-list",
        f"image: x  {M} ignore: VIL103, VIL104 why",
        [(1, "VIL103")],
        [(1, "VIL103")],
        [],
        [
            'suppression "ignore" on line 1 writes its codes without brackets and suppresses nothing; '
            "write the codes in brackets: ignore[VIL103, VIL104]"
        ],
    ),
    (
        "unclosed-bracket-file",
        f"{M} ignore-file[VIL103\nimage: x",
        [(2, "VIL103")],
        [(2, "VIL103")],
        [],
        [
            'suppression "ignore-file" on line 1 writes its codes without brackets and suppresses nothing; '
            "write the codes in brackets: ignore-file[VIL103]"
        ],
    ),
    # VIL901/VIL902 are suppressible by another suppression, never by the one they report on.
    ("file-level-silences-unused", f"{M} ignore-file[VIL901]\nimage: x  {M} ignore[VIL104]", [], [], [], []),
    (
        "line-above-silences-unused",
        f"a: 1\n{M} ignore[unused-suppression]\nimage: x  {M} ignore[VIL104]",
        [],
        [],
        [],
        [],
    ),
    (
        "no-self-suppression",
        f"image: x  {M} ignore[VIL104, VIL901]",
        [],
        [],
        [
            "suppression of VIL104 on line 1 matched nothing; remove it",
            "suppression of VIL901 on line 1 matched nothing; remove it",
        ],
        [],
    ),
    (
        "no-self-suppression-file-level",
        f"{M} ignore-file[VIL104, VIL901]\nimage: x",
        [],
        [],
        [
            "file-level suppression of VIL104 on line 1 matched nothing; remove it",
            "file-level suppression of VIL901 on line 1 matched nothing; remove it",
        ],
        [],
    ),
    (
        "unused-meta-suppression",
        f"{M} ignore-file[VIL901]\nimage: x",
        [],
        [],
        ["file-level suppression of VIL901 on line 1 matched nothing; remove it"],
        [],
    ),
    ("file-level-silences-unknown", f"{M} ignore-file[VIL901]\nimage: x  {M} ignore[VIL998]", [], [], [], []),
    (
        "file-level-silences-blanket",
        f"{M} ignore-file[VIL902]\nimage: x  {M} ignore",
        [(2, "VIL103")],
        [(2, "VIL103")],
        [],
        [],
    ),
    (
        "blanket-meta-not-self",
        f"{M} ignore-file\nimage: x",
        [],
        [],
        [],
        [
            'suppression "ignore-file" on line 1 names no codes and suppresses nothing; name the codes to suppress, as in ignore-file[CODE], or remove it'
        ],
    ),
    (
        "findings-in-comment-order",
        f"a: 1  {M} ignore[VIL998, VIL103]\n{M} ignore-file[VIL104]\nb: 2",
        [],
        [],
        [
            'suppression on line 1 names unknown code "VIL998"; use a rule code or name, or remove it',
            "suppression of VIL103 on line 1 matched nothing; remove it",
            "file-level suppression of VIL104 on line 2 matched nothing; remove it",
        ],
        [],
    ),
]


@pytest.mark.parametrize(
    ("text", "diagnostics", "kept", "unused", "blanket"),
    [c[1:] for c in APPLIES],
    ids=[c[0] for c in APPLIES],
)
def test_apply(
    text: str, diagnostics: list[LineCode], kept: list[LineCode], unused: list[str], blanket: list[str]
) -> None:
    suppressions = parse_suppressions(text)
    given = [_diagnostic(line, code) for line, code in diagnostics]
    kept_found, unused_found, blanket_found = _reported(apply_suppressions(given, suppressions, RESOLVE))
    assert [(d.span.line, d.code) for d in kept_found] == kept
    assert [f.message for f in unused_found] == unused
    assert [f.message for f in blanket_found] == blanket
    spans = {s.span for s in suppressions}
    assert all(f.span in spans for f in (*unused_found, *blanket_found))


def test_finding_points_at_its_comment() -> None:
    text = f"a: 1\nimage: x    {M} ignore[VIL104]\n"
    (suppression,) = parse_suppressions(text)
    _, (finding,), _ = _reported(apply_suppressions([], [suppression], RESOLVE))
    assert finding.span == suppression.span == Span(2, 13, 2, 49)


def test_apply_keeps_diagnostics_untouched_and_in_order() -> None:
    given = [_diagnostic(3, "VIL104"), _diagnostic(1, "VIL103"), _diagnostic(2, "VIL103")]
    kept, _, _ = _reported(
        apply_suppressions(given, parse_suppressions(f"a: 1\nimage: x  {M} ignore[VIL103]"), RESOLVE)
    )
    assert kept == [given[0], given[1]]
    assert kept[0] is given[0]


def test_with_lint_text() -> None:
    text = (
        "- step:\n"
        "    name: train\n"
        f"    {M} ignore[latest-tag] smoke test of the newest release\n"
        "    image: python:latest\n"
        "- step:\n"
        "    name: eval\n"
        f"    image: python:3.9  {M} ignore[VIL103]\n"
    )
    diagnostics = lint_text(text, config=CORE._replace(suppressions=False))
    assert {(d.span.line, d.code) for d in diagnostics} >= {(4, "VIL103"), (7, "VIL104")}
    kept, unused, blanket = _reported(apply_suppressions(diagnostics, parse_suppressions(text), RESOLVE))
    assert [(d.span.line, d.code) for d in kept] == [(7, "VIL104")]
    assert [f.message for f in unused] == ["suppression of VIL103 on line 7 matched nothing; remove it"]
    assert blanket == []
    # The engine does the same by default, and reports the unused suppression as VIL901.
    assert [(d.span.line, d.span.column, d.code) for d in lint_text(text, config=CORE)] == [
        (7, 12, "VIL104"),
        (7, 24, "VIL901"),
    ]


def test_resolver() -> None:
    assert [RESOLVE(w) for w in ("VIL103", "vil103", "latest-tag", "Latest-Tag", "VIL998", "latest", "")] == [
        "VIL103",
        "VIL103",
        "VIL103",
        "VIL103",
        None,
        None,
        None,
    ]


# ---------------------------------------------------------------------------------------------
# Scale: linear work, counted rather than timed.
# ---------------------------------------------------------------------------------------------
def test_scale_many_suppressions() -> None:
    lines = []
    for i in range(5_000):
        if i % 2:
            lines.append(f"  {M} ignore[VIL103, latest-tag] reason {i}")
            lines.append(f"  image: 'python:latest' # note {i}")
        else:
            lines.append(f'  image: "x:{i}"  {M} ignore[VIL104]')
            lines.append("")
    text = "\n".join(lines)
    assert len(lines) == 10_000
    suppressions = parse_suppressions(text)
    assert len(suppressions) == 5_000
    diagnostics = [_diagnostic(s.target_line or 0, "VIL103") for s in suppressions]
    calls = 0

    def counting(written: str) -> str | None:
        nonlocal calls
        calls += 1
        return RESOLVE(written)

    kept, unused, blanket = _reported(apply_suppressions(diagnostics, suppressions, counting))
    assert calls == sum(len(s.codes) for s in suppressions) == 7_500  # one resolve per written code
    assert len(kept) == 2_500  # the VIL104 lines keep their VIL103
    assert len(unused) == 2_500 and blanket == []


def test_scale_one_line_many_suppressions() -> None:
    """Thousands of suppressions of the same line and code: no scan over the others per diagnostic."""
    text = "\n".join([f"{M} ignore[VIL103, VIL901]"] * 5_000 + ["image: x"])
    suppressions = parse_suppressions(text)
    diagnostics = [_diagnostic(5_001, "VIL103")] * 5_000
    kept, unused, blanket = _reported(apply_suppressions(diagnostics, suppressions, RESOLVE))
    assert kept == [] and blanket == []
    assert len(unused) == 5_000  # every VIL901 entry is unused: nothing of VIL901 is on line 5001


def test_scale_long_line() -> None:
    text = "x: " + "'a # b' " * 20_000 + f" {M} ignore[VIL103]"
    (suppression,) = parse_suppressions(text)
    assert suppression.span.column == len(text) - len(M) - len(" ignore[VIL103]") + 1


# ---------------------------------------------------------------------------------------------
# The rule pages: headings, and examples that do what they say.
# ---------------------------------------------------------------------------------------------
HEADINGS = (
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
    "## Options",
    "## Fix safety",
)


def _yaml_block(doc: str, heading: str) -> str:
    section = doc.split(f"{heading}\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"^```yaml\n(.*?)^```$", section, re.DOTALL | re.MULTILINE)
    assert match is not None
    return match.group(1)


def _meta_codes(text: str) -> list[str]:
    raw = lint_text(text, config=CORE._replace(suppressions=False))
    _, unused, blanket = _reported(apply_suppressions(raw, parse_suppressions(text), RESOLVE))
    return ["VIL901"] * len(unused) + ["VIL902"] * len(blanket)


@pytest.mark.parametrize("rule", META_RULES, ids=[r.code for r in META_RULES])
def test_page(rule: Rule) -> None:
    lines = rule.doc.splitlines()
    assert lines[0] == f"{rule.code} {rule.name}"
    assert all(heading in lines for heading in HEADINGS)
    assert rule.severity is Severity.WARNING and rule.kind == "check_suppressions"
    assert rule.code in _meta_codes(_yaml_block(rule.doc, "## Example"))
    use_instead = _yaml_block(rule.doc, "## Use instead")
    assert _meta_codes(use_instead) == []
    assert [d.code for d in lint_text(use_instead) if d.code == "VIL001"] == []


@pytest.mark.parametrize(
    "text",
    [
        f"- step:\n    name: a\n    {M} ignore[VIL103]\n    image: >-\n      python:latest\n",
        f"- step:\n    name: a\n    image: >-  {M} ignore[VIL103]\n      python:latest\n",
        f"- step:\n    name: a\n    {M} ignore[VIL103]\n    image:\n      python:latest\n",
    ],
    ids=["above-the-key-of-a-block-value", "on-the-key-line", "above-a-value-on-the-next-line"],
)
def test_a_value_below_its_key_is_suppressed_from_the_key(text: str) -> None:
    assert [d.code for d in lint_text(text, config=CORE)] == []


def test_a_suppression_of_a_rule_that_is_not_running_is_not_reported() -> None:
    text = f"- step: {{name: a, image: 'python:latest'}}  {M} ignore[VIL103] smoke test\n"
    assert [d.code for d in lint_text(text, config=LintConfig(ignore=("VIL103", "VIL3")))] == []
    assert [d.code for d in lint_text(text, config=CORE._replace(severity={"VIL103": None}))] == []
    assert [d.code for d in lint_text(text.replace("python:latest", "python:3.12.1"), config=CORE)] == [
        "VIL901"
    ]
