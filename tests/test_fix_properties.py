"""Property tests of ``--fix --unsafe-fixes`` on generated valohai.yaml files.

The files mix steps, endpoints, pipeline overrides and unknown items (``- version: 1`` with
``steps:``), block and flow mappings (one line or spread over lines), plain, single- and
double-quoted values, anchors with aliases and merge keys, comments (some that look like image
values), ``\\n`` or ``\\r\\n`` line breaks, a UTF-8 BOM or none, a final line break or none. Their
images trigger VIL202 (with ``private-registries = ["docker.io/acme/*"]``), VIL205 and VIL301
fixes, or none. After fixing, ``fix_checks`` checks (a)-(d) (see there), and each image value
must be what fixing it alone in a one-step file gives (``ALONE``): a fix does not depend on
what surrounds the value. A few generated files go through ``cli.main`` too: the file written is
the text ``fix_text`` gives, byte for byte, and the summary line counts what was fixed and what
remains.
"""

from __future__ import annotations

import io
import os
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import NamedTuple

import pytest
from fix_checks import UNSAFE, assert_only_values_changed, check_fix, pyyaml, sites_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from valohai_image_lint import LintConfig, lint_text
from valohai_image_lint.cli import main
from valohai_image_lint.fixing import fix_text

PRIVATE = ("docker.io/acme/*",)
CONFIG = LintConfig(options={"private-registries": PRIVATE}, today="2026-11-30")
TOML = 'private-registries = ["docker.io/acme/*"]\ntoday = "2026-11-30"\n'

# Each image and what --fix --unsafe-fixes makes of it alone in a one-step file.
ALONE = {
    "index.docker.io/library/python:3.12.4": "docker.io/library/python:3.12.4-slim",  # VIL205, VIL301
    "registry-1.docker.io/acme/x:1.0": "docker.io/acme/x:1.0",  # VIL205
    "registry.hub.docker.com/acme/y:2.0": "docker.io/acme/y:2.0",  # VIL205
    "acme/trainer:1.0": "docker.io/acme/trainer:1.0",  # VIL202
    "index.docker.io/acme/trainer:1.0": "docker.io/acme/trainer:1.0",  # VIL202 and VIL205 overlap
    "pytorch/pytorch:2.2.0-cuda12.1-cudnn8-devel": "pytorch/pytorch:2.2.0-cuda12.1-cudnn8-runtime",  # VIL301
    "python:3.12.4": "python:3.12.4-slim",  # VIL301
    "nvidia/cuda:12.1.0-cudnn8-devel-ubuntu22.04": "nvidia/cuda:12.1.0-cudnn8-runtime-ubuntu22.04",
    # clean
    "docker.io/library/python:3.12.4-slim": "docker.io/library/python:3.12.4-slim",
    "ghcr.io/acme/tool:2.1.0": "ghcr.io/acme/tool:2.1.0",
    "docker.io/acme/trainer:1.0": "docker.io/acme/trainer:1.0",
}
IMAGES = sorted(ALONE)


def relint(text: str) -> list:  # type: ignore[type-arg]
    return lint_text(text, config=CONFIG)


class Value(NamedTuple):
    image: str
    quote: str  # "", "'" or '"'
    anchor: str | None  # &name on this value
    alias: str | None  # *name instead of a value
    comment: str | None  # a comment after the value (block mappings only)

    def written(self) -> str:
        if self.alias is not None:
            return f"*{self.alias}"
        anchor = f"&{self.anchor} " if self.anchor else ""
        return f"{anchor}{self.quote}{self.image}{self.quote}"


COMMENTS = [
    "ours",
    "image: acme/trainer:1.0",  # looks like a value: never edited
    "index.docker.io/library/python:3.12.4 # nested",
    "'quoted' \"too\" {a: b}",
    "ünïcödé ✓",
]


@st.composite
def values(draw: st.DrawFn, anchors: list[str]) -> Value:
    if anchors and draw(st.integers(0, 3)) == 0:
        return Value("", "", None, draw(st.sampled_from(anchors)), None)
    anchor = None
    if draw(st.integers(0, 3)) == 0:
        anchor = f"img{len(anchors)}"
        anchors.append(anchor)
    comment = draw(st.none() | st.sampled_from(COMMENTS))
    return Value(draw(st.sampled_from(IMAGES)), draw(st.sampled_from(["", "'", '"'])), anchor, None, comment)


def _trailing(value: Value) -> str:
    return f"  # {value.comment}" if value.comment else ""


@st.composite
def items(draw: st.DrawFn, index: int, anchors: list[str], bases: list[str]) -> list[str]:
    """One top-level item, as lines (without line breaks)."""
    kind = draw(
        st.sampled_from(["step", "step-flow", "step-flow-lines", "endpoint", "pipeline", "version", "merge"])
    )
    if kind == "merge" and not bases:
        kind = "step"
    if kind == "merge":
        base = draw(st.sampled_from(bases))
        return ["- step:", f"    <<: *{base}", f"    name: merged{index}"]
    value = draw(values(anchors))
    name = f"s{index}"
    if kind == "step":
        anchor = ""
        if value.alias is None and draw(st.booleans()):
            anchor = f" &base{index}"
            bases.append(f"base{index}")
        lines = [f"- step:{anchor}", f"    name: {name}", f"    image: {value.written()}{_trailing(value)}"]
        if draw(st.booleans()):
            lines.append("    # image: registry-1.docker.io/acme/x:1.0 (not a key)")
        return [*lines, "    command: python train.py"]
    if kind == "step-flow":
        return [f"- step: {{name: {name}, image: {value.written()}, command: python train.py}}"]
    if kind == "step-flow-lines":
        return [
            f"- step: {{name: {name},",
            f"    image: {value.written()} ,",
            "    command: [python train.py]}",
        ]
    if kind == "endpoint":
        return [
            "- endpoint:",
            f"    name: e{index}",
            f"    image: {value.written()}{_trailing(value)}",
            "    server-command: python serve.py",
        ]
    if kind == "pipeline":
        override = (
            [f"        override: {{image: {value.written()}}}"]
            if draw(st.booleans())
            else ["        override:", f"          image: {value.written()}{_trailing(value)}"]
        )
        return [
            "- pipeline:",
            f"    name: p{index}",
            "    nodes:",
            f"      - name: n{index}",
            "        type: execution",
            "        step: s0",
            *override,
            "    edges: []",
        ]
    return [
        "- version: 1",
        "  steps:",
        f"    - name: v{index}",
        f"      image: {value.written()}{_trailing(value)}",
    ]


class Generated(NamedTuple):
    text: str
    newline: str


@st.composite
def documents(draw: st.DrawFn) -> Generated:
    anchors: list[str] = []
    bases: list[str] = []
    lines = ["# a generated valohai.yaml", "---"] if draw(st.booleans()) else ["# a generated valohai.yaml"]
    for index in range(draw(st.integers(1, 6))):
        if draw(st.integers(0, 3)) == 0:
            lines.append(f"# item {index}: image: python:3.12.4")
        if draw(st.integers(0, 5)) == 0:
            lines.append("")
        lines.extend(draw(items(index, anchors, bases)))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(lines) + (newline if draw(st.booleans()) else "")
    if draw(st.booleans()):
        text = "\ufeff" + text
    return Generated(text, newline)


PROPERTY_SETTINGS = settings(
    max_examples=300,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@PROPERTY_SETTINGS
@given(documents())
def test_fix_keeps_every_byte_outside_the_image_values(generated: Generated) -> None:
    text = generated.text
    pyyaml(text)  # the generator writes YAML
    before = sites_of(text)
    assert not [d for d in relint(text) if d.code == "VIL001"]
    outcome = check_fix(text, CONFIG, relint)
    after = sites_of(outcome.text)
    for old, new in zip(before, after, strict=True):
        assert new.value == ALONE[old.value], (old, new)  # type: ignore[index]
    # The line breaks, the BOM and the final line break are kept.
    assert outcome.text.startswith("\ufeff") == text.startswith("\ufeff")
    assert outcome.text.count("\r\n") == text.count("\r\n")
    assert outcome.text.count("\n") == text.count("\n")
    if any(ALONE[s.value] != s.value for s in before):  # type: ignore[index]
        assert outcome.fixed > 0 and outcome.text != text
    else:
        assert (outcome.text, outcome.fixed) == (text, 0)


def _cli(folder: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(argv))
    finally:
        os.chdir(cwd)
    return code, out.getvalue(), err.getvalue()


@settings(PROPERTY_SETTINGS, max_examples=12)
@given(documents())
def test_the_command_line_writes_what_fix_text_gives(generated: Generated) -> None:
    text = generated.text
    expected = fix_text(text, relint(text), CONFIG, UNSAFE, relint)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / ".git").mkdir()
        (root / "valohai-image-lint.toml").write_text(TOML, encoding="utf-8")
        path = root / "valohai.yaml"
        path.write_bytes(text.encode("utf-8"))
        code, out, err = _cli(root, "--fix-only", "--unsafe-fixes", "valohai.yaml")
        written = path.read_bytes()
        assert written == expected.text.encode("utf-8")
        remaining = len(relint(expected.text))
        word = "problem" if expected.fixed == 1 else "problems"
        assert (code, out, err) == (0, "", f"Fixed {expected.fixed} {word} ({remaining} remaining).\n")
        assert_only_values_changed(text, written.decode("utf-8"))
        code, out, err = _cli(root, "--fix-only", "--unsafe-fixes", "valohai.yaml")
        assert (code, out, err) == (0, "", f"Fixed 0 problems ({remaining} remaining).\n")
        assert path.read_bytes() == written


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_a_hand_written_file_with_every_shape(newline: str) -> None:
    """One file with every shape at once (and old Mac line breaks, which the generator leaves out)."""
    lines = [
        "# steps: image: index.docker.io/library/python:3.12.4",
        "- step:",
        "    name: a",
        "    image: &py 'index.docker.io/library/python:3.12.4'  # a comment: acme/trainer:1.0",
        "    command: python a.py",
        '- step: {name: b, image: "acme/trainer:1.0", command: b}',
        "- step: {name: c, image: *py}",
        "- step: &base",
        "    name: d",
        "    image: registry-1.docker.io/acme/x:1.0",
        "- step:",
        "    <<: *base",
        "    name: e",
        "- pipeline:",
        "    name: p",
        "    nodes:",
        "      - {name: n, type: execution, step: a, override: {image: 'pytorch/pytorch:2.2.0-cuda12.1-cudnn8-devel'}}",
        "    edges: []",
        "- version: 1",
        "  steps:",
        "    - image: index.docker.io/acme/trainer:1.0",
    ]
    text = "\ufeff" + newline.join(lines)
    outcome = check_fix(text, CONFIG, relint)
    assert [s.value for s in sites_of(outcome.text)] == [
        "docker.io/library/python:3.12.4-slim",
        "docker.io/acme/trainer:1.0",
        "docker.io/acme/x:1.0",
        "pytorch/pytorch:2.2.0-cuda12.1-cudnn8-runtime",
        "docker.io/acme/trainer:1.0",
    ]
    assert outcome.fixed == 6  # VIL205+VIL301 (anchor, once), VIL202, VIL205, VIL301, VIL202
