"""VIL999 internal-error: an exception inside one rule (or the engine) is one diagnostic, the
other rules still run, and the CLI exits 2. The failing rules here are real rules that raise,
added to the registry for the test: no input makes a shipped rule fail on purpose."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from valohai_image_lint import LintConfig, Severity
from valohai_image_lint import linter as engine
from valohai_image_lint.cli import main
from valohai_image_lint.model import Finding, ParsedSite
from valohai_image_lint.rule import Rule, RuleOptions
from valohai_image_lint.rules import ALL_RULES

TEXT = "- step:\n    name: a\n    image: python\n- step:\n    name: b\n    image: python:latest\n"


def explode(parsed: ParsedSite, options: RuleOptions) -> Iterator[Finding]:
    if parsed.site.value == "python":
        raise ZeroDivisionError("division by zero")
    yield from ()


def explode_later(parsed: ParsedSite, options: RuleOptions) -> Iterator[Finding]:
    """Raises while being iterated, after a finding: the finding is not half-reported."""
    yield Finding("half", parsed.site.span)
    raise KeyError("missing")


def explode_file(sites: Sequence[ParsedSite], options: RuleOptions) -> Iterator[tuple[ParsedSite, Finding]]:
    raise RuntimeError("\x1b[31mred\nnewline")
    yield  # pragma: no cover


BROKEN = Rule("VIL990", "exploding-rule", Severity.INFO, "raises", "", check=explode)
BROKEN_LATER = Rule("VIL991", "exploding-later", Severity.INFO, "raises", "", check=explode_later)
BROKEN_FILE = Rule("VIL992", "exploding-file-rule", Severity.INFO, "raises", "", check_file=explode_file)


@pytest.fixture
def broken_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "ALL_RULES", (*ALL_RULES, BROKEN, BROKEN_LATER, BROKEN_FILE))


def lines(found: list[engine.Diagnostic]) -> list[tuple[int, int, str]]:
    return [(d.span.line, d.span.column, d.code) for d in found]


@pytest.mark.usefixtures("broken_rules")
def test_one_diagnostic_per_failing_rule_and_the_others_still_run() -> None:
    found = engine.lint_text(TEXT, config=LintConfig(select=("VIL102", "VIL103", "VIL99")))
    assert lines(found) == [
        (1, 1, "VIL999"),  # the file rule: no site to point at
        (3, 12, "VIL102"),
        (3, 12, "VIL999"),
        (3, 12, "VIL999"),
        (6, 12, "VIL103"),
    ]
    messages = sorted(d.message for d in found if d.code == "VIL999")
    assert messages[0].startswith(
        "internal error in VIL990 exploding-rule: ZeroDivisionError: division by zero; "
        "a bug in valohai-image-lint: please report it"
    )
    assert messages[1].startswith("internal error in VIL991 exploding-later: KeyError: 'missing'")
    assert messages[2].startswith(
        "internal error in VIL992 exploding-file-rule: RuntimeError: \\x1b[31mred\\nnewline"
    )
    assert all(d.severity is Severity.ERROR for d in found if d.code == "VIL999")
    assert "half" not in [d.message for d in found]


@pytest.mark.usefixtures("broken_rules")
def test_neither_selection_nor_suppression_hides_it() -> None:
    text = TEXT.replace("image: python\n", "image: python  # valohai-image-lint: ignore[VIL999, VIL990]\n")
    found = engine.lint_text(text, config=LintConfig(select=("VIL990",), ignore=("VIL999",)))
    assert [d.code for d in found] == ["VIL999"]


def test_an_engine_failure_is_one_diagnostic(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(document: object) -> Iterator[object]:
        raise RecursionError("maximum recursion depth exceeded")
        yield  # pragma: no cover

    monkeypatch.setattr(engine, "find_image_sites", broken)
    (found,) = engine.lint_text(TEXT)
    assert (found.code, found.span.line, found.span.column) == ("VIL999", 1, 1)
    assert found.message.startswith(
        "internal error in reading the YAML: RecursionError: maximum recursion depth"
    )


@pytest.mark.usefixtures("broken_rules")
def test_in_python_sources() -> None:
    text = 'import valohai\nvalohai.prepare(step="a", image="python")\n'
    found = engine.lint_python(text, config=LintConfig(select=("VIL102", "VIL990")))
    assert lines(found) == [(2, 34, "VIL102"), (2, 34, "VIL999")]


@pytest.mark.usefixtures("broken_rules")
@pytest.mark.parametrize("output_format", ["concise", "json", "sarif"])
def test_cli_exits_2_and_lints_the_other_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], output_format: str
) -> None:
    broken = tmp_path / "a" / "valohai.yaml"
    fine = tmp_path / "b" / "valohai.yaml"
    broken.parent.mkdir()
    fine.parent.mkdir()
    broken.write_text(TEXT, encoding="utf-8")
    fine.write_text("- step: {name: c, image: 'ubuntu'}\n", encoding="utf-8")
    code = main(
        ["--isolated", "--select", "VIL102,VIL990", "--output-format", output_format, str(broken), str(fine)]
    )
    assert code == 2
    out = capsys.readouterr().out
    assert "VIL999" in out
    assert "ubuntu" in out  # the other file's VIL102
    assert "Traceback" not in out
