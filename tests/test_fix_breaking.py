"""The fixed text is linted again; when it no longer reads (a syntax error, a missing or
non-string image), it is not written: the file stays byte for byte, the error is reported and
the exit code is 2. Real rules never offer such fixes, so a hostile VIL205 (same code, same
safety) offers them here: replacements that are not YAML, that make the image a mapping, a
float, null or empty, that add a line with bad indentation, edits that cross into the next key or
rename the ``image`` key, and a break that only comes in a later round."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from valohai_image_lint import linter
from valohai_image_lint.cli import main
from valohai_image_lint.model import Applicability, Edit, Finding, Fix, ParsedSite, Span
from valohai_image_lint.rules import ALL_RULES

TEXT = (
    "\ufeff# steps\r\n"
    "- step:\r\n"
    "    name: train\r\n"
    "    image: registry-1.docker.io/acme/x:1.0  # ours\r\n"
    "    command: python train.py\r\n"
    "- step:\r\n"
    "    name: other\r\n"
    "    image: 'index.docker.io/library/python:3.12.4-slim'\r\n"
    "    command: python other.py"
)
TARGET = "registry-1.docker.io/acme/x:1.0"  # line 4, columns 12-43


def _value(parsed: ParsedSite) -> Span:
    return parsed.site.span


def _through_next_key(parsed: ParsedSite) -> Span:
    span = parsed.site.span  # to after "    command" on the next line
    return Span(span.line, span.column, span.line + 1, 12)


def _the_key(parsed: ParsedSite) -> Span:
    span = parsed.site.span  # "image" itself
    return Span(span.line, 5, span.line, 10)


def _before(parsed: ParsedSite) -> Span:
    span = parsed.site.span
    return Span(span.line, span.column, span.line, span.column)


def _after(parsed: ParsedSite) -> Span:
    span = parsed.site.span
    return Span(span.line, span.end_column, span.line, span.end_column)


# (id, where the edit goes, its replacement, the code that the fixed text would newly report)
BREAKING = [
    ("unclosed-flow", _value, "x: [", "VIL001"),
    ("a-mapping", _value, "{name: x, tag: y}", "VIL003"),
    ("a-list", _value, "[a, b]", "VIL003"),
    ("a-float", _value, "3.9", "VIL003"),
    ("a-boolean", _value, "yes", "VIL003"),
    ("null", _value, "~", "VIL003"),
    ("empty", _value, "", "VIL002"),
    ("a-bad-indentation", _value, "x\r\n      bad: [", "VIL001"),
    ("a-new-key-at-a-wrong-indent", _value, "x\r\n  oops: 1\r\n     more: 2", "VIL001"),
    ("through-the-next-key", _through_next_key, "x:", "VIL001"),
    ("the-key-renamed", _the_key, "imagex", "VIL002"),
    ("a-second-value", _after, " : y", "VIL001"),
    ("an-unclosed-quote", _before, '"', "VIL001"),
    ("a-tab", _after, "\r\n\tfoo: 1", "VIL001"),
    ("a-stray-quote-after-the-value", _after, ' "', "VIL101"),  # still YAML: an invalid reference
    ("a-placeholder", _value, "{{ image }}", "VIL004"),
    ("a-second-image-key", _after, "\r\n    image: python:3.12.4", "VIL007"),
]


def _hostile(where, replacement: str):  # type: ignore[no-untyped-def]
    def check(parsed: ParsedSite, options: object) -> Iterator[Finding]:
        if parsed.site.value == TARGET:
            fix = Fix("hostile", (Edit(where(parsed), replacement),), Applicability.SAFE)
            yield Finding(f'image "{TARGET}" is hostile', parsed.site.span, fix)

    return check


def _with_rule(monkeypatch: pytest.MonkeyPatch, check) -> None:  # type: ignore[no-untyped-def]
    rules = tuple(rule._replace(check=check) if rule.code == "VIL205" else rule for rule in ALL_RULES)
    monkeypatch.setattr(linter, "ALL_RULES", rules)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "valohai.yaml").write_bytes(TEXT.encode("utf-8"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("where", "replacement", "code"), [row[1:] for row in BREAKING], ids=[r[0] for r in BREAKING]
)
def test_a_fix_that_breaks_the_file_is_not_written(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    where,
    replacement,
    code,
) -> None:  # type: ignore[no-untyped-def]
    _with_rule(monkeypatch, _hostile(where, replacement))
    for flags in (["--fix"], ["--fix", "--unsafe-fixes"], ["--fix-only"]):
        assert main([*flags, "--no-cache", "valohai.yaml"]) == 2
        err = capsys.readouterr().err
        assert f"valohai.yaml: the fixes would make the file report {code} (" in err
        assert err.endswith("Fixed 0 problems (1 remaining).\n"), err
        assert (project / "valohai.yaml").read_bytes() == TEXT.encode("utf-8")
    assert main(["--diff", "--no-cache", "valohai.yaml"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and f"the fixes would make the file report {code} (" in err


def test_standard_input_that_a_fix_would_break_comes_back_as_it_was(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _with_rule(monkeypatch, _hostile(_value, "x: ["))
    stdin = io.TextIOWrapper(io.BytesIO(TEXT.encode("utf-8")), encoding="utf-8", newline="")
    monkeypatch.setattr(sys, "stdin", stdin)
    assert main(["--fix", "--no-cache", "--stdin-filename", "valohai.yaml", "-"]) == 2
    out, err = capsys.readouterr()
    assert out == TEXT
    assert "the fixes would make the file report VIL001" in err


def test_a_break_in_a_later_round_leaves_the_whole_file_as_it_was(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Round 1 applies the real VIL205 fix (the second step's host); round 2 the hostile one, on
    the value round 1 made: nothing of round 1 is written either."""
    real = next(rule.check for rule in ALL_RULES if rule.code == "VIL205")

    def check(parsed: ParsedSite, options: object) -> Iterator[Finding]:
        if parsed.site.value == "docker.io/library/python:3.12.4-slim":  # what round 1 wrote
            span = parsed.site.span  # the value and its quotes
            quoted = Span(span.line, span.column - 1, span.end_line, span.end_column + 1)
            fix = Fix("hostile", (Edit(quoted, "{a: b}"),), Applicability.SAFE)
            yield Finding("hostile", parsed.site.span, fix)
        elif parsed.site.value != TARGET:
            yield from real(parsed, options)  # type: ignore[arg-type]

    _with_rule(monkeypatch, check)
    assert main(["--fix", "--no-cache", "valohai.yaml"]) == 2
    err = capsys.readouterr().err
    assert "valohai.yaml: the fixes would make the file report VIL003 (non-string-image) at line 8" in err
    assert (project / "valohai.yaml").read_bytes() == TEXT.encode("utf-8")


MISSING_ALREADY = (
    "- step:\n"
    "    name: no-image\n"
    "    command: python a.py\n"
    "- step:\n"
    "    name: float\n"
    "    image: 3.9\n"
    "    command: python b.py\n"
    "- step:\n"
    "    name: train\n"
    f"    image: {TARGET}\n"
    "    command: python train.py\n"
)


@pytest.mark.parametrize("replacement", ["", "3.9", "{a: b}"])
def test_a_break_is_seen_even_where_the_file_already_reports_that_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], replacement: str
) -> None:
    (tmp_path / ".git").mkdir()
    path = tmp_path / "valohai.yaml"
    path.write_text(MISSING_ALREADY, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    _with_rule(monkeypatch, _hostile(_value, replacement))
    code = main(["--fix", "--no-cache", "valohai.yaml"])
    err = capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == MISSING_ALREADY
    assert code == 2 and "the fixes would make the file report VIL00" in err


def test_standard_input_broken_in_a_later_round_comes_back_as_it_was(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = next(rule.check for rule in ALL_RULES if rule.code == "VIL205")

    def check(parsed: ParsedSite, options: object) -> Iterator[Finding]:
        if parsed.site.value == "docker.io/library/python:3.12.4-slim":  # what round 1 wrote
            span = parsed.site.span  # the value and its quotes
            quoted = Span(span.line, span.column - 1, span.end_line, span.end_column + 1)
            yield Finding("hostile", span, Fix("hostile", (Edit(quoted, "{a: b}"),), Applicability.SAFE))
        elif parsed.site.value != TARGET:
            yield from real(parsed, options)  # type: ignore[arg-type]

    _with_rule(monkeypatch, check)
    stdin = io.TextIOWrapper(io.BytesIO(TEXT.encode("utf-8")), encoding="utf-8", newline="")
    monkeypatch.setattr(sys, "stdin", stdin)
    assert main(["--fix", "--no-cache", "--stdin-filename", "valohai.yaml", "-"]) == 2
    out, err = capsys.readouterr()
    assert "the fixes would make the file report VIL003" in err
    assert out == TEXT
