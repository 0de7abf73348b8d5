"""VIL304 code-image-mismatch: valohai.prepare(step=..., image=...) against the nearest valohai.yaml."""

from __future__ import annotations

import json
import weakref
from pathlib import Path

import pytest
from rule_table import assert_fires, assert_silent, only

from valohai_image_lint import LintConfig, Severity
from valohai_image_lint.cli import main
from valohai_image_lint.linter import lint_python, step_images
from valohai_image_lint.model import Applicability

CODE = "VIL304"
ON = LintConfig(select=(CODE,))
YAML = """\
- step:
    name: train
    image: python:3.12.1
    command: python train.py
- step:
    name: evaluate
    image: ghcr.io/acme/evaluate:1.4.0
- step:
    name: broken
    image: 3.9
- step:
    name: train
    image: python:3.9.18
- endpoint:
    name: train-server
    image: python:3.11.9
"""


def prepare(step: str, image: str) -> str:
    return f'import valohai\n\nvalohai.prepare(step="{step}", image="{image}")\n'


def lint(source: str, yaml: str | None = YAML, path: str = "train.py") -> list:
    steps = step_images(yaml, "valohai.yaml") if yaml is not None else None
    return only(lint_python(source, path, ON, steps=steps), CODE)


# (id, python, message fragment); the image of each stands on line 3 at column 39 + len(step)
FIRES = [
    (
        "other-version",
        prepare("train", "python:3.11.9"),
        'image "python:3.11.9" differs from step "train" in valohai.yaml:3:12 ("python:3.12.1"); `vh yaml step` '
        "would overwrite the YAML with this one: make them match",
    ),
    ("other-repository", prepare("evaluate", "ghcr.io/acme/other:1.4.0"), '("ghcr.io/acme/evaluate:1.4.0")'),
    ("latest-against-pinned", prepare("train", "python:latest"), 'differs from step "train"'),
    ("untagged", prepare("train", "python"), 'image "python" differs'),
    ("digest-added", prepare("train", "python:3.12.1@sha256:" + "ab" * 32), 'differs from step "train"'),
    (
        "invalid-reference-compares-as-written",
        prepare("train", "Python:3.12.1"),
        'image "Python:3.12.1" differs',
    ),
    ("first-step-of-a-name-counts", prepare("train", "python:3.9.18"), '("python:3.12.1")'),
]

DOES_NOT_FIRE = [
    ("same", prepare("train", "python:3.12.1")),
    ("same-canonical", prepare("train", "docker.io/library/python:3.12.1")),
    ("same-legacy-host", prepare("train", "index.docker.io/library/python:3.12.1")),
    ("unknown-step", prepare("new-step", "python:3.9")),
    ("endpoint-name-is-not-a-step", prepare("train-server", "python:3.9")),
    ("step-image-not-a-string", prepare("broken", "python:3.9")),
    (
        "step-not-a-literal",
        'import valohai\nname = "train"\nvalohai.prepare(step=name, image="python:3.9")\n',
    ),
    ("no-step", 'import valohai\nvalohai.prepare(image="python:3.9")\n'),
    ("image-not-a-literal", 'import valohai\nvalohai.prepare(step="train", image=IMAGE)\n'),
    ("no-image", 'import valohai\nvalohai.prepare(step="train")\n'),
    ("empty-image-default", 'import valohai\nvalohai.prepare(step="train", image="")\n'),
    ("not-valohai", 'from other import prepare\nprepare(step="train", image="python:3.9")\n'),
]


@pytest.mark.parametrize(("source", "fragment"), [pytest.param(*row[1:], id=row[0]) for row in FIRES])
def test_fires(source: str, fragment: str) -> None:
    line = source.splitlines()[2]
    column = line.index('image="') + len('image="') + 1
    assert_fires(
        lint(source),
        3,
        column,
        CODE,
        fragment,
        severity=Severity.WARNING,
        names_image=True,
        image_on_line_of=source,
    )


@pytest.mark.parametrize("source", [pytest.param(row[1], id=row[0]) for row in DOES_NOT_FIRE])
def test_does_not_fire(source: str) -> None:
    assert_silent(lint(source))


def test_without_a_valohai_yaml_nothing_is_compared() -> None:
    assert_silent(lint(prepare("train", "python:3.9"), yaml=None))


def test_yaml_that_does_not_parse_gives_no_steps() -> None:
    assert step_images("- step: {name: train, image: python:3.9\n", "valohai.yaml") == {}
    assert_silent(lint(prepare("train", "python:3.9"), yaml="- step: [\n"))


def test_step_images_follow_aliases_and_merges() -> None:
    yaml = (
        "- step: &base {name: train, image: &img 'python:3.12.1'}\n"
        "- step: {<<: *base, name: evaluate}\n"
        "- step: {name: test, image: *img}\n"
    )
    images = step_images(yaml, "ml/valohai.yaml")
    assert {name: (image.path, image.line, image.column, image.value) for name, image in images.items()} == {
        "train": ("ml/valohai.yaml", 1, 42, "python:3.12.1"),
        "evaluate": ("ml/valohai.yaml", 1, 42, "python:3.12.1"),
        "test": ("ml/valohai.yaml", 1, 42, "python:3.12.1"),
    }
    assert images["train"].canonical == "docker.io/library/python:3.12.1"


def test_unsafe_fix_writes_the_yaml_image() -> None:
    source = prepare("train", "python:3.11.9")
    (found,) = lint(source)
    assert found.fix is not None
    assert found.fix.applicability is Applicability.UNSAFE
    (edit,) = found.fix.edits
    assert edit.replacement == "python:3.12.1"
    line = source.splitlines()[2]
    assert line[edit.span.column - 1 : edit.span.end_column - 1] == "python:3.11.9"


def test_no_fix_when_the_yaml_image_is_not_a_reference() -> None:
    (found,) = lint(prepare("train", "python:3.9"), yaml="- step: {name: train, image: 'Python:3.9'}\n")
    assert found.fix is None


def test_no_fix_when_the_string_has_escapes() -> None:
    source = 'import valohai\nvalohai.prepare(step="train", image="python:3.11\\x2e9")\n'
    (found,) = lint(source)
    assert found.fix is None


def test_notebook_cell(tmp_path: Path) -> None:
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},
                "outputs": [],
                "execution_count": None,
                "source": ["import valohai\n", 'valohai.prepare(step="train", image="python:3.11.9")'],
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    text = json.dumps(notebook, indent=1)
    (found,) = lint(text, path="explore.ipynb")
    line = text.splitlines()[found.span.line - 1]
    assert line[found.span.column - 1 :].startswith('python:3.11.9\\"')
    assert "in cell 1" in (found.context or "")


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    (project / "valohai.yaml").write_text(YAML, encoding="utf-8")
    (project / "src" / "nested").mkdir(parents=True)
    (project / "src" / "nested" / "train.py").write_text(prepare("train", "python:3.11.9"), encoding="utf-8")
    (project / "sub").mkdir()
    (project / "sub" / "valohai.yml").write_text(
        "- step: {name: train, image: python:3.11.9}\n", encoding="utf-8"
    )
    (project / "sub" / "train.py").write_text(prepare("train", "python:3.11.9"), encoding="utf-8")
    return project


def test_cli_compares_with_the_nearest_valohai_yaml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path)
    monkeypatch.chdir(project)
    assert main(["--isolated", "--select", CODE, "."]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        'src/nested/train.py:3:38: VIL304 image "python:3.11.9" differs from step "train" in valohai.yaml:3:12'
        ' ("python:3.12.1"); `vh yaml step` would overwrite the YAML with this one: make them match'
    ]


def test_cli_stops_at_the_repository_root(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A valohai.yaml above the repository's root does not govern the repository's files."""
    (tmp_path / "valohai.yaml").write_text(YAML, encoding="utf-8")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "train.py").write_text(prepare("train", "python:3.11.9"), encoding="utf-8")
    monkeypatch.chdir(repo)
    assert main(["--isolated", "--select", CODE, "train.py"]) == 0
    assert capsys.readouterr().out == ""


def test_cli_names_a_config_outside_the_working_directory_absolutely(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path)
    monkeypatch.chdir(project / "src")
    assert main(["--isolated", "--select", CODE, "nested/train.py"]) == 1
    out = capsys.readouterr().out
    assert (
        f'nested/train.py:3:38: VIL304 image "python:3.11.9" differs from step "train" in {project}/valohai.yaml:3:12'
        in out
    )


def test_cli_stdin_uses_the_given_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import sys

    project = _project(tmp_path)
    monkeypatch.chdir(project)
    source = prepare("train", "python:3.9.18")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(source.encode())))
    assert main(["--isolated", "--select", CODE, "--stdin-filename", "src/nested/train.py", "-"]) == 1
    assert 'src/nested/train.py:3:38: VIL304 image "python:3.9.18" differs' in capsys.readouterr().out


def test_a_valohai_yaml_linted_with_the_python_beside_it_is_composed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from valohai_image_lint import linter

    composed: list[weakref.ref[object]] = []
    real_load = linter.load

    def counting_load(text: str) -> object:
        document = real_load(text)
        composed.append(weakref.ref(document))
        return document

    monkeypatch.setattr(linter, "load", counting_load)
    (tmp_path / ".git").mkdir()
    (tmp_path / "valohai.yaml").write_text(
        "- step: {name: train, image: python:3.12.1-slim}\n", encoding="utf-8"
    )
    for name in ("a.py", "z.py"):  # one before valohai.yaml in the run's order, one after
        (tmp_path / name).write_text('import valohai\nvalohai.prepare(step="train", image="python:3.11.9")\n')
    assert main(["--isolated", "--no-cache", str(tmp_path)]) == 1
    assert capsys.readouterr().out.count("VIL304") == 2
    assert len(composed) == 1
    assert composed[0]() is None  # not kept past the run: at exit it would cost a collection over every node
