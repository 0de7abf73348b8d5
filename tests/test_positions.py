"""Exact positions of image values, aliases reported once, merge keys, and each site's context.

Positions are checked through VIL105 (selected alone), which reports every valid image that has
no digest, once, at the span of its value.
"""

from __future__ import annotations

import pytest

from valohai_image_lint import Diagnostic, LintConfig, lint_text

# These tests are about positions: they run the rules of issues 2 and 3, not the
# image-knowledge rules (VIL3xx), which have their own tests.
CORE = LintConfig(ignore=("VIL3",))

HEX64 = "0123456789abcdef" * 4
EVERY_IMAGE = LintConfig(select=("VIL105",))
BLOCK = "- step:\n    name: train\n    image: {}\n"

# (id, yaml, line, column, end_line, end_column (exclusive), image)
POSITIONS = [
    ("plain-block", BLOCK.format("python:3.9.18"), 3, 12, 3, 25, "python:3.9.18"),
    ("single-quoted-block", BLOCK.format("'python:3.9.18'"), 3, 13, 3, 26, "python:3.9.18"),
    ("double-quoted-block", BLOCK.format('"python:3.9.18"'), 3, 13, 3, 26, "python:3.9.18"),
    ("trailing-comment", BLOCK.format("python:3.9.18  # pinned"), 3, 12, 3, 25, "python:3.9.18"),
    ("plain-flow", "- step: {name: train, image: python:3.9.18}", 1, 30, 1, 43, "python:3.9.18"),
    ("single-quoted-flow", "- step: {name: train, image: 'python:3.9.18'}", 1, 31, 1, 44, "python:3.9.18"),
    ("double-quoted-flow", '- step: {name: train, image: "python:3.9.18"}', 1, 31, 1, 44, "python:3.9.18"),
    ("flow-image-first", "- step: {image: python:3.9.18, name: train}", 1, 17, 1, 30, "python:3.9.18"),
    (
        "flow-over-lines",
        "- step: {\n    name: train,\n    image: python:3.9.18\n  }\n",
        3,
        12,
        3,
        25,
        "python:3.9.18",
    ),
    (
        "crlf-plain",
        "- step:\r\n    name: train\r\n    image: python:3.9.18\r\n",
        3,
        12,
        3,
        25,
        "python:3.9.18",
    ),
    (
        "crlf-quoted",
        "- step:\r\n    name: train\r\n    image: 'python:3.9.18'\r\n",
        3,
        13,
        3,
        26,
        "python:3.9.18",
    ),
    (
        "crlf-flow",
        "# valohai\r\n- step: {name: train, image: python:3.9.18}\r\n",
        2,
        30,
        2,
        43,
        "python:3.9.18",
    ),
    ("cr-only", "- step:\r    name: train\r    image: python:3.9.18\r", 3, 12, 3, 25, "python:3.9.18"),
    ("bom-block", "\ufeff" + BLOCK.format("python:3.9.18"), 3, 12, 3, 25, "python:3.9.18"),
    (
        "bom-flow-first-line",
        "\ufeff- step: {name: train, image: python:3.9.18}",
        1,
        30,
        1,
        43,
        "python:3.9.18",
    ),
    (
        "bom-crlf",
        "\ufeff- step:\r\n    name: train\r\n    image: python:3.9.18\r\n",
        3,
        12,
        3,
        25,
        "python:3.9.18",
    ),
    (
        "bom-document-marker",
        "\ufeff---\n- step: {name: train, image: python:3.9.18}\n",
        2,
        30,
        2,
        43,
        "python:3.9.18",
    ),
    (
        "second-document",
        f"- step: {{name: a, image: python@sha256:{HEX64}}}\n---\n"
        "- step: {name: train, image: python:3.9.18}\n",
        3,
        30,
        3,
        43,
        "python:3.9.18",
    ),
    (
        "document-end-marker",
        "---\n- step: {name: a}\n...\n---\n- step: {name: train, image: python:3.9.18}\n",
        5,
        30,
        5,
        43,
        "python:3.9.18",
    ),
    (
        "crlf-second-document",
        "- step: {name: a}\r\n---\r\n- step: {name: train, image: python:3.9.18}\r\n",
        3,
        30,
        3,
        43,
        "python:3.9.18",
    ),
    ("anchor", BLOCK.format("&img python:3.9.18"), 3, 17, 3, 30, "python:3.9.18"),
    ("anchor-quoted", BLOCK.format("&img 'python:3.9.18'"), 3, 18, 3, 31, "python:3.9.18"),
    ("anchor-flow", "- step: {name: train, image: &img python:3.9.18}", 1, 35, 1, 48, "python:3.9.18"),
    ("anchor-then-next-line", BLOCK.format("&img\n      python:3.9.18"), 4, 7, 4, 20, "python:3.9.18"),
    ("str-tag", BLOCK.format("!!str python:3.9.18"), 3, 18, 3, 31, "python:3.9.18"),
    ("str-tag-double-quoted", BLOCK.format('!!str "python:3.9.18"'), 3, 19, 3, 32, "python:3.9.18"),
    ("str-tag-then-anchor", BLOCK.format("!!str &img python:3.9.18"), 3, 23, 3, 36, "python:3.9.18"),
    ("anchor-then-str-tag", BLOCK.format("&img !!str python:3.9.18"), 3, 23, 3, 36, "python:3.9.18"),
    ("str-tag-flow", "- step: {name: train, image: !!str python:3.9.18}", 1, 36, 1, 49, "python:3.9.18"),
    ("non-specific-tag", BLOCK.format("! python:3.9.18"), 3, 14, 3, 27, "python:3.9.18"),
    ("folded-strip", BLOCK.format(">-\n      python:3.9.18"), 4, 7, 4, 20, "python:3.9.18"),
    ("literal-strip", BLOCK.format("|-\n      python:3.9.18"), 4, 7, 4, 20, "python:3.9.18"),
    ("folded-strip-comment", BLOCK.format(">-  # pinned\n      python:3.9.18"), 4, 7, 4, 20, "python:3.9.18"),
    ("folded-indentation-indicator", BLOCK.format(">2-\n      python:3.9.18"), 4, 7, 4, 20, "python:3.9.18"),
    (
        "folded-strip-crlf",
        "- step:\r\n    name: train\r\n    image: >-\r\n      python:3.9.18\r\n",
        4,
        7,
        4,
        20,
        "python:3.9.18",
    ),
    ("plain-on-next-line", BLOCK.format("\n      python:3.9.18"), 4, 7, 4, 20, "python:3.9.18"),
    ("plain-after-comment", BLOCK.format("  # pinned\n      python:3.9.18"), 4, 7, 4, 20, "python:3.9.18"),
    (
        "explicit-key",
        "- step:\n    name: train\n    ? image\n    : python:3.9.18\n",
        4,
        7,
        4,
        20,
        "python:3.9.18",
    ),
    ("non-ascii-before", "- step: {name: é, image: python:3.9.18}", 1, 26, 1, 39, "python:3.9.18"),
    ("astral-before", '- step: {name: "🚀", image: python:3.9.18}', 1, 28, 1, 41, "python:3.9.18"),
    ("endpoint", "- endpoint:\n    name: serve\n    image: python:3.9.18\n", 3, 12, 3, 25, "python:3.9.18"),
    (
        "pipeline-override",
        "- pipeline:\n    name: p\n    nodes:\n      - name: n\n        override:\n          image: python:3.9.18\n",
        6,
        18,
        6,
        31,
        "python:3.9.18",
    ),
    (
        "unknown-item-list",
        "- version: 1\n  steps:\n    - name: a\n      image: python:3.9.18\n",
        4,
        14,
        4,
        27,
        "python:3.9.18",
    ),
    ("root-mapping", "step:\n  name: train\n  image: python:3.9.18\n", 3, 10, 3, 23, "python:3.9.18"),
]

# (id, yaml, code, line, column, end_line, end_column): spans of what is not a string image
OTHER_SPANS = [
    ("missing-image-step-key", "- step: {name: train}", "VIL002", 1, 3, 1, 7),
    ("missing-image-endpoint-key", "- endpoint:\n    name: serve\n", "VIL002", 1, 3, 1, 11),
    ("empty-image-key", "- step:\n    name: train\n    image: ''\n", "VIL002", 3, 5, 3, 10),
    ("float-value", "- step: {name: train, image: 3.9}", "VIL003", 1, 30, 1, 33),
    ("bool-value-crlf", "- step:\r\n    name: train\r\n    image: yes\r\n", "VIL003", 3, 12, 3, 15),
    ("list-first-character", "- step: {name: train, image: [python]}", "VIL003", 1, 30, 1, 31),
    ("syntax-error", "a: b: c\n", "VIL001", 1, 5, 1, 6),
]

# (id, yaml, context)
CONTEXTS = [
    ("step", "- step: {name: train, image: python:3.9.18}", 'step "train"'),
    (
        "step-without-name",
        "- step: {name: a, image: python@sha256:" + HEX64 + "}\n- step: {image: python:3.9.18}",
        "step (item 2)",
    ),
    ("endpoint", "- endpoint: {name: serve, image: python:3.9.18}", 'endpoint "serve"'),
    (
        "pipeline-node",
        "- pipeline: {name: p, nodes: [{name: n, override: {image: python:3.9.18}}]}",
        'pipeline "p" node "n"',
    ),
    (
        "pipeline-node-without-name",
        "- pipeline: {name: p, nodes: [{name: a, step: s}, {override: {image: python:3.9.18}}]}",
        'pipeline "p" node 2',
    ),
    (
        "pipeline-without-name",
        "- pipeline: {nodes: [{name: n, override: {image: python:3.9.18}}]}",
        'pipeline (item 1) node "n"',
    ),
    (
        "blueprint-node",
        "- blueprint: {name: b, nodes: [{name: n, override: {image: python:3.9.18}}]}",
        'blueprint "b" node "n"',
    ),
    ("unknown-item", "- foo: {image: python:3.9.18}", "foo[0]"),
    ("unknown-item-deep", "- foo:\n    bar:\n      - - image: python:3.9.18\n", "foo[0].bar[0][0]"),
    (
        "unknown-item-named-entry",
        "- version: 1\n  steps:\n    - name: a\n      image: python:3.9.18\n",
        'version[0].steps[0] "a"',
    ),
    (
        "unknown-item-unnamed-entry",
        "- version: 1\n  steps:\n    - image: python:3.9.18\n",
        "version[0].steps[0]",
    ),
]


def _lines(text: str) -> list[str]:
    return text.removeprefix("\ufeff").splitlines()


def _span(d: Diagnostic) -> tuple[int, int, int, int]:
    return d.span.line, d.span.column, d.span.end_line, d.span.end_column


@pytest.mark.parametrize(
    ("text", "line", "column", "end_line", "end_column", "image"),
    [c[1:] for c in POSITIONS],
    ids=[c[0] for c in POSITIONS],
)
def test_position_of_image_value(
    text: str, line: int, column: int, end_line: int, end_column: int, image: str
) -> None:
    found = lint_text(text, config=EVERY_IMAGE)
    assert len(found) == 1, found
    d = found[0]
    assert _span(d) == (line, column, end_line, end_column)
    assert d.image == image
    assert _lines(text)[line - 1][column - 1 : end_column - 1] == image


@pytest.mark.parametrize(
    ("text", "code", "line", "column", "end_line", "end_column"),
    [c[1:] for c in OTHER_SPANS],
    ids=[c[0] for c in OTHER_SPANS],
)
def test_span_of_other_findings(
    text: str, code: str, line: int, column: int, end_line: int, end_column: int
) -> None:
    found = [d for d in lint_text(text, config=CORE) if d.code == code]
    assert len(found) == 1, found
    assert _span(found[0]) == (line, column, end_line, end_column)


@pytest.mark.parametrize(("text", "context"), [c[1:] for c in CONTEXTS], ids=[c[0] for c in CONTEXTS])
def test_context(text: str, context: str) -> None:
    found = lint_text(text, config=EVERY_IMAGE)
    assert len(found) == 1, found
    assert found[0].context == context


def test_context_of_missing_image() -> None:
    (d,) = lint_text("- step: {name: a, image: python:3.9.18}\n- endpoint: {name: serve}\n", config=CORE)
    assert (d.code, d.context) == ("VIL002", 'endpoint "serve"')


def test_every_document_is_linted_in_order() -> None:
    text = "- step: {name: a, image: python}\n---\n- step: {name: b, image: python:latest}\n"
    found = lint_text(text, config=CORE)
    assert [(d.code, d.span.line, d.span.column, d.context) for d in found] == [
        ("VIL102", 1, 26, 'step "a"'),
        ("VIL103", 3, 26, 'step "b"'),
    ]


# -- aliases: one report, at the anchored value, naming every site that uses it -----------------

ALIAS_SITES = (
    "- step:\n"
    "    name: a\n"
    "    image: &img python:3.9\n"
    "- step:\n"
    "    name: b\n"
    "    image: *img\n"
    "- pipeline:\n"
    "    name: p\n"
    "    nodes:\n"
    "      - name: n\n"
    "        override: {image: *img}\n"
    "- endpoint: {name: e, image: *img}\n"
)


def test_aliased_image_is_reported_once_at_the_anchor() -> None:
    found = [d for d in lint_text(ALIAS_SITES, config=CORE) if d.code == "VIL104"]
    assert len(found) == 1, found
    d = found[0]
    assert _span(d) == (3, 17, 3, 27)
    assert d.image == "python:3.9"
    assert d.context == 'step "a", step "b", pipeline "p" node "n", endpoint "e"'
    assert '(used by step "a", step "b", pipeline "p" node "n", endpoint "e")' in d.message


def test_every_rule_reports_an_aliased_image_once() -> None:
    found = lint_text(ALIAS_SITES, config=LintConfig(select=("ALL",), today="2026-01-01"))
    assert sorted(d.code for d in found) == ["VIL104", "VIL105", "VIL301", "VIL302"]
    assert {_span(d) for d in found} == {(3, 17, 3, 27)}


def test_alias_of_a_non_string_is_reported_once() -> None:
    text = "- step: {name: a, image: &v 3.9}\n- step: {name: b, image: *v}\n"
    (d,) = lint_text(text, config=CORE)
    assert (d.code, d.span.line, d.span.column) == ("VIL003", 1, 29)
    assert d.context == 'step "a", step "b"'


def test_anchor_outside_any_site_used_twice() -> None:
    text = (
        "- x-images: {train: &train python:3.9.18}\n"
        "- step: {name: a, image: *train}\n"
        "- step: {name: b, image: *train}\n"
    )
    (d,) = lint_text(text, config=EVERY_IMAGE)
    assert _span(d) == (1, 28, 1, 41)
    assert d.context == 'step "a", step "b"'
    assert '(used by step "a", step "b")' in d.message


def test_anchor_outside_any_site_used_once_names_the_site() -> None:
    text = "- x-images: {train: &train python:3.9.18}\n- step: {name: a, image: *train}\n"
    (d,) = lint_text(text, config=EVERY_IMAGE)
    assert _span(d) == (1, 28, 1, 41)
    assert d.context == 'step "a"'
    assert 'step "a"' in d.message


def test_position_after_verbatim_tag() -> None:
    text = BLOCK.format("!<tag:yaml.org,2002:str> python:3.9.18")
    found = lint_text(text, config=LintConfig(ignore=("VIL3",), select=("VIL003", "VIL105")))
    assert [(d.code, *_span(d)) for d in found] == [("VIL105", 3, 37, 3, 50)]


# -- merge keys ------------------------------------------------------------------------------------


def test_merged_image_is_reported_once_for_both_steps() -> None:
    text = "- step: &base\n    name: a\n    image: python:3.9\n- step:\n    <<: *base\n    name: b\n"
    found = [d for d in lint_text(text, config=CORE) if d.code == "VIL104"]
    assert len(found) == 1, found
    assert _span(found[0]) == (3, 12, 3, 22)
    assert found[0].context == 'step "a", step "b"'
    assert '(used by step "a", step "b")' in found[0].message


def test_merged_image_satisfies_a_step() -> None:
    text = "- defaults: &d\n    image: python:3.9.18\n- step:\n    <<: *d\n    name: train\n"
    assert [d.code for d in lint_text(text, config=CORE)] == []
    (d,) = lint_text(text, config=EVERY_IMAGE)
    assert _span(d) == (2, 12, 2, 25)
    assert d.context == 'defaults[0], step "train"'


def test_merge_in_flow_mapping() -> None:
    text = "- step: &s {name: a, image: python:latest}\n- step: {<<: *s, name: b}\n"
    (d,) = lint_text(text, config=CORE)
    assert (d.code, d.span.line, d.span.column) == ("VIL103", 1, 29)
    assert d.context == 'step "a", step "b"'


def test_explicit_key_wins_over_merged_one() -> None:
    text = "- step:\n    <<: {image: python:3.9}\n    name: a\n    image: python:3.9.18\n"
    assert lint_text(text, config=CORE) == []
    (d,) = lint_text(text, config=EVERY_IMAGE)
    assert _span(d) == (4, 12, 4, 25)


def test_earlier_merged_mapping_wins() -> None:
    text = "- step:\n    <<: [{image: python:3.9.18}, {image: python:3.9}]\n    name: a\n"
    assert lint_text(text, config=CORE) == []
    (d,) = lint_text(text, config=EVERY_IMAGE)
    assert _span(d) == (2, 18, 2, 31)
    assert d.context == 'step "a"'


def test_an_anchor_used_by_many_sites_names_a_few_and_counts_the_rest() -> None:
    steps = "".join(f"- step: {{name: s{i}, image: *img}}\n" for i in range(8))
    text = "- x-defaults: {image: &img python}\n" + steps
    [diagnostic] = lint_text(text, config=CORE)
    assert diagnostic.span.line == 1
    assert diagnostic.message.endswith(
        '(used by x-defaults[0], step "s0", step "s1", step "s2", step "s3" and 4 more)'
    )
    assert diagnostic.context is not None and diagnostic.context.count("step") == 8


def test_every_document_of_a_multi_document_file_is_linted() -> None:
    text = (
        "- step: {name: a, image: python:3.9.1}\n---\n- step: {name: b, image: python}\n---\n"
        "- step: {name: c, image: ubuntu}\n---\n- step: {name: d, image: debian}\n"
    )
    assert [(d.span.line, d.image) for d in lint_text(text, config=CORE)] == [
        (3, "python"),
        (5, "ubuntu"),
        (7, "debian"),
    ]


def test_lines_are_counted_as_editors_count_them() -> None:
    text = '- step:\n    name: a\n    description: "x\x85y\u2028z"\n    image: python\n'
    [diagnostic] = lint_text(text, config=CORE)
    assert (diagnostic.span.line, diagnostic.span.column) == (4, 12)


def test_block_scalar_with_an_indentation_indicator_keeps_the_value_start() -> None:
    [diagnostic] = lint_text("- step:\n    name: a\n    image: |2-\n        python:3.9.18\n", config=CORE)
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("VIL101", 4, 7)
    assert diagnostic.message.startswith('image "  python:3.9.18" is not a valid reference')


def test_a_tag_without_a_value_is_located_at_the_tag() -> None:
    [diagnostic] = lint_text("- step:\n    name: a\n    image: !custom\n", config=CORE)
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column, diagnostic.span.end_column) == (
        "VIL003",
        3,
        12,
        19,
    )


def test_values_with_line_breaks_keep_messages_on_one_line() -> None:
    diagnostics = lint_text(
        '- step:\n    name: "a\\nb"\n- step:\n    name: c\n    image: |\n      python:3.9.18\n', config=CORE
    )
    assert [d.code for d in diagnostics] == ["VIL002", "VIL101"]
    assert all("\n" not in d.message and "\r" not in d.message for d in diagnostics)
    assert 'step "a\\nb" has no image' in diagnostics[0].message
    assert 'image "python:3.9.18\\n"' in diagnostics[1].message


def test_merge_chains_are_resolved_once() -> None:
    import time

    doubling = ["- x0: &a0 {image: python, k0: v}"]
    doubling += [f"- x{i}: &a{i} {{<<: [*a{i - 1}, *a{i - 1}], k{i}: v}}" for i in range(1, 40)]
    started = time.perf_counter()
    [diagnostic] = lint_text("\n".join(doubling) + "\n", config=CORE)
    assert time.perf_counter() - started < 5  # 2**40 merges if each were walked again
    assert diagnostic.span.line == 1 and "and 35 more" in diagnostic.message
    chain = ["- x0: &a0 {image: python}"] + [f"- x{i}: &a{i} {{<<: *a{i - 1}}}" for i in range(1, 1200)]
    assert [d.code for d in lint_text("\n".join(chain) + "\n", config=CORE)] == [
        "VIL102"
    ]  # no RecursionError


def test_a_key_merged_from_an_anchor_names_where_it_is_used() -> None:
    text = "- x-anchors:\n    d: &d {image: 'python:3.9'}\n- step:\n    <<: *d\n    name: b\n"
    [diagnostic] = lint_text(text, config=CORE)
    assert diagnostic.span.line == 2
    assert diagnostic.message.endswith('(used by x-anchors[0].d, step "b")')


@pytest.mark.parametrize(
    ("text", "context"),
    [
        ("- image: python:3.9\n  name: x\n", "item 1"),
        ("image: python:3.9\n", "the top level"),
        ("- step: {name: a, image: 'python:3.12.1'}\n  image: python:3.9\n", "item 1"),
    ],
)
def test_an_image_key_on_an_item_itself_is_a_site(text: str, context: str) -> None:
    [diagnostic] = [d for d in lint_text(text, config=CORE) if d.code == "VIL104"]
    assert diagnostic.context == context


def test_a_reused_anchor_name_is_quiet(capfd: pytest.CaptureFixture[str]) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        diagnostics = lint_text(
            "- a: {image: &x python}\n- b: {image: &x ubuntu}\n- step: {name: s, image: *x}\n", config=CORE
        )
    assert [(d.span.line, d.image) for d in diagnostics] == [
        (1, "python"),
        (2, "ubuntu"),
    ]  # the later &x wins
    assert diagnostics[1].message.endswith('(used by b[1], step "s")')
    assert capfd.readouterr().err == ""
