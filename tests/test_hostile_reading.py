"""Hostile files that the tool reads besides the linted ones, from a repository (issue 12):
``.gitignore``, config files (``--config``, ``pyproject.toml``, ``.valohai-image-lint.toml``),
and folder trees too deep to walk.

Each case goes through the real command line in-process (``main([...])``) and checks the exit
code, the one error line naming the path, that no traceback escapes, and generous time and
memory bounds. A case that could fill memory if it regressed (``/dev/zero``, a 2 GiB file) runs
``main`` in a child process under an address-space limit, so that a regression fails the test
instead of eating the machine; a FIFO that a regression would block on is released by a
watchdog, so that it fails the test instead of hanging it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import NamedTuple

import pytest
from process_peak import PEAK_KIB

from valohai_image_lint.cli import main
from valohai_image_lint.discovery import MAX_DEPTH

ROOT = Path(__file__).resolve().parent.parent
PROG = "valohai-image-lint"
STEP = "- step:\n    name: train\n    image: tensorflow/tensorflow:latest-gpu\n"
NOT_REGULAR = "cannot read: not a regular file (a FIFO, socket or device)"
SECONDS = 5.0  # generous: each case takes well under a second
MIB = 64  # traced peak in-process; a child process is limited to LIMIT_MIB of address space
LIMIT_MIB = 1024
WATCHDOG_SECONDS = 15.0


class Case(NamedTuple):
    args: list[str]
    code: int
    line: str  # the one error line expected on stderr (before the summary, if any)
    memory_sensitive: bool = False


def _repository(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "valohai.yaml").write_text(STEP, encoding="utf-8")
    return root


def _error(path: Path | str, message: str) -> str:
    return f"{PROG}: error: {path}: {message}"


def _gitignore_dev_zero(tmp_path: Path) -> Case:
    root = _repository(tmp_path)
    (root / ".gitignore").symlink_to("/dev/zero")
    return Case(["--isolated", str(root)], 2, _error(root / ".gitignore", NOT_REGULAR), memory_sensitive=True)


def _gitignore_fifo(tmp_path: Path) -> Case:
    root = _repository(tmp_path)
    os.mkfifo(root / ".gitignore")
    return Case(["--isolated", str(root)], 2, _error(root / ".gitignore", NOT_REGULAR))


def _gitignore_2_gib(tmp_path: Path) -> Case:
    root = _repository(tmp_path)
    with open(root / ".gitignore", "wb") as handle:
        handle.truncate(2 << 30)  # sparse: no disk space taken
    message = f"cannot read: file is {2 << 30} bytes, over the 10485760-byte limit"
    return Case(["--isolated", str(root)], 2, _error(root / ".gitignore", message), memory_sensitive=True)


def _config_option_fifo(tmp_path: Path) -> Case:
    root = _repository(tmp_path)
    os.mkfifo(root / "settings.toml")
    args = ["--config", str(root / "settings.toml"), str(root / "valohai.yaml")]
    return Case(args, 2, _error(root / "settings.toml", NOT_REGULAR))


def _config_option_dev_zero(tmp_path: Path) -> Case:
    root = _repository(tmp_path)
    return Case(
        ["--config", "/dev/zero", str(root / "valohai.yaml")], 2, _error("/dev/zero", NOT_REGULAR), True
    )


def _dedicated_config_fifo(tmp_path: Path) -> Case:
    root = _repository(tmp_path)
    os.mkfifo(root / ".valohai-image-lint.toml")
    return Case([str(root / "valohai.yaml")], 2, _error(root / ".valohai-image-lint.toml", NOT_REGULAR))


def _dedicated_config_dev_zero(tmp_path: Path) -> Case:
    root = _repository(tmp_path)
    (root / "valohai-image-lint.toml").symlink_to("/dev/zero")
    line = _error(root / "valohai-image-lint.toml", NOT_REGULAR)
    return Case([str(root / "valohai.yaml")], 2, line, memory_sensitive=True)


def _pyproject_2_gib(tmp_path: Path) -> Case:
    root = _repository(tmp_path)
    with open(root / "pyproject.toml", "wb") as handle:
        handle.truncate(2 << 30)
    message = f"cannot read: file is {2 << 30} bytes, over the 10485760-byte limit"
    return Case(
        [str(root / "valohai.yaml")], 2, _error(root / "pyproject.toml", message), memory_sensitive=True
    )


def _deep_folders(tmp_path: Path, depth: int) -> Path:
    root = _repository(tmp_path)
    chain = root
    for _ in range(depth):
        chain = chain / "d"
    # One call: the kernel makes every level (pathlib's mkdir(parents=True) recurses).
    subprocess.run(["mkdir", "-p", str(chain)], check=True)
    return root


def _folder_1500_deep(tmp_path: Path) -> Case:
    root = _deep_folders(tmp_path, 1500)
    too_deep = Path(root, *["d"] * (MAX_DEPTH + 1))
    message = f"folder nested more than {MAX_DEPTH} levels deep; not searched"
    return Case(["--isolated", str(root)], 2, _error(too_deep, message))


CASES = [
    pytest.param(_gitignore_dev_zero, id="gitignore-dev-zero"),
    pytest.param(_gitignore_fifo, id="gitignore-fifo"),
    pytest.param(_gitignore_2_gib, id="gitignore-2-gib-sparse"),
    pytest.param(_config_option_fifo, id="config-option-fifo"),
    pytest.param(_config_option_dev_zero, id="config-option-dev-zero"),
    pytest.param(_dedicated_config_fifo, id="dedicated-config-fifo"),
    pytest.param(_dedicated_config_dev_zero, id="dedicated-config-dev-zero"),
    pytest.param(_pyproject_2_gib, id="pyproject-2-gib-sparse"),
    pytest.param(_folder_1500_deep, id="folder-1500-deep"),
]


@contextmanager
def _released_fifos(tmp_path: Path) -> Iterator[None]:
    """If the run blocks on a FIFO under ``tmp_path`` (a regression), open its other end after
    ``WATCHDOG_SECONDS`` so that the run goes on and the time bound fails the test."""
    done = threading.Event()

    def release() -> None:
        if done.wait(WATCHDOG_SECONDS):
            return
        for fifo in (p for p in tmp_path.rglob("*") if p.is_fifo()):
            with suppress(OSError):  # nobody is reading it
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    watchdog = threading.Thread(target=release, daemon=True)
    watchdog.start()
    try:
        yield
    finally:
        done.set()
        watchdog.join()


class Run(NamedTuple):
    code: int
    out: str
    err: str
    seconds: float
    peak_mib: float


def _in_process(args: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Run:
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with _released_fifos(tmp_path):
            code = main(args)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] / (1 << 20)
    finally:
        tracemalloc.stop()
    out, err = capsys.readouterr()
    return Run(code, out, err, seconds, peak)


CHILD = (
    """
import resource, sys, time
limit = int(sys.argv[1]) << 20
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from valohai_image_lint.cli import main
code = main(sys.argv[2:])
sys.stdout.flush()
"""
    + PEAK_KIB
    + """sys.stderr.write("peak-rss-kib %d\\n" % peak)
sys.exit(code)
"""
)


def _in_a_child(args: list[str], tmp_path: Path) -> Run:
    env = dict(os.environ, PYTHONPATH=str(ROOT), VALOHAI_IMAGE_LINT_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("GITHUB_ACTIONS", None)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(LIMIT_MIB), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    seconds = time.perf_counter() - start
    lines = result.stderr.splitlines()
    peak = float(lines.pop().split()[1]) / 1024 if lines and lines[-1].startswith("peak-rss-kib") else 0.0
    return Run(result.returncode, result.stdout, "".join(f"{line}\n" for line in lines), seconds, peak)


@pytest.mark.parametrize("make", CASES)
def test_a_hostile_file_read_from_a_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Callable[[Path], Case]
) -> None:
    case = make(tmp_path)
    try:
        if case.memory_sensitive:
            run = _in_a_child(case.args, tmp_path)
            assert run.peak_mib < LIMIT_MIB / 4, f"peak RSS {run.peak_mib:.0f} MiB"
        else:
            main(["--isolated", "--no-cache", str(_repository(tmp_path / "warm"))])  # warm-up: imports
            capsys.readouterr()
            run = _in_process(case.args, capsys, tmp_path)
            assert run.peak_mib < MIB, f"traced peak {run.peak_mib:.1f} MiB"
    finally:
        _remove_deep_folders(tmp_path)
    assert "Traceback" not in run.out + run.err, run.err
    assert "Error" not in run.err, run.err  # MemoryError, RecursionError
    assert run.seconds < SECONDS, f"{run.seconds:.1f} s"
    assert run.code == case.code, run.err
    errors = [line for line in run.err.splitlines() if not line.startswith("Found ")]
    assert errors == [case.line]


def _remove_deep_folders(tmp_path: Path) -> None:
    """pytest's own clean-up of ``tmp_path`` recurses once per level: remove the chain first."""
    chain = tmp_path / "repo" / "d"
    if chain.is_dir() and not chain.is_symlink():
        subprocess.run(["rm", "-rf", str(chain)], check=True)


def test_a_folder_at_the_depth_limit_is_searched(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _deep_folders(tmp_path, MAX_DEPTH)
    deepest = Path(root, *["d"] * MAX_DEPTH)
    (deepest / "valohai.yaml").write_text(STEP, encoding="utf-8")
    try:
        code = main(["--isolated", "--no-cache", str(root)])
    finally:
        _remove_deep_folders(tmp_path)
    out, err = capsys.readouterr()
    assert code == 1, err
    assert f"{deepest / 'valohai.yaml'}:3:12: VIL103 " in out


# -- valid configuration that was ignored ------------------------------------------------------------

SPELLINGS = [
    ("dotted-key-under-tool", '[tool]\nvalohai-image-lint.select = ["VIL102"]\n'),
    ("tab-indented-header", '\t[tool.valohai-image-lint]\n\tselect = ["VIL102"]\n'),
    ("tab-indented-dotted-key", '[tool]\n\tvalohai-image-lint.select = ["VIL102"]\n'),
    ("inline-table", 'tool = { valohai-image-lint = { select = ["VIL102"] } }\n'),
    ("quoted-key", '[tool."valohai-image-lint"]\nselect = ["VIL102"]\n'),
    ("blanks-in-the-header", '[ tool . "valohai-image-lint" ]\nselect = ["VIL102"]\n'),
    ("escaped-key", '[tool."valohai\\u002Dimage-lint"]\nselect = ["VIL102"]\n'),
]


@pytest.mark.parametrize("pyproject", [pytest.param(text, id=name) for name, text in SPELLINGS])
def test_every_spelling_of_the_pyproject_table_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, pyproject: str
) -> None:
    root = _repository(tmp_path)
    (root / "pyproject.toml").write_text(f'{pyproject}\n[project]\nname = "x"\n', encoding="utf-8")
    assert main(["--show-settings", str(root / "valohai.yaml")]) == 0
    assert f"config file: {root / 'pyproject.toml'}" in capsys.readouterr().out
    # Linted with it (VIL103 for latest-gpu is not selected), then answered from the result
    # cache, which finds the same file by name.
    monkeypatch.setenv("VALOHAI_IMAGE_LINT_CACHE_DIR", str(tmp_path / "cache"))
    for _ in range(2):
        assert main([str(root / "valohai.yaml")]) == 0
        assert capsys.readouterr().out == ""
