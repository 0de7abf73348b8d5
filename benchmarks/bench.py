#!/usr/bin/env python3
"""Cold-start benchmarks: valohai-image-lint against yamllint, valohai-yaml and ruamel.yaml alone.

Every command runs as a whole new process of the interpreter that runs this script
(``sys.executable``); the time is the wall clock around the subprocess, so it includes interpreter
start-up and imports, as a pre-commit hook or a CI step pays them. Each command gets one untimed
warm-up run (which also checks its exit code and fills the page cache and ``__pycache__``); the
timed runs then go round-robin over the commands of a table, so drift hits them all alike.

Usage: python benchmarks/bench.py [--runs N] [--quick]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = Path("examples") / "valohai.yaml"  # relative to REPO_ROOT, where every command runs
PYTHON = sys.executable
INSTALL_HINT = "pip install -e '.[bench]'"
OURS = "valohai-image-lint"

DEFAULT_RUNS = 15
QUICK_RUNS = 5
MAIN_STEPS = 5_000
GROWTH_STEPS = (1_000, 5_000, 20_000)

# What our CLI does with the text before linting: compose every document with the pure-Python
# safe loader. The ratio against this is the cost of everything we add on top of the parser.
RUAMEL_SNIPPET = (
    "import sys\n"
    "from ruamel.yaml import YAML\n"
    "with open(sys.argv[1], encoding='utf-8') as f:\n"
    "    text = f.read()\n"
    "list(YAML(typ='safe', pure=True).compose_all(text))\n"
)

# A mix of what the rules look at: pinned versions and digests, floating tags, latest, no tag.
IMAGES = (
    "python:3.12.1-slim",
    "python:3.9",
    "nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04",
    "tensorflow/tensorflow:latest-gpu",
    "ghcr.io/acme/trainer@sha256:" + "0123456789abcdef" * 4,
    "python",
    "registry.example.com:5000/ml/tools:2.4.1",
    "pytorch/pytorch:2.1",
    "ubuntu:latest",
    "valohai/prophet:0.5.2",
)


class BenchFailure(Exception):
    """A command crashed or exited with a code that means failure."""


@dataclass(frozen=True)
class Command:
    label: str
    argv: tuple[str, ...]
    ok_codes: frozenset[int]  # exit codes that mean "ran to the end" (findings are not failures)


@dataclass(frozen=True)
class Timing:
    command: Command
    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def minimum(self) -> float:
        return min(self.samples)


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a missing parent package, e.g. "ruamel" for "ruamel.yaml"
        return False


def _run(command: Command, *, capture_stdout: bool = False) -> tuple[float, str]:
    """Run ``command`` once from the repository root; return its wall-clock seconds and stdout."""
    start = time.perf_counter()
    proc = subprocess.run(
        command.argv,
        cwd=REPO_ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE if capture_stdout else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    elapsed = time.perf_counter() - start
    stderr = proc.stderr.decode("utf-8", "replace")
    if proc.returncode not in command.ok_codes or "Traceback (most recent call last)" in stderr:
        tail = "\n".join(stderr.strip().splitlines()[-8:])
        raise BenchFailure(f"{command.label}: exit code {proc.returncode}\n{tail}".rstrip())
    stdout = proc.stdout.decode("utf-8", "replace") if capture_stdout else ""
    return elapsed, stdout


def measure(commands: Sequence[Command], runs: int, *, warmup: bool = True) -> tuple[list[Timing], list[str]]:
    """Time each command ``runs`` times, round-robin, after one warm-up run each if ``warmup``.

    Returns the timings of the commands that worked and the failure messages of those that did not.
    """
    failures: list[str] = []
    working: list[Command] = []
    for command in commands:
        try:
            if warmup:
                _run(command)
        except BenchFailure as exc:
            failures.append(str(exc))
        else:
            working.append(command)
    samples: dict[Command, list[float]] = {command: [] for command in working}
    for _ in range(runs):
        for command in list(samples):
            try:
                samples[command].append(_run(command)[0])
            except BenchFailure as exc:  # flaky: report it and drop the command
                failures.append(str(exc))
                del samples[command]
    return [Timing(command, tuple(times)) for command, times in samples.items()], failures


def peak_rss_mib(command: Command) -> float | None:
    """Peak resident set size of one run of ``command``, in MiB (None where it cannot be measured).

    ``os.wait4`` returns the rusage of that one child, so the figure is not polluted by earlier,
    bigger children the way ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` (a maximum over all of them) is.
    """
    if not hasattr(os, "wait4"):
        return None
    proc = subprocess.Popen(
        command.argv,
        cwd=REPO_ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in command.ok_codes:
        return None
    per_mib = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return usage.ru_maxrss / per_mib


def write_config(path: Path, steps: int) -> int:
    """Write a valohai.yaml with ``steps`` steps; return its number of lines."""
    lines: list[str] = [f"# generated by benchmarks/bench.py: {steps} steps"]
    for i in range(steps):
        lines += [
            "- step:",
            f"    name: train-{i:05d}",
            f"    image: {IMAGES[i % len(IMAGES)]}",
            "    command: [pip install -r requirements.txt, 'python train.py {parameters}']",
            "    parameters:",
            f"      - {{name: epochs, type: integer, default: {i % 50 + 1}}}",
            "      - {name: learning_rate, type: float, default: 0.001}",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def baseline_command() -> Command:
    return Command("python -c pass", (PYTHON, "-c", "pass"), frozenset({0}))


def ours_command(path: Path | str, label: str = OURS) -> Command:
    # 1 means "findings", which the example and the generated files have on purpose; 2 is an error.
    return Command(label, (PYTHON, "-m", "valohai_image_lint", str(path)), frozenset({0, 1}))


def comparison_commands(path: Path | str, *, with_ruamel: bool) -> tuple[list[Command], list[str]]:
    """The other tools on ``path``, and the skip messages for those that are not installed."""
    commands: list[Command] = []
    skipped: list[str] = []
    if _installed("yamllint"):
        argv: tuple[str, ...] = (PYTHON, "-m", "yamllint", "-d", "relaxed", "-f", "parsable", str(path))
        commands.append(Command("yamllint", argv, frozenset({0, 1})))
    else:
        skipped.append(f"skipped: yamllint not installed ({INSTALL_HINT})")
    if _installed("valohai_yaml"):
        # valohai-yaml's own CLI (the `valohai-yaml` console script): schema validation, then parse + lint.
        commands.append(Command("valohai-yaml", (PYTHON, "-m", "valohai_yaml", str(path)), frozenset({0, 1})))
    else:
        skipped.append(f"skipped: valohai-yaml not installed ({INSTALL_HINT})")
    if with_ruamel:
        if _installed("ruamel.yaml"):
            argv = (PYTHON, "-c", RUAMEL_SNIPPET, str(path))
            commands.append(Command("ruamel.yaml compose alone", argv, frozenset({0})))
        else:
            skipped.append(f"skipped: ruamel.yaml not installed ({INSTALL_HINT})")
    return commands, skipped


# Targets for our median over another command's median, from benchmarks/README.md, by table.
Targets = dict[str, list[tuple[str, float]]]  # label -> [(when, at most this ratio)]
EXAMPLE_TARGETS: Targets = {"python -c pass": [("later", 4.0)], "yamllint": [("now", 1.0), ("later", 0.5)]}
BIG_FILE_TARGETS: Targets = {"ruamel.yaml compose alone": [("target", 1.5)]}


def _target_marks(targets: list[tuple[str, float]], ratio: float) -> str:
    if not targets:
        return ""
    marks = ", ".join(
        f"{when} <= {limit:g}x {'met' if ratio <= limit else 'not met'}" for when, limit in targets
    )
    return f"   ({marks})"


def print_table(title: str, timings: Sequence[Timing], runs: int, targets: Targets) -> None:
    print(f"\n== {title}: {runs} timed runs each")
    width = max([len("command"), *(len(t.command.label) for t in timings)])
    print(f"  {'command':<{width}}  {'median s':>9}  {'min s':>9}")
    for timing in timings:
        print(f"  {timing.command.label:<{width}}  {timing.median:>9.3f}  {timing.minimum:>9.3f}")
    ours = next((t for t in timings if t.command.label == OURS), None)
    if ours is None:
        return
    others = [t for t in timings if t is not ours]
    if others:
        print("  ratios of medians:")
        name_width = max(len(t.command.label) for t in others)
        for other in others:
            ratio = ours.median / other.median
            marks = _target_marks(targets.get(other.command.label, []), ratio)
            print(f"    {OURS} / {other.command.label:<{name_width}} = {ratio:5.2f}x{marks}")


def print_growth(rows: Sequence[tuple[int, int, Timing]], cold_start: float | None) -> None:
    """Print our CLI's timings by file size; ``rows`` are (steps, lines, timing).

    ``cold_start`` is our median on the small example: start-up and imports, the fixed cost.
    """
    print("\n== growth: valohai-image-lint by file size")
    print(f"  {'steps':>7}  {'lines':>7}  {'median s':>9}  {'min s':>9}  {'ms per 1k steps':>16}")
    for steps, lines, timing in rows:
        per_k = "" if cold_start is None else f"{(timing.median - cold_start) / steps * 1e6:>16.1f}"
        print(f"  {steps:>7,}  {lines:>7,}  {timing.median:>9.3f}  {timing.minimum:>9.3f}  {per_k}")
    if cold_start is not None:
        print("  (ms per 1k steps: median minus our median on the example, per 1,000 steps)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=None,
        help=f"timed runs per command on the small example (default {DEFAULT_RUNS}, {QUICK_RUNS} with "
        "--quick); the big files get about a third of that, at least 3",
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer runs, and skip the 1k and 20k step growth series"
    )
    args = parser.parse_args(argv)
    runs: int = args.runs if args.runs is not None else (QUICK_RUNS if args.quick else DEFAULT_RUNS)
    if runs < 1:
        parser.error("--runs must be at least 1")
    big_runs = min(runs, max(3, runs // 3))

    print(f"python {platform.python_version()} ({PYTHON}) on {platform.platform()}, {os.cpu_count()} CPUs")
    print(f"repository: {REPO_ROOT}")
    failures: list[str] = []
    skipped: list[str] = []

    # 1. The example file: cold start dominates.
    others, skipped = comparison_commands(EXAMPLE, with_ruamel=False)
    for message in skipped:
        print(message)
    timings, failed = measure([baseline_command(), ours_command(EXAMPLE), *others], runs)
    failures += failed
    print_table(
        f"{EXAMPLE} ({len((REPO_ROOT / EXAMPLE).read_text().splitlines())} lines)",
        timings,
        runs,
        EXAMPLE_TARGETS,
    )
    ours_cold = next((t.median for t in timings if t.command.label == OURS), None)

    with tempfile.TemporaryDirectory(prefix="vil-bench-") as tmp:
        # The generator repeats every len(IMAGES) steps: a small sample shows whether it writes valid YAML.
        sample = Path(tmp) / "sample.yaml"
        write_config(sample, 2 * len(IMAGES))
        try:
            _, output = _run(ours_command(sample), capture_stdout=True)
        except BenchFailure as exc:
            failures.append(f"generated sample: {exc}")
        else:
            if "VIL001" in output:
                failures.append(f"the generated file is not valid YAML:\n{output.strip()}")
        if failures:
            return _report_failures(failures)

        sizes: dict[int, int] = {}  # steps -> lines
        paths: dict[int, Path] = {}
        for steps in (MAIN_STEPS,) if args.quick else GROWTH_STEPS:
            paths[steps] = Path(tmp) / f"valohai-{steps}.yaml"
            sizes[steps] = write_config(paths[steps], steps)

        # 2. The big file: parsing and rules dominate. No warm-up runs here: the example already
        # compiled our modules, and a warm-up of seconds would buy nothing against runs of seconds.
        big = paths[MAIN_STEPS]
        others, big_skipped = comparison_commands(big, with_ruamel=True)
        for message in big_skipped:
            if message not in skipped:
                print(message)
        timings, failed = measure([baseline_command(), ours_command(big), *others], big_runs, warmup=False)
        failures += failed
        print_table(
            f"generated valohai.yaml, {MAIN_STEPS:,} steps ({sizes[MAIN_STEPS]:,} lines)",
            timings,
            big_runs,
            BIG_FILE_TARGETS,
        )

        # 3. How our cost grows with the file (the 5,000-step figure is the one above).
        if not args.quick:
            growth_commands = {
                ours_command(paths[s], f"{OURS} ({s} steps)"): s for s in GROWTH_STEPS if s != MAIN_STEPS
            }
            measured, failed = measure(list(growth_commands), min(big_runs, 3), warmup=False)
            failures += failed
            growth: dict[int, Timing] = {growth_commands[t.command]: t for t in measured}
            ours_big = next((t for t in timings if t.command.label == OURS), None)
            if ours_big is not None:
                growth[MAIN_STEPS] = ours_big
            print_growth([(s, sizes[s], growth[s]) for s in sorted(growth)], ours_cold)

        # 4. Memory on the largest file.
        largest = max(paths)
        rss = peak_rss_mib(ours_command(paths[largest]))
        rss_base = peak_rss_mib(baseline_command())
        print(f"\n== peak RSS of {OURS} on the {largest:,}-step file")
        if rss is None:
            print("  not measured (needs os.wait4, and a run that exits 0 or 1)")
        else:
            base = "" if rss_base is None else f"  (python -c pass: {rss_base:.1f} MiB)"
            print(f"  {rss:.1f} MiB{base}")

    return _report_failures(failures)


def _report_failures(failures: Sequence[str]) -> int:
    """Print the failures, if any; return the exit code."""
    if not failures:
        return 0
    print("\nFAILED:")
    for message in failures:
        print("  " + message.replace("\n", "\n    "))
    return 1


if __name__ == "__main__":
    sys.exit(main())
