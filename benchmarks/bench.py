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
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
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
SMALL_FILES = 1_000

# Every command runs with this environment: ours, less PYTHONDONTWRITEBYTECODE, so that the warm-up
# run leaves bytecode in __pycache__ as an installed package has it (pip compiles on install).
# Without that, every run would compile each module changed since __pycache__ was last written.
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}

# ruamel.yaml alone, two ways a user would read the file with it:
# - load: YAML(typ='safe').load, which uses libyaml's C parser when ruamel.yaml.clib is installed;
# - pure compose: YAML(typ='safe', pure=True).compose_all, ruamel's pure-Python parser and composer
#   (what our linter did before it read libyaml's events).
RUAMEL_LOAD = "ruamel.yaml load"
RUAMEL_COMPOSE = "ruamel.yaml pure compose"
RUAMEL_SNIPPETS = {
    RUAMEL_LOAD: (
        "import sys\n"
        "from ruamel.yaml import YAML\n"
        "with open(sys.argv[1], encoding='utf-8') as f:\n"
        "    text = f.read()\n"
        "YAML(typ='safe').load(text)\n"
    ),
    RUAMEL_COMPOSE: (
        "import sys\n"
        "from ruamel.yaml import YAML\n"
        "with open(sys.argv[1], encoding='utf-8') as f:\n"
        "    text = f.read()\n"
        "list(YAML(typ='safe', pure=True).compose_all(text))\n"
    ),
}

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
    before: Callable[[], None] | None = None  # run, untimed, before each run (edits a file)


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
    if command.before is not None:
        command.before()
    start = time.perf_counter()
    proc = subprocess.run(
        command.argv,
        cwd=REPO_ROOT,
        env=ENV,
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
        env=ENV,
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


def write_config(path: Path, steps: int, first: int = 0) -> int:
    """Write a valohai.yaml with ``steps`` steps, numbered from ``first``; return its number of lines."""
    lines: list[str] = [f"# generated by benchmarks/bench.py: {steps} steps"]
    for i in range(first, first + steps):
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


def write_monorepo(root: Path, count: int) -> list[Path]:
    """``count`` project folders under ``root``, each with a small valohai.yaml of 2 to 5 steps."""
    paths: list[Path] = []
    for i in range(count):
        folder = root / f"project-{i:04d}"
        folder.mkdir(parents=True)
        paths.append(folder / "valohai.yaml")
        write_config(paths[-1], 2 + i % 4, first=i)
    return paths


def baseline_command() -> Command:
    return Command("python -c pass", (PYTHON, "-c", "pass"), frozenset({0}))


CACHED = f"{OURS} (results cached)"


def ours_command(*paths: Path | str, label: str = OURS, cached: bool = False) -> Command:
    """Our CLI on ``paths``: with ``--no-cache`` (every file parsed and every rule run, the
    reference grammar imported) unless ``cached``, when a run after the warm-up answers each file
    from the result cache (an unchanged file, as in a repeat pre-commit or CI run)."""
    # 1 means "findings", which the example and the generated files have on purpose; 2 is an error.
    flags = () if cached else ("--no-cache",)
    return Command(label, (PYTHON, "-m", "valohai_image_lint", *flags, *map(str, paths)), frozenset({0, 1}))


EDITED = f"{OURS} (file edited: results miss, references cached)"


def edited_command(folder: Path) -> Command:
    """Our CLI on a copy of the example in ``folder`` whose last line changes before every run:
    the usual pre-commit run after an edit, where the file's result is not cached but the image
    references it names are (the warm-up run stores them)."""
    copy = folder / "valohai.yaml"
    text = (REPO_ROOT / EXAMPLE).read_text(encoding="utf-8")
    edits = iter(range(1_000_000))

    def edit() -> None:
        copy.write_text(f"{text}# edit {next(edits)}\n", encoding="utf-8")

    argv = (PYTHON, "-m", "valohai_image_lint", str(copy))
    return Command(EDITED, argv, frozenset({0, 1}), before=edit)


def console_script_command(path: Path | str, cached: bool = False) -> Command | None:
    """Our console script (what pre-commit and a shell run), where it is installed beside PYTHON."""
    script = shutil.which(OURS, path=str(Path(PYTHON).parent))
    if script is None:
        return None
    label = f"{OURS} (console script{', results cached' if cached else ''})"
    flags = () if cached else ("--no-cache",)
    return Command(label, (script, *flags, str(path)), frozenset({0, 1}))


def print_ratios(label: str, timings: Sequence[Timing], targets: Targets) -> None:
    """The ratios of one more of our rows (a cached run, the console script) to the others'."""
    mine = next((t for t in timings if t.command.label == label), None)
    if mine is None:
        return
    print(f"  ratios of medians, {label}:")
    others = [t for t in timings if not t.command.label.startswith(OURS)]
    name_width = max(len(t.command.label) for t in others)
    for other in others:
        ratio = mine.median / other.median
        marks = _target_marks(targets.get(other.command.label, []), ratio)
        print(f"    / {other.command.label:<{name_width}} = {ratio:5.2f}x{marks}")


def yamllint_command(*paths: Path | str) -> Command:
    argv = (PYTHON, "-m", "yamllint", "-d", "relaxed", "-f", "parsable", *map(str, paths))
    return Command("yamllint", argv, frozenset({0, 1}))


def ruamel_commands(path: Path | str, suffix: str = "") -> list[Command]:
    """ruamel.yaml alone on ``path``: the safe load and the pure compose (see RUAMEL_SNIPPETS)."""
    return [
        Command(label + suffix, (PYTHON, "-c", snippet, str(path)), frozenset({0}))
        for label, snippet in RUAMEL_SNIPPETS.items()
    ]


def comparison_commands(
    path: Path | str, *, linters: bool, with_ruamel: bool
) -> tuple[list[Command], list[str]]:
    """The other tools on ``path``, and the skip messages for those that are not installed."""
    commands: list[Command] = []
    skipped: list[str] = []
    if linters:
        if _installed("yamllint"):
            commands.append(yamllint_command(path))
        else:
            skipped.append(f"skipped: yamllint not installed ({INSTALL_HINT})")
        if _installed("valohai_yaml"):
            # valohai-yaml's own CLI (the `valohai-yaml` console script): schema validation, then
            # parse + lint.
            argv = (PYTHON, "-m", "valohai_yaml", str(path))
            commands.append(Command("valohai-yaml", argv, frozenset({0, 1})))
        else:
            skipped.append(f"skipped: valohai-yaml not installed ({INSTALL_HINT})")
    if with_ruamel:
        commands += ruamel_commands(path)
    return commands, skipped


# Targets for our median over another command's median, from benchmarks/README.md, by table.
Targets = dict[str, list[tuple[str, float]]]  # label -> [(when, at most this ratio)]
EXAMPLE_TARGETS: Targets = {"python -c pass": [("target", 4.0)], "yamllint": [("target", 0.5)]}
BIG_FILE_TARGETS: Targets = {RUAMEL_LOAD: [("target", 1.5)], RUAMEL_COMPOSE: [("target", 1.5)]}
SMALL_FILES_TARGETS: Targets = {"yamllint": [("target", 0.3)]}
# Linear growth: our cost per 1,000 steps on the largest file over that on the smallest.
LINEAR_TARGET = 1.5


def _target_marks(targets: list[tuple[str, float]], ratio: float) -> str:
    if not targets:
        return ""
    marks = ", ".join(
        f"{when} <= {limit:g}x {'met' if ratio <= limit else 'not met'}" for when, limit in targets
    )
    return f"   ({marks})"


def print_table(title: str, timings: Sequence[Timing], runs: int, targets: Targets, ours: str = OURS) -> None:
    print(f"\n== {title}: {runs} timed runs each")
    width = max([len("command"), *(len(t.command.label) for t in timings)])
    print(f"  {'command':<{width}}  {'median s':>9}  {'min s':>9}")
    for timing in timings:
        print(f"  {timing.command.label:<{width}}  {timing.median:>9.3f}  {timing.minimum:>9.3f}")
    mine = next((t for t in timings if t.command.label == ours), None)
    if mine is None:
        return
    others = [t for t in timings if t is not mine and not t.command.label.startswith(OURS)]
    if others:
        print("  ratios of medians:")
        name_width = max(len(t.command.label) for t in others)
        for other in others:
            ratio = mine.median / other.median
            marks = _target_marks(targets.get(other.command.label, []), ratio)
            print(f"    {ours} / {other.command.label:<{name_width}} = {ratio:5.2f}x{marks}")


def print_growth(rows: Sequence[tuple[int, int, dict[str, Timing]]], cold_start: float | None) -> None:
    """Our CLI and ruamel alone by file size; ``rows`` are (steps, lines, timings by label).

    ``cold_start`` is our median on the small example: start-up and imports, the fixed cost.
    """
    print("\n== growth: by file size (medians)")
    header = f"  {'steps':>7}  {'lines':>8}  {OURS + ' s':>22}  {'ms per 1k steps':>16}"
    header += "".join(f"  {'/ ' + label:>28}" for label in RUAMEL_SNIPPETS)
    print(header)
    per_k: dict[int, float] = {}
    for steps, lines, timings in rows:
        ours = timings.get(OURS)
        if ours is None:
            continue
        line = f"  {steps:>7,}  {lines:>8,}  {ours.median:>22.3f}"
        if cold_start is not None:
            per_k[steps] = (ours.median - cold_start) / steps * 1e6
            line += f"  {per_k[steps]:>16.1f}"
        else:
            line += f"  {'':>16}"
        for label in RUAMEL_SNIPPETS:
            other = timings.get(label)
            line += f"  {ours.median / other.median:>27.2f}x" if other else f"  {'':>28}"
        print(line)
    if cold_start is not None:
        print("  (ms per 1k steps: our median minus our median on the example, per 1,000 steps)")
    if len(per_k) >= 2 and per_k[min(per_k)] > 0:
        growth = per_k[max(per_k)] / per_k[min(per_k)]
        verdict = "linear" if growth <= LINEAR_TARGET else "not linear"
        print(
            f"  cost per step, {max(per_k):,} over {min(per_k):,} steps: {growth:.2f}x "
            f"(target <= {LINEAR_TARGET:g}x: {verdict})"
        )


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
        "--quick",
        action="store_true",
        help="fewer runs; no yamllint or valohai-yaml on the big file, no 1k and 20k step growth series",
    )
    args = parser.parse_args(argv)
    runs: int = args.runs if args.runs is not None else (QUICK_RUNS if args.quick else DEFAULT_RUNS)
    if runs < 1:
        parser.error("--runs must be at least 1")
    big_runs = min(runs, max(3, runs // 3))

    # A cache folder of the run's own: the user's cache is neither read nor written.
    cache = tempfile.mkdtemp(prefix="vil-bench-cache-")
    ENV["VALOHAI_IMAGE_LINT_CACHE_DIR"] = cache
    try:
        return _main(args, runs, big_runs)
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def _main(args: argparse.Namespace, runs: int, big_runs: int) -> int:
    print(f"python {platform.python_version()} ({PYTHON}) on {platform.platform()}, {os.cpu_count()} CPUs")
    print(f"repository: {REPO_ROOT}")
    clib = "installed" if _installed("_ruamel_yaml") else "not installed (pure-Python parser)"
    print(f"ruamel.yaml.clib: {clib}")
    failures: list[str] = []
    skipped: list[str] = []

    # 1. Start-up: the example file, where start-up and imports dominate.
    others, skipped = comparison_commands(EXAMPLE, linters=True, with_ruamel=False)
    for message in skipped:
        print(message)
    found = (console_script_command(EXAMPLE), console_script_command(EXAMPLE, cached=True))
    scripts = [script for script in found if script is not None]
    import_ruamel = Command("import ruamel.yaml", (PYTHON, "-c", "import ruamel.yaml"), frozenset({0}))
    cached = ours_command(EXAMPLE, label=CACHED, cached=True)
    edited_folder = tempfile.mkdtemp(prefix="vil-bench-edited-")
    edited = edited_command(Path(edited_folder))
    commands = [baseline_command(), ours_command(EXAMPLE), cached, edited, *scripts, *others]
    commands.append(import_ruamel)  # for scale: what importing all of ruamel.yaml costs
    try:
        timings, failed = measure(commands, runs)
    finally:
        shutil.rmtree(edited_folder, ignore_errors=True)
    failures += failed
    print_table(
        f"start-up: {EXAMPLE} ({len((REPO_ROOT / EXAMPLE).read_text().splitlines())} lines)",
        timings,
        runs,
        EXAMPLE_TARGETS,
    )
    for extra in (cached, edited, *scripts):
        print_ratios(extra.label, timings, EXAMPLE_TARGETS)
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
        others, big_skipped = comparison_commands(big, linters=not args.quick, with_ruamel=True)
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
        growth: dict[int, dict[str, Timing]] = {
            MAIN_STEPS: {t.command.label: t for t in timings if t.command.label in (OURS, *RUAMEL_SNIPPETS)}
        }

        # 3. How the cost grows with the file, against ruamel alone on each size.
        if not args.quick:
            by_command: dict[Command, tuple[int, str]] = {}
            for steps in GROWTH_STEPS:
                if steps == MAIN_STEPS:
                    continue
                suffix = f" ({steps:,} steps)"
                ours = ours_command(paths[steps], label=OURS + suffix)
                for command in (ours, *ruamel_commands(paths[steps], suffix)):
                    by_command[command] = (steps, command.label.removesuffix(suffix))
            measured, failed = measure(list(by_command), min(big_runs, 3), warmup=False)
            failures += failed
            for timing in measured:
                steps, label = by_command[timing.command]
                growth.setdefault(steps, {})[label] = timing
            print_growth([(s, sizes[s], growth[s]) for s in sorted(growth)], ours_cold)

        # 4. Many small files in one invocation: a monorepo's `pre-commit run --all-files`.
        small = write_monorepo(Path(tmp) / "monorepo", SMALL_FILES)
        small_commands = [ours_command(*small), ours_command(*small, label=CACHED, cached=True)]
        if _installed("yamllint"):
            small_commands.append(yamllint_command(*small))
        timings, failed = measure(small_commands, big_runs)  # the warm-up fills the result cache
        failures += failed
        print_table(
            f"{SMALL_FILES:,} small valohai.yaml files (2 to 5 steps each), all in one invocation",
            timings,
            big_runs,
            SMALL_FILES_TARGETS,
        )
        print_ratios(CACHED, timings, SMALL_FILES_TARGETS)

        # 5. Memory on the largest file.
        largest = max(paths)
        print(f"\n== peak RSS on the {largest:,}-step file ({sizes[largest]:,} lines), one run each")
        for command in (baseline_command(), ours_command(paths[largest]), *ruamel_commands(paths[largest])):
            rss = peak_rss_mib(command)
            shown = "not measured (needs os.wait4 and exit 0 or 1)" if rss is None else f"{rss:.1f} MiB"
            print(f"  {command.label:<28}  {shown}")

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
