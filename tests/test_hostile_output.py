"""Output injection through file names and values (issue 12): every format, run over files named
with each hostile character and holding an image value with such characters, prints

- no raw control character, line or paragraph separator or bidirectional control on any line;
- no line that begins with ``::`` (a GitHub Actions workflow command, such as
  ``::stop-commands::``) except the ``github`` format's own commands;
- JSON that parses and gives back each path and the image value as they are, XML that parses and
  gives back each path (a C0 control, which XML 1.0 cannot hold, shown as ``\\x1b``), and each
  path shown in the plain formats as ``escape.shown_path`` shows it.

The runs go through the real command line, in-process, in a folder that is its own repository
root, with the paths given relative to it (so that one begins with ``::``).
"""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote
from xml.etree import ElementTree as ET

import pytest

from valohai_image_lint.cli import main
from valohai_image_lint.option_reader import FORMAT_NAMES
from valohai_image_lint.reporters.statistics import STATISTICS_FORMATS


class Name(NamedTuple):
    """A hostile file name; how the plain formats show it; how ``file=`` in ``github`` writes it."""

    path: str
    shown: str
    github: str


# NUL cannot be in a file name. Each name ends in .yaml so that it is read as a config.
NAMES = {
    "LF": Name("a\nb.yaml", "a\\nb.yaml", "a%0Ab.yaml"),
    "CR": Name("a\rb.yaml", "a\\rb.yaml", "a%0Db.yaml"),
    "ESC": Name("a\x1b[31mb.yaml", "a\\x1b[31mb.yaml", "a\\x1b[31mb.yaml"),
    "DEL": Name("a\x7fb.yaml", "a\\x7fb.yaml", "a\\x7fb.yaml"),
    "CSI": Name("a\x9b31mb.yaml", "a\\x9b31mb.yaml", "a\\x9b31mb.yaml"),
    "U+202E": Name("a\u202eb.yaml", "a\\u202eb.yaml", "a\\u202eb.yaml"),
    "U+061C": Name("a\u061cb.yaml", "a\\u061cb.yaml", "a\\u061cb.yaml"),
    "U+2028": Name("a\u2028b.yaml", "a\\u2028b.yaml", "a\\u2028b.yaml"),
    "U+2029": Name("a\u2029b.yaml", "a\\u2029b.yaml", "a\\u2029b.yaml"),
    "U+0085": Name("a\x85b.yaml", "a\\x85b.yaml", "a\\x85b.yaml"),
    "leading ::": Name(
        "::stop-commands::tok.yaml", "./::stop-commands::tok.yaml", "%3A%3Astop-commands%3A%3Atok.yaml"
    ),
    "%": Name("a%0Ab.yaml", "a%0Ab.yaml", "a%250Ab.yaml"),
    ",": Name("a,b.yaml", "a,b.yaml", "a%2Cb.yaml"),
    ":": Name("a:b.yaml", "a:b.yaml", "a%3Ab.yaml"),
}
# An image value with the same characters, written with YAML's escapes (VIL101 fires on it), and a
# step with an ordinary finding that has a fix (VIL103).
VALUE = "py\x1b[31mthon\u202e\u061c:\u2028\x85\u2029\x7f\x9b%0A::stop-commands::3"
VALUE_SHOWN = "py\\x1b[31mthon\\u202e\\u061c:\\u2028\\x85\\u2029\\x7f\\x9b%0A::stop-commands::3"
CONFIG = (
    "- step:\n"
    "    name: train\n"
    '    image: "py\\e[31mthon\\u202e\\u061c:\\L\\N\\P\\x7f\\x9b%0A::stop-commands::3"\n'
    "- step:\n"
    "    name: test\n"
    "    image: tensorflow/tensorflow:latest-gpu\n"
)
# The same characters written raw in the file (the full format quotes the source line).
RAW = "- step:\n    name: raw\n    image: py\u202e\u2066thon:3.12\n"

UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
GITHUB_COMMAND = re.compile(r"::(error|warning|notice) file=([^,]*),line=\d+,.*title=VIL\d{3} [a-z-]+::")


@pytest.fixture
def names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every hostile name as a file in the current folder, a repository root; the raw file last."""
    (tmp_path / ".git").mkdir()
    for name in NAMES.values():
        (tmp_path / name.path).write_text(CONFIG, encoding="utf-8")
    (tmp_path / "raw.yaml").write_text(RAW, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return [name.path for name in NAMES.values()] + ["raw.yaml"]


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _assert_lines_safe(text: str, github: bool = False) -> list[str]:
    """Every line of ``text`` is free of raw unsafe characters and, unless it is a ``github``
    command, does not begin with ``::``. The lines, without the one after the last line break."""
    assert text == "" or text.endswith("\n")
    lines = text.split("\n")[:-1]
    assert text.splitlines() == lines  # nothing else that some reader ends a line at
    for line in lines:
        assert not UNSAFE.search(line), repr(line)
        if line.startswith("::"):
            assert github and GITHUB_COMMAND.match(line), repr(line)
    return lines


def _github_property(text: str) -> str:
    return (
        text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
    )


@pytest.mark.parametrize("output_format", FORMAT_NAMES)
def test_every_format_escapes_hostile_paths_and_values(
    output_format: str, names: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "--isolated", "--no-cache", "--output-format", output_format, *names)
    assert code == 1
    lines = _assert_lines_safe(out, github=output_format == "github")
    _assert_lines_safe(err)
    if output_format in ("json", "json-lines"):
        found = json.loads(out) if output_format == "json" else [json.loads(line) for line in lines]
        assert {d["path"] for d in found} == set(names)
        images = {d["image"] for d in found if d["code"] == "VIL101"}
        assert images == {VALUE, "py\u202e\u2066thon:3.12"}
    elif output_format == "gitlab":
        assert {issue["location"]["path"] for issue in json.loads(out)} == set(names)
    elif output_format == "sarif":
        results = json.loads(out)["runs"][0]["results"]
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
        assert {unquote(uri) for uri in uris} == set(names)
        assert any(VALUE_SHOWN in r["message"]["text"] for r in results)
    elif output_format == "junit":
        cases = ET.fromstring(out.encode("utf-8")).iter("testcase")
        assert {case.attrib["name"] for case in cases} == {n.replace("\x1b", "\\x1b") for n in names}
        assert VALUE_SHOWN in out
    elif output_format == "github":
        files = {match.group(2) for line in lines if (match := GITHUB_COMMAND.match(line))}
        assert files == {name.github for name in NAMES.values()} | {"raw.yaml"}
        # The runner decodes %0A, %0D, %3A, %2C and %25: the path it reads back is the real one.
        for name in NAMES.values():
            if "\\" not in name.github:
                assert _github_property(name.github) == name.path
        assert VALUE_SHOWN.replace("%", "%25") in out
    else:
        for name in NAMES.values():
            assert name.shown + ("\n" if output_format == "grouped" else ":") in out
        assert VALUE_SHOWN in out


def test_annotations_on_actions_beside_the_concise_lines(
    names: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On GitHub Actions, with no format chosen, the concise lines come with the annotations: only
    the annotations begin with ``::``."""
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code, out, err = _run(capsys, "--isolated", "--no-cache", *names)
    assert code == 1
    lines = _assert_lines_safe(out, github=True)
    annotations = [line for line in lines if line.startswith("::")]
    assert len(annotations) * 2 == len(lines)
    assert f"{NAMES['leading ::'].shown}:3:13: VIL101 " in out
    _assert_lines_safe(err)


def test_a_run_answered_from_the_cache_prints_the_same(
    names: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    first = _run(capsys, "--isolated", *names)
    again = _run(capsys, "--isolated", *names)
    assert again == first
    _assert_lines_safe(first[1])
    assert f"{NAMES['leading ::'].shown}:3:13: VIL101 " in first[1]


@pytest.mark.parametrize("output_format", STATISTICS_FORMATS)
def test_statistics(output_format: str, names: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(
        capsys, "--isolated", "--no-cache", "--statistics", "--output-format", output_format, *names
    )
    assert code == 1
    _assert_lines_safe(out)
    _assert_lines_safe(err)


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_show_settings(
    name: Name, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file's path, its config file's and the sources column; a glob holding the character."""
    (tmp_path / ".git").mkdir()
    folder = tmp_path / name.path.removesuffix(".yaml")
    folder.mkdir()
    (folder / "valohai.yaml").write_text(CONFIG, encoding="utf-8")
    glob = json.dumps(name.path)
    (folder / "valohai-image-lint.toml").write_text(
        f'ignore = ["VIL103"]\nper-file-ignores = {{ "valohai.yaml" = ["VIL101"], {glob} = ["VIL102"] }}\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(capsys, "--show-settings", name.path.removesuffix(".yaml"))
    assert (code, err) == (0, "")
    lines = _assert_lines_safe(out)
    shown_folder = name.shown.removesuffix(".yaml")
    assert lines[0] == f"Settings for {shown_folder}/valohai.yaml"
    assert lines[1].startswith("config file: /")  # found by its absolute path
    assert lines[1].endswith(f"/{shown_folder.removeprefix('./')}/valohai-image-lint.toml")
    assert "/valohai-image-lint.toml + per-file-ignores in /" in out


def test_error_lines(names: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """A path that cannot be read is named on one safe line of stderr."""
    missing = [f"missing-{name.path}" for name in NAMES.values()]
    code, out, err = _run(capsys, "--isolated", "--no-cache", *missing)
    assert (code, out) == (2, "")
    lines = _assert_lines_safe(err)
    assert len(lines) == len(missing)
    assert all(line.startswith("valohai-image-lint: error: missing-") for line in lines)


def test_junit_and_sarif_record_a_hostile_error(names: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    missing = "missing-\x1b[2J\u202e\n::stop-commands::x.yaml"
    for output_format in ("junit", "sarif"):
        code, out, err = _run(
            capsys, "--isolated", "--no-cache", "--output-format", output_format, missing, names[0]
        )
        assert code == 2
        _assert_lines_safe(out)
        _assert_lines_safe(err)
        if output_format == "junit":
            ET.fromstring(out.encode("utf-8"))
        else:
            (notification,) = json.loads(out)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
            assert notification["message"]["text"].startswith(missing)


def test_standard_input_named_with_a_hostile_name(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    class Stdin(io.StringIO):
        buffer = io.BytesIO(CONFIG.encode("utf-8"))

    monkeypatch.setattr(sys, "stdin", Stdin(CONFIG))
    code, out, err = _run(
        capsys, "--isolated", "--no-cache", "--stdin-filename", "::stop-commands::\x1b.yaml", "-"
    )
    assert code == 1
    lines = _assert_lines_safe(out)
    _assert_lines_safe(err)
    assert lines[0].startswith("./::stop-commands::\\x1b.yaml:3:13: VIL101 ")


def test_full_in_colour(names: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """With colours the only escape sequences are the tool's own SGR codes."""
    code, out, err = _run(
        capsys, "--isolated", "--no-cache", "--color", "always", "--output-format", "full", *names
    )
    assert code == 1
    assert "\x1b[1m./::stop-commands::tok.yaml:3:13:\x1b[0m " in out
    _assert_lines_safe(re.sub("\x1b\\[[0-9;]*m", "", out))
    _assert_lines_safe(err)
