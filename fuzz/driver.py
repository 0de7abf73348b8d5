"""Running an atheris harness: its seed inputs, and libFuzzer in a child process.

Seeds are the harness's inline ones plus, when the project sits beside ``../shared``, the
shared corpus read where it lies (nothing is copied into the project). libFuzzer reads seed
inputs from files: the inline ones are written to a temporary folder for the run, and the list of
every seed file is handed over with ``-seed_inputs=@LIST``, so libFuzzer reads them but never
writes into the shared corpus. libFuzzer ends the process itself when it is done (without
running ``atexit`` handlers), so it runs in a forked child while this process waits, removes the
temporary folder and exits with the child's status: 0 when no input crashed.

Arguments are libFuzzer's: ``-runs=N`` tries N inputs, ``-max_total_time=S`` runs S seconds, a
folder is a corpus that libFuzzer reads and adds new inputs to. ``-seed_inputs=...`` given on
the command line replaces the seeds described above.
"""

from __future__ import annotations

import ctypes
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, NoReturn

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

TestOneInput = Callable[[bytes], None]


def shared_files(folder: str, suffixes: tuple[str, ...]) -> list[Path]:
    """The files under ``../shared/<folder>`` with one of ``suffixes``, sorted; none without it."""
    base = SHARED / folder
    if not base.is_dir():
        return []
    return sorted(path for path in base.rglob("*") if path.is_file() and path.name.endswith(suffixes))


def libfuzzer_args(argv: Sequence[str], seed_list: Path | None) -> list[str]:
    """``argv`` with ``-seed_inputs=@seed_list`` added, unless it names seed inputs itself."""
    args = list(argv)
    if seed_list is not None and not any(arg.startswith("-seed_inputs=") for arg in args[1:]):
        args.append(f"-seed_inputs=@{seed_list}")
    return args


def _write_seeds(folder: Path, inline: Iterable[bytes], files: Iterable[Path]) -> Path:
    """Write the inline seeds into ``folder``; return a file listing every seed file."""
    paths = [str(path) for path in files if "," not in str(path)]  # the list is comma-separated
    for number, seed in enumerate(inline):
        path = folder / f"inline-{number:04d}"
        path.write_bytes(seed)
        paths.append(str(path))
    seed_list = folder / "seed-inputs.txt"
    seed_list.write_text(",".join(paths), encoding="utf-8")
    return seed_list


def run(test_one_input: TestOneInput, inline: Iterable[bytes], files: Iterable[Path]) -> int:
    """Fuzz ``test_one_input`` with libFuzzer, seeded; return the exit status (0: no crash)."""
    import atheris  # type: ignore[import-untyped]

    with tempfile.TemporaryDirectory(prefix="valohai-image-lint-fuzz-") as folder:
        args = libfuzzer_args(sys.argv, _write_seeds(Path(folder), inline, files))
        sys.stdout.flush()
        sys.stderr.flush()
        child = os.fork()
        if child == 0:
            _fuzz_in_child(atheris, args, test_one_input)
        while True:
            try:
                _, status = os.waitpid(child, 0)
                break
            except KeyboardInterrupt:
                continue  # the child has it too (one process group): libFuzzer stops, we wait
    code = os.waitstatus_to_exitcode(status)
    return code if code >= 0 else 128 - code  # killed by a signal: 128 + its number, as shells say


def _fuzz_in_child(atheris: Any, args: list[str], test_one_input: TestOneInput) -> NoReturn:
    """Run libFuzzer in the forked child, which never returns into the parent's code.

    libFuzzer ends the process itself when done. After an uncaught exception atheris prints it and
    raises ``SystemExit``: the child then leaves through C's ``exit()``, whose handlers include
    libFuzzer's, which writes the crashing input and exits with libFuzzer's error code.
    """
    code = 70  # EX_SOFTWARE: libFuzzer returned, or could not start
    try:
        atheris.Setup(args, test_one_input)
        atheris.Fuzz()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
        sys.stdout.flush()
        sys.stderr.flush()
        ctypes.CDLL(None).exit(code)
    except BaseException:
        traceback.print_exc()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
