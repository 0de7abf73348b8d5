"""The persistent cache of parsed references: same answers as parse_image, fewer imports."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from valohai_image_lint import InvalidImageReference, parse_image
from valohai_image_lint.cache.files import default_directory, dump_value, read_records, write_records
from valohai_image_lint.cache.references import ReferenceCache

ROOT = Path(__file__).resolve().parent.parent
TEXTS = [
    "python",
    "python:3.9",
    "ghcr.io/acme/app:1.0@sha256:" + "a" * 64,
    "foo_bar.com/x",
    "Python:3.9",
    " python",
    "python@sha256:abc",
    "MyOrg/app:1",
]


def _answer(parse: object, text: str) -> object:
    try:
        return parse(text)  # type: ignore[operator]
    except InvalidImageReference as exc:
        return ("invalid", exc.text, exc.reason)


def test_cached_answers_equal_fresh_ones(tmp_path: Path) -> None:
    first = ReferenceCache(str(tmp_path))
    assert [_answer(first.parse, t) for t in TEXTS] == [_answer(parse_image, t) for t in TEXTS]
    first.save()
    stored = read_records(str(tmp_path / os.path.basename(first.path or "")))
    assert stored is not None
    assert {key.partition("\0")[2] for key in stored} == set(TEXTS)
    second = ReferenceCache(str(tmp_path))
    assert [_answer(second.parse, t) for t in TEXTS] == [_answer(parse_image, t) for t in TEXTS]


@pytest.mark.parametrize(
    "content",
    [b"", b"{", b"\xff\x00" * 9, {}, {"python:3.9": b"3"}, {"python:3.9": b"[\x02\x00\x00\x00"}],
)
def test_a_corrupt_cache_is_ignored_and_rewritten(tmp_path: Path, content: object) -> None:
    cache = ReferenceCache(str(tmp_path))
    assert cache.path is not None
    if isinstance(content, bytes):
        Path(cache.path).write_bytes(content)
    else:
        assert isinstance(content, dict)
        write_records(cache.path, {cache.prefix + key: value for key, value in content.items()})
    again = ReferenceCache(str(tmp_path))
    assert again.parse("python:3.9").canonical == "docker.io/library/python:3.9"
    again.save()
    assert again.prefix + "python:3.9" in (read_records(cache.path) or {})


def test_an_unwritable_cache_directory_is_not_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    cache = ReferenceCache(str(blocker / "sub"))
    assert cache.parse("python").tag is None
    cache.save()  # cannot create a directory under a file: silently nothing


def test_no_cache_switch(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VALOHAI_IMAGE_LINT_NO_CACHE", "1")
    assert default_directory() is None
    monkeypatch.delenv("VALOHAI_IMAGE_LINT_NO_CACHE")
    monkeypatch.delenv("VALOHAI_IMAGE_LINT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_directory() == str(tmp_path / "valohai-image-lint")


def test_a_warm_run_does_not_import_the_reference_grammar(tmp_path: Path) -> None:
    probe = (
        "import sys; from valohai_image_lint.cli import main; code = main(sys.argv[1:]); "
        "print('grammar imported' if 'docker_image' in sys.modules else 'grammar skipped'); sys.exit(code)"
    )
    env = dict(os.environ, VALOHAI_IMAGE_LINT_CACHE_DIR=str(tmp_path / "cache"))
    config = tmp_path / "valohai.yaml"
    example = (ROOT / "examples" / "valohai.yaml").read_text(encoding="utf-8")
    config.write_text(example, encoding="utf-8")
    command = [sys.executable, "-c", probe, str(config)]
    cold = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)
    # Another text, so that the result cache misses and the file is linted, its images known.
    config.write_text(example + "# edited\n", encoding="utf-8")
    warm = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)
    off = subprocess.run(
        [*command, "--no-cache"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert cold.returncode == warm.returncode == off.returncode == 1
    assert cold.stdout.endswith("grammar imported\n")
    assert warm.stdout.endswith("grammar skipped\n")
    assert off.stdout.endswith("grammar imported\n")
    assert cold.stdout.replace("grammar imported", "") == warm.stdout.replace("grammar skipped", "")


@pytest.mark.parametrize(
    "entry",
    [
        ["docker.io", "library/python", 3, None],
        ["docker.io", "library/python", None, 5],
        [1, "p", None, None],
        {"error": 3},
        [3],
        "python",
    ],
)
def test_entries_of_the_wrong_type_are_parsed_again(tmp_path: Path, entry: object) -> None:
    cache = ReferenceCache(str(tmp_path))
    assert cache.path is not None
    write_records(cache.path, {cache.prefix + "python:3.9": dump_value(entry) or b""})
    assert ReferenceCache(str(tmp_path)).parse("python:3.9") == parse_image("python:3.9")


def test_no_home_directory_means_no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VALOHAI_IMAGE_LINT_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(os.path, "expanduser", lambda path: path)  # HOME unset and no passwd entry
    assert default_directory() is None
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    assert default_directory() is None
