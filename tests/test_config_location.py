"""config.location.mentions_us: the quick test that a pyproject.toml may hold our table.

It must not miss any TOML spelling of the table (a miss ignores valid settings, issue 12), and it
should say no to the common pyproject.toml that only names the tool as a value (a wrong yes costs
a parse, and a miss of the result cache). Every case is checked against tomllib as well: a file
whose parsed ``tool`` table holds our key (or a near miss) must be mentioned.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from valohai_image_lint.config.location import candidates_in, mentions_us

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

SELECT = 'select = ["VIL103"]'

OURS = [
    ("header", f"[tool.valohai-image-lint]\n{SELECT}\n"),
    ("header-first-after-others", f'[project]\nname = "x"\n\n[tool.valohai-image-lint]\n{SELECT}\n'),
    ("double-quoted-key", f'[tool."valohai-image-lint"]\n{SELECT}\n'),
    ("single-quoted-key", f"[tool.'valohai-image-lint']\n{SELECT}\n"),
    ("quoted-tool", f'["tool".valohai-image-lint]\n{SELECT}\n'),
    ("blanks-in-the-header", f"[ tool . valohai-image-lint ]\n{SELECT}\n"),
    ("tabs-in-the-header", f"[\ttool\t.\t'valohai-image-lint'\t]\n{SELECT}\n"),
    ("tab-indented-header", f"\t[tool.valohai-image-lint]\n\t{SELECT}\n"),
    ("header-with-a-comment", f"[tool.valohai-image-lint]  # ours\n{SELECT}\n"),
    ("subtable", "[tool.valohai-image-lint.per-file-ignores]\n'a.py' = ['VIL103']\n"),
    ("dotted-key-under-tool", f"[tool]\nvalohai-image-lint.{SELECT}\n"),
    ("dotted-key-under-tool-tabbed", f"[tool]\n\tvalohai-image-lint . {SELECT}\n"),
    ("quoted-dotted-key-under-tool", f'[ "tool" ]\n"valohai-image-lint".{SELECT}\n'),
    ("key-under-tool", '[tool]\nvalohai-image-lint = { select = ["VIL103"] }\n'),
    ("key-under-tool-first-line", "[tool]\nvalohai-image-lint = 3\n"),
    ("top-level-dotted-key", f"tool.valohai-image-lint.{SELECT}\n"),
    ("top-level-dotted-key-quoted", f'"tool"."valohai-image-lint".{SELECT}\n'),
    ("top-level-inline-table", 'tool = { valohai-image-lint = { select = ["VIL103"] } }\n'),
    (
        "inline-table-after-another",
        'tool = { ruff = { line-length = 99 }, valohai-image-lint = { select = ["VIL103"] } }\n',
    ),
    ("inline-table-in-tool", '[tool]\nvalohai-image-lint = { select = ["VIL103"] }\nruff = {}\n'),
    ("crlf", f"[tool.valohai-image-lint]\r\n{SELECT}\r\n"),
    ("utf8-bom", f"\ufeff[tool.valohai-image-lint]\n{SELECT}\n"),
    ("unicode-escape", f'[tool."valohai\\u002Dimage-lint"]\n{SELECT}\n'),
    ("unicode-escape-everywhere", f'[tool."\\u0076alohai-image-lint"]\n{SELECT}\n'),
    ("near-miss-underscores", f"[tool.valohai_image_lint]\n{SELECT}\n"),
    ("near-miss-case", f"[tool.Valohai-Image-Lint]\n{SELECT}\n"),
    ("broken-header", "[tool.valohai-image-lint\n"),
    (
        "after-a-multiline-string",
        f'[project]\ndescription = """a\n[tool]\n"""\n[tool.valohai-image-lint]\n{SELECT}\n',
    ),
]

NOT_OURS = [
    ("no-mention", '[project]\nname = "x"\n[tool.ruff]\nline-length = 99\n'),
    ("project-name", '[project]\nname = "valohai-image-lint"\nversion = "1"\n'),
    ("dependency", '[project]\nname = "x"\ndependencies = ["valohai-image-lint"]\n'),
    (
        "pinned-dependency",
        '[project]\nname = "x"\ndependencies = ["valohai-image-lint==1.2", "valohai_image_lint >= 1"]\n',
    ),
    ("optional-dependency", '[project.optional-dependencies]\ndev = [\n  "valohai-image-lint",\n]\n'),
    ("script-key", '[project.scripts]\nvalohai-image-lint = "valohai_image_lint.cli:main"\n'),
    ("poetry-script-key", '[tool.poetry.scripts]\nvalohai-image-lint = "valohai_image_lint.cli:main"\n'),
    ("inline-scripts", '[project]\nscripts = { valohai-image-lint = "valohai_image_lint.cli:main" }\n'),
    ("packages", '[tool.setuptools]\npackages = ["valohai_image_lint", "valohai_image_lint.rules"]\n'),
    ("another-tool", "[tool.my-valohai-image-lint]\nx = 1\n[tool.valohai-image-linter]\ny = 2\n"),
    ("a-file-name", '[tool.x]\nfiles = ["valohai-image-lint.toml", ".valohai-image-lint.toml"]\n'),
    ("mypy-module", '[[tool.mypy.overrides]]\nmodule = "valohai_image_lint.*"\n'),
]


def _tool_keys(text: str) -> list[str]:
    tool = tomllib.loads(text.removeprefix("\ufeff")).get("tool", {})
    return [key for key in tool if key.lower().replace("_", "-") == "valohai-image-lint"]


@pytest.mark.parametrize("text", [pytest.param(text, id=name) for name, text in OURS])
def test_every_spelling_of_our_table_is_mentioned(tmp_path: Path, text: str) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_bytes(text.encode("utf-8"))
    if not text.startswith("[tool.valohai-image-lint\n"):
        assert _tool_keys(text), "the case should be a valid table of ours"
    assert mentions_us(str(path))
    assert list(candidates_in(str(tmp_path))) == [str(path)]


@pytest.mark.parametrize("text", [pytest.param(text, id=name) for name, text in NOT_OURS])
def test_a_pyproject_naming_the_tool_as_a_value_is_not_ours(tmp_path: Path, text: str) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(text, encoding="utf-8")
    assert not _tool_keys(text)
    assert not mentions_us(str(path))
    assert list(candidates_in(str(tmp_path))) == []


def test_this_projects_own_pyproject_is_not_ours() -> None:
    """The cached run of the tool's own repository depends on it (test_cached_run)."""
    assert not mentions_us(str(Path(__file__).resolve().parent.parent / "pyproject.toml"))


def test_a_pyproject_that_cannot_be_read_counts_so_that_reading_it_says_why(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    os.mkfifo(path)
    assert mentions_us(str(path))  # at once: a FIFO is not opened for reading
    assert list(candidates_in(str(tmp_path))) == []  # not a file: not a pyproject.toml of ours


def test_a_dedicated_config_that_is_not_a_file_counts_so_that_reading_it_says_why(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / ".valohai-image-lint.toml")
    (tmp_path / "valohai-image-lint.toml").symlink_to(tmp_path / "nowhere.toml")
    (tmp_path / "pyproject.toml").mkdir()
    assert list(candidates_in(str(tmp_path))) == [
        str(tmp_path / ".valohai-image-lint.toml"),
        str(tmp_path / "valohai-image-lint.toml"),
    ]
