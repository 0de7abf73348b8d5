"""Hostile input in one place: alias bombs, deep nesting, huge files, broken encodings, odd YAML
and odd paths ("Fast and unbreakable").

Every case goes through the real command line, in-process (``main([...])``), with an ordinary
config (``OTHER``) in the same run, and checks:

- the exit code;
- that no traceback escapes, on either stream;
- that the message names the path, with the line and column where the problem has a place;
- that the other file is still linted (its finding is printed);
- the issue's time and memory bounds, measured here after a warm-up run.

A few cases also run in a real ``python -m valohai_image_lint`` process. Cases about permissions
are skipped as root, who reads whatever the permissions say.
"""

from __future__ import annotations

import codecs
import gzip
import os
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest
from rule_table import cases

from valohai_image_lint.cli import main
from valohai_image_lint.reading import MAX_FILE_SIZE, PathError, read_config

ROOT = Path(__file__).resolve().parent.parent
PROG = "valohai-image-lint"
OTHER = "- step:\n    name: train\n    image: tensorflow/tensorflow:latest-gpu\n"
AS_ROOT = pytest.mark.skipif(
    os.geteuid() == 0, reason="root reads files and folders whatever their permissions"
)
RAISE_THE_LIMIT = "not linted (raise max-file-size in the config or --max-file-size)"

# Wall-clock seconds of one in-process run after a warm-up, and the alias bomb's traced peak: the
# issue's bound for the alias bomb; for the rest (the issue gives none) generous bounds for now.
ALIAS_BOMB_SECONDS = 1.0
ALIAS_BOMB_MIB = 50
DEEP_NESTING_SECONDS = 2.0
REFUSAL_SECONDS = 1.0
RAISED_LIMIT_SECONDS = 20.0


class Run(NamedTuple):
    code: int
    out: str
    err: str


def _lint(capsys: pytest.CaptureFixture[str], *args: str, isolated: bool = True) -> Run:
    code = main([*(["--isolated"] if isolated else []), *args])
    out, err = capsys.readouterr()
    return Run(code, out, err)


def _other(tmp_path: Path) -> Path:
    """The ordinary config linted beside each hostile input; its finding is ``_other_finding``."""
    path = tmp_path / "other" / "valohai.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(OTHER, encoding="utf-8")
    return path


def _other_finding(other: Path) -> str:
    return f"{other}:3:12: VIL103 "


def _assert_sound(run: Run, other: Path) -> None:
    """No traceback, every line on stderr is an error line or the summary, the other file linted."""
    assert "Traceback" not in run.out and "Traceback" not in run.err, run.err
    assert "RecursionError" not in run.err and "MemoryError" not in run.err
    for line in run.err.splitlines():
        assert line.startswith((f"{PROG}: error: ", "Found ")), f"a stray line on stderr: {line!r}"
    assert _other_finding(other) in run.out, "the other file in the same run was not linted"


def _error_line(shown: str, message: str, location: tuple[int, int] | None = None) -> str:
    where = f"{shown}:{location[0]}:{location[1]}" if location else shown
    return f"{PROG}: error: {where}: {message}"


def _findings_of(run: Run, path: Path) -> list[tuple[int, int, str]]:
    """(line, column, code) of each concise line about ``path``."""
    found = []
    for line in run.out.splitlines():
        if line.startswith(f"{path}:"):
            line_number, column, rest = line[len(f"{path}:") :].split(":", 2)
            found.append((int(line_number), int(column), rest.split()[0]))
    return found


# -- file contents ---------------------------------------------------------------------------------


class Refused(NamedTuple):
    """Not linted: exit 2 and one error line, ``path[:line:column]: message``."""

    location: tuple[int, int] | None
    message: str


class Linted(NamedTuple):
    """Linted: these (line, column, code) diagnostics in this file, nothing else about it."""

    findings: tuple[tuple[int, int, str], ...]


BINARY = "binary file (NUL byte); not a YAML config"
WIDE = "file is UTF-16 or UTF-32 encoded; save it as UTF-8"
STEP = "- step: {name: a, image: python}\n"

CONTENTS = [
    (
        "invalid-utf8",
        b"- step:\n    name: caf\xe9\n",
        Refused((2, 14), "not valid UTF-8 (byte 0xe9); save the file as UTF-8"),
    ),
    (
        "invalid-utf8-after-a-crlf",
        b"- step:\r\n    name: a\r\n    image: \xff\r\n",
        Refused((3, 12), "not valid UTF-8 (byte 0xff); save the file as UTF-8"),
    ),
    ("utf16-le-with-bom", STEP.encode("utf-16"), Refused((1, 1), WIDE)),
    ("utf16-be-with-bom", codecs.BOM_UTF16_BE + STEP.encode("utf-16-be"), Refused((1, 1), WIDE)),
    ("utf32-with-bom", STEP.encode("utf-32"), Refused((1, 1), WIDE)),
    ("utf16-without-bom", STEP.encode("utf-16-le"), Refused((1, 1), WIDE)),
    ("utf8-bom-is-fine", codecs.BOM_UTF8 + STEP.encode(), Linted(((1, 26, "VIL102"),))),
    ("nul-byte", b"- step:\n    name: a\x00b\n", Refused((2, 12), BINARY)),
    ("binary-gzip", gzip.compress(STEP.encode(), mtime=0), Refused((1, 4), BINARY)),
    ("binary-png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", Refused((3, 1), BINARY)),
    (
        "binary-without-nul",
        bytes(range(0x80, 0x100)),
        Refused((1, 1), "not valid UTF-8 (byte 0x80); save the file as UTF-8"),
    ),
    # Nothing to lint is not a problem for an image linter: Valohai itself would reject these files,
    # but no image is named wrongly in them.
    ("empty", b"", Linted(((1, 1, "VIL006"),))),
    ("only-a-comment", b"# nothing here yet\n", Linted(((1, 1, "VIL006"),))),
    ("only-whitespace", b"  \n\n   \n", Linted(((1, 1, "VIL006"),))),
    ("only-a-tab", b"  \n\n\t\n", Linted(((3, 1, "VIL001"),))),  # PyYAML rejects it too
    (
        "top-level-mapping",
        b"step:\n  name: a\n  image: python\n",
        Linted(((1, 1, "VIL006"), (3, 10, "VIL102"))),
    ),
    ("top-level-scalar", b"just some text\n", Linted(((1, 1, "VIL006"),))),
    (
        "top-level-list-of-scalars",
        b"- a\n- 1\n- null\n",
        Linted(((1, 3, "VIL006"), (2, 3, "VIL006"), (3, 3, "VIL006"))),
    ),
    # A repeated key keeps its last value, as PyYAML (and so Valohai) reads it; VIL007 says so.
    (
        "duplicate-keys",
        b"- step:\n    name: a\n    image: python:3.12.1\n    image: python\n",
        Linted(((4, 5, "VIL007"), (4, 12, "VIL102"))),
    ),
    (
        "duplicate-step-keys",
        b"- step: {name: a, image: 'python:3.12.1'}\n  step: {name: b, image: python}\n",
        Linted(((2, 3, "VIL007"), (2, 26, "VIL102"))),
    ),
    ("tabs-for-indentation", b"- step:\n\tname: a\n\timage: python\n", Linted(((2, 1, "VIL001"),))),
    (
        "image-alias-of-a-mapping",
        b"- x-base: &base {name: b}\n- step:\n    name: a\n    image: *base\n",
        Linted(((1, 17, "VIL003"),)),
    ),
    ("image-alias-of-its-own-step", b"- step: &s {name: a, image: *s}\n", Linted(((1, 12, "VIL003"),))),
    ("image-alias-of-its-own-list", b"- step: {name: a, image: &i [*i]}\n", Linted(((1, 29, "VIL003"),))),
    ("recursive-alias-in-a-list", b"- x: &r [*r, *r]\n" + STEP.encode(), Linted(((2, 26, "VIL102"),))),
    (
        "recursive-alias-in-a-step",
        b"- step: &s\n    name: a\n    image: python\n    again: *s\n",
        Linted(((3, 12, "VIL102"),)),
    ),
    (
        "recursive-merge",
        b"- step: &s\n    name: a\n    <<: *s\n    image: python\n",
        Linted(((4, 12, "VIL102"),)),
    ),
    ("undefined-alias", b"- step:\n    name: a\n    image: *nowhere\n", Linted(((3, 12, "VIL001"),))),
]


@pytest.mark.parametrize(("content", "expected"), cases(CONTENTS))
def test_hostile_content(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, expected: Refused | Linted
) -> None:
    hostile = tmp_path / "hostile" / "valohai.yaml"
    hostile.parent.mkdir()
    hostile.write_bytes(content)
    other = _other(tmp_path)
    run = _lint(capsys, str(hostile), str(other))
    _assert_sound(run, other)
    if isinstance(expected, Refused):
        assert run.code == 2
        assert run.err.splitlines()[0] == _error_line(str(hostile), expected.message, expected.location)
        assert _findings_of(run, hostile) == []
    else:
        assert run.code == 1
        assert f"{hostile}" not in run.err
        assert _findings_of(run, hostile) == list(expected.findings)


# -- alias bombs -----------------------------------------------------------------------------------


def _alias_bomb(fan: str) -> str:
    """10 levels of 10 aliases each (10**10 leaves if expanded), reached from two items and a step;
    ``fan`` is how each level repeats the one below: a list of aliases or a list of merge keys."""
    lines = ["- x-laughs:", "    l0: &l0 {name: lol, image: &img python}"]
    for level in range(1, 10):
        below = ", ".join([f"*l{level - 1}"] * 10)
        value = f"[{below}]" if fan == "list" else f"{{<<: [{below}], k{level}: v}}"
        lines.append(f"    l{level}: &l{level} {value}")
    lines += ["- x-again: *l9", "- step:", "    name: bomb", "    image: *img", ""]
    return "\n".join(lines)


@pytest.mark.parametrize("fan", ["list", "merge"])
def test_an_alias_bomb_is_linted_fast_in_bounded_memory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fan: str
) -> None:
    bomb = tmp_path / "bomb" / "valohai.yaml"
    bomb.parent.mkdir()
    bomb.write_text(_alias_bomb(fan), encoding="utf-8")
    other = _other(tmp_path)
    _lint(capsys, str(bomb), str(other))  # warm-up: imports and caches

    started = time.perf_counter()
    run = _lint(capsys, str(bomb), str(other))
    elapsed = time.perf_counter() - started

    tracemalloc.start()
    try:
        _lint(capsys, str(bomb), str(other))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    print(f"alias bomb ({fan}): {elapsed:.3f} s, peak {peak / 2**20:.2f} MiB")

    _assert_sound(run, other)
    assert run.code == 1
    # Reported once, where the value is written, naming what uses it: each node was visited once.
    assert _findings_of(run, bomb) == [(2, 37, "VIL102")]
    assert run.out.count(f"{bomb}:") == 1
    # Named by path: with merge keys every level's mapping holds the image (l0, l1...), and says so.
    assert '(used by x-laughs[0].l0 "lol", ' in run.out
    assert elapsed < ALIAS_BOMB_SECONDS, f"the alias bomb took {elapsed:.2f} s"
    assert peak < ALIAS_BOMB_MIB * 2**20, f"the alias bomb peaked at {peak / 2**20:.1f} MiB"


# -- deep nesting ----------------------------------------------------------------------------------

DEPTH = 10_000
NESTINGS = [
    ("flow-sequences", "[" * DEPTH + "1" + "]" * DEPTH),
    ("flow-mappings", "{a: " * DEPTH + "1" + "}" * DEPTH),
    ("flow-mixed", "[{a: " * (DEPTH // 2) + "1" + "}]" * (DEPTH // 2)),
]


@pytest.mark.parametrize("nested", cases(NESTINGS))
def test_deep_nesting_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], nested: str
) -> None:
    deep = tmp_path / "deep" / "valohai.yaml"
    deep.parent.mkdir()
    deep.write_text(f"{STEP}- x-data: {nested}\n", encoding="utf-8")
    other = _other(tmp_path)
    _lint(capsys, str(other))  # warm-up: imports

    started = time.perf_counter()
    run = _lint(capsys, str(deep), str(other))
    elapsed = time.perf_counter() - started
    print(f"deep nesting ({DEPTH} levels): {elapsed:.3f} s")

    _assert_sound(run, other)
    assert run.code == 1
    [finding] = [line for line in run.out.splitlines() if line.startswith(f"{deep}:")]
    assert [(line, code) for line, _, code in _findings_of(run, deep)] == [(2, "VIL001")]
    assert "nested too deeply" in finding
    assert elapsed < DEEP_NESTING_SECONDS, f"{DEPTH} levels of nesting took {elapsed:.2f} s"


# -- size ------------------------------------------------------------------------------------------


def _sparse(path: Path, size: int) -> Path:
    """A file of ``size`` NUL bytes that costs no disk: read, it would be a "binary file" error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.truncate(size)
    return path


def test_a_50_mb_file_is_refused_without_being_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = _sparse(tmp_path / "big" / "valohai.yaml", 50 * 2**20)
    other = _other(tmp_path)
    _lint(capsys, str(other))  # warm-up: imports

    started = time.perf_counter()
    run = _lint(capsys, str(big), str(other))
    elapsed = time.perf_counter() - started
    print(f"50 MB refusal: {elapsed:.3f} s")

    _assert_sound(run, other)
    assert run.code == 2
    message = f"file is {50 * 2**20} bytes, over the {MAX_FILE_SIZE}-byte limit; {RAISE_THE_LIMIT}"
    assert run.err.splitlines()[0] == _error_line(str(big), message)
    assert elapsed < REFUSAL_SECONDS


def test_a_50_mb_file_is_linted_when_the_limit_is_raised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """50 MB of comments after one step: what reading, decoding and scanning that much costs. (A
    50 MB file of real steps costs minutes and gigabytes; the default limit keeps it out.)"""
    big = tmp_path / "big" / "valohai.yaml"
    big.parent.mkdir()
    comment = "# " + "x" * 77 + "\n"
    big.write_text(STEP + comment * (50 * 10**6 // len(comment)), encoding="utf-8")
    other = _other(tmp_path)
    _lint(capsys, str(other))  # warm-up: imports

    started = time.perf_counter()
    run = _lint(capsys, "--max-file-size", "60MB", str(big), str(other))
    elapsed = time.perf_counter() - started
    print(f"50 MB lint with a raised limit: {elapsed:.3f} s")

    _assert_sound(run, other)
    assert (run.code, _findings_of(run, big)) == (1, [(1, 26, "VIL102")])
    assert elapsed < RAISED_LIMIT_SECONDS, f"50 MB took {elapsed:.1f} s"


def test_read_config_takes_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "valohai.yaml"
    path.write_text(OTHER, encoding="utf-8")
    size = len(OTHER)
    assert read_config(str(path), max_bytes=size) == OTHER
    with pytest.raises(PathError) as info:
        read_config(str(path), max_bytes=size - 1)
    assert (
        str(info.value) == f"{path}: file is {size} bytes, over the {size - 1}-byte limit; {RAISE_THE_LIMIT}"
    )


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="no /proc")
def test_a_file_whose_size_the_system_does_not_know_is_still_limited() -> None:
    assert os.stat("/proc/self/status").st_size == 0
    with pytest.raises(PathError) as info:
        read_config("/proc/self/status", max_bytes=100)
    assert (
        str(info.value)
        == f"/proc/self/status: file is more than 100 bytes, over the 100-byte limit; {RAISE_THE_LIMIT}"
    )


def _padded(path: Path) -> int:
    """A config of a few hundred bytes with one finding (VIL103 at 3:12); its size."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(OTHER + "# padding\n" * 30, encoding="utf-8")
    return path.stat().st_size


def test_the_size_limit_is_set_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Waits for ``--max-file-size`` (cli.py)."""
    padded = tmp_path / "padded" / "valohai.yaml"
    size = _padded(padded)
    other = _other(tmp_path)
    run = _lint(capsys, "--max-file-size", "100", str(padded), str(other))
    _assert_sound(run, other)
    assert run.code == 2
    message = f"file is {size} bytes, over the 100-byte limit; {RAISE_THE_LIMIT}"
    assert run.err.splitlines()[0] == _error_line(str(padded), message)
    run = _lint(capsys, f"--max-file-size={size}", str(padded), str(other))  # the limit is inclusive
    _assert_sound(run, other)
    assert (run.code, _findings_of(run, padded)) == (1, [(3, 12, "VIL103")])


def test_the_size_limit_is_set_in_the_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Waits for the ``max-file-size`` config key (config/keys.py) and ``--max-file-size`` (cli.py)."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "valohai-image-lint.toml").write_text("max-file-size = 100\n", encoding="utf-8")
    padded = tmp_path / "padded" / "valohai.yaml"
    size = _padded(padded)
    other = _other(tmp_path)  # under 100 bytes
    run = _lint(capsys, str(padded), str(other), isolated=False)
    _assert_sound(run, other)
    assert run.code == 2
    message = f"file is {size} bytes, over the 100-byte limit; {RAISE_THE_LIMIT}"
    assert run.err.splitlines()[0] == _error_line(str(padded), message)
    run = _lint(capsys, "--max-file-size", "1MiB", str(padded), str(other), isolated=False)
    _assert_sound(run, other)  # the command line wins over the config
    assert (run.code, _findings_of(run, padded)) == (1, [(3, 12, "VIL103")])


@pytest.mark.parametrize("value", ["-1", "0", "ten", "10XB", ""])
def test_the_size_limit_on_the_command_line_is_a_whole_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    """Waits for ``--max-file-size`` (cli.py); without it argparse calls the flag unknown, which passes too."""
    run = _lint(capsys, f"--max-file-size={value}", str(_other(tmp_path)))
    assert run.code == 2
    assert "Traceback" not in run.err
    assert run.err.startswith(f"{PROG}: error: ") and "max-file-size" in run.err


@pytest.mark.parametrize("value", ['"big"', "-5", "1.5", "true"])
def test_the_size_limit_in_the_config_is_a_whole_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    """Waits for the ``max-file-size`` config key (config/keys.py)."""
    (tmp_path / ".git").mkdir()
    config = tmp_path / "valohai-image-lint.toml"
    config.write_text(f"max-file-size = {value}\n", encoding="utf-8")
    run = _lint(capsys, str(_other(tmp_path)), isolated=False)
    assert run.code == 2
    assert "Traceback" not in run.err
    [line] = run.err.splitlines()
    assert line.startswith(f"{PROG}: error: {config}") and "max-file-size" in line


# -- paths -----------------------------------------------------------------------------------------


class Hostile(NamedTuple):
    argument: str  # what is passed on the command line
    line: str  # the error line expected on stderr


def _missing(tmp_path: Path) -> Hostile:
    path = tmp_path / "gone" / "valohai.yaml"
    return Hostile(str(path), _error_line(str(path), "no such file or directory"))


def _unreadable_file(tmp_path: Path) -> Hostile:
    path = tmp_path / "locked" / "valohai.yaml"
    path.parent.mkdir()
    path.write_text(STEP, encoding="utf-8")
    path.chmod(0)
    return Hostile(str(path), _error_line(str(path), "permission denied"))


def _unreadable_folder(tmp_path: Path) -> Hostile:
    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "valohai.yaml").write_text(STEP, encoding="utf-8")
    folder.chmod(0)
    return Hostile(str(folder), _error_line(str(folder), "cannot read directory: permission denied"))


def _symlink_loop(tmp_path: Path) -> Hostile:
    path = tmp_path / "loop" / "valohai.yaml"
    path.parent.mkdir()
    path.symlink_to(path)
    return Hostile(str(path), _error_line(str(path), "too many levels of symbolic links"))


def _symlink_loop_in_a_folder(tmp_path: Path) -> Hostile:
    folder = tmp_path / "loop"
    folder.mkdir()
    (folder / "valohai.yaml").symlink_to(folder / "valohai.yaml")
    (folder / "back").symlink_to(tmp_path, target_is_directory=True)  # a folder loop: skipped
    yaml = folder / "valohai.yaml"
    return Hostile(str(folder), _error_line(str(yaml), "too many levels of symbolic links"))


def _dangling_symlink(tmp_path: Path) -> Hostile:
    path = tmp_path / "dangling" / "valohai.yaml"
    path.parent.mkdir()
    path.symlink_to(tmp_path / "nowhere.yaml")
    return Hostile(str(path), _error_line(str(path), "no such file or directory"))


def _fifo(tmp_path: Path) -> Hostile:
    path = tmp_path / "fifo" / "valohai.yaml"
    path.parent.mkdir()
    os.mkfifo(path)
    return Hostile(
        str(path), _error_line(str(path), "not a regular file (a FIFO, socket or device); not read")
    )


def _fifo_in_a_folder(tmp_path: Path) -> Hostile:
    found = _fifo(tmp_path)
    return Hostile(str(Path(found.argument).parent), found.line)


def _spaces_and_non_ascii_missing(tmp_path: Path) -> Hostile:
    path = tmp_path / "my prøject ünïcode" / "valohai.yaml"
    return Hostile(str(path), _error_line(str(path), "no such file or directory"))


def _spaces_and_non_ascii_binary(tmp_path: Path) -> Hostile:
    path = tmp_path / "my prøject ünïcode" / "valohai.yaml"
    path.parent.mkdir()
    path.write_bytes(b"\x00")
    return Hostile(str(path), _error_line(str(path), BINARY, (1, 1)))


def _a_name_that_is_not_utf8(tmp_path: Path) -> Hostile:
    folder = tmp_path / os.fsdecode(b"caf\xe9 \xff")
    folder.mkdir()
    (folder / "valohai.yaml").write_bytes(b"\x00")
    shown = str(folder / "valohai.yaml").encode("utf-8", "backslashreplace").decode("utf-8")
    return Hostile(str(folder), _error_line(shown, BINARY, (1, 1)))


def _a_line_break_in_the_name(tmp_path: Path) -> Hostile:
    path = tmp_path / "a\nb\rc" / "valohai.yaml"
    return Hostile(str(path), _error_line(f"{tmp_path}/a\\nb\\rc/valohai.yaml", "no such file or directory"))


PATHS = [
    pytest.param(_missing, id="missing-file"),
    pytest.param(_unreadable_file, id="unreadable-file", marks=AS_ROOT),
    pytest.param(_unreadable_folder, id="unreadable-folder", marks=AS_ROOT),
    pytest.param(_symlink_loop, id="symlink-loop"),
    pytest.param(_symlink_loop_in_a_folder, id="symlink-loop-in-a-folder"),
    pytest.param(_dangling_symlink, id="dangling-symlink"),
    pytest.param(_fifo, id="fifo"),
    pytest.param(_fifo_in_a_folder, id="fifo-in-a-folder"),
    pytest.param(_spaces_and_non_ascii_missing, id="spaces-and-non-ascii-missing"),
    pytest.param(_spaces_and_non_ascii_binary, id="spaces-and-non-ascii-binary"),
    pytest.param(_a_name_that_is_not_utf8, id="a-name-that-is-not-utf8"),
    pytest.param(_a_line_break_in_the_name, id="a-line-break-in-the-name"),
]


@pytest.mark.parametrize("make", PATHS)
def test_hostile_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Callable[[Path], Hostile]
) -> None:
    hostile = make(tmp_path)
    other = _other(tmp_path)
    try:
        run = _lint(capsys, hostile.argument, str(other))
    finally:
        for locked in (tmp_path / "locked", tmp_path / "locked" / "valohai.yaml"):
            if locked.exists() and not locked.is_symlink():
                locked.chmod(0o755)
    _assert_sound(run, other)
    assert run.code == 2
    assert run.err.splitlines() == [hostile.line, "Found 1 problem (1 error) in 1 file."]


# -- a real process --------------------------------------------------------------------------------


def test_hostile_inputs_in_a_real_process(tmp_path: Path) -> None:
    """One ``python -m`` run over an alias bomb, deep nesting, a FIFO, UTF-16, a NUL byte and a
    file name that is not UTF-8, beside an ordinary config: each reported, the other linted."""
    files = {
        "bomb/valohai.yaml": _alias_bomb("list").encode(),
        "deep/valohai.yaml": f"{STEP}- x-data: {NESTINGS[0][1]}\n".encode(),
        "utf16/valohai.yaml": STEP.encode("utf-16"),
        "nul/valohai.yaml": b"- step:\x00\n",
        os.fsdecode(b"caf\xe9/valohai.yaml"): b"\x00",
    }
    for name, content in files.items():
        (tmp_path / name).parent.mkdir()
        (tmp_path / name).write_bytes(content)
    os.mkfifo(tmp_path / "fifo.yaml")
    _other(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "valohai_image_lint", "--isolated", "."],
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
        check=False,
    )
    out, err = result.stdout.decode("utf-8"), result.stderr.decode("utf-8")
    assert "Traceback" not in out + err, err
    assert result.returncode == 2
    assert err.splitlines()[:-1] == [
        f"{PROG}: error: caf\\udce9/valohai.yaml:1:1: {BINARY}",
        f"{PROG}: error: nul/valohai.yaml:1:8: {BINARY}",
        f"{PROG}: error: utf16/valohai.yaml:1:1: {WIDE}",
    ]
    assert "bomb/valohai.yaml:2:37: VIL102 " in out
    assert "deep/valohai.yaml:" in out and "nested too deeply" in out
    assert "other/valohai.yaml:3:12: VIL103 " in out
    fifo = subprocess.run(
        [sys.executable, "-m", "valohai_image_lint", "--isolated", "fifo.yaml", "other/valohai.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert fifo.returncode == 2
    assert (
        fifo.stderr.splitlines()[0]
        == f"{PROG}: error: fifo.yaml: not a regular file (a FIFO, socket or device); not read"
    )
    assert "other/valohai.yaml:3:12: VIL103 " in fifo.stdout
