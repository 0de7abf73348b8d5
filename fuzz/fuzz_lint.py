#!/usr/bin/env python3
"""Atheris harness: any bytes, read as the command line reads a file, linted with every rule.

The bytes are decoded by ``reading.decode_config`` (a ``PathError`` there, for NUL bytes, a
UTF-16 BOM or bytes that are not UTF-8, is the CLI's one-line error, not a crash), then linted
by ``lint_text`` with ALL rules under three configs (defaults; allowed images, private registries
and an end-of-life date; suppressions off). A crash is any exception that escapes, or a
diagnostic that breaks what every reporter relies on: a 1-based span that ends at or after its
start and lies inside the text, in sorted order.

    python fuzz/fuzz_lint.py -runs=800 -max_len=1024 -seed=1   # as tests/test_fuzz.py runs it
    python fuzz/fuzz_lint.py -max_total_time=600 corpus/   # longer, keeping new inputs in corpus/

Seeds: a few configs written here, and every file of ``../shared/corpus`` when it is present.
"""

from __future__ import annotations

import importlib
import re
import sys

import atheris  # type: ignore[import-untyped]
import driver

# Modules the linter imports lazily (ruamel.yaml on the first load, docker-image-py on the first
# parse, suppressions and patterns when needed): imported here, inside instrument_imports, so that
# they are instrumented too and coverage guides the fuzzer through the YAML parser and the grammar.
LAZY_IMPORTS = (
    "ruamel.yaml",
    "ruamel.yaml.composer",
    "docker_image.digest",
    "docker_image.regexp",
    "valohai_image_lint.patterns",
    "valohai_image_lint.suppressions",
    "valohai_image_lint.sources.comments",
)

# Instrumenting costs seconds at start-up and time on every input: the parts of ruamel.yaml that
# neither reading, scanning, parsing nor composing a document uses are left as they are.
NOT_INSTRUMENTED = tuple(
    f"ruamel.yaml.{name}"
    for name in (
        "anchor",
        "comments",
        "compat",
        "constructor",
        "cyaml",
        "docinfo",
        "dumper",
        "emitter",
        "representer",
        "scalarbool",
        "scalarfloat",
        "scalarint",
        "scalarstring",
        "serializer",
        "tag",
        "timestamp",
        "util",
    )
)

with atheris.instrument_imports(
    include=["valohai_image_lint", "ruamel", "docker_image"], exclude=NOT_INSTRUMENTED
):
    for module in LAZY_IMPORTS:
        importlib.import_module(module)
    from configs import CONFIGS  # this folder's: the script's own folder is on sys.path

    from valohai_image_lint.linter import lint_text
    from valohai_image_lint.model import Diagnostic, Span
    from valohai_image_lint.reading import PathError, decode_config

SEEDS = (
    b"- step:\n    name: train\n    image: python:3.9\n    command: python train.py\n",
    b"- step:\n    name: train\n"
    b"    image: tensorflow/tensorflow:latest-gpu  # valohai-image-lint: ignore[VIL103]\n",
    b"- step: &base\n    name: a\n    image: 'ubuntu:focal'\n- step:\n    <<: *base\n    name: b\n",
    b'- step: {name: a, image: "localhost:5000/x@sha256:' + b"ab" * 32 + b'", command: [a, b]}\n',
    b"- endpoint:\n    name: e\n    image: |\n      nvidia/cuda:12.2.0-devel\n    server-command: x\n",
    b"- pipeline:\n    name: p\n    nodes:\n      - name: n\n        override:\n          image: 3.9\n",
    b"\xef\xbb\xbf- version: 1\r\n  steps:\r\n    - image: !!str index.docker.io/python\r\n",
    b"# valohai-image-lint: ignore-file[VIL105]\n- step:\n    name: x\n    image: ${IMAGE}\n",
)

_LINE_BREAK = re.compile(r"\r\n|[\r\n]")


def span_problem(span: Span, lines: list[str]) -> str | None:
    """Why a span is bad, or None: it must be 1-based, end at or after its start and lie inside
    the text (a column at most one past the end of its line, a line at most one past the last)."""
    if span.line < 1 or span.column < 1:
        return "starts before 1:1"
    if (span.end_line, span.end_column) < (span.line, span.column):
        return "ends before it starts"
    for line, column in ((span.line, span.column), (span.end_line, span.end_column)):
        if line > len(lines) + 1:
            return f"is past line {len(lines)}, the last"
        if line <= len(lines) and column > len(lines[line - 1]) + 1:
            return f"is past column {len(lines[line - 1]) + 1}, the end of line {line}"
    return None


def check(text: str, diagnostics: list[Diagnostic]) -> None:
    lines = _LINE_BREAK.split(text.removeprefix("\ufeff"))
    for diagnostic in diagnostics:
        edits = diagnostic.fix.edits if diagnostic.fix else ()
        spans = [diagnostic.span, *(edit.span for edit in edits)]
        for span in spans:
            problem = span_problem(span, lines)
            if problem is not None:
                raise AssertionError(
                    f"{diagnostic.code} {diagnostic.message!r}: {span} {problem}; text {text[:300]!r}"
                )
    if diagnostics != sorted(diagnostics, key=lambda d: d.sort_key):
        raise AssertionError("diagnostics are not sorted by position")


def test_one_input(data: bytes) -> None:
    try:
        text = decode_config("valohai.yaml", data)
    except PathError:
        return
    config = CONFIGS[data[-1] % len(CONFIGS)] if data else CONFIGS[0]
    check(text, lint_text(text, "valohai.yaml", config))


if __name__ == "__main__":
    corpus = driver.shared_files("corpus", (".yaml", ".yml"))
    sys.exit(driver.run(test_one_input, SEEDS, corpus))
