"""Finding configs in directories: names, skipped folders, .gitignore, symlink loops."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from valohai_image_lint.discovery import GitIgnore, discover

CONFIG = "- step: {name: a, image: 'python:3.12.1'}\n"


def _touch(root: Path, *relative: str) -> None:
    for name in relative:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(CONFIG, encoding="utf-8")


def _found(root: Path) -> list[str]:
    paths, errors = discover([str(root)])
    assert errors == []
    return [os.path.relpath(p, root).replace(os.sep, "/") for p in paths]


def test_finds_both_names_recursively_and_skips_the_usual_folders(tmp_path: Path) -> None:
    _touch(
        tmp_path,
        "valohai.yaml",
        "sub/valohai.yml",
        "deep/er/valohai.yaml",
        "other.yaml",
        ".git/valohai.yaml",
        "node_modules/x/valohai.yaml",
        ".venv/valohai.yaml",
        "venv/valohai.yaml",
        "env2/pyvenv.cfg",
        "env2/valohai.yaml",
        "__pycache__/valohai.yaml",
        "valohai.yaml.bak",
    )
    assert _found(tmp_path) == ["deep/er/valohai.yaml", "sub/valohai.yml", "valohai.yaml"]


def test_top_level_gitignore(tmp_path: Path) -> None:
    _touch(
        tmp_path,
        "valohai.yaml",
        "build/valohai.yaml",
        "vendor/a/valohai.yaml",
        "keep/valohai.yaml",
        "x/generated/valohai.yaml",
        "anchored/valohai.yaml",
        "sub/anchored/valohai.yaml",
    )
    (tmp_path / ".gitignore").write_text(
        "# comment\nbuild/\nvendor\n**/generated\n/anchored\n\nkeep/*\n!keep/valohai.yaml\n", encoding="utf-8"
    )
    assert _found(tmp_path) == ["keep/valohai.yaml", "sub/anchored/valohai.yaml", "valohai.yaml"]


@pytest.mark.parametrize(
    ("pattern", "path", "is_dir", "ignored"),
    [
        ("*.yaml", "a/valohai.yaml", False, True),
        ("valohai.yaml", "a/b/valohai.yaml", False, True),
        ("/valohai.yaml", "a/valohai.yaml", False, False),
        ("a/*.yaml", "a/valohai.yaml", False, True),
        ("a/*.yaml", "a/b/valohai.yaml", False, False),
        ("a/**/valohai.yaml", "a/b/c/valohai.yaml", False, True),
        ("out/", "out", True, True),
        ("out/", "out", False, False),
        ("v[ae]nv", "venv", True, True),
        ("v?nv", "venv", True, True),
        ("\\#file", "#file", False, True),
    ],
)
def test_gitignore_patterns(pattern: str, path: str, is_dir: bool, ignored: bool) -> None:
    assert GitIgnore([pattern]).ignores(path, is_dir) is ignored


def test_symlink_loop_and_symlinked_folders(tmp_path: Path) -> None:
    _touch(tmp_path, "a/valohai.yaml")
    (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)
    assert _found(tmp_path) == ["a/valohai.yaml"]


def test_explicit_files_are_linted_whatever_their_name(tmp_path: Path) -> None:
    _touch(tmp_path, "configs/prod.yaml")
    paths, errors = discover(
        [str(tmp_path / "configs" / "prod.yaml"), str(tmp_path / "configs" / "prod.yaml")]
    )
    assert (paths, errors) == ([str(tmp_path / "configs" / "prod.yaml")], [])


def test_missing_paths_are_errors_and_empty_directories_give_nothing(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    paths, errors = discover([str(tmp_path / "empty"), str(tmp_path / "missing.yaml")])
    assert paths == []
    assert [str(e) for e in errors] == [f"{tmp_path / 'missing.yaml'}: no such file or directory"]


def test_symlink_loop_file_is_an_error(tmp_path: Path) -> None:
    from valohai_image_lint.reading import PathError, read_config

    loop = tmp_path / "valohai.yaml"
    loop.symlink_to(loop)
    paths, _ = discover([str(loop)])
    assert paths == [str(loop)]
    with pytest.raises(PathError, match="too many levels of symbolic links"):
        read_config(str(loop))


def test_the_repository_root_gitignore_applies_to_a_subfolder_search(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("sub/deep/\n", encoding="utf-8")
    _touch(tmp_path, "sub/deep/valohai.yaml", "sub/valohai.yaml")
    assert _found(tmp_path) == ["sub/valohai.yaml"]
    assert _found(tmp_path / "sub") == ["valohai.yaml"]
    monkeypatch.chdir(tmp_path / "sub")
    paths, errors = discover([])
    assert (paths, errors) == (["valohai.yaml"], [])


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads directories whatever their permissions")
def test_an_unreadable_directory_says_so(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        paths, errors = discover([str(locked)])
    finally:
        locked.chmod(0o755)
    assert paths == []
    assert [str(e) for e in errors] == [f"{locked}: cannot read directory: permission denied"]


def test_python_files_next_to_a_config_and_below_it(tmp_path: Path) -> None:
    """Python files and notebooks are found in the folder of a config and its subfolders, not
    elsewhere; the usual folders and .gitignore still apply."""
    _touch(
        tmp_path,
        "scripts/loose.py",
        "ml/valohai.yaml",
        "ml/train.py",
        "ml/src/model.py",
        "ml/nb/explore.ipynb",
        "ml/README.md",
        "ml/.venv/lib/x.py",
        "ml/build/gen.py",
        "ml/TRAIN.PY",
        "other/valohai.yml",
        "other/x.pyc",
        "notes.ipynb",
    )
    (tmp_path / ".gitignore").write_text("build/\n", encoding="utf-8")
    assert _found(tmp_path) == [
        "ml/TRAIN.PY",
        "ml/nb/explore.ipynb",
        "ml/src/model.py",
        "ml/train.py",
        "ml/valohai.yaml",
        "other/valohai.yml",
    ]


def test_a_folder_without_a_config_gives_its_python_files_that_mention_valohai(tmp_path: Path) -> None:
    _touch(tmp_path, "train.py")  # empty: no mention
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "step.py").write_text("import valohai\n", encoding="utf-8")
    (tmp_path / "src" / "wide.py").write_text("import \uff56alohai\n", encoding="utf-8")  # NFKC: valohai
    (tmp_path / "src" / "other.py").write_text("import numpy\n", encoding="utf-8")
    (tmp_path / "nb.ipynb").write_text('{"cells": [{"source": ["import valohai"]}]}', encoding="utf-8")
    paths, errors = discover([str(tmp_path)])
    assert errors == []
    assert paths == [
        str(tmp_path / "nb.ipynb"),
        str(tmp_path / "src" / "step.py"),
        str(tmp_path / "src" / "wide.py"),
    ]


def test_a_folder_with_a_config_somewhere_keeps_python_files_to_its_project(tmp_path: Path) -> None:
    (tmp_path / "loose.py").write_text("import valohai\n", encoding="utf-8")
    _touch(tmp_path, "project/valohai.yaml")
    _touch(tmp_path, "project/train.py")
    paths, errors = discover([str(tmp_path)])
    assert (paths, errors) == (
        [str(tmp_path / "project" / "train.py"), str(tmp_path / "project" / "valohai.yaml")],
        [],
    )


def test_python_file_given_by_path(tmp_path: Path) -> None:
    _touch(tmp_path, "loose/train.py")
    assert discover([str(tmp_path / "loose" / "train.py")]) == ([str(tmp_path / "loose" / "train.py")], [])


def test_nearest_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from valohai_image_lint.reading import nearest_config

    _touch(
        tmp_path,
        "repo/.git/HEAD",
        "repo/valohai.yml",
        "repo/a/valohai.yaml",
        "repo/a/valohai.yml",
        "repo/a/b/c/train.py",
        "repo/d/train.py",
        "valohai.yaml",
        "outside/train.py",
    )
    monkeypatch.chdir(tmp_path / "repo")
    assert nearest_config("a/b/c/train.py") == os.path.join("a", "valohai.yaml")
    assert nearest_config("d/train.py") == "valohai.yml"
    assert nearest_config(str(tmp_path / "outside" / "train.py")) == str(tmp_path / "valohai.yaml")
    (tmp_path / "repo" / "valohai.yml").unlink()
    assert nearest_config("d/train.py") is None  # not above the repository's root


def test_the_walk_up_ends_at_the_repository_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from valohai_image_lint.reading import folders_up, repository_root

    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "a" / "b").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "repo")
    repo = str(tmp_path / "repo")
    assert list(folders_up("a/b")) == [os.path.join(repo, "a", "b"), os.path.join(repo, "a"), repo]
    assert repository_root("a/b") == repo
    outside = list(folders_up(str(tmp_path)))
    assert outside[0] == str(tmp_path)
    root = repository_root(str(tmp_path))  # None, unless the temporary folder is inside a repository
    assert outside[-1] == (os.path.dirname(outside[-1]) if root is None else root)
