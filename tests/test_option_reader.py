"""The common options read without argparse give what argparse gives, or are left to it."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

import valohai_image_lint
from valohai_image_lint.argument_parser import build_parser
from valohai_image_lint.option_reader import (
    CHOICES,
    FLAGS,
    FORMAT_NAMES,
    REPEATED,
    VALUED,
    _is_date,
    read_options,
)
from valohai_image_lint.reporters import FORMATS, get_reporter

READ = [
    ["valohai.yaml"],
    ["a.yaml", "b.yml", "c.py", "-"],
    [
        "a.yaml",
        "--select",
        "VIL1, VIL2",
        "--select=latest-tag",
        "--ignore",
        "VIL301",
        "--extend-select=VIL105",
    ],
    ["--failure-threshold", "error", "a.yaml", "--failure-threshold=info"],  # the last one wins
    ["a.yaml", "--config", "team.toml"],
    ["a.yaml", "--config=a=b.toml"],
    [
        "a.yaml",
        "--isolated",
        "--no-suppressions",
        "--exit-zero",
        "--no-cache",
        "--statistics",
        "--list-rules",
    ],
    ["a.yaml", "--today", "2024-02-29", "--max-file-size", "2048"],
    ["a.yaml", "--output-format", "sarif", "--color=always"],
    ["--stdin-filename", "src/valohai.yaml", "-"],
    ["--config", "x.toml", "--isolated", "a.yaml"],  # a contradiction the run itself rejects
    [],
]


@pytest.mark.parametrize("argv", READ, ids=" ".join)
def test_it_reads_what_argparse_reads(argv: list[str]) -> None:
    options = read_options(argv)
    assert options is not None
    assert vars(options) == vars(build_parser().parse_args(argv))


LEFT_TO_ARGPARSE = [
    ["--help"],
    ["--version"],
    ["--show-settings"],
    ["--", "a.yaml"],
    ["a.yaml", "--sel", "VIL1"],
    ["a.yaml", "--select"],
    ["a.yaml", "--select", "--isolated"],
    ["a.yaml", "--select="],
    ["a.yaml", "--select", " , "],
    ["a.yaml", "--isolated=yes"],
    ["a.yaml", "--failure-threshold", "fatal"],
    ["a.yaml", "--output-format", "xml"],
    ["a.yaml", "--today", "2023-02-29"],
    ["a.yaml", "--today", "20261130"],
    ["a.yaml", "--today", "\uff12\uff10\uff12\uff16-11-30"],
    ["a.yaml", "--max-file-size", "10MB"],
    ["a.yaml", "--max-file-size", "0"],
    ["a.yaml", "--max-file-size", "99999999999999999999"],
    ["a.yaml", "-x"],
]


@pytest.mark.parametrize("argv", LEFT_TO_ARGPARSE, ids=" ".join)
def test_anything_else_is_left_to_argparse(argv: list[str]) -> None:
    assert read_options(argv) is None


def test_its_options_are_argparses() -> None:
    """Every option it reads exists in argparse's parser, of the same kind, with the same choices."""
    actions = {option: action for action in build_parser()._actions for option in action.option_strings}
    for option, dest in {**FLAGS, **REPEATED, **VALUED}.items():
        assert actions[option].dest == dest
        assert actions[option].nargs == (0 if option in FLAGS else None)
    for option in REPEATED:
        assert type(actions[option]).__name__ == "_AppendAction"
    for option, choices in CHOICES.items():
        assert tuple(choices) == tuple(actions[option].choices or ())
    assert tuple(FORMATS) == FORMAT_NAMES


def test_the_format_names_are_written_once() -> None:
    """One module of the package holds a string literal of every format's name: options, where
    argparse's choices, the reporters' table and the config's check all read them."""
    import ast

    package = Path(valohai_image_lint.__file__).parent
    holders = []
    for source in sorted(package.rglob("*.py")):
        literals = {
            node.value
            for node in ast.walk(ast.parse(source.read_text(encoding="utf-8")))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        }
        if literals >= set(FORMAT_NAMES):
            holders.append(source.relative_to(package).as_posix())
    assert holders == ["option_reader.py"]
    assert FORMATS.keys() == set(FORMAT_NAMES)
    for name in FORMAT_NAMES:
        assert hasattr(get_reporter(name), "write")


def test_dates_are_judged_as_the_standard_library_judges_them() -> None:
    day = datetime.date(1999, 12, 1)
    while day.year < 2102:
        assert _is_date(day.isoformat())
        day += datetime.timedelta(days=1)
    for text in [
        "2023-02-29",
        "2100-02-29",
        "2024-13-01",
        "2024-00-10",
        "2024-04-31",
        "0000-01-01",
        "2024-1-01",
        "2024/01/01",
        "2024-01-1x",
        "-024-01-01",
        "+024-01-01",
    ]:
        with pytest.raises(ValueError):
            datetime.date.fromisoformat(text)
        assert not _is_date(text), text


def test_the_settings_options_are_named_as_the_command_line_and_the_cache_key_name_them() -> None:
    from valohai_image_lint.cache.results import settings_key
    from valohai_image_lint.option_reader import CommandLine, settings_options

    options = read_options(["a.yaml", "--select", "VIL1", "--today", "2026-11-30"])
    values = settings_options(options, "2026-12-01")
    assert (values.select, values.today, values.clock_today) == (("VIL1",), "2026-11-30", "2026-12-01")
    key = settings_key("c.toml", b"x", values)
    for name, changed in zip(
        CommandLine.__slots__,
        [("VIL2",), ("VIL2",), ("VIL2",), "info", False, "2026-01-01", "2026-01-02", 5, True],
        strict=True,
    ):
        assert settings_key("c.toml", b"x", CommandLine(**{**values.as_dict(), name: changed})) != key, name


TOKENS = ["a", "b", "-", "--exit-zero", "--select", "VIL1", "--config=c.toml", "--today", "2026-11-30", "--x"]


def test_every_short_command_line_reads_as_argparse_reads_it() -> None:
    """All 11,110 command lines of up to four tokens from a pool of paths, flags, options and
    values: where the reader answers, argparse gives the same; where argparse refuses (paths
    split by an option, a value missing), the reader leaves it to argparse."""
    import itertools

    from valohai_image_lint.cli import UsageError

    parser = build_parser()
    for length in range(1, 5):
        for argv in itertools.product(TOKENS, repeat=length):
            options = read_options(list(argv))
            if options is None:
                continue
            try:
                expected = vars(parser.parse_args(list(argv)))
            except UsageError:
                pytest.fail(f"{argv}: read, but argparse refuses it")
            assert vars(options) == expected, argv
