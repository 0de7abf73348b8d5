#!/usr/bin/env python3
"""Cold-start benchmarks: valohai-image-lint against yamllint, valohai-yaml and ruamel.yaml alone.

Every command runs as a whole new process of the interpreter that runs this script
(``sys.executable``); the time is the wall clock around the subprocess, so it includes interpreter
start-up and imports, as a pre-commit hook or a CI step pays them. Each command gets one untimed
warm-up run (which also checks its exit code and fills the page cache and ``__pycache__``); the
timed runs then go round-robin over the commands of a table, so drift hits them all alike.

With ``--baseline REF`` the start-up section also times the package as it is at git REF (exported
with ``git archive``), side by side; it checks, under ``-X importtime``, that an offline run imports
nothing of the online checks. The online section times ``--online`` against Debian's real
``docker-registry`` on 127.0.0.1 (started through tests/registry_harness.py), and skopeo.

The server section starts ``valohai-image-lint server`` and speaks LSP to it (a client of its own
here, not pytest-lsp): didChange to publishDiagnostics, debounce excluded, and the memory of an idle
server with 20 documents open, beside efm-langserver and yaml-language-server where installed.

Usage: python benchmarks/bench.py [--runs N] [--quick] [--baseline REF] [--only SECTION,...] [--images N]
       [--changes N] [--documents N]
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import platform
import re
import select
import shlex
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    env: Mapping[str, str] | None = field(default=None, compare=False)  # None: ENV
    cwd: Path | None = None  # None: REPO_ROOT


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
        cwd=command.cwd or REPO_ROOT,
        env=ENV if command.env is None else command.env,
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
        cwd=command.cwd or REPO_ROOT,
        env=ENV if command.env is None else command.env,
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
    others = [t for t in timings if not t.command.label.startswith(OURS)]
    if not others:
        return
    print(f"  ratios of medians, {label}:")
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


# -- offline imports and the baseline ---------------------------------------------------------------

# What only an online run may import: the HTTP stack, the thread pool, and our online modules. An
# offline run (the default) must import none of them: its start-up must not grow with the online
# checks.
ONLINE_ONLY_MODULES = (
    "requests",
    "urllib3",
    "certifi",
    "charset_normalizer",
    "idna",
    "http.client",
    "ssl",
    "concurrent.futures",
    "valohai_image_lint.registry_client",
    "valohai_image_lint.lookups",
    "valohai_image_lint.credentials",
    "valohai_image_lint.cache.facts",
)


def imported_modules(command: Command) -> list[str]:
    """The modules one run of ``command`` (a ``python ...`` command) imports, in order, read from
    ``-X importtime``'s report on stderr."""
    argv = (command.argv[0], "-X", "importtime", *command.argv[1:])
    proc = subprocess.run(
        argv,
        cwd=command.cwd or REPO_ROOT,
        env=ENV if command.env is None else command.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    stderr = proc.stderr.decode("utf-8", "replace")
    if proc.returncode not in command.ok_codes or "Traceback (most recent call last)" in stderr:
        tail = "\n".join(stderr.strip().splitlines()[-8:])
        raise BenchFailure(f"{command.label} -X importtime: exit code {proc.returncode}\n{tail}".rstrip())
    prefix = "import time:"
    names = [line.rsplit("|", 1)[1].strip() for line in stderr.splitlines() if line.startswith(prefix)]
    return [name for name in names if name != "package"]  # the header line: "self [us] | ... | package"


def check_offline_imports(commands: Sequence[Command]) -> list[str]:
    """Print how many modules each offline command imports and which online-only ones; return a
    failure for each online-only module our current CLI imports offline."""
    print(f"\n== offline imports (one run each under -X importtime): {EXAMPLE}")
    failures: list[str] = []
    for command in commands:
        try:
            modules = imported_modules(command)
        except BenchFailure as exc:
            failures.append(str(exc))
            continue
        online = [name for name in ONLINE_ONLY_MODULES if name in modules]
        print(
            f"  {command.label}: {len(modules)} modules; online-only imported: {', '.join(online) or 'none'}"
        )
        if online and command.label == OURS:
            failures.append(f"an offline run imports online-only modules: {', '.join(online)}")
    print(f"  (online-only: {', '.join(ONLINE_ONLY_MODULES)})")
    return failures


def export_ref(ref: str, folder: Path) -> str:
    """Write the package ``valohai_image_lint`` as it is at git ``ref`` into ``folder``; return the
    ref's short commit name and subject."""

    def git(*args: str) -> bytes:
        done = subprocess.run(["git", "-C", str(REPO_ROOT), *args], capture_output=True, check=False)
        if done.returncode != 0:
            raise BenchFailure(f"git {' '.join(args)}: {done.stderr.decode('utf-8', 'replace').strip()}")
        return done.stdout

    commit = git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode().strip()
    archive = git("archive", "--format=tar", commit, "valohai_image_lint")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(folder, filter="data")
        else:  # Python < 3.10.12 / 3.11.4: git archive writes plain files and folders only
            tar.extractall(folder)
    return git("log", "-1", "--format=%h %s", commit).decode().strip()


def baseline_commands(folder: Path, cache: Path, short: str) -> tuple[list[Command], Command]:
    """Our CLI as exported into ``folder``, on the example, from the repository root like ours: the
    cold row and the results-cached one (with a cache folder of its own, whose format may differ),
    and a command that prints which package the baseline imports.

    ``-P`` (Python 3.11+) keeps the current folder (which holds today's package) off ``sys.path``,
    so that PYTHONPATH, the export, comes first; before 3.11 a ``-c`` bootstrap puts it first."""
    env = {**ENV, "PYTHONPATH": str(folder), "VALOHAI_IMAGE_LINT_CACHE_DIR": str(cache)}
    if sys.version_info >= (3, 11):
        start: tuple[str, ...] = (PYTHON, "-P", "-m", "valohai_image_lint")
        probe = (PYTHON, "-P", "-c", "import valohai_image_lint as p; print(p.__file__)")
    else:
        boot = f"import sys, runpy; sys.path[0:1] = [{str(folder)!r}]; "
        start = (PYTHON, "-c", boot + "runpy.run_module('valohai_image_lint', run_name='__main__')")
        probe = (PYTHON, "-c", boot + "import valohai_image_lint as p; print(p.__file__)")
    label = f"{OURS} @ {short.split()[0]}"
    rows = [
        Command(label, (*start, "--no-cache", str(EXAMPLE)), frozenset({0, 1}), env=env),
        Command(f"{label} (results cached)", (*start, str(EXAMPLE)), frozenset({0, 1}), env=env),
    ]
    return rows, Command(f"{label} (which package)", probe, frozenset({0}), env=env)


# The start-up of an offline run against the baseline ref's: at most this ratio (noise aside).
BASELINE_TARGET = 1.05


def print_baseline(timings: Sequence[Timing], pairs: Sequence[tuple[str, str]]) -> None:
    """Our medians over the baseline's, for each (ours, baseline) pair of labels."""
    by_label = {t.command.label: t for t in timings}
    for ours, theirs in pairs:
        if ours in by_label and theirs in by_label:
            ratio = by_label[ours].median / by_label[theirs].median
            marks = _target_marks([("target", BASELINE_TARGET)], ratio)
            print(f"    {ours} / {theirs} = {ratio:5.2f}x{marks}")


# -- online lookups ---------------------------------------------------------------------------------

DEFAULT_IMAGES = 20
ONLINE_COLD = f"{OURS} --online --no-cache"
ONLINE_WARM = f"{OURS} --online (facts cached)"
ONLINE_OFFLINE = f"{OURS} --no-cache (offline, for scale)"
SKOPEO = "skopeo inspect, once per image"
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def online_section(runs: int, images: int) -> list[str]:
    """Time the online checks against Debian's real ``docker-registry`` on 127.0.0.1 (through
    tests/registry_harness.py), with ``images`` images pushed; return the failures."""
    print(f"\n== online lookups: {images} images in a local docker-registry")
    if shutil.which("docker-registry") is None:
        print("  skipped: docker-registry is not installed (Debian: apt-get install docker-registry)")
        return []
    sys.path.insert(0, str(REPO_ROOT / "tests"))
    try:
        import registry_harness
    except ImportError as exc:  # pytest, requests, cryptography: the test extra
        print(f"  skipped: tests/registry_harness.py needs {exc.name} (pip install -e '.[test]')")
        return []
    finally:
        sys.path.remove(str(REPO_ROOT / "tests"))
    with tempfile.TemporaryDirectory(prefix="vil-bench-online-") as tmp:
        folder = Path(tmp)
        with registry_harness.start_registry(folder) as registry:
            proxy = registry_harness.FrontProxy(registry)
            try:
                return _online(runs, images, folder, registry, proxy)
            finally:
                proxy.stop()


def _online(runs: int, images: int, folder: Path, registry: object, proxy: object) -> list[str]:
    from registry_harness import FrontProxy, Registry

    assert isinstance(registry, Registry) and isinstance(proxy, FrontProxy)
    names: list[str] = []
    multi = 0
    for i in range(images):
        repository, tag = f"bench/app-{i:02d}", f"1.{i}.0"
        platforms = ("linux/amd64", "linux/arm64") if i % 4 == 0 else ("linux/amd64",)
        multi += len(platforms) > 1
        registry.push(repository, tag, platforms=platforms, media="docker" if i % 3 == 1 else "oci")
        names.append(f"{proxy.host}/{repository}:{tag}")  # looked up through the counting proxy
    config = folder / "valohai.yaml"
    config.write_text(
        "".join(
            f"- step:\n    name: step-{i:02d}\n    image: {name}\n    command: python train.py\n"
            for i, name in enumerate(names)
        ),
        encoding="utf-8",
    )
    print(
        f"  {images} images ({multi} multi-platform: linux/amd64 and linux/arm64), pushed to {registry.url},"
    )
    print(f"  named in {config.name} through a request-counting proxy at {proxy.url}")

    # Only 127.0.0.1: no proxy settings, no user credentials, a cache folder of the section's own.
    docker_config = folder / "docker"
    docker_config.mkdir()
    env = {
        name: value
        for name, value in ENV.items()
        if name.lower() not in PROXY_VARIABLES and name != "REGISTRY_AUTH_FILE"
    }
    env.update(
        NO_PROXY="127.0.0.1,localhost",
        DOCKER_CONFIG=str(docker_config),
        REGISTRY_AUTH_FILE=str(docker_config / "auth.json"),
        VALOHAI_IMAGE_LINT_CACHE_DIR=str(folder / "cache"),
    )
    lint = (PYTHON, "-m", "valohai_image_lint", "--online")
    cold = Command(ONLINE_COLD, (*lint, "--no-cache", str(config)), frozenset({0, 1}), env=env)
    warm = Command(ONLINE_WARM, (*lint, str(config)), frozenset({0, 1}), env=env)
    offline = Command(ONLINE_OFFLINE, (*lint[:-1], "--no-cache", str(config)), frozenset({0, 1}), env=env)
    commands = [cold, warm, offline]
    skopeo = shutil.which("skopeo")
    if skopeo is None:
        print("  skopeo row skipped: skopeo is not installed (Debian: apt-get install skopeo)")
    else:
        each = " ".join(shlex.quote(f"docker://{name}") for name in names)
        inspect = f"{shlex.quote(skopeo)} inspect --tls-verify=false"
        loop = f'for image in {each}; do {inspect} "$image" >/dev/null || exit 1; done'
        commands.append(Command(SKOPEO, ("/bin/sh", "-c", loop), frozenset({0}), env=env))

    failures: list[str] = []
    try:
        _, output = _run(cold, capture_stdout=True)
    except BenchFailure as exc:
        return [str(exc)]
    wrong = [line for line in output.splitlines() if ": VIL4" in line]
    if wrong:  # every image exists and runs on linux/amd64: no online finding is expected
        return ["online: findings where the registry has every image:\n" + "\n".join(wrong[:5])]

    timings, failed = measure(commands, runs)  # the warm-up run fills the facts cache
    failures += failed
    print_table(f"online lookups, {images} images", timings, runs, {}, ours=ONLINE_COLD)
    print_ratios(ONLINE_WARM, timings, {})

    # One more run of each, untimed, counting what reaches the registry.
    print("  requests per run, counted by the proxy:")
    for timing in timings:
        before = len(proxy.requests)
        try:
            _run(timing.command)
        except BenchFailure as exc:
            failures.append(str(exc))
            continue
        count = len(proxy.requests) - before
        print(f"    {timing.command.label:<{max(len(t.command.label) for t in timings)}}  {count:>4}")
        if timing.command is warm and count:
            failures.append(f"{ONLINE_WARM}: {count} requests with every fact cached (expected none)")

    # lookups.py: "a warm run makes no request. requests is imported here only when a lookup has
    # to be made". Reported, not failed: the request count above is the requirement.
    try:
        modules = imported_modules(warm)
    except BenchFailure as exc:
        failures.append(str(exc))
    else:
        online = [name for name in ONLINE_ONLY_MODULES if name in modules]
        http = [name for name in ("requests", "urllib3", "ssl") if name in modules]
        verdict = f"imports {', '.join(http)} with no request to make" if http else "no HTTP stack imported"
        print(f"  {ONLINE_WARM}, imports (-X importtime): {len(modules)} modules; {verdict}")
        print(f"    online-only imported: {', '.join(online) or 'none'}")
    return failures


# -- the language server ----------------------------------------------------------------------------

SERVER_CHANGES = 50
SERVER_DOCUMENTS = 20
SERVER_STEPS = 29  # 1 + 7 * 29 = 204 lines: the "200-line file"
SERVER_TARGET_MS = 10.0  # median didChange -> publishDiagnostics, debounce excluded
SERVER_WAIT = 30.0  # seconds any one reply or publish may take before the section fails
SERVER_WARMUP = 3  # untimed changes on each server first (imports, rule pages, references)
IDLE_SECONDS = 1.0
OPEN_WAIT = 3.0  # seconds each opened document's first publish is waited for, in the memory table
SHIPPED_DEBOUNCE_MS = 150.0  # valohai_image_lint.server.DEBOUNCE_SECONDS, checked against the module
SERVER_ARGV = (PYTHON, "-m", "valohai_image_lint", "server")
# The same CLI entry (`main(["server"])`), with the server built with no debounce: build_server's
# `debounce` parameter, which the tests use the same way. server.py itself is not changed.
NO_DEBOUNCE = (
    "import functools, sys\n"
    "from valohai_image_lint import server\n"
    "server.build_server = functools.partial(server.build_server, debounce=0.0)\n"
    "from valohai_image_lint.cli import main\n"
    "sys.exit(main(['server']))\n"
)


class LspError(Exception):
    """A language server died, answered with an error, or was silent too long."""


class LspClient:
    """Just enough of an LSP client for the benchmark: JSON-RPC with Content-Length framing over a
    server's stdin and stdout, read with select in this one thread (no reader thread: a message is
    stamped with ``time.perf_counter()`` when its last byte has been read). Requests from the server
    are answered at once (``workspace/configuration`` with ``configuration``, anything else with
    null); notifications other than the one waited for are dropped, publishes counted per URI."""

    def __init__(
        self,
        label: str,
        argv: Sequence[str],
        cwd: Path,
        env: Mapping[str, str],
        configuration: Mapping[str, object] | None = None,
    ) -> None:
        self.label = label
        self.configuration = dict(configuration or {})
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self._in = self.process.stdin.fileno()
        self._out = self.process.stdout.fileno()
        self._buffer = bytearray()
        self._ids = iter(range(1, 1 << 30))
        self.published: dict[str, int] = {}  # uri -> publishes seen

    # -- framing

    def send(self, message: Mapping[str, object]) -> float:
        """Write one message; return ``perf_counter()`` just before its first byte was written."""
        body = json.dumps({"jsonrpc": "2.0", **message}, separators=(",", ":")).encode("utf-8")
        data = memoryview(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        start = time.perf_counter()
        while data:
            _, writable, _ = select.select([], [self._in], [], SERVER_WAIT)
            if not writable:
                raise LspError(f"{self.label}: does not read its input for {SERVER_WAIT:g} s")
            try:
                written = os.write(self._in, data[:65536])
            except BrokenPipeError:
                raise LspError(f"{self.label}: exited ({self._tail()})") from None
            data = data[written:]
        return start

    def _frame(self) -> dict[str, Any] | None:
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        length = None
        for line in bytes(self._buffer[:end]).split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length is None:
            raise LspError(f"{self.label}: a message without Content-Length: {bytes(self._buffer[:end])!r}")
        if len(self._buffer) < end + 4 + length:
            return None
        body = bytes(self._buffer[end + 4 : end + 4 + length])
        del self._buffer[: end + 4 + length]
        message: dict[str, Any] = json.loads(body)
        return message

    def receive(self, deadline: float) -> tuple[float, dict[str, Any]]:
        """The next message and when it was read in full; server requests are answered first."""
        while True:
            message = self._frame()
            if message is not None:
                stamp = time.perf_counter()
                if "method" in message and "id" in message:
                    self._answer(message)
                    continue
                if message.get("method") == "textDocument/publishDiagnostics":
                    uri = message["params"]["uri"]
                    self.published[uri] = self.published.get(uri, 0) + 1
                return stamp, message
            left = deadline - time.monotonic()
            readable, _, _ = select.select([self._out], [], [], max(left, 0.0))
            if not readable:
                raise LspError(f"{self.label}: nothing came in time")
            chunk = os.read(self._out, 1 << 20)
            if not chunk:
                raise LspError(f"{self.label}: exited ({self._tail()})")
            self._buffer += chunk

    def _answer(self, request: Mapping[str, Any]) -> None:
        result: object = None
        if request["method"] == "workspace/configuration":
            items = request.get("params", {}).get("items", [])
            result = [self.configuration.get(item.get("section", "")) for item in items]
        self.send({"id": request["id"], "result": result})

    def _tail(self) -> str:
        self.stderr.seek(0)
        lines = self.stderr.read().decode("utf-8", "replace").strip().splitlines()
        return "; ".join(lines[-3:]) or f"exit code {self.process.poll()}"

    # -- LSP

    def request(self, method: str, params: object) -> Any:
        ident = next(self._ids)
        self.send({"id": ident, "method": method, "params": params})
        deadline = time.monotonic() + SERVER_WAIT
        while True:
            _, message = self.receive(deadline)
            if message.get("id") == ident and "method" not in message:
                if "error" in message:
                    raise LspError(f"{self.label}: {method}: {message['error']}")
                return message.get("result")

    def notify(self, method: str, params: object) -> float:
        return self.send({"method": method, "params": params})

    def initialize(self, root: Path) -> dict[str, Any]:
        """initialize and initialized; returns the server's capabilities."""
        capabilities = {
            "textDocument": {
                "publishDiagnostics": {"versionSupport": True},
                "synchronization": {"didSave": True},
            },
            "workspace": {"configuration": True},
        }
        params = {
            "processId": os.getpid(),
            "rootUri": root.as_uri(),
            "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
            "capabilities": capabilities,
        }
        result = self.request("initialize", params)
        self.notify("initialized", {})
        if self.configuration:  # yaml-language-server also takes its settings this way
            self.notify("workspace/didChangeConfiguration", {"settings": self.configuration})
        capabilities_found: dict[str, Any] = (result or {}).get("capabilities", {})
        return capabilities_found

    def open(self, path: Path, text: str, version: int = 1) -> float:
        document = {"uri": path.as_uri(), "languageId": "yaml", "version": version, "text": text}
        return self.notify("textDocument/didOpen", {"textDocument": document})

    def change(self, path: Path, text: str, version: int) -> float:
        """A whole-text change (a content change without a range replaces the text under either
        sync kind)."""
        params = {
            "textDocument": {"uri": path.as_uri(), "version": version},
            "contentChanges": [{"text": text}],
        }
        return self.notify("textDocument/didChange", params)

    def save(self, path: Path, text: str | None) -> float:
        params: dict[str, object] = {"textDocument": {"uri": path.as_uri()}}
        if text is not None:
            params["text"] = text
        return self.notify("textDocument/didSave", params)

    def wait_for_publish(
        self, uri: str, version: int | None = None, wait: float = SERVER_WAIT
    ) -> tuple[float, list[Any]]:
        """When the next publish of ``uri`` (with ``version``, if given) was read, and its diagnostics;
        LspError after ``wait`` seconds without it."""
        deadline = time.monotonic() + wait
        while True:
            stamp, message = self.receive(deadline)
            if message.get("method") != "textDocument/publishDiagnostics":
                continue
            params = message["params"]
            if params["uri"] == uri and (version is None or params.get("version") == version):
                return stamp, params["diagnostics"]

    def drain(self, seconds: float) -> None:
        """Read (and answer) whatever comes for ``seconds``: the server idles, its pipe stays empty."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                self.receive(deadline)
            except LspError:
                if self.process.poll() is not None:
                    raise
                return

    def close(self) -> None:
        """shutdown and exit, politely; killed if it does not go within 5 s."""
        try:
            if self.process.poll() is None:
                self.request("shutdown", None)
                self.notify("exit", None)
                self.process.wait(timeout=5)
        except (LspError, subprocess.TimeoutExpired, OSError):
            pass
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(timeout=10)
            for stream in (self.process.stdin, self.process.stdout):
                if stream is not None:
                    stream.close()
            self.stderr.close()


def memory_kib(pid: int) -> dict[str, int] | None:
    """VmRSS and VmHWM (the peak) of a process, in KiB, from /proc (None without /proc)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    found = {}
    for line in status.splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0])
    return found if len(found) == 2 else None


def sync_kind(capabilities: Mapping[str, Any]) -> int | None:
    """textDocumentSync's change kind: 0 none, 1 full, 2 incremental."""
    sync = capabilities.get("textDocumentSync")
    if isinstance(sync, int):
        return sync
    if isinstance(sync, dict):
        change = sync.get("change")
        return change if isinstance(change, int) else None
    return None


def save_includes_text(capabilities: Mapping[str, Any]) -> bool:
    sync = capabilities.get("textDocumentSync")
    save = sync.get("save") if isinstance(sync, dict) else None
    return bool(isinstance(save, dict) and save.get("includeText"))


def server_config_text(first: int = 0) -> str:
    """A generated valohai.yaml of SERVER_STEPS steps (204 lines): images of every kind, so rules fire."""
    with tempfile.TemporaryDirectory(prefix="vil-bench-text-") as tmp:
        path = Path(tmp) / "valohai.yaml"
        write_config(path, SERVER_STEPS, first=first)
        return path.read_text(encoding="utf-8")


def edited_text(text: str, change: int) -> str:
    """``text`` with the image of one step (the ``change``-th, round the file) given a new tag."""
    lines = text.splitlines(keepends=True)
    images = [i for i, line in enumerate(lines) if line.startswith("    image: ")]
    where = images[change % len(images)]
    lines[where] = f"    image: python:3.11.{change + 1}\n"
    return "".join(lines)


def _quantile(samples: Sequence[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def server_section(changes: int, documents: int) -> list[str]:
    """The language server: didChange to publishDiagnostics on a 204-line valohai.yaml, debounce
    excluded; memory idle with ``documents`` documents open, against efm-langserver and
    yaml-language-server where they are installed. Returns the failures."""
    print("\n== language server (valohai-image-lint server)")
    missing = [module for module in ("pygls", "lsprotocol") if not _installed(module)]
    if missing:
        print(
            f"  skipped: the server extra is not installed ({', '.join(missing)}): pip install -e '.[server]'"
        )
        return []
    # The shipped debounce, read from the source: this script does not import the package.
    source = (REPO_ROOT / "valohai_image_lint" / "server.py").read_text(encoding="utf-8")
    match = re.search(r"^DEBOUNCE_SECONDS = ([0-9.]+)$", source, re.M)
    if match is None:
        return ["server: no DEBOUNCE_SECONDS = <seconds> in valohai_image_lint/server.py"]
    shipped_ms = float(match.group(1)) * 1000
    if shipped_ms != SHIPPED_DEBOUNCE_MS:
        print(f"  (the shipped debounce is {shipped_ms:g} ms, not {SHIPPED_DEBOUNCE_MS:g}: subtracting that)")
    with tempfile.TemporaryDirectory(prefix="vil-bench-server-") as tmp:
        root = Path(tmp)
        (root / ".git").mkdir()  # a repository root: no config above it counts
        failures: list[str] = []
        try:
            _server_latency(root, changes, shipped_ms)
        except LspError as exc:
            failures.append(f"server latency: {exc}")
        try:
            _server_memory(root, documents)
        except LspError as exc:
            failures.append(f"server memory: {exc}")
        return failures


def _server_latency(root: Path, changes: int, shipped_ms: float) -> None:
    folder = root / "latency"
    folder.mkdir()
    path = folder / "valohai.yaml"
    base = server_config_text()
    path.write_text(base, encoding="utf-8")
    uri = path.as_uri()
    lines = len(base.splitlines())

    # Three servers, timed round-robin so that drift hits them alike; each lints only its own file.
    rows = (
        ("didChange -> publish, debounce 0", (PYTHON, "-c", NO_DEBOUNCE), 0.0, "change"),
        (f"didChange -> publish, less the {shipped_ms:g} ms debounce", SERVER_ARGV, shipped_ms, "change"),
        ("didSave -> publish (no debounce)", SERVER_ARGV, 0.0, "save"),
    )
    clients: list[LspClient] = []
    samples: dict[str, list[float]] = {label: [] for label, *_ in rows}
    try:
        found = kind = 0
        save_text: list[bool] = []
        for label, argv, _, _ in rows:
            client = LspClient(label, argv, folder, ENV)
            clients.append(client)
            capabilities = client.initialize(folder)
            found_kind = sync_kind(capabilities)
            if found_kind not in (1, 2):
                raise LspError(f"{label}: textDocumentSync change kind {found_kind}: no didChange to time")
            kind = 1 if found_kind == 1 else 2
            save_text.append(save_includes_text(capabilities))
            client.open(path, base)
            found = len(client.wait_for_publish(uri, 1)[1])
        if not found:
            raise LspError(
                f"no diagnostics on the generated {path.name}: the generator no longer fires rules"
            )
        kinds = {1: "full", 2: "incremental"}
        print(
            f"  the server asks for textDocumentSync {kinds[kind]} ({kind}); each didChange sends the "
            "whole text"
        )
        print(
            f"  {path.name} of {lines} lines ({SERVER_STEPS} steps), {found} diagnostics; each change "
            "gives one step's image a new tag"
        )
        versions = [1] * len(clients)
        for change in range(SERVER_WARMUP + changes):
            text = edited_text(base, change)
            for i, (client, (label, _, debounce_ms, how)) in enumerate(zip(clients, rows, strict=True)):
                if how == "change":
                    versions[i] += 1
                    start = client.change(path, text, versions[i])
                else:  # the text on disk is the base text, and so is the document
                    start = client.save(path, base if save_text[i] else None)
                end, _ = client.wait_for_publish(uri, versions[i])
                if change >= SERVER_WARMUP:
                    samples[label].append((end - start) * 1000 - debounce_ms)
    finally:
        for client in clients:
            client.close()

    print(f"\n== language server: write to publishDiagnostics read, {changes} timed changes each (ms)")
    width = max(len(label) for label in samples)
    print(f"  {'':<{width}}  {'median':>7}  {'p90':>7}  {'min':>7}  {'max':>7}")
    for label, times in samples.items():
        median = statistics.median(times)
        verdict = "met" if median <= SERVER_TARGET_MS else "not met"
        print(
            f"  {label:<{width}}  {median:>7.1f}  {_quantile(times, 0.9):>7.1f}  {min(times):>7.1f}  "
            f"{max(times):>7.1f}   (median target <= {SERVER_TARGET_MS:g} ms {verdict})"
        )
    print(
        "  (debounce 0: the CLI's server built with build_server(debounce=0); a save of a valohai.yaml"
        " re-reads the settings and lints every open document again, here one)"
    )


def _efm_config(folder: Path) -> Path | None:
    """docs/editors.md's efm-langserver recipe, as a config file in ``folder``."""
    doc = (REPO_ROOT / "docs" / "editors.md").read_text(encoding="utf-8")
    for block in re.findall(r"^```yaml\n(.*?)^```$", doc, re.DOTALL | re.MULTILINE):
        if "lint-formats" in block:
            config = folder / "efm-config.yaml"
            config.write_text(block, encoding="utf-8")
            return config
    return None


def _yaml_language_server_version(program: str) -> str:
    package = Path(os.path.realpath(program)).parent.parent / "package.json"
    try:
        version = json.loads(package.read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError):
        return ""
    return f" {version}" if version else ""


def _server_memory(root: Path, documents: int) -> None:
    paths: list[Path] = []
    for i in range(documents):
        folder = root / "memory" / f"project-{i:02d}"
        folder.mkdir(parents=True)
        paths.append(folder / "valohai.yaml")
        paths[-1].write_text(server_config_text(first=i * SERVER_STEPS), encoding="utf-8")
    lines = len(paths[0].read_text(encoding="utf-8").splitlines())
    print(
        f"\n== language servers idle: {documents} open valohai.yaml of {lines} lines each, after their "
        f"diagnostics and {IDLE_SECONDS:g} s idle (MiB)"
    )

    # What a user would run otherwise: efm-langserver with docs/editors.md's recipe (which runs our
    # CLI once per lint), and yaml-language-server (schema and syntax checks).
    servers: list[tuple[str, tuple[str, ...], Mapping[str, str], Mapping[str, object] | None]] = [
        (f"{OURS} server", SERVER_ARGV, ENV, None)
    ]
    notes: list[str] = []
    efm = shutil.which("efm-langserver")
    config = _efm_config(root) if efm else None
    if efm is None:
        notes.append("efm-langserver row skipped: not installed (Debian: apt-get install efm-langserver)")
    elif config is None:
        notes.append("efm-langserver row skipped: docs/editors.md has no efm recipe")
    else:
        path_env = {**ENV, "PATH": f"{Path(PYTHON).parent}{os.pathsep}{ENV.get('PATH', '')}"}
        servers.append(("efm-langserver (docs/editors.md recipe)", (efm, "-c", str(config)), path_env, None))
    yls = shutil.which("yaml-language-server")
    if yls is None:
        notes.append(
            "yaml-language-server row skipped: not on PATH (npm install yaml-language-server; "
            "PATH=$PWD/node_modules/.bin:$PATH)"
        )
    else:
        # No schema store (it would be fetched from the network) and no schema: syntax checks only.
        settings = {"yaml": {"validate": True, "schemaStore": {"enable": False}, "schemas": {}}}
        label = f"yaml-language-server{_yaml_language_server_version(yls)}"
        servers.append((label, (yls, "--stdio"), ENV, settings))

    width = max(len(label) for label, *_ in servers)
    print(
        f"  {'server':<{width}}  {'RSS after initialize':>20}  {'RSS idle':>9}  {'peak (HWM)':>10}  "
        f"{'published':>9}"
    )
    for label, argv, env, configuration in servers:
        client = LspClient(label, argv, root, env, configuration)
        try:
            client.initialize(root)
            started = memory_kib(client.process.pid)
            # One after another, as a user opens them: each document's first publish is waited
            # for (at most OPEN_WAIT s: efm-langserver 0.0.44's debounce timer may lint the
            # previous file again and never this one) before the next is opened.
            for path in paths:
                client.open(path, path.read_text(encoding="utf-8"))
                try:
                    client.wait_for_publish(path.as_uri(), wait=OPEN_WAIT)
                except LspError:
                    if client.process.poll() is not None:
                        raise
            published = sum(1 for path in paths if path.as_uri() in client.published)
            client.drain(IDLE_SECONDS)
            idle = memory_kib(client.process.pid)
        finally:
            client.close()
        if started is None or idle is None:
            print(f"  {label:<{width}}  not measured (needs /proc/PID/status)")
            continue
        print(
            f"  {label:<{width}}  {started['VmRSS'] / 1024:>20.1f}  {idle['VmRSS'] / 1024:>9.1f}  "
            f"{idle['VmHWM'] / 1024:>10.1f}  {published:>4}/{documents}"
        )
    for note in notes:
        print(f"  {note}")
    print("  (efm-langserver's own process only: it runs our CLI once per lint, in a process that exits)")


# startup: the example file (and the offline imports, and --baseline); files: the generated files
# (one big, the growth series, 1,000 small ones, peak RSS); online: lookups against a local registry;
# server: the language server's latency and memory.
SECTIONS = ("startup", "files", "online", "server")


def _sections(text: str) -> tuple[str, ...]:
    chosen = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [part for part in chosen if part not in SECTIONS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"sections are {', '.join(SECTIONS)}, not {text!r}")
    return chosen


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
    parser.add_argument(
        "--baseline",
        metavar="REF",
        help="also time the offline start-up of the package as it is at git REF (e.g. a3e3edf, the "
        "commit before the online checks), side by side with today's",
    )
    parser.add_argument(
        "--only",
        type=_sections,
        default=SECTIONS,
        metavar="SECTION[,SECTION]",
        help=f"run only these sections, of {', '.join(SECTIONS)} (default: all)",
    )
    parser.add_argument(
        "--images",
        type=int,
        default=DEFAULT_IMAGES,
        help=f"images in the online section's registry (default {DEFAULT_IMAGES})",
    )
    parser.add_argument(
        "--changes",
        type=int,
        default=SERVER_CHANGES,
        help=f"timed didChange edits in the server section (default {SERVER_CHANGES})",
    )
    parser.add_argument(
        "--documents",
        type=int,
        default=SERVER_DOCUMENTS,
        help=f"documents open when the server section measures memory (default {SERVER_DOCUMENTS})",
    )
    args = parser.parse_args(argv)
    runs: int = args.runs if args.runs is not None else (QUICK_RUNS if args.quick else DEFAULT_RUNS)
    if runs < 1:
        parser.error("--runs must be at least 1")
    if args.images < 1:
        parser.error("--images must be at least 1")
    if args.changes < 1 or args.documents < 1:
        parser.error("--changes and --documents must be at least 1")
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
    ours_cold: float | None = None
    if "startup" in args.only:
        skipped, ours_cold = _startup(args.baseline, runs, failures)
    if "files" in args.only and not failures:
        _files(args.quick, big_runs, skipped, ours_cold, failures)
    if "online" in args.only:
        failures += online_section(runs, args.images)
    if "server" in args.only:
        failures += server_section(args.changes, args.documents)
    return _report_failures(failures)


def _startup(ref: str | None, runs: int, failures: list[str]) -> tuple[list[str], float | None]:
    """1. Start-up: the example file, where start-up and imports dominate; the offline imports; and
    with a ``ref``, the same offline runs of the package as it was at that ref. Returns the skip
    messages printed and our median."""
    others, skipped = comparison_commands(EXAMPLE, linters=True, with_ruamel=False)
    for message in skipped:
        print(message)
    found = (console_script_command(EXAMPLE), console_script_command(EXAMPLE, cached=True))
    scripts = [script for script in found if script is not None]
    import_ruamel = Command("import ruamel.yaml", (PYTHON, "-c", "import ruamel.yaml"), frozenset({0}))
    ours = ours_command(EXAMPLE)
    cached = ours_command(EXAMPLE, label=CACHED, cached=True)
    scratch = Path(tempfile.mkdtemp(prefix="vil-bench-startup-"))
    try:
        then: list[Command] = []
        if ref is not None:
            try:
                short = export_ref(ref, scratch / "baseline")
                then, probe = baseline_commands(scratch / "baseline", scratch / "baseline-cache", short)
                _, where = _run(probe, capture_stdout=True)
            except BenchFailure as exc:
                failures.append(f"--baseline {ref}: {exc}")
                return skipped, None
            if not Path(where.strip()).is_relative_to(scratch / "baseline"):
                failures.append(f"--baseline {ref}: the baseline runs imported {where.strip()}")
                return skipped, None
            print(f"baseline: {short if len(short) <= 100 else short[:99] + '…'}")
        (scratch / "edited").mkdir()
        edited = edited_command(scratch / "edited")
        commands = [baseline_command(), ours, cached, *then, edited, *scripts, *others]
        commands.append(import_ruamel)  # for scale: what importing all of ruamel.yaml costs
        timings, failed = measure(commands, runs)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    failures += failed
    print_table(
        f"start-up: {EXAMPLE} ({len((REPO_ROOT / EXAMPLE).read_text().splitlines())} lines)",
        timings,
        runs,
        EXAMPLE_TARGETS,
    )
    for extra in (cached, edited, *scripts):
        print_ratios(extra.label, timings, EXAMPLE_TARGETS)
    if then:
        print(f"  against {then[0].label.removeprefix(OURS + ' ')} (the offline start-up must not grow):")
        print_baseline(timings, [(ours.label, then[0].label), (cached.label, then[1].label)])
    failures += check_offline_imports([ours, *then[:1]])
    return skipped, next((t.median for t in timings if t.command.label == OURS), None)


def _files(
    quick: bool, big_runs: int, skipped: Sequence[str], ours_cold: float | None, failures: list[str]
) -> None:
    """2 to 5: generated files (a big one, the growth series, many small ones, peak RSS)."""
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
            return

        sizes: dict[int, int] = {}  # steps -> lines
        paths: dict[int, Path] = {}
        for steps in (MAIN_STEPS,) if quick else GROWTH_STEPS:
            paths[steps] = Path(tmp) / f"valohai-{steps}.yaml"
            sizes[steps] = write_config(paths[steps], steps)

        # 2. The big file: parsing and rules dominate. No warm-up runs here: the example already
        # compiled our modules, and a warm-up of seconds would buy nothing against runs of seconds.
        big = paths[MAIN_STEPS]
        others, big_skipped = comparison_commands(big, linters=not quick, with_ruamel=True)
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
        if not quick:
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
