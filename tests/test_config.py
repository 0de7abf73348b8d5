"""Config files: discovery, every key, every error message, and the command line on top."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from valohai_image_lint.cli import main
from valohai_image_lint.config.errors import ConfigError
from valohai_image_lint.config.files import ConfigFinder, FileSettings
from valohai_image_lint.config.keys import validate
from valohai_image_lint.config.resolve import resolve
from valohai_image_lint.discovery import path_matches
from valohai_image_lint.model import Severity
from valohai_image_lint.option_reader import CommandLine

CONFIG = (
    "- step: {name: a, image: python}\n"
    "- step: {name: b, image: 'python:3.9'}\n"
    "- step: {name: c, image: 'python:latest'}\n"
)


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / ".git").mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def _codes(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[tuple[str, str]]]:
    code = main([*args, "--output-format", "json"])
    items = json.loads(capsys.readouterr().out or "[]")
    # These tests are about settings; the image-knowledge rules (VIL3xx), which also fire on CONFIG's
    # python images, have their own tests and are left out of what is compared here.
    return code, [
        (Path(item["path"]).as_posix(), item["code"]) for item in items if not item["code"].startswith("VIL3")
    ]


# -- discovery ----------------------------------------------------------------------------------


def test_nearest_config_wins_and_pyproject_without_the_table_does_not_count(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {
            "pyproject.toml": '[tool.valohai-image-lint]\nselect = ["VIL102"]\n',
            "a/pyproject.toml": '[project]\nname = "x"\n',
            "b/valohai-image-lint.toml": 'select = ["VIL103"]\n',
            "c/.valohai-image-lint.toml": 'select = ["VIL104"]\n',
            "c/valohai-image-lint.toml": 'select = ["VIL103"]\n',
            "c/pyproject.toml": '[tool.valohai-image-lint]\nselect = ["VIL102"]\n',
        },
    )
    finder = ConfigFinder()
    assert finder.for_file(str(root / "valohai.yaml")).path == str(root / "pyproject.toml")
    assert finder.for_file(str(root / "a" / "valohai.yaml")).path == str(root / "pyproject.toml")
    assert finder.for_file(str(root / "b" / "x" / "valohai.yaml")).path == str(
        root / "b" / "valohai-image-lint.toml"
    )
    assert finder.for_file(str(root / "c" / "valohai.yaml")).path == str(
        root / "c" / ".valohai-image-lint.toml"
    )


def test_the_walk_stops_at_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / "valohai-image-lint.toml").write_text('select = ["VIL103"]\n', encoding="utf-8")
    repo = _project(tmp_path / "repo", {"valohai.yaml": CONFIG})
    assert ConfigFinder().for_file(str(repo / "valohai.yaml")).path is None


def test_config_isolated_and_discovery_through_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(
        tmp_path,
        {
            "valohai.yaml": CONFIG,
            "valohai-image-lint.toml": 'select = ["VIL103"]\n',
            "other.toml": 'select = ["VIL104"]\n',
        },
    )
    monkeypatch.chdir(root)
    assert _codes(capsys) == (1, [("valohai.yaml", "VIL103")])
    assert _codes(capsys, "--config", "other.toml") == (1, [("valohai.yaml", "VIL104")])
    assert _codes(capsys, "--isolated") == (
        1,
        [("valohai.yaml", "VIL102"), ("valohai.yaml", "VIL104"), ("valohai.yaml", "VIL103")],
    )
    assert main(["--isolated", "--config", "other.toml"]) == 2
    assert "contradict" in capsys.readouterr().err


# -- the command line on top --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("toml", "args", "expected"),
    [
        ('select = ["VIL103"]\n', ["--select", "VIL102"], ["VIL102"]),
        (
            'select = ["VIL10"]\nignore = ["VIL102"]\n',
            ["--ignore", "VIL103"],
            ["VIL104", "VIL105", "VIL105", "VIL105"],
        ),
        ('extend-select = ["VIL105"]\n', ["--ignore", "VIL105"], ["VIL102", "VIL103", "VIL104"]),
        ("require-digest = true\n", [], ["VIL102", "VIL103", "VIL104", "VIL105", "VIL105", "VIL105"]),
        ('severity = {VIL104 = "off", "missing-tag" = "off"}\n', [], ["VIL103"]),
    ],
)
def test_command_line_over_file(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    toml: str,
    args: list[str],
    expected: list[str],
) -> None:
    root = _project(tmp_path, {"valohai.yaml": CONFIG, "valohai-image-lint.toml": toml})
    monkeypatch.chdir(root)
    _, found = _codes(capsys, *args)
    assert sorted(code for _, code in found) == expected


@pytest.mark.parametrize(
    ("toml", "args", "exit_code"),
    [
        ('severity = {VIL102 = "warning", VIL103 = "info", VIL104 = "info"}\n', [], 1),
        (
            'severity = {VIL102 = "warning", VIL103 = "info", VIL104 = "info"}\nfailure-threshold = "error"\n',
            [],
            0,
        ),
        ('failure-threshold = "error"\n', [], 1),
        ('select = ["VIL104"]\nfailure-threshold = "error"\n', [], 0),
        ('select = ["VIL104"]\nfailure-threshold = "error"\n', ["--failure-threshold", "warning"], 1),
        ('select = ["VIL104"]\nseverity = {VIL104 = "error"}\nfailure-threshold = "error"\n', [], 1),
    ],
)
def test_severity_and_threshold(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    toml: str,
    args: list[str],
    exit_code: int,
) -> None:
    root = _project(tmp_path, {"valohai.yaml": CONFIG, "valohai-image-lint.toml": toml})
    monkeypatch.chdir(root)
    assert main(args) == exit_code
    capsys.readouterr()


def test_severity_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(
        tmp_path,
        {
            "valohai.yaml": CONFIG,
            "valohai-image-lint.toml": 'select = ["VIL104"]\nseverity = {floating-tag = "error"}\n',
        },
    )
    monkeypatch.chdir(root)
    main(["--output-format", "json"])
    assert [item["severity"] for item in json.loads(capsys.readouterr().out)] == ["error"]


def test_exclude_and_per_file_ignores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(
        tmp_path,
        {
            "pyproject.toml": (
                '[tool.valohai-image-lint]\nselect = ["VIL103"]\nexclude = ["legacy/**", "*.bak.yaml"]\n'
                '[tool.valohai-image-lint.per-file-ignores]\n"sub/*" = ["latest-tag"]\n'
            ),
            "valohai.yaml": CONFIG,
            "sub/valohai.yaml": CONFIG,
            "sub/deeper/valohai.yaml": CONFIG,
            "legacy/x/valohai.yaml": CONFIG,
            "old.bak.yaml": CONFIG,
        },
    )
    monkeypatch.chdir(root / "sub")  # globs are relative to the config's folder, not the current one
    # "sub/*" matches sub/deeper as well, and so everything under it, as in .gitignore.
    assert _codes(capsys, str(root)) == (1, [(f"{root.as_posix()}/valohai.yaml", "VIL103")])
    # Explicit files are excluded too (pre-commit passes files one by one).
    assert _codes(capsys, str(root / "legacy" / "x" / "valohai.yaml"), str(root / "old.bak.yaml")) == (0, [])


@pytest.mark.parametrize(
    ("glob", "path", "matches"),
    [
        ("legacy/**", "legacy/a/valohai.yaml", True),
        ("legacy/**", "src/legacy/valohai.yaml", False),
        ("legacy", "src/legacy/valohai.yaml", True),
        ("*.bak.yaml", "a/b/old.bak.yaml", True),
        ("sub/*", "sub/valohai.yaml", True),
        ("sub/*", "sub/deeper/valohai.yaml", True),  # sub/deeper matches, and covers what is under it
        ("sub/*.yaml", "sub/deeper/valohai.yaml", False),
        ("/valohai.yaml", "valohai.yaml", True),
        ("./valohai.yaml", "valohai.yaml", True),
        ("**/valohai.yml", "a/b/valohai.yml", True),
        ("valohai.y?ml", "valohai.yaml", True),
    ],
)
def test_path_globs(glob: str, path: str, matches: bool) -> None:
    assert path_matches(glob, path) is matches


# -- every key, every error ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"selct": ["VIL1"]}, 'X: unknown key "selct"; did you mean "select"?'),
        ({"extend_select": ["VIL1"]}, 'X: unknown key "extend_select"; did you mean "extend-select"?'),
        (
            {"failure_threshold": "error"},
            'X: unknown key "failure_threshold"; did you mean "failure-threshold"?',
        ),
        ({"colour": True}, 'X: unknown key "colour"'),
        ({"select": "VIL1"}, "X: \"select\" must be a list of rule codes, not 'VIL1'"),
        ({"select": [1]}, 'X: "select" must be a list of rule codes; item 1 is an integer'),
        ({"select": ["VIL1", 3]}, 'X: "select" must be a list of rule codes; item 2 is an integer'),
        ({"SELECT": ["VIL1"]}, 'X: unknown key "SELECT"; did you mean "select"?'),
        (
            {"severity": {"VIL1": "off"}},
            'X: "severity": "VIL1" is a prefix; a severity names one rule (code or name)',
        ),
        ({"exclude": ["[z-a]"]}, 'X: "exclude": "[z-a]" is not a valid glob (bad character range z-a)'),
        ({"exclude": [""]}, 'X: "exclude": "" is an empty glob'),
        (
            {"per-file-ignores": {"[b-a]/*": ["VIL103"]}},
            'X: "per-file-ignores": "[b-a]/*" is not a valid glob',
        ),
        ({"extend-select": "VIL105"}, "X: \"extend-select\" must be a list of rule codes, not 'VIL105'"),
        ({"ignore": True}, 'X: "ignore" must be a list of rule codes, not True'),
        ({"select": ["VIL8"]}, 'X: "select": unknown rule selector "VIL8"'),
        ({"ignore": ["latest"]}, 'X: "ignore": unknown rule selector "latest"'),
        (
            {"severity": "error"},
            'X: "severity" must be a table of rule code to "error", "warning", "info" or "off", '
            "not 'error'",
        ),
        (
            {"severity": {"VIL104": "fatal"}},
            'X: "severity": "VIL104" must be one of error, warning, info, off, not \'fatal\'',
        ),
        (
            {"severity": {"VIL1044": "error"}},
            'X: "severity": "VIL1044" is not a rule code or name; did you mean "VIL104"?',
        ),
        (
            {"failure-threshold": "fatal"},
            'X: "failure-threshold" must be "error", "warning" or "info", not \'fatal\'',
        ),
        (
            {"failure-threshold": "off"},
            'X: "failure-threshold" must be "error", "warning" or "info", not \'off\'',
        ),
        ({"exclude": "legacy"}, "X: \"exclude\" must be a list of path globs, not 'legacy'"),
        (
            {"per-file-ignores": ["a"]},
            'X: "per-file-ignores" must be a table of path glob to a list of rule codes, not a list',
        ),
        (
            {"per-file-ignores": {"a/*": "VIL103"}},
            'X: "per-file-ignores": "a/*" must be a list of rule codes, not a string',
        ),
        ({"per-file-ignores": {"a/*": ["VIL8"]}}, 'X: "per-file-ignores.a/*": unknown rule selector "VIL8"'),
        (
            {"allowed-images": "python"},
            "X: \"allowed-images\" must be a list of image patterns, not 'python'",
        ),
        (
            {"private-registries": [3]},
            'X: "private-registries" must be a list of image patterns; item 1 is an integer',
        ),
        ({"require-digest": "yes"}, "X: \"require-digest\" must be true or false, not 'yes'"),
        (
            {"allowed-images": []},
            'X: "allowed-images" is empty, which would refuse every image; list patterns or remove it',
        ),
        ({"allowed-images": ["Python:3.9"]}, 'X: "allowed-images": pattern "Python:3.9" is not valid: '),
        (
            {"private-registries": ["docker.io/acme/*@sha256:abc"]},
            'X: "private-registries": pattern "docker.io/acme/*@sha256:abc" is not valid: ',
        ),
        (
            {"tool": {"valohai-image-lint": {}}},
            "X: [tool.valohai-image-lint] belongs in pyproject.toml; this file "
            "takes the keys at its top level",
        ),
    ],
)
def test_every_config_error_names_the_key_and_what_was_expected(
    table: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError) as info:
        validate(table, "X: ")
    assert str(info.value).startswith(message)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"pyproject.toml": "[tool.valohai-image-lint\n"}, "pyproject.toml: invalid TOML: "),
        (
            {"pyproject.toml": "[tool]\nvalohai-image-lint = 3\n"},
            "pyproject.toml: [tool.valohai-image-lint] must be a table",
        ),
        (
            {"pyproject.toml": '[tool.valohai_image_lint]\nselect = ["VIL1"]\n'},
            'pyproject.toml: [tool.valohai_image_lint] is not read; did you mean "[tool.valohai-image-lint]"?',
        ),
        (
            {"pyproject.toml": '[tool.valohai-image-lint]\nselct = ["VIL1"]\n'},
            'pyproject.toml: [tool.valohai-image-lint] unknown key "selct"; did you mean "select"?',
        ),
        ({"valohai-image-lint.toml": "select = [\n"}, "valohai-image-lint.toml: invalid TOML: "),
    ],
)
def test_a_bad_config_file_is_exit_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str], message: str
) -> None:
    root = _project(tmp_path, {"valohai.yaml": CONFIG, **files})
    assert main([str(root / "valohai.yaml")]) == 2
    err = capsys.readouterr().err
    assert f"valohai-image-lint: error: {root / message.split(':')[0]}:{message.split(':', 1)[1]}" in err
    assert "Traceback" not in err


def test_missing_config_file_given_explicitly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(tmp_path / "nope.toml"), str(tmp_path)]) == 2
    assert f"{tmp_path / 'nope.toml'}: cannot read: no such file or directory" in capsys.readouterr().err


def test_resolve_records_sources() -> None:
    settings = FileSettings(
        "/p/pyproject.toml", {"select": ["VIL1"], "ignore": ["VIL104"], "require-digest": True}
    )
    config, sources = resolve(settings, CommandLine(ignore=("VIL103",), failure_threshold="error"))
    assert config.select == ("VIL1",)
    assert (config.ignore, config.cli_ignore) == (("VIL104",), ("VIL103",))
    assert config.extend_select == ("VIL105",)
    assert config.failure_threshold is Severity.ERROR
    assert config.root == "/p"
    assert sources["select"] == "/p/pyproject.toml"
    assert sources["ignore"] == "/p/pyproject.toml + command line"
    assert sources["failure-threshold"] == "command line"
    assert sources["exclude"] == "default"


def test_show_settings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(
        tmp_path, {"valohai.yaml": CONFIG, "pyproject.toml": '[tool.valohai-image-lint]\nselect = ["VIL1"]\n'}
    )
    monkeypatch.chdir(root)
    assert main(["--show-settings", "--ignore", "VIL105"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Settings for valohai.yaml"
    assert lines[1] == f"config file: {root / 'pyproject.toml'}"
    assert f'select              = ["VIL1"]    # {root / "pyproject.toml"}' in lines
    assert 'ignore              = ["VIL105"]    # command line' in lines
    assert 'failure-threshold   = "warning"    # default' in lines


def test_statistics(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _project(tmp_path, {"valohai.yaml": CONFIG + "- step: {name: d, image: ubuntu}\n"})
    assert main([str(root), "--statistics", "--isolated"]) == 1
    out, err = capsys.readouterr()
    assert out == (
        "     2  VIL102  missing-tag\n     1  VIL103  latest-tag\n     1  VIL104  floating-tag\n"
        "     1  VIL301  non-minimal-image\n     1  VIL302  end-of-life\n     1  VIL303  inconsistent-tags\n"
    )
    assert err == ""
    main([str(root), "--statistics", "--isolated", "--output-format", "json"])
    assert json.loads(capsys.readouterr().out)[0] == {"code": "VIL102", "name": "missing-tag", "count": 2}


@pytest.mark.parametrize(
    ("toml", "args", "expected"),
    [
        ('ignore = ["VIL103"]\n', ["--select", "VIL103"], ["VIL103"]),
        ('ignore = ["VIL103"]\n', ["--extend-select", "VIL103"], ["VIL102", "VIL103", "VIL104"]),
        ('severity = {VIL103 = "off"}\n', ["--select", "VIL103"], ["VIL103"]),
        ('require-digest = true\nextend-select = ["VIL104"]\n', ["--select", "VIL103"], ["VIL103"]),
        ('select = ["VIL103"]\n', ["--ignore", "VIL103"], []),
        ('[per-file-ignores]\n"valohai.yaml" = ["VIL103"]\n', ["--select", "VIL103"], []),
    ],
)
def test_the_command_line_selection_is_applied_after_the_file(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    toml: str,
    args: list[str],
    expected: list[str],
) -> None:
    root = _project(tmp_path, {"valohai.yaml": CONFIG, "valohai-image-lint.toml": toml})
    monkeypatch.chdir(root)
    _, found = _codes(capsys, *args)
    assert sorted(code for _, code in found) == expected


def test_show_settings_applies_exclude_and_per_file_ignores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(
        tmp_path,
        {
            "a/valohai.yaml": CONFIG,
            "legacy/valohai.yaml": CONFIG,
            "valohai-image-lint.toml": 'exclude = ["legacy"]\nfailure-threshold = "error"\n'
            '[per-file-ignores]\n"a/*.yaml" = ["VIL104"]\n',
        },
    )
    monkeypatch.chdir(root)
    assert main(["--show-settings", "a/valohai.yaml", "--failure-threshold", "info"]) == 0
    out = capsys.readouterr().out
    assert (
        f'ignore              = ["VIL104"]    # per-file-ignores in {root / "valohai-image-lint.toml"}' in out
    )
    assert 'failure-threshold   = "info"    # command line' in out
    assert main(["--show-settings", "legacy"]) == 0
    assert "excluded: yes (by exclude); this file is not linted" in capsys.readouterr().out
    assert main(["--show-settings", "nope"]) == 2
    assert "nope: no such file or directory" in capsys.readouterr().err
    assert main(["--show-settings", "a", "legacy"]) == 2
    assert "--show-settings takes one PATH" in capsys.readouterr().err


def test_a_byte_order_mark_is_fine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _project(tmp_path, {"valohai.yaml": CONFIG})
    (root / "valohai-image-lint.toml").write_bytes(b'\xef\xbb\xbfselect = ["VIL103"]\n')
    assert _codes(capsys, str(root / "valohai.yaml")) == (1, [(f"{root.as_posix()}/valohai.yaml", "VIL103")])


def test_windows_separators_in_path_globs() -> None:
    assert path_matches("proj\\a\\legacy", "proj/a/legacy/valohai.yaml")


@pytest.mark.parametrize(
    ("toml", "args", "expected", "source"),
    [
        ("", [], "2031-01-02", "the clock"),
        ("today = 2027-05-01\n", [], "2027-05-01", "valohai-image-lint.toml"),
        ('today = "2027-05-01"\n', [], "2027-05-01", "valohai-image-lint.toml"),
        ("today = 2027-05-01\n", ["--today", "2028-01-31"], "2028-01-31", "command line"),
    ],
)
def test_today_is_pinned_by_the_command_line_then_the_config_then_the_clock(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    toml: str,
    args: list[str],
    expected: str,
    source: str,
) -> None:
    from valohai_image_lint import cli

    root = _project(tmp_path, {"valohai.yaml": CONFIG, "valohai-image-lint.toml": toml})
    monkeypatch.chdir(root)
    monkeypatch.setattr(cli, "clock_today", lambda: "2031-01-02")  # the only place the clock is read
    assert main(["--show-settings", *args]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("today"))
    assert line.split("#")[0].split("=")[1].strip() == f'"{expected}"'
    assert line.split("# ")[1].endswith(source)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"2026-13-01"', "must be a date (2026-11-30), not '2026-13-01'"),
        ("3", "must be a date (2026-11-30), not 3"),
    ],
)
def test_a_bad_today_in_config(value: str, message: str) -> None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    with pytest.raises(ConfigError, match=re.escape(f'X: "today" {message}')):
        validate(tomllib.loads(f"today = {value}\n"), "X: ")


def test_a_bad_today_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--today", "tomorrow"]) == 2
    assert "'tomorrow' is not a date (YYYY-MM-DD)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("value", "size"),
    [
        (2048, 2048),
        ('"2048"', 2048),
        ('"50MB"', 50_000_000),
        ('"10 MiB"', 10 * 1024 * 1024),
        ('"1.5kb"', 1500),
        ('"3GiB"', 3 * 1024**3),
    ],
)
def test_max_file_size_key(tmp_path: Path, value: object, size: int) -> None:
    from valohai_image_lint.config.files import ConfigFinder

    config_path = tmp_path / "valohai-image-lint.toml"
    config_path.write_text(f"max-file-size = {value}\n", encoding="utf-8")
    config, sources = resolve(ConfigFinder().load(str(config_path)), CommandLine())
    assert config.max_file_size == size
    assert sources["max-file-size"] == str(config_path)


@pytest.mark.parametrize("value", ["0", "-1", '"big"', '"5 parsecs"', "true", "1.5", '""'])
def test_max_file_size_key_rejects(tmp_path: Path, value: str) -> None:
    from valohai_image_lint.config.errors import ConfigError
    from valohai_image_lint.config.files import ConfigFinder

    config_path = tmp_path / "valohai-image-lint.toml"
    config_path.write_text(f"max-file-size = {value}\n", encoding="utf-8")
    with pytest.raises(
        ConfigError, match='"max-file-size" must be a size in bytes, such as 10485760 or "50MB"'
    ):
        ConfigFinder().load(str(config_path))


def test_max_file_size_command_line_wins_and_refuses_unread(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path, {"valohai.yaml": CONFIG, "valohai-image-lint.toml": "max-file-size = 10\n"})
    monkeypatch.chdir(root)
    assert main(["valohai.yaml"]) == 2
    assert capsys.readouterr().err.startswith("valohai-image-lint: error: valohai.yaml: file is ")
    assert main(["valohai.yaml", "--max-file-size", "1MB"]) == 1
    assert "VIL102" in capsys.readouterr().out
    assert main(["--show-settings", "--max-file-size", "1MB"]) == 0
    assert "max-file-size       = 1000000    # command line" in capsys.readouterr().out.splitlines()
    assert main(["valohai.yaml", "--max-file-size", "huge"]) == 2
    assert 'expected a size in bytes, such as 10485760 or 50MB, not "huge"' in capsys.readouterr().err
