"""Fuzzing: random YAML, image strings, Python sources, notebooks and bytes; nothing may escape.

Two kinds of fuzzing run here:

- hypothesis properties, derandomized and without an example database, so that CI tries the
  same inputs on every run: ``lint_text`` (all rules) returns diagnostics whose spans lie inside
  the text, ``parse_image`` returns an ``ImageRef`` or raises ``InvalidImageReference``, the
  Python-source finders return sites or raise ``SourceSyntaxError``, and ``main([...])`` on a
  file of any bytes exits 0, 1 or 2;
- the atheris harnesses of ``fuzz/``, each run in a subprocess for a fixed number of inputs
  (atheris is required under ``CI=true`` and skipped without it elsewhere).

Each test prints how many inputs it tried (``pytest -s`` shows it) and records the figure as a
property (``--junitxml`` keeps it). ``VALOHAI_IMAGE_LINT_FUZZ_SCALE=N`` multiplies every count,
for a longer run by hand; ``fuzz/README.md`` says how to run the harnesses for longer still.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Sequence
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from valohai_image_lint.cli import main
from valohai_image_lint.config.settings import LintConfig
from valohai_image_lint.linter import lint_text
from valohai_image_lint.model import Diagnostic, ImageSite, Span
from valohai_image_lint.reference import ImageRef, InvalidImageReference, parse_image
from valohai_image_lint.reporters import FORMATS
from valohai_image_lint.sources import SourceSyntaxError
from valohai_image_lint.sources.notebook_sites import find_notebook_image_sites
from valohai_image_lint.sources.python_sites import find_python_image_sites

ROOT = Path(__file__).resolve().parent.parent
FUZZ = ROOT / "fuzz"
SCALE = max(1, int(os.environ.get("VALOHAI_IMAGE_LINT_FUZZ_SCALE", "1")))

# The settings every property runs with: the same inputs on every run (CI is reproducible), no
# time limit per input (a slow machine is no bug), no health check that a slow or large
# generated input could trip.
FUZZ_SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.large_base_example,
    ],
)


def _load_configs() -> tuple[LintConfig, ...]:
    """``fuzz/configs.py``'s settings, shared with the atheris harness (loaded by path: the
    fuzz folder is no package)."""
    spec = importlib.util.spec_from_file_location("fuzz_configs", FUZZ / "configs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    configs: tuple[LintConfig, ...] = module.CONFIGS
    return configs


CONFIGS = _load_configs()


# -- oracles -----------------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    """The lines positions refer to, split independently of the linter: ``\\r\\n``, ``\\r`` and
    ``\\n`` end a line; a leading BOM is not part of line 1."""
    return re.split(r"\r\n|[\r\n]", text.removeprefix("\ufeff"))


def _check_span(span: Span, lines: Sequence[str], what: str) -> None:
    """A span is 1-based, ends at or after its start, and lies within the text: its lines exist
    (one past the last is allowed) and its columns are at most one past the end of their line."""
    assert isinstance(span, Span), what
    assert span.line >= 1 and span.column >= 1, f"{what}: {span} starts before 1:1"
    assert (span.end_line, span.end_column) >= (span.line, span.column), (
        f"{what}: {span} ends before it starts"
    )
    assert span.end_line <= len(lines) + 1, f"{what}: {span} is past line {len(lines)}, the last"
    for line, column in ((span.line, span.column), (span.end_line, span.end_column)):
        if line <= len(lines):
            width = len(lines[line - 1])
            assert column <= width + 1, f"{what}: {span} is past column {width + 1} of line {line}"


def _check_diagnostics(text: str, diagnostics: object) -> None:
    assert isinstance(diagnostics, list)
    lines = _lines(text)
    for diagnostic in diagnostics:
        assert isinstance(diagnostic, Diagnostic)
        what = f"{diagnostic.code} {diagnostic.message!r}"
        _check_span(diagnostic.span, lines, what)
        if diagnostic.fix is not None:
            for edit in diagnostic.fix.edits:
                _check_span(edit.span, lines, f"{what} (fix edit)")
    assert diagnostics == sorted(diagnostics, key=lambda d: d.sort_key)


def _check_sites(text: str, sites: object, notebook: bool = False) -> None:
    """Sites lie in the text; one written on one line without escapes is the text its span holds.
    (In a notebook a literal may also run over two JSON strings, when Jupyter split its line at a
    character that ends a line for ``str.splitlines`` but not for Python, such as U+2028.)"""
    assert isinstance(sites, list)
    lines = _lines(text)
    for found in sites:
        assert isinstance(found, ImageSite)
        span = found.span
        _check_span(span, lines, f"site {found.value!r}")
        written = lines[span.line - 1][span.column - 1 : span.end_column - 1]
        verbatim = "\\" not in written and not (notebook and '"' in written)
        if span.line == span.end_line and verbatim:
            assert written == found.value, f"{span} holds {written!r}, not {found.value!r}"
        if found.key_line is not None:
            assert 1 <= found.key_line <= found.span.line


def _check_syntax_error(text: str, exc: SourceSyntaxError) -> None:
    """A syntax error names a position inside the text, as a diagnostic's span would."""
    assert exc.message
    _check_span(Span(exc.line, exc.column, exc.line, exc.column), _lines(text), f"error {exc.message!r}")


def _run_counted(prop: Callable[[], None], counter: list[int], record: Callable[[str, object], None]) -> None:
    """Run a hypothesis property; report how many inputs it tried (also when one fails)."""
    try:
        prop()
    finally:
        name = getattr(prop, "__name__", "property")
        print(f"\n{name}: {counter[0]} inputs tried")
        record("inputs_tried", counter[0])


# -- strategies: image strings -----------------------------------------------------------------

HEX = "0123456789abcdef"
DIGEST = "sha256:" + "a1b2c3d4" * 8
KNOWN_IMAGES = (
    "python",
    "python:3.9",
    "python:3.12.1-slim",
    "python:latest",
    "tensorflow/tensorflow:latest-gpu",
    "nvidia/cuda:12.2.0-cudnn8-devel-ubuntu22.04",
    "ubuntu:focal",
    "ghcr.io/acme/trainer:1.0.3",
    "localhost:5000/x",
    "localhost/x:1",
    "127.0.0.1:5000/img:2",
    "[fc00::1]:5000/img:1",
    "[::1]/x",
    "index.docker.io/library/python:3.11",
    "docker.io/python",
    "registry.acme.internal/team/img:1.2",
    "host.docker.internal:5000/a",
    "foo_bar.com/x",
    "Example.com/x",
    "UPPER/x",
    f"python@{DIGEST}",
    f"python:3.11@{DIGEST}",
    "python@sha256:abc",
    "python@sha512:" + "ab" * 64,
    "a" * 64,
    "a" * 300,
    "python:" + "t" * 129,
    "{parameter-value:image}",
    "python:{parameter:version}",
    "${IMAGE}",
    "{{ image }}",
    "python:3.9\n",
    " python:3.9",
    "http://ghcr.io/x",
    "a//b",
    "a/",
    "/a",
    ":tag",
    "@" + DIGEST,
    "",
    " ",
)
# Characters that matter to the reference grammar, and a few that break it.
REFERENCE_ALPHABET = "abcz019AZ._-/:@[]" + "+ \t\n\u00e9\u2028\x00"


@st.composite
def structured_references(draw: st.DrawFn) -> str:
    """Text shaped like ``[registry/]path[:tag][@digest]``, right or slightly wrong."""
    component = st.text(alphabet="abz09._-", min_size=1, max_size=12)
    domain = draw(
        st.sampled_from(
            [
                "",
                "ghcr.io/",
                "localhost:5000/",
                "[::1]:5000/",
                "127.0.0.1/",
                "index.docker.io/",
                "docker.io/",
                "registry.local/",
                "Example.COM:443/",
                "a.b.c.d.e.f/",
                "x:/",
            ]
        )
    )
    path = "/".join(draw(st.lists(component, min_size=1, max_size=4)))
    tag = draw(st.one_of(st.just(""), st.text(alphabet="abZ09._-+", max_size=20).map(lambda t: ":" + t)))
    digest = draw(
        st.one_of(
            st.just(""),
            st.just("@" + DIGEST),
            st.text(alphabet=HEX + "g:", max_size=70).map(lambda d: "@sha256:" + d),
            st.text(alphabet="abz09+.-_:", max_size=20).map(lambda d: "@" + d),
        )
    )
    return domain + path + tag + digest


image_strings: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(KNOWN_IMAGES),
    structured_references(),
    st.text(alphabet=REFERENCE_ALPHABET, max_size=80),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec=None), max_size=20),  # lone surrogates too
)


# -- strategies: YAML --------------------------------------------------------------------------

ANCHORS = ("a", "img", "base")
NON_STRINGS = (
    "3.9",
    "3",
    "yes",
    "off",
    "null",
    "~",
    "",
    "[a, b]",
    "{a: b}",
    "2024-01-01",
    "0x1F",
    ".inf",
    "!!binary aGVsbG8=",
    "!!int 3",
    "!custom",
    "&a",
    "*a",
    "*nope",
    "[",
    "'",
    '"',
)


@st.composite
def image_scalars(draw: st.DrawFn) -> str:
    """An image value as YAML writes it: any style, maybe tagged, anchored or an alias."""
    image = draw(image_strings)
    style = draw(
        st.sampled_from(["plain", "plain-folded", "single", "double", "literal", "folded", "tagged", "other"])
    )
    if style == "plain":
        value = image
    elif style == "plain-folded":  # a plain scalar continued on the next line
        cut = draw(st.integers(0, len(image)))
        value = image[:cut] + "\n        " + image[cut:]
    elif style == "single":
        value = "'" + image.replace("'", "''") + "'"
    elif style == "double":
        value = json.dumps(image, ensure_ascii=draw(st.booleans()))
    elif style in ("literal", "folded"):
        header = draw(st.sampled_from(["|", "|-", "|+", ">", ">-", "|2", ">1-"]))
        value = header + "\n" + "\n".join("        " + part for part in image.split("\n"))
    elif style == "tagged":
        value = draw(st.sampled_from(["!!str ", "!<tag:yaml.org,2002:str> ", "!custom ", "! "])) + image
    else:
        value = draw(st.sampled_from(NON_STRINGS))
    anchoring = draw(st.sampled_from(["none", "none", "anchor", "alias"]))
    if anchoring == "anchor":
        return f"&{draw(st.sampled_from(ANCHORS))} {value}"
    if anchoring == "alias":
        return f"*{draw(st.sampled_from(ANCHORS))}"
    return value


SUPPRESSIONS = (
    "# valohai-image-lint: ignore[VIL103]",
    "# valohai-image-lint: ignore[VIL101, floating-tag] reason",
    "# valohai-image-lint: ignore",
    "# valohai-image-lint: ignore[",
    "# valohai-image-lint: ignore-file[VIL105]",
    "# note  # valohai-image-lint: ignore[VIL9]",
    "#valohai-image-lint:ignore[]",
)
names = st.text(alphabet="abz09-_ :'\"#&*", max_size=10)
commands = st.one_of(
    st.just("python train.py"), st.just("[a, b]"), st.text(alphabet="ab -:#'\"", max_size=12)
)


@st.composite
def valohai_items(draw: st.DrawFn) -> str:
    """One item of a Valohai config (or something in its place)."""
    image = draw(image_scalars())
    name = draw(names)
    command = draw(commands)
    comment = draw(st.one_of(st.just(""), st.sampled_from(SUPPRESSIONS).map(lambda c: "  " + c)))
    anchor = draw(st.sampled_from(ANCHORS))
    kind = draw(
        st.sampled_from(
            [
                "step",
                "step-flow",
                "step-anchor",
                "step-merge",
                "step-merge-list",
                "step-no-image",
                "endpoint",
                "pipeline",
                "version",
                "junk",
                "comment",
                "document",
            ]
        )
    )
    if kind == "step":
        return f"- step:\n    name: {name}\n    image: {image}{comment}\n    command: {command}\n"
    if kind == "step-flow":
        flow_image = image.replace("\n", " ")
        return f"- step: {{name: {name}, image: {flow_image}, command: [{command}]}}{comment}\n"
    if kind == "step-anchor":
        return f"- step: &{anchor}\n    name: {name}\n    image: {image}{comment}\n    command: {command}\n"
    if kind == "step-merge":
        return f"- step:\n    <<: *{anchor}\n    name: {name}\n"
    if kind == "step-merge-list":
        return f"- step:\n    <<: [*{anchor}, *{draw(st.sampled_from(ANCHORS))}]\n    image: {image}\n"
    if kind == "step-no-image":
        return f"- step:\n    name: {name}\n    command: {command}\n"
    if kind == "endpoint":
        return f"- endpoint:\n    name: {name}\n    image: {image}{comment}\n    server-command: {command}\n"
    if kind == "pipeline":
        return (
            f"- pipeline:\n    name: {name}\n    nodes:\n      - name: n\n        type: execution\n"
            f"        step: {name}\n        override:\n          image: {image}{comment}\n"
        )
    if kind == "version":
        return f"- version: 1\n  steps:\n    - image: {image}\n"
    if kind == "comment":
        return draw(st.sampled_from(SUPPRESSIONS)) + "\n"
    if kind == "document":
        return draw(st.sampled_from(["---\n", "...\n", "%YAML 1.2\n---\n", "--- !!map\n", "--- |\n  x\n"]))
    return draw(st.text(alphabet="- :\t{}[],&*!|>'\"#%@?<\\ab\n", max_size=20)) + "\n"


@st.composite
def valohai_documents(draw: st.DrawFn) -> str:
    """A Valohai-like config, then perhaps bent: BOM, CRLF or CR, tabs, no final newline, a
    splice of random characters."""
    text = "".join(draw(st.lists(valohai_items(), min_size=1, max_size=6)))
    if draw(st.booleans()):
        text = text.replace("\n", draw(st.sampled_from(["\r\n", "\r", "\n"])))
    if draw(st.integers(0, 4)) == 0:
        text = text.replace("    ", "\t", draw(st.integers(1, 3)))
    if draw(st.integers(0, 4)) == 0:
        text = text.rstrip("\r\n")
    if draw(st.integers(0, 3)) == 0:
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 8)))
        text = (
            text[:start]
            + draw(st.text(alphabet="- :\t\r\n{}[]&*!|>'\"#\ufeff\u2028\x85", max_size=4))
            + text[end:]
        )
    if draw(st.integers(0, 4)) == 0:
        text = "\ufeff" + text
    return text


@st.composite
def deeply_nested(draw: st.DrawFn) -> str:
    """Nesting past the parser's and Python's recursion limits, and many aliases of one anchor."""
    depth = draw(st.integers(1, 1500))
    kind = draw(st.sampled_from(["flow-sequence", "flow-mapping", "block", "aliases"]))
    if kind == "block":
        return "".join("  " * i + "- image: python:3.9\n" + "  " * i + "  k:\n" for i in range(depth // 5))
    if kind == "aliases":
        steps = "".join(f"- step: {{<<: *a, name: s{i}}}\n" for i in range(depth))
        return "- step: &a\n    name: a\n    image: python:3.9\n" + steps
    if kind == "flow-sequence":
        value = "[" * depth + "python:3.9" + "]" * depth
    else:
        value = "{image: " * depth + "python:3.9" + "}" * depth
    return f"- step:\n    name: deep\n    image: {value}\n"


yaml_texts: st.SearchStrategy[str] = st.one_of(
    valohai_documents(),
    deeply_nested(),
    st.text(alphabet="- :\t\r\n{}[],&*!|>'\"#%@?<=\\.~stepimagnd0139\ufeff\u2028\x85", max_size=120),
    st.text(max_size=80),
)


# -- properties: lint_text ----------------------------------------------------------------------


def test_lint_text_never_raises_and_spans_lie_in_the_text(
    record_property: Callable[[str, object], None],
) -> None:
    counter = [0]

    @settings(FUZZ_SETTINGS, max_examples=400 * SCALE)
    @given(text=yaml_texts, config=st.sampled_from(CONFIGS))
    def lint_text_property(text: str, config: LintConfig) -> None:
        counter[0] += 1
        _check_diagnostics(text, lint_text(text, "valohai.yaml", config))

    _run_counted(lint_text_property, counter, record_property)


# -- properties: parse_image --------------------------------------------------------------------


def _parse_or_reason(text: str) -> ImageRef | None:
    try:
        ref = parse_image(text)
    except InvalidImageReference as exc:
        assert exc.text == text and exc.reason
        return None
    assert isinstance(ref, ImageRef)
    return ref


def test_parse_image_returns_a_ref_or_raises_invalid_reference(
    record_property: Callable[[str, object], None],
) -> None:
    counter = [0]

    @settings(FUZZ_SETTINGS, max_examples=600 * SCALE)
    @given(text=image_strings)
    def parse_image_property(text: str) -> None:
        counter[0] += 1
        parse_image.cache_clear()  # every input goes through the grammar, not the cache
        ref = _parse_or_reason(text)
        if ref is not None:
            # The canonical form is a fixed point: it names the same reference. (The familiar
            # form is not: docker.io/a.b/c is familiar a.b/c, a name on registry a.b, as in Go.)
            again = parse_image(ref.canonical)
            assert again.canonical == ref.canonical
            assert again._replace(raw=ref.raw) == ref

    _run_counted(parse_image_property, counter, record_property)


# -- properties: Python sources and notebooks ---------------------------------------------------

# Image text that can sit between quotes as written (no quote, backslash or line break).
written_images = st.one_of(st.sampled_from(KNOWN_IMAGES), structured_references()).map(
    lambda image: re.sub(r"[\"'\\\r\n]", "", image)
)
python_calls = st.builds(
    lambda callee, args, image: f"{callee}({args}image={image})",
    st.sampled_from(
        [
            "valohai.prepare",
            "valohai.prepare",
            "prepare",
            "vh.prepare",
            "p",
            "valohai.inputs.prepare",
            "v\u0430lohai.prepare",
        ]
    ),
    st.sampled_from(["", 'step="train", ', "step=name, ", "**kw, ", "step='a\\'b', "]),
    st.one_of(
        image_strings.map(repr),  # any text, escaped as Python escapes it
        written_images.map(lambda image: f'"{image}"'),
        written_images.map(lambda image: "r'''" + image + "'''"),
        written_images.map(lambda image: f"u'{image}'"),
        image_strings.map(lambda image: 'r"""' + image.replace('"', "") + '"""'),  # raw: any character
        st.sampled_from(['"a" "b"', "f'{x}'", "b'x'", "None", "IMAGE", '"""\npython:3.9\n"""', '""', '" "']),
    ),
)
python_statements = st.sampled_from(
    [
        "import valohai",
        "import valohai as vh",
        "from valohai import prepare",
        "from valohai import prepare as p",
        "from valohai import *",
        "from other import prepare",
        "import valohai.inputs",
        "x = 1",
        "# valohai",
        "pass",
    ]
)
# Lines Python accepts (bar a rare literal such as r"""a\""""), so that calls are found.
valid_python_lines = st.one_of(
    python_statements,
    python_calls,
    python_calls.map(lambda call: f"def f():\n    {call}"),
    python_calls.map(lambda call: f"if True:\n\tx = {call}"),
    python_calls.map(lambda call: f"data = [\n    {call},\n]"),
)
# Lines it may reject: IPython syntax, broken code, stray characters.
odd_python_lines = st.one_of(
    st.sampled_from(
        [
            "%matplotlib inline",
            "!pip install x",
            "files = !ls",
            "df?",
            "%%time",
            "%%bash",
            "\ufeff",
            "x = (",
            "def f():",
            "    pass",
            "\x00",
        ]
    ),
    python_calls.map(lambda call: "    " + call),
    st.text(alphabet="valohi.prep()=\"' \t\\:#[]{}%!?\n\r", max_size=30),
)


@st.composite
def python_sources(draw: st.DrawFn, odd_lines: bool = True) -> str:
    """Python source: mostly valid, so that sites are found; or with odd lines mixed in."""
    odd = odd_lines and draw(st.integers(0, 2)) == 0
    lines = st.one_of(valid_python_lines, odd_python_lines) if odd else valid_python_lines
    text = draw(st.sampled_from(["\n", "\r\n", "\r"])).join(draw(st.lists(lines, min_size=1, max_size=8)))
    return text + draw(st.sampled_from(["", "\n"]))


python_texts: st.SearchStrategy[str] = st.one_of(
    python_sources(),
    python_sources(),
    python_sources(),
    st.text(alphabet=st.characters(codec=None), max_size=60).map(lambda t: "valohai " + t),
    st.text(max_size=60),
)


def test_python_sources_give_sites_or_a_syntax_error(record_property: Callable[[str, object], None]) -> None:
    counter = [0]

    @settings(FUZZ_SETTINGS, max_examples=300 * SCALE)
    @given(text=python_texts)
    def python_source_property(text: str) -> None:
        counter[0] += 1
        try:
            sites = find_python_image_sites(text)
        except SourceSyntaxError as exc:
            _check_syntax_error(text, exc)
            return
        _check_sites(text, sites)

    _run_counted(python_source_property, counter, record_property)


cell_sources: st.SearchStrategy[Any] = st.one_of(
    python_sources().map(lambda source: source.splitlines(keepends=True)),  # as Jupyter writes it
    python_sources(odd_lines=False).map(lambda source: source.splitlines(keepends=True)),
    python_sources(),
    st.lists(st.text(max_size=20), max_size=3),
    st.sampled_from([None, 3, [], [1, "x"], {"a": "b"}]),
)
cells: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(
    {
        "cell_type": st.sampled_from(["code", "code", "code", "markdown", "raw", 7]),
        "source": cell_sources,
    },
    optional={"metadata": st.just({}), "outputs": st.just([]), "execution_count": st.none()},
)
notebook_metadata = st.sampled_from(
    [
        {},
        {"kernelspec": {"language": "python"}},
        {"kernelspec": {"language": "R"}},
        {"language_info": {"name": "Python"}},
        {"kernelspec": "x"},
        [],
    ]
)


@st.composite
def notebooks(draw: st.DrawFn) -> str:
    """A notebook as JSON, written as Jupyter writes it or otherwise, maybe cut short."""
    value: Any = {
        "cells": draw(st.lists(cells, min_size=1, max_size=4)),
        "metadata": draw(notebook_metadata),
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    if draw(st.integers(0, 5)) == 0:
        value = draw(st.sampled_from([[], "x", 1, None, {"cells": "x"}, {"cells": [1, [], "c"]}]))
    text = json.dumps(
        value,
        indent=draw(st.sampled_from([None, 1, 2, "\t"])),
        ensure_ascii=draw(st.booleans()),
        separators=draw(st.sampled_from([None, (",", ":"), (" , ", " : ")])),
    )
    if draw(st.integers(0, 5)) == 0:
        text = text[: draw(st.integers(0, len(text)))]
    if draw(st.integers(0, 5)) == 0:
        text = "\ufeff" + text
    return text


def test_notebooks_give_sites_or_a_syntax_error(record_property: Callable[[str, object], None]) -> None:
    counter = [0]

    @settings(FUZZ_SETTINGS, max_examples=300 * SCALE)
    @given(
        text=st.one_of(
            notebooks(), st.text(alphabet='{}[]":, \n\\u0valohai', max_size=60), st.text(max_size=40)
        )
    )
    def notebook_property(text: str) -> None:
        counter[0] += 1
        try:
            sites = find_notebook_image_sites(text)
        except SourceSyntaxError as exc:
            _check_syntax_error(text, exc)
            return
        _check_sites(text, sites, notebook=True)

    _run_counted(notebook_property, counter, record_property)


# -- properties: the command line on a file of any bytes ----------------------------------------

file_bytes: st.SearchStrategy[bytes] = st.one_of(
    st.binary(max_size=200),
    yaml_texts.map(lambda text: text.encode("utf-8", errors="surrogatepass")),
    st.builds(
        lambda text, junk, at: (lambda data: data[:at] + junk + data[at:])(text.encode("utf-8")),
        valohai_documents(),
        st.sampled_from([b"\x00", b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xef\xbb\xbf", b"\xff\xfe"]),
        st.integers(0, 40),
    ),
)


def test_cli_on_any_bytes_exits_0_1_or_2(
    tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    path = tmp_path / "valohai.yaml"
    counter = [0]

    @settings(FUZZ_SETTINGS, max_examples=100 * SCALE)
    @given(data=file_bytes, output_format=st.sampled_from(sorted(FORMATS)))
    def cli_property(data: bytes, output_format: str) -> None:
        counter[0] += 1
        path.write_bytes(data)
        out, err = io.StringIO(), io.StringIO()
        argv = [
            str(path),
            "--isolated",
            "--no-cache",
            "--select",
            "ALL",
            "--today",
            "2024-06-01",
            "--output-format",
            output_format,
            "--color",
            "always",
        ]
        with redirect_stdout(out), redirect_stderr(err):
            code = main(argv)
        assert code in (0, 1, 2), err.getvalue()
        if output_format in ("json", "sarif", "gitlab"):
            json.loads(out.getvalue())
        elif output_format == "json-lines":
            for line in out.getvalue().splitlines():
                json.loads(line)
        elif output_format == "junit":
            import xml.etree.ElementTree as ElementTree

            ElementTree.fromstring(out.getvalue())

    _run_counted(cli_property, counter, record_property)


# -- the atheris harnesses ----------------------------------------------------------------------

# Inputs per harness, 5-8 s each on a 2-core machine: the grammar runs some 10,000 inputs a second,
# the whole linter (ruamel.yaml instrumented, 2-3 s to start) some 200; -max_len keeps inputs (and
# the seeds it cuts short) small.
HARNESS_RUNS = {"fuzz_lint.py": 800, "fuzz_reference.py": 50000}
MAX_LEN = 1024
DONE = re.compile(r"^Done (\d+) runs in (\d+) second", re.MULTILINE)


def _crash_report(output: str, folder: Path) -> str:
    """The traceback of a crash (libFuzzer prints the input after it, which can be long)."""
    start = output.find("=== Uncaught Python exception")
    shown = output[start : start + 4000] if start != -1 else output[-4000:]
    return f"{shown}\n(the crashing input is written to {folder})"


@pytest.mark.parametrize("harness", sorted(HARNESS_RUNS))
def test_atheris_harness_runs_clean(
    harness: str, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    if importlib.util.find_spec("atheris") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but atheris is not installed: pip install -e '.[test]'")
        pytest.skip("atheris is not installed (pip install atheris); CI runs this")
    runs = HARNESS_RUNS[harness] * SCALE
    result = subprocess.run(
        [
            sys.executable,
            str(FUZZ / harness),
            f"-runs={runs}",
            "-seed=1",
            "-timeout=60",
            f"-max_len={MAX_LEN}",
            f"-artifact_prefix={tmp_path}{os.sep}",
            "-print_final_stats=1",
        ],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=600,
        cwd=tmp_path,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, _crash_report(output, tmp_path)
    done = DONE.search(output)
    assert done is not None, output[-3000:]
    tried = int(done.group(1))
    assert tried >= runs
    print(f"\n{harness}: {tried} inputs tried in {done.group(2)} s")
    record_property("inputs_tried", tried)
